/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_lookup.c - lookup: a key built from registers looked up in a set (a match) or a verdict map (the action). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <linux/netfilter/nf_tables.h>

#include "expr.h"

/* The fields of a (concatenated) key starting at register sreg, key_len bytes long, and their
 * nft text ("ip daddr . tcp dport"). *ok false if one of them is not modelled; *ng the first
 * numgen field (NULL: none). */
static size_t key_fields(struct nf_rctx *c, uint32_t sreg, uint32_t key_len, enum nf_field *fields,
			 char *lhs, size_t lhslen, bool *ok, const struct nf_reg **ng)
{
	int idx = nf_reg_index(sreg);
	size_t n = 0;
	uint32_t done = 0;

	*ok = true;
	lhs[0] = '\0';
	if (idx < 4)
		idx = 4;
	while (done < key_len && idx < NF_NREGS && n < NF_MAX_KEY_FIELDS) {
		struct nf_reg *g = &c->regs[idx];
		char one[64];
		uint32_t w;

		if (!nf_reg_lhs(c, g, one, sizeof(one), &fields[n])) {
			*ok = false;
			return n;
		}
		if (g->kind == NF_SRC_NUMGEN && !*ng)
			*ng = g;
		if (n)
			strncat(lhs, " . ", lhslen - strlen(lhs) - 1);
		strncat(lhs, one, lhslen - strlen(lhs) - 1);
		nf_reg_hide_dependency(c, g);
		/* each field takes whole 32-bit registers */
		w = g->kind == NF_SRC_PAYLOAD ? g->len : g->kind == NF_SRC_META &&
		    (g->key == NFT_META_IIFNAME || g->key == NFT_META_OIFNAME) ? 16 : 4;
		if (g->kind == NF_SRC_META && g->key == NFT_META_L4PROTO)
			w = 1;
		w = (w + 3) / 4;
		idx += (int)w;
		done += w * 4;
		n++;
	}
	return n;
}

/* What the lookup yields: a verdict map sets the action, a set lookup is a match. */
static void lookup_result(struct nf_rctx *c, const char *setname, bool vmap, bool inv,
			  const enum nf_field *fields, size_t n, const struct nf_reg *ng)
{
	enum nf_field *key;
	size_t *n_key;
	uint32_t *mod, *offset;

	if (vmap) {
		struct nf_action *a = &c->r->action;

		nf_action_clear(a);
		a->kind = NF_ACT_VMAP;
		a->set = nm_xstrdup(setname);
		key = a->key;
		n_key = &a->n_key;
		mod = &a->numgen_mod;
		offset = &a->numgen_offset;
	} else {
		struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_SET, inv);

		m->set = nm_xstrdup(setname);
		key = m->key;
		n_key = &m->n_key;
		mod = &m->numgen_mod;
		offset = &m->numgen_offset;
		/* a "meta l4proto { tcp, udp }" lookup is no dependency */
	}
	memcpy(key, fields, NF_MAX_KEY_FIELDS * sizeof(*key));
	*n_key = n;
	if (ng) {
		*mod = ng->ng_mod;
		*offset = ng->ng_offset;
	}
}

/*
 * An anonymous set keyed by numgen alone: its elements are host-order integers, which the set's
 * own type (integer) printed in hex; nft prints them in decimal ("{ 0 : goto a, 1 : goto b }").
 */
static void numgen_set_inline(struct nf_buf *b, const struct nf_set *s)
{
	size_t i;

	nf_buf_puts(b, "{ ");
	for (i = 0; i < s->n_elems; i++) {
		const struct nf_set_elem *el = &s->elems[i];

		if (i)
			nf_buf_puts(b, ", ");
		nf_nft_value_text(b, NF_VK_HOST_INT, el->key, el->key_len, -1);
		if (el->key_end) {
			nf_buf_puts(b, "-");
			nf_nft_value_text(b, NF_VK_HOST_INT, el->key_end, el->key_len, -1);
		}
		if (el->data_text)
			nf_buf_printf(b, " : %s", el->data_text);
	}
	nf_buf_puts(b, " }");
}

static void decode_lookup(struct nf_rctx *c, const struct nftnl_expr *e)
{
	const char *setname = nf_expr_str(e, NFTNL_EXPR_LOOKUP_SET);
	uint32_t sreg = nf_expr_u32(e, NFTNL_EXPR_LOOKUP_SREG, 0);
	uint32_t flags = nf_expr_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
	bool has_dreg = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG);
	uint32_t dreg = nf_expr_u32(e, NFTNL_EXPR_LOOKUP_DREG, 0);
	const struct nf_set *s = setname ? nf_set_find(c->t, setname) : NULL;
	enum nf_field fields[NF_MAX_KEY_FIELDS] = { 0 };
	const struct nf_reg *ng = NULL;
	char lhs[160];
	bool ok;
	size_t n;
	struct nf_buf b = { 0 };

	if (!setname) {
		nf_piece_unsupported(c, "lookup without set name");
		return;
	}
	n = key_fields(c, sreg, s ? s->key_len : 4, fields, lhs, sizeof(lhs), &ok, &ng);
	if (!ok || !n) {
		char *t = nm_xasprintf("lookup @%s on unknown key", setname);

		nf_piece_unsupported(c, t);
		free(t);
		return;
	}
	if (has_dreg && dreg != 0) {
		nf_piece_unsupported(c, "data map lookup");
		return;
	}
	nf_buf_printf(&b, "%s %s", lhs, has_dreg ? "vmap " : (flags & NFT_LOOKUP_F_INV) ? "!= " : "");
	if (s && (s->flags & NF_SET_F_ANONYMOUS) && ng && n == 1)
		numgen_set_inline(&b, s);
	else if (s && (s->flags & NF_SET_F_ANONYMOUS))
		nf_nft_set_inline(&b, s);
	else
		nf_buf_printf(&b, "@%s", setname);
	lookup_result(c, setname, has_dreg, flags & NFT_LOOKUP_F_INV, fields, n, ng);
	nf_piece_add(c, nf_buf_steal(&b));
	c->ipt_bad++;
}

/* ---- ops: name, decoder, the attributes the validator accepts ---- */

const struct nf_expr_ops nf_expr_lookup = NF_EXPR_OPS("lookup", decode_lookup,
	NF_ATTR(STR, NFTA_LOOKUP_SET), NF_ATTR(U32, NFTA_LOOKUP_SREG),
	NF_ATTR(U32, NFTA_LOOKUP_DREG), NF_ATTR(U32, NFTA_LOOKUP_SET_ID),
	NF_ATTR(U32, NFTA_LOOKUP_FLAGS));
