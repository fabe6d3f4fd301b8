/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pkt.c - parse captured Linux cooked v2 frames (the network header of a family's row, ICMP, UDP, TCP) without reading past the end. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "trace_int.h"

/* The probe's cookie, when the payload starts with it. */
static bool get_cookie(const uint8_t *p, size_t len, uint8_t *cookie)
{
	if (len < TRACE_COOKIE_LEN || trace_rd32(p) != TRACE_MAGIC)
		return false;
	memcpy(cookie, p, TRACE_COOKIE_LEN);
	return true;
}

static bool quotes_packet(const struct trace_family *fam, uint8_t type)
{
	size_t i;

	for (i = 0; i < fam->n_quoting; i++)
		if (fam->icmp_quoting[i] == type)
			return true;
	return false;
}

static int parse_ip(const struct trace_family *fam, const uint8_t *b, size_t len,
		    struct trace_pkt *p, struct trace_tuple *t, bool *has_cookie, uint8_t *cookie,
		    int depth);

/* The ICMP message of fam at l4: echo id, sequence and cookie, or the packet an error
 * quotes (at depth 0 only). */
static int parse_icmp(const struct trace_family *fam, const uint8_t *l4, size_t l4len,
		      struct trace_pkt *p, struct trace_tuple *t, bool *has_cookie, uint8_t *cookie,
		      int depth)
{
	uint8_t type, code;

	if (l4len < 8)
		return depth ? 0 : -EINVAL;
	type = l4[0];
	code = l4[1];
	if (!depth) {
		p->icmp_type = type;
		p->icmp_code = code;
	}
	if (type == fam->echo_reply || type == fam->echo_request) {
		t->sport = t->dport = trace_rd16(l4 + 4);
		if (!depth)
			p->icmp_seq = trace_rd16(l4 + 6);
		*has_cookie = get_cookie(l4 + 8, l4len - 8, cookie);
	} else if (!depth && quotes_packet(fam, type)) {
		if (parse_ip(fam, l4 + 8, l4len - 8, p, &p->inner, &p->inner_has_cookie,
			     p->inner_cookie, depth + 1) == 0)
			p->icmp_error = true;
	}
	return 0;
}

/* One network header of fam and what follows, within len bytes. Fills the tuple and, at
 * depth 0, the ICMP/TCP details and (for an ICMP error) the inner packet. */
static int parse_ip(const struct trace_family *fam, const uint8_t *b, size_t len,
		    struct trace_pkt *p, struct trace_tuple *t, bool *has_cookie, uint8_t *cookie,
		    int depth)
{
	const uint8_t *l4;
	size_t l4len;

	if (fam->parse_net(b, len, t, &l4, &l4len) < 0)
		return -EINVAL;
	if (!l4)
		return 0;	/* a later fragment: no transport header */
	if (t->proto == fam->icmp_proto)
		return parse_icmp(fam, l4, l4len, p, t, has_cookie, cookie, depth);
	switch (t->proto) {
	case PATH_PROTO_UDP:
		if (l4len < 4 || (l4len < 8 && !depth))
			return depth ? 0 : -EINVAL;
		t->sport = trace_rd16(l4);
		t->dport = trace_rd16(l4 + 2);
		if (l4len >= 8)
			*has_cookie = get_cookie(l4 + 8, l4len - 8, cookie);
		break;
	case PATH_PROTO_TCP:
		if (l4len < 4)
			return depth ? 0 : -EINVAL;
		t->sport = trace_rd16(l4);
		t->dport = trace_rd16(l4 + 2);
		if (l4len >= 14 && !depth)
			p->tcp_flags = l4[13];
		break;
	default:
		break;
	}
	return 0;
}

int trace_parse_net(const uint8_t *buf, size_t len, struct trace_pkt *p)
{
	const struct trace_family *fam = len ? trace_family_find(TRACE_BY_VERSION, buf[0] >> 4) : NULL;

	if (!fam)
		return -EINVAL;
	p->fam = fam;
	return parse_ip(fam, buf, len, p, &p->t, &p->has_cookie, p->cookie, 0);
}

int trace_parse_sll2(const uint8_t *buf, size_t caplen, struct trace_pkt *p)
{
	memset(p, 0, sizeof(*p));
	if (!buf || caplen < TRACE_SLL2_LEN)
		return -EINVAL;
	p->ethertype = trace_rd16(buf);
	p->ifindex = (int)trace_rd32(buf + 4);
	p->pkttype = buf[10];
	p->fam = trace_family_find(TRACE_BY_ETHERTYPE, p->ethertype);
	if (!p->fam)
		return -EPROTO;
	return parse_ip(p->fam, buf + TRACE_SLL2_LEN, caplen - TRACE_SLL2_LEN, p, &p->t,
			&p->has_cookie, p->cookie, 0);
}

void trace_tuple_reverse(const struct trace_tuple *in, struct trace_tuple *out)
{
	struct trace_tuple t = *in;

	t.src = in->dst;
	t.dst = in->src;
	t.sport = in->dport;
	t.dport = in->sport;
	*out = t;
}

bool trace_tuple_equal(const struct trace_tuple *a, const struct trace_tuple *b)
{
	return a->proto == b->proto && a->sport == b->sport && a->dport == b->dport &&
	       nm_ip_equal(&a->src, &b->src) && nm_ip_equal(&a->dst, &b->dst);
}

char *trace_tuple_str(const struct trace_tuple *t, char *buf, size_t len)
{
	char a[64], b[64];

	nm_ip_str(&t->src, a, sizeof(a), false);
	nm_ip_str(&t->dst, b, sizeof(b), false);
	if (trace_is_icmp(t->proto)) {
		snprintf(buf, len, "icmp %s -> %s id %u", a, b, t->sport);
		return buf;
	}
	switch (t->proto) {
	case PATH_PROTO_TCP:
	case PATH_PROTO_UDP:
		snprintf(buf, len, "%s %s:%u -> %s:%u", t->proto == PATH_PROTO_TCP ? "tcp" : "udp",
			 a, t->sport, b, t->dport);
		break;
	default:
		snprintf(buf, len, "proto %u %s -> %s", t->proto, a, b);
		break;
	}
	return buf;
}
