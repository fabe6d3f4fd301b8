/* SPDX-License-Identifier: GPL-2.0-or-later */
/* family.c - the address families the live tracer knows, one row each: the probe's socket, the ICMP it speaks, its network header and how each kernel interface spells it. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "trace_int.h"

/* ---- IPv4 ---- */

static void ip4_set(struct nm_ip *ip, const void *addr)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET;
	ip->plen = 32;
	memcpy(ip->addr, addr, 4);
}

static int ip4_parse(const uint8_t *b, size_t len, struct trace_tuple *t, const uint8_t **l4,
		     size_t *l4len)
{
	size_t ihl, tot;

	if (len < 20 || (b[0] >> 4) != 4)
		return -EINVAL;
	ihl = (size_t)(b[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return -EINVAL;
	tot = trace_rd16(b + 2);
	/* An ICMP error quotes a truncated packet: its total length may exceed what is there. */
	if (tot < ihl)
		return -EINVAL;
	if (tot > len)
		tot = len;
	memset(t, 0, sizeof(*t));
	t->proto = b[9];
	ip4_set(&t->src, b + 12);
	ip4_set(&t->dst, b + 16);
	/* A later fragment has no transport header. */
	*l4 = trace_rd16(b + 6) & 0x1fff ? NULL : b + ihl;
	*l4len = tot - ihl;
	return 0;
}

static socklen_t ip4_to_sockaddr(const struct nm_ip *ip, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sa = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	if (ip && ip->family == AF_INET)
		memcpy(&sa->sin_addr, ip->addr, 4);
	return sizeof(*sa);
}

static bool ip4_from_sockaddr(const struct sockaddr_storage *ss, struct nm_ip *ip)
{
	const struct sockaddr_in *sa = (const struct sockaddr_in *)ss;

	if (!sa->sin_addr.s_addr)
		return false;
	ip4_set(ip, &sa->sin_addr);
	return true;
}

/* ---- the table ---- */

const struct trace_family trace_families[] = {
	{
		.af = AF_INET,
		.version = 4,
		.ethertype = 0x0800,		/* ETH_P_IP */
		.nfproto = NFPROTO_IPV4,
		.icmp_proto = IPPROTO_ICMP,
		.echo_request = 8,
		.echo_reply = 0,
		.icmp_unreach = 3,
		.icmp_time_exceeded = 11,
		.icmp_quoting = { 3, 11, 12 },	/* and parameter problem */
		.n_quoting = 3,
		.pcap_icmp = "icmp",
		.cta_src = CTA_IP_V4_SRC,
		.cta_dst = CTA_IP_V4_DST,
		.cta_icmp_id = CTA_PROTO_ICMP_ID,
		.addr_len = 4,
		.parse_net = ip4_parse,
		.to_sockaddr = ip4_to_sockaddr,
		.from_sockaddr = ip4_from_sockaddr,
	},
};

const size_t trace_n_families = ARRAY_SIZE(trace_families);

static unsigned int key_of(const struct trace_family *f, enum trace_family_key key)
{
	switch (key) {
	case TRACE_BY_AF:
		return (unsigned int)f->af;
	case TRACE_BY_ETHERTYPE:
		return f->ethertype;
	case TRACE_BY_VERSION:
		return f->version;
	case TRACE_BY_ICMP:
		return f->icmp_proto;
	}
	return ~0u;
}

const struct trace_family *trace_family_find(enum trace_family_key key, unsigned int value)
{
	size_t i;

	for (i = 0; i < trace_n_families; i++)
		if (key_of(&trace_families[i], key) == value)
			return &trace_families[i];
	return NULL;
}
