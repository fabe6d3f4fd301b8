/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_trace_nft.c - NFT_MSG_TRACE parsing (hand-built with libmnl, truncated every way), trace events turned into per-hop rules, and kfree_skb lines turned into a drop reason. */
#include <errno.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "path.h"
#include "trace_helpers.h"

/* An IPv4 header + ICMP echo request (id) as the kernel puts them in a trace event. */
static void headers(uint8_t *nh, uint8_t *th, const char *src, const char *dst, uint16_t id)
{
	struct nm_ip s = th_ip(src), d = th_ip(dst);

	/* total length: the whole packet, more than the trace carries */
	tt_put_ip4(nh, 1, &s, &d, 84);
	memset(th, 0, 20);
	tt_put_echo(th, 8, id, "nstr", 4);
}

struct ev_spec {
	uint32_t type, id;
	const char *table, *chain;
	uint64_t handle;		/* 0: none */
	bool verdict;
	int32_t code;
	const char *target;
	bool policy;
	uint32_t policy_val;
	uint32_t iif, oif;
	bool pkt;
	const char *src, *dst;
	uint16_t icmp_id;
	bool ct;			/* a 6.16+ conntrack attribute libnftnl does not know */
};

static size_t build(char *buf, size_t len, const struct ev_spec *e)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_IPV4;
	nfg->version = NFNETLINK_V0;
	if (e->table)
		mnl_attr_put_strz(nlh, NFTA_TRACE_TABLE, e->table);
	if (e->chain)
		mnl_attr_put_strz(nlh, NFTA_TRACE_CHAIN, e->chain);
	if (e->id)
		mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(e->id));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(e->type));
	if (e->handle)
		mnl_attr_put_u64(nlh, NFTA_TRACE_RULE_HANDLE, htobe64(e->handle));
	if (e->verdict) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, NFTA_TRACE_VERDICT);

		mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl((uint32_t)e->code));
		if (e->target)
			mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, e->target);
		mnl_attr_nest_end(nlh, nest);
	}
	if (e->policy)
		mnl_attr_put_u32(nlh, NFTA_TRACE_POLICY, htonl(e->policy_val));
	if (e->iif) {
		mnl_attr_put_u32(nlh, NFTA_TRACE_IIF, htonl(e->iif));
		mnl_attr_put_u16(nlh, NFTA_TRACE_IIFTYPE, htons(1));
	}
	if (e->oif)
		mnl_attr_put_u32(nlh, NFTA_TRACE_OIF, htonl(e->oif));
	if (e->pkt) {
		uint8_t nh[20], th[20];

		headers(nh, th, e->src, e->dst, e->icmp_id);
		mnl_attr_put(nlh, NFTA_TRACE_NETWORK_HEADER, sizeof(nh), nh);
		mnl_attr_put(nlh, NFTA_TRACE_TRANSPORT_HEADER, sizeof(th), th);
	}
	mnl_attr_put_u32(nlh, NFTA_TRACE_NFPROTO, htonl(NFPROTO_IPV4));
	if (e->ct)
		mnl_attr_put_u32(nlh, 20, htonl(0x188));
	return nlh->nlmsg_len;
}

static const struct ev_spec policy_ev = {
	.type = TRACE_NFT_POLICY, .id = 0x1234, .table = "filter", .chain = "FORWARD",
	.policy = true, .policy_val = NF_DROP, .iif = 3, .oif = 4, .pkt = true,
	.src = "10.0.0.1", .dst = "203.0.113.8", .icmp_id = 4660, .ct = true,
};

static void test_parse(void **state)
{
	char buf[1024];
	struct trace_nft_event ev;
	struct ev_spec rule = { .type = TRACE_NFT_RULE, .id = 7, .table = "filter",
				.chain = "FORWARD", .handle = 0x100000002ULL, .verdict = true,
				.code = NFT_JUMP, .target = "DOCKER-USER" };
	size_t len;
	char a[64];

	(void)state;
	len = build(buf, sizeof(buf), &policy_ev);
	assert_int_equal(trace_nft_parse(buf, len, &ev), 0);
	assert_int_equal(ev.id, 0x1234);
	assert_int_equal(ev.type, TRACE_NFT_POLICY);
	assert_int_equal(ev.family, NFPROTO_IPV4);
	assert_string_equal(ev.table, "filter");
	assert_string_equal(ev.chain, "FORWARD");
	assert_true(ev.has_policy);
	assert_int_equal(ev.policy, NF_DROP);
	assert_false(ev.has_verdict);
	assert_int_equal(ev.iif, 3);
	assert_int_equal(ev.oif, 4);
	assert_int_equal(ev.handle, 0);
	assert_true(ev.has_pkt);
	assert_int_equal(ev.pkt.t.proto, PATH_PROTO_ICMP);
	assert_string_equal(nm_ip_str(&ev.pkt.t.src, a, sizeof(a), false), "10.0.0.1");
	assert_string_equal(nm_ip_str(&ev.pkt.t.dst, a, sizeof(a), false), "203.0.113.8");
	assert_int_equal(ev.pkt.t.sport, 4660);
	assert_int_equal(ev.pkt.icmp_type, 8);
	trace_nft_event_clear(&ev);

	len = build(buf, sizeof(buf), &rule);
	assert_int_equal(trace_nft_parse(buf, len, &ev), 0);
	assert_int_equal(ev.handle, 0x100000002ULL);
	assert_true(ev.has_verdict);
	assert_int_equal(ev.verdict, NFT_JUMP);
	assert_string_equal(ev.target, "DOCKER-USER");
	assert_false(ev.has_pkt);
	assert_int_equal(ev.iif, 0);
	trace_nft_event_clear(&ev);

	assert_string_equal(trace_nft_verdict_name(NF_DROP), "drop");
	assert_string_equal(trace_nft_verdict_name(NF_ACCEPT), "accept");
	assert_string_equal(trace_nft_verdict_name(NFT_CONTINUE), "continue");
	assert_string_equal(trace_nft_verdict_name(NFT_JUMP), "jump");
	assert_string_equal(trace_nft_verdict_name(NFT_RETURN), "return");
	assert_string_equal(trace_nft_verdict_name((1 << 16) | NF_DROP), "drop");	/* NF_DROP_ERR */
	assert_string_equal(trace_nft_verdict_name(-99), "?");
	assert_string_equal(trace_nft_verdict_name(200), "?");
	assert_memory_equal(trace_nft_table_name(), "nstrace_", 8);
}

static void test_truncated(void **state)
{
	char buf[1024], *copy;
	struct trace_nft_event ev;
	struct nlmsghdr *nlh = (struct nlmsghdr *)(void *)buf;
	struct ev_spec no_id = policy_ev, bad;
	size_t len, cut;
	int ret;

	(void)state;
	len = build(buf, sizeof(buf), &policy_ev);
	/* The buffer cut anywhere: never parsed, never read past (ASan build checks the reads). */
	for (cut = 0; cut < len; cut++) {
		copy = tt_cut(buf, cut);
		ret = trace_nft_parse(copy, cut, &ev);
		assert_int_equal(ret, -EINVAL);
		free(copy);
	}
	/* The message itself cut (nlmsg_len shortened) inside an attribute: refused. */
	for (cut = MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg) + 1; cut < len; cut++) {
		size_t k, off = MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg);
		bool boundary = false;

		len = build(buf, sizeof(buf), &policy_ev);
		/* cutting between attributes (or in the last one's padding) is a shorter, valid
		 * message */
		for (k = off; k < len;) {
			const struct nlattr *a = (const struct nlattr *)(const void *)(buf + k);

			if (k == cut || (cut >= k + a->nla_len && cut < k + MNL_ALIGN(a->nla_len)))
				boundary = true;
			k += MNL_ALIGN(a->nla_len);
		}
		nlh->nlmsg_len = (uint32_t)cut;
		ret = trace_nft_parse(buf, len, &ev);
		if (boundary) {
			if (ret == 0)
				trace_nft_event_clear(&ev);
			continue;
		}
		assert_int_equal(ret, -EINVAL);
	}
	/* No ID: refused. */
	no_id.id = 0;
	len = build(buf, sizeof(buf), &no_id);
	assert_int_equal(trace_nft_parse(buf, len, &ev), -EINVAL);
	/* An attribute of the wrong size (the ID as a u16): refused before libnftnl sees it. */
	bad = policy_ev;
	bad.id = 0;
	len = build(buf, sizeof(buf), &bad);
	mnl_attr_put_u16(nlh, NFTA_TRACE_ID, 1);
	len = nlh->nlmsg_len;
	assert_int_equal(trace_nft_parse(buf, len, &ev), -EINVAL);
	/* An attribute claiming more than the message holds. */
	len = build(buf, sizeof(buf), &policy_ev);
	((struct nlattr *)(void *)(buf + MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg)))->nla_len = 4000;
	assert_int_equal(trace_nft_parse(buf, len, &ev), -EINVAL);
	/* Another message type. */
	len = build(buf, sizeof(buf), &policy_ev);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE;
	assert_int_equal(trace_nft_parse(buf, len, &ev), -ENOMSG);
	/* Headers too short for the packet parser: an event without a packet. */
	{
		len = build(buf, sizeof(buf), &(struct ev_spec){ .type = TRACE_NFT_RULE, .id = 1 });
		mnl_attr_put(nlh, NFTA_TRACE_NETWORK_HEADER, 12, buf);
		len = nlh->nlmsg_len;
		assert_int_equal(trace_nft_parse(buf, len, &ev), 0);
		assert_false(ev.has_pkt);
		trace_nft_event_clear(&ev);
	}
}

static struct trace_nft_event parsed(const struct ev_spec *e, size_t ns)
{
	char buf[1024];
	struct trace_nft_event ev;
	size_t len = build(buf, sizeof(buf), e);

	assert_int_equal(trace_nft_parse(buf, len, &ev), 0);
	ev.ns = ns;
	return ev;
}

/* A result as trace_build leaves it for the attach functions: two hops in "host", dropped,
 * the simulation's cause there with its evidence. */
static void dropped_in_host(struct trace_result *r, struct trace_hop *hops,
			    struct diag_cause *cause, const char *evidence)
{
	memset(r, 0, sizeof(*r));
	r->ident.fam = tt_ipv4();
	r->hops = hops;
	r->n_hops = 2;
	r->verdict = PATH_DROPPED;
	cause->netns = strdup("host");
	cause->evidence = strdup(evidence);
	r->causes = cause;
	r->n_causes = 1;
}

static void free_result(struct trace_result *r)
{
	free(r->causes->netns);
	free(r->causes->evidence);
	free(r->notes);
}

static void test_attach(void **state)
{
	struct nm_link links[2] = { { .ifindex = 3, .ifname = "br0" }, { .ifindex = 4, .ifname = "eth0" } };
	struct nm_netns host = { .id = "net:2", .label = "host", .links = links, .n_links = 2 };
	struct trace_nsinfo nss[1] = { { &host } };
	struct trace_result r;
	struct trace_hop hops[2];
	struct diag_cause cause = { .id = DIAG_FORWARD_DROP, .code = "FORWARD_DROP" };
	struct trace_nft_event ev[5];
	struct ev_spec entry = policy_ev, other = policy_ev, cont;
	size_t i;

	(void)state;
	memset(hops, 0, sizeof(hops));
	hops[0] = (struct trace_hop){ .n = 1, .netns = "host", .netns_id = "net:2", .ifname = "br0",
				      .direction = "in", .observed = true };
	hops[1] = (struct trace_hop){ .n = 2, .netns = "host", .netns_id = "net:2", .ifname = "eth0",
				      .direction = "out" };
	dropped_in_host(&r, hops, &cause, "table ip filter chain FORWARD policy drop");
	r.ident.orig.proto = PATH_PROTO_ICMP;
	r.ident.orig.src = th_ip("10.0.0.1");
	r.ident.orig.dst = th_ip("203.0.113.8");
	r.ident.orig.sport = r.ident.orig.dport = 4660;

	/* the chain's entry event (packet, no rule), a continue, the policy; another packet's
	 * traversal with the same id in between; our own table's event */
	entry.type = TRACE_NFT_RULE;
	entry.policy = false;
	ev[0] = parsed(&entry, 0);
	other.icmp_id = 999;
	other.id = 0x1234;
	cont = (struct ev_spec){ .type = TRACE_NFT_RULE, .id = 0x1234, .table = "filter",
				 .chain = "FORWARD", .handle = 5, .verdict = true, .code = NFT_CONTINUE };
	ev[1] = parsed(&cont, 0);
	ev[2] = parsed(&(struct ev_spec){ .type = TRACE_NFT_POLICY, .id = 0x1234, .table = "filter",
					  .chain = "FORWARD", .policy = true, .policy_val = NF_DROP }, 0);
	ev[3] = parsed(&other, 0);
	ev[4] = parsed(&(struct ev_spec){ .type = TRACE_NFT_RULE, .id = 0x1234,
					  .table = (char *)trace_nft_table_name(), .chain = "pre",
					  .handle = 2, .verdict = true, .code = NF_ACCEPT }, 0);
	trace_nft_attach(&r, nss, 1, ev, 5);
	assert_true(r.nft_trace);
	assert_int_equal(hops[0].n_rules, 2);
	assert_int_equal(hops[1].n_rules, 0);
	assert_string_equal(hops[0].rules[0].kind, "rule");
	assert_int_equal(hops[0].rules[0].handle, 5);
	assert_string_equal(hops[0].rules[0].verdict, "continue");
	assert_false(hops[0].rules[0].decisive);
	assert_string_equal(hops[0].rules[1].kind, "policy");
	assert_string_equal(hops[0].rules[1].verdict, "drop");
	assert_true(hops[0].rules[1].decisive);
	assert_string_equal(r.nft_drop_netns, "host");
	assert_string_equal(r.nft_drop.chain, "FORWARD");
	assert_int_equal(r.nft_cause, 1);
	assert_non_null(strstr(cause.evidence, "nft trace: host ip filter FORWARD policy drop"));
	for (i = 0; i < 5; i++)
		trace_nft_event_clear(&ev[i]);
	NM_FREE_ARRAY(hops[0].rules, hops[0].n_rules, trace_rule_clear);
	free(r.nft_drop_netns);
	trace_rule_clear(&r.nft_drop);
	free_result(&r);
}

static void test_drop(void **state)
{
	static const char *const lines[] = {
		"          <idle>-0       [001] ..s2.  100.000100: netif_receive_skb: dev=veth1-br skbaddr=00000000aaaa len=84",
		"          <idle>-0       [001] ..s2.  100.000101: netif_receive_skb: dev=br0 skbaddr=00000000aaaa len=84",
		"            ping-12      [000] ..s1.  100.000010: kfree_skb: skbaddr=00000000bbbb rx_sk=0000000000000000 protocol=2048 location=ip_rcv_core+0x1/0x2 reason: IP_CSUM",
		"          <idle>-0       [001] ..s2.  100.000130: kfree_skb: skbaddr=00000000aaaa rx_sk=0000000000000000 protocol=2048 location=ip_error+0x94/0x220 reason: IP_INADDRERRORS",
		"garbage",
		"  x-1 [000] .... notanumber: kfree_skb: skbaddr=1 protocol=2048 location=a reason: B",
	};
	struct trace_drop_rec recs[8];
	struct trace_result r;
	struct trace_hop hops[2];
	struct diag_cause cause = { .id = DIAG_FORWARDING_DISABLED, .code = "FORWARDING_DISABLED" };
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lines); i++)
		if (trace_drop_parse_line(lines[i], 1000.0, &recs[n]) == 0)
			n++;
	assert_int_equal(n, 4);
	assert_false(recs[0].kfree);
	assert_string_equal(recs[0].dev, "veth1-br");
	assert_string_equal(recs[0].skbaddr, "00000000aaaa");
	assert_true(recs[3].kfree);
	assert_string_equal(recs[3].reason, "IP_INADDRERRORS");
	assert_string_equal(recs[3].location, "ip_error+0x94/0x220");
	assert_int_equal(recs[3].protocol, 2048);
	assert_true(recs[3].time_ms > 101000.12 && recs[3].time_ms < 101000.14);

	hops[0] = (struct trace_hop){ .n = 1, .netns = "host", .ifname = "veth1-br", .direction = "in",
				      .observed = true, .time_ms = 0.1 };
	hops[1] = (struct trace_hop){ .n = 2, .netns = "host", .ifname = "br0", .direction = "in",
				      .observed = true, .time_ms = 0.101 };
	dropped_in_host(&r, hops, &cause, "");
	r.last_seen = 1;
	/* sent at mono 100.000000 s + offset 1000 ms */
	trace_drop_attach_recs(&r, recs, n, 101000.0);
	assert_non_null(r.kdrop);
	assert_string_equal(r.kdrop->reason, "IP_INADDRERRORS");
	assert_string_equal(r.kdrop->correlation, "skbaddr");
	assert_string_equal(r.kdrop->ifname, "br0");
	assert_int_equal(r.kdrop_cause, 1);
	assert_non_null(strstr(cause.evidence, "kernel: drop reason IP_INADDRERRORS"));
	trace_kdrop_free(r.kdrop);
	r.kdrop = NULL;

	/* Without the receive events: the first IPv4 drop right after the last hop. */
	trace_drop_attach_recs(&r, recs + 2, 2, 101000.0);
	assert_non_null(r.kdrop);
	assert_string_equal(r.kdrop->reason, "IP_INADDRERRORS");
	assert_string_equal(r.kdrop->correlation, "time window");
	trace_kdrop_free(r.kdrop);
	r.kdrop = NULL;

	/* A probe that got through has no drop to explain. */
	r.verdict = PATH_REACHED;
	trace_drop_attach_recs(&r, recs, n, 101000.0);
	assert_null(r.kdrop);
	free_result(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
