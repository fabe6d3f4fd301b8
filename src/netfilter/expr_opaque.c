/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_opaque.c - expressions libnftnl knows but nsmap does not model: shown as unsupported, with their raw form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <linux/netfilter/nf_tables.h>

#include "expr.h"

/*
 * A load whose value cannot be known from a snapshot (a hash, a random number, a header
 * nsmap does not parse, ...): whatever compares its register is unsupported too. The
 * register is taken from the expression's attribute dreg_attr.
 */
static void opaque_load(struct nf_rctx *c, const struct nftnl_expr *e, uint16_t dreg_attr)
{
	struct nf_reg *g = nf_reg_get(c, nf_expr_u32(e, dreg_attr, 0));

	if (g) {
		memset(g, 0, sizeof(*g));
		g->kind = NF_SRC_OTHER;
		g->other_op = true;
	}
	nf_expr_unsupported(c, e);
}

static void decode_byteorder(struct nf_rctx *c, const struct nftnl_expr *e)
{
	opaque_load(c, e, NFTNL_EXPR_BYTEORDER_DREG);
}

/* The first attribute of each: the dreg of exthdr, osf and xfrm, but the sreg of
 * hash and the key of rt and socket (their dreg is left as it was). */
static void decode_first_attr_load(struct nf_rctx *c, const struct nftnl_expr *e)
{
	opaque_load(c, e, NFTNL_EXPR_BASE);
}

/*
 * numgen: a number in [offset, offset + mod), random or incremented per packet, in host byte
 * order. kube-proxy spreads a Service over its endpoints with it (numgen random mod N vmap).
 * A numgen with a set name (never made by nft) stays unsupported.
 */
static void decode_numgen(struct nf_rctx *c, const struct nftnl_expr *e)
{
	uint32_t type = nf_expr_u32(e, NFTNL_EXPR_NG_TYPE, 0);
	uint32_t mod = nf_expr_u32(e, NFTNL_EXPR_NG_MODULUS, 0);
	struct nf_reg *g;

	if ((type != NFT_NG_INCREMENTAL && type != NFT_NG_RANDOM) || mod == 0 ||
	    !nftnl_expr_is_set(e, NFTNL_EXPR_NG_DREG) || nftnl_expr_is_set(e, NFTNL_EXPR_NG_SET_NAME)) {
		decode_first_attr_load(c, e);
		return;
	}
	g = nf_reg_get(c, nftnl_expr_get_u32(e, NFTNL_EXPR_NG_DREG));
	if (!g) {
		nf_expr_unsupported(c, e);
		return;
	}
	memset(g, 0, sizeof(*g));
	g->kind = NF_SRC_NUMGEN;
	g->key = type;
	g->ng_mod = mod;
	g->ng_offset = nf_expr_u32(e, NFTNL_EXPR_NG_OFFSET, 0);
	g->len = 4;
}

/*
 * objref: a named stateful object. Those that never decide a verdict (a named counter, the
 * conntrack helper, timeout or expectation policy, a secmark) are shown as nft prints them
 * and need no model; quota, limit, connlimit, synproxy, tunnel and object maps do decide or
 * change the packet: unsupported, with nft's text.
 */
static void decode_objref(struct nf_rctx *c, const struct nftnl_expr *e)
{
	static const char *const harmless[] = {
		[NFT_OBJECT_COUNTER] = "counter name", [NFT_OBJECT_CT_HELPER] = "ct helper set",
		[NFT_OBJECT_CT_TIMEOUT] = "ct timeout set", [NFT_OBJECT_SECMARK] = "meta secmark set",
		[NFT_OBJECT_CT_EXPECT] = "ct expectation set",
	};
	static const char *const deciding[] = {
		[NFT_OBJECT_QUOTA] = "quota name", [NFT_OBJECT_LIMIT] = "limit name",
		[NFT_OBJECT_CONNLIMIT] = "ct count name", [NFT_OBJECT_SYNPROXY] = "synproxy name",
		[NFT_OBJECT_TUNNEL] = "tunnel name",
	};
	uint32_t type = nf_expr_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, 0);
	const char *name = nf_expr_str(e, NFTNL_EXPR_OBJREF_IMM_NAME);
	char *t;

	if (!name || nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_SET_NAME)) {
		nf_expr_unsupported(c, e);
		return;
	}
	if (type < ARRAY_SIZE(harmless) && harmless[type]) {
		nf_piece_add(c, nm_xasprintf("%s \"%s\"", harmless[type], name));
		c->ipt_bad++;
		return;
	}
	if (type < ARRAY_SIZE(deciding) && deciding[type]) {
		t = nm_xasprintf("%s \"%s\"", deciding[type], name);
		nf_piece_add(c, nm_xstrdup(t));
		nf_rule_add_unsupported(c->r, t, NULL);
		c->ipt_bad++;
		free(t);
		return;
	}
	nf_expr_unsupported(c, e);
}

/* ---- ops: those loads, and statements and objects without a decoder (NULL: shown raw) ---- */

const struct nf_expr_ops nf_expr_byteorder = NF_EXPR_OPS("byteorder", decode_byteorder,
	NF_ATTR(U32, NFTA_BYTEORDER_SREG), NF_ATTR(U32, NFTA_BYTEORDER_DREG),
	NF_ATTR(U32, NFTA_BYTEORDER_OP), NF_ATTR(U32, NFTA_BYTEORDER_LEN),
	NF_ATTR(U32, NFTA_BYTEORDER_SIZE));
const struct nf_expr_ops nf_expr_connlimit = NF_EXPR_OPS("connlimit", NULL,
	NF_ATTR(U32, NFTA_CONNLIMIT_COUNT), NF_ATTR(U32, NFTA_CONNLIMIT_FLAGS));
const struct nf_expr_ops nf_expr_dup = NF_EXPR_OPS("dup", NULL, NF_ATTR(U32, NFTA_DUP_SREG_ADDR),
	NF_ATTR(U32, NFTA_DUP_SREG_DEV));
const struct nf_expr_ops nf_expr_dynset = NF_EXPR_OPS("dynset", NULL,
	NF_ATTR(STR, NFTA_DYNSET_SET_NAME), NF_ATTR(U32, NFTA_DYNSET_SET_ID),
	NF_ATTR(U32, NFTA_DYNSET_OP), NF_ATTR(U32, NFTA_DYNSET_SREG_KEY),
	NF_ATTR(U32, NFTA_DYNSET_SREG_DATA), NF_ATTR(U64, NFTA_DYNSET_TIMEOUT),
	NF_ATTR(EXPR, NFTA_DYNSET_EXPR), NF_ATTR(U32, NFTA_DYNSET_FLAGS),
	NF_ATTR(EXPRS, NFTA_DYNSET_EXPRESSIONS));
const struct nf_expr_ops nf_expr_exthdr = NF_EXPR_OPS("exthdr", decode_first_attr_load,
	NF_ATTR(U32, NFTA_EXTHDR_DREG), NF_ATTR(U8, NFTA_EXTHDR_TYPE),
	NF_ATTR(U32, NFTA_EXTHDR_OFFSET), NF_ATTR(U32, NFTA_EXTHDR_LEN),
	NF_ATTR(U32, NFTA_EXTHDR_FLAGS), NF_ATTR(U32, NFTA_EXTHDR_OP),
	NF_ATTR(U32, NFTA_EXTHDR_SREG));
const struct nf_expr_ops nf_expr_flow_offload = NF_EXPR_OPS("flow_offload", NULL,
	NF_ATTR(STR, NFTA_FLOW_TABLE_NAME));
const struct nf_expr_ops nf_expr_fwd = NF_EXPR_OPS("fwd", NULL, NF_ATTR(U32, NFTA_FWD_SREG_DEV),
	NF_ATTR(U32, NFTA_FWD_SREG_ADDR), NF_ATTR(U32, NFTA_FWD_NFPROTO));
const struct nf_expr_ops nf_expr_hash = NF_EXPR_OPS("hash", decode_first_attr_load,
	NF_ATTR(U32, NFTA_HASH_SREG), NF_ATTR(U32, NFTA_HASH_DREG), NF_ATTR(U32, NFTA_HASH_LEN),
	NF_ATTR(U32, NFTA_HASH_MODULUS), NF_ATTR(U32, NFTA_HASH_SEED),
	NF_ATTR(U32, NFTA_HASH_OFFSET), NF_ATTR(U32, NFTA_HASH_TYPE),
	NF_ATTR(STR, NFTA_HASH_SET_NAME), NF_ATTR(U32, NFTA_HASH_SET_ID));
const struct nf_expr_ops nf_expr_last = NF_EXPR_OPS("last", NULL, NF_ATTR(U32, NFTA_LAST_SET),
	NF_ATTR(U64, NFTA_LAST_MSECS));
const struct nf_expr_ops nf_expr_notrack = NF_EXPR_OPS("notrack", NULL, NF_ATTR(NONE, 0));
const struct nf_expr_ops nf_expr_numgen = NF_EXPR_OPS("numgen", decode_numgen,
	NF_ATTR(U32, NFTA_NG_DREG), NF_ATTR(U32, NFTA_NG_MODULUS), NF_ATTR(U32, NFTA_NG_TYPE),
	NF_ATTR(U32, NFTA_NG_OFFSET), NF_ATTR(STR, NFTA_NG_SET_NAME), NF_ATTR(U32, NFTA_NG_SET_ID));
const struct nf_expr_ops nf_expr_objref = NF_EXPR_OPS("objref", decode_objref,
	NF_ATTR(U32, NFTA_OBJREF_IMM_TYPE), NF_ATTR(STR, NFTA_OBJREF_IMM_NAME),
	NF_ATTR(U32, NFTA_OBJREF_SET_SREG), NF_ATTR(STR, NFTA_OBJREF_SET_NAME),
	NF_ATTR(U32, NFTA_OBJREF_SET_ID));
const struct nf_expr_ops nf_expr_osf = NF_EXPR_OPS("osf", decode_first_attr_load,
	NF_ATTR(U32, NFTA_OSF_DREG), NF_ATTR(U8, NFTA_OSF_TTL), NF_ATTR(U32, NFTA_OSF_FLAGS));
const struct nf_expr_ops nf_expr_queue = NF_EXPR_OPS("queue", NULL, NF_ATTR(U16, NFTA_QUEUE_NUM),
	NF_ATTR(U16, NFTA_QUEUE_TOTAL), NF_ATTR(U16, NFTA_QUEUE_FLAGS),
	NF_ATTR(U32, NFTA_QUEUE_SREG_QNUM));
const struct nf_expr_ops nf_expr_quota = NF_EXPR_OPS("quota", NULL, NF_ATTR(U64, NFTA_QUOTA_BYTES),
	NF_ATTR(U32, NFTA_QUOTA_FLAGS), NF_ATTR(U64, NFTA_QUOTA_CONSUMED));
const struct nf_expr_ops nf_expr_rt = NF_EXPR_OPS("rt", decode_first_attr_load,
	NF_ATTR(U32, NFTA_RT_DREG), NF_ATTR(U32, NFTA_RT_KEY));
const struct nf_expr_ops nf_expr_socket = NF_EXPR_OPS("socket", decode_first_attr_load,
	NF_ATTR(U32, NFTA_SOCKET_KEY), NF_ATTR(U32, NFTA_SOCKET_DREG),
	NF_ATTR(U32, NFTA_SOCKET_LEVEL));
const struct nf_expr_ops nf_expr_synproxy = NF_EXPR_OPS("synproxy", NULL,
	NF_ATTR(U16, NFTA_SYNPROXY_MSS), NF_ATTR(U8, NFTA_SYNPROXY_WSCALE),
	NF_ATTR(U32, NFTA_SYNPROXY_FLAGS));
const struct nf_expr_ops nf_expr_tproxy = NF_EXPR_OPS("tproxy", NULL,
	NF_ATTR(U32, NFTA_TPROXY_FAMILY), NF_ATTR(U32, NFTA_TPROXY_REG_ADDR),
	NF_ATTR(U32, NFTA_TPROXY_REG_PORT));
const struct nf_expr_ops nf_expr_tunnel = NF_EXPR_OPS("tunnel", NULL, NF_ATTR(U32, NFTA_TUNNEL_KEY),
	NF_ATTR(U32, NFTA_TUNNEL_DREG));
const struct nf_expr_ops nf_expr_xfrm = NF_EXPR_OPS("xfrm", decode_first_attr_load,
	NF_ATTR(U32, NFTA_XFRM_DREG), NF_ATTR(U32, NFTA_XFRM_KEY), NF_ATTR(U8, NFTA_XFRM_DIR),
	NF_ATTR(U32, NFTA_XFRM_SPNUM));
