/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_stmt.c - statements: verdicts, counter, log, limit, reject and meta set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_limit.h>

#include "expr.h"

void nf_stmt_verdict(struct nf_rctx *c, int32_t v, const char *chain)
{
	struct nf_action *a = &c->r->action;
	const char *t;

	nf_action_clear(a);
	a->kind = nf_nft_verdict(v, &t);
	if (a->kind == NF_ACT_UNSUPPORTED) {
		a->text = nm_xasprintf("verdict %d", v);
		c->r->unsupported = true;
		nf_piece_add(c, nm_xasprintf("unsupported: verdict %d", v));
		c->ipt_bad++;
		return;
	}
	if (a->kind == NF_ACT_JUMP || a->kind == NF_ACT_GOTO) {
		a->chain = nm_xstrdup(chain ? chain : "?");
		nf_piece_add(c, nm_xasprintf("%s %s", t, a->chain));
	} else {
		nf_piece_add(c, nm_xstrdup(t));
	}
	c->ipt->verdict = NF_IPT_STANDARD;
	c->ipt->std = a->kind;
	free(c->ipt->chain);
	c->ipt->chain = a->chain ? nm_xstrdup(a->chain) : NULL;
	if (a->kind == NF_ACT_CONTINUE || a->kind == NF_ACT_QUEUE)
		c->ipt_bad++;
}

/*
 * "meta mark set meta mark | 0x4000" (kube-proxy), "& V", "^ V": the mark through one
 * bitwise, new = (mark & m) ^ x. The model's MARK_SET is (mark & ~mask) ^ value. false for
 * any other form.
 */
static bool mark_set_bitwise(struct nf_rctx *c, const struct nf_reg *g)
{
	struct nf_action *a;
	uint32_t m, x;
	char op;

	if (g->kind != NF_SRC_META || g->key != NFT_META_MARK || !g->masked || g->bitwise_bad)
		return false;
	m = nf_rd32(g->mask);
	x = nf_rd32(g->xor);
	if (m == ~x && x)
		op = '|';
	else if (x == 0)
		op = '&';
	else if (m == 0xffffffffu)
		op = '^';
	else
		return false;
	a = NM_PUSH(c->r->effects, c->r->n_effects);
	a->kind = NF_ACT_MARK_SET;
	a->mask = ~m;
	a->value = x;
	nf_piece_add(c, nm_xasprintf("meta mark set meta mark %c 0x%08x", op, op == '&' ? m : x));
	c->ipt_bad++;
	return true;
}

void nf_stmt_meta_set(struct nf_rctx *c, const struct nftnl_expr *e)
{
	uint32_t key = nf_expr_u32(e, NFTNL_EXPR_META_KEY, 0);
	struct nf_reg *g = nf_reg_get(c, nf_expr_u32(e, NFTNL_EXPR_META_SREG, 0));

	if (key == NFT_META_MARK && g && g->kind == NF_SRC_IMM && g->dlen >= 4) {
		struct nf_action *a = NM_PUSH(c->r->effects, c->r->n_effects);

		a->kind = NF_ACT_MARK_SET;
		a->value = nf_rd32(g->data);
		a->mask = 0xffffffffu;
		nf_piece_add(c, nm_xasprintf("meta mark set 0x%08x", a->value));
		c->ipt_bad++;
	} else if (key == NFT_META_MARK && g && mark_set_bitwise(c, g)) {
		/* done */
	} else if (key == NFT_META_NFTRACE && g && g->kind == NF_SRC_IMM) {
		nf_piece_add(c, nm_xasprintf("meta nftrace set %u", g->dlen ? g->data[0] : 0));
		free(c->ipt->target.text);
		c->ipt->target.text = nm_xstrdup("-j TRACE");
		c->ipt->verdict = NF_IPT_TARGET;
	} else {
		nf_expr_unsupported(c, e);
	}
}

static void decode_counter(struct nf_rctx *c, const struct nftnl_expr *e)
{
	struct nf_rule *r = c->r;

	r->has_counter = true;
	r->packets = nf_expr_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
	r->bytes = nf_expr_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
	nf_piece_add(c, nm_xasprintf("counter packets %llu bytes %llu",
				     (unsigned long long)r->packets, (unsigned long long)r->bytes));
}

/* iptables-nft writes -j NFLOG as a native log with a group: xt_nflog_info for the view. */
static void log_nflog_target(struct nf_rctx *c, uint32_t snap, bool has_snap, uint16_t group,
			     uint16_t qthr, const char *prefix)
{
	uint8_t info[80] = { 0 };
	uint16_t flags = has_snap ? 1 : 0;	/* XT_NFLOG_F_COPY_LEN: the kernel dumps snaplen
						 * exactly when it is set, 0 included */

	memcpy(info, &snap, 4);
	memcpy(info + 4, &group, 2);
	memcpy(info + 6, &qthr, 2);
	memcpy(info + 8, &flags, 2);
	/* prefix[64] need not end in NUL: a 64-character prefix is whole (the 4 bytes of
	 * padding after it are zero) */
	if (prefix)
		memcpy(info + 12, prefix, strnlen(prefix, 64));
	nf_ipt_set_target(c->ipt, "NFLOG", 0, info, sizeof(info));
	if (prefix && strlen(prefix) > 64 && !c->ipt->extra)	/* more than xt_nflog_info holds */
		c->ipt->extra = nm_xasprintf("NFLOG prefix of %zu characters", strlen(prefix));
}

static void decode_log(struct nf_rctx *c, const struct nftnl_expr *e)
{
	static const char *const levels[] = { "emerg", "alert", "crit", "err", "warn", "notice",
					      "info", "debug", "audit" };
	struct nf_action *a = NM_PUSH(c->r->effects, c->r->n_effects);
	struct nf_buf b = { 0 };
	const char *prefix = nf_expr_str(e, NFTNL_EXPR_LOG_PREFIX);

	a->kind = NF_ACT_LOG;
	a->text = prefix ? nm_xstrdup(prefix) : NULL;
	nf_buf_puts(&b, "log");
	if (prefix)
		nf_buf_printf(&b, " prefix \"%s\"", prefix);
	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP)) {
		uint32_t snap = nf_expr_u32(e, NFTNL_EXPR_LOG_SNAPLEN, 0);
		bool has_snap = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_SNAPLEN);
		/* a u16 in libnftnl: get_u32 would refuse it */
		uint32_t qt = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_QTHRESHOLD) ?
			      nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_QTHRESHOLD) : 0;

		a->value = nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP);
		nf_buf_printf(&b, " group %u", a->value);
		if (snap)
			nf_buf_printf(&b, " snaplen %u", snap);
		if (qt)
			nf_buf_printf(&b, " queue-threshold %u", qt);
		log_nflog_target(c, snap, has_snap, (uint16_t)a->value, (uint16_t)qt, prefix);
	} else {
		uint32_t level = nf_expr_u32(e, NFTNL_EXPR_LOG_LEVEL, 4);

		a->value = level;
		if (level != 4)
			nf_buf_printf(&b, " level %s", level < 9 ? levels[level] : "?");
		c->ipt_bad++;
	}
	nf_piece_add(c, nf_buf_steal(&b));
}

static const char *limit_unit(uint64_t unit)
{
	return unit == 1 ? "second" : unit == 60 ? "minute" : unit == 3600 ? "hour" :
	       unit == 86400 ? "day" : unit == 604800 ? "week" : NULL;
}

static void decode_limit(struct nf_rctx *c, const struct nftnl_expr *e)
{
	uint64_t rate = nf_expr_u64(e, NFTNL_EXPR_LIMIT_RATE, 0);
	const char *u = limit_unit(nf_expr_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1));
	uint32_t burst = nf_expr_u32(e, NFTNL_EXPR_LIMIT_BURST, 0);
	uint32_t type = nf_expr_u32(e, NFTNL_EXPR_LIMIT_TYPE, 0);
	uint32_t flags = nf_expr_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
	struct nf_buf b = { 0 };

	if (!u || type != 0) {
		nf_expr_unsupported(c, e);
		return;
	}
	nf_buf_printf(&b, "limit rate %s%llu/%s", (flags & 1) ? "over " : "",
		      (unsigned long long)rate, u);
	if (burst != 5 && burst != 0)
		nf_buf_printf(&b, " burst %u packets", burst);
	/* a rate limit cannot be evaluated from a snapshot: keep it as unsupported */
	nf_rule_add_unsupported(c->r, b.s, NULL);
	nf_piece_add(c, nf_buf_steal(&b));
	if (!(flags & 1) && rate && rate <= UINT32_MAX) {
		/* iptables-nft writes -m limit as this native limit: the xt_rateinfo it reads
		 * back (avg = XT_LIMIT_SCALE * unit / rate), for libxtables to print */
		struct xt_rateinfo ri = { 0 };
		uint64_t unit = nf_expr_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
		struct nf_xt_item *it;

		ri.avg = (uint32_t)(XT_LIMIT_SCALE * unit / rate);
		ri.burst = burst;
		it = nf_ipt_add_item(c->ipt, "limit", 0, &ri, XT_ALIGN(sizeof(ri)));
		it->native = true;
		return;
	}
	c->ipt_bad++;
}

/* The name of an icmp code as nft spells it, and whether it is the default (not printed). */
static const char *reject_code(const struct nf_rctx *c, uint32_t type, uint32_t code,
			       const char **fam, bool *dflt)
{
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

	if (type == NFT_REJECT_ICMPX_UNREACH) {
		*fam = "icmpx";
		*dflt = code == 1;
		return code < ARRAY_SIZE(x) ? x[code] : NULL;
	}
	if (c->l3 == NF_FAMILY_IP6 || c->t->family == NF_FAMILY_IP6) {
		*fam = "icmpv6";
		*dflt = code == 4 && c->t->family == NF_FAMILY_IP6;	/* inet's default is icmpx */
		return code < ARRAY_SIZE(v6) ? v6[code] : NULL;
	}
	*fam = "icmp";
	*dflt = code == 3 && c->t->family == NF_FAMILY_IP;
	return code < ARRAY_SIZE(v4) ? v4[code] : NULL;
}

static void decode_reject(struct nf_rctx *c, const struct nftnl_expr *e)
{
	uint32_t type = nf_expr_u32(e, NFTNL_EXPR_REJECT_TYPE, 0);
	uint32_t code = nftnl_expr_is_set(e, NFTNL_EXPR_REJECT_CODE) ?
			nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE) : 0;
	struct nf_action *a = &c->r->action;
	const char *n, *fam;
	bool dflt;

	nf_action_clear(a);
	a->kind = NF_ACT_REJECT;
	c->ipt_bad++;
	if (type == NFT_REJECT_TCP_RST) {
		a->reject_with = nm_xstrdup("tcp-reset");
		nf_piece_add(c, nm_xstrdup("reject with tcp reset"));
		return;
	}
	n = reject_code(c, type, code, &fam, &dflt);
	/* "reject with icmp X" in an inet table implies the ipv4 test before it: nft hides it */
	if (type == NFT_REJECT_ICMP_UNREACH && c->l3_piece >= 0 && c->t->family != c->l3) {
		c->pieces[c->l3_piece].hidden = true;
		c->l3_piece = -1;
	}
	a->reject_with = nm_xasprintf("%s-%s", fam, n ? n : "?");
	if (dflt)
		nf_piece_add(c, nm_xstrdup("reject"));
	else if (n)
		nf_piece_add(c, nm_xasprintf("reject with %s %s", fam, n));
	else
		nf_piece_add(c, nm_xasprintf("reject with %s %u", fam, code));
}

/* ---- ops: name, decoder, the attributes the validator accepts ---- */

const struct nf_expr_ops nf_expr_counter = NF_EXPR_OPS("counter", decode_counter,
	NF_ATTR(U64, NFTA_COUNTER_BYTES), NF_ATTR(U64, NFTA_COUNTER_PACKETS));
const struct nf_expr_ops nf_expr_limit = NF_EXPR_OPS("limit", decode_limit,
	NF_ATTR(U64, NFTA_LIMIT_RATE), NF_ATTR(U64, NFTA_LIMIT_UNIT),
	NF_ATTR(U32, NFTA_LIMIT_BURST), NF_ATTR(U32, NFTA_LIMIT_TYPE),
	NF_ATTR(U32, NFTA_LIMIT_FLAGS));
const struct nf_expr_ops nf_expr_log = NF_EXPR_OPS("log", decode_log, NF_ATTR(U16, NFTA_LOG_GROUP),
	NF_ATTR(STR, NFTA_LOG_PREFIX), NF_ATTR(U32, NFTA_LOG_SNAPLEN),
	NF_ATTR(U16, NFTA_LOG_QTHRESHOLD), NF_ATTR(U32, NFTA_LOG_LEVEL),
	NF_ATTR(U32, NFTA_LOG_FLAGS));
const struct nf_expr_ops nf_expr_reject = NF_EXPR_OPS("reject", decode_reject,
	NF_ATTR(U32, NFTA_REJECT_TYPE), NF_ATTR(U8, NFTA_REJECT_ICMP_CODE));
