/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_render.c - the picture: golden DOT files, well-formed SVG/PNG, hidden lo and link-local, NAT notes. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"
#include "netfilter.h"
#include "../../render/render_int.h"
#include "snapshot.h"

/* ---- building snapshots by hand ---- */

static void add_addr(struct nm_netns *ns, const char *ifname, const char *cidr)
{
	struct nm_link *l = nm_find_link(ns, ifname);
	struct nm_addr *a = NM_PUSH(l->addrs, l->n_addrs);

	assert_int_equal(nm_ip_parse(cidr, &a->local), 0);
	a->scope = nm_xstrdup(!strncmp(cidr, "fe80", 4) ? "link" : "global");
}

static void add_default(struct nm_netns *ns, const char *gw, const char *dev)
{
	struct nm_route *r = NM_PUSH(ns->routes, ns->n_routes);

	r->family = AF_INET;
	r->table = 254;
	r->type = nm_xstrdup("unicast");
	assert_int_equal(nm_ip_parse(gw, &r->gateway), 0);
	r->dev = nm_xstrdup(dev);
	r->protocol = nm_xstrdup("static");
	r->scope = nm_xstrdup("global");
}

static void pair(struct nm_snapshot *s, struct nm_netns *a, const char *ia, struct nm_netns *b, const char *ib)
{
	struct nm_link *la = nm_find_link(a, ia), *lb = nm_find_link(b, ib);

	(void)s;
	la->peer.present = lb->peer.present = true;
	la->peer.resolved = lb->peer.resolved = true;
	la->peer.netns = nm_xstrdup(b->id);
	lb->peer.netns = nm_xstrdup(a->id);
	la->peer.ifname = nm_xstrdup(ib);
	lb->peer.ifname = nm_xstrdup(ia);
	la->peer.ifindex = lb->ifindex;
	lb->peer.ifindex = la->ifindex;
	la->link_ifindex = lb->ifindex;
	lb->link_ifindex = la->ifindex;
	la->peer.nsid = a == b ? -1 : 0;
	lb->peer.nsid = a == b ? -1 : 0;
}

static struct nm_container *container(struct nm_netns *ns, const char *name, const char *id, const char *image)
{
	ns->container = nm_xcalloc(1, sizeof(*ns->container));
	ns->container->name = nm_xstrdup(name);
	ns->container->id = nm_xstrdup(id);
	ns->container->image = nm_xstrdup(image);
	ns->container->runtime = nm_xstrdup("docker");
	return ns->container;
}

static struct nf_rule *nat_rule(struct nf_chain *c, enum nf_action_kind act, const char *text)
{
	struct nf_rule *r = NM_PUSH(c->rules, c->n_rules);

	r->action.kind = act;
	r->text = nm_xstrdup(text);
	return r;
}

static struct nf_match *match(struct nf_rule *r, enum nf_match_kind k, bool invert)
{
	struct nf_match *m = NM_PUSH(r->matches, r->n_matches);

	m->kind = k;
	m->invert = invert;
	return m;
}

/* Docker's iptables-nft nat table: MASQUERADE for the bridges' subnets, one DNAT. */
static void docker_nat(struct nm_netns *host)
{
	struct nf_ruleset *rs = nm_xcalloc(1, sizeof(*rs));
	struct nf_table *t = NM_PUSH(rs->tables, rs->n_tables);
	struct nf_chain *post, *dk;
	struct nf_rule *r;
	struct nf_match *m;

	t->family = NF_FAMILY_IP;
	t->name = nm_xstrdup("nat");
	t->backend = NF_BACKEND_IPTABLES_NFT;
	post = NM_PUSH(t->chains, t->n_chains);
	post->name = nm_xstrdup("POSTROUTING");
	post->base = true;
	post->hook = NF_HOOK_POSTROUTING;
	post->type = nm_xstrdup("nat");
	post->policy = NF_POLICY_ACCEPT;
	r = nat_rule(post, NF_ACT_MASQUERADE, "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE");
	m = match(r, NF_MATCH_SADDR, false);
	nm_ip_parse("172.17.0.0/16", &m->prefix);
	m = match(r, NF_MATCH_OIF, true);
	m->ifname = nm_xstrdup("docker0");
	r = nat_rule(post, NF_ACT_MASQUERADE,
		     "-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE");
	m = match(r, NF_MATCH_SADDR, false);
	nm_ip_parse("172.17.0.2/32", &m->prefix);
	m = match(r, NF_MATCH_DADDR, false);
	nm_ip_parse("172.17.0.2/32", &m->prefix);
	dk = NM_PUSH(t->chains, t->n_chains);
	dk->name = nm_xstrdup("DOCKER");
	dk->hook = NF_HOOK_NONE;
	dk->policy = NF_POLICY_NONE;
	r = nat_rule(dk, NF_ACT_DNAT,
		     "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80");
	m = match(r, NF_MATCH_IIF, true);
	m->ifname = nm_xstrdup("docker0");
	m = match(r, NF_MATCH_L4PROTO, false);
	m->proto = IPPROTO_TCP;
	m = match(r, NF_MATCH_DPORT, false);
	m->proto = IPPROTO_TCP;
	m->port_min = m->port_max = 8080;
	nm_ip_parse("172.17.0.2", &r->action.addr_min);
	r->action.addr_max = r->action.addr_min;
	r->action.port_min = r->action.port_max = 80;
	host->netfilter = rs;
}

/*
 * The lab: a host with uplink eth0 (198.51.100.2/24, default via 198.51.100.1), docker0
 * with web (publishes 8080->80) and db, a user-defined bridge with api, and a netns
 * "blue" whose veth is down.
 */
static struct nm_snapshot *lab_snapshot(void)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *host, *web, *db, *api, *blue;
	struct nm_container *c;

	s->hostname = nm_xstrdup("lab");
	s->kernel = nm_xstrdup("6.18.0");
	s->created = nm_xstrdup("2026-11-29T14:00:00Z");
	host = th_add_ns(s, 4026531840UL, "host", true);
	web = th_add_ns(s, 4026532281UL, "web", false);
	db = th_add_ns(s, 4026532345UL, "db", false);
	api = th_add_ns(s, 4026532400UL, "api", false);
	blue = th_add_ns(s, 4026532500UL, "blue", false);
	/* NM_PUSH may move the array: take the pointers again */
	host = &s->netns[0];
	web = &s->netns[1];
	db = &s->netns[2];
	api = &s->netns[3];
	blue = &s->netns[4];
	nm_strv_push(&blue->names, &blue->n_names, "blue");

	th_add_link(host, 1, "lo", "loopback", true, NULL);
	add_addr(host, "lo", "127.0.0.1/8");
	th_add_link(host, 2, "eth0", "device", true, NULL);
	add_addr(host, "eth0", "198.51.100.2/24");
	add_addr(host, "eth0", "fe80::1/64");
	th_add_link(host, 3, "docker0", "bridge", true, NULL);
	add_addr(host, "docker0", "172.17.0.1/16");
	th_add_link(host, 4, "br-5f3a9c1e2b7d", "bridge", true, NULL);
	add_addr(host, "br-5f3a9c1e2b7d", "172.18.0.1/16");
	nm_find_link(host, "br-5f3a9c1e2b7d")->network = nm_xstrdup("appnet");
	nm_find_link(host, "docker0")->network = nm_xstrdup("bridge");
	th_add_link(host, 6, "veth1a2b3c4", "veth", true, "docker0");
	th_add_link(host, 8, "veth5d6e7f8", "veth", true, "docker0");
	th_add_link(host, 10, "veth9a8b7c6", "veth", true, "br-5f3a9c1e2b7d");
	th_add_link(host, 12, "veth-blue", "veth", false, NULL);
	add_default(host, "198.51.100.1", "eth0");

	th_add_link(web, 1, "lo", "loopback", true, NULL);
	th_add_link(web, 5, "eth0", "veth", true, NULL);
	add_addr(web, "eth0", "172.17.0.2/16");
	add_addr(web, "eth0", "fe80::42:acff:fe11:2/64");
	add_default(web, "172.17.0.1", "eth0");
	c = container(web, "web", "3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e", "busybox-local");
	{
		struct nm_port *p = NM_PUSH(c->ports, c->n_ports);

		p->proto = nm_xstrdup("tcp");
		p->host_ip = nm_xstrdup("0.0.0.0");
		p->host_port = 8080;
		p->container_port = 80;
	}
	(void)c;

	th_add_link(db, 1, "lo", "loopback", true, NULL);
	th_add_link(db, 7, "eth0", "veth", true, NULL);
	add_addr(db, "eth0", "172.17.0.3/16");
	add_default(db, "172.17.0.1", "eth0");
	container(db, "db", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b", "busybox-local");

	th_add_link(api, 1, "lo", "loopback", true, NULL);
	th_add_link(api, 9, "eth0", "veth", true, NULL);
	add_addr(api, "eth0", "172.18.0.2/16");
	add_default(api, "172.18.0.1", "eth0");
	container(api, "api", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "busybox-local");

	th_add_link(blue, 1, "lo", "loopback", false, NULL);
	th_add_link(blue, 11, "veth0", "veth", false, NULL);
	add_addr(blue, "veth0", "10.0.0.2/24");

	pair(s, host, "veth1a2b3c4", web, "eth0");
	pair(s, host, "veth5d6e7f8", db, "eth0");
	pair(s, host, "veth9a8b7c6", api, "eth0");
	pair(s, host, "veth-blue", blue, "veth0");
	docker_nat(host);
	return s;
}

/* ---- helpers ---- */

static char *render_to_string(const struct nm_snapshot *s, const char *fmt, bool all, size_t *len)
{
	struct render_opts o = { .all = all };
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(render_snapshot(s, fmt, &o, f), 0);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

/* Compare with a golden file; NSMAP_UPDATE_GOLDEN=1 rewrites it. */
static void golden(const char *name, const char *got)
{
	char rel[256];
	const char *path;
	char *want;

	snprintf(rel, sizeof(rel), "render/%s", name);
	path = th_fixture(rel);
	if (getenv("NSMAP_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "we");

		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	want = th_read(path, NULL);
	if (!want)
		fail_msg("missing golden file %s (run with NSMAP_UPDATE_GOLDEN=1)", path);
	if (strcmp(want, got)) {
		char *out = nm_xasprintf("%s.actual", path);
		FILE *f = fopen(out, "we");

		if (f) {
			fputs(got, f);
			fclose(f);
		}
		fail_msg("%s differs from the golden file; see %s", path, out);
	}
	free(want);
}

static bool xmllint_ok(const char *svg, size_t len)
{
	char path[] = "/tmp/nsmap-test-XXXXXX.svg";
	int fd = mkstemps(path, 4);
	char *cmd;
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, svg, len), (ssize_t)len);
	close(fd);
	if (system("command -v xmllint >/dev/null 2>&1") != 0) {
		unlink(path);
		return strstr(svg, "</svg>") != NULL;
	}
	cmd = nm_xasprintf("xmllint --noout %s", path);
	rc = system(cmd);
	free(cmd);
	unlink(path);
	return rc == 0;
}

/* Every namespace label (container name) and every shown interface name is in the output. */
static void assert_names(const struct nm_snapshot *s, const char *text)
{
	char *out = nm_xstrdup(text), *p;
	size_t i, j;

	/* SVG writes '-' as &#45; */
	while ((p = strstr(out, "&#45;"))) {
		*p = '-';
		memmove(p + 1, p + 5, strlen(p + 5) + 1);
	}

	for (i = 0; i < s->n_netns; i++) {
		const struct nm_netns *ns = &s->netns[i];
		const char *label = ns->container ? ns->container->name : ns->label;

		if (!strstr(out, label))
			fail_msg("namespace %s missing", label);
		for (j = 0; j < ns->n_links; j++)
			if (strcmp(ns->links[j].ifname, "lo") && !strstr(out, ns->links[j].ifname))
				fail_msg("interface %s/%s missing", label, ns->links[j].ifname);
	}
	free(out);
}

/* ---- tests ---- */

/* The name of the format a file name implies, or NULL. */
static const char *format_of(const char *path)
{
	const struct render_format *f = render_format_for_path(path);

	return f ? f->name : NULL;
}

static void test_format_from_path(void **state)
{
	(void)state;
	assert_string_equal(format_of("map.svg"), "svg");
	assert_string_equal(format_of("/tmp/x.PNG"), "png");
	assert_string_equal(format_of("a.b/host.gv"), "dot");
	assert_string_equal(format_of("host.dot"), "dot");
	assert_string_equal(format_of("host.pdf"), "pdf");
	assert_string_equal(format_of("host.json"), "json");
	assert_string_equal(format_of("notes.txt"), "text");
	assert_null(format_of("host"));
	assert_null(format_of("dir.svg/host"));
	assert_non_null(render_format_find("png"));
	assert_null(render_format_find("jpeg"));
	assert_string_equal(render_format_list(), "text, json, dot, svg, png, pdf");
}

static void test_bad_format(void **state)
{
	struct nm_snapshot *s = lab_snapshot();

	(void)state;
	assert_int_equal(render_snapshot(s, "gif", NULL, stdout), -EINVAL);
	nm_snapshot_free(s);
}

static void test_lab_dot_golden(void **state)
{
	struct nm_snapshot *s = lab_snapshot();
	char *dot = render_to_string(s, "dot", false, NULL);

	(void)state;
	golden("lab.dot", dot);
	assert_names(s, dot);
	/* the picture tells the story */
	assert_non_null(strstr(dot, "172.17.0.0/16 → masquerade via eth0"));
	assert_non_null(strstr(dot, "tcp 0.0.0.0:8080 → web:80"));
	assert_non_null(strstr(dot, "uplink (default route)"));
	assert_non_null(strstr(dot, "default via 172.17.0.1 dev eth0"));
	assert_non_null(strstr(dot, "no default route"));
	assert_non_null(strstr(dot, "legend"));
	/* the hairpin MASQUERADE is plumbing, not an annotation */
	assert_null(strstr(dot, "172.17.0.2 → masquerade"));
	free(dot);
	nm_snapshot_free(s);
}

static void test_dot_deterministic(void **state)
{
	struct nm_snapshot *s = lab_snapshot();
	char *a = render_to_string(s, "dot", false, NULL);
	char *b;
	struct nm_netns tmp;

	(void)state;
	/* reverse the namespaces: the output must not change */
	tmp = s->netns[0];
	s->netns[0] = s->netns[4];
	s->netns[4] = tmp;
	tmp = s->netns[1];
	s->netns[1] = s->netns[3];
	s->netns[3] = tmp;
	b = render_to_string(s, "dot", false, NULL);
	if (strcmp(a, b)) {
		FILE *f = fopen("/tmp/nsmap-test-det.dot", "we");

		if (f) {
			fputs(b, f);
			fclose(f);
		}
		fail_msg("DOT depends on the input order (see /tmp/nsmap-test-det.dot)");
	}
	free(a);
	free(b);
	nm_snapshot_free(s);
}

static void test_lo_and_linklocal_hidden(void **state)
{
	struct nm_snapshot *s = lab_snapshot();
	char *dot = render_to_string(s, "dot", false, NULL);
	char *all = render_to_string(s, "dot", true, NULL);

	(void)state;
	assert_null(strstr(dot, "\"net:4026531840/lo\""));
	assert_null(strstr(dot, "fe80::"));
	assert_null(strstr(dot, "127.0.0.1"));
	assert_non_null(strstr(all, "\"net:4026531840/lo\""));
	assert_non_null(strstr(all, "fe80::42:acff:fe11:2/64"));
	assert_non_null(strstr(all, "127.0.0.1/8"));
	free(dot);
	free(all);
	nm_snapshot_free(s);
}

static void test_down_looks_down(void **state)
{
	struct nm_snapshot *s = lab_snapshot();
	char *dot = render_to_string(s, "dot", false, NULL);
	const char *n = strstr(dot, "\"net:4026532500/veth0\"");
	const char *end;

	(void)state;
	assert_non_null(n);
	end = strchr(n, ']');
	assert_non_null(end);
	assert_non_null(memmem(n, end - n, "dashed", 6));
	free(dot);
	nm_snapshot_free(s);
}

static void test_svg_png_pdf(void **state)
{
	struct nm_snapshot *s = lab_snapshot();
	size_t len;
	char *svg = render_to_string(s, "svg", false, &len);
	char *png, *pdf;

	(void)state;
	assert_true(xmllint_ok(svg, len));
	assert_names(s, svg);
	assert_non_null(strstr(svg, "masquerade via eth0"));
	free(svg);
	png = render_to_string(s, "png", false, &len);
	assert_true(len > 1000);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	if (getenv("NSMAP_KEEP_PNG")) {
		FILE *f = fopen(getenv("NSMAP_KEEP_PNG"), "we");

		fwrite(png, 1, len, f);
		fclose(f);
	}
	free(png);
	pdf = render_to_string(s, "pdf", false, &len);
	assert_memory_equal(pdf, "%PDF-", 5);
	free(pdf);
	nm_snapshot_free(s);
}

static void test_nat_notes(void **state)
{
	struct nm_snapshot *s = lab_snapshot();
	struct render_nat_note *v;
	size_t n, i, in = 0, out = 0;

	(void)state;
	assert_int_equal(render_nat_notes(s, &v, &n), 0);
	for (i = 0; i < n; i++) {
		if (v[i].dir == RENDER_NAT_OUT) {
			out++;
			assert_string_equal(v[i].text, "172.17.0.0/16 → masquerade via eth0");
			assert_string_equal(v[i].ifname, "eth0");
		} else {
			in++;
			assert_string_equal(v[i].text, "tcp 0.0.0.0:8080 → web:80");
			assert_ptr_equal(v[i].target, &s->netns[1]);
		}
	}
	/* the DNAT rule and the engine's published port are the same thing: one note */
	assert_int_equal(out, 1);
	assert_int_equal(in, 1);
	render_nat_notes_free(v, n);
	nm_snapshot_free(s);
}

static void test_empty_snapshot(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	char *dot = render_to_string(s, "dot", false, NULL);
	char *svg;
	size_t len;

	(void)state;
	assert_non_null(strstr(dot, "digraph"));
	svg = render_to_string(s, "svg", false, &len);
	assert_true(xmllint_ok(svg, len));
	free(dot);
	free(svg);
	nm_snapshot_free(s);
}

static void fixture_golden(const char *json, const char *dotname, bool svg_too)
{
	char rel[256];
	const char *path;
	struct nm_snapshot *s = NULL;
	char err[256] = "";
	char *dot;
	int rc;

	snprintf(rel, sizeof(rel), "render/%s", json);
	path = th_fixture(rel);
	rc = snap_load(path, &s, err, sizeof(err));

	if (rc < 0)
		fail_msg("snap_load %s: %s", path, err);
	dot = render_to_string(s, "dot", false, NULL);
	golden(dotname, dot);
	assert_names(s, dot);
	free(dot);
	if (svg_too) {
		size_t len;
		char *svg = render_to_string(s, "svg", false, &len);

		assert_true(xmllint_ok(svg, len));
		assert_names(s, svg);
		free(svg);
	}
	nm_snapshot_free(s);
}

static void test_docker2_fixture(void **state)
{
	(void)state;
	fixture_golden("docker2.json", "docker2.dot", true);
}

static void test_docker200_fixture(void **state)
{
	(void)state;
	fixture_golden("docker200.json", "docker200.dot", true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_from_path),
		cmocka_unit_test(test_bad_format),
		cmocka_unit_test(test_lab_dot_golden),
		cmocka_unit_test(test_dot_deterministic),
		cmocka_unit_test(test_lo_and_linklocal_hidden),
		cmocka_unit_test(test_down_looks_down),
		cmocka_unit_test(test_svg_png_pdf),
		cmocka_unit_test(test_nat_notes),
		cmocka_unit_test(test_empty_snapshot),
		cmocka_unit_test(test_docker2_fixture),
		cmocka_unit_test(test_docker200_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
