/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_nat.c - nat, masq and redir: the NAT action of a rule, its addresses and ports from immediate registers. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libnftnl/expr.h>
#include <linux/netfilter/nf_tables.h>

#include "expr.h"

/* The constant an immediate put in the register named by attr. */
static bool reg_imm(struct nf_rctx *c, const struct nftnl_expr *e, uint16_t attr, const uint8_t **d,
		    uint32_t *len)
{
	struct nf_reg *g;

	if (!nftnl_expr_is_set(e, attr))
		return false;
	g = nf_reg_get(c, nftnl_expr_get_u32(e, attr));
	if (!g || g->kind != NF_SRC_IMM)
		return false;
	*d = g->data;
	*len = g->dlen;
	return true;
}

static void ports_nft(struct nf_buf *b, struct nf_action *a, const uint8_t *pmin, const uint8_t *pmax)
{
	a->port_min = (uint16_t)(pmin[0] << 8 | pmin[1]);
	a->port_max = pmax ? (uint16_t)(pmax[0] << 8 | pmax[1]) : a->port_min;
	nf_buf_printf(b, ":%u", a->port_min);
	if (a->port_max != a->port_min)
		nf_buf_printf(b, "-%u", a->port_max);
}

/* The flags nft prints after the target, then the piece. */
static void nat_done(struct nf_rctx *c, struct nf_buf *b, uint32_t flags)
{
	const char *sep = " ";
	uint32_t f = flags & ~(uint32_t)(NF_NAT_F_MAP_IPS | NF_NAT_F_PROTO);

	c->r->action.nat_flags = flags;
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
	nf_piece_add(c, nf_buf_steal(b));
	c->ipt_bad++;
}

/* masquerade / redirect: no address, ports optional. */
static void nat_ports_only(struct nf_rctx *c, const struct nftnl_expr *e, enum nf_action_kind kind,
			   const char *word, uint16_t flags_attr, uint16_t min_attr, uint16_t max_attr)
{
	struct nf_action *a = &c->r->action;
	uint32_t flags = nf_expr_u32(e, flags_attr, 0), l;
	const uint8_t *pmin = NULL, *pmax = NULL;
	struct nf_buf b = { 0 };

	nf_action_clear(a);
	a->kind = kind;
	nf_buf_puts(&b, word);
	if (reg_imm(c, e, min_attr, &pmin, &l)) {
		reg_imm(c, e, max_attr, &pmax, &l);
		nf_buf_puts(&b, " to ");
		ports_nft(&b, a, pmin, pmax);
		flags |= NF_NAT_F_PROTO;
	}
	nat_done(c, &b, flags);
}

static void decode_masq(struct nf_rctx *c, const struct nftnl_expr *e)
{
	nat_ports_only(c, e, NF_ACT_MASQUERADE, "masquerade", NFTNL_EXPR_MASQ_FLAGS,
		       NFTNL_EXPR_MASQ_REG_PROTO_MIN, NFTNL_EXPR_MASQ_REG_PROTO_MAX);
}

static void decode_redir(struct nf_rctx *c, const struct nftnl_expr *e)
{
	nat_ports_only(c, e, NF_ACT_REDIRECT, "redirect", NFTNL_EXPR_REDIR_FLAGS,
		       NFTNL_EXPR_REDIR_REG_PROTO_MIN, NFTNL_EXPR_REDIR_REG_PROTO_MAX);
}

/* Addresses or ports from a map or an expression: the NAT target is not known. */
static void nat_unknown(struct nf_rctx *c, const struct nftnl_expr *e)
{
	struct nf_action *a = &c->r->action;
	char raw[512];

	nf_expr_raw(e, raw, sizeof(raw));
	a->kind = NF_ACT_UNSUPPORTED;
	a->text = nm_xstrdup("nat from a map or expression");
	a->raw = nm_xstrdup(raw);
	c->r->unsupported = true;
	nf_piece_add(c, nm_xasprintf("unsupported: %s", raw));
	c->ipt_bad++;
}

/* "snat [ip|ip6] to ADDR[-ADDR][:PORT[-PORT]]", "[v6]:port" when both are given */
static void decode_nat(struct nf_rctx *c, const struct nftnl_expr *e)
{
	struct nf_action *a = &c->r->action;
	uint32_t type = nf_expr_u32(e, NFTNL_EXPR_NAT_TYPE, 0);
	bool has_a = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN);
	bool has_p = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN);
	bool v6 = nf_expr_u32(e, NFTNL_EXPR_NAT_FAMILY, c->t->family) == NF_FAMILY_IP6;
	const uint8_t *amin = NULL, *amax = NULL, *pmin = NULL, *pmax = NULL;
	uint32_t lmin = 0, lmax = 0, l, alen = v6 ? 16 : 4;
	struct nf_buf b = { 0 };

	nf_action_clear(a);
	a->kind = type == NFT_NAT_SNAT ? NF_ACT_SNAT : NF_ACT_DNAT;
	if ((has_a && !reg_imm(c, e, NFTNL_EXPR_NAT_REG_ADDR_MIN, &amin, &lmin)) ||
	    (has_p && !reg_imm(c, e, NFTNL_EXPR_NAT_REG_PROTO_MIN, &pmin, &l))) {
		nat_unknown(c, e);
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
	nat_done(c, &b, nf_expr_u32(e, NFTNL_EXPR_NAT_FLAGS, 0));
}

/* ---- ops: name, decoder, the attributes the validator accepts ---- */

const struct nf_expr_ops nf_expr_masq = NF_EXPR_OPS("masq", decode_masq,
	NF_ATTR(U32, NFTA_MASQ_FLAGS), NF_ATTR(U32, NFTA_MASQ_REG_PROTO_MIN),
	NF_ATTR(U32, NFTA_MASQ_REG_PROTO_MAX));
const struct nf_expr_ops nf_expr_nat = NF_EXPR_OPS("nat", decode_nat, NF_ATTR(U32, NFTA_NAT_TYPE),
	NF_ATTR(U32, NFTA_NAT_FAMILY), NF_ATTR(U32, NFTA_NAT_REG_ADDR_MIN),
	NF_ATTR(U32, NFTA_NAT_REG_ADDR_MAX), NF_ATTR(U32, NFTA_NAT_REG_PROTO_MIN),
	NF_ATTR(U32, NFTA_NAT_REG_PROTO_MAX), NF_ATTR(U32, NFTA_NAT_FLAGS));
const struct nf_expr_ops nf_expr_redir = NF_EXPR_OPS("redir", decode_redir,
	NF_ATTR(U32, NFTA_REDIR_REG_PROTO_MIN), NF_ATTR(U32, NFTA_REDIR_REG_PROTO_MAX),
	NF_ATTR(U32, NFTA_REDIR_FLAGS));
