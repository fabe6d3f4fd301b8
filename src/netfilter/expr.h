/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr.h - the nf_tables expression table (validator policy + decoder) and the rule context its decoders share. */
#ifndef NSMAP_NF_EXPR_H
#define NSMAP_NF_EXPR_H

#include <sys/types.h>

#include "nf.h"

/* ---- attribute policies (validate.c walks them) ---- */

/* How the validator checks one attribute. */
enum nf_vkind {
	NF_V_NONE = 0,	/* not looked at by libnftnl: skipped */
	NF_V_U8,
	NF_V_U16,
	NF_V_U32,
	NF_V_U64,
	NF_V_STR,	/* MNL_TYPE_STRING / NUL_STRING: we require the NUL */
	NF_V_BIN,	/* MNL_TYPE_BINARY */
	NF_V_NEST,	/* nest checked against sub */
	NF_V_VALUE,	/* nft_data nest holding a value only */
	NF_V_VDATA,	/* nft_data nest holding a value or a verdict */
	NF_V_EXPR,	/* one expression (NFTA_EXPR_NAME + NFTA_EXPR_DATA) */
	NF_V_EXPRS,	/* list of NFTA_LIST_ELEM expressions */
	NF_V_DEVS,	/* list of NFTA_DEVICE_NAME strings */
	NF_V_CONCAT,	/* set description: list of NFTA_LIST_ELEM field nests */
	NF_V_ELEMS,	/* list of NFTA_LIST_ELEM set elements */
};

/* Attribute types of any policy stay under this. */
#define NF_V_TB_SIZE 32

struct nf_vpol;

struct nf_vattr {
	uint8_t kind;			/* enum nf_vkind */
	const struct nf_vpol *sub;	/* NF_V_NEST */
};

/* The attributes of one message, nest or expression, indexed by attribute type. */
struct nf_vpol {
	const char *what;
	const struct nf_vattr *attrs;
	uint16_t max;
	uint32_t required;	/* bit per attribute type */
	bool closed;		/* attributes beyond the table are refused, not skipped */
};

/*
 * A policy is written as its attributes, each as NF_ATTR(KIND, NFTA_...) (KIND: U32, STR,
 * VALUE, ... of enum nf_vkind) or NF_NEST(NFTA_..., &policy of the nest):
 *   NF_POLICY("chain hook", 0, NF_ATTR(U32, NFTA_HOOK_HOOKNUM), NF_ATTR(STR, NFTA_HOOK_DEV))
 * req: the bits of the mandatory attribute types. Its max fails to compile if the table
 * outgrows the tb[] arrays.
 */
#define NF_ATTR(kind, type) [type] = { NF_V_##kind, NULL }
#define NF_NEST(type, pol) [type] = { NF_V_NEST, pol }
#define NF_ATTRS(...) ((const struct nf_vattr[]){ __VA_ARGS__ })
#define NF_VMAX(arr) \
	((uint16_t)(ARRAY_SIZE(arr) - 1 + 0 * sizeof(char[ARRAY_SIZE(arr) <= NF_V_TB_SIZE ? 1 : -1])))
#define NF_VPOL(name, arr, req, closed) { name, arr, NF_VMAX(arr), req, closed }
#define NF_POLICY(name, req, ...) NF_VPOL(name, NF_ATTRS(__VA_ARGS__), req, false)

/* ---- the table (expr.c) ---- */

struct nf_rctx;
struct nftnl_expr;

/*
 * One expression libnftnl 1.2.4 knows: the attributes the validator accepts (libnftnl's own
 * callback in src/expr/NAME.c, stricter) and how the decoder turns it into the model and
 * text. Without decode, a rule using it is shown as unsupported with the expression's raw
 * form. Each expr_*.c file ends with the ops of its family; expr.c lists them all.
 */
struct nf_expr_ops {
	const char *name;
	struct nf_vpol policy;
	void (*decode)(struct nf_rctx *c, const struct nftnl_expr *e);
};
/* The ops of expression nm: decoder fn (or NULL), then its attributes (NF_ATTR...). */
#define NF_EXPR_OPS(nm, fn, ...) { .name = nm, .policy = NF_POLICY(nm, 0, __VA_ARGS__), .decode = fn }

/* NULL when libnftnl does not know the name (it would refuse the rule). */
const struct nf_expr_ops *nf_expr_find(const char *name);

extern const struct nf_expr_ops nf_expr_bitwise, nf_expr_ct, nf_expr_fib, nf_expr_immediate,
	nf_expr_meta, nf_expr_payload;					/* expr_load.c */
extern const struct nf_expr_ops nf_expr_cmp, nf_expr_range;		/* expr_cmp.c */
extern const struct nf_expr_ops nf_expr_lookup;				/* expr_lookup.c */
extern const struct nf_expr_ops nf_expr_masq, nf_expr_nat, nf_expr_redir;	/* expr_nat.c */
extern const struct nf_expr_ops nf_expr_counter, nf_expr_limit, nf_expr_log,
	nf_expr_reject;							/* expr_stmt.c */
extern const struct nf_expr_ops nf_expr_match, nf_expr_target;		/* expr_xt.c */
extern const struct nf_expr_ops nf_expr_byteorder, nf_expr_connlimit, nf_expr_dup,
	nf_expr_dynset, nf_expr_exthdr, nf_expr_flow_offload, nf_expr_fwd, nf_expr_hash,
	nf_expr_last, nf_expr_notrack, nf_expr_numgen, nf_expr_objref, nf_expr_osf,
	nf_expr_queue, nf_expr_quota, nf_expr_rt, nf_expr_socket, nf_expr_synproxy,
	nf_expr_tproxy, nf_expr_tunnel, nf_expr_xfrm;			/* expr_opaque.c */

/* ---- the rule context: a simulation of the registers, the text in pieces ---- */

#define NF_NREGS 20		/* 32-bit words: 0-3 verdict, 4-19 data */

/* What loaded a register. */
enum nf_src { NF_SRC_NONE = 0, NF_SRC_META, NF_SRC_PAYLOAD, NF_SRC_CT, NF_SRC_FIB, NF_SRC_IMM,
	      NF_SRC_NUMGEN, NF_SRC_OTHER };

struct nf_reg {
	enum nf_src kind;
	uint32_t key;		/* meta key, ct key, fib result, numgen type */
	uint32_t base, offset, len;
	uint32_t flags;		/* fib flags */
	uint32_t ng_mod, ng_offset;	/* numgen: value in [offset, offset + mod) */
	bool has_dir;
	uint8_t dir;
	uint8_t data[16];	/* immediate */
	uint32_t dlen;
	bool masked;		/* bitwise mask/xor applied */
	uint8_t mask[16], xor[16];
	bool other_op;		/* shift / byteorder / xor: not modelled as a compare */
	bool bitwise_bad;	/* a shift or a second bitwise: mask/xor do not say it */
	/* pending "cmp gte" (nft ranges are cmp gte + cmp lte) */
	bool has_gte;
	uint8_t gte[16];
};

/* A piece of the nft text of the rule, one per statement. */
struct nf_piece {
	char *text;
	bool hidden;		/* a protocol dependency nft does not print */
	bool ipt_bad;		/* not expressible in iptables syntax */
};

struct nf_rctx {
	const struct nf_table *t;
	struct nf_rule *r;		/* native structured result */
	struct nf_ipt *ipt;		/* iptables view */
	unsigned int ipt_bad;		/* constructs the iptables view cannot express */
	struct nf_reg regs[NF_NREGS];
	struct nf_piece *pieces;
	size_t n_pieces;
	/* context from earlier matches */
	int l3;				/* NF_FAMILY_IP / IP6 / 0 */
	int l4;				/* -1 unknown */
	ssize_t l4_piece;		/* index of the "meta l4proto X" piece, -1 */
	ssize_t l3_piece;
};

/* expr.c: registers, pieces, attributes */
int nf_reg_index(uint32_t reg);				/* word index, -1 if not a register */
struct nf_reg *nf_reg_get(struct nf_rctx *c, uint32_t reg);	/* data registers only */
/* A pending "cmp gte" with no "cmp lte" after it: emitted as an open range (expr_cmp.c). */
void nf_cmp_flush(struct nf_rctx *c);
/* The protocol match an address or port match implies is not printed by nft. */
void nf_reg_hide_dependency(struct nf_rctx *c, const struct nf_reg *g);
size_t nf_piece_add(struct nf_rctx *c, char *text);	/* takes text; returns its index */
/* "unsupported: what" in the text, an unsupported match in the model. */
void nf_piece_unsupported(struct nf_rctx *c, const char *what);
/* The same, with the expression's raw form as what. */
void nf_expr_unsupported(struct nf_rctx *c, const struct nftnl_expr *e);
void nf_expr_raw(const struct nftnl_expr *e, char *buf, size_t len);	/* "[ name ... ]" */
uint32_t nf_expr_u32(const struct nftnl_expr *e, uint16_t attr, uint32_t dflt);
uint64_t nf_expr_u64(const struct nftnl_expr *e, uint16_t attr, uint64_t dflt);
const char *nf_expr_str(const struct nftnl_expr *e, uint16_t attr);	/* NULL if absent */
const void *nf_expr_data(const struct nftnl_expr *e, uint16_t attr, uint32_t *len);

/* expr_load.c: what a register holds, as nft names it ("ip saddr") and as a model field.
 * false if the source is not something the model knows. */
bool nf_reg_lhs(const struct nf_rctx *c, const struct nf_reg *g, char *lhs, size_t len,
		enum nf_field *field);
int nf_reg_value_kind(const struct nf_rctx *c, const struct nf_reg *g);	/* NF_VK_* */

/* expr_stmt.c: statements other expressions end in */
void nf_stmt_verdict(struct nf_rctx *c, int32_t v, const char *chain);	/* immediate */
void nf_stmt_meta_set(struct nf_rctx *c, const struct nftnl_expr *e);	/* meta without dreg */

#endif
