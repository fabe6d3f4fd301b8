/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nf_expr.c - native nf_tables rule expressions -> model + nft / iptables-save text (register simulation). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nf_int.h"
#include "nf_nft.h"

#define NREGS 20		/* 32-bit words: 0-3 verdict, 4-19 data */

enum src_kind { SRC_NONE = 0, SRC_META, SRC_PAYLOAD, SRC_CT, SRC_FIB, SRC_IMM, SRC_OTHER };

struct reg {
	enum src_kind kind;
	uint32_t key;		/* meta key, ct key, fib result */
	uint32_t base, offset, len;
	uint32_t flags;		/* fib flags */
	bool has_dir;
	uint8_t dir;
	uint8_t data[16];	/* immediate */
	uint32_t dlen;
	bool masked;		/* bitwise mask/xor applied */
	uint8_t mask[16], xor[16];
	bool other_op;		/* shift / byteorder: not modelled */
	/* pending "cmp gte" (nft ranges are cmp gte + cmp lte) */
	bool has_gte;
	uint8_t gte[16];
};

struct piece {
	char *text;
	bool hidden;		/* a protocol dependency nft does not print */
	bool ipt_bad;		/* not expressible in iptables syntax */
};

struct rctx {
	const struct nf_table *t;
	struct nf_rule *r;		/* native structured result */
	struct nf_ipt *ipt;		/* iptables view */
	unsigned int ipt_bad;		/* constructs the iptables view cannot express */
	struct reg regs[NREGS];
	struct piece *pieces;
	size_t n_pieces;
	/* context from earlier matches */
	int l3;				/* NF_FAMILY_IP / IP6 / 0 */
	int l4;				/* -1 unknown */
	ssize_t l4_piece;		/* index of the "meta l4proto X" piece, -1 */
	ssize_t l3_piece;
};

static int reg_index(uint32_t reg)
{
	if (reg <= NFT_REG_4)
		return (int)reg * 4;
	if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		return (int)(reg - NFT_REG32_00) + 4;
	return -1;
}

static struct reg *reg_get(struct rctx *c, uint32_t reg)
{
	int i = reg_index(reg);

	if (i < 4 || i >= NREGS)
		return NULL;
	return &c->regs[i];
}

static size_t add_piece(struct rctx *c, char *text)
{
	struct piece *p = NM_PUSH(c->pieces, c->n_pieces);

	p->text = text;
	return c->n_pieces - 1;
}

static void unsupported_piece(struct rctx *c, const char *what)
{
	add_piece(c, nm_xasprintf("unsupported: %s", what));
	nf_rule_add_unsupported(c->r, what, NULL);
	c->ipt_bad++;
}

static const void *edata(const struct nftnl_expr *e, uint16_t attr, uint32_t *len)
{
	*len = 0;
	if (!nftnl_expr_is_set(e, attr))
		return NULL;
	return nftnl_expr_get(e, attr, len);
}

static uint32_t eu32(const struct nftnl_expr *e, uint16_t attr, uint32_t dflt)
{
	if (!nftnl_expr_is_set(e, attr))
		return dflt;
	return nftnl_expr_get_u32(e, attr);
}

static void expr_raw(const struct nftnl_expr *e, char *buf, size_t len)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	char tmp[512];

	tmp[0] = '\0';
	nftnl_expr_snprintf(tmp, sizeof(tmp), e, NFTNL_OUTPUT_DEFAULT, 0);
	snprintf(buf, len, "[ %s %s]", name ? name : "?", tmp);
}

/* ---- left-hand sides ---- */

static const char *meta_key_name(uint32_t k)
{
	switch (k) {
	case NFT_META_LEN: return "meta length";
	case NFT_META_PROTOCOL: return "meta protocol";
	case NFT_META_PRIORITY: return "meta priority";
	case NFT_META_MARK: return "meta mark";
	case NFT_META_IIF: return "iif";
	case NFT_META_OIF: return "oif";
	case NFT_META_IIFNAME: return "iifname";
	case NFT_META_OIFNAME: return "oifname";
	case NFT_META_IIFTYPE: return "iiftype";
	case NFT_META_OIFTYPE: return "oiftype";
	case NFT_META_SKUID: return "meta skuid";
	case NFT_META_SKGID: return "meta skgid";
	case NFT_META_NFTRACE: return "meta nftrace";
	case NFT_META_NFPROTO: return "meta nfproto";
	case NFT_META_L4PROTO: return "meta l4proto";
	case NFT_META_BRI_IIFNAME: return "meta ibrname";
	case NFT_META_BRI_OIFNAME: return "meta obrname";
	case NFT_META_PKTTYPE: return "meta pkttype";
	case NFT_META_IIFGROUP: return "iifgroup";
	case NFT_META_OIFGROUP: return "oifgroup";
	default: return NULL;
	}
}

static const char *l4_name(int l4)
{
	switch (l4) {
	case 6: return "tcp";
	case 17: return "udp";
	case 132: return "sctp";
	case 136: return "udplite";
	case 33: return "dccp";
	default: return NULL;
	}
}

/* Describe what a register holds: lhs text for nft, and the field. Returns false if the
 * source is not something we model. */
static bool reg_lhs(struct rctx *c, const struct reg *g, char *lhs, size_t len, enum nf_field *field)
{
	*field = NF_FIELD_UNKNOWN;
	if (g->other_op)
		return false;
	switch (g->kind) {
	case SRC_META: {
		const char *n = meta_key_name(g->key);

		if (!n)
			return false;
		snprintf(lhs, len, "%s", n);
		if (g->key == NFT_META_IIFNAME)
			*field = NF_FIELD_IIFNAME;
		else if (g->key == NFT_META_OIFNAME)
			*field = NF_FIELD_OIFNAME;
		else if (g->key == NFT_META_L4PROTO)
			*field = NF_FIELD_L4PROTO;
		else if (g->key == NFT_META_MARK)
			*field = NF_FIELD_MARK;
		return true;
	}
	case SRC_CT:
		if (g->key == NFT_CT_STATE) {
			snprintf(lhs, len, "ct state");
			*field = NF_FIELD_CT_STATE;
		} else if (g->key == NFT_CT_STATUS) {
			snprintf(lhs, len, "ct status");
		} else if (g->key == NFT_CT_DIRECTION) {
			snprintf(lhs, len, "ct direction");
		} else if (g->key == NFT_CT_MARK) {
			snprintf(lhs, len, "ct mark");
		} else {
			return false;
		}
		return true;
	case SRC_PAYLOAD: {
		int l3 = c->l3;

		if (g->base == NFT_PAYLOAD_NETWORK_HEADER && l3 == NF_FAMILY_IP) {
			if (g->offset == 12 && g->len <= 4)
				snprintf(lhs, len, "ip saddr"), *field = NF_FIELD_SADDR;
			else if (g->offset == 16 && g->len <= 4)
				snprintf(lhs, len, "ip daddr"), *field = NF_FIELD_DADDR;
			else if (g->offset == 9 && g->len == 1)
				snprintf(lhs, len, "ip protocol"), *field = NF_FIELD_L4PROTO;
			else
				return false;
			return true;
		}
		if (g->base == NFT_PAYLOAD_NETWORK_HEADER && l3 == NF_FAMILY_IP6) {
			if (g->offset == 8 && g->len <= 16)
				snprintf(lhs, len, "ip6 saddr"), *field = NF_FIELD_SADDR;
			else if (g->offset == 24 && g->len <= 16)
				snprintf(lhs, len, "ip6 daddr"), *field = NF_FIELD_DADDR;
			else if (g->offset == 6 && g->len == 1)
				snprintf(lhs, len, "ip6 nexthdr"), *field = NF_FIELD_L4PROTO;
			else
				return false;
			return true;
		}
		if (g->base == NFT_PAYLOAD_TRANSPORT_HEADER) {
			const char *pn = l4_name(c->l4);

			if ((c->l4 == 1 || c->l4 == 58) && g->len == 1 && g->offset <= 1) {
				snprintf(lhs, len, "%s %s", c->l4 == 1 ? "icmp" : "icmpv6",
					 g->offset == 0 ? "type" : "code");
				if (g->offset == 0)
					*field = NF_FIELD_ICMP_TYPE;
				return true;
			}
			if (g->len == 2 && (g->offset == 0 || g->offset == 2)) {
				snprintf(lhs, len, "%s %s", pn ? pn : "th",
					 g->offset == 0 ? "sport" : "dport");
				*field = g->offset == 0 ? NF_FIELD_SPORT : NF_FIELD_DPORT;
				return true;
			}
			if (c->l4 == 6 && g->offset == 13 && g->len == 1) {
				snprintf(lhs, len, "tcp flags");
				return true;
			}
		}
		return false;
	}
	case SRC_FIB:
		if (g->key == NFT_FIB_RESULT_ADDRTYPE) {
			char f[64] = "";

			snprintf(f, sizeof(f), "%s%s%s%s",
				 (g->flags & NFTA_FIB_F_SADDR) ? "saddr" : "daddr",
				 (g->flags & NFTA_FIB_F_MARK) ? " . mark" : "",
				 (g->flags & NFTA_FIB_F_IIF) ? " . iif" : "",
				 (g->flags & NFTA_FIB_F_OIF) ? " . oif" : "");
			snprintf(lhs, len, "fib %s type", f);
			return true;
		}
		return false;
	default:
		return false;
	}
}

/* ---- value formatting ---- */

static const char *const rtn_lower[] = {
	"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
	"blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve",
};

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

static void ct_bits_text(struct nf_buf *b, uint32_t v, bool status)
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

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Format a value of field type for nft. */
void nf_nft_value_text(struct nf_buf *b, int kind, const uint8_t *d, uint32_t len, int plen)
{
	char s[INET6_ADDRSTRLEN];

	switch (kind) {
	case NF_VK_IFNAME: {
		char name[17];
		size_t n = len < 16 ? len : 16;
		bool exact;

		memcpy(name, d, n);
		name[n] = '\0';
		exact = strnlen((const char *)d, n) < n;
		nf_buf_printf(b, "\"%s%s\"", name, exact ? "" : "*");
		break;
	}
	case NF_VK_IPV4: {
		uint8_t a[4] = { 0 };

		memcpy(a, d, len < 4 ? len : 4);
		inet_ntop(AF_INET, a, s, sizeof(s));
		nf_buf_puts(b, s);
		if (plen >= 0 && plen < 32)
			nf_buf_printf(b, "/%d", plen);
		break;
	}
	case NF_VK_IPV6: {
		uint8_t a[16] = { 0 };

		memcpy(a, d, len < 16 ? len : 16);
		inet_ntop(AF_INET6, a, s, sizeof(s));
		nf_buf_puts(b, s);
		if (plen >= 0 && plen < 128)
			nf_buf_printf(b, "/%d", plen);
		break;
	}
	case NF_VK_PORT:
		nf_buf_printf(b, "%u", len >= 2 ? (unsigned int)(d[0] << 8 | d[1]) : 0);
		break;
	case NF_VK_PROTO: {
		const char *pn = len >= 1 ? nm_proto_name(d[0]) : NULL;

		if (pn)
			nf_buf_puts(b, pn);
		else
			nf_buf_printf(b, "%u", len >= 1 ? d[0] : 0);
		break;
	}
	case NF_VK_MARK:
		nf_buf_printf(b, "0x%08x", len >= 4 ? rd32(d) : 0);
		break;
	case NF_VK_ICMP:
	case NF_VK_ICMP6: {
		const char *n = len >= 1 ? icmp_type_name(kind == NF_VK_ICMP6, d[0]) : NULL;

		if (n)
			nf_buf_puts(b, n);
		else
			nf_buf_printf(b, "%u", len >= 1 ? d[0] : 0);
		break;
	}
	case NF_VK_CT_STATE:
		ct_bits_text(b, len >= 4 ? rd32(d) : 0, false);
		break;
	case NF_VK_CT_STATUS:
		ct_bits_text(b, len >= 4 ? rd32(d) : 0, true);
		break;
	case NF_VK_NFPROTO:
		if (len >= 1 && d[0] == 2)
			nf_buf_puts(b, "ipv4");
		else if (len >= 1 && d[0] == 10)
			nf_buf_puts(b, "ipv6");
		else
			nf_buf_printf(b, "%u", len >= 1 ? d[0] : 0);
		break;
	default: {
		uint32_t i;

		nf_buf_puts(b, "0x");
		for (i = 0; i < len; i++)
			nf_buf_printf(b, "%02x", d[i]);
		break;
	}
	}
}

static int reg_value_kind(struct rctx *c, const struct reg *g)
{
	switch (g->kind) {
	case SRC_META:
		switch (g->key) {
		case NFT_META_IIFNAME:
		case NFT_META_OIFNAME:
		case NFT_META_BRI_IIFNAME:
		case NFT_META_BRI_OIFNAME:
			return NF_VK_IFNAME;
		case NFT_META_L4PROTO:
			return NF_VK_PROTO;
		case NFT_META_MARK:
			return NF_VK_MARK;
		case NFT_META_NFPROTO:
			return NF_VK_NFPROTO;
		default:
			return NF_VK_HEX;
		}
	case SRC_CT:
		if (g->key == NFT_CT_STATE)
			return NF_VK_CT_STATE;
		if (g->key == NFT_CT_STATUS)
			return NF_VK_CT_STATUS;
		if (g->key == NFT_CT_MARK)
			return NF_VK_MARK;
		return NF_VK_HEX;
	case SRC_PAYLOAD:
		if (g->base == NFT_PAYLOAD_NETWORK_HEADER) {
			if (c->l3 == NF_FAMILY_IP && (g->offset == 12 || g->offset == 16))
				return NF_VK_IPV4;
			if (c->l3 == NF_FAMILY_IP6 && (g->offset == 8 || g->offset == 24))
				return NF_VK_IPV6;
			if (g->len == 1)
				return NF_VK_PROTO;
		}
		if (g->base == NFT_PAYLOAD_TRANSPORT_HEADER) {
			if ((c->l4 == 1 || c->l4 == 58) && g->offset == 0 && g->len == 1)
				return c->l4 == 1 ? NF_VK_ICMP : NF_VK_ICMP6;
			if (g->len == 2)
				return NF_VK_PORT;
		}
		return NF_VK_HEX;
	default:
		return NF_VK_HEX;
	}
}

int nf_nft_field_value_kind(enum nf_field f, int l3, int l4)
{
	switch (f) {
	case NF_FIELD_IIFNAME:
	case NF_FIELD_OIFNAME:
		return NF_VK_IFNAME;
	case NF_FIELD_SADDR:
	case NF_FIELD_DADDR:
		return l3 == NF_FAMILY_IP6 ? NF_VK_IPV6 : NF_VK_IPV4;
	case NF_FIELD_L4PROTO:
		return NF_VK_PROTO;
	case NF_FIELD_SPORT:
	case NF_FIELD_DPORT:
		return NF_VK_PORT;
	case NF_FIELD_MARK:
		return NF_VK_MARK;
	case NF_FIELD_CT_STATE:
		return NF_VK_CT_STATE;
	case NF_FIELD_ICMP_TYPE:
		return l4 == 58 ? NF_VK_ICMP6 : NF_VK_ICMP;
	default:
		return NF_VK_HEX;
	}
}

/* ---- iptables view helpers ---- */

static uint8_t *ipt_tcpudp(struct rctx *c, int proto)
{
	const char *name = proto == 6 ? "tcp" : "udp";
	struct nf_xt_item *it;
	uint8_t info[16] = { 0 };
	uint16_t any_hi = 0xffff;

	if (c->ipt->n_items) {
		it = &c->ipt->items[c->ipt->n_items - 1];
		if (it->native && strcmp(it->name, name) == 0)
			return it->info;
	}
	memcpy(info + 2, &any_hi, 2);
	memcpy(info + 6, &any_hi, 2);
	it = nf_ipt_add_item(c->ipt, name, 0, info, 16);
	it->native = true;
	return it->info;
}

static void ipt_ports(struct rctx *c, bool dport, uint16_t lo, uint16_t hi, bool inv)
{
	uint8_t *p;

	if (c->l4 != 6 && c->l4 != 17) {
		c->ipt_bad++;
		return;
	}
	p = ipt_tcpudp(c, c->l4);
	memcpy(p + (dport ? 4 : 0), &lo, 2);
	memcpy(p + (dport ? 6 : 2), &hi, 2);
	if (inv)
		p[c->l4 == 6 ? 11 : 8] |= dport ? 2 : 1;
}

static void ipt_iface(struct rctx *c, bool in, const uint8_t *d, uint32_t len, bool inv)
{
	char *dst = in ? c->ipt->iniface : c->ipt->outiface;
	size_t n = len < 16 ? len : 16;
	bool exact = strnlen((const char *)d, n) < n;

	memcpy(dst, d, n);
	dst[n] = '\0';
	if (!exact && strlen(dst) < 16)
		strcat(dst, "+");
	if (in)
		c->ipt->inv_in = inv;
	else
		c->ipt->inv_out = inv;
}

static void ipt_addr(struct rctx *c, bool src, const uint8_t *d, uint32_t len, const uint8_t *mask,
		     bool inv)
{
	uint8_t *a = src ? c->ipt->src : c->ipt->dst;
	uint8_t *m = src ? c->ipt->smsk : c->ipt->dmsk;
	uint32_t i;

	memset(a, 0, 16);
	memset(m, 0, 16);
	for (i = 0; i < len && i < 16; i++) {
		m[i] = mask ? mask[i] : 0xff;
		a[i] = d[i] & m[i];
	}
	if (src) {
		c->ipt->has_src = true;
		c->ipt->inv_src = inv;
	} else {
		c->ipt->has_dst = true;
		c->ipt->inv_dst = inv;
	}
}

/* ---- matches ---- */

static void set_l4(struct rctx *c, int proto, size_t piece)
{
	c->l4 = proto;
	c->l4_piece = (ssize_t)piece;
}

static void hide_dependency(struct rctx *c, const struct reg *g)
{
	if (g->kind != SRC_PAYLOAD)
		return;
	if (g->base == NFT_PAYLOAD_TRANSPORT_HEADER && c->l4_piece >= 0) {
		c->pieces[c->l4_piece].hidden = true;
		c->l4_piece = -1;
	}
	if (g->base == NFT_PAYLOAD_NETWORK_HEADER && c->l3_piece >= 0) {
		c->pieces[c->l3_piece].hidden = true;
		c->l3_piece = -1;
	}
}

static int mask_plen_of(const struct reg *g, uint32_t len)
{
	if (!g->masked)
		return (int)len * 8;
	return nf_mask_plen(g->mask, len);
}

/* cmp eq/neq (or a gte/lte range) on a register: one condition. */
static void emit_cmp(struct rctx *c, struct reg *g, uint32_t op, const uint8_t *d, uint32_t dlen,
		     const uint8_t *hi)
{
	char lhs[64];
	enum nf_field field;
	struct nf_buf b = { 0 };
	bool inv = op == NFT_CMP_NEQ;
	int vk;
	struct nf_match *m;
	size_t piece;

	if ((op != NFT_CMP_EQ && op != NFT_CMP_NEQ && !hi) || !reg_lhs(c, g, lhs, sizeof(lhs), &field)) {
		char raw[128];

		snprintf(raw, sizeof(raw), "cmp op %u on unknown source", op);
		unsupported_piece(c, raw);
		return;
	}
	vk = reg_value_kind(c, g);

	/* ct state/status as flags: "(x & M) != 0" */
	if (g->kind == SRC_CT && (g->key == NFT_CT_STATE || g->key == NFT_CT_STATUS)) {
		uint32_t v = dlen >= 4 ? rd32(d) : 0;
		uint32_t bits = v;

		if (g->masked) {
			bits = rd32(g->mask);
			if (v != 0) {
				unsupported_piece(c, "ct state with mask and value");
				return;
			}
			inv = op == NFT_CMP_EQ;
		}
		nf_buf_printf(&b, "%s %s", lhs, inv ? "!= " : "");
		ct_bits_text(&b, bits, g->key == NFT_CT_STATUS);
		if (g->key == NFT_CT_STATE) {
			m = nf_rule_add_match(c->r, NF_MATCH_CT_STATE, inv);
			m->ct_state = nf_ct_from_nft(bits);
		} else {
			m = nf_rule_add_match(c->r, NF_MATCH_CT_STATUS, inv);
			m->value = bits;
		}
		add_piece(c, nf_buf_steal(&b));
		c->ipt_bad++;
		return;
	}
	if (g->kind == SRC_CT && g->key == NFT_CT_DIRECTION) {
		uint8_t v = dlen ? d[0] : 0;

		m = nf_rule_add_match(c->r, NF_MATCH_CT_DIRECTION, inv);
		m->value = v;
		add_piece(c, nm_xasprintf("ct direction %s%s", inv ? "!= " : "",
					  v ? "reply" : "original"));
		c->ipt_bad++;
		return;
	}
	if (g->kind == SRC_FIB) {
		uint32_t v = dlen >= 4 ? rd32(d) : 0;

		m = nf_rule_add_match(c->r, NF_MATCH_ADDRTYPE, inv);
		m->addr_dir = (g->flags & NFTA_FIB_F_SADDR) ? NF_PORT_SRC : NF_PORT_DST;
		m->addrtypes = v < 32 ? 1u << v : 0;
		m->limit_iface = g->flags & (NFTA_FIB_F_IIF | NFTA_FIB_F_OIF);
		add_piece(c, nm_xasprintf("%s %s%s", lhs, inv ? "!= " : "",
					  v < 12 ? rtn_lower[v] : "?"));
		c->ipt_bad++;
		return;
	}

	nf_buf_printf(&b, "%s ", lhs);
	if (g->masked && g->kind == SRC_META && g->key == NFT_META_MARK) {
		nf_buf_printf(&b, "& 0x%08x %s ", rd32(g->mask), inv ? "!=" : "==");
	} else if (g->kind == SRC_PAYLOAD && c->l4 == 6 && g->base == NFT_PAYLOAD_TRANSPORT_HEADER &&
		   g->offset == 13) {
		static const char *const fl[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
		const char *sep = "";
		unsigned int i;
		uint8_t v = dlen ? d[0] : 0, mk = g->masked ? g->mask[0] : 0xff;

		b.len = 0;
		b.s[0] = '\0';
		nf_buf_printf(&b, "tcp flags %s", inv ? "!= " : "");
		for (i = 0; i < 8; i++)
			if (v & (1u << i)) {
				nf_buf_printf(&b, "%s%s", sep, fl[i]);
				sep = ",";
			}
		if (!v)
			nf_buf_puts(&b, "0x0");
		if (g->masked) {
			nf_buf_puts(&b, " / ");
			sep = "";
			for (i = 0; i < 8; i++)
				if (mk & (1u << i)) {
					nf_buf_printf(&b, "%s%s", sep, fl[i]);
					sep = ",";
				}
		}
		m = nf_rule_add_match(c->r, NF_MATCH_TCP_FLAGS, inv);
		m->mask = mk;
		m->value = v;
		if (!inv) {
			uint8_t *p = ipt_tcpudp(c, 6);

			p[9] = mk;
			p[10] = v;
		} else {
			c->ipt_bad++;
		}
		hide_dependency(c, g);
		add_piece(c, nf_buf_steal(&b));
		return;
	} else if (inv) {
		nf_buf_puts(&b, "!= ");
	}

	switch (field) {
	case NF_FIELD_IIFNAME:
	case NF_FIELD_OIFNAME: {
		size_t n = dlen < 16 ? dlen : 16;
		bool exact = strnlen((const char *)d, n) < n;
		char name[17];

		memcpy(name, d, n);
		name[n] = '\0';
		m = nf_rule_add_match(c->r, field == NF_FIELD_IIFNAME ? NF_MATCH_IIF : NF_MATCH_OIF, inv);
		m->ifname = nm_xstrdup(name);
		m->ifprefix = !exact;
		ipt_iface(c, field == NF_FIELD_IIFNAME, d, dlen, inv);
		nf_nft_value_text(&b, vk, d, dlen, -1);
		break;
	}
	case NF_FIELD_SADDR:
	case NF_FIELD_DADDR: {
		int plen = mask_plen_of(g, g->len);
		bool v6 = c->l3 == NF_FAMILY_IP6;

		if (plen < 0) {
			nf_buf_free(&b);
			unsupported_piece(c, "address with non-prefix mask");
			return;
		}
		m = nf_rule_add_match(c->r, field == NF_FIELD_SADDR ? NF_MATCH_SADDR : NF_MATCH_DADDR, inv);
		m->prefix.family = v6 ? AF_INET6 : AF_INET;
		m->prefix.plen = (uint8_t)plen;
		memcpy(m->prefix.addr, d, dlen < (v6 ? 16u : 4u) ? dlen : (v6 ? 16u : 4u));
		ipt_addr(c, field == NF_FIELD_SADDR, d, g->len, g->masked ? g->mask : NULL, inv);
		nf_nft_value_text(&b, vk, d, dlen, plen);
		hide_dependency(c, g);
		break;
	}
	case NF_FIELD_L4PROTO: {
		uint8_t p = dlen ? d[0] : 0;

		m = nf_rule_add_match(c->r, NF_MATCH_L4PROTO, inv);
		m->proto = p;
		c->ipt->has_proto = true;
		c->ipt->proto = p;
		c->ipt->inv_proto = inv;
		nf_nft_value_text(&b, vk, d, dlen, -1);
		if (g->kind == SRC_PAYLOAD)
			hide_dependency(c, g);
		piece = add_piece(c, nf_buf_steal(&b));
		if (!inv)
			set_l4(c, p, piece);
		return;
	}
	case NF_FIELD_SPORT:
	case NF_FIELD_DPORT: {
		uint16_t lo = (uint16_t)(d[0] << 8 | d[1]);
		uint16_t hp = hi ? (uint16_t)(hi[0] << 8 | hi[1]) : lo;

		m = nf_rule_add_match(c->r, field == NF_FIELD_SPORT ? NF_MATCH_SPORT : NF_MATCH_DPORT, inv);
		m->proto = c->l4 > 0 ? (uint8_t)c->l4 : 0;
		m->port_min = lo;
		m->port_max = hp;
		ipt_ports(c, field == NF_FIELD_DPORT, lo, hp, inv);
		nf_nft_value_text(&b, vk, d, 2, -1);
		if (hi) {
			nf_buf_puts(&b, "-");
			nf_nft_value_text(&b, vk, hi, 2, -1);
		}
		hide_dependency(c, g);
		break;
	}
	case NF_FIELD_MARK: {
		m = nf_rule_add_match(c->r, NF_MATCH_MARK, inv);
		m->value = dlen >= 4 ? rd32(d) : 0;
		m->mask = g->masked ? rd32(g->mask) : 0xffffffffu;
		{
			uint8_t info[16] = { 0 };
			struct nf_xt_item *it;

			memcpy(info, &m->value, 4);
			memcpy(info + 4, &m->mask, 4);
			info[8] = inv;
			it = nf_ipt_add_item(c->ipt, "mark", 1, info, 16);
			it->native = true;
		}
		nf_nft_value_text(&b, vk, d, dlen, -1);
		break;
	}
	case NF_FIELD_ICMP_TYPE:
		m = nf_rule_add_match(c->r, NF_MATCH_ICMP_TYPE, inv);
		m->proto = (uint8_t)c->l4;
		m->icmp_type = dlen ? d[0] : 0;
		nf_nft_value_text(&b, vk, d, dlen, -1);
		hide_dependency(c, g);
		c->ipt_bad++;
		break;
	default:
		if (g->kind == SRC_META && g->key == NFT_META_NFPROTO) {
			m = nf_rule_add_match(c->r, NF_MATCH_NFPROTO, inv);
			m->value = dlen ? d[0] : 0;
			nf_nft_value_text(&b, vk, d, dlen, -1);
			piece = add_piece(c, nf_buf_steal(&b));
			if (!inv && dlen && (d[0] == 2 || d[0] == 10)) {
				c->l3 = d[0];
				c->l3_piece = (ssize_t)piece;
			}
			c->ipt_bad++;
			return;
		}
		if (g->kind == SRC_META && (g->key == NFT_META_IIF || g->key == NFT_META_OIF) &&
		    dlen >= 4 && rd32(d) == 1 && !g->masked) {
			/* ifindex 1 is "lo" in every namespace */
			m = nf_rule_add_match(c->r, g->key == NFT_META_IIF ? NF_MATCH_IIF : NF_MATCH_OIF, inv);
			m->ifname = nm_xstrdup("lo");
			nf_buf_puts(&b, "\"lo\"");
			c->ipt_bad++;
			break;
		}
		nf_nft_value_text(&b, vk, d, dlen, -1);
		nf_rule_add_unsupported(c->r, b.s, NULL);
		c->ipt_bad++;
		break;
	}
	add_piece(c, nf_buf_steal(&b));
}

/* ---- lookups ---- */

static size_t key_fields(struct rctx *c, uint32_t sreg, uint32_t key_len, enum nf_field *fields,
			 char *lhs, size_t lhslen, bool *ok)
{
	int idx = reg_index(sreg);
	size_t n = 0;
	uint32_t done = 0;

	*ok = true;
	lhs[0] = '\0';
	if (idx < 4)
		idx = 4;
	while (done < key_len && idx < NREGS && n < NF_MAX_KEY_FIELDS) {
		struct reg *g = &c->regs[idx];
		char one[64];
		uint32_t w;

		if (!reg_lhs(c, g, one, sizeof(one), &fields[n])) {
			*ok = false;
			return n;
		}
		if (n)
			strncat(lhs, " . ", lhslen - strlen(lhs) - 1);
		strncat(lhs, one, lhslen - strlen(lhs) - 1);
		hide_dependency(c, g);
		w = g->kind == SRC_PAYLOAD ? g->len : g->kind == SRC_META &&
		    (g->key == NFT_META_IIFNAME || g->key == NFT_META_OIFNAME) ? 16 : 4;
		if (g->kind == SRC_META && g->key == NFT_META_L4PROTO)
			w = 1;
		w = (w + 3) / 4;
		idx += (int)w;
		done += w * 4;
		n++;
	}
	return n;
}

static void emit_lookup(struct rctx *c, const struct nftnl_expr *e)
{
	const char *setname = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_SET) ?
			      nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET) : NULL;
	uint32_t sreg = eu32(e, NFTNL_EXPR_LOOKUP_SREG, 0);
	uint32_t flags = eu32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
	bool has_dreg = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG);
	uint32_t dreg = eu32(e, NFTNL_EXPR_LOOKUP_DREG, 0);
	const struct nf_set *s = setname ? nf_set_find(c->t, setname) : NULL;
	enum nf_field fields[NF_MAX_KEY_FIELDS] = { 0 };
	char lhs[160];
	bool ok;
	size_t n;
	struct nf_buf b = { 0 };

	if (!setname) {
		unsupported_piece(c, "lookup without set name");
		return;
	}
	n = key_fields(c, sreg, s ? s->key_len : 4, fields, lhs, sizeof(lhs), &ok);
	if (!ok || !n) {
		char *t = nm_xasprintf("lookup @%s on unknown key", setname);

		unsupported_piece(c, t);
		free(t);
		return;
	}
	nf_buf_printf(&b, "%s ", lhs);
	if (has_dreg && dreg == 0) {
		nf_buf_puts(&b, "vmap ");
	} else if (has_dreg) {
		nf_buf_free(&b);
		unsupported_piece(c, "data map lookup");
		return;
	} else if (flags & NFT_LOOKUP_F_INV) {
		nf_buf_puts(&b, "!= ");
	}
	if (s && (s->flags & NF_SET_F_ANONYMOUS))
		nf_nft_set_inline(&b, s);
	else
		nf_buf_printf(&b, "@%s", setname);
	if (has_dreg) {
		struct nf_action *a = &c->r->action;

		nf_action_clear(a);
		a->kind = NF_ACT_VMAP;
		a->set = nm_xstrdup(setname);
		memcpy(a->key, fields, sizeof(fields));
		a->n_key = n;
	} else {
		struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_SET, flags & NFT_LOOKUP_F_INV);

		m->set = nm_xstrdup(setname);
		memcpy(m->key, fields, sizeof(fields));
		m->n_key = n;
		/* a "meta l4proto { tcp, udp }" lookup is no dependency */
	}
	add_piece(c, nf_buf_steal(&b));
	c->ipt_bad++;
}

/* ---- statements ---- */

static void set_verdict(struct rctx *c, int32_t v, const char *chain)
{
	struct nf_action *a = &c->r->action;
	const char *t;

	nf_action_clear(a);
	switch (v) {
	case NF_ACCEPT: a->kind = NF_ACT_ACCEPT; t = "accept"; break;
	case NF_DROP: a->kind = NF_ACT_DROP; t = "drop"; break;
	case NFT_RETURN: a->kind = NF_ACT_RETURN; t = "return"; break;
	case NFT_CONTINUE: a->kind = NF_ACT_CONTINUE; t = "continue"; break;
	case NFT_JUMP: a->kind = NF_ACT_JUMP; t = "jump"; break;
	case NFT_GOTO: a->kind = NF_ACT_GOTO; t = "goto"; break;
	case NF_QUEUE: a->kind = NF_ACT_QUEUE; t = "queue"; break;
	default:
		a->kind = NF_ACT_UNSUPPORTED;
		a->text = nm_xasprintf("verdict %d", v);
		c->r->unsupported = true;
		add_piece(c, nm_xasprintf("unsupported: verdict %d", v));
		c->ipt_bad++;
		return;
	}
	if (a->kind == NF_ACT_JUMP || a->kind == NF_ACT_GOTO) {
		a->chain = nm_xstrdup(chain ? chain : "?");
		add_piece(c, nm_xasprintf("%s %s", t, a->chain));
	} else {
		add_piece(c, nm_xstrdup(t));
	}
	c->ipt->verdict = NF_IPT_STANDARD;
	c->ipt->std = a->kind;
	free(c->ipt->chain);
	c->ipt->chain = a->chain ? nm_xstrdup(a->chain) : NULL;
	if (a->kind == NF_ACT_CONTINUE || a->kind == NF_ACT_QUEUE)
		c->ipt_bad++;
}

static bool reg_imm(struct rctx *c, const struct nftnl_expr *e, uint16_t attr, const uint8_t **d,
		    uint32_t *len)
{
	struct reg *g;

	if (!nftnl_expr_is_set(e, attr))
		return false;
	g = reg_get(c, nftnl_expr_get_u32(e, attr));
	if (!g || g->kind != SRC_IMM)
		return false;
	*d = g->data;
	*len = g->dlen;
	return true;
}

static void nat_flags_nft(struct nf_buf *b, uint32_t f)
{
	const char *sep = " ";

	if (f & NF_NAT_F_RANDOM) {
		nf_buf_printf(b, "%srandom", sep);
		sep = ",";
	}
	if (f & NF_NAT_F_RANDOM_FULLY) {
		nf_buf_printf(b, "%sfully-random", sep);
		sep = ",";
	}
	if (f & NF_NAT_F_PERSISTENT)
		nf_buf_printf(b, "%spersistent", sep);
}

static void ports_nft(struct nf_buf *b, struct nf_action *a, const uint8_t *pmin, const uint8_t *pmax)
{
	a->port_min = (uint16_t)(pmin[0] << 8 | pmin[1]);
	a->port_max = pmax ? (uint16_t)(pmax[0] << 8 | pmax[1]) : a->port_min;
	nf_buf_printf(b, ":%u", a->port_min);
	if (a->port_max != a->port_min)
		nf_buf_printf(b, "-%u", a->port_max);
}

static void emit_nat(struct rctx *c, const struct nftnl_expr *e, const char *name)
{
	struct nf_action *a = &c->r->action;
	struct nf_buf b = { 0 };
	const uint8_t *amin = NULL, *amax = NULL, *pmin = NULL, *pmax = NULL;
	uint32_t lmin = 0, lmax = 0, l;
	uint32_t flags;
	bool v6;
	uint32_t fam;

	nf_action_clear(a);
	if (strcmp(name, "masq") == 0) {
		flags = eu32(e, NFTNL_EXPR_MASQ_FLAGS, 0);
		a->kind = NF_ACT_MASQUERADE;
		nf_buf_puts(&b, "masquerade");
		if (reg_imm(c, e, NFTNL_EXPR_MASQ_REG_PROTO_MIN, &pmin, &l)) {
			reg_imm(c, e, NFTNL_EXPR_MASQ_REG_PROTO_MAX, &pmax, &l);
			nf_buf_puts(&b, " to ");
			ports_nft(&b, a, pmin, pmax);
			flags |= NF_NAT_F_PROTO;
		}
	} else if (strcmp(name, "redir") == 0) {
		flags = eu32(e, NFTNL_EXPR_REDIR_FLAGS, 0);
		a->kind = NF_ACT_REDIRECT;
		nf_buf_puts(&b, "redirect");
		if (reg_imm(c, e, NFTNL_EXPR_REDIR_REG_PROTO_MIN, &pmin, &l)) {
			reg_imm(c, e, NFTNL_EXPR_REDIR_REG_PROTO_MAX, &pmax, &l);
			nf_buf_puts(&b, " to ");
			ports_nft(&b, a, pmin, pmax);
			flags |= NF_NAT_F_PROTO;
		}
	} else {
		uint32_t type = eu32(e, NFTNL_EXPR_NAT_TYPE, 0);
		bool has_a = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN);
		bool has_p = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN);

		flags = eu32(e, NFTNL_EXPR_NAT_FLAGS, 0);
		fam = eu32(e, NFTNL_EXPR_NAT_FAMILY, c->t->family);
		v6 = fam == NF_FAMILY_IP6;
		a->kind = type == NFT_NAT_SNAT ? NF_ACT_SNAT : NF_ACT_DNAT;
		if ((has_a && !reg_imm(c, e, NFTNL_EXPR_NAT_REG_ADDR_MIN, &amin, &lmin)) ||
		    (has_p && !reg_imm(c, e, NFTNL_EXPR_NAT_REG_PROTO_MIN, &pmin, &l))) {
			char raw[256];

			expr_raw(e, raw, sizeof(raw));
			a->kind = NF_ACT_UNSUPPORTED;
			a->text = nm_xstrdup("nat from a map or expression");
			a->raw = nm_xstrdup(raw);
			c->r->unsupported = true;
			add_piece(c, nm_xasprintf("unsupported: %s", raw));
			c->ipt_bad++;
			return;
		}
		if (has_a && !reg_imm(c, e, NFTNL_EXPR_NAT_REG_ADDR_MAX, &amax, &lmax)) {
			amax = amin;
			lmax = lmin;
		}
		if (has_p)
			reg_imm(c, e, NFTNL_EXPR_NAT_REG_PROTO_MAX, &pmax, &l);
		nf_buf_printf(&b, "%s", type == NFT_NAT_SNAT ? "snat" : "dnat");
		if (c->t->family == NF_FAMILY_INET)
			nf_buf_printf(&b, " %s", v6 ? "ip6" : "ip");
		nf_buf_puts(&b, " to ");
		if (amin) {
			size_t alen = v6 ? 16 : 4;

			a->addr_min.family = a->addr_max.family = v6 ? AF_INET6 : AF_INET;
			a->addr_min.plen = a->addr_max.plen = v6 ? 128 : 32;
			memcpy(a->addr_min.addr, amin, lmin < alen ? lmin : alen);
			memcpy(a->addr_max.addr, amax, lmax < alen ? lmax : alen);
			if (v6 && pmin)
				nf_buf_puts(&b, "[");
			nf_nft_addr_range_text(&b, &a->addr_min, &a->addr_max);
			if (v6 && pmin)
				nf_buf_puts(&b, "]");
		}
		if (pmin)
			ports_nft(&b, a, pmin, pmax);
	}
	a->nat_flags = flags;
	nat_flags_nft(&b, flags & ~(uint32_t)(NF_NAT_F_MAP_IPS | NF_NAT_F_PROTO));
	add_piece(c, nf_buf_steal(&b));
	c->ipt_bad++;
}

static void emit_reject(struct rctx *c, const struct nftnl_expr *e)
{
	uint32_t type = eu32(e, NFTNL_EXPR_REJECT_TYPE, 0);
	uint32_t code = nftnl_expr_is_set(e, NFTNL_EXPR_REJECT_CODE) ?
			nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE) : 0;
	struct nf_action *a = &c->r->action;
	static const char *const v4[] = {
		[0] = "net-unreachable", [1] = "host-unreachable", [2] = "prot-unreachable",
		[3] = "port-unreachable", [9] = "net-prohibited", [10] = "host-prohibited",
		[13] = "admin-prohibited",
	};
	static const char *const v6[] = {
		[0] = "no-route", [1] = "admin-prohibited", [3] = "addr-unreachable",
		[4] = "port-unreachable", [5] = "policy-fail", [6] = "reject-route",
	};
	static const char *const x[] = {
		[0] = "no-route", [1] = "port-unreachable", [2] = "host-unreachable",
		[3] = "admin-prohibited",
	};
	const char *n = NULL, *fam = "icmp";
	bool dflt = false;

	nf_action_clear(a);
	a->kind = NF_ACT_REJECT;
	if (type == NFT_REJECT_TCP_RST) {
		a->reject_with = nm_xstrdup("tcp-reset");
		add_piece(c, nm_xstrdup("reject with tcp reset"));
		c->ipt_bad++;
		return;
	}
	if (type == NFT_REJECT_ICMPX_UNREACH) {
		fam = "icmpx";
		n = code < 4 ? x[code] : NULL;
		dflt = code == 1;
	} else if (c->l3 == NF_FAMILY_IP6 || c->t->family == NF_FAMILY_IP6) {
		fam = "icmpv6";
		n = code < 7 ? v6[code] : NULL;
		dflt = code == 4;
	} else {
		n = code < 14 ? v4[code] : NULL;
		dflt = code == 3;
	}
	a->reject_with = nm_xasprintf("%s-%s", fam, n ? n : "?");
	if (dflt)
		add_piece(c, nm_xstrdup("reject"));
	else if (n)
		add_piece(c, nm_xasprintf("reject with %s %s", fam, n));
	else
		add_piece(c, nm_xasprintf("reject with %s %u", fam, code));
	c->ipt_bad++;
}

static void emit_log(struct rctx *c, const struct nftnl_expr *e)
{
	static const char *const levels[] = { "emerg", "alert", "crit", "err", "warn", "notice",
					      "info", "debug", "audit" };
	struct nf_action *a = NM_PUSH(c->r->effects, c->r->n_effects);
	struct nf_buf b = { 0 };
	const char *prefix = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX) ?
			     nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX) : NULL;
	bool has_group = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP);

	a->kind = NF_ACT_LOG;
	a->text = prefix ? nm_xstrdup(prefix) : NULL;
	nf_buf_puts(&b, "log");
	if (prefix)
		nf_buf_printf(&b, " prefix \"%s\"", prefix);
	if (has_group) {
		uint32_t snap = eu32(e, NFTNL_EXPR_LOG_SNAPLEN, 0);
		uint32_t qt = eu32(e, NFTNL_EXPR_LOG_QTHRESHOLD, 0);

		a->value = nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP);
		nf_buf_printf(&b, " group %u", a->value);
		if (snap)
			nf_buf_printf(&b, " snaplen %u", snap);
		if (qt)
			nf_buf_printf(&b, " queue-threshold %u", qt);
		/* iptables-nft: -j NFLOG is a native log with a group */
		{
			uint8_t info[80] = { 0 };
			uint16_t g16 = (uint16_t)a->value, q16 = (uint16_t)qt, f16 = snap ? 1 : 0;
			struct nf_xt_item *t = &c->ipt->target;

			memcpy(info, &snap, 4);
			memcpy(info + 4, &g16, 2);
			memcpy(info + 6, &q16, 2);
			memcpy(info + 8, &f16, 2);
			if (prefix)
				snprintf((char *)info + 12, 64, "%s", prefix);
			free(t->info);
			snprintf(t->name, sizeof(t->name), "NFLOG");
			t->rev = 0;
			t->info = nm_xcalloc(80, 1);
			memcpy(t->info, info, 80);
			t->len = 80;
			c->ipt->verdict = NF_IPT_TARGET;
		}
	} else {
		uint32_t level = eu32(e, NFTNL_EXPR_LOG_LEVEL, 4);

		a->value = level;
		if (level != 4)
			nf_buf_printf(&b, " level %s", level < 9 ? levels[level] : "?");
		c->ipt_bad++;
	}
	add_piece(c, nf_buf_steal(&b));
}

static void emit_limit(struct rctx *c, const struct nftnl_expr *e)
{
	uint64_t rate = nftnl_expr_is_set(e, NFTNL_EXPR_LIMIT_RATE) ?
			nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE) : 0;
	uint64_t unit = nftnl_expr_is_set(e, NFTNL_EXPR_LIMIT_UNIT) ?
			nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT) : 1;
	uint32_t burst = eu32(e, NFTNL_EXPR_LIMIT_BURST, 0);
	uint32_t type = eu32(e, NFTNL_EXPR_LIMIT_TYPE, 0);
	uint32_t flags = eu32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
	const char *u = unit == 1 ? "second" : unit == 60 ? "minute" : unit == 3600 ? "hour" :
			unit == 86400 ? "day" : unit == 604800 ? "week" : NULL;
	struct nf_buf b = { 0 };

	if (!u || type != 0) {
		char raw[256];

		expr_raw(e, raw, sizeof(raw));
		unsupported_piece(c, raw);
		return;
	}
	nf_buf_printf(&b, "limit rate %s%llu/%s", (flags & 1) ? "over " : "",
		      (unsigned long long)rate, u);
	if (burst != 5 && burst != 0)
		nf_buf_printf(&b, " burst %u packets", burst);
	/* a rate limit cannot be evaluated from a snapshot: keep it as unsupported */
	nf_rule_add_unsupported(c->r, b.s, NULL);
	add_piece(c, nf_buf_steal(&b));
	c->ipt_bad++;
}

static void emit_meta_set(struct rctx *c, const struct nftnl_expr *e)
{
	uint32_t key = eu32(e, NFTNL_EXPR_META_KEY, 0);
	struct reg *g = reg_get(c, eu32(e, NFTNL_EXPR_META_SREG, 0));

	if (key == NFT_META_MARK && g && g->kind == SRC_IMM && g->dlen >= 4) {
		struct nf_action *a = NM_PUSH(c->r->effects, c->r->n_effects);

		a->kind = NF_ACT_MARK_SET;
		a->value = rd32(g->data);
		a->mask = 0xffffffffu;
		add_piece(c, nm_xasprintf("meta mark set 0x%08x", a->value));
		c->ipt_bad++;
		return;
	}
	if (key == NFT_META_NFTRACE && g && g->kind == SRC_IMM) {
		add_piece(c, nm_xasprintf("meta nftrace set %u", g->dlen ? g->data[0] : 0));
		free(c->ipt->target.text);
		c->ipt->target.text = nm_xstrdup("-j TRACE");
		c->ipt->verdict = NF_IPT_TARGET;
		return;
	}
	{
		char raw[256];

		expr_raw(e, raw, sizeof(raw));
		unsupported_piece(c, raw);
	}
}

static void emit_xt(struct rctx *c, const struct nftnl_expr *e, bool target)
{
	uint16_t na = target ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME;
	uint16_t ra = target ? NFTNL_EXPR_TG_REV : NFTNL_EXPR_MT_REV;
	uint16_t ia = target ? NFTNL_EXPR_TG_INFO : NFTNL_EXPR_MT_INFO;
	const char *name = nftnl_expr_is_set(e, na) ? nftnl_expr_get_str(e, na) : "?";
	uint32_t rev = eu32(e, ra, 0);
	uint32_t len;
	const void *info = edata(e, ia, &len);

	if (!info)
		len = 0;
	if (target) {
		struct nf_xt_item *t = &c->ipt->target;

		free(t->info);
		snprintf(t->name, sizeof(t->name), "%s", name);
		t->rev = (uint8_t)rev;
		t->info = nm_xcalloc(len + 1, 1);
		if (len)
			memcpy(t->info, info, len);
		t->len = len;
		c->ipt->verdict = NF_IPT_TARGET;
	} else {
		nf_ipt_add_item(c->ipt, name, (uint8_t)rev, info, len);
	}
	add_piece(c, nm_xasprintf("xt %s \"%s\"", target ? "target" : "match", name));
}

/* ---- the rule ---- */

static void comment_from_udata(struct nf_rule *r, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t off = 0;

	/* TLVs: u8 type, u8 len, value (libnftnl udata) */
	while (off + 2 <= len) {
		uint8_t type = p[off], l = p[off + 1];

		if (off + 2 + l > len)
			break;
		if (type == 0 && l > 0) {	/* NFTNL_UDATA_RULE_COMMENT */
			char *s = nm_xcalloc(l + 1, 1);

			memcpy(s, p + off + 2, l);
			free(r->comment);
			r->comment = s;
		}
		off += 2 + l;
	}
}

static void nft_comment_text(struct nf_buf *b, const char *s)
{
	nf_buf_printf(b, " comment \"%s\"", s);
}

static void decode_expr(struct rctx *c, struct nftnl_expr *e, const char *name, struct nf_rule *r)
{
	char raw[512];
	struct reg *g;

	if (strcmp(name, "meta") == 0) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
			g = reg_get(c, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG));
			if (g) {
				memset(g, 0, sizeof(*g));
				g->kind = SRC_META;
				g->key = eu32(e, NFTNL_EXPR_META_KEY, 0);
			}
		} else {
			emit_meta_set(c, e);
		}
	} else if (strcmp(name, "payload") == 0) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG)) {
			g = reg_get(c, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG));
			if (g) {
				memset(g, 0, sizeof(*g));
				g->kind = SRC_PAYLOAD;
				g->base = eu32(e, NFTNL_EXPR_PAYLOAD_BASE, 0);
				g->offset = eu32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 0);
				g->len = eu32(e, NFTNL_EXPR_PAYLOAD_LEN, 0);
			}
		} else {
			expr_raw(e, raw, sizeof(raw));
			unsupported_piece(c, raw);
		}
	} else if (strcmp(name, "ct") == 0) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
			g = reg_get(c, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG));
			if (g) {
				memset(g, 0, sizeof(*g));
				g->kind = SRC_CT;
				g->key = eu32(e, NFTNL_EXPR_CT_KEY, 0);
				g->has_dir = nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR);
				if (g->has_dir)
					g->other_op = true;	/* ct original ... */
			}
		} else {
			expr_raw(e, raw, sizeof(raw));
			unsupported_piece(c, raw);
		}
	} else if (strcmp(name, "fib") == 0) {
		g = reg_get(c, eu32(e, NFTNL_EXPR_FIB_DREG, 0));
		if (g) {
			memset(g, 0, sizeof(*g));
			g->kind = SRC_FIB;
			g->key = eu32(e, NFTNL_EXPR_FIB_RESULT, 0);
			g->flags = eu32(e, NFTNL_EXPR_FIB_FLAGS, 0);
		}
	} else if (strcmp(name, "immediate") == 0) {
		uint32_t dreg = eu32(e, NFTNL_EXPR_IMM_DREG, 0);

		if (dreg == NFT_REG_VERDICT) {
			int32_t v = (int32_t)eu32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)NFT_CONTINUE);
			const char *chain = nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN) ?
					    nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN) : NULL;

			set_verdict(c, v, chain);
		} else if ((g = reg_get(c, dreg))) {
			uint32_t l;
			const void *d = edata(e, NFTNL_EXPR_IMM_DATA, &l);

			memset(g, 0, sizeof(*g));
			g->kind = SRC_IMM;
			g->dlen = l > 16 ? 16 : l;
			if (d)
				memcpy(g->data, d, g->dlen);
		}
	} else if (strcmp(name, "bitwise") == 0) {
		struct reg *s = reg_get(c, eu32(e, NFTNL_EXPR_BITWISE_SREG, 0));
		struct reg *d = reg_get(c, eu32(e, NFTNL_EXPR_BITWISE_DREG, 0));
		uint32_t op = eu32(e, NFTNL_EXPR_BITWISE_OP, 0);
		uint32_t ml, xl;
		const uint8_t *mask = edata(e, NFTNL_EXPR_BITWISE_MASK, &ml);
		const uint8_t *xr = edata(e, NFTNL_EXPR_BITWISE_XOR, &xl);

		if (s && d) {
			struct reg tmp = *s;

			if (op != 0 || !mask || tmp.masked) {
				tmp.other_op = true;
			} else {
				size_t k;

				tmp.masked = true;
				memset(tmp.mask, 0, 16);
				memcpy(tmp.mask, mask, ml > 16 ? 16 : ml);
				if (xr)
					memcpy(tmp.xor, xr, xl > 16 ? 16 : xl);
				for (k = 0; k < 16; k++)
					if (tmp.xor[k])
						tmp.other_op = true;
			}
			*d = tmp;
		}
	} else if (strcmp(name, "byteorder") == 0 || strcmp(name, "hash") == 0 ||
		   strcmp(name, "numgen") == 0 || strcmp(name, "exthdr") == 0 ||
		   strcmp(name, "rt") == 0 || strcmp(name, "socket") == 0 ||
		   strcmp(name, "osf") == 0 || strcmp(name, "xfrm") == 0) {
		/* loads we do not model: whatever compares them is unsupported */
		uint16_t da = strcmp(name, "byteorder") == 0 ? NFTNL_EXPR_BYTEORDER_DREG :
			      NFTNL_EXPR_BASE;

		g = reg_get(c, eu32(e, da, 0));
		if (g) {
			memset(g, 0, sizeof(*g));
			g->kind = SRC_OTHER;
			g->other_op = true;
		}
		expr_raw(e, raw, sizeof(raw));
		nf_rule_add_unsupported(r, raw, NULL);
		add_piece(c, nm_xasprintf("unsupported: %s", raw));
		c->ipt_bad++;
	} else if (strcmp(name, "cmp") == 0) {
		uint32_t op = eu32(e, NFTNL_EXPR_CMP_OP, 0), l;
		const uint8_t *d = edata(e, NFTNL_EXPR_CMP_DATA, &l);

		g = reg_get(c, eu32(e, NFTNL_EXPR_CMP_SREG, 0));
		if (!g || !d) {
			unsupported_piece(c, "cmp on an invalid register");
			return;
		}
		if (op == NFT_CMP_GTE && l <= 16) {
			g->has_gte = true;
			memset(g->gte, 0, 16);
			memcpy(g->gte, d, l);
			return;
		}
		if (op == NFT_CMP_LTE && g->has_gte && g->kind == SRC_PAYLOAD && l == 2) {
			g->has_gte = false;
			emit_cmp(c, g, NFT_CMP_EQ, g->gte, 2, d);
			return;
		}
		emit_cmp(c, g, op, d, l, NULL);
	} else if (strcmp(name, "range") == 0) {
		uint32_t op = eu32(e, NFTNL_EXPR_RANGE_OP, 0), lf, lt;
		const uint8_t *from = edata(e, NFTNL_EXPR_RANGE_FROM_DATA, &lf);
		const uint8_t *to = edata(e, NFTNL_EXPR_RANGE_TO_DATA, &lt);

		g = reg_get(c, eu32(e, NFTNL_EXPR_RANGE_SREG, 0));
		if (!g || !from || !to || lf != 2 || lt != 2 || g->kind != SRC_PAYLOAD) {
			expr_raw(e, raw, sizeof(raw));
			unsupported_piece(c, raw);
			return;
		}
		emit_cmp(c, g, op == NFT_RANGE_NEQ ? NFT_CMP_NEQ : NFT_CMP_EQ, from, 2, to);
	} else if (strcmp(name, "lookup") == 0) {
		emit_lookup(c, e);
	} else if (strcmp(name, "counter") == 0) {
		r->has_counter = true;
		r->packets = nftnl_expr_is_set(e, NFTNL_EXPR_CTR_PACKETS) ?
			     nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS) : 0;
		r->bytes = nftnl_expr_is_set(e, NFTNL_EXPR_CTR_BYTES) ?
			   nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES) : 0;
		add_piece(c, nm_xasprintf("counter packets %llu bytes %llu",
					   (unsigned long long)r->packets,
					   (unsigned long long)r->bytes));
	} else if (strcmp(name, "nat") == 0 || strcmp(name, "masq") == 0 ||
		   strcmp(name, "redir") == 0) {
		emit_nat(c, e, name);
	} else if (strcmp(name, "limit") == 0) {
		emit_limit(c, e);
	} else if (strcmp(name, "reject") == 0) {
		emit_reject(c, e);
	} else if (strcmp(name, "log") == 0) {
		emit_log(c, e);
	} else if (strcmp(name, "match") == 0) {
		emit_xt(c, e, false);
	} else if (strcmp(name, "target") == 0) {
		emit_xt(c, e, true);
	} else {
		expr_raw(e, raw, sizeof(raw));
		unsupported_piece(c, raw);
	}
}

static void finish_rule(struct rctx *c, struct nf_ipt *ipt, const struct nftnl_rule *nr,
			const struct nf_table *t, const struct nf_chain *ch, struct nf_rule *r)
{
	size_t i;

	if (t->backend == NF_BACKEND_IPTABLES_NFT) {
		/* the iptables view replaces the native structured matches */
		struct nf_rule tmp = { 0 };

		if (c->ipt_bad) {
			struct nf_buf b = { 0 };

			for (i = 0; i < c->n_pieces; i++)
				if (c->pieces[i].ipt_bad)
					nf_buf_printf(&b, "%s%s", b.len ? " " : "", c->pieces[i].text);
			ipt->extra = nf_buf_steal(&b);
		}
		tmp.handle = r->handle;
		tmp.position = r->position;
		tmp.has_counter = r->has_counter;
		tmp.packets = r->packets;
		tmp.bytes = r->bytes;
		tmp.comment = r->comment;
		r->comment = NULL;
		nf_rule_clear(r);
		*r = tmp;
		nf_ipt_render(ipt, ch->name, r);
		if (ipt->verdict == NF_IPT_TARGET && ipt->target.text && r->action.kind == NF_ACT_CONTINUE &&
		    strcmp(ipt->target.text, "-j TRACE"))
			r->unsupported = true;
	} else {
		struct nf_buf b = { 0 };

		for (i = 0; i < c->n_pieces; i++) {
			if (c->pieces[i].hidden)
				continue;
			nf_buf_printf(&b, "%s%s", b.len ? " " : "", c->pieces[i].text);
		}
		if (r->comment)
			nft_comment_text(&b, r->comment);
		r->text = nf_buf_steal(&b);
	}
	if (r->unsupported) {
		char *buf = nm_xcalloc(8192, 1);

		nftnl_rule_snprintf(buf, 8192, nr, NFTNL_OUTPUT_DEFAULT, 0);
		free(r->raw);
		r->raw = buf;
	}
	for (i = 0; i < c->n_pieces; i++)
		free(c->pieces[i].text);
	free(c->pieces);
	nf_ipt_free(ipt);
}

void nf_nft_decode_rule(const struct nftnl_rule *nr, const struct nf_table *t,
			const struct nf_chain *ch, struct nf_rule *r)
{
	struct rctx c = { 0 };
	struct nf_ipt ipt = { 0 };
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	size_t i;

	c.t = t;
	c.r = r;
	c.ipt = &ipt;
	c.l3 = (t->family == NF_FAMILY_IP || t->family == NF_FAMILY_IP6) ? t->family : 0;
	c.l4 = -1;
	c.l4_piece = -1;
	c.l3_piece = -1;
	ipt.family = t->family;

	if (nftnl_rule_is_set(nr, NFTNL_RULE_HANDLE))
		r->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
	if (nftnl_rule_is_set(nr, NFTNL_RULE_POSITION))
		r->position = nftnl_rule_get_u64(nr, NFTNL_RULE_POSITION);
	if (nftnl_rule_is_set(nr, NFTNL_RULE_USERDATA)) {
		uint32_t ulen;
		const void *ud = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &ulen);

		if (ud)
			comment_from_udata(r, ud, ulen);
	}
	r->action.kind = NF_ACT_CONTINUE;

	it = nftnl_expr_iter_create(nr);
	if (!it)
		abort();
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		size_t before = c.n_pieces;
		unsigned int bad_before = c.ipt_bad;

		if (!name)
			continue;
		decode_expr(&c, e, name, r);
		if (c.ipt_bad != bad_before)
			for (i = before; i < c.n_pieces; i++)
				c.pieces[i].ipt_bad = true;
	}
	nftnl_expr_iter_destroy(it);
	finish_rule(&c, &ipt, nr, t, ch, r);
}
