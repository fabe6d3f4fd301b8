/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_xt.c - xt match and target blobs built by hand: structure and text. */
#include <arpa/inet.h>
#include <unistd.h>

#include "helpers.h"
#include "../../src/netfilter/nf.h"
#include "xt_helpers.h"


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

	/* nth, packet 0 is printed too (save() always prints it) */
	xt_case(&ipt, &r, NF_FAMILY_IP);
	statistic_blob(b, 1, 1, 1, 0);
	nf_ipt_add_item(&ipt, "statistic", 0, b, 24);
	assert_string_equal(render(&ipt, &r), "-A X -m statistic --mode nth ! --every 2 --packet 0");
	assert_false(r.unsupported);
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


/* ---- libxtables' own printers ---- */

static void expect_save(uint8_t family, bool target, const char *name, uint8_t rev,
			const void *info, size_t len, uint16_t proto, const char *want)
{
	char *t = nf_xt_save(family, target, name, rev, info, len, proto, false);

	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

static void test_save_matches(void **state)
{
	uint8_t b[256];
	uint16_t u;
	uint32_t w;

	(void)state;
	statistic_blob(b, 0, 0, 0x20000000u, 0);
	expect_save(NF_FAMILY_IP, false, "statistic", 0, b, 24, 0,
		    " -m statistic --mode random --probability 0.25000000000");

	/* conntrack rev 3: state_mask at 146, invert 148, state 150; STATE_ALIAS flag -> state */
	memset(b, 0, sizeof(b));
	u = 1;
	memcpy(b + 146, &u, 2);
	u = 0x6;	/* RELATED | ESTABLISHED */
	memcpy(b + 150, &u, 2);
	expect_save(NF_FAMILY_IP, false, "conntrack", 3, b, 168, 0,
		    " -m conntrack --ctstate RELATED,ESTABLISHED");
	expect_save(NF_FAMILY_IP6, false, "conntrack", 3, b, 168, 0,
		    " -m conntrack --ctstate RELATED,ESTABLISHED");

	/* multiport rev 1: flags 0 (source), count 1 at 1, ports at 2, pflags at 32, invert 47 */
	memset(b, 0, sizeof(b));
	b[0] = 1;	/* XT_MULTIPORT_DESTINATION */
	b[1] = 3;
	u = 80;
	memcpy(b + 2, &u, 2);
	u = 443;
	memcpy(b + 4, &u, 2);
	u = 8000;
	memcpy(b + 6, &u, 2);
	u = 8080;
	memcpy(b + 8, &u, 2);
	b[32 + 2] = 1;	/* 8000:8080 */
	b[1] = 4;
	expect_save(NF_FAMILY_IP, false, "multiport", 1, b, 48, 6,
		    " -m multiport --dports 80,443,8000:8080");

	/* comment with quotes */
	memset(b, 0, sizeof(b));
	strcpy((char *)b, "say \"hi\"");
	expect_save(NF_FAMILY_IP, false, "comment", 0, b, 256, 0,
		    " -m comment --comment \"say \\\"hi\\\"\"");

	/* mark rev 1 */
	memset(b, 0, sizeof(b));
	w = 0x4000;
	memcpy(b, &w, 4);
	memcpy(b + 4, &w, 4);
	expect_save(NF_FAMILY_IP, false, "mark", 1, b, 16, 0, " -m mark --mark 0x4000/0x4000");
}

static void test_save_targets(void **state)
{
	uint8_t b[64];
	uint32_t w;
	uint16_t u;

	(void)state;
	/* DNAT rev 2 (struct nf_nat_range2): flags, min_addr, max_addr, min_proto, max_proto,
	 * base_proto */
	memset(b, 0, sizeof(b));
	w = 1 | 2;	/* MAP_IPS | PROTO_SPECIFIED */
	memcpy(b, &w, 4);
	memcpy(b + 4, "\x0a\x58\x00\x05", 4);
	memcpy(b + 20, "\x0a\x58\x00\x05", 4);
	u = htons(80);
	memcpy(b + 36, &u, 2);
	memcpy(b + 38, &u, 2);
	expect_save(NF_FAMILY_IP, true, "DNAT", 2, b, 48, 6,
		    " -j DNAT --to-destination 10.88.0.5:80");

	/* MASQUERADE rev 0 (nf_nat_ipv4_multi_range_compat) with --random-fully */
	memset(b, 0, sizeof(b));
	w = 1;		/* rangesize */
	memcpy(b, &w, 4);
	w = 0x10;	/* NF_NAT_RANGE_PROTO_RANDOM_FULLY */
	memcpy(b + 4, &w, 4);
	expect_save(NF_FAMILY_IP, true, "MASQUERADE", 0, b, 24, 0,
		    " -j MASQUERADE --random-fully");
}

static void test_save_refuses(void **state)
{
	uint8_t b[256] = { 0 };
	char *t;

	(void)state;
	/* wrong length never reaches save() */
	assert_null(nf_xt_save(NF_FAMILY_IP, false, "conntrack", 3, b, 100, 0, false));
	assert_null(nf_xt_save(NF_FAMILY_IP, false, "comment", 0, b, 255, 0, false));
	assert_null(nf_xt_save(NF_FAMILY_IP, true, "DNAT", 2, b, 8, 0, false));
	/* unknown name, unknown revision */
	assert_null(nf_xt_save(NF_FAMILY_IP, false, "nosuchmatch", 0, b, 8, 0, false));
	assert_null(nf_xt_save(NF_FAMILY_IP, true, "NOSUCHTARGET", 0, b, 8, 0, false));
	assert_null(nf_xt_save(NF_FAMILY_IP, false, "conntrack", 77, b, 168, 0, false));
	assert_null(nf_xt_save(NF_FAMILY_IP, false, "", 0, b, 8, 0, false));
	/* stdout still works afterwards: write through it into a file and read it back */
	{
		char path[] = "/tmp/test_xt_XXXXXX";
		int fd = mkstemp(path), saved = dup(1);
		char got[32] = { 0 };
		FILE *f;

		assert_true(fd >= 0);
		fflush(stdout);
		dup2(fd, 1);
		t = nf_xt_save(NF_FAMILY_IP, false, "mark", 1, b, 16, 0, false);
		assert_non_null(t);
		free(t);
		printf("still here\n");
		fflush(stdout);
		dup2(saved, 1);
		close(saved);
		close(fd);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(got, sizeof(got), f));
		fclose(f);
		unlink(path);
		assert_string_equal(got, "still here\n");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statistic),
		cmocka_unit_test(test_save_matches),
		cmocka_unit_test(test_save_targets),
		cmocka_unit_test(test_save_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
