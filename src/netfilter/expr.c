/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr.c - the nf_tables expression table, and one native rule -> model + nft / iptables-save text. */
/*
 * A rule is a list of expressions working on registers: loads (meta, payload, ct, ...) fill a
 * register, cmp/lookup/range test it, statements (counter, nat, log, verdicts) act. The
 * decoder simulates the registers (struct nf_reg) and turns each test into one structured
 * match and one piece of nft text, and builds the iptables view of the rule alongside for
 * iptables-nft tables. Each expression family lives in one expr_*.c file ending in its ops;
 * this table lists them, and the validator (validate.c) checks each expression against the
 * same row's policy before libnftnl parses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>

#include "expr.h"

/* Every expression libnftnl 1.2.4 registers (its src/expr_ops.c); others make it fail. */
static const struct nf_expr_ops *const expr_table[] = {
	&nf_expr_bitwise,
	&nf_expr_byteorder,
	&nf_expr_cmp,
	&nf_expr_connlimit,
	&nf_expr_counter,
	&nf_expr_ct,
	&nf_expr_dup,
	&nf_expr_dynset,
	&nf_expr_exthdr,
	&nf_expr_fib,
	&nf_expr_flow_offload,
	&nf_expr_fwd,
	&nf_expr_hash,
	&nf_expr_immediate,
	&nf_expr_last,
	&nf_expr_limit,
	&nf_expr_log,
	&nf_expr_lookup,
	&nf_expr_masq,
	&nf_expr_match,
	&nf_expr_meta,
	&nf_expr_nat,
	&nf_expr_notrack,
	&nf_expr_numgen,
	&nf_expr_objref,
	&nf_expr_osf,
	&nf_expr_payload,
	&nf_expr_queue,
	&nf_expr_quota,
	&nf_expr_range,
	&nf_expr_redir,
	&nf_expr_reject,
	&nf_expr_rt,
	&nf_expr_socket,
	&nf_expr_synproxy,
	&nf_expr_target,
	&nf_expr_tproxy,
	&nf_expr_tunnel,
	&nf_expr_xfrm,
};

const struct nf_expr_ops *nf_expr_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(expr_table); i++)
		if (strcmp(expr_table[i]->name, name) == 0)
			return expr_table[i];
	return NULL;
}

/* ---- registers, pieces, attributes ---- */

int nf_reg_index(uint32_t reg)
{
	if (reg <= NFT_REG_4)
		return (int)reg * 4;
	if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		return (int)(reg - NFT_REG32_00) + 4;
	return -1;
}

struct nf_reg *nf_reg_get(struct nf_rctx *c, uint32_t reg)
{
	int i = nf_reg_index(reg);

	if (i < 4 || i >= NF_NREGS)
		return NULL;
	return &c->regs[i];
}

void nf_reg_hide_dependency(struct nf_rctx *c, const struct nf_reg *g)
{
	if (g->kind != NF_SRC_PAYLOAD)
		return;
	if (g->base == NFT_PAYLOAD_TRANSPORT_HEADER && c->l4_piece >= 0) {
		c->pieces[c->l4_piece].hidden = true;
		c->l4_piece = -1;
		/* in inet and bridge tables icmp implies ipv4, icmpv6 ipv6: nft hides that too */
		if (c->l3_piece >= 0 && ((c->l4 == 1 && c->l3 == NF_FAMILY_IP) ||
					 (c->l4 == 58 && c->l3 == NF_FAMILY_IP6))) {
			c->pieces[c->l3_piece].hidden = true;
			c->l3_piece = -1;
		}
	}
	if (g->base == NFT_PAYLOAD_NETWORK_HEADER && c->l3_piece >= 0) {
		c->pieces[c->l3_piece].hidden = true;
		c->l3_piece = -1;
	}
}

size_t nf_piece_add(struct nf_rctx *c, char *text)
{
	struct nf_piece *p = NM_PUSH(c->pieces, c->n_pieces);

	p->text = text;
	return c->n_pieces - 1;
}

void nf_piece_unsupported(struct nf_rctx *c, const char *what)
{
	nf_piece_add(c, nm_xasprintf("unsupported: %s", what));
	nf_rule_add_unsupported(c->r, what, NULL);
	c->ipt_bad++;
}

void nf_expr_raw(const struct nftnl_expr *e, char *buf, size_t len)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	char tmp[512];

	tmp[0] = '\0';
	nftnl_expr_snprintf(tmp, sizeof(tmp), e, NFTNL_OUTPUT_DEFAULT, 0);
	snprintf(buf, len, "[ %s %s]", name ? name : "?", tmp);
}

void nf_expr_unsupported(struct nf_rctx *c, const struct nftnl_expr *e)
{
	char raw[512];

	nf_expr_raw(e, raw, sizeof(raw));
	nf_piece_unsupported(c, raw);
}

uint32_t nf_expr_u32(const struct nftnl_expr *e, uint16_t attr, uint32_t dflt)
{
	return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_u32(e, attr) : dflt;
}

uint64_t nf_expr_u64(const struct nftnl_expr *e, uint16_t attr, uint64_t dflt)
{
	return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_u64(e, attr) : dflt;
}

const char *nf_expr_str(const struct nftnl_expr *e, uint16_t attr)
{
	return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_str(e, attr) : NULL;
}

const void *nf_expr_data(const struct nftnl_expr *e, uint16_t attr, uint32_t *len)
{
	*len = 0;
	if (!nftnl_expr_is_set(e, attr))
		return NULL;
	return nftnl_expr_get(e, attr, len);
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

static void decode_expr(struct nf_rctx *c, const struct nftnl_expr *e, const char *name)
{
	const struct nf_expr_ops *ops = nf_expr_find(name);

	if (ops && ops->decode)
		ops->decode(c, e);
	else
		nf_expr_unsupported(c, e);
}

/* The pieces, space-separated: those the iptables view cannot express, or those nft prints. */
static char *join_pieces(const struct nf_rctx *c, bool ipt_bad)
{
	struct nf_buf b = { 0 };
	size_t i;

	for (i = 0; i < c->n_pieces; i++)
		if (ipt_bad ? c->pieces[i].ipt_bad : !c->pieces[i].hidden)
			nf_buf_printf(&b, "%s%s", b.len ? " " : "", c->pieces[i].text);
	return nf_buf_steal(&b);
}

/* iptables-nft: the iptables view replaces the native structured matches. */
static void finish_ipt(struct nf_rctx *c, const struct nf_chain *ch, struct nf_rule *r)
{
	struct nf_ipt *ipt = c->ipt;
	struct nf_rule tmp = { 0 };

	if (c->ipt_bad)
		ipt->extra = join_pieces(c, true);
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
}

static void finish_rule(struct nf_rctx *c, const struct nftnl_rule *nr, const struct nf_chain *ch,
			struct nf_rule *r)
{
	size_t i;

	if (c->t->backend == NF_BACKEND_IPTABLES_NFT) {
		finish_ipt(c, ch, r);
	} else {
		char *text = join_pieces(c, false);

		r->text = r->comment ? nm_xasprintf("%s comment \"%s\"", text, r->comment) : text;
		if (r->comment)
			free(text);
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
	nf_ipt_free(c->ipt);
}

static void rule_header(const struct nftnl_rule *nr, struct nf_rule *r)
{
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
}

void nf_nft_decode_rule(const struct nftnl_rule *nr, const struct nf_table *t,
			const struct nf_chain *ch, struct nf_rule *r)
{
	struct nf_ipt ipt = { .family = t->family };
	struct nf_rctx c = {
		.t = t, .r = r, .ipt = &ipt, .l4 = -1, .l4_piece = -1, .l3_piece = -1,
		.l3 = (t->family == NF_FAMILY_IP || t->family == NF_FAMILY_IP6) ? t->family : 0,
	};
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	size_t i;

	rule_header(nr, r);
	it = nftnl_expr_iter_create(nr);
	if (!it)
		abort();
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		size_t before = c.n_pieces;
		unsigned int bad_before = c.ipt_bad;

		if (!name)
			continue;
		/* a "cmp gte" waits for its "cmp lte"; anything else ends the wait */
		if (strcmp(name, "cmp") || nf_expr_u32(e, NFTNL_EXPR_CMP_OP, 0) != NFT_CMP_LTE)
			nf_cmp_flush(&c);
		decode_expr(&c, e, name);
		/* what this expression added cannot be said in iptables syntax */
		if (c.ipt_bad != bad_before)
			for (i = before; i < c.n_pieces; i++)
				c.pieces[i].ipt_bad = true;
	}
	nftnl_expr_iter_destroy(it);
	nf_cmp_flush(&c);
	finish_rule(&c, nr, ch, r);
	nf_rule_why(r);
}
