/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nf.c - netfilter decoders on recorded dumps: text fidelity, structure, JSON, robustness. */
#include <errno.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "helpers.h"
#include "nfcollect.h"
#include "../../src/netfilter/nf.h"
#include "xt_helpers.h"

/* A recorded dump of tests/fixtures/nf/. */
static void *slurp(const char *name, size_t *len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "nf/%s", name);
	return th_slurp_fixture(rel, len);
}

static struct nf_ruleset *load(const char *nft, const char *legacy)
{
	struct nf_ruleset *rs = nf_ruleset_new();
	char **w = NULL;
	size_t nw = 0, len;
	void *buf;

	if (nft) {
		buf = slurp(nft, &len);
		assert_int_equal(nf_decode_dump(buf, len, rs, &w, &nw), 0);
		free(buf);
	}
	if (legacy) {
		buf = slurp(legacy, &len);
		assert_int_equal(nf_decode_legacy(buf, len, rs, &w, &nw), 0);
		free(buf);
	}
	nf_ruleset_finish(rs, &w, &nw);
	nm_strv_free(w, nw);
	return rs;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "counter packets N bytes M" -> "counter": the tests compare without counters */
static char *norm(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p;
	const char *q;

	strcpy(o, s);
	while ((p = strstr(o, "counter packets "))) {
		q = strstr(p, " bytes ");
		if (!q)
			break;
		q += 7;
		while (*q >= '0' && *q <= '9')
			q++;
		memmove(p + 7, q, strlen(q) + 1);
	}
	return o;
}

/* Every rule text (all backends given) equals the tool's own output, as a multiset. */
static void check_texts(struct nf_ruleset *rs, const char *expected_file, int backend)
{
	size_t len, i, j, k, n_exp = 0, n_got = 0;
	char *exp = slurp(expected_file, &len), *line, *save = NULL;
	char **e = NULL, **g = NULL;

	for (line = strtok_r(exp, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		e = realloc(e, (n_exp + 1) * sizeof(*e));
		e[n_exp++] = norm(line);
	}
	for (i = 0; i < rs->n_tables; i++) {
		if (backend >= 0 && rs->tables[i].backend != (enum nf_backend)backend)
			continue;
		for (j = 0; j < rs->tables[i].n_chains; j++)
			for (k = 0; k < rs->tables[i].chains[j].n_rules; k++) {
				g = realloc(g, (n_got + 1) * sizeof(*g));
				g[n_got++] = norm(rs->tables[i].chains[j].rules[k].text);
			}
	}
	qsort(e, n_exp, sizeof(*e), cmp_str);
	qsort(g, n_got, sizeof(*g), cmp_str);
	for (i = 0; i < n_exp && i < n_got; i++)
		if (strcmp(e[i], g[i]))
			fail_msg("%s: expected \"%s\" got \"%s\"", expected_file, e[i], g[i]);
	assert_int_equal(n_exp, n_got);
	for (i = 0; i < n_exp; i++)
		free(e[i]);
	for (i = 0; i < n_got; i++)
		free(g[i]);
	free(e);
	free(g);
	free(exp);
}

static void test_native_text(void **state)
{
	struct nf_ruleset *rs = load("native.nlmsg", NULL);

	(void)state;
	check_texts(rs, "native.expected", NF_BACKEND_NFT);
	nf_ruleset_free(rs);
}

static void test_docker29_text(void **state)
{
	struct nf_ruleset *rs = load("docker29.nlmsg", NULL);

	(void)state;
	check_texts(rs, "docker29.expected", NF_BACKEND_NFT);
	assert_non_null(nf_table_find(rs, NF_FAMILY_IP, "docker-bridges"));
	assert_non_null(nf_table_find(rs, NF_FAMILY_IP, "docker-dns"));
	nf_ruleset_free(rs);
}

static void test_iptnft_text(void **state)
{
	struct nf_ruleset *rs = load("iptnft.nlmsg", NULL);

	(void)state;
	check_texts(rs, "iptnft.expected", NF_BACKEND_IPTABLES_NFT);
	assert_int_equal(nf_rule_count(rs, NF_BACKEND_NFT), 0);
	nf_ruleset_free(rs);
}

static void test_legacy_text(void **state)
{
	struct nf_ruleset *rs = load(NULL, "legacy.bin");

	(void)state;
	check_texts(rs, "legacy.expected", NF_BACKEND_IPTABLES_LEGACY);
	assert_false(rs->mixed);
	nf_ruleset_free(rs);
}

static const struct nf_rule *find_rule(const struct nf_ruleset *rs, unsigned int fam, const char *table,
				       const char *chain, const char *text)
{
	const struct nf_chain *c = nf_chain_find(nf_table_find(rs, fam, table), chain);
	size_t i;

	assert_non_null(c);
	for (i = 0; i < c->n_rules; i++) {
		char *n = norm(c->rules[i].text);
		bool eq = strcmp(n, text) == 0;

		free(n);
		if (eq)
			return &c->rules[i];
	}
	fail_msg("rule not found: %s", text);
	return NULL;
}

static const struct nf_match *match_of(const struct nf_rule *r, enum nf_match_kind k)
{
	size_t i;

	for (i = 0; i < r->n_matches; i++)
		if (r->matches[i].kind == k)
			return &r->matches[i];
	fail_msg("no %s match in %s", nf_match_kind_name(k), r->text);
	return NULL;
}

static void check_docker_structure(struct nf_ruleset *rs)
{
	const struct nf_rule *r;
	const struct nf_match *m;
	const struct nf_chain *c;
	char *d;

	r = find_rule(rs, NF_FAMILY_IP, "nat", "POSTROUTING", "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE");
	m = match_of(r, NF_MATCH_SADDR);
	assert_int_equal(m->prefix.family, AF_INET);
	assert_int_equal(m->prefix.plen, 16);
	assert_int_equal(m->prefix.addr[0], 172);
	assert_int_equal(m->prefix.addr[1], 17);
	m = match_of(r, NF_MATCH_OIF);
	assert_true(m->invert);
	assert_string_equal(m->ifname, "docker0");
	assert_int_equal(r->action.kind, NF_ACT_MASQUERADE);
	d = nf_nat_describe(r);
	assert_string_equal(d, "MASQUERADE 172.17.0.0/16 \u2192 out via not-docker0");
	free(d);

	r = find_rule(rs, NF_FAMILY_IP, "nat", "DOCKER",
		      "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80");
	assert_int_equal(r->action.kind, NF_ACT_DNAT);
	assert_int_equal(r->action.port_min, 80);
	assert_int_equal(r->action.addr_min.addr[3], 2);
	m = match_of(r, NF_MATCH_DPORT);
	assert_int_equal(m->port_min, 8080);
	assert_int_equal(m->port_max, 8080);
	assert_int_equal(match_of(r, NF_MATCH_L4PROTO)->proto, 6);
	assert_true(match_of(r, NF_MATCH_IIF)->invert);
	d = nf_nat_describe(r);
	assert_string_equal(d, "DNAT tcp :8080 \u2192 172.17.0.2:80 in via not-docker0");
	free(d);

	r = find_rule(rs, NF_FAMILY_IP, "filter", "FORWARD",
		      "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
	assert_int_equal(match_of(r, NF_MATCH_CT_STATE)->ct_state, NF_CT_ESTABLISHED | NF_CT_RELATED);
	assert_int_equal(r->action.kind, NF_ACT_ACCEPT);

	r = find_rule(rs, NF_FAMILY_IP, "nat", "PREROUTING", "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER");
	m = match_of(r, NF_MATCH_ADDRTYPE);
	assert_int_equal(m->addr_dir, NF_PORT_DST);
	assert_int_equal(m->addrtypes, NF_ADDRTYPE_BIT(2));
	assert_int_equal(r->action.kind, NF_ACT_JUMP);
	assert_string_equal(r->action.chain, "DOCKER");

	r = find_rule(rs, NF_FAMILY_IP, "nat", "OUTPUT",
		      "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER");
	m = match_of(r, NF_MATCH_DADDR);
	assert_true(m->invert);
	assert_int_equal(m->prefix.plen, 8);

	r = find_rule(rs, NF_FAMILY_IP, "filter", "FORWARD", "-A FORWARD -i eth+ -g CUSTOM");
	m = match_of(r, NF_MATCH_IIF);
	assert_true(m->ifprefix);
	assert_string_equal(m->ifname, "eth");
	assert_int_equal(r->action.kind, NF_ACT_GOTO);

	r = find_rule(rs, NF_FAMILY_IP, "filter", "INPUT",
		      "-A INPUT ! -s 192.168.0.0/16 -p tcp -m multiport --dports 22,80,8000:8100 -m comment --comment \"web and ssh\" -j ACCEPT");
	m = match_of(r, NF_MATCH_MULTIPORT);
	assert_int_equal(m->n_ports, 3);
	assert_int_equal(m->ports[2].min, 8000);
	assert_int_equal(m->ports[2].max, 8100);
	assert_string_equal(r->comment, "web and ssh");

	r = find_rule(rs, NF_FAMILY_IP, "filter", "INPUT", "-A INPUT -m mark --mark 0x10/0xf0 -j CUSTOM");
	m = match_of(r, NF_MATCH_MARK);
	assert_int_equal(m->value, 0x10);
	assert_int_equal(m->mask, 0xf0);

	r = find_rule(rs, NF_FAMILY_IP, "filter", "INPUT", "-A INPUT -m physdev --physdev-in veth1 --physdev-is-bridged -j ACCEPT");
	assert_string_equal(match_of(r, NF_MATCH_PHYSDEV_IN)->ifname, "veth1");
	match_of(r, NF_MATCH_PHYSDEV_IS_BRIDGED);

	r = find_rule(rs, NF_FAMILY_IP, "filter", "INPUT", "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT");
	assert_int_equal(match_of(r, NF_MATCH_ICMP_TYPE)->icmp_type, 8);

	r = find_rule(rs, NF_FAMILY_IP, "filter", "FORWARD", "-A FORWARD -j MARK --set-xmark 0x1/0xffffffff");
	assert_int_equal(r->n_effects, 1);
	assert_int_equal(r->effects[0].kind, NF_ACT_MARK_SET);
	assert_int_equal(r->action.kind, NF_ACT_CONTINUE);

	c = nf_chain_find(nf_table_find(rs, NF_FAMILY_IP, "filter"), "FORWARD");
	assert_true(c->base);
	assert_int_equal(c->hook, NF_HOOK_FORWARD);
	/* extra-iptables.rules (loaded after the Docker rules) sets FORWARD ACCEPT */
	assert_int_equal(c->policy, NF_POLICY_ACCEPT);
	c = nf_chain_find(nf_table_find(rs, NF_FAMILY_IP, "filter"), "INPUT");
	assert_int_equal(c->policy, NF_POLICY_DROP);
	c = nf_chain_find(nf_table_find(rs, NF_FAMILY_IP, "filter"), "DOCKER-USER");
	assert_false(c->base);
	assert_int_equal(c->n_rules, 1);
}

static void test_docker_structure(void **state)
{
	struct nf_ruleset *rs = load("iptnft.nlmsg", NULL);

	(void)state;
	check_docker_structure(rs);
	assert_int_equal(nf_table_find(rs, NF_FAMILY_IP, "nat")->backend, NF_BACKEND_IPTABLES_NFT);
	nf_ruleset_free(rs);
	rs = load(NULL, "legacy.bin");
	check_docker_structure(rs);
	assert_int_equal(nf_table_find(rs, NF_FAMILY_IP, "nat")->backend, NF_BACKEND_IPTABLES_LEGACY);
	nf_ruleset_free(rs);
}

static void test_native_structure(void **state)
{
	struct nf_ruleset *rs = load("docker29.nlmsg", NULL);
	const struct nf_rule *r;
	const struct nf_match *m;
	const struct nf_set *s;
	struct nf_hook_entry he[8];
	size_t n;

	(void)state;
	r = find_rule(rs, NF_FAMILY_IP, "docker-bridges", "filter-FORWARD", "oifname vmap @filter-forward-in-jumps");
	assert_int_equal(r->action.kind, NF_ACT_VMAP);
	assert_string_equal(r->action.set, "filter-forward-in-jumps");
	assert_int_equal(r->action.key[0], NF_FIELD_OIFNAME);
	s = nf_set_find(nf_table_find(rs, NF_FAMILY_IP, "docker-bridges"), "filter-forward-in-jumps");
	assert_int_equal(s->n_elems, 1);
	assert_int_equal(s->elems[0].verdict.kind, NF_ACT_JUMP);
	assert_string_equal(s->elems[0].verdict.chain, "filter-forward-in__docker0");
	assert_string_equal(s->elems[0].text, "\"docker0\"");

	r = find_rule(rs, NF_FAMILY_IP, "docker-bridges", "nat-PREROUTING",
		      "fib daddr type local counter jump nat-prerouting-and-output");
	m = match_of(r, NF_MATCH_ADDRTYPE);
	assert_int_equal(m->addrtypes, NF_ADDRTYPE_BIT(2));
	assert_true(r->has_counter);

	r = find_rule(rs, NF_FAMILY_IP, "docker-bridges", "nat-prerouting-and-output",
		      "iifname != \"docker0\" tcp dport 8080 counter dnat to 172.17.0.2:80 comment \"DNAT\"");
	assert_string_equal(r->comment, "DNAT");
	assert_int_equal(r->action.kind, NF_ACT_DNAT);
	assert_int_equal(r->action.port_min, 80);
	assert_int_equal(match_of(r, NF_MATCH_DPORT)->proto, 6);

	r = find_rule(rs, NF_FAMILY_IP, "docker-bridges", "filter-forward-in__docker0",
		      "ct state established,related counter accept");
	assert_int_equal(match_of(r, NF_MATCH_CT_STATE)->ct_state, NF_CT_ESTABLISHED | NF_CT_RELATED);

	r = find_rule(rs, NF_FAMILY_IP, "docker-dns", "dns-snat", "ip saddr 127.0.0.11 udp sport 43529 counter snat to :53");
	assert_int_equal(r->action.kind, NF_ACT_SNAT);
	assert_int_equal(r->action.port_min, 53);
	assert_int_equal(r->action.addr_min.family, 0);

	n = nf_hook_chains(rs, NF_FAMILY_IP, NF_HOOK_PREROUTING, he, 8);
	assert_int_equal(n, 2);
	assert_string_equal(he[0].chain->name, "raw-PREROUTING");
	assert_string_equal(he[1].chain->name, "nat-PREROUTING");
	nf_ruleset_free(rs);

	rs = load("native.nlmsg", NULL);
	r = find_rule(rs, NF_FAMILY_INET, "nsmnf_filter", "input",
		      "ip saddr @allowed_v4 tcp dport @web_ports counter accept");
	m = match_of(r, NF_MATCH_SET);
	assert_string_equal(m->set, "allowed_v4");
	assert_int_equal(m->key[0], NF_FIELD_SADDR);
	s = nf_set_find(nf_table_find(rs, NF_FAMILY_INET, "nsmnf_filter"), "allowed_v4");
	assert_int_equal(s->n_elems, 3);
	assert_string_equal(s->elems[0].text, "10.0.0.0/8");
	assert_non_null(s->elems[0].key_end);
	assert_int_equal(s->elems[0].key_end[0], 10);
	assert_int_equal(s->elems[0].key_end[3], 255);
	/* a rate limit cannot be evaluated: marked, raw kept */
	r = find_rule(rs, NF_FAMILY_INET, "nsmnf_filter", "input",
		      "icmp type echo-request limit rate 5/second accept");
	assert_true(r->unsupported);
	assert_non_null(r->raw);
	r = find_rule(rs, NF_FAMILY_INET, "nsmnf_filter", "input", "iifname \"veth*\" ip saddr != 172.16.0.0/12 drop");
	assert_true(match_of(r, NF_MATCH_IIF)->ifprefix);
	assert_true(match_of(r, NF_MATCH_SADDR)->invert);
	assert_int_equal(match_of(r, NF_MATCH_SADDR)->prefix.plen, 12);
	nf_ruleset_free(rs);
}

static char *dump(const struct nf_ruleset *rs)
{
	json_t *j = nf_ruleset_to_json(rs);
	char *s = json_dumps(j, JSON_INDENT(1));

	json_decref(j);
	return s;
}

static void roundtrip(struct nf_ruleset *rs)
{
	char *a = dump(rs), *b, err[256] = "";
	json_t *j = json_loads(a, 0, NULL);
	struct nf_ruleset *back = NULL;

	assert_non_null(j);
	assert_int_equal(nf_ruleset_from_json(j, &back, err, sizeof(err)), 0);
	b = dump(back);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(j);
	nf_ruleset_free(back);
}

/* kube-proxy's endpoint choice: numgen keys a verdict map (the action) or a set (a match). The
 * interval map (numgen converted to network order first) and a plain compare stay marked. */
static void test_numgen(void **state)
{
	struct nf_ruleset *rs = load("numgen.nlmsg", NULL);
	const struct nf_chain *c;
	const struct nf_rule *r;
	const struct nf_match *m;

	(void)state;
	r = find_rule(rs, NF_FAMILY_IP, "nsm_kp", "svc",
		      "numgen random mod 2 vmap { 0 : goto endpoint-a, 1 : goto endpoint-b }");
	assert_false(r->unsupported);
	assert_int_equal(r->action.kind, NF_ACT_VMAP);
	assert_int_equal(r->action.n_key, 1);
	assert_int_equal(r->action.key[0], NF_FIELD_NUMGEN);
	assert_int_equal(r->action.numgen_mod, 2);
	assert_int_equal(r->action.numgen_offset, 0);
	assert_int_equal(nf_set_find(nf_table_find(rs, NF_FAMILY_IP, "nsm_kp"),
				     r->action.set)->n_elems, 2);
	r = find_rule(rs, NF_FAMILY_IP, "nsm_kp", "svc", "numgen random mod 2 { 0, 1 } counter");
	assert_false(r->unsupported);
	m = match_of(r, NF_MATCH_SET);
	assert_int_equal(m->key[0], NF_FIELD_NUMGEN);
	assert_int_equal(m->numgen_mod, 2);
	c = nf_chain_find(nf_table_find(rs, NF_FAMILY_IP, "nsm_kp"), "svc");
	assert_int_equal(c->n_rules, 4);
	assert_true(c->rules[1].unsupported);	/* numgen inc mod 3 offset 10 vmap { 10 : ..., 11-12 : ... } */
	assert_true(c->rules[2].unsupported);	/* numgen inc mod 4 2 */
	nf_ruleset_free(rs);
}

/* libnftables' listing (-s -a) -> rule texts by handle: set blocks and chain headers are no
 * rules, a comment may hold braces, quotes and "# handle", names may be quoted. */
static void test_listing_parse(void **state)
{
	static const char text[] =
		"table inet filter { # handle 3\n"
		"\tset allowed { # handle 4\n"
		"\t\ttype ipv4_addr . inet_service\n"
		"\t\tflags interval\n"
		"\t\telements = { 10.0.0.1 . 22,\n"
		"\t\t\t     10.0.0.2 . 80 }\n"
		"\t}\n"
		"\n"
		"\tchain input { # handle 1\n"
		"\t\ttype filter hook input priority filter; policy drop;\n"
		"\t\tcomment \"the { input } chain\"\n"
		"\t\tct state vmap { established : accept, related : accept, invalid : drop } # handle 7\n"
		"\t\ttcp dport { 22, 80 } counter accept comment \"a } b # handle 99\" # handle 8\n"
		"\t}\n"
		"\n"
		"\tchain \"my chain\" { # handle 2\n"
		"\t\tip saddr . tcp dport @allowed accept # handle 9\n"
		"\t}\n"
		"}\n"
		"table ip nat { # handle 5\n"
		"\tchain post { # handle 1\n"
		"\t\tmasquerade # handle 7\n"
		"\t}\n"
		"}\n";
	struct nf_listing l;

	(void)state;
	nf_listing_parse(text, &l);
	assert_int_equal(l.n_rules, 4);
	assert_int_equal(l.rules[0].family, NF_FAMILY_INET);
	assert_string_equal(l.rules[0].table, "filter");
	assert_string_equal(l.rules[0].chain, "input");
	assert_int_equal(l.rules[0].handle, 7);
	assert_string_equal(l.rules[0].text,
			    "ct state vmap { established : accept, related : accept, invalid : drop }");
	assert_int_equal(l.rules[1].handle, 8);
	assert_string_equal(l.rules[1].text, "tcp dport { 22, 80 } counter accept comment \"a } b # handle 99\"");
	assert_string_equal(l.rules[2].chain, "my chain");
	assert_int_equal(l.rules[2].handle, 9);
	assert_int_equal(l.rules[3].family, NF_FAMILY_IP);
	assert_string_equal(l.rules[3].table, "nat");
	assert_int_equal(l.rules[3].handle, 7);
	assert_string_equal(l.rules[3].text, "masquerade");
	nf_listing_free(&l);
	nf_listing_parse("", &l);
	assert_int_equal(l.n_rules, 0);
	nf_listing_parse("table ip x {\n\tchain c {\n\t\taccept # handle 1x\n", &l);
	assert_int_equal(l.n_rules, 0);
	nf_listing_free(&l);
}

/* Applying a listing: equal text is proven, a different text is kept in decoded and marked,
 * a rule the listing lacks is marked; counters are no difference. */
static void test_listing_apply(void **state)
{
	struct nf_ruleset *rs = load("numgen.nlmsg", NULL);
	struct nf_chain *c = nf_chain_find(nf_table_find(rs, NF_FAMILY_IP, "nsm_kp"), "svc");
	struct nf_listing l;
	char *text;

	(void)state;
	assert_non_null(c);
	text = nm_xasprintf("table ip nsm_kp {\n\tchain svc {\n"
			    "\t\tnumgen random mod 2 vmap { 0 : goto endpoint-a, 1 : goto endpoint-b } # handle %llu\n"
			    "\t\tnumgen random mod 2 { 1, 0 } counter # handle %llu\n\t}\n}\n",
			    (unsigned long long)c->rules[0].handle, (unsigned long long)c->rules[3].handle);
	nf_listing_parse(text, &l);
	assert_int_equal(nf_listing_apply(rs, &l), 2);
	assert_int_equal(c->rules[0].text_source, NF_TEXT_LIBNFTABLES);
	assert_false(c->rules[0].unsupported);
	assert_null(c->rules[0].decoded);
	assert_true(c->rules[3].unsupported);
	assert_string_equal(c->rules[3].text, "numgen random mod 2 { 1, 0 } counter");
	assert_string_equal(c->rules[3].decoded, "numgen random mod 2 { 0, 1 } counter");
	assert_string_equal(c->rules[3].why, "nsmap's decoder disagrees with libnftables");
	assert_int_equal(c->rules[2].text_source, NF_TEXT_NSMAP);
	assert_true(c->rules[2].unsupported);
	nf_listing_free(&l);
	free(text);
	nf_ruleset_free(rs);
}

/* Offline (no listing): the forms nft prints differently read back as nft prints them, from a
 * recorded dump: bit tests and exact compares of ct bits and tcp flags, mark prefixes, set
 * elements by name and in nft's order, reject and icmpv6 in inet. Exact status compares are
 * marked. */
static void test_nft_forms(void **state)
{
	struct nf_ruleset *rs = load("forms.nlmsg", NULL);
	const struct nf_rule *r;

	(void)state;
	check_texts(rs, "forms.expected", NF_BACKEND_NFT);
	r = find_rule(rs, NF_FAMILY_IP, "nsm_forms", "c", "ct status != dnat");
	assert_true(r->unsupported);
	assert_non_null(r->why);
	r = find_rule(rs, NF_FAMILY_IP, "nsm_forms", "c", "ct status ! dnat");
	assert_false(r->unsupported);
	assert_true(match_of(r, NF_MATCH_CT_STATUS)->invert);
	r = find_rule(rs, NF_FAMILY_IP, "nsm_forms", "c", "meta mark set meta mark | 0x00004000");
	assert_int_equal(r->n_effects, 1);
	assert_int_equal(r->effects[0].kind, NF_ACT_MARK_SET);
	assert_int_equal(r->effects[0].mask, 0x4000);
	assert_int_equal(r->effects[0].value, 0x4000);
	r = find_rule(rs, NF_FAMILY_IP, "nsm_forms", "c", "tcp flags == syn");
	assert_int_equal(match_of(r, NF_MATCH_TCP_FLAGS)->mask, 0xff);
	nf_ruleset_free(rs);
}

static void test_json_roundtrip(void **state)
{
	struct nf_ruleset *rs;

	(void)state;
	rs = load("native.nlmsg", NULL);
	roundtrip(rs);
	nf_ruleset_free(rs);
	rs = load("docker29.nlmsg", NULL);
	roundtrip(rs);
	nf_ruleset_free(rs);
	rs = load("iptnft.nlmsg", "legacy.bin");
	assert_true(rs->mixed);
	roundtrip(rs);
	nf_ruleset_free(rs);
}

static void test_json_errors(void **state)
{
	struct nf_ruleset *rs = NULL;
	char err[128] = "";
	json_t *j = json_loads("{\"tables\":[{\"family\":\"nope\",\"name\":\"x\",\"backend\":\"nft\"}]}", 0, NULL);

	(void)state;
	assert_int_equal(nf_ruleset_from_json(j, &rs, err, sizeof(err)), -EINVAL);
	assert_null(rs);
	assert_true(strlen(err) > 0);
	json_decref(j);
}

static void test_mixed_warning(void **state)
{
	struct nf_ruleset *rs = nf_ruleset_new();
	char **w = NULL;
	size_t nw = 0, len;
	void *b;

	(void)state;
	b = slurp("docker29.nlmsg", &len);
	nf_decode_dump(b, len, rs, &w, &nw);
	free(b);
	b = slurp("legacy.bin", &len);
	nf_decode_legacy(b, len, rs, &w, &nw);
	free(b);
	nf_ruleset_finish(rs, &w, &nw);
	assert_true(rs->mixed);
	assert_int_equal(nw, 1);
	assert_non_null(strstr(w[0], "both"));
	nm_strv_free(w, nw);
	nf_ruleset_free(rs);
}

/* Truncated and corrupted dumps: warnings, never a crash or an out-of-bounds read. */
static void test_truncated(void **state)
{
	static const char *const files[] = { "native.nlmsg", "docker29.nlmsg", "iptnft.nlmsg", "legacy.bin" };
	size_t f, len, cut;

	(void)state;
	for (f = 0; f < 4; f++) {
		uint8_t *buf = slurp(files[f], &len);

		for (cut = 0; cut < len; cut += (cut < 512 ? 1 : 37)) {
			struct nf_ruleset *rs = nf_ruleset_new();
			char **w = NULL;
			size_t nw = 0;
			uint8_t *copy = malloc(cut + 1);

			memcpy(copy, buf, cut);
			if (f == 3)
				nf_decode_legacy(copy, cut, rs, &w, &nw);
			else
				nf_decode_dump(copy, cut, rs, &w, &nw);
			nf_ruleset_finish(rs, &w, &nw);
			free(copy);
			nm_strv_free(w, nw);
			nf_ruleset_free(rs);
		}
		/* flip bytes: only for blobs we parse ourselves (libnftnl 1.2.4 exit()s on
		 * attributes failing its own validation, "kernel ABI is broken") */
		for (cut = 0; f == 3 && cut < len; cut += 13) {
			struct nf_ruleset *rs = nf_ruleset_new();
			char **w = NULL;
			size_t nw = 0;
			uint8_t *copy = malloc(len);

			memcpy(copy, buf, len);
			copy[cut] ^= 0xff;
			if (f == 3)
				nf_decode_legacy(copy, len, rs, &w, &nw);
			else
				nf_decode_dump(copy, len, rs, &w, &nw);
			free(copy);
			nm_strv_free(w, nw);
			nf_ruleset_free(rs);
		}
		free(buf);
	}
}

/* ---- xt decoders driven directly ---- */


static void test_xt_nat_revisions(void **state)
{
	struct nf_ipt ipt = { 0 };
	struct nf_rule r = { 0 };
	uint8_t b[48];
	uint32_t v;

	(void)state;
	/* SNAT rev 0 (IPv4 compat): 1.2.3.4-1.2.3.10:1000-2000 */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	memset(b, 0, sizeof(b));
	v = 1;
	memcpy(b, &v, 4);
	v = 3;
	memcpy(b + 4, &v, 4);
	memcpy(b + 8, "\x01\x02\x03\x04", 4);
	memcpy(b + 12, "\x01\x02\x03\x0a", 4);
	memcpy(b + 16, "\x03\xe8\x07\xd0", 4);
	nf_ipt_set_target(&ipt, "SNAT", 0, b, 24);
	assert_string_equal(render(&ipt, &r), "-A X -j SNAT --to-source 1.2.3.4-1.2.3.10:1000-2000");
	assert_int_equal(r.action.kind, NF_ACT_SNAT);
	assert_int_equal(r.action.port_max, 2000);

	/* DNAT rev 1 (nf_nat_range): 10.0.0.1 */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	memset(b, 0, sizeof(b));
	v = 1;
	memcpy(b, &v, 4);
	memcpy(b + 4, "\x0a\x00\x00\x01", 4);
	memcpy(b + 20, "\x0a\x00\x00\x01", 4);
	nf_ipt_set_target(&ipt, "DNAT", 1, b, 40);
	assert_string_equal(render(&ipt, &r), "-A X -j DNAT --to-destination 10.0.0.1");

	/* DNAT rev 2, IPv6 with port */
	xt_case(&ipt, &r, NF_FAMILY_IP6);
	memset(b, 0, sizeof(b));
	v = 3;
	memcpy(b, &v, 4);
	inet_pton(AF_INET6, "fd00::2", b + 4);
	inet_pton(AF_INET6, "fd00::2", b + 20);
	memcpy(b + 36, "\x00\x50\x00\x50", 4);
	nf_ipt_set_target(&ipt, "DNAT", 2, b, 48);
	assert_string_equal(render(&ipt, &r), "-A X -j DNAT --to-destination [fd00::2]:80");
	assert_int_equal(r.action.addr_min.family, AF_INET6);

	/* MASQUERADE ip6 rev 0 (nf_nat_range), random-fully */
	xt_case(&ipt, &r, NF_FAMILY_IP6);
	memset(b, 0, sizeof(b));
	v = 0x10;
	memcpy(b, &v, 4);
	nf_ipt_set_target(&ipt, "MASQUERADE", 0, b, 40);
	assert_string_equal(render(&ipt, &r), "-A X -j MASQUERADE --random-fully");
	assert_int_equal(r.action.kind, NF_ACT_MASQUERADE);

	/* truncated NAT info: unsupported with the raw bytes, never a guess */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	nf_ipt_set_target(&ipt, "DNAT", 2, b, 20);
	render(&ipt, &r);
	assert_int_equal(r.action.kind, NF_ACT_UNSUPPORTED);
	assert_true(r.unsupported);
	assert_non_null(strstr(r.text, "unsupported: rev 2 info"));

	/* unknown target */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	nf_ipt_set_target(&ipt, "TPROXY", 1, b, 8);
	render(&ipt, &r);
	assert_int_equal(r.action.kind, NF_ACT_UNSUPPORTED);
	nf_rule_clear(&r);
	nf_ipt_free(&ipt);
}

static void test_xt_matches(void **state)
{
	struct nf_ipt ipt = { 0 };
	struct nf_rule r = { 0 };
	uint8_t b[168];
	uint16_t u;

	(void)state;
	/* conntrack rev 3: ! --ctstate NEW,UNTRACKED */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	memset(b, 0, sizeof(b));
	u = 1;
	memcpy(b + 146, &u, 2);
	memcpy(b + 148, &u, 2);
	u = 0x108;
	memcpy(b + 150, &u, 2);
	nf_ipt_add_item(&ipt, "conntrack", 3, b, 168);
	assert_string_equal(render(&ipt, &r), "-A X -m conntrack ! --ctstate NEW,UNTRACKED");
	assert_true(r.matches[0].invert);
	assert_int_equal(r.matches[0].ct_state, NF_CT_NEW | NF_CT_UNTRACKED);

	/* truncated conntrack info: unsupported, raw kept */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	nf_ipt_add_item(&ipt, "conntrack", 3, b, 100);
	render(&ipt, &r);
	assert_true(r.unsupported);
	assert_int_equal(r.matches[0].kind, NF_MATCH_UNSUPPORTED);
	assert_non_null(r.matches[0].raw);
	assert_non_null(strstr(r.text, "unsupported: -m conntrack rev 3"));

	/* unknown match name */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	nf_ipt_add_item(&ipt, "hashlimit", 3, b, 16);
	ipt.verdict = NF_IPT_STANDARD;
	ipt.std = NF_ACT_DROP;
	render(&ipt, &r);
	assert_true(r.unsupported);
	assert_int_equal(r.action.kind, NF_ACT_DROP);

	/* prefix masks and negation in the header */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	ipt.has_src = true;
	memcpy(ipt.src, "\x0a\x10\x00\x00", 4);
	memcpy(ipt.smsk, "\xff\xf0\x00\x00", 4);
	ipt.has_dst = true;
	ipt.inv_dst = true;
	memcpy(ipt.dst, "\x0a\x00\x00\x00", 4);
	memcpy(ipt.dmsk, "\xff\x00\xff\x00", 4);
	render(&ipt, &r);
	assert_string_equal(r.text, "-A X -s 10.16.0.0/12 ! -d 10.0.0.0/255.0.255.0");
	assert_int_equal(r.matches[0].kind, NF_MATCH_SADDR);
	assert_int_equal(r.matches[0].prefix.plen, 12);
	assert_int_equal(r.matches[1].kind, NF_MATCH_UNSUPPORTED);
	nf_rule_clear(&r);
	nf_ipt_free(&ipt);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(nf_backend_name(NF_BACKEND_IPTABLES_LEGACY), "iptables-legacy");
	assert_string_equal(nf_backend_name((enum nf_backend)99), "?");
	assert_int_equal(nf_parse(NF_NAMES_HOOK, "forward"), NF_HOOK_FORWARD);
	assert_int_equal(nf_parse(NF_NAMES_MATCH, nf_match_kind_name(NF_MATCH_CT_STATE)), NF_MATCH_CT_STATE);
	assert_int_equal(nf_parse(NF_NAMES_ACTION, "dnat"), NF_ACT_DNAT);
	assert_string_equal(nf_family_name(NF_FAMILY_INET), "inet");
	assert_string_equal(nf_family_name(200), "?");
}

/* ---- nf_tables dumps with corrupted attributes (src/netfilter/validate.c) ---- */

/* Decode a corrupted copy; libnftnl 1.2.4 would exit() or crash on many of these. */
static void decode_mutant(const uint8_t *buf, size_t len)
{
	struct nf_ruleset *rs = nf_ruleset_new();
	char **w = NULL;
	size_t nw = 0;

	nf_decode_dump(buf, len, rs, &w, &nw);
	nf_ruleset_finish(rs, &w, &nw);
	nm_strv_free(w, nw);
	nf_ruleset_free(rs);
}

static void test_nft_byteflip(void **state)
{
	static const char *const files[] = { "native.nlmsg", "docker29.nlmsg", "iptnft.nlmsg" };
	static const uint8_t flips[] = { 0xff, 0x01, 0x80, 0x04 };
	size_t f, len, pos, k;

	(void)state;
	for (f = 0; f < 3; f++) {
		uint8_t *buf = slurp(files[f], &len);
		uint8_t *copy = malloc(len);

		/* every byte of the first messages, then a sample (keeps the test fast) */
		for (k = 0; k < sizeof(flips); k++)
			for (pos = k; pos < len; pos += k ? 17 : pos < 1024 ? 1 : 5) {
				memcpy(copy, buf, len);
				copy[pos] ^= flips[k];
				decode_mutant(copy, len);
			}
		/* 16-bit words (attribute lengths, types) set to small values */
		for (pos = 16; pos + 2 < len; pos += 16) {
			for (k = 0; k < 9; k++) {
				memcpy(copy, buf, len);
				copy[pos] = (uint8_t)k;
				copy[pos + 1] = 0;
				decode_mutant(copy, len);
			}
		}
		free(copy);
		free(buf);
	}
}

/* A tiny nf_tables message builder (native byte order, as the kernel sends). */
struct nlb {
	uint8_t buf[4096];
	size_t len, msg, nest[8];
	int depth;
};

static void nlb_msg(struct nlb *b, uint8_t type, uint8_t family)
{
	uint32_t l = 0;
	uint16_t t = (uint16_t)((10 << 8) | type), fl = 0;

	b->msg = b->len;
	memcpy(b->buf + b->len, &l, 4);
	memcpy(b->buf + b->len + 4, &t, 2);
	memcpy(b->buf + b->len + 6, &fl, 2);
	memset(b->buf + b->len + 8, 0, 8);
	b->buf[b->len + 16] = family;
	b->buf[b->len + 17] = 0;
	b->buf[b->len + 18] = 0;
	b->buf[b->len + 19] = 0;
	b->len += 20;
}

static void nlb_attr(struct nlb *b, uint16_t type, const void *data, uint16_t dlen)
{
	uint16_t l = (uint16_t)(4 + dlen);

	memcpy(b->buf + b->len, &l, 2);
	memcpy(b->buf + b->len + 2, &type, 2);
	if (dlen)
		memcpy(b->buf + b->len + 4, data, dlen);
	b->len += (size_t)(4 + dlen + 3) / 4 * 4;
}

static void nlb_str(struct nlb *b, uint16_t type, const char *s)
{
	nlb_attr(b, type, s, (uint16_t)(strlen(s) + 1));
}

static void nlb_u32(struct nlb *b, uint16_t type, uint32_t v)
{
	v = htonl(v);
	nlb_attr(b, type, &v, 4);
}

static void nlb_open(struct nlb *b, uint16_t type)
{
	b->nest[b->depth++] = b->len;
	nlb_attr(b, (uint16_t)(type | 0x8000), NULL, 0);
}

static void nlb_close(struct nlb *b)
{
	size_t at = b->nest[--b->depth];
	uint16_t l = (uint16_t)(b->len - at);

	memcpy(b->buf + at, &l, 2);
}

static void nlb_end(struct nlb *b)
{
	uint32_t l = (uint32_t)(b->len - b->msg);

	memcpy(b->buf + b->msg, &l, 4);
}

/* table "t" (ip) with chain "c" */
static void nlb_table_chain(struct nlb *b)
{
	nlb_msg(b, 0 /* NEWTABLE */, NF_FAMILY_IP);
	nlb_str(b, 1 /* NFTA_TABLE_NAME */, "t");
	nlb_end(b);
	nlb_msg(b, 3 /* NEWCHAIN */, NF_FAMILY_IP);
	nlb_str(b, 1 /* NFTA_CHAIN_TABLE */, "t");
	nlb_str(b, 3 /* NFTA_CHAIN_NAME */, "c");
	nlb_end(b);
}

/* Decode b: the single rule of t/c must be an unsupported placeholder whose warning
 * contains expect. */
static void expect_rejected_rule(struct nlb *b, const char *expect)
{
	struct nf_ruleset *rs = nf_ruleset_new();
	char **w = NULL;
	size_t nw = 0, i;
	bool found = false;

	nf_decode_dump(b->buf, b->len, rs, &w, &nw);
	nf_ruleset_finish(rs, &w, &nw);
	assert_int_equal(rs->n_tables, 1);
	assert_int_equal(rs->tables[0].n_chains, 1);
	assert_int_equal(rs->tables[0].chains[0].n_rules, 1);
	assert_true(rs->tables[0].chains[0].rules[0].unsupported);
	assert_int_equal(rs->tables[0].chains[0].rules[0].action.kind, NF_ACT_UNSUPPORTED);
	assert_int_equal(rs->tables[0].chains[0].rules[0].handle, 7);
	for (i = 0; i < nw; i++)
		if (strstr(w[i], expect))
			found = true;
	if (!found)
		fail_msg("no warning with \"%s\" (%zu warnings%s%s)", expect, nw, nw ? ": " : "",
			 nw ? w[0] : "");
	nm_strv_free(w, nw);
	nf_ruleset_free(rs);
}

static void nlb_rule_start(struct nlb *b)
{
	uint64_t h = htobe64(7);

	nlb_msg(b, 6 /* NEWRULE */, NF_FAMILY_IP);
	nlb_str(b, 1 /* NFTA_RULE_TABLE */, "t");
	nlb_str(b, 2 /* NFTA_RULE_CHAIN */, "c");
	nlb_attr(b, 3 /* NFTA_RULE_HANDLE */, &h, 8);
	nlb_open(b, 4 /* NFTA_RULE_EXPRESSIONS */);
}

/* A rule of t/c whose only expression is being built: its name (if any), then its data nest
 * open (if data). */
static void nlb_expr_rule(struct nlb *b, const char *name, bool data)
{
	memset(b, 0, sizeof(*b));
	nlb_table_chain(b);
	nlb_rule_start(b);
	nlb_open(b, 1 /* NFTA_LIST_ELEM */);
	if (name)
		nlb_str(b, 1 /* NFTA_EXPR_NAME */, name);
	if (data)
		nlb_open(b, 2 /* NFTA_EXPR_DATA */);
}

/* Close whatever is open, end the message and check the rule is rejected with expect. */
static void nlb_expect_rejected(struct nlb *b, const char *expect)
{
	while (b->depth)
		nlb_close(b);
	nlb_end(b);
	expect_rejected_rule(b, expect);
}

/* An nft_data nest (attribute data_attr) holding a verdict with code; both left open. */
static void nlb_verdict(struct nlb *b, uint16_t data_attr, uint32_t code)
{
	nlb_open(b, data_attr);
	nlb_open(b, 2 /* NFTA_DATA_VERDICT */);
	nlb_u32(b, 1 /* NFTA_VERDICT_CODE */, code);
}

static void test_nft_rejected_rules(void **state)
{
	struct nlb b;
	uint8_t two[2] = { 1, 2 };
	char unterminated[3] = { 'a', 'b', 'c' };

	(void)state;
	/* an expression libnftnl does not know */
	nlb_expr_rule(&b, "frobnicate", false);
	nlb_expect_rejected(&b, "unsupported expression 'frobnicate'");

	/* an expression without a name (libnftnl dereferences NULL) */
	nlb_expr_rule(&b, NULL, true);
	nlb_expect_rejected(&b, "mandatory attribute");

	/* a u32 of the wrong size (libnftnl exit()s) */
	nlb_expr_rule(&b, "meta", true);
	nlb_attr(&b, 2 /* NFTA_META_KEY */, two, 2);
	nlb_expect_rejected(&b, "not a valid u32");

	/* a jump without a chain */
	nlb_expr_rule(&b, "immediate", true);
	nlb_u32(&b, 1 /* NFTA_IMMEDIATE_DREG */, 0);
	nlb_verdict(&b, 2 /* NFTA_IMMEDIATE_DATA */, (uint32_t)-3 /* NFT_JUMP */);
	nlb_expect_rejected(&b, "jump/goto without a chain");

	/* an unterminated string (libnftnl strdup()s past the attribute) */
	nlb_expr_rule(&b, "log", true);
	nlb_attr(&b, 2 /* NFTA_LOG_PREFIX */, unterminated, 3);
	nlb_expect_rejected(&b, "not a valid string");

	/* a verdict where cmp expects a value */
	nlb_expr_rule(&b, "cmp", true);
	nlb_u32(&b, 1 /* NFTA_CMP_SREG */, 1);
	nlb_u32(&b, 2 /* NFTA_CMP_OP */, 0);
	nlb_verdict(&b, 3 /* NFTA_CMP_DATA */, 1);
	nlb_expect_rejected(&b, "a verdict where a value is expected");

	/* a verdict whose chain id is not a u32 (libnftnl exit()s) */
	nlb_expr_rule(&b, "immediate", true);
	nlb_u32(&b, 1, 0);
	nlb_verdict(&b, 2, 1 /* NF_ACCEPT */);
	nlb_attr(&b, 3 /* NFTA_VERDICT_CHAIN_ID */, two, 2);
	nlb_expect_rejected(&b, "verdict: attribute 3: not a valid u32");
}

/* A set element message for t/s with one element of key (and attribute type 13 in it when
 * bad: libnftnl 1.2.4 writes that past its tb[] array). */
static void nlb_setelem(struct nlb *b, const uint8_t *key, bool bad)
{
	nlb_msg(b, 12 /* NEWSETELEM */, NF_FAMILY_IP);
	nlb_str(b, 1 /* NFTA_SET_ELEM_LIST_TABLE */, "t");
	nlb_str(b, 2 /* NFTA_SET_ELEM_LIST_SET */, "s");
	nlb_open(b, 3 /* NFTA_SET_ELEM_LIST_ELEMENTS */);
	nlb_open(b, 1);
	nlb_open(b, 1 /* NFTA_SET_ELEM_KEY */);
	nlb_attr(b, 1 /* NFTA_DATA_VALUE */, key, 4);
	nlb_close(b);
	if (bad)
		nlb_u32(b, 13, 0);
	nlb_close(b);
	nlb_close(b);
	nlb_end(b);
}

static void test_nft_bad_objects(void **state)
{
	struct nlb b;
	struct nf_ruleset *rs;
	char **w = NULL;
	size_t nw = 0;
	char unterminated[2] = { 'x', 'y' };
	uint8_t key[4] = { 10, 0, 0, 1 };

	(void)state;
	memset(&b, 0, sizeof(b));
	/* a table whose name is not NUL-terminated: skipped with a warning */
	nlb_msg(&b, 0, NF_FAMILY_IP);
	nlb_attr(&b, 1, unterminated, 2);
	nlb_end(&b);
	nlb_table_chain(&b);
	/* a set, then an element carrying attribute type 13, then a valid element */
	nlb_msg(&b, 9 /* NEWSET */, NF_FAMILY_IP);
	nlb_str(&b, 1 /* NFTA_SET_TABLE */, "t");
	nlb_str(&b, 2 /* NFTA_SET_NAME */, "s");
	nlb_u32(&b, 4 /* NFTA_SET_KEY_TYPE */, 7);
	nlb_u32(&b, 5 /* NFTA_SET_KEY_LEN */, 4);
	nlb_end(&b);
	nlb_setelem(&b, key, true);
	nlb_setelem(&b, key, false);

	rs = nf_ruleset_new();
	assert_int_equal(nf_decode_dump(b.buf, b.len, rs, &w, &nw), 0);
	nf_ruleset_finish(rs, &w, &nw);
	assert_int_equal(rs->n_tables, 1);
	assert_int_equal(rs->tables[0].n_sets, 1);
	assert_int_equal(rs->tables[0].sets[0].n_elems, 1);
	assert_string_equal(rs->tables[0].sets[0].elems[0].text, "10.0.0.1");
	assert_int_equal(nw, 2);
	assert_non_null(strstr(w[0], "malformed table message"));
	assert_non_null(strstr(w[1], "unknown to libnftnl"));
	nm_strv_free(w, nw);
	nf_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_native_text),
		cmocka_unit_test(test_docker29_text),
		cmocka_unit_test(test_numgen),
		cmocka_unit_test(test_nft_forms),
		cmocka_unit_test(test_listing_parse),
		cmocka_unit_test(test_listing_apply),
		cmocka_unit_test(test_iptnft_text),
		cmocka_unit_test(test_legacy_text),
		cmocka_unit_test(test_docker_structure),
		cmocka_unit_test(test_native_structure),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_mixed_warning),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_xt_nat_revisions),
		cmocka_unit_test(test_xt_matches),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_nft_byteflip),
		cmocka_unit_test(test_nft_rejected_rules),
		cmocka_unit_test(test_nft_bad_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
