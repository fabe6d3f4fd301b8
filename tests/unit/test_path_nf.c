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

/* "-f" holds for non-first fragments: a probe never is one, "! -f" always holds for it. */
static void test_fragment(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *ns = fx_ns(s, "fw", 202);
	struct nf_table *t = fx_table(ns, NF_FAMILY_IP, "filter", NF_BACKEND_IPTABLES_NFT);
	struct nf_chain *fw = fx_chain(t, "FORWARD", NF_HOOK_FORWARD, 0, "filter", NF_POLICY_DROP);
	struct nf_eval_res res;
	struct nf_pkt p = pkt("10.0.0.1", "203.0.113.8", "br0", "eth0", NF_CT_NEW);
	struct nf_rule *r;

	(void)state;
	r = fx_rule(fw, "-A FORWARD -f -j ACCEPT", NF_ACT_ACCEPT, NULL);
	fx_match(r, NF_MATCH_FRAGMENT);
	r = fx_rule(fw, "-A FORWARD ! -f -j REJECT", NF_ACT_REJECT, NULL);
	fx_match(r, NF_MATCH_FRAGMENT)->invert = true;
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_DROP);
	assert_false(res.by_policy);
	assert_string_equal(res.rule->text, "-A FORWARD ! -f -j REJECT");
	assert_int_equal(res.n_unknown, 0);
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

/* FORWARD (policy drop): [-m limit -j ACCEPT, unsupported], then -i br0 -j ACCEPT or not. */
static struct nm_netns *build_unknown(struct nm_snapshot *s, bool then_accept, bool proven)
{
	struct nm_netns *ns = fx_ns(s, "fw", 201);
	struct nf_table *t = fx_table(ns, NF_FAMILY_IP, "filter", NF_BACKEND_IPTABLES_NFT);
	struct nf_chain *fw = fx_chain(t, "FORWARD", NF_HOOK_FORWARD, 0, "filter", NF_POLICY_DROP);
	struct nf_rule *r;
	struct nf_match *m;

	r = fx_rule(fw, "-A FORWARD -p tcp -m limit --limit 1/hour -j ACCEPT", NF_ACT_ACCEPT, NULL);
	m = fx_match(r, NF_MATCH_L4PROTO);
	m->proto = 6;
	fx_match(r, NF_MATCH_UNSUPPORTED)->text = nm_xstrdup("-m limit --limit 1/hour");
	r->unsupported = true;
	r->why = nm_xstrdup("limit: not modelled");
	if (!proven)
		r->decoded = nm_xstrdup("-A FORWARD -p udp -j ACCEPT");
	r = fx_rule(fw, "-A FORWARD -m comment --comment x", NF_ACT_CONTINUE, NULL);
	r->unsupported = true;	/* does nothing when it matches: never branched on */
	if (then_accept) {
		r = fx_rule(fw, "-A FORWARD -i br0 -j ACCEPT", NF_ACT_ACCEPT, NULL);
		fx_m_if(r, NF_MATCH_IIF, "br0");
	}
	return ns;
}

static void test_unknown_rule_both_ways(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *ns = build_unknown(s, false, true);
	struct nf_eval_res res;
	struct nf_pkt p = pkt("10.0.0.1", "203.0.113.8", "br0", "eth0", NF_CT_NEW);

	(void)state;
	/* tcp: the limit rule decides (accept) or not (policy drop): undetermined, named */
	p.proto = 6;
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_UNKNOWN);
	assert_non_null(res.unknown_rule);
	assert_string_equal(res.unknown_rule->why, "limit: not modelled");
	/* icmp: the proven part (-p tcp) fails, the rule cannot match: determined drop */
	p.proto = 1;
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_DROP);
	assert_true(res.by_policy);
	assert_int_equal(res.n_unknown, 0);
	nm_snapshot_free(s);

	/* not proven (decoded differs): even its -p tcp is not trusted */
	s = nm_snapshot_new();
	ns = build_unknown(s, false, false);
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_UNKNOWN);
	nm_snapshot_free(s);

	/* both ways end in ACCEPT: determined, and it says one rule was followed both ways */
	s = nm_snapshot_new();
	ns = build_unknown(s, true, true);
	p.proto = 6;
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_ACCEPT);
	assert_int_equal(res.n_unknown, 1);
	assert_int_equal(res.n_alts, 0);
	nm_snapshot_free(s);
}

/* kube-proxy: KUBE-SVC picks one of three KUBE-SEP chains, each DNATs to its endpoint. */
static struct nm_netns *build_service(struct nm_snapshot *s)
{
	static const char *const ep[] = { "10.244.1.5", "10.244.2.6", "10.244.3.7" };
	static const uint32_t prob[] = { 0x2aaaaaab, 0x40000000 };	/* 0.3333.., 0.5 */
	struct nm_netns *ns = fx_ns(s, "node", 202);
	struct nf_table *t = fx_table(ns, NF_FAMILY_IP, "nat", NF_BACKEND_IPTABLES_NFT);
	struct nf_chain *pre = fx_chain(t, "PREROUTING", NF_HOOK_PREROUTING, -100, "nat",
					NF_POLICY_ACCEPT);
	struct nf_chain *svc = fx_chain(t, "KUBE-SVC-X", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_rule *r;
	size_t i;

	r = fx_rule(pre, "-A PREROUTING -d 10.96.0.10/32 -j KUBE-SVC-X", NF_ACT_JUMP, "KUBE-SVC-X");
	fx_m_addr(r, NF_MATCH_DADDR, "10.96.0.10/32");
	for (i = 0; i < 3; i++) {
		char name[32], text[96];
		struct nf_chain *sep;

		snprintf(name, sizeof(name), "KUBE-SEP-%zu", i);
		sep = fx_chain(t, name, NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
		snprintf(text, sizeof(text), "-A %s -p tcp -j DNAT --to-destination %s:8080", name,
			 ep[i]);
		r = fx_rule(sep, text, NF_ACT_DNAT, NULL);
		r->action.addr_min = th_ip(ep[i]);
		r->action.port_min = 8080;
		snprintf(text, sizeof(text), "-A KUBE-SVC-X -j %s", name);
		r = fx_rule(svc, text, NF_ACT_JUMP, name);
		if (i < 2)
			fx_match(r, NF_MATCH_STATISTIC)->value = prob[i];
	}
	return ns;
}

static void test_statistic_branches(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *ns = build_service(s);
	struct nf_eval_res res;
	struct nf_pkt p = pkt("10.0.0.1", "10.96.0.10", "eth0", NULL, NF_CT_NEW);
	char a[64];
	size_t i;

	(void)state;
	p.proto = 6;
	p.dport = 80;
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_PREROUTING, &p, ns, &res);
	assert_int_equal(res.verdict, NF_EVAL_ACCEPT);
	assert_int_equal(res.n_alts, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(res.alts[i].nat, NF_ACT_DNAT);
		assert_int_equal(res.alts[i].nat_port, 8080);
		assert_true(res.alts[i].weight > 1.0 / 3 - 1e-6);
		assert_true(res.alts[i].weight < 1.0 / 3 + 1e-6);
	}
	assert_string_equal(nm_ip_str(&res.alts[0].nat_addr, a, sizeof(a), false), "10.244.1.5");
	assert_string_equal(nm_ip_str(&res.alts[2].nat_addr, a, sizeof(a), false), "10.244.3.7");
	/* the fields describe the first alternative */
	assert_int_equal(res.nat, NF_ACT_DNAT);
	assert_string_equal(nm_ip_str(&res.nat_addr, a, sizeof(a), false), "10.244.1.5");
	nm_snapshot_free(s);
}

/* numgen random mod 2 vmap { 0 : jump a, 1 : jump b } */
static void test_numgen_vmap(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *ns = fx_ns(s, "kp", 203);
	struct nf_table *t = fx_table(ns, NF_FAMILY_IP, "kube-proxy", NF_BACKEND_NFT);
	struct nf_chain *pre = fx_chain(t, "pre", NF_HOOK_PREROUTING, -100, "nat", NF_POLICY_ACCEPT);
	struct nf_chain *ca = fx_chain(t, "a", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_chain *cb = fx_chain(t, "b", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_set *set;
	struct nf_rule *r;
	struct nf_eval_res res;
	struct nf_pkt p = pkt("10.0.0.1", "10.96.0.10", "eth0", NULL, NF_CT_NEW);
	uint32_t k;
	char a[64];

	(void)state;
	r = fx_rule(pre, "numgen random mod 2 vmap { 0 : jump a, 1 : jump b }", NF_ACT_VMAP, NULL);
	r->action.set = nm_xstrdup("__map0");
	r->action.key[0] = NF_FIELD_NUMGEN;
	r->action.n_key = 1;
	r->action.numgen_mod = 2;
	r = fx_rule(ca, "dnat to 10.1.0.1", NF_ACT_DNAT, NULL);
	r->action.addr_min = th_ip("10.1.0.1");
	r = fx_rule(cb, "dnat to 10.1.0.2", NF_ACT_DNAT, NULL);
	r->action.addr_min = th_ip("10.1.0.2");
	t->sets = nm_xcalloc(1, sizeof(*t->sets));
	t->n_sets = 1;
	set = &t->sets[0];
	set->name = nm_xstrdup("__map0");
	set->flags = NF_SET_F_ANONYMOUS | NF_SET_F_MAP;
	set->elems = nm_xcalloc(2, sizeof(*set->elems));
	set->n_elems = 2;
	for (k = 0; k < 2; k++) {
		set->elems[k].key = nm_xcalloc(1, 4);
		memcpy(set->elems[k].key, &k, 4);
		set->elems[k].key_len = 4;
		set->elems[k].verdict.kind = NF_ACT_JUMP;
		set->elems[k].verdict.chain = nm_xstrdup(k ? "b" : "a");
	}
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_PREROUTING, &p, ns, &res);
	assert_int_equal(res.n_alts, 2);
	assert_true(res.alts[0].weight > 0.5 - 1e-9);
	assert_true(res.alts[0].weight < 0.5 + 1e-9);
	assert_string_equal(nm_ip_str(&res.alts[1].nat_addr, a, sizeof(a), false), "10.1.0.2");
	nm_snapshot_free(s);
}

/* Ten unknown rules in a row, each deciding: more branches than followed -> undetermined. */
static void test_branch_cap(void **state)
{
	struct nm_snapshot *s = nm_snapshot_new();
	struct nm_netns *ns = fx_ns(s, "cap", 204);
	struct nf_table *t = fx_table(ns, NF_FAMILY_IP, "filter", NF_BACKEND_IPTABLES_NFT);
	struct nf_chain *fw = fx_chain(t, "FORWARD", NF_HOOK_FORWARD, 0, "filter", NF_POLICY_DROP);
	struct nf_chain *c = fx_chain(t, "C", NF_HOOK_NONE, 0, NULL, NF_POLICY_NONE);
	struct nf_eval_res res;
	struct nf_pkt p = pkt("10.0.0.1", "203.0.113.8", "br0", "eth0", NF_CT_NEW);
	struct nf_rule *r;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		r = fx_rule(fw, "-A FORWARD -m statistic --mode random --probability 0.5 -j C",
			    NF_ACT_JUMP, "C");
		fx_match(r, NF_MATCH_STATISTIC)->value = 0x40000000;
	}
	r = fx_rule(c, "-A C -j MARK --set-xmark 0x1/0x0", NF_ACT_MARK_SET, NULL);
	r->action.value = 1;
	nf_eval_hook(ns->netfilter, NF_FAMILY_IP, NF_HOOK_FORWARD, &p, ns, &res);
	/* 2^10 leaves, all the same drop: but only 64 runs are made */
	assert_true(res.truncated);
	assert_int_equal(res.verdict, NF_EVAL_UNKNOWN);
	nm_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jump_return_goto),
		cmocka_unit_test(test_base_chain_priority),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_nat_only_new),
		cmocka_unit_test(test_unknown_rule_both_ways),
		cmocka_unit_test(test_statistic_branches),
		cmocka_unit_test(test_numgen_vmap),
		cmocka_unit_test(test_branch_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
