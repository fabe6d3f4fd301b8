/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_lookup.c - lookup: a key built from registers looked up in a set (a match) or a verdict map (the action). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <linux/netfilter/nf_tables.h>

#include "expr.h"

/* The fields of a (concatenated) key starting at register sreg, key_len bytes long, and their
 * nft text ("ip daddr . tcp dport"). *ok false if one of them is not modelled. */
static size_t key_fields(struct nf_rctx *c, uint32_t sreg, uint32_t key_len, enum nf_field *fields,
			 char *lhs, size_t lhslen, bool *ok)
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
			  const enum nf_field *fields, size_t n)
{
	enum nf_field *key;
	size_t *n_key;

	if (vmap) {
		struct nf_action *a = &c->r->action;

		nf_action_clear(a);
		a->kind = NF_ACT_VMAP;
		a->set = nm_xstrdup(setname);
		key = a->key;
		n_key = &a->n_key;
	} else {
		struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_SET, inv);

		m->set = nm_xstrdup(setname);
		key = m->key;
		n_key = &m->n_key;
		/* a "meta l4proto { tcp, udp }" lookup is no dependency */
	}
	memcpy(key, fields, NF_MAX_KEY_FIELDS * sizeof(*key));
	*n_key = n;
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
	char lhs[160];
	bool ok;
	size_t n;
	struct nf_buf b = { 0 };

	if (!setname) {
		nf_piece_unsupported(c, "lookup without set name");
		return;
	}
	n = key_fields(c, sreg, s ? s->key_len : 4, fields, lhs, sizeof(lhs), &ok);
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
	if (s && (s->flags & NF_SET_F_ANONYMOUS))
		nf_nft_set_inline(&b, s);
	else
		nf_buf_printf(&b, "@%s", setname);
	lookup_result(c, setname, has_dreg, flags & NFT_LOOKUP_F_INV, fields, n);
	nf_piece_add(c, nf_buf_steal(&b));
	c->ipt_bad++;
}

/* ---- ops: name, decoder, the attributes the validator accepts ---- */

const struct nf_expr_ops nf_expr_lookup = NF_EXPR_OPS("lookup", decode_lookup,
	NF_ATTR(STR, NFTA_LOOKUP_SET), NF_ATTR(U32, NFTA_LOOKUP_SREG),
	NF_ATTR(U32, NFTA_LOOKUP_DREG), NF_ATTR(U32, NFTA_LOOKUP_SET_ID),
	NF_ATTR(U32, NFTA_LOOKUP_FLAGS));
