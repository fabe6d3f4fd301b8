/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_load.c - expressions that fill a register (meta, payload, ct, fib, immediate, bitwise) and how nft names what it holds. */
#include <stdio.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <linux/netfilter/nf_tables.h>

#include "expr.h"

/* ---- what a register holds ---- */

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

static bool meta_lhs(const struct nf_reg *g, char *lhs, size_t len, enum nf_field *field)
{
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

static bool ct_lhs(const struct nf_reg *g, char *lhs, size_t len, enum nf_field *field)
{
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
}

/* Network header fields: offsets of saddr, daddr and the protocol in the IPv4 / IPv6 header. */
static bool network_lhs(const struct nf_reg *g, int l3, char *lhs, size_t len, enum nf_field *field)
{
	static const struct {
		int l3;
		uint32_t offset, maxlen;
		const char *name;
		enum nf_field field;
	} fields[] = {
		{ NF_FAMILY_IP, 12, 4, "ip saddr", NF_FIELD_SADDR },
		{ NF_FAMILY_IP, 16, 4, "ip daddr", NF_FIELD_DADDR },
		{ NF_FAMILY_IP, 9, 1, "ip protocol", NF_FIELD_L4PROTO },
		{ NF_FAMILY_IP6, 8, 16, "ip6 saddr", NF_FIELD_SADDR },
		{ NF_FAMILY_IP6, 24, 16, "ip6 daddr", NF_FIELD_DADDR },
		{ NF_FAMILY_IP6, 6, 1, "ip6 nexthdr", NF_FIELD_L4PROTO },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (fields[i].l3 != l3 || fields[i].offset != g->offset)
			continue;
		/* addresses may be compared in part (prefixes); the protocol is one byte */
		if (fields[i].maxlen == 1 ? g->len != 1 : g->len > fields[i].maxlen)
			return false;
		snprintf(lhs, len, "%s", fields[i].name);
		*field = fields[i].field;
		return true;
	}
	return false;
}

static bool transport_lhs(const struct nf_reg *g, int l4, char *lhs, size_t len,
			  enum nf_field *field)
{
	const char *pn = l4_name(l4);

	if ((l4 == 1 || l4 == 58) && g->len == 1 && g->offset <= 1) {
		snprintf(lhs, len, "%s %s", l4 == 1 ? "icmp" : "icmpv6", g->offset == 0 ? "type" : "code");
		if (g->offset == 0)
			*field = NF_FIELD_ICMP_TYPE;
		return true;
	}
	/* "th dport" only where the protocol is not known; an ah or esp field is no port */
	if (g->len == 2 && (g->offset == 0 || g->offset == 2) && (pn || l4 < 0)) {
		snprintf(lhs, len, "%s %s", pn ? pn : "th", g->offset == 0 ? "sport" : "dport");
		*field = g->offset == 0 ? NF_FIELD_SPORT : NF_FIELD_DPORT;
		return true;
	}
	if (l4 == 6 && g->offset == 13 && g->len == 1) {
		snprintf(lhs, len, "tcp flags");
		return true;
	}
	return false;
}

static bool fib_lhs(const struct nf_reg *g, char *lhs, size_t len)
{
	const char *what = g->key == NFT_FIB_RESULT_ADDRTYPE ? "type" :
			   g->key == NFT_FIB_RESULT_OIF ? "oif" :
			   g->key == NFT_FIB_RESULT_OIFNAME ? "oifname" : NULL;

	if (!what)
		return false;
	snprintf(lhs, len, "fib %s%s%s%s %s", (g->flags & NFTA_FIB_F_SADDR) ? "saddr" : "daddr",
		 (g->flags & NFTA_FIB_F_MARK) ? " . mark" : "",
		 (g->flags & NFTA_FIB_F_IIF) ? " . iif" : "",
		 (g->flags & NFTA_FIB_F_OIF) ? " . oif" : "", what);
	return true;
}

/* "numgen random mod 2", "numgen inc mod 3 offset 10" */
static bool numgen_lhs(const struct nf_reg *g, char *lhs, size_t len, enum nf_field *field)
{
	int n;

	if (g->key != NFT_NG_INCREMENTAL && g->key != NFT_NG_RANDOM)
		return false;
	n = snprintf(lhs, len, "numgen %s mod %u", g->key == NFT_NG_RANDOM ? "random" : "inc",
		     g->ng_mod);
	if (g->ng_offset && n > 0 && (size_t)n < len)
		snprintf(lhs + n, len - (size_t)n, " offset %u", g->ng_offset);
	*field = NF_FIELD_NUMGEN;
	return true;
}

bool nf_reg_lhs(const struct nf_rctx *c, const struct nf_reg *g, char *lhs, size_t len,
		enum nf_field *field)
{
	*field = NF_FIELD_UNKNOWN;
	if (g->other_op)
		return false;
	switch (g->kind) {
	case NF_SRC_META:
		return meta_lhs(g, lhs, len, field);
	case NF_SRC_CT:
		return ct_lhs(g, lhs, len, field);
	case NF_SRC_PAYLOAD:
		if (g->base == NFT_PAYLOAD_NETWORK_HEADER)
			return network_lhs(g, c->l3, lhs, len, field);
		if (g->base == NFT_PAYLOAD_TRANSPORT_HEADER)
			return transport_lhs(g, c->l4, lhs, len, field);
		return false;
	case NF_SRC_FIB:
		return fib_lhs(g, lhs, len);
	case NF_SRC_NUMGEN:
		return numgen_lhs(g, lhs, len, field);
	default:
		return false;
	}
}

static int meta_value_kind(uint32_t key)
{
	switch (key) {
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
}

static int ct_value_kind(uint32_t key)
{
	if (key == NFT_CT_STATE)
		return NF_VK_CT_STATE;
	if (key == NFT_CT_STATUS)
		return NF_VK_CT_STATUS;
	if (key == NFT_CT_MARK)
		return NF_VK_MARK;
	return NF_VK_HEX;
}

static int payload_value_kind(const struct nf_rctx *c, const struct nf_reg *g)
{
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
}

int nf_reg_value_kind(const struct nf_rctx *c, const struct nf_reg *g)
{
	switch (g->kind) {
	case NF_SRC_META:
		return meta_value_kind(g->key);
	case NF_SRC_CT:
		return ct_value_kind(g->key);
	case NF_SRC_PAYLOAD:
		return payload_value_kind(c, g);
	case NF_SRC_NUMGEN:
		return NF_VK_HOST_INT;
	default:
		return NF_VK_HEX;
	}
}

/* ---- the loads ---- */

/* The register dreg, emptied and marked as loaded by kind; NULL if dreg is no data register. */
static struct nf_reg *load(struct nf_rctx *c, uint32_t dreg, enum nf_src kind)
{
	struct nf_reg *g = nf_reg_get(c, dreg);

	if (g) {
		memset(g, 0, sizeof(*g));
		g->kind = kind;
	}
	return g;
}

static void decode_meta(struct nf_rctx *c, const struct nftnl_expr *e)
{
	struct nf_reg *g;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
		nf_stmt_meta_set(c, e);
		return;
	}
	g = load(c, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG), NF_SRC_META);
	if (g)
		g->key = nf_expr_u32(e, NFTNL_EXPR_META_KEY, 0);
}

/* The register a payload or ct expression loads; without dreg it is a set statement, which is
 * shown raw (NULL). */
static struct nf_reg *dreg_load(struct nf_rctx *c, const struct nftnl_expr *e, uint16_t dreg_attr,
				enum nf_src kind)
{
	if (!nftnl_expr_is_set(e, dreg_attr)) {
		nf_expr_unsupported(c, e);
		return NULL;
	}
	return load(c, nftnl_expr_get_u32(e, dreg_attr), kind);
}

static void decode_payload(struct nf_rctx *c, const struct nftnl_expr *e)
{
	struct nf_reg *g = dreg_load(c, e, NFTNL_EXPR_PAYLOAD_DREG, NF_SRC_PAYLOAD);

	if (g) {
		g->base = nf_expr_u32(e, NFTNL_EXPR_PAYLOAD_BASE, 0);
		g->offset = nf_expr_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 0);
		g->len = nf_expr_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 0);
	}
}

static void decode_ct(struct nf_rctx *c, const struct nftnl_expr *e)
{
	struct nf_reg *g = dreg_load(c, e, NFTNL_EXPR_CT_DREG, NF_SRC_CT);

	if (g) {
		g->key = nf_expr_u32(e, NFTNL_EXPR_CT_KEY, 0);
		g->has_dir = nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR);
		if (g->has_dir)
			g->other_op = true;	/* ct original ... */
	}
}

static void decode_fib(struct nf_rctx *c, const struct nftnl_expr *e)
{
	struct nf_reg *g = load(c, nf_expr_u32(e, NFTNL_EXPR_FIB_DREG, 0), NF_SRC_FIB);

	if (g) {
		g->key = nf_expr_u32(e, NFTNL_EXPR_FIB_RESULT, 0);
		g->flags = nf_expr_u32(e, NFTNL_EXPR_FIB_FLAGS, 0);
	}
}

/* A verdict (into the verdict register) or a constant. */
static void decode_immediate(struct nf_rctx *c, const struct nftnl_expr *e)
{
	uint32_t dreg = nf_expr_u32(e, NFTNL_EXPR_IMM_DREG, 0), l;
	const void *d = nf_expr_data(e, NFTNL_EXPR_IMM_DATA, &l);
	struct nf_reg *g;

	if (dreg == NFT_REG_VERDICT) {
		nf_stmt_verdict(c, (int32_t)nf_expr_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)NFT_CONTINUE),
				nf_expr_str(e, NFTNL_EXPR_IMM_CHAIN));
		return;
	}
	g = load(c, dreg, NF_SRC_IMM);
	if (g) {
		g->dlen = l > 16 ? 16 : l;
		if (d)
			memcpy(g->data, d, g->dlen);
	}
}

/* dreg = sreg & mask (a prefix, a flag test); any other operation is not modelled. */
static void decode_bitwise(struct nf_rctx *c, const struct nftnl_expr *e)
{
	struct nf_reg *s = nf_reg_get(c, nf_expr_u32(e, NFTNL_EXPR_BITWISE_SREG, 0));
	struct nf_reg *d = nf_reg_get(c, nf_expr_u32(e, NFTNL_EXPR_BITWISE_DREG, 0));
	uint32_t op = nf_expr_u32(e, NFTNL_EXPR_BITWISE_OP, 0);
	uint32_t ml, xl;
	const uint8_t *mask = nf_expr_data(e, NFTNL_EXPR_BITWISE_MASK, &ml);
	const uint8_t *xr = nf_expr_data(e, NFTNL_EXPR_BITWISE_XOR, &xl);
	struct nf_reg tmp;
	size_t k;

	if (!s || !d)
		return;
	tmp = *s;
	if (op != 0 || !mask || tmp.masked) {
		tmp.other_op = true;
		tmp.bitwise_bad = true;
	} else {
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

/* ---- ops: name, decoder, the attributes the validator accepts ---- */

const struct nf_expr_ops nf_expr_bitwise = NF_EXPR_OPS("bitwise", decode_bitwise,
	NF_ATTR(U32, NFTA_BITWISE_SREG), NF_ATTR(U32, NFTA_BITWISE_DREG),
	NF_ATTR(U32, NFTA_BITWISE_LEN), NF_ATTR(VALUE, NFTA_BITWISE_MASK),
	NF_ATTR(VALUE, NFTA_BITWISE_XOR), NF_ATTR(U32, NFTA_BITWISE_OP),
	NF_ATTR(VALUE, NFTA_BITWISE_DATA));
const struct nf_expr_ops nf_expr_ct = NF_EXPR_OPS("ct", decode_ct, NF_ATTR(U32, NFTA_CT_DREG),
	NF_ATTR(U32, NFTA_CT_KEY), NF_ATTR(U8, NFTA_CT_DIRECTION), NF_ATTR(U32, NFTA_CT_SREG));
const struct nf_expr_ops nf_expr_fib = NF_EXPR_OPS("fib", decode_fib, NF_ATTR(U32, NFTA_FIB_DREG),
	NF_ATTR(U32, NFTA_FIB_RESULT), NF_ATTR(U32, NFTA_FIB_FLAGS));
const struct nf_expr_ops nf_expr_immediate = NF_EXPR_OPS("immediate", decode_immediate,
	NF_ATTR(U32, NFTA_IMMEDIATE_DREG), NF_ATTR(VDATA, NFTA_IMMEDIATE_DATA));
const struct nf_expr_ops nf_expr_meta = NF_EXPR_OPS("meta", decode_meta,
	NF_ATTR(U32, NFTA_META_DREG), NF_ATTR(U32, NFTA_META_KEY), NF_ATTR(U32, NFTA_META_SREG));
const struct nf_expr_ops nf_expr_payload = NF_EXPR_OPS("payload", decode_payload,
	NF_ATTR(U32, NFTA_PAYLOAD_DREG), NF_ATTR(U32, NFTA_PAYLOAD_BASE),
	NF_ATTR(U32, NFTA_PAYLOAD_OFFSET), NF_ATTR(U32, NFTA_PAYLOAD_LEN),
	NF_ATTR(U32, NFTA_PAYLOAD_SREG), NF_ATTR(U32, NFTA_PAYLOAD_CSUM_TYPE),
	NF_ATTR(U32, NFTA_PAYLOAD_CSUM_OFFSET), NF_ATTR(U32, NFTA_PAYLOAD_CSUM_FLAGS));
