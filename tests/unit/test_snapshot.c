/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_snapshot.c - model, selection, labels and the JSON snapshot on recorded fixtures (no root). */
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>

#include "helpers.h"

#include "snapshot.h"
#include "text.h"

static struct nm_snapshot *load_blog(void)
{
	struct nm_snapshot *s = NULL;
	char err[256];

	assert_int_equal(snap_load(th_fixture("blog.json"), &s, err, sizeof(err)), 0);
	assert_non_null(s);
	return s;
}

static void test_roundtrip_byte_identical(void **state)
{
	struct nm_snapshot *s = load_blog();
	char *orig = th_slurp_fixture("blog.json", NULL);
	char *again = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&again, &len);

	(void)state;
	assert_int_equal(snap_write(s, m), 0);
	fclose(m);
	assert_string_equal(again, orig);
	free(again);
	free(orig);
	nm_snapshot_free(s);
}

static void test_veth_pairing(void **state)
{
	struct nm_snapshot *s = load_blog();
	size_t i, j, pairs = 0;

	(void)state;
	/* every resolved peer points back at us: the pairing is symmetric */
	for (i = 0; i < s->n_netns; i++) {
		for (j = 0; j < s->netns[i].n_links; j++) {
			const struct nm_link *l = &s->netns[i].links[j];
			const struct nm_netns *pns;
			const struct nm_link *pl;

			if (!l->peer.present)
				continue;
			assert_true(l->peer.resolved);
			pns = nm_find_netns(s, l->peer.netns);
			assert_non_null(pns);
			pl = nm_find_link(pns, l->peer.ifname);
			assert_non_null(pl);
			assert_int_equal(pl->ifindex, l->peer.ifindex);
			assert_string_equal(pl->peer.netns, s->netns[i].id);
			assert_string_equal(pl->peer.ifname, l->ifname);
			pairs++;
		}
	}
	assert_int_equal(pairs, 6);	/* 3 veth pairs, seen from both ends */
	nm_snapshot_free(s);
}

static void test_bridge_ports(void **state)
{
	struct nm_snapshot *s = load_blog();
	char *bad = NULL;
	const struct nm_netns *host;
	const struct nm_link *br, *p1, *p2;

	(void)state;
	assert_int_equal(nm_snapshot_select(s, "blog-host", &bad), 0);
	assert_int_equal(s->n_netns, 1);
	host = &s->netns[0];
	br = nm_find_link(host, "br0");
	p1 = nm_find_link(host, "veth1-br");
	p2 = nm_find_link(host, "veth2-br");
	assert_non_null(br);
	assert_string_equal(br->kind, "bridge");
	assert_string_equal(p1->master, "br0");
	assert_int_equal(p2->master_ifindex, br->ifindex);
	/* the peer's label survives the selection that dropped its namespace */
	assert_string_equal(p1->peer.label, "blog-ns1");
	nm_snapshot_free(s);
}

static void test_select_patterns(void **state)
{
	struct nm_snapshot *s = load_blog();
	char *bad = NULL;
	char ino[32];

	(void)state;
	assert_int_equal(nm_snapshot_select(s, "blog-ns*,blog-inet", &bad), 0);
	assert_int_equal(s->n_netns, 3);
	snprintf(ino, sizeof(ino), "%llu", (unsigned long long)s->netns[0].ino);
	assert_int_equal(nm_snapshot_select(s, ino, &bad), 0);
	assert_int_equal(s->n_netns, 1);
	assert_int_equal(nm_snapshot_select(s, "nosuch*", &bad), -ENOENT);
	assert_string_equal(bad, "nosuch*");
	free(bad);
	assert_int_equal(s->n_netns, 1);	/* a failed selection changes nothing */
	nm_snapshot_free(s);
}

static void test_labels(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *a, *b, *c, *d;

	(void)state;
	a = NM_PUSH(s->netns, s->n_netns);
	a->ino = 1;
	a->self = true;
	b = NM_PUSH(s->netns, s->n_netns);
	b->ino = 2;
	nm_strv_push(&b->names, &b->n_names, "ns1");
	c = NM_PUSH(s->netns, s->n_netns);
	c->ino = 3;
	NM_PUSH(c->procs, c->n_procs)->pid = 42;
	c->procs[0].comm = nm_xstrdup("sleep");
	d = NM_PUSH(s->netns, s->n_netns);
	d->ino = 4;
	d->container = nm_xcalloc(1, sizeof(*d->container));
	d->container->name = nm_xstrdup("web");
	nm_strv_push(&d->names, &d->n_names, "ignored-name");
	nm_snapshot_label(s);
	assert_string_equal(s->netns[0].label, "host");
	assert_string_equal(s->netns[1].label, "ns1");
	assert_string_equal(s->netns[2].label, "sleep[42]");
	assert_string_equal(s->netns[3].label, "web");
	assert_string_equal(s->netns[2].id, "net:3");
	/* duplicates become unique */
	nm_strv_push(&s->netns[2].names, &s->netns[2].n_names, "ns1");
	nm_snapshot_label(s);
	assert_string_equal(s->netns[1].label, "ns1");
	assert_string_equal(s->netns[2].label, "ns1#3");
	/* a renamed label that meets an existing one is renamed again */
	nm_strv_push(&s->netns[0].names, &s->netns[0].n_names, "ns1#3");
	nm_snapshot_label(s);
	assert_string_equal(s->netns[0].label, "ns1#3");
	assert_string_equal(s->netns[1].label, "ns1");
	assert_string_equal(s->netns[2].label, "ns1#3#3");
	nm_snapshot_free(s);
}

static void test_ip_helpers(void **state)
{
	struct nm_ip a, p;
	char buf[64];

	(void)state;
	assert_int_equal(nm_ip_parse("10.0.0.1", &a), 0);
	assert_int_equal(a.plen, 32);
	assert_int_equal(nm_ip_parse("10.0.0.0/24", &p), 0);
	assert_true(nm_ip_in_prefix(&a, &p));
	assert_int_equal(nm_ip_parse("10.0.2.0/23", &p), 0);
	assert_false(nm_ip_in_prefix(&a, &p));
	assert_int_equal(nm_ip_parse("default", &p), 0);
	assert_true(nm_ip_in_prefix(&a, &p));
	assert_int_equal(nm_ip_parse("fd00::1/64", &a), 0);
	assert_string_equal(nm_ip_str(&a, buf, sizeof(buf), true), "fd00::1/64");
	assert_int_equal(nm_ip_parse("10.0.0.1/33", &a), -EINVAL);
	assert_int_equal(nm_ip_parse("10.0.0.1/", &a), -EINVAL);
	assert_int_equal(nm_ip_parse("nonsense", &a), -EINVAL);
	assert_int_equal(nm_ip_parse("1.2.3.4/x", &a), -EINVAL);
}

static void expect_load_error(const char *text, const char *needle)
{
	char path[] = "/tmp/nsmap-test-XXXXXX";
	struct nm_snapshot *s = NULL;
	char err[512] = "";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_true(snap_load(path, &s, err, sizeof(err)) < 0);
	assert_null(s);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	unlink(path);
}

static void test_malformed(void **state)
{
	char *orig = th_slurp_fixture("blog.json", NULL);
	char *trunc;

	(void)state;
	expect_load_error("", "empty");
	expect_load_error("not json", "not valid JSON");
	expect_load_error("[]", "expected a JSON object");
	expect_load_error("{\"schema\": \"other/9\", \"namespaces\": []}", "unsupported schema");
	expect_load_error("{\"namespaces\": []}", "missing \"schema\"");
	expect_load_error("{\"schema\": \"nsmap.snapshot/1\"}", "missing \"namespaces\"");
	expect_load_error("{\"schema\": \"nsmap.snapshot/1\", \"namespaces\": [1]}", "namespaces[0]");
	expect_load_error("{\"schema\": \"nsmap.snapshot/1\", \"namespaces\": [{\"id\": 5}]}",
			  "namespaces[0].id: expected a string");
	expect_load_error("{\"schema\": \"nsmap.snapshot/1\", \"namespaces\": {}}", "expected an array");
	/* truncated anywhere: never a crash, always an error */
	for (size_t cut = 1; cut < strlen(orig); cut += 97) {
		trunc = strndup(orig, cut);
		expect_load_error(trunc, "JSON");
		free(trunc);
	}
	free(orig);
}

static void test_wrong_types_everywhere(void **state)
{
	json_error_t je;
	json_t *root = json_load_file(th_fixture("blog.json"), 0, &je);
	json_t *ns, *link;
	struct nm_snapshot *s = NULL;
	char err[256];
	const char *keys[] = { "ifindex", "ifname", "kind", "state", "flags", "mtu", "addrs" };
	size_t i;

	(void)state;
	assert_non_null(root);
	ns = json_array_get(json_object_get(root, "namespaces"), 0);
	link = json_array_get(json_object_get(ns, "links"), 0);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		json_t *saved = json_deep_copy(json_object_get(link, keys[i]));

		json_object_set_new(link, keys[i], json_real(1.5));
		assert_int_equal(snap_from_json(root, &s, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, keys[i]));
		json_object_set_new(link, keys[i], saved);
	}
	json_object_set_new(link, "mtu", json_integer(-5));
	assert_int_equal(snap_from_json(root, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "out of range"));
	json_decref(root);
}

/* The firewall section is as strict as the rest: wrong types are errors, not defaults. */
static void test_netfilter_strict(void **state)
{
	static const struct {
		const char *key, *needle;
	} cases[] = {
		{ "priority", "netfilter.tables[0].chains[0].priority: expected an integer" },
		{ "hook", "no valid \"hook\"" },
		{ "policy", "unknown \"policy\"" },
		{ "base", "netfilter.tables[0].chains[0].base: expected true or false" },
	};
	json_error_t je;
	json_t *root = json_load_file(th_fixture("blog.json"), 0, &je);
	struct nm_snapshot *s = NULL;
	char err[256];
	size_t i, n;

	(void)state;
	assert_non_null(root);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *nss = json_object_get(root, "namespaces"), *chain = NULL, *saved;
		json_t *ns;

		/* the first namespace with a base chain */
		json_array_foreach(nss, n, ns) {
			json_t *tables = json_object_get(json_object_get(ns, "netfilter"), "tables");

			if (json_array_size(tables)) {
				chain = json_array_get(json_object_get(json_array_get(tables, 0), "chains"), 0);
				break;
			}
		}
		assert_non_null(chain);
		saved = json_deep_copy(json_object_get(chain, cases[i].key));
		json_object_set_new(chain, cases[i].key, json_real(2.5));
		assert_int_equal(snap_from_json(root, &s, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].needle))
			fail_msg("error \"%s\" does not mention %s", err, cases[i].needle);
		assert_non_null(strstr(err, ".netfilter."));
		json_object_set_new(chain, cases[i].key, saved);
	}
	assert_int_equal(snap_from_json(root, &s, err, sizeof(err)), 0);
	nm_snapshot_free(s);
	json_decref(root);
}

static void test_text_view(void **state)
{
	struct nm_snapshot *s = load_blog();
	struct text_opts o = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	(void)state;
	text_snapshot(m, s, &o);
	fclose(m);
	assert_non_null(strstr(out, "blog-host"));
	assert_non_null(strstr(out, "⇄ blog-ns1:veth1"));
	assert_non_null(strstr(out, "├─ veth1-br"));
	assert_non_null(strstr(out, "default via 10.0.0.254 dev veth1"));
	assert_non_null(strstr(out, "ip_forward=1"));
	assert_null(strstr(out, "\033["));	/* no colour unless asked */
	free(out);
	nm_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_byte_identical),
		cmocka_unit_test(test_veth_pairing),
		cmocka_unit_test(test_bridge_ports),
		cmocka_unit_test(test_select_patterns),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_ip_helpers),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_wrong_types_everywhere),
		cmocka_unit_test(test_netfilter_strict),
		cmocka_unit_test(test_text_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
