/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace_pkt.c - parse captured Linux cooked v2 frames (IPv4, ICMP, UDP, TCP) without reading past the end. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "trace.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void set_ip4(struct nm_ip *ip, const uint8_t *p)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET;
	ip->plen = 32;
	memcpy(ip->addr, p, 4);
}

/* The probe's cookie, when the payload starts with it. */
static bool get_cookie(const uint8_t *p, size_t len, uint8_t *cookie)
{
	if (len < TRACE_COOKIE_LEN || rd32(p) != TRACE_MAGIC)
		return false;
	memcpy(cookie, p, TRACE_COOKIE_LEN);
	return true;
}

/* One IPv4 header and what follows, within len bytes. Fills the tuple and, at depth 0, the
 * ICMP/TCP details and (for an ICMP error) the inner packet. */
static int parse_ip(const uint8_t *b, size_t len, struct trace_pkt *p, struct trace_tuple *t,
		    bool *has_cookie, uint8_t *cookie, int depth)
{
	size_t ihl, tot, l4len;
	const uint8_t *l4;
	uint16_t frag;

	if (len < 20 || (b[0] >> 4) != 4)
		return -EINVAL;
	ihl = (size_t)(b[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return -EINVAL;
	tot = rd16(b + 2);
	/* An ICMP error quotes a truncated packet: its total length may exceed what is there. */
	if (tot < ihl)
		return -EINVAL;
	if (tot > len)
		tot = len;
	memset(t, 0, sizeof(*t));
	t->proto = b[9];
	set_ip4(&t->src, b + 12);
	set_ip4(&t->dst, b + 16);
	frag = rd16(b + 6) & 0x1fff;
	if (frag)
		return 0;	/* a later fragment: no transport header */
	l4 = b + ihl;
	l4len = tot - ihl;

	switch (t->proto) {
	case PATH_PROTO_ICMP: {
		uint8_t type, code;

		if (l4len < 8)
			return depth ? 0 : -EINVAL;
		type = l4[0];
		code = l4[1];
		if (!depth) {
			p->icmp_type = type;
			p->icmp_code = code;
		}
		if (type == 0 || type == 8) {
			t->sport = t->dport = rd16(l4 + 4);
			if (!depth)
				p->icmp_seq = rd16(l4 + 6);
			*has_cookie = get_cookie(l4 + 8, l4len - 8, cookie);
		} else if (!depth && (type == 3 || type == 11 || type == 12)) {
			if (parse_ip(l4 + 8, l4len - 8, p, &p->inner, &p->inner_has_cookie,
				     p->inner_cookie, depth + 1) == 0)
				p->icmp_error = true;
		}
		break;
	}
	case PATH_PROTO_UDP:
		if (l4len < 4 || (l4len < 8 && !depth))
			return depth ? 0 : -EINVAL;
		t->sport = rd16(l4);
		t->dport = rd16(l4 + 2);
		if (l4len >= 8)
			*has_cookie = get_cookie(l4 + 8, l4len - 8, cookie);
		break;
	case PATH_PROTO_TCP:
		if (l4len < 4)
			return depth ? 0 : -EINVAL;
		t->sport = rd16(l4);
		t->dport = rd16(l4 + 2);
		if (l4len >= 14 && !depth)
			p->tcp_flags = l4[13];
		break;
	default:
		break;
	}
	return 0;
}

int trace_parse_ipv4(const uint8_t *buf, size_t len, struct trace_pkt *p)
{
	return parse_ip(buf, len, p, &p->t, &p->has_cookie, p->cookie, 0);
}

int trace_parse_sll2(const uint8_t *buf, size_t caplen, struct trace_pkt *p)
{
	memset(p, 0, sizeof(*p));
	if (!buf || caplen < TRACE_SLL2_LEN)
		return -EINVAL;
	p->ethertype = rd16(buf);
	p->ifindex = (int)rd32(buf + 4);
	p->pkttype = buf[10];
	if (p->ethertype != 0x0800)
		return -EPROTO;
	return trace_parse_ipv4(buf + TRACE_SLL2_LEN, caplen - TRACE_SLL2_LEN, p);
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
	switch (t->proto) {
	case PATH_PROTO_ICMP:
		snprintf(buf, len, "icmp %s -> %s id %u", a, b, t->sport);
		break;
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
