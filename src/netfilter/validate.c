/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nf_validate.c - strict libmnl checks of nf_tables messages before libnftnl parses them. */
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
 *     knows, and its data is checked against that expression's table;
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
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_osf.h>

#include "nf_int.h"

/* How deep expressions may nest (dynset -> expression); the kernel allows one level. */
#define V_MAX_DEPTH 3
/* Attribute types of any table below stay under this. */
#define V_TB_SIZE 32
/* libnftnl keeps at most this many concatenation fields (struct nftnl_set desc.field_len). */
#define V_MAX_CONCAT 16
/* union nftnl_data_reg holds at most NFT_DATA_VALUE_MAXLEN bytes. */
#define V_MAX_VALUE 64

enum vkind {
	V_NONE = 0,	/* not looked at by libnftnl: skipped */
	V_U8,
	V_U16,
	V_U32,
	V_U64,
	V_STR,		/* MNL_TYPE_STRING / NUL_STRING: we require the NUL */
	V_BIN,		/* MNL_TYPE_BINARY */
	V_NEST,		/* nest checked against sub */
	V_VALUE,	/* nft_data nest holding a value only */
	V_VDATA,	/* nft_data nest holding a value or a verdict */
	V_EXPR,		/* one expression (NFTA_EXPR_NAME + NFTA_EXPR_DATA) */
	V_EXPRS,	/* list of NFTA_LIST_ELEM expressions */
	V_DEVS,		/* list of NFTA_DEVICE_NAME strings */
	V_CONCAT,	/* set description: list of NFTA_LIST_ELEM field nests */
	V_ELEMS,	/* list of NFTA_LIST_ELEM set elements */
};

struct vpol;

struct vattr {
	uint8_t kind;
	const struct vpol *sub;
};

struct vpol {
	const char *what;
	const struct vattr *attrs;
	uint16_t max;
	uint32_t required;	/* bit per attribute type */
	bool closed;		/* attributes beyond the table are refused, not skipped */
};

/* max of a table; fails to compile if the table outgrows the tb[] arrays */
#define VMAX(arr) ((uint16_t)(ARRAY_SIZE(arr) - 1 + 0 * sizeof(char[ARRAY_SIZE(arr) <= V_TB_SIZE ? 1 : -1])))
#define VPOL(name, arr, req) { name, arr, VMAX(arr), req, false }
/* libnftnl 1.2.4's set element callback bounds types by NFTA_SET_MAX instead of
 * NFTA_SET_ELEM_MAX: a larger type is written past its tb[] array (stack overflow). */
#define VPOL_CLOSED(name, arr, req) { name, arr, VMAX(arr), req, true }
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

static const struct vattr pol_verdict_a[] = {
	[NFTA_VERDICT_CODE] = { V_U32 },
	[NFTA_VERDICT_CHAIN] = { V_STR },
	[NFTA_VERDICT_CHAIN_ID] = { V_U32 },
};
static const struct vpol pol_verdict = VPOL("verdict", pol_verdict_a, BIT(NFTA_VERDICT_CODE));

static const struct vattr pol_data_a[] = {
	[NFTA_DATA_VALUE] = { V_BIN },
	[NFTA_DATA_VERDICT] = { V_BIN },	/* walked by check_data() */
};
static const struct vpol pol_data = VPOL("data", pol_data_a, 0);

static const struct vattr pol_counters_a[] = {
	[NFTA_COUNTER_BYTES] = { V_U64 },
	[NFTA_COUNTER_PACKETS] = { V_U64 },
};
static const struct vpol pol_counters = VPOL("counters", pol_counters_a, 0);

static const struct vattr pol_expr_a[] = {
	[NFTA_EXPR_NAME] = { V_STR },
	[NFTA_EXPR_DATA] = { V_BIN },	/* checked against the expression's own table */
};
static const struct vpol pol_expr = VPOL("expression", pol_expr_a, BIT(NFTA_EXPR_NAME));

/* expressions */
static const struct vattr x_immediate[] = {
	[NFTA_IMMEDIATE_DREG] = { V_U32 },
	[NFTA_IMMEDIATE_DATA] = { V_VDATA },
};
static const struct vattr x_cmp[] = {
	[NFTA_CMP_SREG] = { V_U32 },
	[NFTA_CMP_OP] = { V_U32 },
	[NFTA_CMP_DATA] = { V_VALUE },
};
static const struct vattr x_payload[] = {
	[NFTA_PAYLOAD_DREG] = { V_U32 },
	[NFTA_PAYLOAD_BASE] = { V_U32 },
	[NFTA_PAYLOAD_OFFSET] = { V_U32 },
	[NFTA_PAYLOAD_LEN] = { V_U32 },
	[NFTA_PAYLOAD_SREG] = { V_U32 },
	[NFTA_PAYLOAD_CSUM_TYPE] = { V_U32 },
	[NFTA_PAYLOAD_CSUM_OFFSET] = { V_U32 },
	[NFTA_PAYLOAD_CSUM_FLAGS] = { V_U32 },
};
static const struct vattr x_meta[] = {
	[NFTA_META_DREG] = { V_U32 },
	[NFTA_META_KEY] = { V_U32 },
	[NFTA_META_SREG] = { V_U32 },
};
static const struct vattr x_bitwise[] = {
	[NFTA_BITWISE_SREG] = { V_U32 },
	[NFTA_BITWISE_DREG] = { V_U32 },
	[NFTA_BITWISE_LEN] = { V_U32 },
	[NFTA_BITWISE_MASK] = { V_VALUE },
	[NFTA_BITWISE_XOR] = { V_VALUE },
	[NFTA_BITWISE_OP] = { V_U32 },
	[NFTA_BITWISE_DATA] = { V_VALUE },
};
static const struct vattr x_byteorder[] = {
	[NFTA_BYTEORDER_SREG] = { V_U32 },
	[NFTA_BYTEORDER_DREG] = { V_U32 },
	[NFTA_BYTEORDER_OP] = { V_U32 },
	[NFTA_BYTEORDER_LEN] = { V_U32 },
	[NFTA_BYTEORDER_SIZE] = { V_U32 },
};
static const struct vattr x_lookup[] = {
	[NFTA_LOOKUP_SET] = { V_STR },
	[NFTA_LOOKUP_SREG] = { V_U32 },
	[NFTA_LOOKUP_DREG] = { V_U32 },
	[NFTA_LOOKUP_SET_ID] = { V_U32 },
	[NFTA_LOOKUP_FLAGS] = { V_U32 },
};
static const struct vattr x_dynset[] = {
	[NFTA_DYNSET_SET_NAME] = { V_STR },
	[NFTA_DYNSET_SET_ID] = { V_U32 },
	[NFTA_DYNSET_OP] = { V_U32 },
	[NFTA_DYNSET_SREG_KEY] = { V_U32 },
	[NFTA_DYNSET_SREG_DATA] = { V_U32 },
	[NFTA_DYNSET_TIMEOUT] = { V_U64 },
	[NFTA_DYNSET_EXPR] = { V_EXPR },
	[NFTA_DYNSET_FLAGS] = { V_U32 },
	[NFTA_DYNSET_EXPRESSIONS] = { V_EXPRS },
};
static const struct vattr x_ct[] = {
	[NFTA_CT_DREG] = { V_U32 },
	[NFTA_CT_KEY] = { V_U32 },
	[NFTA_CT_DIRECTION] = { V_U8 },
	[NFTA_CT_SREG] = { V_U32 },
};
static const struct vattr x_nat[] = {
	[NFTA_NAT_TYPE] = { V_U32 },
	[NFTA_NAT_FAMILY] = { V_U32 },
	[NFTA_NAT_REG_ADDR_MIN] = { V_U32 },
	[NFTA_NAT_REG_ADDR_MAX] = { V_U32 },
	[NFTA_NAT_REG_PROTO_MIN] = { V_U32 },
	[NFTA_NAT_REG_PROTO_MAX] = { V_U32 },
	[NFTA_NAT_FLAGS] = { V_U32 },
};
static const struct vattr x_masq[] = {
	[NFTA_MASQ_FLAGS] = { V_U32 },
	[NFTA_MASQ_REG_PROTO_MIN] = { V_U32 },
	[NFTA_MASQ_REG_PROTO_MAX] = { V_U32 },
};
static const struct vattr x_redir[] = {
	[NFTA_REDIR_REG_PROTO_MIN] = { V_U32 },
	[NFTA_REDIR_REG_PROTO_MAX] = { V_U32 },
	[NFTA_REDIR_FLAGS] = { V_U32 },
};
static const struct vattr x_counter[] = {
	[NFTA_COUNTER_BYTES] = { V_U64 },
	[NFTA_COUNTER_PACKETS] = { V_U64 },
};
static const struct vattr x_log[] = {
	[NFTA_LOG_GROUP] = { V_U16 },
	[NFTA_LOG_PREFIX] = { V_STR },
	[NFTA_LOG_SNAPLEN] = { V_U32 },
	[NFTA_LOG_QTHRESHOLD] = { V_U16 },
	[NFTA_LOG_LEVEL] = { V_U32 },
	[NFTA_LOG_FLAGS] = { V_U32 },
};
static const struct vattr x_limit[] = {
	[NFTA_LIMIT_RATE] = { V_U64 },
	[NFTA_LIMIT_UNIT] = { V_U64 },
	[NFTA_LIMIT_BURST] = { V_U32 },
	[NFTA_LIMIT_TYPE] = { V_U32 },
	[NFTA_LIMIT_FLAGS] = { V_U32 },
};
static const struct vattr x_quota[] = {
	[NFTA_QUOTA_BYTES] = { V_U64 },
	[NFTA_QUOTA_FLAGS] = { V_U32 },
	[NFTA_QUOTA_CONSUMED] = { V_U64 },
};
static const struct vattr x_match[] = {
	[NFTA_MATCH_NAME] = { V_STR },
	[NFTA_MATCH_REV] = { V_U32 },
	[NFTA_MATCH_INFO] = { V_BIN },
};
static const struct vattr x_target[] = {
	[NFTA_TARGET_NAME] = { V_STR },
	[NFTA_TARGET_REV] = { V_U32 },
	[NFTA_TARGET_INFO] = { V_BIN },
};
static const struct vattr x_range[] = {
	[NFTA_RANGE_SREG] = { V_U32 },
	[NFTA_RANGE_OP] = { V_U32 },
	[NFTA_RANGE_FROM_DATA] = { V_VALUE },
	[NFTA_RANGE_TO_DATA] = { V_VALUE },
};
static const struct vattr x_fib[] = {
	[NFTA_FIB_DREG] = { V_U32 },
	[NFTA_FIB_RESULT] = { V_U32 },
	[NFTA_FIB_FLAGS] = { V_U32 },
};
static const struct vattr x_reject[] = {
	[NFTA_REJECT_TYPE] = { V_U32 },
	[NFTA_REJECT_ICMP_CODE] = { V_U8 },
};
static const struct vattr x_objref[] = {
	[NFTA_OBJREF_IMM_TYPE] = { V_U32 },
	[NFTA_OBJREF_IMM_NAME] = { V_STR },
	[NFTA_OBJREF_SET_SREG] = { V_U32 },
	[NFTA_OBJREF_SET_NAME] = { V_STR },
	[NFTA_OBJREF_SET_ID] = { V_U32 },
};
static const struct vattr x_connlimit[] = {
	[NFTA_CONNLIMIT_COUNT] = { V_U32 },
	[NFTA_CONNLIMIT_FLAGS] = { V_U32 },
};
static const struct vattr x_socket[] = {
	[NFTA_SOCKET_KEY] = { V_U32 },
	[NFTA_SOCKET_DREG] = { V_U32 },
	[NFTA_SOCKET_LEVEL] = { V_U32 },
};
static const struct vattr x_tproxy[] = {
	[NFTA_TPROXY_FAMILY] = { V_U32 },
	[NFTA_TPROXY_REG_ADDR] = { V_U32 },
	[NFTA_TPROXY_REG_PORT] = { V_U32 },
};
static const struct vattr x_xfrm[] = {
	[NFTA_XFRM_DREG] = { V_U32 },
	[NFTA_XFRM_KEY] = { V_U32 },
	[NFTA_XFRM_DIR] = { V_U8 },
	[NFTA_XFRM_SPNUM] = { V_U32 },
};
static const struct vattr x_hash[] = {
	[NFTA_HASH_SREG] = { V_U32 },
	[NFTA_HASH_DREG] = { V_U32 },
	[NFTA_HASH_LEN] = { V_U32 },
	[NFTA_HASH_MODULUS] = { V_U32 },
	[NFTA_HASH_SEED] = { V_U32 },
	[NFTA_HASH_OFFSET] = { V_U32 },
	[NFTA_HASH_TYPE] = { V_U32 },
	[NFTA_HASH_SET_NAME] = { V_STR },
	[NFTA_HASH_SET_ID] = { V_U32 },
};
static const struct vattr x_numgen[] = {
	[NFTA_NG_DREG] = { V_U32 },
	[NFTA_NG_MODULUS] = { V_U32 },
	[NFTA_NG_TYPE] = { V_U32 },
	[NFTA_NG_OFFSET] = { V_U32 },
	[NFTA_NG_SET_NAME] = { V_STR },
	[NFTA_NG_SET_ID] = { V_U32 },
};
static const struct vattr x_osf[] = {
	[NFTA_OSF_DREG] = { V_U32 },
	[NFTA_OSF_TTL] = { V_U8 },
	[NFTA_OSF_FLAGS] = { V_U32 },
};
static const struct vattr x_queue[] = {
	[NFTA_QUEUE_NUM] = { V_U16 },
	[NFTA_QUEUE_TOTAL] = { V_U16 },
	[NFTA_QUEUE_FLAGS] = { V_U16 },
	[NFTA_QUEUE_SREG_QNUM] = { V_U32 },
};
static const struct vattr x_dup[] = {
	[NFTA_DUP_SREG_ADDR] = { V_U32 },
	[NFTA_DUP_SREG_DEV] = { V_U32 },
};
static const struct vattr x_fwd[] = {
	[NFTA_FWD_SREG_DEV] = { V_U32 },
	[NFTA_FWD_SREG_ADDR] = { V_U32 },
	[NFTA_FWD_NFPROTO] = { V_U32 },
};
static const struct vattr x_exthdr[] = {
	[NFTA_EXTHDR_DREG] = { V_U32 },
	[NFTA_EXTHDR_TYPE] = { V_U8 },
	[NFTA_EXTHDR_OFFSET] = { V_U32 },
	[NFTA_EXTHDR_LEN] = { V_U32 },
	[NFTA_EXTHDR_FLAGS] = { V_U32 },
	[NFTA_EXTHDR_OP] = { V_U32 },
	[NFTA_EXTHDR_SREG] = { V_U32 },
};
static const struct vattr x_rt[] = {
	[NFTA_RT_DREG] = { V_U32 },
	[NFTA_RT_KEY] = { V_U32 },
};
static const struct vattr x_synproxy[] = {
	[NFTA_SYNPROXY_MSS] = { V_U16 },
	[NFTA_SYNPROXY_WSCALE] = { V_U8 },
	[NFTA_SYNPROXY_FLAGS] = { V_U32 },
};
static const struct vattr x_tunnel[] = {
	[NFTA_TUNNEL_KEY] = { V_U32 },
	[NFTA_TUNNEL_DREG] = { V_U32 },
};
static const struct vattr x_last[] = {
	[NFTA_LAST_SET] = { V_U32 },
	[NFTA_LAST_MSECS] = { V_U64 },
};
static const struct vattr x_flow_offload[] = {
	[NFTA_FLOW_TABLE_NAME] = { V_STR },
};
static const struct vattr x_none[] = {
	[0] = { V_NONE },
};

/* Every expression libnftnl 1.2.4 registers (src/expr_ops.c); others make it fail. */
static const struct vpol expr_pols[] = {
	VPOL("bitwise", x_bitwise, 0),
	VPOL("byteorder", x_byteorder, 0),
	VPOL("cmp", x_cmp, 0),
	VPOL("connlimit", x_connlimit, 0),
	VPOL("counter", x_counter, 0),
	VPOL("ct", x_ct, 0),
	VPOL("dup", x_dup, 0),
	VPOL("dynset", x_dynset, 0),
	VPOL("exthdr", x_exthdr, 0),
	VPOL("fib", x_fib, 0),
	VPOL("flow_offload", x_flow_offload, 0),
	VPOL("fwd", x_fwd, 0),
	VPOL("hash", x_hash, 0),
	VPOL("immediate", x_immediate, 0),
	VPOL("last", x_last, 0),
	VPOL("limit", x_limit, 0),
	VPOL("log", x_log, 0),
	VPOL("lookup", x_lookup, 0),
	VPOL("masq", x_masq, 0),
	VPOL("match", x_match, 0),
	VPOL("meta", x_meta, 0),
	VPOL("nat", x_nat, 0),
	VPOL("notrack", x_none, 0),
	VPOL("numgen", x_numgen, 0),
	VPOL("objref", x_objref, 0),
	VPOL("osf", x_osf, 0),
	VPOL("payload", x_payload, 0),
	VPOL("queue", x_queue, 0),
	VPOL("quota", x_quota, 0),
	VPOL("range", x_range, 0),
	VPOL("redir", x_redir, 0),
	VPOL("reject", x_reject, 0),
	VPOL("rt", x_rt, 0),
	VPOL("socket", x_socket, 0),
	VPOL("synproxy", x_synproxy, 0),
	VPOL("target", x_target, 0),
	VPOL("tproxy", x_tproxy, 0),
	VPOL("tunnel", x_tunnel, 0),
	VPOL("xfrm", x_xfrm, 0),
};

/* messages */
static const struct vattr pol_table_a[] = {
	[NFTA_TABLE_NAME] = { V_STR },
	[NFTA_TABLE_FLAGS] = { V_U32 },
	[NFTA_TABLE_USE] = { V_U32 },
	[NFTA_TABLE_HANDLE] = { V_U64 },
	[NFTA_TABLE_USERDATA] = { V_BIN },
	[NFTA_TABLE_OWNER] = { V_U32 },
};
static const struct vpol pol_table = VPOL("table", pol_table_a, BIT(NFTA_TABLE_NAME));

static const struct vattr pol_hook_a[] = {
	[NFTA_HOOK_HOOKNUM] = { V_U32 },
	[NFTA_HOOK_PRIORITY] = { V_U32 },
	[NFTA_HOOK_DEV] = { V_STR },
	[NFTA_HOOK_DEVS] = { V_DEVS },
};
static const struct vpol pol_hook = VPOL("chain hook", pol_hook_a, 0);

static const struct vattr pol_chain_a[] = {
	[NFTA_CHAIN_TABLE] = { V_STR },
	[NFTA_CHAIN_HANDLE] = { V_U64 },
	[NFTA_CHAIN_NAME] = { V_STR },
	[NFTA_CHAIN_HOOK] = { V_NEST, &pol_hook },
	[NFTA_CHAIN_POLICY] = { V_U32 },
	[NFTA_CHAIN_USE] = { V_U32 },
	[NFTA_CHAIN_TYPE] = { V_STR },
	[NFTA_CHAIN_COUNTERS] = { V_NEST, &pol_counters },
	[NFTA_CHAIN_FLAGS] = { V_U32 },
	[NFTA_CHAIN_ID] = { V_U32 },
	[NFTA_CHAIN_USERDATA] = { V_BIN },
};
static const struct vpol pol_chain = VPOL("chain", pol_chain_a,
					  BIT(NFTA_CHAIN_TABLE) | BIT(NFTA_CHAIN_NAME));

static const struct vattr pol_compat_a[] = {
	[NFTA_RULE_COMPAT_PROTO] = { V_U32 },
	[NFTA_RULE_COMPAT_FLAGS] = { V_U32 },
};
static const struct vpol pol_compat = VPOL("rule compat", pol_compat_a, 0);

static const struct vattr pol_rule_a[] = {
	[NFTA_RULE_TABLE] = { V_STR },
	[NFTA_RULE_CHAIN] = { V_STR },
	[NFTA_RULE_HANDLE] = { V_U64 },
	[NFTA_RULE_EXPRESSIONS] = { V_EXPRS },
	[NFTA_RULE_COMPAT] = { V_NEST, &pol_compat },
	[NFTA_RULE_POSITION] = { V_U64 },
	[NFTA_RULE_USERDATA] = { V_BIN },
	[NFTA_RULE_ID] = { V_U32 },
	[NFTA_RULE_POSITION_ID] = { V_U32 },
};
static const struct vpol pol_rule = VPOL("rule", pol_rule_a,
					 BIT(NFTA_RULE_TABLE) | BIT(NFTA_RULE_CHAIN));

static const struct vattr pol_field_a[] = {
	[NFTA_SET_FIELD_LEN] = { V_U32 },
};
static const struct vpol pol_field = VPOL("set field", pol_field_a, BIT(NFTA_SET_FIELD_LEN));

static const struct vattr pol_desc_a[] = {
	[NFTA_SET_DESC_SIZE] = { V_U32 },
	[NFTA_SET_DESC_CONCAT] = { V_CONCAT },
};
static const struct vpol pol_desc = VPOL("set description", pol_desc_a, 0);

static const struct vattr pol_set_a[] = {
	[NFTA_SET_TABLE] = { V_STR },
	[NFTA_SET_NAME] = { V_STR },
	[NFTA_SET_FLAGS] = { V_U32 },
	[NFTA_SET_KEY_TYPE] = { V_U32 },
	[NFTA_SET_KEY_LEN] = { V_U32 },
	[NFTA_SET_DATA_TYPE] = { V_U32 },
	[NFTA_SET_DATA_LEN] = { V_U32 },
	[NFTA_SET_POLICY] = { V_U32 },
	[NFTA_SET_DESC] = { V_NEST, &pol_desc },
	[NFTA_SET_ID] = { V_U32 },
	[NFTA_SET_TIMEOUT] = { V_U64 },
	[NFTA_SET_GC_INTERVAL] = { V_U32 },
	[NFTA_SET_USERDATA] = { V_BIN },
	[NFTA_SET_OBJ_TYPE] = { V_U32 },
	[NFTA_SET_HANDLE] = { V_U64 },
	[NFTA_SET_EXPR] = { V_EXPR },
	[NFTA_SET_EXPRESSIONS] = { V_EXPRS },
};
static const struct vpol pol_set = VPOL("set", pol_set_a, BIT(NFTA_SET_TABLE) | BIT(NFTA_SET_NAME));

static const struct vattr pol_elem_a[] = {
	[NFTA_SET_ELEM_KEY] = { V_VALUE },
	[NFTA_SET_ELEM_DATA] = { V_VDATA },
	[NFTA_SET_ELEM_FLAGS] = { V_U32 },
	[NFTA_SET_ELEM_TIMEOUT] = { V_U64 },
	[NFTA_SET_ELEM_EXPIRATION] = { V_U64 },
	[NFTA_SET_ELEM_USERDATA] = { V_BIN },
	[NFTA_SET_ELEM_EXPR] = { V_EXPR },
	[NFTA_SET_ELEM_OBJREF] = { V_STR },
	[NFTA_SET_ELEM_KEY_END] = { V_VALUE },
	[NFTA_SET_ELEM_EXPRESSIONS] = { V_EXPRS },
};
static const struct vpol pol_elem = VPOL_CLOSED("set element", pol_elem_a, 0);

static const struct vattr pol_elems_a[] = {
	[NFTA_SET_ELEM_LIST_TABLE] = { V_STR },
	[NFTA_SET_ELEM_LIST_SET] = { V_STR },
	[NFTA_SET_ELEM_LIST_ELEMENTS] = { V_ELEMS },
	[NFTA_SET_ELEM_LIST_SET_ID] = { V_U32 },
};
static const struct vpol pol_elems = VPOL("set element list", pol_elems_a,
					  BIT(NFTA_SET_ELEM_LIST_TABLE) | BIT(NFTA_SET_ELEM_LIST_SET));

static const struct vattr pol_gen_a[] = {
	[NFTA_GEN_ID] = { V_U32 },
};
static const struct vpol pol_gen = VPOL("generation", pol_gen_a, 0);

/* ---- the walker ---- */

struct walk {
	struct vctx *c;
	const struct vpol *p;
	const struct nlattr **tb;
	const char *end;	/* end of the last attribute seen (aligned) */
	unsigned int n;		/* list walks: items seen */
	uint16_t item_type;	/* list walks: the only type allowed */
	uint8_t item_kind;	/* list walks: how each item is checked */
};

static int check_attr(struct vctx *c, const struct vpol *p, uint16_t type, const struct nlattr *a);
static int check_expr(struct vctx *c, const struct nlattr *a);

static const char *kind_name(uint8_t k)
{
	static const char *const names[] = {
		[V_U8] = "u8", [V_U16] = "u16", [V_U32] = "u32", [V_U64] = "u64",
		[V_STR] = "string", [V_BIN] = "binary", [V_NEST] = "nest", [V_VALUE] = "value",
		[V_VDATA] = "data", [V_EXPR] = "expression", [V_EXPRS] = "expression list",
		[V_DEVS] = "device list", [V_CONCAT] = "field list", [V_ELEMS] = "element list",
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
	if (t > w->p->max || w->p->attrs[t].kind == V_NONE)
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

static int check_required(struct vctx *c, const struct vpol *p, const struct nlattr **tb)
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

/* Check the attributes of a nest against p; tb (V_TB_SIZE entries) receives them. */
static int walk_nest(struct vctx *c, const struct vpol *p, const struct nlattr *nest,
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
	const struct nlattr *tb[V_TB_SIZE], *vtb[V_TB_SIZE];
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
	const struct nlattr *tb[V_TB_SIZE];

	w->end = (const char *)a + MNL_ALIGN(a->nla_len);
	if (t != w->item_type) {
		fail(w->c, "%s: item of type %u", kind_name(w->item_kind), t);
		return MNL_CB_ERROR;
	}
	w->n++;
	switch (w->item_kind) {
	case V_EXPRS:
		if (check_expr(w->c, a) < 0)
			return MNL_CB_ERROR;
		break;
	case V_DEVS:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0) {
			fail(w->c, "chain hook: device name not a NUL-terminated string");
			return MNL_CB_ERROR;
		}
		break;
	case V_CONCAT:
		if (w->n > V_MAX_CONCAT) {
			fail(w->c, "set description: more than %d concatenated fields", V_MAX_CONCAT);
			return MNL_CB_ERROR;
		}
		if (walk_nest(w->c, &pol_field, a, tb) < 0)
			return MNL_CB_ERROR;
		break;
	case V_ELEMS:
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

static int check_attr(struct vctx *c, const struct vpol *p, uint16_t type, const struct nlattr *a)
{
	const struct vattr *va = &p->attrs[type];
	const struct nlattr *tb[V_TB_SIZE];
	int r = 0;

	switch (va->kind) {
	case V_U8:
		r = mnl_attr_validate(a, MNL_TYPE_U8);
		break;
	case V_U16:
		r = mnl_attr_validate(a, MNL_TYPE_U16);
		break;
	case V_U32:
		r = mnl_attr_validate(a, MNL_TYPE_U32);
		break;
	case V_U64:
		r = mnl_attr_validate(a, MNL_TYPE_U64);
		break;
	case V_STR:
		r = mnl_attr_validate(a, MNL_TYPE_NUL_STRING);
		break;
	case V_BIN:
		return 0;
	case V_NEST:
		r = mnl_attr_validate(a, MNL_TYPE_NESTED);
		if (r < 0)
			break;
		return walk_nest(c, va->sub, a, tb);
	case V_VALUE:
	case V_VDATA:
		r = mnl_attr_validate(a, MNL_TYPE_NESTED);
		if (r < 0)
			break;
		return check_data(c, a, va->kind == V_VDATA);
	case V_EXPR:
		r = mnl_attr_validate(a, MNL_TYPE_NESTED);
		if (r < 0)
			break;
		return check_expr(c, a);
	case V_EXPRS:
	case V_CONCAT:
	case V_ELEMS:
		r = mnl_attr_validate(a, MNL_TYPE_NESTED);
		if (r < 0)
			break;
		return check_list(c, a, va->kind, NFTA_LIST_ELEM);
	case V_DEVS:
		r = mnl_attr_validate(a, MNL_TYPE_NESTED);
		if (r < 0)
			break;
		return check_list(c, a, va->kind, NFTA_DEVICE_NAME);
	default:
		return 0;
	}
	if (r < 0) {
		fail(c, "%s: attribute %u: not a valid %s (%u bytes)", p->what, type,
		     kind_name(va->kind), mnl_attr_get_payload_len(a));
		return -1;
	}
	return 0;
}

static const struct vpol *expr_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(expr_pols); i++)
		if (strcmp(expr_pols[i].what, name) == 0)
			return &expr_pols[i];
	return NULL;
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
	const struct nlattr *tb[V_TB_SIZE], *dtb[V_TB_SIZE];
	const struct vpol *p;
	int ret;

	if (c->depth >= V_MAX_DEPTH) {
		fail(c, "expressions nested too deeply");
		return -1;
	}
	if (walk_nest(c, &pol_expr, a, tb) < 0)
		return -1;
	p = expr_lookup(mnl_attr_get_str(tb[NFTA_EXPR_NAME]));
	if (!p) {
		char nm[33];

		safe_name(nm, sizeof(nm), mnl_attr_get_str(tb[NFTA_EXPR_NAME]));
		fail(c, "unsupported expression '%s'", nm);
		return -1;
	}
	if (!tb[NFTA_EXPR_DATA])
		return 0;
	c->depth++;
	ret = walk_nest(c, p, tb[NFTA_EXPR_DATA], dtb);
	c->depth--;
	return ret;
}

static const struct vpol *msg_policy(uint16_t type)
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
	const struct nlattr *tb[V_TB_SIZE] = { 0 };
	const struct vpol *p = msg_policy(nlh->nlmsg_type);
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
