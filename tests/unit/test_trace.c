/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_trace.c - the live tracer's parser, probe matching, conntrack decoding and hop correlation on recorded-style packets. */
#include <errno.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "path.h"
#include "snapshot.h"
#include "trace_helpers.h"

static const uint8_t cookie[TRACE_COOKIE_LEN] = { 0x6e, 0x73, 0x74, 0x72, 1, 2, 3, 4, 5, 6, 7, 8,
						   9, 10, 11, 12 };

static struct trace_tuple tup(uint8_t proto, const char *s, const char *d, uint16_t sp, uint16_t dp)
{
	struct trace_tuple t = { .proto = proto, .src = th_ip(s), .dst = th_ip(d), .sport = sp,
				 .dport = dp };

	return t;
}

static size_t put_ip(uint8_t *b, const struct trace_tuple *t, size_t l4len)
{
	return tt_put_ip4(b, t->proto, &t->src, &t->dst, 20 + l4len);
}

static void put_ports(uint8_t *l4, const struct trace_tuple *t)
{
	l4[0] = (uint8_t)(t->sport >> 8);
	l4[1] = (uint8_t)t->sport;
	l4[2] = (uint8_t)(t->dport >> 8);
	l4[3] = (uint8_t)t->dport;
}

/* A UDP header of t and the cookie. Returns its length. */
static size_t put_udp(uint8_t *l4, const struct trace_tuple *t)
{
	put_ports(l4, t);
	l4[4] = 0;
	l4[5] = 8 + TRACE_COOKIE_LEN;
	l4[6] = l4[7] = 0;
	memcpy(l4 + 8, cookie, TRACE_COOKIE_LEN);
	return 8 + TRACE_COOKIE_LEN;
}

/* An SLL2 frame with an IPv4 packet of t: ICMP echo (type 8/0) or error (type 3 quoting
 * inner), UDP with the cookie, TCP with flags. Returns the frame length. */
static size_t frame(uint8_t *b, int ifindex, uint8_t pkttype, const struct trace_tuple *t,
		    uint8_t icmp_type, const struct trace_tuple *inner, uint8_t tcp_flags)
{
	uint8_t *ip = b + TRACE_SLL2_LEN, *l4;
	size_t l4len;

	memset(b, 0, TRACE_SLL2_LEN);
	b[0] = 0x08;
	b[1] = 0x00;
	b[4] = (uint8_t)(ifindex >> 24);
	b[5] = (uint8_t)(ifindex >> 16);
	b[6] = (uint8_t)(ifindex >> 8);
	b[7] = (uint8_t)ifindex;
	b[8] = 0x00;
	b[9] = 0x01;	/* ARPHRD_ETHER */
	b[10] = pkttype;
	b[11] = 6;
	l4 = ip + 20;
	switch (t->proto) {
	case PATH_PROTO_ICMP:
		if (icmp_type == 3) {
			uint8_t *in = l4 + 8;

			memset(l4, 0, 8);
			l4[0] = icmp_type;
			put_ip(in, inner, 8 + TRACE_COOKIE_LEN);
			l4len = 8 + 20 + put_udp(in + 20, inner);
		} else {
			l4len = tt_put_echo(l4, icmp_type, t->sport, cookie, TRACE_COOKIE_LEN);
		}
		break;
	case PATH_PROTO_UDP:
		l4len = put_udp(l4, t);
		break;
	default:
		memset(l4, 0, 20);
		put_ports(l4, t);
		l4[12] = 0x50;
		l4[13] = tcp_flags;
		l4len = 20;
		break;
	}
	put_ip(ip, t, l4len);
	return TRACE_SLL2_LEN + 20 + l4len;
}

/* The test packets: an ICMP echo request, a UDP datagram, a TCP segment, and the ICMP port
 * unreachable about the datagram. */
enum { P_ECHO, P_UDP, P_TCP, P_ERROR, N_SAMPLES };

static struct trace_tuple sample_tuple(int i)
{
	switch (i) {
	case P_ECHO:
		return tup(PATH_PROTO_ICMP, "10.0.0.1", "203.0.113.8", 4660, 4660);
	case P_UDP:
		return tup(PATH_PROTO_UDP, "10.0.0.1", "203.0.113.8", 40000, 53);
	case P_TCP:
		return tup(PATH_PROTO_TCP, "10.0.0.1", "203.0.113.8", 40000, 80);
	default:
		return tup(PATH_PROTO_ICMP, "203.0.113.8", "10.0.0.1", 0, 0);
	}
}

/* The SLL2 frame of test packet i (tcp_flags: of the TCP segment). */
static size_t sample(uint8_t *b, int i, int ifindex, uint8_t pkttype, uint8_t tcp_flags)
{
	struct trace_tuple t = sample_tuple(i), u = sample_tuple(P_UDP);

	return frame(b, ifindex, pkttype, &t, i == P_ECHO ? 8 : i == P_ERROR ? 3 : 0, &u, tcp_flags);
}

static void test_parse(void **state)
{
	struct trace_tuple t = sample_tuple(P_ECHO), u = sample_tuple(P_UDP), k = sample_tuple(P_TCP);
	uint8_t b[256];
	struct trace_pkt p;
	size_t n;

	(void)state;
	n = sample(b, P_ECHO, 7, TRACE_PKT_OUTGOING, 0);
	assert_int_equal(trace_parse_sll2(b, n, &p), 0);
	assert_int_equal(p.ifindex, 7);
	assert_int_equal(p.pkttype, TRACE_PKT_OUTGOING);
	assert_true(trace_tuple_equal(&p.t, &t));
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.icmp_seq, 1);
	assert_true(p.has_cookie);
	assert_memory_equal(p.cookie, cookie, TRACE_COOKIE_LEN);

	n = sample(b, P_UDP, 2, TRACE_PKT_HOST, 0);
	assert_int_equal(trace_parse_sll2(b, n, &p), 0);
	assert_true(trace_tuple_equal(&p.t, &u));
	assert_true(p.has_cookie);

	n = sample(b, P_TCP, 2, TRACE_PKT_HOST, 0x12);
	assert_int_equal(trace_parse_sll2(b, n, &p), 0);
	assert_true(trace_tuple_equal(&p.t, &k));
	assert_int_equal(p.tcp_flags, 0x12);
	assert_false(p.has_cookie);

	n = sample(b, P_ERROR, 2, TRACE_PKT_HOST, 0);
	assert_int_equal(trace_parse_sll2(b, n, &p), 0);
	assert_true(p.icmp_error);
	assert_true(trace_tuple_equal(&p.inner, &u));
	assert_true(p.inner_has_cookie);

	/* Not IPv4: ARP. */
	b[1] = 0x06;
	assert_int_equal(trace_parse_sll2(b, n, &p), -EPROTO);
}

/* Every prefix of every frame: parsed or refused, never read past the end (ASan checks the
 * exact-size copies). */
static void test_truncated(void **state)
{
	uint8_t b[256];
	size_t len, cut;
	int i;

	(void)state;
	for (i = 0; i < N_SAMPLES; i++) {
		struct trace_pkt p;

		len = sample(b, i, 1, 0, 2);
		for (cut = 0; cut <= len; cut++) {
			uint8_t *copy = tt_cut(b, cut);
			int ret;

			ret = trace_parse_sll2(copy, cut, &p);
			if (cut < TRACE_SLL2_LEN + 20)
				assert_int_equal(ret, -EINVAL);
			else if (cut == len)
				assert_int_equal(ret, 0);
			else	/* partial transport header: refused or parsed as far as it goes
				 * (ASan, in make check SANITIZE=1, catches a read past cut) */
				assert_true(ret == 0 || ret == -EINVAL);
			free(copy);
		}
	}
	/* A header length longer than the packet, a total length shorter than the header. */
	len = sample(b, P_ECHO, 1, 0, 0);
	b[TRACE_SLL2_LEN] = 0x4f;
	{
		struct trace_pkt p;

		assert_int_equal(trace_parse_sll2(b, TRACE_SLL2_LEN + 40, &p), -EINVAL);
		b[TRACE_SLL2_LEN] = 0x45;
		b[TRACE_SLL2_LEN + 2] = 0;
		b[TRACE_SLL2_LEN + 3] = 10;
		assert_int_equal(trace_parse_sll2(b, len, &p), -EINVAL);
	}
}

static void test_match(void **state)
{
	struct trace_ident id = { 0 };
	struct trace_tuple t = tup(PATH_PROTO_ICMP, "10.0.0.1", "203.0.113.8", 4660, 4660);
	struct trace_tuple nat = tup(PATH_PROTO_ICMP, "198.51.100.10", "203.0.113.8", 4660, 4660);
	struct trace_tuple back = tup(PATH_PROTO_ICMP, "203.0.113.8", "198.51.100.10", 4660, 4660);
	struct trace_tuple other = tup(PATH_PROTO_ICMP, "198.51.100.10", "203.0.113.8", 999, 999);
	uint8_t b[256];
	struct trace_pkt p;
	bool reply;
	char *f;

	(void)state;
	id.fam = tt_ipv4();
	id.orig = t;
	memcpy(id.cookie, cookie, TRACE_COOKIE_LEN);
	id.has_cookie = true;
	assert_true(trace_ident_add_form(&id, &nat));
	assert_false(trace_ident_add_form(&id, &nat));

	trace_parse_sll2(b, frame(b, 1, 0, &nat, 8, NULL, 0), &p);
	assert_true(trace_match(&id, &p, &reply));
	assert_false(reply);
	trace_parse_sll2(b, frame(b, 1, 0, &back, 0, NULL, 0), &p);
	assert_true(trace_match(&id, &p, &reply));
	assert_true(reply);
	/* Another run's probe: another id and another cookie. */
	trace_parse_sll2(b, frame(b, 1, 0, &other, 8, NULL, 0), &p);
	p.cookie[15] ^= 0xff;
	assert_false(trace_match(&id, &p, &reply));
	/* ...but our cookie under a rewritten id is ours. */
	p.cookie[15] ^= 0xff;
	assert_true(trace_match(&id, &p, &reply));
	assert_false(reply);

	f = trace_bpf_filter(&id);
	assert_non_null(strstr(f, "icmp[4:2] = 4660"));
	free(f);
	free(id.forms);

	/* UDP: the port unreachable quoting our datagram is our reply. */
	memset(&id, 0, sizeof(id));
	id.fam = tt_ipv4();
	id.orig = tup(PATH_PROTO_UDP, "10.0.0.1", "203.0.113.8", 40000, 53);
	{
		struct trace_tuple e = tup(PATH_PROTO_ICMP, "203.0.113.8", "10.0.0.1", 0, 0);
		struct trace_tuple q = id.orig;

		trace_parse_sll2(b, frame(b, 1, 0, &e, 3, &q, 0), &p);
		assert_true(trace_match(&id, &p, &reply));
		assert_true(reply);
		q.sport = 40001;
		trace_parse_sll2(b, frame(b, 1, 0, &e, 3, &q, 0), &p);
		assert_false(trace_match(&id, &p, &reply));	/* no cookie configured */
	}
	f = trace_bpf_filter(&id);
	assert_non_null(strstr(f, "port 40000"));
	free(f);
}

/* A ctnetlink message as the kernel sends it for a MASQUERADEd ping. */
static size_t put_tuple(struct nlmsghdr *nlh, uint16_t type, const struct trace_tuple *t)
{
	struct nlattr *tn = mnl_attr_nest_start(nlh, type), *in;
	uint32_t a;

	in = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	memcpy(&a, t->src.addr, 4);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, a);
	memcpy(&a, t->dst.addr, 4);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, a);
	mnl_attr_nest_end(nlh, in);
	in = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(t->sport));
	mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, 8);
	mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, 0);
	mnl_attr_nest_end(nlh, in);
	mnl_attr_nest_end(nlh, tn);
	return nlh->nlmsg_len;
}

static void test_ct(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	struct trace_tuple o = tup(PATH_PROTO_ICMP, "10.0.0.1", "203.0.113.8", 4660, 4660);
	struct trace_tuple r = tup(PATH_PROTO_ICMP, "203.0.113.8", "198.51.100.10", 4660, 4660);
	struct trace_ct ct;
	size_t len, cut, need;
	char *s;

	(void)state;
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg->nfgen_family = AF_INET;
	put_tuple(nlh, CTA_TUPLE_ORIG, &o);
	need = put_tuple(nlh, CTA_TUPLE_REPLY, &r);	/* status and id are optional */
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(TRACE_IPS_SRC_NAT | TRACE_IPS_SRC_NAT_DONE | 0x8));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(77));
	len = nlh->nlmsg_len;
	assert_int_equal(trace_ct_parse(buf, len, &ct), 0);
	assert_true(trace_tuple_equal(&ct.orig, &o));
	assert_true(trace_tuple_equal(&ct.reply, &r));
	assert_true(ct.status & TRACE_IPS_SRC_NAT);
	assert_int_equal(ct.id, 77);
	s = trace_ct_str(&ct);
	assert_non_null(strstr(s, "[SRC_NAT]"));
	free(s);
	/* Truncated messages are refused, never over-read. */
	for (cut = 0; cut < len; cut++) {
		char *copy = tt_cut(buf, cut);

		if (cut >= sizeof(struct nlmsghdr))
			((struct nlmsghdr *)copy)->nlmsg_len = (uint32_t)cut;
		if (cut < need && getenv("TEST_VERBOSE"))
			fprintf(stderr, "cut %zu of %zu (need %zu)\n", cut, len, need);
		if (cut < need)
			assert_int_equal(trace_ct_parse(copy, cut, &ct), -EINVAL);
		else {
			int ret = trace_ct_parse(copy, cut, &ct);

			assert_true(ret == 0 || ret == -EINVAL);
		}
		free(copy);
	}
}

/* Correlation on the recorded blog snapshot: captured packets become the hop table. */
struct cap_spec {
	size_t ns;
	int ifindex;
	uint8_t pkttype;
	const char *src, *dst;
	uint8_t type;
	uint16_t id;
};

static struct trace_result *build(const struct nm_snapshot *s, struct path_result *sim,
				  const struct cap_spec *spec, size_t n)
{
	static const char *const labels[] = { "blog-ns1", "blog-host", "blog-inet" };
	struct trace_nsinfo nss[3];
	struct trace_cap caps[16];
	struct trace_result *r = nm_xcalloc(1, sizeof(*r));
	size_t i;

	for (i = 0; i < 3; i++) {
		size_t k;

		nss[i].ns = NULL;
		for (k = 0; k < s->n_netns; k++)
			if (!strcmp(s->netns[k].label, labels[i]))
				nss[i].ns = &s->netns[k];
		assert_non_null(nss[i].ns);
	}
	r->sim = sim;
	r->src_label = nm_xstrdup("blog-ns1");
	r->timeout = 2;
	r->ident.fam = tt_ipv4();
	r->ident.orig = tup(PATH_PROTO_ICMP, "10.0.0.1", "203.0.113.8", 4660, 4660);
	memcpy(r->ident.cookie, cookie, TRACE_COOKIE_LEN);
	r->ident.has_cookie = true;
	for (i = 0; i < n; i++) {
		struct trace_tuple t = tup(PATH_PROTO_ICMP, spec[i].src, spec[i].dst, spec[i].id,
					   spec[i].id);
		uint8_t b[256];

		caps[i].ns = spec[i].ns;
		caps[i].time_ms = 0.01 * (double)(i + 1);
		assert_int_equal(trace_parse_sll2(b, frame(b, spec[i].ifindex, spec[i].pkttype, &t,
							   spec[i].type, NULL, 0), &caps[i].pkt), 0);
		if (spec[i].id != 4660)
			caps[i].pkt.cookie[15] ^= 0xff;	/* another run's probe */
	}
	trace_build(r, s, nss, 3, caps, n);
	return r;
}

static void test_build(void **state)
{
	static const struct cap_spec round_trip[] = {
		{ 0, 2, 4, "10.0.0.1", "203.0.113.8", 8, 4660 },		/* ns1 veth1 out */
		{ 1, 4, 0, "10.0.0.1", "203.0.113.8", 8, 4660 },		/* host veth1-br in */
		{ 1, 3, 0, "10.0.0.1", "203.0.113.8", 8, 4660 },		/* host br0 in */
		{ 1, 2, 4, "198.51.100.10", "203.0.113.8", 8, 4660 },		/* host eth0 out */
		{ 1, 2, 4, "198.51.100.10", "203.0.113.8", 8, 999 },		/* someone else's */
		{ 2, 2, 0, "198.51.100.10", "203.0.113.8", 8, 4660 },		/* inet eth0 in */
		{ 2, 2, 4, "203.0.113.8", "198.51.100.10", 0, 4660 },		/* inet eth0 out */
		{ 1, 2, 0, "203.0.113.8", "198.51.100.10", 0, 4660 },		/* host eth0 in */
		{ 1, 3, 4, "203.0.113.8", "10.0.0.1", 0, 4660 },		/* host br0 out */
		{ 1, 4, 4, "203.0.113.8", "10.0.0.1", 0, 4660 },		/* host veth1-br out */
		{ 0, 2, 0, "203.0.113.8", "10.0.0.1", 0, 4660 },		/* ns1 veth1 in */
	};
	struct path_query q = { 0 };
	struct nm_snapshot *s = NULL;
	struct path_result *sim = NULL;
	struct trace_result *r;
	char err[256];
	size_t i, seen = 0;
	json_t *j;

	(void)state;
	assert_int_equal(snap_load(th_fixture("blog.json"), &s, err, sizeof(err)), 0);
	assert_int_equal(path_resolve_src(s, "blog-ns1", &q.src_ns, &q.src), 0);
	q.dst = th_ip("203.0.113.8");
	q.proto = PATH_PROTO_ICMP;
	assert_int_equal(path_walk(s, &q, &sim), 0);

	/* The whole round trip, the SNAT where it happened; another run's probe ignored. */
	r = build(s, sim, round_trip, ARRAY_SIZE(round_trip));
	for (i = 0; i < r->n_hops; i++) {
		const struct trace_hop *h = &r->hops[i];

		if (getenv("TEST_VERBOSE"))
			fprintf(stderr, "%d %s %s %s %s%s\n", h->n, h->netns, h->ifname, h->direction,
				h->status, h->nat ? h->nat_kind : "");
		seen += h->observed;
	}
	assert_string_equal(path_verdict_name(r->verdict), "reached");
	assert_int_equal(trace_exit_code(r), 0);
	assert_int_equal(seen, 10);
	assert_string_equal(r->hops[3].ifname, "eth0");
	assert_true(r->hops[3].nat);
	assert_string_equal(r->hops[3].nat_kind, "SNAT");
	assert_non_null(r->hops[3].nat_rule);
	assert_true(r->hops[7].nat);
	assert_string_equal(r->hops[7].nat_kind, "un-SNAT");
	j = trace_result_to_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")), "reached");
	json_decref(j);
	trace_result_free(r);

	/* Lost after the bridge: the last hop seen, the next one expected. */
	r = build(s, sim, round_trip, 3);
	assert_int_equal(trace_exit_code(r), 3);
	assert_true(r->last_seen == 2);
	assert_string_equal(r->hops[r->last_seen].ifname, "br0");
	assert_true(r->next_expected == 3);
	assert_string_equal(r->hops[r->next_expected].ifname, "eth0");
	assert_string_equal(r->hops[r->next_expected].status, "missing");
	trace_result_free(r);

	/* A hop nobody saw between two that were seen is inferred. */
	{
		struct cap_spec gap[3] = { round_trip[0], round_trip[2], round_trip[3] };

		r = build(s, sim, gap, 3);
		assert_string_equal(r->hops[1].ifname, "veth1-br");
		assert_false(r->hops[1].observed);
		assert_string_equal(r->hops[1].status, "inferred");
		trace_result_free(r);
	}
	path_result_free(sim);
	nm_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_ct),
		cmocka_unit_test(test_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
