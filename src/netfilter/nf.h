/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nf.h - what the files of src/netfilter/ share: buffers, model helpers, the iptables view, nft values. */
#ifndef NSMAP_NF_H
#define NSMAP_NF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nfcollect.h"

/* Host-order reads from blobs that need not be aligned (xt info, legacy entries). */
static inline uint16_t nf_rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static inline uint32_t nf_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t nf_rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* ---- util.c: the library lock, a growing string, hex ---- */

/* libnftables and libxtables keep process-wide state (extension lists, xt_params, the
 * stdout that save() printers write to): every call into either runs under this one lock. */
void nf_lib_lock(void);
void nf_lib_unlock(void);

/* ---- nfttext.c: native rules as libnftables prints them ---- */

/* A libnftables context; made while the thread is in the namespace it will list. */
struct nf_text_ctx;
struct nf_text_ctx *nf_text_open(void);			/* NULL if libnftables failed */
void nf_text_close(struct nf_text_ctx *t);
/* "list table FAMILY NAME" (-s -a), or "list ruleset" when name is NULL; malloc'd, NULL if
 * libnftables failed (a name its parser refuses, a table that vanished). */
char *nf_text_list(struct nf_text_ctx *t, const char *family, const char *name);

/* The rules of a listing: text without leading tabs or "# handle N". */
struct nf_listing_rule {
	uint8_t family;
	char *table, *chain;
	uint64_t handle;
	char *text;
};
struct nf_listing {
	struct nf_listing_rule *rules;
	size_t n_rules;
};
void nf_listing_parse(const char *text, struct nf_listing *l);
void nf_listing_free(struct nf_listing *l);
/* Every rule of a native table gets its listing text (NF_TEXT_LIBNFTABLES); where ours differs
 * it is kept in decoded and the rule is unsupported. Returns the rules given a text. */
size_t nf_listing_apply(struct nf_ruleset *rs, const struct nf_listing *l);


struct nf_buf {
	char *s;
	size_t len;
	size_t cap;
};
void nf_buf_printf(struct nf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nf_buf_puts(struct nf_buf *b, const char *s);
char *nf_buf_steal(struct nf_buf *b);	/* never NULL */
void nf_buf_free(struct nf_buf *b);
/* xtables_save_string(): bare if only [A-Za-z0-9_-], else "quoted" with \" \\ \' escaped. */
void nf_buf_save_string(struct nf_buf *b, const char *s);
char *nf_hex(const void *data, size_t len);
/* Parse hex into a malloc'd buffer; returns length or -1. */
long nf_unhex(const char *s, uint8_t **out);
/* Prefix length of a mask, -1 if the mask is not contiguous. */
int nf_mask_plen(const uint8_t *mask, size_t len);

/* ---- model.c: lifetime, name tables, structured-match helpers ---- */

/* The named enums: nf_name() is "?" for a value without a name, nf_parse() -1 for an
 * unknown name (for hooks that is NF_HOOK_NONE, also the value of "none"). */
enum nf_names {
	NF_NAMES_FAMILY,	/* enum nf_family */
	NF_NAMES_BACKEND,	/* enum nf_backend */
	NF_NAMES_HOOK,		/* enum nf_hook */
	NF_NAMES_MATCH,		/* enum nf_match_kind */
	NF_NAMES_ACTION,	/* enum nf_action_kind */
	NF_NAMES_FIELD,		/* enum nf_field */
};
const char *nf_name(enum nf_names t, long v);
int nf_parse(enum nf_names t, const char *s);

void nf_match_clear(struct nf_match *m);
void nf_action_clear(struct nf_action *a);
void nf_rule_clear(struct nf_rule *r);
enum nf_backend nf_classify_table(const struct nf_table *t, bool has_xt);
struct nf_match *nf_rule_add_match(struct nf_rule *r, enum nf_match_kind k, bool invert);
void nf_rule_add_unsupported(struct nf_rule *r, const char *text, const char *raw);
/* An unsupported rule without a why gets one from its unsupported parts. */
void nf_rule_why(struct nf_rule *r);
/* nft ct state bits (UNTRACKED is 0x40 there) -> NF_CT_* */
uint32_t nf_ct_from_nft(uint32_t nft_bits);

/* ---- xt.c: the iptables view of a rule (iptables-nft and legacy share it) ---- */

struct nf_xt_item {
	char name[32];
	uint8_t rev;
	bool native;		/* synthesised from native expressions (tcp/udp/mark/NFLOG) */
	uint8_t *info;
	size_t len;
	char *text;		/* a fixed fragment (unsupported native pieces), else NULL */
};

enum nf_ipt_verdict {
	NF_IPT_NONE = 0,	/* no target: rule only counts */
	NF_IPT_STANDARD,	/* action.kind ACCEPT/DROP/RETURN/JUMP/GOTO/QUEUE */
	NF_IPT_TARGET,		/* xt target in target */
};

struct nf_ipt {
	uint8_t family;		/* NF_FAMILY_IP / IP6 */
	bool has_src, has_dst, inv_src, inv_dst;
	uint8_t src[16], smsk[16], dst[16], dmsk[16];
	char iniface[17], outiface[17];	/* as typed: "veth+" for prefixes; "" = none */
	bool inv_in, inv_out;
	bool has_proto, inv_proto;
	uint16_t proto;
	bool frag, inv_frag;
	struct nf_xt_item *items;
	size_t n_items;
	enum nf_ipt_verdict verdict;
	enum nf_action_kind std;	/* NF_IPT_STANDARD */
	char *chain;			/* JUMP/GOTO */
	struct nf_xt_item target;	/* NF_IPT_TARGET */
	char *extra;			/* unsupported native parts, appended as "unsupported: ..." */
	char *why;			/* the text is the tool's, but the kernel tests something else */
};

void nf_ipt_free(struct nf_ipt *ipt);
struct nf_xt_item *nf_ipt_add_item(struct nf_ipt *ipt, const char *name, uint8_t rev,
				   const void *info, size_t len);
/* The target of the rule: name, revision and a copy of info. */
void nf_ipt_set_target(struct nf_ipt *ipt, const char *name, uint8_t rev, const void *info,
		       size_t len);
/* Fill rule->text (iptables-save line), rule->matches, rule->effects, rule->action,
 * rule->comment and rule->unsupported from the iptables view. */
void nf_ipt_render(const struct nf_ipt *ipt, const char *chain, struct nf_rule *r);

/* ---- xtsave.c: libxtables' save() text of one xt match or target ---- */

/* The fragment iptables-save prints for it (" -m conntrack --ctstate NEW", " -j DNAT
 * --to-destination 10.0.0.1:80", alias names included), from the extension's own printer; proto
 * is the rule's -p. NULL when the extension does not load here, the revision is unknown, or len
 * is not the extension's size. Takes nf_lib_lock(); malloc'd. */
char *nf_xt_save(uint8_t family, bool target, const char *name, uint8_t rev, const void *info,
		 size_t len, uint16_t proto, bool inv_proto);

/* Render xt parts with nf_xt_save() in this thread (the collector, for live dumps only). */
void nf_xt_use_library(bool on);

/* ---- values.c: values as nft prints them ---- */

enum nf_value_kind {
	NF_VK_HEX = 0,
	NF_VK_IFNAME,
	NF_VK_IPV4,
	NF_VK_IPV6,
	NF_VK_PORT,
	NF_VK_PROTO,
	NF_VK_MARK,
	NF_VK_ICMP,
	NF_VK_ICMP6,
	NF_VK_CT_STATE,
	NF_VK_CT_STATUS,
	NF_VK_NFPROTO,
	NF_VK_VERDICT,
	NF_VK_HOST_INT,		/* an integer in host byte order (numgen), printed in decimal */
	NF_VK_CT_DIR,		/* original, reply */
	NF_VK_TCP_FLAG,		/* one tcp flag: syn, ack, ... */
};

/* The action of an nft verdict code and its word ("accept", "jump"); NF_ACT_UNSUPPORTED (word
 * NULL) for a code the model has no action for. */
enum nf_action_kind nf_nft_verdict(int32_t v, const char **word);
/* d (len bytes, network order) as a value of kind; addresses get "/plen" when plen is short. */
void nf_nft_value_text(struct nf_buf *b, int kind, const uint8_t *d, uint32_t len, int plen);
/* "established,related" (status: "seen-reply,assured") */
void nf_nft_ct_bits_text(struct nf_buf *b, uint32_t v, bool status);
/* "{ a, b }" for an anonymous set or map. */
void nf_nft_set_inline(struct nf_buf *b, const struct nf_set *s);
/* "a", "a-b" or "a/len" (nft prints aligned ranges as prefixes). */
void nf_nft_addr_range_text(struct nf_buf *b, const struct nm_ip *lo, const struct nm_ip *hi);

/* ---- validate.c, decode.c, expr.c: nf_tables messages ---- */

/*
 * Strict libmnl checks of an nf_tables object message (table, chain, rule, set, set elements,
 * generation) against libnftnl 1.2.4's attribute tables, so that its nlmsg parsers never
 * exit() or read out of bounds. nlh must be aligned, nlmsg_len already checked against the
 * buffer. 0 if the message may be parsed, else -EINVAL with the reason written to why.
 */
struct nlmsghdr;
int nf_validate_msg(const struct nlmsghdr *nlh, char *why, size_t whylen);

/* Decode one rule of table t / chain ch into r (text in the syntax of t->backend). */
struct nftnl_rule;
void nf_nft_decode_rule(const struct nftnl_rule *nr, const struct nf_table *t,
			const struct nf_chain *ch, struct nf_rule *r);

#endif
