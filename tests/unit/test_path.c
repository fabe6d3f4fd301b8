/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_path.c - the simulated walk on the blog's lab: the whole path, each cause, NAT and the reply. */
#include "helpers.h"
#include "path.h"
#include "snapshot.h"
#include "../../src/path/path_int.h"
#include "fixture_blog.h"

static struct path_result *walk_from(struct nm_snapshot *s, const char *src, const char *dst,
				     uint8_t proto, uint16_t dport)
{
	struct path_query q = { 0 };
	struct path_result *r = NULL;
	const struct nm_netns *ns;

	assert_int_equal(path_resolve_src(s, src, &ns, &q.src), 0);
	q.src_ns = ns;
	q.dst = th_ip(dst);
	q.proto = proto;
	q.dport = dport;
	assert_int_equal(path_walk(s, &q, &r), 0);
	assert_non_null(r);
	return r;
}

static struct path_result *walk(struct nm_snapshot *s)
{
	return walk_from(s, "ns1", "203.0.113.8", PATH_PROTO_ICMP, 0);
}

static void dump(const struct path_result *r)
{
	if (getenv("TEST_VERBOSE"))
		path_print_text(stderr, r);
}

static void test_whole_lab(void **state)
{
	struct nm_snapshot *s = fx_blog(0);
	struct path_result *r = walk(s);
	bool masq = false;
	size_t i;
	char a[64];

	(void)state;
	dump(r);
	assert_int_equal(r->n_causes, 0);
	assert_true(r->left_host);
	assert_string_equal(r->leave_ifname, "eth0");
	assert_string_equal(nm_ip_str(&r->leave_src, a, sizeof(a), false), "198.51.100.10");
	assert_true(r->reached);
	assert_string_equal(r->reached_netns, "inet");
	assert_true(r->reply_ok);
	assert_int_equal(r->verdict, PATH_REACHED);
	assert_int_equal(path_exit_code(r), 0);
	for (i = 0; i < r->n_hops; i++)
		if (r->hops[i].nat && !r->hops[i].reply && !strcmp(r->hops[i].result, "SNAT"))
			masq = strstr(r->hops[i].decided, "MASQUERADE") != NULL;
	assert_true(masq);
	assert_non_null(strstr(r->summary, "leaves the host via eth0 as 198.51.100.10 -> 203.0.113.8"));
	path_result_free(r);
	nm_snapshot_free(s);
}

static void test_leaves_host(void **state)
{
	struct nm_snapshot *s = fx_blog(BLOG_NO_INET);
	struct path_result *r = walk(s);

	(void)state;
	dump(r);
	assert_int_equal(r->n_causes, 0);
	assert_true(r->left_host);
	assert_false(r->reached);
	assert_true(r->reply_checked);
	assert_true(r->reply_ok);
	assert_int_equal(r->verdict, PATH_UNDETERMINED);
	assert_int_equal(path_exit_code(r), 0);
	path_result_free(r);
	nm_snapshot_free(s);
}

struct cause_case {
	unsigned int flags;
	const char *code;
	const char *netns;
	const char *fix;		/* substring of the first cause's fix, or NULL */
	const char *second;		/* code of the second cause, or NULL */
};

static const struct cause_case cause_cases[] = {
	{ BLOG_NO_FORWARD, "FORWARDING_DISABLED", "host",
	  "ip netns exec host sysctl -w net.ipv4.ip_forward=1", NULL },
	{ BLOG_NO_MASQ, "NO_SNAT", "host",
	  "ip netns exec host iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE", NULL },
	{ BLOG_NO_FWD_ACCEPT, "FORWARD_DROP", "host",
	  "ip netns exec host iptables -t filter -A FORWARD -i br0 -o eth0 -j ACCEPT", "RETURN_DROPPED" },
	{ BLOG_NO_RETURN_ACCEPT, "RETURN_DROPPED", "host",
	  "iptables -t filter -A FORWARD -i eth0 -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
	  NULL },
	{ BLOG_NO_DEFAULT_ROUTE, "NO_ROUTE", "ns1",
	  "ip netns exec ns1 ip route add default via 10.0.0.254", NULL },
	{ BLOG_NO_ADDR, "NO_ADDRESS", "ns1", "ip netns exec ns1 ip addr add 10.0.0.1/24 dev veth1",
	  "NO_ROUTE" },
	{ BLOG_LINK_DOWN, "LINK_DOWN", "ns1", "ip netns exec ns1 ip link set veth1 up", "NO_ROUTE" },
	{ BLOG_NO_BRIDGE_ADDR, "GATEWAY_UNREACHABLE", "ns1",
	  "ip netns exec host ip addr add 10.0.0.254/24 dev br0", NULL },
	{ BLOG_NO_BRIDGE_PORT, "NOT_ON_BRIDGE", "host",
	  "ip netns exec host ip link set veth1-br master br0", NULL },
	{ BLOG_NO_UPLINK_ROUTE, "NO_ROUTE", "host",
	  "ip netns exec host ip route add default via 198.51.100.1", NULL },
	{ BLOG_NO_INET_HOST, "UPSTREAM_NO_REPLY", "inet", NULL, NULL },
	{ BLOG_RP_FILTER, "RP_FILTER", "host", "net.ipv4.conf.all.rp_filter=0", NULL },
	{ BLOG_BARE_NS1, "PEER_MISSING", "ns1", "type veth peer name veth1 netns ns1", NULL },
};

static void test_each_cause(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cause_cases); i++) {
		const struct cause_case *c = &cause_cases[i];
		struct nm_snapshot *s = fx_blog(c->flags);
		struct path_result *r = walk(s);

		if (getenv("TEST_VERBOSE"))
			fprintf(stderr, "== case %s\n", c->code);
		dump(r);
		assert_true(r->n_causes >= 1);
		assert_string_equal(r->causes[0].code, c->code);
		assert_string_equal(r->causes[0].netns, c->netns);
		if (c->fix && !strstr(r->causes[0].fix, c->fix)) {
			fprintf(stderr, "fix of %s: '%s' lacks '%s'\n", c->code, r->causes[0].fix, c->fix);
			fail();
		}
		if (c->second) {
			assert_true(r->n_causes >= 2);
			assert_string_equal(r->causes[1].code, c->second);
		}
		assert_int_equal(path_exit_code(r), 3);
		assert_int_not_equal(r->verdict, PATH_REACHED);
		/* every fix was applied to a copy and the path walked again: all of them proven,
		 * except the veth nsmap cannot create in its model, which says so; under RP_FILTER
		 * the route back leaves another way, so the last fix cannot open the path */
		for (size_t k = 0; k < r->n_causes && c->flags == BLOG_RP_FILTER; k++)
			if (k + 1 == r->n_causes)
				assert_int_equal(r->causes[k].check, DIAG_FIX_UNVERIFIED);
		for (size_t k = 0; k < r->n_causes && c->flags != BLOG_RP_FILTER; k++) {
			const struct diag_cause *d = &r->causes[k];

			if (!*d->fix) {
				assert_int_equal(d->check, DIAG_FIX_UNCHECKED);
			} else if (d->id == DIAG_PEER_MISSING) {
				assert_int_equal(d->check, DIAG_FIX_UNVERIFIED);
				assert_non_null(strstr(d->check_note, "does not simulate"));
			} else if (d->check != DIAG_FIX_VERIFIED) {
				fprintf(stderr, "%s: %s: unverified: %s\n", c->code, d->code, d->check_note);
				fail();
			}
		}
		path_result_free(r);
		nm_snapshot_free(s);
	}
}

/* A Docker host with no uplink: its containers route through it, so none of them is its
 * gateway; NO_ROUTE names no gateway, and its fix (which needs one) says it is not checked. */
static void test_no_uplink_no_sibling_gateway(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *host = fx_ns(s, "dockerhost", 300);
	struct nm_netns *a = fx_ns(s, "web", 301), *b = fx_ns(s, "db", 302);
	struct nm_link *br = fx_link(host, "docker0", "bridge", true);
	struct nm_link *va = fx_link(host, "veth-a", "veth", true), *vb = fx_link(host, "veth-b", "veth", true);
	struct nm_link *ea = fx_link(a, "eth0", "veth", true), *eb = fx_link(b, "eth0", "veth", true);
	struct path_result *r;

	(void)state;
	host->sysctl.ip_forward = 1;
	fx_addr(host, br, "172.17.0.1/16");
	fx_master(va, br);
	fx_master(vb, br);
	fx_veth(host, va, a, ea);
	fx_veth(host, vb, b, eb);
	fx_addr(a, ea, "172.17.0.2/16");
	fx_addr(b, eb, "172.17.0.3/16");
	fx_route(a, "default", "172.17.0.1", "eth0", NULL);
	fx_route(b, "default", "172.17.0.1", "eth0", NULL);
	b->sysctl.ip_forward = 1;	/* even a forwarding sibling is no gateway */
	r = walk_from(s, "web", "203.0.113.8", PATH_PROTO_ICMP, 0);
	dump(r);
	assert_true(r->n_causes >= 1);
	assert_string_equal(r->causes[0].code, "NO_ROUTE");
	assert_string_equal(r->causes[0].netns, "dockerhost");
	assert_null(strstr(r->causes[0].fix, "172.17.0.3"));
	assert_null(strstr(r->causes[0].fix, "172.17.0.2"));
	assert_int_equal(r->causes[0].check, DIAG_FIX_UNVERIFIED);
	for (size_t i = 0; i < r->n_causes; i++)
		assert_string_not_equal(r->causes[i].netns, "db");
	path_result_free(r);
	nm_snapshot_free(s);
}

static void test_forward_policy_accept(void **state)
{
	struct nm_snapshot *s = fx_blog(BLOG_NO_FWD_DROP | BLOG_NO_FWD_ACCEPT);
	struct path_result *r = walk(s);

	(void)state;
	dump(r);
	assert_int_equal(r->n_causes, 0);
	assert_int_equal(path_exit_code(r), 0);
	path_result_free(r);
	nm_snapshot_free(s);
}

static void test_ns_to_ns(void **state)
{
	struct nm_snapshot *s = fx_blog(0);
	struct path_result *r = walk_from(s, "10.0.0.1", "10.0.0.2", PATH_PROTO_ICMP, 0);

	(void)state;
	dump(r);
	assert_int_equal(r->n_causes, 0);
	assert_string_equal(r->reached_netns, "ns2");
	assert_false(r->left_host);
	assert_true(r->reply_ok);
	path_result_free(r);
	nm_snapshot_free(s);
}

/* A published port: inet -> host:8080 is DNATed to ns2:80, accepted, and answered. */
static void test_dnat_published_port(void **state)
{
	struct nm_snapshot *s = fx_blog(0);
	struct nm_netns *host = &s->netns[0];
	struct nf_table *nat = &host->netfilter->tables[0];
	struct nf_table *filter = &host->netfilter->tables[1];
	struct nf_chain *pre = nf_chain_find(nat, "PREROUTING");
	struct nf_chain *fw = nf_chain_find(filter, "FORWARD");
	struct nf_chain *docker = fx_chain(nat, "DOCKER", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_rule *rule;
	struct nf_match *m;
	struct path_result *r;
	bool dnat = false;
	size_t i;

	(void)state;
	rule = fx_rule(pre, "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER", NF_ACT_JUMP, "DOCKER");
	m = fx_match(rule, NF_MATCH_ADDRTYPE);
	m->addr_dir = NF_PORT_DST;
	m->addrtypes = NF_ADDRTYPE_BIT(2);
	rule = fx_rule(docker, "-A DOCKER ! -i br0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80",
		       NF_ACT_DNAT, NULL);
	m = fx_match(rule, NF_MATCH_IIF);
	m->ifname = nm_xstrdup("br0");
	m->invert = true;
	m = fx_match(rule, NF_MATCH_DPORT);
	m->proto = PATH_PROTO_TCP;
	m->port_min = m->port_max = 8080;
	rule->action.addr_min = th_ip("10.0.0.2");
	rule->action.port_min = 80;
	rule = fx_rule(fw, "-A FORWARD -d 10.0.0.2/32 -o br0 -p tcp --dport 80 -j ACCEPT", NF_ACT_ACCEPT, NULL);
	fx_m_addr(rule, NF_MATCH_DADDR, "10.0.0.2/32");
	fx_m_if(rule, NF_MATCH_OIF, "br0");

	r = walk_from(s, "inet", "198.51.100.10", PATH_PROTO_TCP, 8080);
	dump(r);
	assert_int_equal(r->n_causes, 0);
	assert_string_equal(r->reached_netns, "ns2");
	assert_true(r->reply_ok);
	for (i = 0; i < r->n_hops; i++)
		if (!strcmp(r->hops[i].result, "DNAT") && r->hops[i].dport == 80)
			dnat = true;
	assert_true(dnat);
	path_result_free(r);
	nm_snapshot_free(s);
}

static void test_route_lookup(void **state)
{
	struct nm_snapshot *s = fx_blog(0);
	struct nm_netns *host = &s->netns[0];
	struct path_route_res rr;
	struct nm_flow fl = { 0 };
	struct nm_rule *rules;

	(void)state;
	/* Longest prefix wins over the default route; lower metric wins on a tie. */
	fx_route(host, "203.0.113.0/24", "10.0.0.2", "br0", NULL);
	host->routes[host->n_routes - 1].metric = 100;
	fx_route(host, "203.0.113.0/24", "10.0.0.1", "br0", NULL);
	host->routes[host->n_routes - 1].metric = 50;
	fl.dst = th_ip("203.0.113.8");
	assert_int_equal(path_route_lookup(host, &fl, &rr), 0);
	assert_non_null(rr.route);
	assert_string_equal(rr.dev, "br0");
	assert_int_equal(rr.route->metric, 50);
	fl.dst = th_ip("192.0.2.1");
	path_route_lookup(host, &fl, &rr);
	assert_string_equal(rr.dev, "eth0");
	/* Local addresses. */
	fl.dst = th_ip("10.0.0.254");
	path_route_lookup(host, &fl, &rr);
	assert_true(rr.local);
	/* A policy rule sends 10.0.0.2's traffic to table 100, which has a blackhole. */
	rules = host->rules = nm_xcalloc(4, sizeof(*rules));
	host->n_rules = 4;
	rules[0] = (struct nm_rule){ .family = AF_INET, .priority = 0, .table = 255, .action = nm_xstrdup("lookup") };
	rules[1] = (struct nm_rule){ .family = AF_INET, .priority = 100, .table = 100, .action = nm_xstrdup("lookup") };
	rules[1].src = th_ip("10.0.0.2/32");
	rules[2] = (struct nm_rule){ .family = AF_INET, .priority = 32766, .table = 254, .action = nm_xstrdup("lookup") };
	rules[3] = (struct nm_rule){ .family = AF_INET, .priority = 32767, .table = 253, .action = nm_xstrdup("lookup") };
	fx_route(host, "default", NULL, "eth0", NULL);
	host->routes[host->n_routes - 1].table = 100;
	free(host->routes[host->n_routes - 1].type);
	host->routes[host->n_routes - 1].type = nm_xstrdup("blackhole");
	fl.dst = th_ip("192.0.2.1");
	fl.src = th_ip("10.0.0.2");
	path_route_lookup(host, &fl, &rr);
	assert_true(rr.reject);
	assert_int_equal(rr.table, 100);
	fl.src = th_ip("10.0.0.1");
	path_route_lookup(host, &fl, &rr);
	assert_false(rr.reject);
	assert_string_equal(rr.dev, "eth0");
	nm_snapshot_free(s);
}

static void test_exec_prefix(void **state)
{
	struct nm_snapshot *s = fx_blog(0);
	char *e;

	(void)state;
	e = path_ns_exec(&s->netns[1]);
	assert_string_equal(e, "ip netns exec ns1 ");
	free(e);
	s->netns[1].n_names = 0;
	s->netns[1].procs = nm_xcalloc(1, sizeof(*s->netns[1].procs));
	s->netns[1].procs[0].pid = 4242;
	s->netns[1].n_procs = 1;
	e = path_ns_exec(&s->netns[1]);
	assert_string_equal(e, "nsenter --net=/proc/4242/ns/net ");
	free(e);
	s->netns[1].n_names = 1;
	s->netns[0].n_names = 0;
	e = path_ns_exec(&s->netns[0]);
	assert_string_equal(e, "");
	free(e);
	s->netns[0].n_names = 1;
	nm_snapshot_free(s);
}

static void test_json(void **state)
{
	struct nm_snapshot *s = fx_blog(BLOG_NO_FORWARD);
	struct path_result *r = walk(s);
	json_t *j = path_result_to_json(r), *d;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(j, "verdict")), "dropped");
	d = json_array_get(json_object_get(j, "diagnosis"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "code")), "FORWARDING_DISABLED");
	assert_string_equal(json_string_value(json_object_get(d, "netns")), "host");
	assert_non_null(json_string_value(json_object_get(d, "evidence")));
	assert_true(json_array_size(json_object_get(j, "hops")) > 3);
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(j, "hops"), 0),
						  "observed")));
	json_decref(j);
	path_result_free(r);
	nm_snapshot_free(s);
}

/* kube-proxy in the blog's host: a Service VIP DNATed by statistic to one of three
 * endpoints. The NAT hop names all three; -j lists them under nat.alternatives. */
static void test_service_endpoints(void **state)
{
	static const uint32_t probs[] = { 715827883u, 1073741824u };
	struct nm_snapshot *s = fx_blog(0);
	struct nm_netns *host = NULL;
	struct nf_table *nat;
	struct nf_chain *pre, *svc;
	struct path_result *res;
	const struct path_hop *h = NULL;
	struct nf_rule *r;
	json_t *j, *alts = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < s->n_netns; i++)
		if (!strcmp(s->netns[i].label, "host"))
			host = &s->netns[i];
	assert_non_null(host);
	nat = nf_table_find(host->netfilter, NF_FAMILY_IP, "nat");
	assert_non_null(nat);
	pre = fx_chain(nat, "PREROUTING", NF_HOOK_PREROUTING, -100, "nat", NF_POLICY_ACCEPT);
	svc = fx_chain(nat, "KUBE-SVC-X", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	r = fx_rule(pre, "-A PREROUTING -d 10.96.0.10/32 -j KUBE-SVC-X", NF_ACT_JUMP, "KUBE-SVC-X");
	fx_m_addr(r, NF_MATCH_DADDR, "10.96.0.10/32");
	for (i = 0; i < 3; i++) {
		char name[32], text[128];
		struct nf_chain *sep;

		snprintf(name, sizeof(name), "KUBE-SEP-%zu", i);
		sep = fx_chain(nat, name, NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
		snprintf(text, sizeof(text), "-A %s -p tcp -j DNAT --to-destination 10.0.0.2:%zu",
			 name, 8081 + i);
		r = fx_rule(sep, text, NF_ACT_DNAT, NULL);
		nm_ip_parse("10.0.0.2", &r->action.addr_min);
		r->action.port_min = (uint16_t)(8081 + i);
		snprintf(text, sizeof(text), "-A KUBE-SVC-X -j %s", name);
		r = fx_rule(svc, text, NF_ACT_JUMP, name);
		if (i < 2)
			fx_match(r, NF_MATCH_STATISTIC)->value = probs[i];
	}
	res = walk_from(s, "ns1", "10.96.0.10", PATH_PROTO_TCP, 80);
	dump(res);
	for (i = 0; i < res->n_hops && !h; i++)
		if (res->hops[i].n_alts)
			h = &res->hops[i];
	assert_non_null(h);
	assert_int_equal(h->n_alts, 3);
	assert_non_null(strstr(h->decided, "DNAT to one of 3 endpoints: 10.0.0.2:8081 (33.3 %), "
				  "10.0.0.2:8082 (33.3 %), 10.0.0.2:8083 (33.3 %)"));
	assert_non_null(strstr(h->alts[2].rule, "--to-destination 10.0.0.2:8083"));
	j = path_result_to_json(res);
	for (i = 0; i < json_array_size(json_object_get(j, "hops")) && !alts; i++)
		alts = json_object_get(json_object_get(json_array_get(json_object_get(j, "hops"), i),
						       "nat"), "alternatives");
	assert_non_null(alts);
	assert_int_equal(json_array_size(alts), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(alts, 1), "port")), 8082);
	assert_true(json_real_value(json_object_get(json_array_get(alts, 1), "probability")) > 0.333);
	json_decref(j);
	path_result_free(res);
	nm_snapshot_free(s);
}

/* Snapshots recorded with `nsmap -T json` from the lab (tests/fixtures/path/blog-*.json). */
static void test_recorded_snapshots(void **state)
{
	static const struct {
		const char *file, *verdict, *code;
		int exit;
	} cases[] = {
		{ "blog-whole.json", "reached", NULL, 0 },
		{ "blog-no-masq.json", "no-reply", "NO_SNAT", 3 },
		{ "blog-no-fwd-accept.json", "dropped", "FORWARD_DROP", 3 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct nm_snapshot *s = NULL;
		struct path_result *r;
		const char *path;
		char rel[512], err[256];

		snprintf(rel, sizeof(rel), "path/%s", cases[i].file);
		path = th_fixture(rel);
		if (snap_load(path, &s, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", path, err);
			fail();
		}
		r = walk_from(s, "pfixns1", "203.0.113.8", PATH_PROTO_ICMP, 0);
		dump(r);
		assert_string_equal(path_verdict_name(r->verdict), cases[i].verdict);
		if (cases[i].code) {
			assert_true(r->n_causes >= 1);
			assert_string_equal(r->causes[0].code, cases[i].code);
		}
		else
			assert_int_equal(r->n_causes, 0);
		assert_int_equal(path_exit_code(r), cases[i].exit);
		path_result_free(r);
		nm_snapshot_free(s);
	}
}

/* A destination the source owns: delivered locally from that very address, reply open. */
static void test_own_address(void **state)
{
	static const char *const dsts[] = { "10.0.0.1", "127.0.0.1" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(dsts); i++) {
		struct nm_snapshot *s = fx_blog(0);
		struct path_result *r = walk_from(s, "ns1", dsts[i], PATH_PROTO_ICMP, 0);

		dump(r);
		assert_int_equal(r->verdict, PATH_REACHED);
		assert_int_equal(r->n_causes, 0);
		assert_true(r->reply_ok);
		assert_int_equal(path_exit_code(r), 0);
		path_result_free(r);
		nm_snapshot_free(s);
	}
}

/* A rule nsmap does not understand decides FORWARD: undetermined, named, no fix. */
static void test_rule_undetermined(void **state)
{
	struct nm_snapshot *s = fx_blog(0);
	struct nm_netns *host = NULL;
	struct nf_chain *fw = NULL;
	struct nf_rule *r;
	struct path_result *res;
	size_t i, j;

	(void)state;
	for (i = 0; i < s->n_netns; i++)
		if (!strcmp(s->netns[i].label, "host"))
			host = &s->netns[i];
	assert_non_null(host);
	for (i = 0; i < host->netfilter->n_tables; i++)
		for (j = 0; j < host->netfilter->tables[i].n_chains; j++)
			if (!strcmp(host->netfilter->tables[i].chains[j].name, "FORWARD"))
				fw = &host->netfilter->tables[i].chains[j];
	assert_non_null(fw);
	/* put an unsupported DROP rule first */
	memmove(&fw->rules[1], &fw->rules[0], fw->n_rules * sizeof(*fw->rules));
	fw->n_rules++;
	r = &fw->rules[0];
	memset(r, 0, sizeof(*r));
	r->handle = 99;
	r->text = nm_xstrdup("-A FORWARD -m string --string \"x\" --algo bm -j DROP");
	r->action.kind = NF_ACT_DROP;
	r->unsupported = true;
	r->why = nm_xstrdup("string: not modelled");
	r->matches = nm_xcalloc(1, sizeof(*r->matches));
	r->n_matches = 1;
	r->matches[0].kind = NF_MATCH_UNSUPPORTED;
	r->matches[0].text = nm_xstrdup("-m string --string \"x\" --algo bm");
	res = walk(s);
	dump(res);
	assert_int_equal(res->verdict, PATH_UNDETERMINED);
	assert_true(res->n_causes >= 1);
	assert_string_equal(res->causes[0].code, "RULE_UNDETERMINED");
	assert_string_equal(res->causes[0].fix, "");
	assert_non_null(strstr(res->causes[0].message, "--string"));
	assert_non_null(strstr(res->causes[0].message, "string: not modelled"));
	path_result_free(res);
	nm_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_undetermined),
		cmocka_unit_test(test_whole_lab),
		cmocka_unit_test(test_leaves_host),
		cmocka_unit_test(test_each_cause),
		cmocka_unit_test(test_no_uplink_no_sibling_gateway),
		cmocka_unit_test(test_forward_policy_accept),
		cmocka_unit_test(test_service_endpoints),
		cmocka_unit_test(test_ns_to_ns),
		cmocka_unit_test(test_dnat_published_port),
		cmocka_unit_test(test_route_lookup),
		cmocka_unit_test(test_exec_prefix),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_recorded_snapshots),
		cmocka_unit_test(test_own_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
