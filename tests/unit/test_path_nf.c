/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_path_nf.c - netfilter evaluation: base chain order, jumps, gotos, returns, policies, NAT and ct state. */
#include "helpers.h"
#include "path.h"
#include "fixture_blog.h"

static struct nf_pkt pkt(const char *src, const char *dst, const char *iif, const char *oif,
			   uint32_t ct)
{
	struct nf_pkt p = { 0 };

	p.src = th_ip(src);
	p.dst = th_ip(dst);
	p.proto = PATH_PROTO_ICMP;
	p.iif = iif;
	p.oif = oif;
	p.ct_state = ct;
	return p;
}

/* FORWARD (drop) -> jump A; A: -s 10.0.0.2 RETURN, goto B; B: -i br0 ACCEPT. */
static struct nm_netns *build(struct nm_snapshot *s)
{
	struct nm_netns *ns = fx_ns(s, "fw", 200);
	struct nf_table *t = fx_table(ns, NF_FAMILY_IP, "filter", NF_BACKEND_IPTABLES_NFT);
	struct nf_chain *fw = fx_chain(t, "FORWARD", NF_HOOK_FORWARD, 0, "filter", NF_POLICY_DROP);
	struct nf_chain *a = fx_chain(t, "A", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_chain *b = fx_chain(t, "B", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_chain *c = fx_chain(t, "C", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_chain *d = fx_chain(t, "D", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_rule *r;

	fx_rule(fw, "-A FORWARD -j A", NF_ACT_JUMP, "A");
	r = fx_rule(fw, "-A FORWARD -s 10.0.0.3 -j ACCEPT", NF_ACT_ACCEPT, NULL);
	fx_m_addr(r, NF_MATCH_SADDR, "10.0.0.3/32");
	r = fx_rule(a, "-A A -s 10.0.0.2 -j RETURN", NF_ACT_RETURN, NULL);
	fx_m_addr(r, NF_MATCH_SADDR, "10.0.0.2/32");
	r = fx_rule(a, "-A A -s 10.0.0.3 -j C", NF_ACT_JUMP, "C");
	fx_m_addr(r, NF_MATCH_SADDR, "10.0.0.3/32");
	fx_rule(a, "-A A -g B", NF_ACT_GOTO, "B");
	r = fx_rule(b, "-A B -i br0 -j ACCEPT", NF_ACT_ACCEPT, NULL);
	fx_m_if(r, NF_MATCH_IIF, "br0");
	/* C gotos D, which falls off its end: that returns from C, to A after the jump. */
	fx_rule(c, "-A C -g D", NF_ACT_GOTO, "D");
	(void)d;
	return ns;
}

static void test_jump_return_goto(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *ns = build(s);
	struct nf_eval_res res;
	struct nf_pkt p;

	(void)state;
	/* 10.0.0.1 from br0: A -> goto B -> ACCEPT. */
	p = pkt("10.0.0.1", "203.0.113.8", "br0", "eth0", NF_CT_NEW);
	assert_int_equal(nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res), 0);
	assert_int_equal(res.verdict, NF_EVAL_ACCEPT);
	assert_non_null(res.rule);
	assert_string_equal(res.rule->text, "-A B -i br0 -j ACCEPT");
	/* 10.0.0.1 from eth0: B falls off its end; a goto returns to FORWARD: policy DROP. */
	p = pkt("10.0.0.1", "203.0.113.8", "eth0", "br0", NF_CT_NEW);
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_DROP);
	assert_true(res.by_policy);
	/* 10.0.0.2: RETURN from A, then the policy. */
	p = pkt("10.0.0.2", "203.0.113.8", "br0", "eth0", NF_CT_NEW);
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_DROP);
	/* 10.0.0.3 (from eth0): A jumps to C, C gotos D, D ends: back in A after the jump,
	 * goto B does not accept eth0, back in FORWARD: -s 10.0.0.3 ACCEPT. */
	p = pkt("10.0.0.3", "203.0.113.8", "eth0", "br0", NF_CT_NEW);
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_ACCEPT);
	assert_string_equal(res.rule->text, "-A FORWARD -s 10.0.0.3 -j ACCEPT");
	nm_snapshot_free(s);
}

static void test_base_chain_priority(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *ns = fx_ns(s, "fw", 201);
	struct nf_table *t1 = fx_table(ns, NF_FAMILY_INET, "late", NF_BACKEND_NFT);
	struct nf_table *t2 = fx_table(ns, NF_FAMILY_IP, "early", NF_BACKEND_NFT);
	struct nf_chain *late = fx_chain(t1, "fwd", NF_HOOK_FORWARD, 10, "filter", NF_POLICY_ACCEPT);
	struct nf_chain *early = fx_chain(t2, "fwd", NF_HOOK_FORWARD, -10, "filter", NF_POLICY_ACCEPT);
	struct nf_eval_res res;
	struct nf_pkt p = pkt("10.0.0.1", "203.0.113.8", "br0", "eth0", NF_CT_NEW);

	(void)state;
	/* An accept in an early chain does not skip a later chain's drop. */
	fx_rule(early, "accept", NF_ACT_ACCEPT, NULL);
	fx_rule(late, "drop", NF_ACT_DROP, NULL);
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_DROP);
	assert_int_equal(res.n_chains, 2);
	assert_string_equal(res.table->name, "late");
	nm_snapshot_free(s);
}

static void test_nat_only_new(void **state)
{
	struct nm_snapshot *s = fx_blog(0);
	struct nm_netns *host = &s->netns[0];
	struct nf_eval_res res;
	struct nf_pkt p = pkt("10.0.0.1", "203.0.113.8", "br0", "eth0", NF_CT_NEW);
	char *d;

	(void)state;
	nf_eval_hook(host->netfilter, NF_FAMILY_IP, NF_HOOK_POSTROUTING, &p, host, &res);
	assert_int_equal(res.nat, NF_ACT_MASQUERADE);
	d = nf_eval_describe(&res);
	assert_non_null(strstr(d, "MASQUERADE"));
	free(d);
	p.ct_state = NF_CT_ESTABLISHED;
	nf_eval_hook(host->netfilter, NF_FAMILY_IP, NF_HOOK_POSTROUTING, &p, host, &res);
	assert_int_equal(res.nat, NF_ACT_CONTINUE);
	/* ct state: the return rule only accepts ESTABLISHED. */
	p = pkt("203.0.113.8", "10.0.0.1", "eth0", "br0", NF_CT_NEW);
	nf_eval_hook(host->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, host, &res);
	assert_int_equal(res.verdict, NF_EVAL_DROP);
	p.ct_state = NF_CT_ESTABLISHED;
	nf_eval_hook(host->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, host, &res);
	assert_int_equal(res.verdict, NF_EVAL_ACCEPT);
	nm_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jump_return_goto),
		cmocka_unit_test(test_base_chain_priority),
		cmocka_unit_test(test_nat_only_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
