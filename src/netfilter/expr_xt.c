/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_xt.c - match and target: iptables-nft's xtables extensions, handed to the iptables view (xt.c). */
#include <stdio.h>

#include <libnftnl/expr.h>
#include <linux/netfilter/nf_tables_compat.h>

#include "expr.h"

static void decode_xt(struct nf_rctx *c, const struct nftnl_expr *e, bool target)
{
	const char *name = nf_expr_str(e, target ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME);
	uint8_t rev = (uint8_t)nf_expr_u32(e, target ? NFTNL_EXPR_TG_REV : NFTNL_EXPR_MT_REV, 0);
	uint32_t len;
	const void *info = nf_expr_data(e, target ? NFTNL_EXPR_TG_INFO : NFTNL_EXPR_MT_INFO, &len);

	if (!name)
		name = "?";
	if (!info)
		len = 0;
	if (target)
		nf_ipt_set_target(c->ipt, name, rev, info, len);
	else
		nf_ipt_add_item(c->ipt, name, rev, info, len);
	nf_piece_add(c, nm_xasprintf("xt %s \"%s\"", target ? "target" : "match", name));
}

static void decode_match(struct nf_rctx *c, const struct nftnl_expr *e)
{
	decode_xt(c, e, false);
}

static void decode_target(struct nf_rctx *c, const struct nftnl_expr *e)
{
	decode_xt(c, e, true);
}

/* ---- ops: name, decoder, the attributes the validator accepts ---- */

const struct nf_expr_ops nf_expr_match = NF_EXPR_OPS("match", decode_match,
	NF_ATTR(STR, NFTA_MATCH_NAME), NF_ATTR(U32, NFTA_MATCH_REV), NF_ATTR(BIN, NFTA_MATCH_INFO));
const struct nf_expr_ops nf_expr_target = NF_EXPR_OPS("target", decode_target,
	NF_ATTR(STR, NFTA_TARGET_NAME), NF_ATTR(U32, NFTA_TARGET_REV),
	NF_ATTR(BIN, NFTA_TARGET_INFO));
