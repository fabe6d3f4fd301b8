/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_opaque.c - expressions libnftnl knows but nsmap does not model: shown as unsupported, with their raw form. */
#include <stdio.h>
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

/* The first attribute of each: the dreg of numgen, exthdr, osf and xfrm, but the sreg of
 * hash and the key of rt and socket (their dreg is left as it was). */
static void decode_first_attr_load(struct nf_rctx *c, const struct nftnl_expr *e)
{
	opaque_load(c, e, NFTNL_EXPR_BASE);
}

static const struct nf_vattr byteorder_attrs[] = {
	[NFTA_BYTEORDER_SREG] = { NF_V_U32 },
	[NFTA_BYTEORDER_DREG] = { NF_V_U32 },
	[NFTA_BYTEORDER_OP] = { NF_V_U32 },
	[NFTA_BYTEORDER_LEN] = { NF_V_U32 },
	[NFTA_BYTEORDER_SIZE] = { NF_V_U32 },
};
static const struct nf_vattr hash_attrs[] = {
	[NFTA_HASH_SREG] = { NF_V_U32 },
	[NFTA_HASH_DREG] = { NF_V_U32 },
	[NFTA_HASH_LEN] = { NF_V_U32 },
	[NFTA_HASH_MODULUS] = { NF_V_U32 },
	[NFTA_HASH_SEED] = { NF_V_U32 },
	[NFTA_HASH_OFFSET] = { NF_V_U32 },
	[NFTA_HASH_TYPE] = { NF_V_U32 },
	[NFTA_HASH_SET_NAME] = { NF_V_STR },
	[NFTA_HASH_SET_ID] = { NF_V_U32 },
};
static const struct nf_vattr numgen_attrs[] = {
	[NFTA_NG_DREG] = { NF_V_U32 },
	[NFTA_NG_MODULUS] = { NF_V_U32 },
	[NFTA_NG_TYPE] = { NF_V_U32 },
	[NFTA_NG_OFFSET] = { NF_V_U32 },
	[NFTA_NG_SET_NAME] = { NF_V_STR },
	[NFTA_NG_SET_ID] = { NF_V_U32 },
};
static const struct nf_vattr exthdr_attrs[] = {
	[NFTA_EXTHDR_DREG] = { NF_V_U32 },
	[NFTA_EXTHDR_TYPE] = { NF_V_U8 },
	[NFTA_EXTHDR_OFFSET] = { NF_V_U32 },
	[NFTA_EXTHDR_LEN] = { NF_V_U32 },
	[NFTA_EXTHDR_FLAGS] = { NF_V_U32 },
	[NFTA_EXTHDR_OP] = { NF_V_U32 },
	[NFTA_EXTHDR_SREG] = { NF_V_U32 },
};
static const struct nf_vattr rt_attrs[] = {
	[NFTA_RT_DREG] = { NF_V_U32 },
	[NFTA_RT_KEY] = { NF_V_U32 },
};
static const struct nf_vattr socket_attrs[] = {
	[NFTA_SOCKET_KEY] = { NF_V_U32 },
	[NFTA_SOCKET_DREG] = { NF_V_U32 },
	[NFTA_SOCKET_LEVEL] = { NF_V_U32 },
};
static const struct nf_vattr osf_attrs[] = {
	[NFTA_OSF_DREG] = { NF_V_U32 },
	[NFTA_OSF_TTL] = { NF_V_U8 },
	[NFTA_OSF_FLAGS] = { NF_V_U32 },
};
static const struct nf_vattr xfrm_attrs[] = {
	[NFTA_XFRM_DREG] = { NF_V_U32 },
	[NFTA_XFRM_KEY] = { NF_V_U32 },
	[NFTA_XFRM_DIR] = { NF_V_U8 },
	[NFTA_XFRM_SPNUM] = { NF_V_U32 },
};

/* statements and objects: no decoder, the rule shows them raw */
static const struct nf_vattr connlimit_attrs[] = {
	[NFTA_CONNLIMIT_COUNT] = { NF_V_U32 },
	[NFTA_CONNLIMIT_FLAGS] = { NF_V_U32 },
};
static const struct nf_vattr dup_attrs[] = {
	[NFTA_DUP_SREG_ADDR] = { NF_V_U32 },
	[NFTA_DUP_SREG_DEV] = { NF_V_U32 },
};
static const struct nf_vattr dynset_attrs[] = {
	[NFTA_DYNSET_SET_NAME] = { NF_V_STR },
	[NFTA_DYNSET_SET_ID] = { NF_V_U32 },
	[NFTA_DYNSET_OP] = { NF_V_U32 },
	[NFTA_DYNSET_SREG_KEY] = { NF_V_U32 },
	[NFTA_DYNSET_SREG_DATA] = { NF_V_U32 },
	[NFTA_DYNSET_TIMEOUT] = { NF_V_U64 },
	[NFTA_DYNSET_EXPR] = { NF_V_EXPR },
	[NFTA_DYNSET_FLAGS] = { NF_V_U32 },
	[NFTA_DYNSET_EXPRESSIONS] = { NF_V_EXPRS },
};
static const struct nf_vattr flow_offload_attrs[] = {
	[NFTA_FLOW_TABLE_NAME] = { NF_V_STR },
};
static const struct nf_vattr fwd_attrs[] = {
	[NFTA_FWD_SREG_DEV] = { NF_V_U32 },
	[NFTA_FWD_SREG_ADDR] = { NF_V_U32 },
	[NFTA_FWD_NFPROTO] = { NF_V_U32 },
};
static const struct nf_vattr last_attrs[] = {
	[NFTA_LAST_SET] = { NF_V_U32 },
	[NFTA_LAST_MSECS] = { NF_V_U64 },
};
static const struct nf_vattr notrack_attrs[] = {
	[0] = { NF_V_NONE },
};
static const struct nf_vattr objref_attrs[] = {
	[NFTA_OBJREF_IMM_TYPE] = { NF_V_U32 },
	[NFTA_OBJREF_IMM_NAME] = { NF_V_STR },
	[NFTA_OBJREF_SET_SREG] = { NF_V_U32 },
	[NFTA_OBJREF_SET_NAME] = { NF_V_STR },
	[NFTA_OBJREF_SET_ID] = { NF_V_U32 },
};
static const struct nf_vattr queue_attrs[] = {
	[NFTA_QUEUE_NUM] = { NF_V_U16 },
	[NFTA_QUEUE_TOTAL] = { NF_V_U16 },
	[NFTA_QUEUE_FLAGS] = { NF_V_U16 },
	[NFTA_QUEUE_SREG_QNUM] = { NF_V_U32 },
};
static const struct nf_vattr quota_attrs[] = {
	[NFTA_QUOTA_BYTES] = { NF_V_U64 },
	[NFTA_QUOTA_FLAGS] = { NF_V_U32 },
	[NFTA_QUOTA_CONSUMED] = { NF_V_U64 },
};
static const struct nf_vattr synproxy_attrs[] = {
	[NFTA_SYNPROXY_MSS] = { NF_V_U16 },
	[NFTA_SYNPROXY_WSCALE] = { NF_V_U8 },
	[NFTA_SYNPROXY_FLAGS] = { NF_V_U32 },
};
static const struct nf_vattr tproxy_attrs[] = {
	[NFTA_TPROXY_FAMILY] = { NF_V_U32 },
	[NFTA_TPROXY_REG_ADDR] = { NF_V_U32 },
	[NFTA_TPROXY_REG_PORT] = { NF_V_U32 },
};
static const struct nf_vattr tunnel_attrs[] = {
	[NFTA_TUNNEL_KEY] = { NF_V_U32 },
	[NFTA_TUNNEL_DREG] = { NF_V_U32 },
};

const struct nf_expr_ops nf_expr_byteorder = NF_EXPR_OPS("byteorder", byteorder_attrs, decode_byteorder);
const struct nf_expr_ops nf_expr_hash = NF_EXPR_OPS("hash", hash_attrs, decode_first_attr_load);
const struct nf_expr_ops nf_expr_numgen = NF_EXPR_OPS("numgen", numgen_attrs, decode_first_attr_load);
const struct nf_expr_ops nf_expr_exthdr = NF_EXPR_OPS("exthdr", exthdr_attrs, decode_first_attr_load);
const struct nf_expr_ops nf_expr_rt = NF_EXPR_OPS("rt", rt_attrs, decode_first_attr_load);
const struct nf_expr_ops nf_expr_socket = NF_EXPR_OPS("socket", socket_attrs, decode_first_attr_load);
const struct nf_expr_ops nf_expr_osf = NF_EXPR_OPS("osf", osf_attrs, decode_first_attr_load);
const struct nf_expr_ops nf_expr_xfrm = NF_EXPR_OPS("xfrm", xfrm_attrs, decode_first_attr_load);
const struct nf_expr_ops nf_expr_connlimit = NF_EXPR_OPS("connlimit", connlimit_attrs, NULL);
const struct nf_expr_ops nf_expr_dup = NF_EXPR_OPS("dup", dup_attrs, NULL);
const struct nf_expr_ops nf_expr_dynset = NF_EXPR_OPS("dynset", dynset_attrs, NULL);
const struct nf_expr_ops nf_expr_flow_offload = NF_EXPR_OPS("flow_offload", flow_offload_attrs, NULL);
const struct nf_expr_ops nf_expr_fwd = NF_EXPR_OPS("fwd", fwd_attrs, NULL);
const struct nf_expr_ops nf_expr_last = NF_EXPR_OPS("last", last_attrs, NULL);
const struct nf_expr_ops nf_expr_notrack = NF_EXPR_OPS("notrack", notrack_attrs, NULL);
const struct nf_expr_ops nf_expr_objref = NF_EXPR_OPS("objref", objref_attrs, NULL);
const struct nf_expr_ops nf_expr_queue = NF_EXPR_OPS("queue", queue_attrs, NULL);
const struct nf_expr_ops nf_expr_quota = NF_EXPR_OPS("quota", quota_attrs, NULL);
const struct nf_expr_ops nf_expr_synproxy = NF_EXPR_OPS("synproxy", synproxy_attrs, NULL);
const struct nf_expr_ops nf_expr_tproxy = NF_EXPR_OPS("tproxy", tproxy_attrs, NULL);
const struct nf_expr_ops nf_expr_tunnel = NF_EXPR_OPS("tunnel", tunnel_attrs, NULL);
