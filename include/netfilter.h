/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netfilter.h - nftables / iptables-nft / iptables-legacy rules of one namespace, decoded. */
#ifndef NSMAP_NETFILTER_H
#define NSMAP_NETFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "model.h"

/*
 * The structured rule model: ruleset -> tables -> chains -> rules -> matches + action.
 * It is filled by src/netfilter/: collect.c reads nf_tables (libmnl) and the legacy tables
 * (getsockopt), validate.c checks each message, decode.c and the expr_*.c files decode
 * native rules, xt.c the iptables view (xt matches and targets, also for legacy.c), json.c
 * serialises it, text.c prints it and eval.c evaluates it. Only the collector and the
 * decoders include libnftnl/libmnl. Every rule of every backend is decoded into the same
 * form, so an evaluator never needs to know which tool made it.
 *
 * Evaluating a rule: every match in rule->matches must hold (logical AND, order irrelevant);
 * then the rule's effects run in order (log, mark set, ...) and finally rule->action gives
 * the verdict (NF_ACT_CONTINUE = fall through to the next rule). A rule with
 * rule->unsupported set contains at least one NF_MATCH_UNSUPPORTED / NF_ACT_UNSUPPORTED
 * part: its outcome cannot be known exactly.
 */

/* Families: NFPROTO_* numbers, as the kernel uses them. */
enum nf_family {
	NF_FAMILY_UNSPEC = 0,
	NF_FAMILY_INET = 1,
	NF_FAMILY_IP = 2,
	NF_FAMILY_ARP = 3,
	NF_FAMILY_NETDEV = 5,
	NF_FAMILY_BRIDGE = 7,
	NF_FAMILY_IP6 = 10,
};

/* Which tool made a table. */
enum nf_backend {
	NF_BACKEND_NFT = 0,		/* native nftables (nft, Docker 29, firewalld, ...) */
	NF_BACKEND_IPTABLES_NFT,	/* iptables-nft (nf_tables with xtables names/layout) */
	NF_BACKEND_IPTABLES_LEGACY,	/* iptables-legacy (x_tables, read with getsockopt) */
	NF_BACKEND_COUNT
};

/* Hooks: NF_INET_* numbers (+ netdev ingress). */
enum nf_hook {
	NF_HOOK_NONE = -1,		/* regular (non-base) chain */
	NF_HOOK_PREROUTING = 0,
	NF_HOOK_INPUT = 1,
	NF_HOOK_FORWARD = 2,
	NF_HOOK_OUTPUT = 3,
	NF_HOOK_POSTROUTING = 4,
	NF_HOOK_INGRESS = 5,
	NF_HOOK_COUNT
};

/* Base-chain policy; regular chains have NF_POLICY_NONE (their end means "return"). */
enum nf_policy {
	NF_POLICY_NONE = -1,
	NF_POLICY_DROP = 0,
	NF_POLICY_ACCEPT = 1,
};

/* Conntrack states, one bit each, the same for every backend (nft ct state, xt conntrack,
 * xt state are all normalised to these). A packet's state has exactly one bit set
 * (SNAT/DNAT are extra "virtual" states of xt_conntrack, set in addition when the
 * connection was NATed). */
enum nf_ct_state_bit {
	NF_CT_INVALID = 0x01,
	NF_CT_ESTABLISHED = 0x02,
	NF_CT_RELATED = 0x04,
	NF_CT_NEW = 0x08,
	NF_CT_UNTRACKED = 0x10,
	NF_CT_SNAT = 0x20,
	NF_CT_DNAT = 0x40,
};

/* Address types: 1 << RTN_* (RTN_LOCAL = 2 -> 0x4), as xt_addrtype and nft fib use them. */
#define NF_ADDRTYPE_BIT(rtn) (1u << (rtn))

/* What a set lookup / map / comparison looks at. */
enum nf_field {
	NF_FIELD_UNKNOWN = 0,
	NF_FIELD_IIFNAME,
	NF_FIELD_OIFNAME,
	NF_FIELD_SADDR,			/* IPv4 or IPv6 source address */
	NF_FIELD_DADDR,
	NF_FIELD_L4PROTO,
	NF_FIELD_SPORT,			/* transport source port (host order in the model) */
	NF_FIELD_DPORT,
	NF_FIELD_MARK,
	NF_FIELD_CT_STATE,
	NF_FIELD_ICMP_TYPE,
	NF_FIELD_NUMGEN,		/* nft numgen: value in [offset, offset + mod) chosen per packet;
					 * numgen_mod/numgen_offset of the match or action say which */
	NF_FIELD_COUNT
};
#define NF_MAX_KEY_FIELDS 4		/* concatenations: "ip daddr . tcp dport" */

enum nf_match_kind {
	NF_MATCH_UNSUPPORTED = 0,	/* text = printed form (if any), raw = raw form */
	NF_MATCH_IIF,			/* ifname (exact, or prefix when ifprefix: "veth+") */
	NF_MATCH_OIF,
	NF_MATCH_SADDR,			/* prefix (nm_ip with plen; v4 or v6) */
	NF_MATCH_DADDR,
	NF_MATCH_L4PROTO,		/* proto */
	NF_MATCH_SPORT,			/* proto (0 = any transport), port_min..port_max */
	NF_MATCH_DPORT,
	NF_MATCH_MULTIPORT,		/* proto, ports[] (ranges), port_dir */
	NF_MATCH_CT_STATE,		/* ct_state: mask of NF_CT_*; holds if packet state & mask */
	NF_MATCH_ADDRTYPE,		/* addr_dir, addrtypes (NF_ADDRTYPE_BIT mask), limit_iface */
	NF_MATCH_MARK,			/* holds if (skb mark & mask) == value */
	NF_MATCH_COMMENT,		/* text (no effect on evaluation) */
	NF_MATCH_PHYSDEV_IN,		/* ifname/ifprefix: bridge port the packet came in on */
	NF_MATCH_PHYSDEV_OUT,
	NF_MATCH_PHYSDEV_IS_IN,		/* packet entered through a bridge port */
	NF_MATCH_PHYSDEV_IS_OUT,
	NF_MATCH_PHYSDEV_IS_BRIDGED,
	NF_MATCH_ICMP_TYPE,		/* proto (1 icmp / 58 icmpv6), icmp_type, icmp_code (-1 any) */
	NF_MATCH_SET,			/* set (name), key[] (what is looked up): key in set */
	NF_MATCH_TCP_FLAGS,		/* holds if (tcp flags & mask) == value */
	NF_MATCH_NFPROTO,		/* value = NFPROTO (2 ipv4, 10 ipv6): inet tables */
	NF_MATCH_CT_STATUS,		/* value = IPS_* mask: holds if ct status & value */
	NF_MATCH_CT_DIRECTION,		/* value = 0 original, 1 reply */
	NF_MATCH_STATISTIC,		/* xt statistic: a per-packet choice, evaluated as branches.
					 * stat_nth false: holds with probability value / 2^31 (the
					 * kernel's u32); stat_nth true: every stat_every-th packet,
					 * counter starting at stat_packet */
	NF_MATCH_FRAGMENT,		/* iptables -f: a non-first IPv4 fragment (a probe never is) */
	NF_MATCH_KIND_COUNT
};

enum nf_port_dir {
	NF_PORT_SRC = 0,
	NF_PORT_DST = 1,
	NF_PORT_EITHER = 2,
};

struct nf_port_range {
	uint16_t min;
	uint16_t max;			/* == min for a single port */
};

/* One condition of a rule. Only the fields named for the kind are meaningful; the rest
 * are zero. invert negates the whole condition. */
struct nf_match {
	enum nf_match_kind kind;
	bool invert;

	char *ifname;			/* IIF, OIF, PHYSDEV_IN/OUT */
	bool ifprefix;			/* ifname is a prefix ("veth" for "veth+") */

	struct nm_ip prefix;		/* SADDR, DADDR */

	uint8_t proto;			/* L4PROTO, SPORT/DPORT/MULTIPORT (0 = any), ICMP_TYPE */
	uint16_t port_min;		/* SPORT, DPORT (host order, inclusive) */
	uint16_t port_max;
	struct nf_port_range *ports;	/* MULTIPORT */
	size_t n_ports;
	enum nf_port_dir port_dir;	/* MULTIPORT */

	uint32_t ct_state;		/* CT_STATE: NF_CT_* mask */

	enum nf_port_dir addr_dir;	/* ADDRTYPE: NF_PORT_SRC or NF_PORT_DST */
	uint32_t addrtypes;		/* ADDRTYPE: NF_ADDRTYPE_BIT mask */
	bool limit_iface;		/* ADDRTYPE: only addresses of the in/out interface */

	uint32_t value;			/* MARK, NFPROTO, CT_STATUS, CT_DIRECTION, TCP_FLAGS (cmp) */
	uint32_t mask;			/* MARK, TCP_FLAGS (tested bits) */

	int icmp_type;			/* ICMP_TYPE: -1 any */
	int icmp_code;			/* ICMP_TYPE: -1 any */

	char *set;			/* SET: set name (anonymous sets: "__set0" etc.) */
	enum nf_field key[NF_MAX_KEY_FIELDS];	/* SET: fields looked up (concatenated) */
	size_t n_key;
	uint32_t numgen_mod;		/* a NF_FIELD_NUMGEN key: modulus and offset */
	uint32_t numgen_offset;

	bool stat_nth;			/* STATISTIC */
	uint32_t stat_every;
	uint32_t stat_packet;

	char *text;			/* COMMENT: the comment; UNSUPPORTED: printed form */
	char *raw;			/* UNSUPPORTED: raw form (expression dump / hex of xt info) */
};

enum nf_action_kind {
	NF_ACT_CONTINUE = 0,		/* no verdict: go on with the next rule */
	NF_ACT_ACCEPT,
	NF_ACT_DROP,
	NF_ACT_REJECT,			/* reject_with */
	NF_ACT_RETURN,
	NF_ACT_JUMP,			/* chain */
	NF_ACT_GOTO,			/* chain */
	NF_ACT_VMAP,			/* set, key[]: verdict of the matching element, else continue */
	NF_ACT_LOG,			/* non-terminal: text = prefix, value = level/group */
	NF_ACT_MASQUERADE,		/* port range optional */
	NF_ACT_SNAT,			/* address range and/or port range */
	NF_ACT_DNAT,
	NF_ACT_REDIRECT,		/* port range optional (to the local address) */
	NF_ACT_MARK_SET,		/* non-terminal: mark = (mark & ~mask) ^ value */
	NF_ACT_QUEUE,
	NF_ACT_UNSUPPORTED,		/* text/raw; the verdict is unknown */
	NF_ACT_KIND_COUNT
};

/* NAT flags (NF_NAT_RANGE_* values). */
#define NF_NAT_F_MAP_IPS	0x01
#define NF_NAT_F_PROTO		0x02
#define NF_NAT_F_RANDOM		0x04
#define NF_NAT_F_PERSISTENT	0x08
#define NF_NAT_F_RANDOM_FULLY	0x10
#define NF_NAT_F_NETMAP		0x40

struct nf_action {
	enum nf_action_kind kind;
	char *chain;			/* JUMP, GOTO */
	char *set;			/* VMAP */
	enum nf_field key[NF_MAX_KEY_FIELDS];	/* VMAP */
	size_t n_key;
	uint32_t numgen_mod;		/* VMAP keyed by NF_FIELD_NUMGEN */
	uint32_t numgen_offset;
	/* NAT (MASQUERADE, SNAT, DNAT, REDIRECT): address family 0 = unchanged/automatic
	 * (MASQUERADE: primary address of the output interface). Ports host order, 0 = keep. */
	struct nm_ip addr_min;
	struct nm_ip addr_max;
	uint16_t port_min;
	uint16_t port_max;
	uint32_t nat_flags;		/* NF_NAT_F_* */
	char *reject_with;		/* REJECT: "icmp-port-unreachable", "tcp-reset", ... */
	uint32_t value;			/* MARK_SET value; LOG level; QUEUE number */
	uint32_t mask;			/* MARK_SET mask */
	char *text;			/* LOG prefix; UNSUPPORTED printed form */
	char *raw;			/* UNSUPPORTED raw form */
};

/* Where a rule's text comes from. */
enum nf_text_source {
	NF_TEXT_NSMAP = 0,		/* nsmap's own decoder (recorded dumps, no library at hand) */
	NF_TEXT_LIBNFTABLES,		/* libnftables' listing: what `nft -s list ruleset` prints */
	NF_TEXT_LIBXTABLES,		/* iptables-save syntax: native parts by nsmap, every -m/-j
					 * part by that extension's own libxtables save() */
	NF_TEXT_SOURCE_COUNT
};

struct nf_rule {
	uint64_t handle;		/* nft rule handle; legacy: 1-based index in its chain */
	uint64_t position;		/* nft: handle of the previous rule (0 = first) */
	bool has_counter;
	uint64_t packets;
	uint64_t bytes;
	char *comment;			/* userdata comment or xt comment, NULL if none */
	struct nf_match *matches;	/* all must hold */
	size_t n_matches;
	struct nf_action *effects;	/* non-terminal statements, run in order (log, mark) */
	size_t n_effects;
	struct nf_action action;	/* final verdict; NF_ACT_CONTINUE if none */
	bool unsupported;		/* some part is not understood: never evaluated as if it were */
	char *why;			/* unsupported: what, in words ("limit: not modelled") */
	char *text;			/* "-A CHAIN ..." (iptables-save) or nft statement syntax */
	enum nf_text_source text_source;
	char *decoded;			/* nsmap's own text when it differs from the library's
					 * (then unsupported: the structure is not proven) */
	char *raw;			/* raw expression dump; only set when unsupported */
};

struct nf_chain {
	char *name;
	uint64_t handle;
	bool base;			/* base chain (attached to a hook) */
	enum nf_hook hook;		/* NF_HOOK_NONE for regular chains */
	int priority;
	char *type;			/* "filter", "nat", "route"; NULL for regular chains */
	char *device;			/* netdev/ingress chains, else NULL */
	enum nf_policy policy;
	uint64_t packets;		/* policy counters (legacy, nft base chains) */
	uint64_t bytes;
	struct nf_rule *rules;		/* in evaluation order */
	size_t n_rules;
};

struct nf_set_elem {
	uint8_t *key;			/* key bytes as the kernel holds them (network order) */
	uint32_t key_len;
	uint8_t *key_end;		/* interval sets: inclusive last key; NULL for single keys */
	char *text;			/* printed element: "172.17.0.0/16", "\"docker0\"", "80" */
	struct nf_action verdict;	/* verdict maps: JUMP/GOTO/ACCEPT/DROP/...; else CONTINUE */
	uint8_t *data;			/* data maps: value bytes, NULL otherwise */
	uint32_t data_len;
	char *data_text;		/* data maps / verdict maps: printed value, else NULL */
};

#define NF_SET_F_ANONYMOUS	0x01
#define NF_SET_F_CONSTANT	0x02
#define NF_SET_F_INTERVAL	0x04
#define NF_SET_F_MAP		0x08
#define NF_SET_F_TIMEOUT	0x10

struct nf_set {
	char *name;
	uint32_t flags;			/* NF_SET_F_* */
	char *key_type;			/* "ipv4_addr", "ifname", "inet_service", "a . b" */
	uint32_t key_len;
	char *data_type;		/* maps: "verdict", "ipv4_addr", ...; NULL for sets */
	uint32_t data_len;
	struct nf_set_elem *elems;
	size_t n_elems;
};

struct nf_table {
	uint8_t family;			/* enum nf_family */
	char *name;
	uint32_t flags;			/* NFT_TABLE_F_DORMANT 0x1 (not evaluated), OWNER 0x2 */
	uint64_t handle;
	enum nf_backend backend;
	struct nf_chain *chains;
	size_t n_chains;
	struct nf_set *sets;
	size_t n_sets;
};

#define NF_TABLE_F_DORMANT 0x1

struct nf_ruleset {
	struct nf_table *tables;	/* nft tables first (dump order), then legacy tables */
	size_t n_tables;
	uint32_t genid;			/* nf_tables generation at dump time */
	bool nft_read;			/* the nf_tables dump succeeded */
	bool legacy_read;		/* /proc/net/ip*_tables_names was readable */
	bool mixed;			/* rules in both legacy and nf_tables (both are active!) */
};

/* ---- accessors (never NULL-deref; return NULL / "?" when not found) ---- */
const char *nf_family_name(unsigned int family);	/* "ip", "ip6", "inet", ... */
const char *nf_backend_name(enum nf_backend b);		/* "nft", "iptables-nft", "iptables-legacy" */
const char *nf_hook_name(enum nf_hook h);		/* "prerouting", ... ; "none" */
const char *nf_match_kind_name(enum nf_match_kind k);	/* "iif", "saddr", ... */
const char *nf_action_kind_name(enum nf_action_kind k);	/* "accept", "jump", "dnat", ... */
const char *nf_field_name(enum nf_field f);
const char *nf_policy_name(enum nf_policy p);		/* "accept", "drop", "none" */

struct nf_table *nf_table_find(const struct nf_ruleset *rs, unsigned int family, const char *name);
struct nf_chain *nf_chain_find(const struct nf_table *t, const char *name);
struct nf_set *nf_set_find(const struct nf_table *t, const char *name);
/* Count rules in tables of one backend. */
size_t nf_rule_count(const struct nf_ruleset *rs, enum nf_backend b);
/* Is this action terminal (ends evaluation of the chain with a verdict)? */
bool nf_action_is_terminal(const struct nf_action *a);

/* Base chains that run at a hook for packets of one L3 family (NF_FAMILY_IP or _IP6),
 * across all tables and backends (inet tables included, dormant tables excluded), sorted by
 * priority (stable). Legacy chains carry the x_tables priorities (raw -300, mangle -150,
 * nat -100/100, filter 0, security 50). Fills up to max entries of out (chain and table
 * pointers into rs) and returns how many exist. */
struct nf_hook_entry {
	const struct nf_table *table;
	const struct nf_chain *chain;
};
size_t nf_hook_chains(const struct nf_ruleset *rs, unsigned int family, enum nf_hook hook,
		      struct nf_hook_entry *out, size_t max);

/* ---- evaluation (src/netfilter/eval.c) ---- */

/* A simulated packet at a hook, as the evaluator sees it. */
struct nf_pkt {
	struct nm_ip src, dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint32_t mark;
	uint32_t ct_state;		/* NF_CT_* (one bit, + NF_CT_SNAT/DNAT) */
	bool reply;			/* ct direction */
	const char *iif;		/* NULL for locally generated */
	const char *oif;		/* NULL before routing */
	const char *phys_in;		/* bridge port (bridge-nf), NULL otherwise */
	const char *phys_out;
	bool bridged;
};

enum nf_eval_verdict {
	NF_EVAL_ACCEPT = 0,
	NF_EVAL_DROP,
	NF_EVAL_UNKNOWN,		/* undetermined: a rule nsmap does not understand decides */
};

/* One outcome of a hook among several: a per-packet choice (statistic, numgen) picks it. */
#define NF_EVAL_MAX_ALTS 16
struct nf_eval_alt {
	double weight;			/* probability, 0..1 */
	enum nf_eval_verdict verdict;
	const struct nf_rule *rule;	/* the rule that decided, NULL for a policy */
	enum nf_action_kind nat;	/* NF_ACT_CONTINUE if none */
	const struct nf_rule *nat_rule;
	struct nm_ip nat_addr;
	uint16_t nat_port;
};

struct nf_eval_res {
	enum nf_eval_verdict verdict;
	/* The rule (or policy) that decided, for evidence. */
	const struct nf_table *table;
	const struct nf_chain *chain;	/* base chain whose policy decided, or rule's chain */
	const struct nf_rule *rule;	/* NULL when a policy decided */
	bool by_policy;
	/* NAT (only at nat hooks, ct NEW). */
	enum nf_action_kind nat;	/* NF_ACT_CONTINUE if none */
	const struct nf_rule *nat_rule;
	const struct nf_table *nat_table;
	const struct nf_chain *nat_chain;
	struct nm_ip nat_addr;		/* new address (family 0: automatic, MASQUERADE) */
	uint16_t nat_port;
	int n_chains;			/* base chains evaluated */
	/*
	 * Rules nsmap does not understand are followed both ways (matching and not). When the
	 * outcomes differ, verdict is NF_EVAL_UNKNOWN and unknown_rule names the first such rule
	 * met; when they agree, the verdict stands and n_unknown says how many were followed.
	 */
	const struct nf_rule *unknown_rule;
	const struct nf_table *unknown_table;
	const struct nf_chain *unknown_chain;
	int n_unknown;
	/* Per-packet choices (statistic, numgen): every distinct outcome with its probability,
	 * in the order of the rules that choose; n_alts is 0 when there was no choice. The
	 * fields above describe alts[0]. */
	struct nf_eval_alt alts[NF_EVAL_MAX_ALTS];
	size_t n_alts;
	bool truncated;			/* more branches than evaluated (then undetermined) */
};

/* Evaluate every base chain of hook for family (NF_FAMILY_IP/IP6) in priority order.
 * NAT actions are recorded in res (the caller applies them); nat chains are skipped unless
 * the packet is NEW. Returns 0 or -EINVAL. */
int nf_eval_hook(const struct nf_ruleset *rs, unsigned int family, enum nf_hook hook,
		 const struct nf_pkt *p, const struct nm_netns *ns, struct nf_eval_res *res);
/* "filter FORWARD policy DROP" / "-A FORWARD -i br0 -j ACCEPT (handle 5)". Malloc'd. */
char *nf_eval_describe_rule(const struct nf_table *t, const struct nf_chain *c,
			    const struct nf_rule *r);
char *nf_eval_describe(const struct nf_eval_res *res);
/* Which tool the namespace's rules look like: true for iptables (or no rules at all). */
bool nf_eval_uses_iptables(const struct nf_ruleset *rs);

/* ---- lifetime ---- */

struct nf_ruleset *nf_ruleset_new(void);
void nf_ruleset_free(struct nf_ruleset *rs);

/* ---- editing (nstrace applies the fixes it prints to a copy of the snapshot) ---- */

/* A new empty table, chain or rule (zeroed; names copied). A rule is inserted at index at
 * (<= n_rules); pointers into the arrays they grow are no longer valid. */
struct nf_table *nf_ruleset_add_table(struct nf_ruleset *rs, unsigned int family, const char *name,
				      enum nf_backend backend);
struct nf_chain *nf_table_add_chain(struct nf_table *t, const char *name, enum nf_hook hook,
				    int priority, const char *type, enum nf_policy policy);
struct nf_rule *nf_chain_insert_rule(struct nf_chain *c, size_t at);
void nf_chain_delete_rule(struct nf_chain *c, size_t at);
struct nf_match *nf_rule_new_match(struct nf_rule *r, enum nf_match_kind k, bool invert);

/* JSON: the "netfilter" object of a namespace in the snapshot (schema nsmap.snapshot/1). */
json_t *nf_ruleset_to_json(const struct nf_ruleset *rs);
/* Returns 0, or -EINVAL with a message in err. */
int nf_ruleset_from_json(const json_t *j, struct nf_ruleset **out, char *err, size_t errlen);

/* Text view: a short summary (backends, rule counts, NAT rules in full) and, for -d,
 * every chain and rule. Each line starts with indent. */
void nf_print_summary(FILE *f, const struct nf_ruleset *rs, const char *indent);
void nf_print_detail(FILE *f, const struct nf_ruleset *rs, const char *indent);
/* One NAT rule as a sentence: "MASQUERADE 172.17.0.0/16 → out via not-docker0",
 * "DNAT tcp :8080 → 172.17.0.2:80". Returns a malloc'd string or NULL if not a NAT rule. */
char *nf_nat_describe(const struct nf_rule *r);

#endif
