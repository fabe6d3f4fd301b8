/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.c - the netfilter model: name tables, lookups, building and freeing rules, backend classification. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nf.h"

static const char *const family_names[] = {
	[NF_FAMILY_UNSPEC] = "unspec",
	[NF_FAMILY_INET] = "inet",
	[NF_FAMILY_IP] = "ip",
	[NF_FAMILY_ARP] = "arp",
	[NF_FAMILY_NETDEV] = "netdev",
	[NF_FAMILY_BRIDGE] = "bridge",
	[NF_FAMILY_IP6] = "ip6",
};

static const char *const backend_names[NF_BACKEND_COUNT] = {
	[NF_BACKEND_NFT] = "nft",
	[NF_BACKEND_IPTABLES_NFT] = "iptables-nft",
	[NF_BACKEND_IPTABLES_LEGACY] = "iptables-legacy",
};

static const char *const hook_names[NF_HOOK_COUNT] = {
	[NF_HOOK_PREROUTING] = "prerouting",
	[NF_HOOK_INPUT] = "input",
	[NF_HOOK_FORWARD] = "forward",
	[NF_HOOK_OUTPUT] = "output",
	[NF_HOOK_POSTROUTING] = "postrouting",
	[NF_HOOK_INGRESS] = "ingress",
};

static const char *const match_kind_names[NF_MATCH_KIND_COUNT] = {
	[NF_MATCH_UNSUPPORTED] = "unsupported",
	[NF_MATCH_IIF] = "iif",
	[NF_MATCH_OIF] = "oif",
	[NF_MATCH_SADDR] = "saddr",
	[NF_MATCH_DADDR] = "daddr",
	[NF_MATCH_L4PROTO] = "l4proto",
	[NF_MATCH_SPORT] = "sport",
	[NF_MATCH_DPORT] = "dport",
	[NF_MATCH_MULTIPORT] = "multiport",
	[NF_MATCH_CT_STATE] = "ct_state",
	[NF_MATCH_ADDRTYPE] = "addrtype",
	[NF_MATCH_MARK] = "mark",
	[NF_MATCH_COMMENT] = "comment",
	[NF_MATCH_PHYSDEV_IN] = "physdev_in",
	[NF_MATCH_PHYSDEV_OUT] = "physdev_out",
	[NF_MATCH_PHYSDEV_IS_IN] = "physdev_is_in",
	[NF_MATCH_PHYSDEV_IS_OUT] = "physdev_is_out",
	[NF_MATCH_PHYSDEV_IS_BRIDGED] = "physdev_is_bridged",
	[NF_MATCH_ICMP_TYPE] = "icmp_type",
	[NF_MATCH_SET] = "set",
	[NF_MATCH_TCP_FLAGS] = "tcp_flags",
	[NF_MATCH_NFPROTO] = "nfproto",
	[NF_MATCH_CT_STATUS] = "ct_status",
	[NF_MATCH_CT_DIRECTION] = "ct_direction",
	[NF_MATCH_STATISTIC] = "statistic",
	[NF_MATCH_FRAGMENT] = "fragment",
};

static const char *const action_kind_names[NF_ACT_KIND_COUNT] = {
	[NF_ACT_CONTINUE] = "continue",
	[NF_ACT_ACCEPT] = "accept",
	[NF_ACT_DROP] = "drop",
	[NF_ACT_REJECT] = "reject",
	[NF_ACT_RETURN] = "return",
	[NF_ACT_JUMP] = "jump",
	[NF_ACT_GOTO] = "goto",
	[NF_ACT_VMAP] = "vmap",
	[NF_ACT_LOG] = "log",
	[NF_ACT_MASQUERADE] = "masquerade",
	[NF_ACT_SNAT] = "snat",
	[NF_ACT_DNAT] = "dnat",
	[NF_ACT_REDIRECT] = "redirect",
	[NF_ACT_MARK_SET] = "mark_set",
	[NF_ACT_QUEUE] = "queue",
	[NF_ACT_UNSUPPORTED] = "unsupported",
};

static const char *const field_names[NF_FIELD_COUNT] = {
	[NF_FIELD_UNKNOWN] = "unknown",
	[NF_FIELD_IIFNAME] = "iifname",
	[NF_FIELD_OIFNAME] = "oifname",
	[NF_FIELD_SADDR] = "saddr",
	[NF_FIELD_DADDR] = "daddr",
	[NF_FIELD_L4PROTO] = "l4proto",
	[NF_FIELD_SPORT] = "sport",
	[NF_FIELD_DPORT] = "dport",
	[NF_FIELD_MARK] = "mark",
	[NF_FIELD_CT_STATE] = "ct_state",
	[NF_FIELD_ICMP_TYPE] = "icmp_type",
	[NF_FIELD_NUMGEN] = "numgen",
};

/* The named enums of the model, for nf_name() and nf_parse(). */
static const struct {
	const char *const *v;
	size_t n;
} name_tables[] = {
	[NF_NAMES_FAMILY] = { family_names, ARRAY_SIZE(family_names) },
	[NF_NAMES_BACKEND] = { backend_names, ARRAY_SIZE(backend_names) },
	[NF_NAMES_HOOK] = { hook_names, ARRAY_SIZE(hook_names) },
	[NF_NAMES_MATCH] = { match_kind_names, ARRAY_SIZE(match_kind_names) },
	[NF_NAMES_ACTION] = { action_kind_names, ARRAY_SIZE(action_kind_names) },
	[NF_NAMES_FIELD] = { field_names, ARRAY_SIZE(field_names) },
};

const char *nf_name(enum nf_names t, long v)
{
	const char *name = nm_enum_name(name_tables[t].v, name_tables[t].n, v);

	return name ? name : "?";
}

int nf_parse(enum nf_names t, const char *s)
{
	return nm_enum_parse(name_tables[t].v, name_tables[t].n, s);
}

const char *nf_family_name(unsigned int family)
{
	return nf_name(NF_NAMES_FAMILY, family);
}

const char *nf_backend_name(enum nf_backend b)
{
	return nf_name(NF_NAMES_BACKEND, b);
}

const char *nf_hook_name(enum nf_hook h)
{
	return h == NF_HOOK_NONE ? "none" : nf_name(NF_NAMES_HOOK, h);
}

const char *nf_match_kind_name(enum nf_match_kind k)
{
	return nf_name(NF_NAMES_MATCH, k);
}

const char *nf_action_kind_name(enum nf_action_kind k)
{
	return nf_name(NF_NAMES_ACTION, k);
}

const char *nf_field_name(enum nf_field f)
{
	return nf_name(NF_NAMES_FIELD, f);
}

const char *nf_policy_name(enum nf_policy p)
{
	switch (p) {
	case NF_POLICY_DROP:
		return "drop";
	case NF_POLICY_ACCEPT:
		return "accept";
	default:
		return "none";
	}
}

struct nf_table *nf_table_find(const struct nf_ruleset *rs, unsigned int family, const char *name)
{
	size_t i;

	if (!rs || !name)
		return NULL;
	for (i = 0; i < rs->n_tables; i++)
		if (rs->tables[i].family == family && rs->tables[i].name &&
		    strcmp(rs->tables[i].name, name) == 0)
			return &rs->tables[i];
	return NULL;
}

struct nf_chain *nf_chain_find(const struct nf_table *t, const char *name)
{
	size_t i;

	if (!t || !name)
		return NULL;
	for (i = 0; i < t->n_chains; i++)
		if (t->chains[i].name && strcmp(t->chains[i].name, name) == 0)
			return &t->chains[i];
	return NULL;
}

struct nf_set *nf_set_find(const struct nf_table *t, const char *name)
{
	size_t i;

	if (!t || !name)
		return NULL;
	for (i = 0; i < t->n_sets; i++)
		if (t->sets[i].name && strcmp(t->sets[i].name, name) == 0)
			return &t->sets[i];
	return NULL;
}

size_t nf_rule_count(const struct nf_ruleset *rs, enum nf_backend b)
{
	size_t i, j, n = 0;

	if (!rs)
		return 0;
	for (i = 0; i < rs->n_tables; i++) {
		if (rs->tables[i].backend != b)
			continue;
		for (j = 0; j < rs->tables[i].n_chains; j++)
			n += rs->tables[i].chains[j].n_rules;
	}
	return n;
}

bool nf_action_is_terminal(const struct nf_action *a)
{
	switch (a->kind) {
	case NF_ACT_CONTINUE:
	case NF_ACT_LOG:
	case NF_ACT_MARK_SET:
	case NF_ACT_VMAP:	/* terminal only when an element matches */
		return false;
	default:
		return true;
	}
}

size_t nf_hook_chains(const struct nf_ruleset *rs, unsigned int family, enum nf_hook hook,
		      struct nf_hook_entry *out, size_t max)
{
	size_t i, j, n = 0, k;

	if (!rs)
		return 0;
	for (i = 0; i < rs->n_tables; i++) {
		const struct nf_table *t = &rs->tables[i];

		if (t->flags & NF_TABLE_F_DORMANT)
			continue;
		if (t->family != family &&
		    !(t->family == NF_FAMILY_INET &&
		      (family == NF_FAMILY_IP || family == NF_FAMILY_IP6)))
			continue;
		for (j = 0; j < t->n_chains; j++) {
			const struct nf_chain *c = &t->chains[j];

			if (!c->base || c->hook != hook)
				continue;
			if (n < max) {
				/* insertion sort, stable by priority */
				k = n;
				while (k > 0 && out[k - 1].chain->priority > c->priority) {
					out[k] = out[k - 1];
					k--;
				}
				out[k].table = t;
				out[k].chain = c;
			}
			n++;
		}
	}
	return n;
}

/* ---- building rules ---- */

struct nf_match *nf_rule_add_match(struct nf_rule *r, enum nf_match_kind k, bool invert)
{
	struct nf_match *m = NM_PUSH(r->matches, r->n_matches);

	m->kind = k;
	m->invert = invert;
	m->icmp_type = -1;
	m->icmp_code = -1;
	return m;
}

struct nf_match *nf_rule_new_match(struct nf_rule *r, enum nf_match_kind k, bool invert)
{
	return nf_rule_add_match(r, k, invert);
}

struct nf_table *nf_ruleset_add_table(struct nf_ruleset *rs, unsigned int family, const char *name,
				      enum nf_backend backend)
{
	struct nf_table *t = NM_PUSH(rs->tables, rs->n_tables);

	t->family = (uint8_t)family;
	t->name = nm_xstrdup(name);
	t->backend = backend;
	return t;
}

struct nf_chain *nf_table_add_chain(struct nf_table *t, const char *name, enum nf_hook hook,
				    int priority, const char *type, enum nf_policy policy)
{
	struct nf_chain *c = NM_PUSH(t->chains, t->n_chains);

	c->name = nm_xstrdup(name);
	c->hook = hook;
	c->base = hook != NF_HOOK_NONE;
	c->priority = priority;
	c->type = type ? nm_xstrdup(type) : NULL;
	c->policy = policy;
	return c;
}

struct nf_rule *nf_chain_insert_rule(struct nf_chain *c, size_t at)
{
	struct nf_rule *r;

	if (at > c->n_rules)
		at = c->n_rules;
	NM_PUSH(c->rules, c->n_rules);
	memmove(&c->rules[at + 1], &c->rules[at], (c->n_rules - 1 - at) * sizeof(*r));
	r = &c->rules[at];
	memset(r, 0, sizeof(*r));
	return r;
}

void nf_chain_delete_rule(struct nf_chain *c, size_t at)
{
	if (at >= c->n_rules)
		return;
	nf_rule_clear(&c->rules[at]);
	memmove(&c->rules[at], &c->rules[at + 1], (c->n_rules - 1 - at) * sizeof(c->rules[0]));
	c->n_rules--;
}

void nf_rule_add_unsupported(struct nf_rule *r, const char *text, const char *raw)
{
	struct nf_match *m = nf_rule_add_match(r, NF_MATCH_UNSUPPORTED, false);

	m->text = text ? nm_xstrdup(text) : NULL;
	m->raw = raw ? nm_xstrdup(raw) : NULL;
	r->unsupported = true;
}

/* An unsupported rule says why: what it could not model ("not modelled: fib saddr oif missing"). */
void nf_rule_why(struct nf_rule *r)
{
	struct nf_buf b = { 0 };
	size_t i;

	if (!r->unsupported || r->why)
		return;
	for (i = 0; i < r->n_matches; i++)
		if (r->matches[i].kind == NF_MATCH_UNSUPPORTED && r->matches[i].text)
			nf_buf_printf(&b, "%s%s", b.s ? "; " : "not modelled: ", r->matches[i].text);
	if (r->action.kind == NF_ACT_UNSUPPORTED && r->action.text)
		nf_buf_printf(&b, "%s%s", b.s ? "; " : "not modelled: ", r->action.text);
	if (b.s)
		r->why = nf_buf_steal(&b);
}

/* nft ct state bits: INVALID 1, ESTABLISHED 2, RELATED 4, NEW 8, UNTRACKED 0x40 */
uint32_t nf_ct_from_nft(uint32_t v)
{
	return (v & 0x0f) | ((v & 0x40) ? NF_CT_UNTRACKED : 0);
}

/* ---- freeing ---- */

void nf_match_clear(struct nf_match *m)
{
	free(m->ifname);
	free(m->ports);
	free(m->set);
	free(m->text);
	free(m->raw);
	memset(m, 0, sizeof(*m));
}

void nf_action_clear(struct nf_action *a)
{
	free(a->chain);
	free(a->set);
	free(a->reject_with);
	free(a->text);
	free(a->raw);
	memset(a, 0, sizeof(*a));
}

void nf_rule_clear(struct nf_rule *r)
{
	size_t i;

	free(r->comment);
	for (i = 0; i < r->n_matches; i++)
		nf_match_clear(&r->matches[i]);
	free(r->matches);
	for (i = 0; i < r->n_effects; i++)
		nf_action_clear(&r->effects[i]);
	free(r->effects);
	nf_action_clear(&r->action);
	free(r->text);
	free(r->why);
	free(r->decoded);
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

static void chain_clear(struct nf_chain *c)
{
	size_t i;

	free(c->name);
	free(c->type);
	free(c->device);
	for (i = 0; i < c->n_rules; i++)
		nf_rule_clear(&c->rules[i]);
	free(c->rules);
}

static void set_clear(struct nf_set *s)
{
	size_t i;

	free(s->name);
	free(s->key_type);
	free(s->data_type);
	for (i = 0; i < s->n_elems; i++) {
		free(s->elems[i].key);
		free(s->elems[i].key_end);
		free(s->elems[i].text);
		free(s->elems[i].data);
		free(s->elems[i].data_text);
		nf_action_clear(&s->elems[i].verdict);
	}
	free(s->elems);
}

static void table_clear(struct nf_table *t)
{
	size_t i;

	free(t->name);
	for (i = 0; i < t->n_chains; i++)
		chain_clear(&t->chains[i]);
	free(t->chains);
	for (i = 0; i < t->n_sets; i++)
		set_clear(&t->sets[i]);
	free(t->sets);
	memset(t, 0, sizeof(*t));
}

struct nf_ruleset *nf_ruleset_new(void)
{
	return nm_xcalloc(1, sizeof(struct nf_ruleset));
}

void nf_ruleset_free(struct nf_ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n_tables; i++)
		table_clear(&rs->tables[i]);
	free(rs->tables);
	free(rs);
}

/* ---- classification ---- */

static const char *const xt_table_names[] = { "filter", "nat", "mangle", "raw", "security" };

static bool is_xt_chain_name(const char *n)
{
	static const char *const names[] = {
		"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(n, names[i]) == 0)
			return true;
	return false;
}

/*
 * iptables-nft sets no marker on its tables, so guess the way nft's own warning does, plus
 * the layout: family ip/ip6, an iptables table name, and every base chain named like an
 * iptables built-in chain. An xt match/target anywhere in the table settles it.
 */
enum nf_backend nf_classify_table(const struct nf_table *t, bool has_xt)
{
	size_t i;
	bool name_ok = false;

	if (has_xt)
		return NF_BACKEND_IPTABLES_NFT;
	if (t->family != NF_FAMILY_IP && t->family != NF_FAMILY_IP6)
		return NF_BACKEND_NFT;
	for (i = 0; i < ARRAY_SIZE(xt_table_names); i++)
		if (strcmp(t->name, xt_table_names[i]) == 0)
			name_ok = true;
	if (!name_ok)
		return NF_BACKEND_NFT;
	for (i = 0; i < t->n_chains; i++) {
		const struct nf_chain *c = &t->chains[i];

		if (c->base && !is_xt_chain_name(c->name))
			return NF_BACKEND_NFT;
		/* nft chain names are usually lower case; iptables user chains may be anything */
	}
	return NF_BACKEND_IPTABLES_NFT;
}

void nf_ruleset_finish(struct nf_ruleset *rs, char ***warnings, size_t *n_warnings)
{
	size_t i, j, n_legacy = 0, n_nft = 0;

	for (i = 0; i < rs->n_tables; i++) {
		size_t n = 0;

		for (j = 0; j < rs->tables[i].n_chains; j++)
			n += rs->tables[i].chains[j].n_rules;
		if (rs->tables[i].backend == NF_BACKEND_IPTABLES_LEGACY)
			n_legacy += n;
		else
			n_nft += n;
	}
	rs->mixed = n_legacy > 0 && n_nft > 0;
	if (rs->mixed && warnings)
		nm_warn(warnings, n_warnings,
			"netfilter: rules in both iptables-legacy (%zu) and nf_tables (%zu); both are active",
			n_legacy, n_nft);
}
