/* SPDX-License-Identifier: GPL-2.0-or-later */
/* values.c - values as nft prints them: verdicts, interface names, addresses and ranges, ports, icmp types, ct bits, inline sets. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nf.h"

enum nf_action_kind nf_nft_verdict(int32_t v, const char **word)
{
	static const struct {
		int32_t code;
		enum nf_action_kind kind;
		const char *word;
	} verdicts[] = {
		{ NF_ACCEPT, NF_ACT_ACCEPT, "accept" },
		{ NF_DROP, NF_ACT_DROP, "drop" },
		{ NFT_RETURN, NF_ACT_RETURN, "return" },
		{ NFT_CONTINUE, NF_ACT_CONTINUE, "continue" },
		{ NFT_JUMP, NF_ACT_JUMP, "jump" },
		{ NFT_GOTO, NF_ACT_GOTO, "goto" },
		{ NF_QUEUE, NF_ACT_QUEUE, "queue" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(verdicts); i++) {
		if (verdicts[i].code == v) {
			*word = verdicts[i].word;
			return verdicts[i].kind;
		}
	}
	*word = NULL;
	return NF_ACT_UNSUPPORTED;
}

static const char *icmp_type_name(int v6, unsigned int t)
{
	static const char *const v4[] = {
		[0] = "echo-reply", [3] = "destination-unreachable", [4] = "source-quench",
		[5] = "redirect", [8] = "echo-request", [9] = "router-advertisement",
		[10] = "router-solicitation", [11] = "time-exceeded", [12] = "parameter-problem",
		[13] = "timestamp-request", [14] = "timestamp-reply", [15] = "info-request",
		[16] = "info-reply", [17] = "address-mask-request", [18] = "address-mask-reply",
	};
	static const struct { unsigned int t; const char *n; } six[] = {
		{ 1, "destination-unreachable" }, { 2, "packet-too-big" }, { 3, "time-exceeded" },
		{ 4, "parameter-problem" }, { 128, "echo-request" }, { 129, "echo-reply" },
		{ 130, "mld-listener-query" }, { 131, "mld-listener-report" },
		{ 132, "mld-listener-done" }, { 133, "nd-router-solicit" },
		{ 134, "nd-router-advert" }, { 135, "nd-neighbor-solicit" },
		{ 136, "nd-neighbor-advert" }, { 137, "nd-redirect" }, { 138, "router-renumbering" },
		{ 143, "mld2-listener-report" },
	};
	size_t i;

	if (!v6)
		return t < ARRAY_SIZE(v4) ? v4[t] : NULL;
	for (i = 0; i < ARRAY_SIZE(six); i++)
		if (six[i].t == t)
			return six[i].n;
	return NULL;
}

void nf_nft_ct_bits_text(struct nf_buf *b, uint32_t v, bool status)
{
	static const char *const st[] = { "invalid", "established", "related", "new", NULL, NULL,
					  "untracked" };
	static const char *const stat[] = { "expected", "seen-reply", "assured", "confirmed",
					    "snat", "dnat", "dying" };
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < 32; i++) {
		const char *n = NULL;

		if (!(v & (1u << i)))
			continue;
		if (!status && i < 7)
			n = st[i];
		if (status && i < 7)
			n = stat[i];
		if (n)
			nf_buf_printf(b, "%s%s", sep, n);
		else
			nf_buf_printf(b, "%s0x%x", sep, 1u << i);
		sep = ",";
	}
	if (!v)
		nf_buf_puts(b, "0x0");
}

static void ifname_text(struct nf_buf *b, const uint8_t *d, uint32_t len)
{
	char name[17];
	size_t n = len < 16 ? len : 16;
	bool exact;

	memcpy(name, d, n);
	name[n] = '\0';
	exact = strnlen((const char *)d, n) < n;
	nf_buf_printf(b, "\"%s%s\"", name, exact ? "" : "*");
}

/* An address of family af from the first bytes of d, "/plen" when it is a shorter prefix. */
static void addr_text(struct nf_buf *b, int af, const uint8_t *d, uint32_t len, int plen)
{
	uint8_t a[16] = { 0 };
	uint32_t alen = af == AF_INET6 ? 16 : 4;
	char s[INET6_ADDRSTRLEN];

	memcpy(a, d, len < alen ? len : alen);
	inet_ntop(af, a, s, sizeof(s));
	nf_buf_puts(b, s);
	if (plen >= 0 && plen < (int)alen * 8)
		nf_buf_printf(b, "/%d", plen);
}

/* A name where one is known, else the number (the first byte of d). */
static void name_or_number(struct nf_buf *b, const char *name, const uint8_t *d, uint32_t len)
{
	if (name)
		nf_buf_puts(b, name);
	else
		nf_buf_printf(b, "%u", len >= 1 ? d[0] : 0);
}

/* An integer the kernel keeps in host byte order (numgen's result), 1 to 4 bytes. */
static void host_int_text(struct nf_buf *b, const uint8_t *d, uint32_t len)
{
	uint32_t v = 0;

	memcpy(&v, d, len < 4 ? len : 4);
	nf_buf_printf(b, "%u", v);
}

/* A tcp flag as a set element: its name when it is one flag, else the number in hex. */
static void tcp_flag_text(struct nf_buf *b, const uint8_t *d, uint32_t len)
{
	static const char *const fl[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
	unsigned int i;

	for (i = 0; len == 1 && i < 8; i++) {
		if (d[0] == 1u << i) {
			nf_buf_puts(b, fl[i]);
			return;
		}
	}
	nf_buf_printf(b, "0x%02x", len ? d[0] : 0);
}

static const char *nfproto_name(uint8_t p)
{
	return p == 2 ? "ipv4" : p == 10 ? "ipv6" : NULL;
}

void nf_nft_value_text(struct nf_buf *b, int kind, const uint8_t *d, uint32_t len, int plen)
{
	uint32_t i;

	switch (kind) {
	case NF_VK_IFNAME:
		ifname_text(b, d, len);
		break;
	case NF_VK_IPV4:
		addr_text(b, AF_INET, d, len, plen);
		break;
	case NF_VK_IPV6:
		addr_text(b, AF_INET6, d, len, plen);
		break;
	case NF_VK_PORT:
		nf_buf_printf(b, "%u", len >= 2 ? (unsigned int)(d[0] << 8 | d[1]) : 0);
		break;
	case NF_VK_PROTO:
		name_or_number(b, len >= 1 ? nm_proto_name(d[0]) : NULL, d, len);
		break;
	case NF_VK_MARK:
		nf_buf_printf(b, "0x%08x", len >= 4 ? nf_rd32(d) : 0);
		break;
	case NF_VK_ICMP:
	case NF_VK_ICMP6:
		name_or_number(b, len >= 1 ? icmp_type_name(kind == NF_VK_ICMP6, d[0]) : NULL, d, len);
		break;
	case NF_VK_CT_STATE:
	case NF_VK_CT_STATUS:
		nf_nft_ct_bits_text(b, len >= 4 ? nf_rd32(d) : 0, kind == NF_VK_CT_STATUS);
		break;
	case NF_VK_NFPROTO:
		name_or_number(b, len >= 1 ? nfproto_name(d[0]) : NULL, d, len);
		break;
	case NF_VK_HOST_INT:
		host_int_text(b, d, len);
		break;
	case NF_VK_CT_DIR:
		name_or_number(b, len == 1 && d[0] <= 1 ? (d[0] ? "reply" : "original") : NULL, d, len);
		break;
	case NF_VK_TCP_FLAG:
		tcp_flag_text(b, d, len);
		break;
	default:
		nf_buf_puts(b, "0x");
		for (i = 0; i < len; i++)
			nf_buf_printf(b, "%02x", d[i]);
		break;
	}
}

/* The prefix length if [lo, hi] is exactly one prefix, else -1. */
static int range_plen(const struct nm_ip *lo, const struct nm_ip *hi, size_t alen)
{
	int p;

	for (p = 0; p <= (int)alen * 8; p++) {
		size_t i;
		bool ok = true;

		for (i = 0; i < alen * 8; i++) {
			size_t by = i / 8;
			uint8_t bit = (uint8_t)(0x80 >> (i % 8));
			bool l = lo->addr[by] & bit, h = hi->addr[by] & bit;

			if ((int)i < p ? (l != h) : (l || !h)) {
				ok = false;
				break;
			}
		}
		if (ok)
			return p;
	}
	return -1;
}

void nf_nft_addr_range_text(struct nf_buf *b, const struct nm_ip *lo, const struct nm_ip *hi)
{
	size_t alen = lo->family == AF_INET6 ? 16 : 4;
	char s[INET6_ADDRSTRLEN];
	int plen;

	inet_ntop(lo->family == AF_INET6 ? AF_INET6 : AF_INET, lo->addr, s, sizeof(s));
	nf_buf_puts(b, s);
	if (memcmp(lo->addr, hi->addr, alen) == 0)
		return;
	plen = range_plen(lo, hi, alen);
	if (plen >= 0) {
		nf_buf_printf(b, "/%d", plen);
		return;
	}
	inet_ntop(hi->family == AF_INET6 ? AF_INET6 : AF_INET, hi->addr, s, sizeof(s));
	nf_buf_printf(b, "-%s", s);
}

void nf_nft_set_inline(struct nf_buf *b, const struct nf_set *s)
{
	size_t i;

	nf_buf_puts(b, "{ ");
	for (i = 0; i < s->n_elems; i++) {
		if (i)
			nf_buf_puts(b, ", ");
		nf_buf_puts(b, s->elems[i].text ? s->elems[i].text : "?");
		if (s->elems[i].data_text)
			nf_buf_printf(b, " : %s", s->elems[i].data_text);
	}
	nf_buf_puts(b, " }");
}
