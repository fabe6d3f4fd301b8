/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_diag.c - the cause registry: stable codes, template expansion, de-duplication. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diagnose.h"
#include "model.h"

/* DESIGN.md's list: extend, never rename. */
static const char *const design_codes[] = {
	"LINK_DOWN", "NO_ADDRESS", "NO_ROUTE", "GATEWAY_UNREACHABLE", "NOT_ON_BRIDGE",
	"PEER_MISSING", "FORWARDING_DISABLED", "FORWARD_DROP", "INPUT_DROP", "OUTPUT_DROP",
	"NO_SNAT", "RETURN_DROPPED", "RP_FILTER", "STALE_CONNTRACK", "UPSTREAM_NO_REPLY",
};

static void test_registry_has_design_codes(void **state)
{
	enum diag_id id;
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(design_codes); i++)
		assert_non_null(diag_find(design_codes[i], NULL));
	/* every id has its entry, found again by its text code */
	for (i = 0; i < DIAG_COUNT; i++) {
		const struct diag_code *c = diag_code((enum diag_id)i);

		assert_non_null(c);
		assert_non_null(c->message);
		assert_non_null(c->fix);
		assert_ptr_equal(diag_find(c->code, &id), c);
		assert_int_equal(id, i);
		for (j = i + 1; j < DIAG_COUNT; j++)
			assert_string_not_equal(c->code, diag_code((enum diag_id)j)->code);
	}
	assert_null(diag_find("NO_SUCH_CODE", NULL));
	assert_null(diag_code(DIAG_COUNT));
}

static void test_expand(void **state)
{
	struct diag_kv kv[] = { { "ns", "ns1" }, { "exec", "ip netns exec ns1 " }, { "gw", "10.0.0.254" } };
	char *s;

	(void)state;
	s = diag_expand("%{exec}ip route add default via %{gw}", kv, 3);
	assert_string_equal(s, "ip netns exec ns1 ip route add default via 10.0.0.254");
	free(s);
	s = diag_expand("%{missing} and %{ns}%", kv, 3);
	assert_string_equal(s, "<missing> and ns1%");
	free(s);
	s = diag_expand("unterminated %{ns", kv, 3);
	assert_string_equal(s, "unterminated %{ns");
	free(s);
}

static void test_add_dedup(void **state)
{
	struct diag_cause *v = NULL;
	size_t n = 0, i;
	struct diag_kv kv[] = { { "ns", "host" }, { "exec", "" }, { "sysctl", "net.ipv4.ip_forward" },
				{ "value", "0" } };

	(void)state;
	assert_non_null(diag_add(&v, &n, DIAG_FORWARDING_DISABLED, "host", "net.ipv4.ip_forward = 0", kv, 4));
	assert_null(diag_add(&v, &n, DIAG_FORWARDING_DISABLED, "host", "again", kv, 4));
	assert_null(diag_add(&v, &n, DIAG_COUNT, "host", "", kv, 4));
	assert_int_equal(n, 1);
	assert_string_equal(v[0].fix, "sysctl -w net.ipv4.ip_forward=1");
	assert_string_equal(v[0].message,
			    "host does not forward packets between interfaces: net.ipv4.ip_forward = 0.");
	for (i = 0; i < n; i++)
		diag_cause_clear(&v[i]);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_has_design_codes),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_add_dedup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
