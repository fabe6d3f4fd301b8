/* SPDX-License-Identifier: GPL-2.0-or-later */
/* validate.c - strict libmnl checks of nf_tables messages before libnftnl parses them. */
/*
 * libnftnl 1.2.4 trusts the kernel: an attribute failing its own mnl_attr_validate() makes it
 * exit() ("nf_tables kernel ABI is broken"), strings are strdup()ed without a NUL check and a
 * few mandatory attributes (expression name, verdict code, jump target) are dereferenced
 * without a presence check. Every message is therefore checked here first, against the same
 * attribute type tables libnftnl uses (src/table.c, chain.c, rule.c, set.c, set_elem.c, gen.c,
 * expr.c, expr/data_reg.c and one callback per expression in src/expr/), only stricter:
 *   - integers have exactly their size, strings are NUL-terminated, nests are well formed and
 *     fill their parent exactly (no trailing bytes), no attribute appears twice;
 *   - data nests hold exactly one value (1..64 bytes) or verdict; a verdict has a known code
 *     and jump/goto carry a chain; keys and compared data are values, never verdicts;
 *   - every expression (also inside dynset, set and element expressions) has a name libnftnl
 *     knows, and its data is checked against that expression's policy (the row of the
 *     expression table, src/netfilter/expr.c, that the decoder uses too);
 *   - lists hold only NFTA_LIST_ELEM (NFTA_DEVICE_NAME for hook devices) items.
 * Attributes libnftnl does not look at are skipped, as libnftnl does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "expr.h"

/* How deep expressions may nest (dynset -> expression); the kernel allows one level. */
#define V_MAX_DEPTH 3
/* libnftnl keeps at most this many concatenation fields (struct nftnl_set desc.field_len). */
#define V_MAX_CONCAT 16
/* union nftnl_data_reg holds at most NFT_DATA_VALUE_MAXLEN bytes. */
#define V_MAX_VALUE 64

/* libnftnl 1.2.4's set element callback bounds types by NFTA_SET_MAX instead of
 * NFTA_SET_ELEM_MAX: a larger type is written past its tb[] array (stack overflow). */
#define POLICY_CLOSED(name, req, ...) NF_VPOL(name, NF_ATTRS(__VA_ARGS__), req, true)
#define BIT(t) (1u << (t))

struct vctx {
	char *why;
	size_t whylen;
	int depth;
	bool failed;
};

static void fail(struct vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct vctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	if (!c->why || !c->whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->why, c->whylen, fmt, ap);
	va_end(ap);
}

/* ---- attribute tables (libnftnl 1.2.4 validation callbacks) ---- */

static const struct nf_vpol pol_verdict = NF_POLICY("verdict", BIT(NFTA_VERDICT_CODE),
	NF_ATTR(U32, NFTA_VERDICT_CODE), NF_ATTR(STR, NFTA_VERDICT_CHAIN),
	NF_ATTR(U32, NFTA_VERDICT_CHAIN_ID));

/* the verdict nest is walked by check_data() */
static const struct nf_vpol pol_data = NF_POLICY("data", 0, NF_ATTR(BIN, NFTA_DATA_VALUE),
	NF_ATTR(BIN, NFTA_DATA_VERDICT));

static const struct nf_vpol pol_counters = NF_POLICY("counters", 0,
	NF_ATTR(U64, NFTA_COUNTER_BYTES), NF_ATTR(U64, NFTA_COUNTER_PACKETS));

/* the data nest is checked against the expression's own policy (expr.c) */
static const struct nf_vpol pol_expr = NF_POLICY("expression", BIT(NFTA_EXPR_NAME),
	NF_ATTR(STR, NFTA_EXPR_NAME), NF_ATTR(BIN, NFTA_EXPR_DATA));

/* messages */
static const struct nf_vpol pol_table = NF_POLICY("table", BIT(NFTA_TABLE_NAME),
	NF_ATTR(STR, NFTA_TABLE_NAME), NF_ATTR(U32, NFTA_TABLE_FLAGS), NF_ATTR(U32, NFTA_TABLE_USE),
	NF_ATTR(U64, NFTA_TABLE_HANDLE), NF_ATTR(BIN, NFTA_TABLE_USERDATA),
	NF_ATTR(U32, NFTA_TABLE_OWNER));

static const struct nf_vpol pol_hook = NF_POLICY("chain hook", 0, NF_ATTR(U32, NFTA_HOOK_HOOKNUM),
	NF_ATTR(U32, NFTA_HOOK_PRIORITY), NF_ATTR(STR, NFTA_HOOK_DEV),
	NF_ATTR(DEVS, NFTA_HOOK_DEVS));

static const struct nf_vpol pol_chain = NF_POLICY("chain",
	BIT(NFTA_CHAIN_TABLE) | BIT(NFTA_CHAIN_NAME),
	NF_ATTR(STR, NFTA_CHAIN_TABLE), NF_ATTR(U64, NFTA_CHAIN_HANDLE),
	NF_ATTR(STR, NFTA_CHAIN_NAME), NF_NEST(NFTA_CHAIN_HOOK, &pol_hook),
	NF_ATTR(U32, NFTA_CHAIN_POLICY), NF_ATTR(U32, NFTA_CHAIN_USE),
	NF_ATTR(STR, NFTA_CHAIN_TYPE), NF_NEST(NFTA_CHAIN_COUNTERS, &pol_counters),
	NF_ATTR(U32, NFTA_CHAIN_FLAGS), NF_ATTR(U32, NFTA_CHAIN_ID),
	NF_ATTR(BIN, NFTA_CHAIN_USERDATA));

static const struct nf_vpol pol_compat = NF_POLICY("rule compat", 0,
	NF_ATTR(U32, NFTA_RULE_COMPAT_PROTO), NF_ATTR(U32, NFTA_RULE_COMPAT_FLAGS));

static const struct nf_vpol pol_rule = NF_POLICY("rule",
	BIT(NFTA_RULE_TABLE) | BIT(NFTA_RULE_CHAIN),
	NF_ATTR(STR, NFTA_RULE_TABLE), NF_ATTR(STR, NFTA_RULE_CHAIN),
	NF_ATTR(U64, NFTA_RULE_HANDLE), NF_ATTR(EXPRS, NFTA_RULE_EXPRESSIONS),
	NF_NEST(NFTA_RULE_COMPAT, &pol_compat), NF_ATTR(U64, NFTA_RULE_POSITION),
	NF_ATTR(BIN, NFTA_RULE_USERDATA), NF_ATTR(U32, NFTA_RULE_ID),
	NF_ATTR(U32, NFTA_RULE_POSITION_ID));

static const struct nf_vpol pol_field = NF_POLICY("set field", BIT(NFTA_SET_FIELD_LEN),
	NF_ATTR(U32, NFTA_SET_FIELD_LEN));

static const struct nf_vpol pol_desc = NF_POLICY("set description", 0,
	NF_ATTR(U32, NFTA_SET_DESC_SIZE), NF_ATTR(CONCAT, NFTA_SET_DESC_CONCAT));

static const struct nf_vpol pol_set = NF_POLICY("set",
	BIT(NFTA_SET_TABLE) | BIT(NFTA_SET_NAME),
	NF_ATTR(STR, NFTA_SET_TABLE), NF_ATTR(STR, NFTA_SET_NAME), NF_ATTR(U32, NFTA_SET_FLAGS),
	NF_ATTR(U32, NFTA_SET_KEY_TYPE), NF_ATTR(U32, NFTA_SET_KEY_LEN),
	NF_ATTR(U32, NFTA_SET_DATA_TYPE), NF_ATTR(U32, NFTA_SET_DATA_LEN),
	NF_ATTR(U32, NFTA_SET_POLICY), NF_NEST(NFTA_SET_DESC, &pol_desc), NF_ATTR(U32, NFTA_SET_ID),
	NF_ATTR(U64, NFTA_SET_TIMEOUT), NF_ATTR(U32, NFTA_SET_GC_INTERVAL),
	NF_ATTR(BIN, NFTA_SET_USERDATA), NF_ATTR(U32, NFTA_SET_OBJ_TYPE),
	NF_ATTR(U64, NFTA_SET_HANDLE), NF_ATTR(EXPR, NFTA_SET_EXPR),
	NF_ATTR(EXPRS, NFTA_SET_EXPRESSIONS));

static const struct nf_vpol pol_elem = POLICY_CLOSED("set element", 0,
	NF_ATTR(VALUE, NFTA_SET_ELEM_KEY), NF_ATTR(VDATA, NFTA_SET_ELEM_DATA),
	NF_ATTR(U32, NFTA_SET_ELEM_FLAGS), NF_ATTR(U64, NFTA_SET_ELEM_TIMEOUT),
	NF_ATTR(U64, NFTA_SET_ELEM_EXPIRATION), NF_ATTR(BIN, NFTA_SET_ELEM_USERDATA),
	NF_ATTR(EXPR, NFTA_SET_ELEM_EXPR), NF_ATTR(STR, NFTA_SET_ELEM_OBJREF),
	NF_ATTR(VALUE, NFTA_SET_ELEM_KEY_END), NF_ATTR(EXPRS, NFTA_SET_ELEM_EXPRESSIONS));

static const struct nf_vpol pol_elems = NF_POLICY("set element list",
	BIT(NFTA_SET_ELEM_LIST_TABLE) | BIT(NFTA_SET_ELEM_LIST_SET),
	NF_ATTR(STR, NFTA_SET_ELEM_LIST_TABLE), NF_ATTR(STR, NFTA_SET_ELEM_LIST_SET),
	NF_ATTR(ELEMS, NFTA_SET_ELEM_LIST_ELEMENTS), NF_ATTR(U32, NFTA_SET_ELEM_LIST_SET_ID));

static const struct nf_vpol pol_gen = NF_POLICY("generation", 0, NF_ATTR(U32, NFTA_GEN_ID));

/* ---- the walker ---- */

struct walk {
	struct vctx *c;
	const struct nf_vpol *p;
	const struct nlattr **tb;
	const char *end;	/* end of the last attribute seen (aligned) */
	unsigned int n;		/* list walks: items seen */
	uint16_t item_type;	/* list walks: the only type allowed */
	uint8_t item_kind;	/* list walks: how each item is checked */
};

static int check_attr(struct vctx *c, const struct nf_vpol *p, uint16_t type, const struct nlattr *a);
static int check_expr(struct vctx *c, const struct nlattr *a);

static const char *kind_name(uint8_t k)
{
	static const char *const names[] = {
		[NF_V_U8] = "u8", [NF_V_U16] = "u16", [NF_V_U32] = "u32", [NF_V_U64] = "u64",
		[NF_V_STR] = "string", [NF_V_BIN] = "binary", [NF_V_NEST] = "nest", [NF_V_VALUE] = "value",
		[NF_V_VDATA] = "data", [NF_V_EXPR] = "expression", [NF_V_EXPRS] = "expression list",
		[NF_V_DEVS] = "device list", [NF_V_CONCAT] = "field list", [NF_V_ELEMS] = "element list",
	};

	return k < ARRAY_SIZE(names) && names[k] ? names[k] : "?";
}

/* The attributes of an area must fill it exactly: libmnl stops silently at a broken one. */
static int check_filled(struct vctx *c, const char *what, const struct walk *w, const void *start,
			size_t len, int ret)
{
	if (ret < MNL_CB_STOP || c->failed) {
		fail(c, "%s: invalid attribute", what);
		return -1;
	}
	if (w->end < (const char *)start + len) {
		fail(c, "%s: truncated or misaligned attribute at byte %zu of %zu", what,
		     (size_t)(w->end - (const char *)start), len);
		return -1;
	}
	return 0;
}

static int walk_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	uint16_t t = mnl_attr_get_type(a);

	w->end = (const char *)a + MNL_ALIGN(a->nla_len);
	if (t > w->p->max && w->p->closed) {
		fail(w->c, "%s: attribute type %u unknown to libnftnl", w->p->what, t);
		return MNL_CB_ERROR;
	}
	if (t > w->p->max || w->p->attrs[t].kind == NF_V_NONE)
		return MNL_CB_OK;
	if (w->tb[t]) {
		fail(w->c, "%s: attribute %u appears twice", w->p->what, t);
		return MNL_CB_ERROR;
	}
	if (check_attr(w->c, w->p, t, a) < 0)
		return MNL_CB_ERROR;
	w->tb[t] = a;
	return MNL_CB_OK;
}

static int check_required(struct vctx *c, const struct nf_vpol *p, const struct nlattr **tb)
{
	uint16_t t;

	for (t = 0; t <= p->max && t < 32 && p->required >> t; t++) {
		if ((p->required & BIT(t)) && !tb[t]) {
			fail(c, "%s: mandatory attribute %u missing", p->what, t);
			return -1;
		}
	}
	return 0;
}

/* Check the attributes of a nest against p; tb (NF_V_TB_SIZE entries) receives them. */
static int walk_nest(struct vctx *c, const struct nf_vpol *p, const struct nlattr *nest,
		     const struct nlattr **tb)
{
	struct walk w = { .c = c, .p = p, .tb = tb };
	size_t len = mnl_attr_get_payload_len(nest);
	const void *start = mnl_attr_get_payload(nest);
	int ret;

	memset(tb, 0, (p->max + 1u) * sizeof(*tb));	/* only tb[0..max] is ever read */
	w.end = start;
	ret = mnl_attr_parse_nested(nest, walk_cb, &w);
	if (check_filled(c, p->what, &w, start, len, ret) < 0)
		return -1;
	return check_required(c, p, tb);
}

static int check_verdict(struct vctx *c, const struct nlattr **tb)
{
	int32_t code = (int32_t)ntohl(mnl_attr_get_u32(tb[NFTA_VERDICT_CODE]));

	switch (code) {
	case NF_ACCEPT:
	case NF_DROP:
	case NF_QUEUE:
	case NFT_CONTINUE:
	case NFT_BREAK:
	case NFT_RETURN:
		return 0;
	case NFT_JUMP:
	case NFT_GOTO:
		if (!tb[NFTA_VERDICT_CHAIN]) {
			fail(c, "verdict: jump/goto without a chain");
			return -1;
		}
		return 0;
	default:
		fail(c, "verdict: unknown code %d", code);
		return -1;
	}
}

/* nft_data: exactly one value (1..64 bytes) or, where allowed, one verdict. */
static int check_data(struct vctx *c, const struct nlattr *a, bool verdict_ok)
{
	const struct nlattr *tb[NF_V_TB_SIZE], *vtb[NF_V_TB_SIZE];
	uint16_t len;

	if (walk_nest(c, &pol_data, a, tb) < 0)
		return -1;
	if (!tb[NFTA_DATA_VALUE] == !tb[NFTA_DATA_VERDICT]) {
		fail(c, "data: %s", tb[NFTA_DATA_VALUE] ? "both a value and a verdict" :
		     "neither a value nor a verdict");
		return -1;
	}
	if (tb[NFTA_DATA_VALUE]) {
		len = mnl_attr_get_payload_len(tb[NFTA_DATA_VALUE]);
		if (len == 0 || len > V_MAX_VALUE) {
			fail(c, "data: value of %u bytes", len);
			return -1;
		}
		return 0;
	}
	if (!verdict_ok) {
		fail(c, "data: a verdict where a value is expected");
		return -1;
	}
	if (walk_nest(c, &pol_verdict, tb[NFTA_DATA_VERDICT], vtb) < 0)
		return -1;
	return check_verdict(c, vtb);
}

static int list_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	uint16_t t = mnl_attr_get_type(a);
	const struct nlattr *tb[NF_V_TB_SIZE];

	w->end = (const char *)a + MNL_ALIGN(a->nla_len);
	if (t != w->item_type) {
		fail(w->c, "%s: item of type %u", kind_name(w->item_kind), t);
		return MNL_CB_ERROR;
	}
	w->n++;
	switch (w->item_kind) {
	case NF_V_EXPRS:
		if (check_expr(w->c, a) < 0)
			return MNL_CB_ERROR;
		break;
	case NF_V_DEVS:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0) {
			fail(w->c, "chain hook: device name not a NUL-terminated string");
			return MNL_CB_ERROR;
		}
		break;
	case NF_V_CONCAT:
		if (w->n > V_MAX_CONCAT) {
			fail(w->c, "set description: more than %d concatenated fields", V_MAX_CONCAT);
			return MNL_CB_ERROR;
		}
		if (walk_nest(w->c, &pol_field, a, tb) < 0)
			return MNL_CB_ERROR;
		break;
	case NF_V_ELEMS:
		if (walk_nest(w->c, &pol_elem, a, tb) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int check_list(struct vctx *c, const struct nlattr *a, uint8_t kind, uint16_t item_type)
{
	struct walk w = { .c = c, .item_type = item_type, .item_kind = kind };
	const void *start = mnl_attr_get_payload(a);
	int ret;

	w.end = start;
	ret = mnl_attr_parse_nested(a, list_cb, &w);
	return check_filled(c, kind_name(kind), &w, start, mnl_attr_get_payload_len(a), ret);
}

static int check_attr(struct vctx *c, const struct nf_vpol *p, uint16_t type, const struct nlattr *a)
{
	/* how libmnl checks each kind first (0: not at all) */
	static const uint8_t mnl_types[] = {
		[NF_V_U8] = MNL_TYPE_U8, [NF_V_U16] = MNL_TYPE_U16, [NF_V_U32] = MNL_TYPE_U32,
		[NF_V_U64] = MNL_TYPE_U64, [NF_V_STR] = MNL_TYPE_NUL_STRING,
		[NF_V_NEST] = MNL_TYPE_NESTED, [NF_V_VALUE] = MNL_TYPE_NESTED,
		[NF_V_VDATA] = MNL_TYPE_NESTED, [NF_V_EXPR] = MNL_TYPE_NESTED,
		[NF_V_EXPRS] = MNL_TYPE_NESTED, [NF_V_DEVS] = MNL_TYPE_NESTED,
		[NF_V_CONCAT] = MNL_TYPE_NESTED, [NF_V_ELEMS] = MNL_TYPE_NESTED,
	};
	const struct nf_vattr *va = &p->attrs[type];
	const struct nlattr *tb[NF_V_TB_SIZE];

	if (va->kind >= ARRAY_SIZE(mnl_types) || !mnl_types[va->kind])
		return 0;
	if (mnl_attr_validate(a, mnl_types[va->kind]) < 0) {
		fail(c, "%s: attribute %u: not a valid %s (%u bytes)", p->what, type,
		     kind_name(va->kind), mnl_attr_get_payload_len(a));
		return -1;
	}
	switch (va->kind) {
	case NF_V_NEST:
		return walk_nest(c, va->sub, a, tb);
	case NF_V_VALUE:
	case NF_V_VDATA:
		return check_data(c, a, va->kind == NF_V_VDATA);
	case NF_V_EXPR:
		return check_expr(c, a);
	case NF_V_EXPRS:
	case NF_V_CONCAT:
	case NF_V_ELEMS:
		return check_list(c, a, va->kind, NFTA_LIST_ELEM);
	case NF_V_DEVS:
		return check_list(c, a, va->kind, NFTA_DEVICE_NAME);
	default:
		return 0;
	}
}

/* A printable, bounded copy of an untrusted name for messages. */
static void safe_name(char *out, size_t outlen, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < outlen; i++)
		out[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

static int check_expr(struct vctx *c, const struct nlattr *a)
{
	const struct nlattr *tb[NF_V_TB_SIZE], *dtb[NF_V_TB_SIZE];
	const struct nf_expr_ops *ops;
	int ret;

	if (c->depth >= V_MAX_DEPTH) {
		fail(c, "expressions nested too deeply");
		return -1;
	}
	if (walk_nest(c, &pol_expr, a, tb) < 0)
		return -1;
	ops = nf_expr_find(mnl_attr_get_str(tb[NFTA_EXPR_NAME]));
	if (!ops) {
		char nm[33];

		safe_name(nm, sizeof(nm), mnl_attr_get_str(tb[NFTA_EXPR_NAME]));
		fail(c, "unsupported expression '%s'", nm);
		return -1;
	}
	if (!tb[NFTA_EXPR_DATA])
		return 0;
	c->depth++;
	ret = walk_nest(c, &ops->policy, tb[NFTA_EXPR_DATA], dtb);
	c->depth--;
	return ret;
}

static const struct nf_vpol *msg_policy(uint16_t type)
{
	if ((type >> 8) != NFNL_SUBSYS_NFTABLES)
		return NULL;
	switch (type & 0xff) {
	case NFT_MSG_NEWTABLE:
		return &pol_table;
	case NFT_MSG_NEWCHAIN:
		return &pol_chain;
	case NFT_MSG_NEWRULE:
		return &pol_rule;
	case NFT_MSG_NEWSET:
		return &pol_set;
	case NFT_MSG_NEWSETELEM:
		return &pol_elems;
	case NFT_MSG_NEWGEN:
		return &pol_gen;
	default:
		return NULL;
	}
}

int nf_validate_msg(const struct nlmsghdr *nlh, char *why, size_t whylen)
{
	struct vctx c = { .why = why, .whylen = whylen };
	const struct nlattr *tb[NF_V_TB_SIZE] = { 0 };
	const struct nf_vpol *p = msg_policy(nlh->nlmsg_type);
	struct walk w = { .c = &c, .tb = tb };
	const char *start;
	size_t len;
	int ret;

	if (why && whylen)
		why[0] = '\0';
	if (!p) {
		fail(&c, "not an nf_tables object message (type 0x%x)", nlh->nlmsg_type);
		return -EINVAL;
	}
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg))) {
		fail(&c, "%s: message too short", p->what);
		return -EINVAL;
	}
	w.p = p;
	start = (const char *)mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg));
	len = (const char *)nlh + nlh->nlmsg_len > start ?
	      (size_t)((const char *)nlh + nlh->nlmsg_len - start) : 0;
	w.end = start;
	ret = mnl_attr_parse(nlh, sizeof(struct nfgenmsg), walk_cb, &w);
	if (check_filled(&c, p->what, &w, start, len, ret) < 0 || check_required(&c, p, tb) < 0)
		return -EINVAL;
	return 0;
}
