/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_xt.c - xt match and target blobs built by hand: structure and text. */
#include "helpers.h"
#include "../../src/netfilter/nf.h"

static char *render(struct nf_ipt *ipt, struct nf_rule *r)
{
	memset(r, 0, sizeof(*r));
	nf_ipt_render(ipt, "X", r);
	return r->text;
}

/* Free the previous case's rule and view, start an empty view of family. */
static void xt_case(struct nf_ipt *ipt, struct nf_rule *r, uint8_t family)
{
	nf_rule_clear(r);
	nf_ipt_free(ipt);
	ipt->family = family;
}

/* struct xt_statistic_info: mode, flags, u.{probability | every, packet, count}, pointer */
static void statistic_blob(uint8_t *b, uint16_t mode, uint16_t flags, uint32_t a, uint32_t p)
{
	memset(b, 0, 24);
	memcpy(b, &mode, 2);
	memcpy(b + 2, &flags, 2);
	memcpy(b + 4, &a, 4);
	memcpy(b + 8, &p, 4);
}

static void test_statistic(void **state)
{
	struct nf_ipt ipt = { 0 };
	struct nf_rule r = { 0 };
	uint8_t b[24];

	(void)state;
	/* random 0.25: the kernel's u32 is 0.25 * 2^31 */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	statistic_blob(b, 0, 0, 0x20000000u, 0);
	nf_ipt_add_item(&ipt, "statistic", 0, b, 24);
	assert_string_equal(render(&ipt, &r),
			    "-A X -m statistic --mode random --probability 0.25000000000");
	assert_false(r.unsupported);
	assert_int_equal(r.n_matches, 1);
	assert_int_equal(r.matches[0].kind, NF_MATCH_STATISTIC);
	assert_false(r.matches[0].stat_nth);
	assert_false(r.matches[0].invert);
	assert_int_equal(r.matches[0].value, 0x20000000u);

	/* inverted random */
	xt_case(&ipt, &r, NF_FAMILY_IP6);
	statistic_blob(b, 0, 1, 0x2aaaaaabu, 0);
	nf_ipt_add_item(&ipt, "statistic", 0, b, 24);
	assert_string_equal(render(&ipt, &r),
			    "-A X -m statistic --mode random ! --probability 0.33333333349");
	assert_true(r.matches[0].invert);

	/* nth: every 3 is stored as 2 */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	statistic_blob(b, 1, 0, 2, 1);
	nf_ipt_add_item(&ipt, "statistic", 0, b, 24);
	assert_string_equal(render(&ipt, &r), "-A X -m statistic --mode nth --every 3 --packet 1");
	assert_true(r.matches[0].stat_nth);
	assert_int_equal(r.matches[0].stat_every, 3);
	assert_int_equal(r.matches[0].stat_packet, 1);
	assert_false(r.matches[0].invert);

	/* nth, packet 0 is not printed */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	statistic_blob(b, 1, 1, 1, 0);
	nf_ipt_add_item(&ipt, "statistic", 0, b, 24);
	assert_string_equal(render(&ipt, &r), "-A X -m statistic --mode nth ! --every 2");
	assert_true(r.matches[0].invert);

	/* unknown mode, wrong length: unsupported, raw kept */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	statistic_blob(b, 7, 0, 1, 0);
	nf_ipt_add_item(&ipt, "statistic", 0, b, 24);
	render(&ipt, &r);
	assert_true(r.unsupported);
	assert_int_equal(r.matches[0].kind, NF_MATCH_UNSUPPORTED);
	assert_non_null(r.matches[0].raw);
	xt_case(&ipt, &r, NF_FAMILY_IP);
	nf_ipt_add_item(&ipt, "statistic", 0, b, 16);
	render(&ipt, &r);
	assert_true(r.unsupported);
	assert_int_equal(r.matches[0].kind, NF_MATCH_UNSUPPORTED);
	nf_rule_clear(&r);
	nf_ipt_free(&ipt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statistic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
