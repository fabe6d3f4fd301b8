/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eval.c - evaluate the decoded netfilter rules of a namespace against one simulated packet. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netfilter.h"

#define NF_EVAL_MAX_DEPTH 16
#define NF_EVAL_MAX_BASE 64

/* ip_conntrack_status bits the ct status match may ask about. */
#define CT_IPS_SEEN_REPLY 0x0002
#define CT_IPS_ASSURED 0x0004
#define CT_IPS_CONFIRMED 0x0008
#define CT_IPS_SRC_NAT 0x0010
#define CT_IPS_DST_NAT 0x0020

enum tri { T_FALSE = 0, T_TRUE = 1, T_UNKNOWN = -1 };

/*
 * Branches. A rule nsmap does not understand (unknown: matches and does not match) and a
 * per-packet choice (statistic, numgen: weighted) are branch points. One run of the hook
 * takes the choices of a prefix and the first option of every later point; the caller
 * enumerates all combinations depth first (last point with an option left is advanced).
 * Runs are deterministic, so every leaf is visited once.
 */
#define NF_EVAL_MAX_POINTS 24
#define NF_EVAL_MAX_RUNS 64

struct choices {
	uint8_t v[NF_EVAL_MAX_POINTS];	/* option taken at each point */
	uint8_t n[NF_EVAL_MAX_POINTS];	/* options at each point */
	size_t len;			/* points with a given choice */
	size_t pos;			/* next point of this run */
	double weight;			/* probability of this run's choices */
	bool unknown;			/* an unknown rule was branched on */
	bool overflow;
	const struct nf_rule *first_unknown;
	const struct nf_table *ut;
	const struct nf_chain *uc;
	int n_unknown;
};

struct nf_eval_ctx {
	const struct nf_table *table;
	struct nf_pkt pkt;		/* a copy: mark set statements change it */
	const struct nm_netns *ns;
	struct nf_eval_res *res;
	bool nat_chain;
	bool mark_unknown;		/* an unknown effect may have changed the mark */
	uint32_t numgen;		/* the value of the numgen being looked up */
	struct choices *ch;
};

/* Option index at the next branch point: n options, weights w (NULL: unknown rule). */
static unsigned int choose(struct nf_eval_ctx *c, unsigned int n, const double *w,
			   const struct nf_chain *chain, const struct nf_rule *r)
{
	struct choices *k = c->ch;
	size_t i = k->pos++;
	unsigned int o;

	if (i >= NF_EVAL_MAX_POINTS || n > 255) {
		k->overflow = true;
		return 0;
	}
	if (i >= k->len) {
		k->v[i] = 0;
		k->n[i] = (uint8_t)n;
		k->len = i + 1;
	}
	o = k->v[i];
	if (!w) {
		k->unknown = true;
		k->n_unknown++;
		if (!k->first_unknown) {
			k->first_unknown = r;
			k->ut = c->table;
			k->uc = chain;
		}
	} else {
		k->weight *= w[o];
	}
	return o;
}

static bool if_match(const char *want, bool prefix, const char *have)
{
	if (!have)
		return false;
	if (prefix)
		return !strncmp(want, have, strlen(want));
	return !strcmp(want, have);
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == 132 || proto == 33;
}

/* RTN_* of an address as seen from ns (addrtype / fib matches). */
static unsigned int addr_rtn(const struct nm_netns *ns, const struct nm_ip *a)
{
	if (a->family == AF_INET) {
		if (a->addr[0] >= 224 && a->addr[0] < 240)
			return 5;	/* RTN_MULTICAST */
		if (a->addr[0] == 255 && a->addr[1] == 255 && a->addr[2] == 255 && a->addr[3] == 255)
			return 3;	/* RTN_BROADCAST */
		if (a->addr[0] == 127)
			return 2;	/* RTN_LOCAL */
	} else if (a->family == AF_INET6 && a->addr[0] == 0xff) {
		return 5;
	}
	if (ns && nm_find_link_addr(ns, a))
		return 2;
	return 1;			/* RTN_UNICAST */
}

/* The bytes of one field, as the kernel puts them in a set key register. */
static size_t field_bytes(const struct nf_eval_ctx *c, enum nf_field f, uint8_t *buf)
{
	const struct nf_pkt *p = &c->pkt;
	uint16_t port;
	uint32_t v;

	memset(buf, 0, 16);
	switch (f) {
	case NF_FIELD_IIFNAME:
		if (p->iif)
			strncpy((char *)buf, p->iif, 15);
		return 16;
	case NF_FIELD_OIFNAME:
		if (p->oif)
			strncpy((char *)buf, p->oif, 15);
		return 16;
	case NF_FIELD_SADDR:
		memcpy(buf, p->src.addr, p->src.family == AF_INET ? 4 : 16);
		return p->src.family == AF_INET ? 4 : 16;
	case NF_FIELD_DADDR:
		memcpy(buf, p->dst.addr, p->dst.family == AF_INET ? 4 : 16);
		return p->dst.family == AF_INET ? 4 : 16;
	case NF_FIELD_L4PROTO:
		buf[0] = p->proto;
		return 1;
	case NF_FIELD_SPORT:
	case NF_FIELD_DPORT:
		port = htons(f == NF_FIELD_SPORT ? p->sport : p->dport);
		memcpy(buf, &port, 2);
		return 2;
	case NF_FIELD_MARK:
		v = p->mark;
		memcpy(buf, &v, 4);
		return 4;
	case NF_FIELD_CT_STATE:
		v = p->ct_state & 0x1f;
		memcpy(buf, &v, 4);
		return 4;
	case NF_FIELD_ICMP_TYPE:
		buf[0] = p->reply ? 0 : 8;
		return 1;
	case NF_FIELD_NUMGEN:
		v = c->numgen;	/* numgen writes a host-order u32 */
		memcpy(buf, &v, 4);
		return 4;
	default:
		return 0;
	}
}

static size_t build_key(const struct nf_eval_ctx *c, const enum nf_field *key, size_t n_key,
			uint8_t *out, size_t max)
{
	size_t len = 0, i;

	for (i = 0; i < n_key; i++) {
		uint8_t b[16];
		size_t n = field_bytes(c, key[i], b);

		if (!n)
			return 0;
		/* Concatenated fields are each padded to 32 bits. */
		if (n_key > 1)
			n = (n + 3) & ~(size_t)3;
		if (len + n > max)
			return 0;
		memcpy(out + len, b, n);
		len += n;
	}
	return len;
}

static const struct nf_set_elem *set_lookup(const struct nf_eval_ctx *c, const char *name,
					    const enum nf_field *key, size_t n_key, enum tri *t)
{
	const struct nf_set *s = c->table ? nf_set_find(c->table, name) : NULL;
	uint8_t k[64];
	size_t klen, i;

	*t = T_FALSE;
	if (!s) {
		*t = T_UNKNOWN;
		return NULL;
	}
	klen = build_key(c, key, n_key, k, sizeof(k));
	if (!klen) {
		*t = T_UNKNOWN;
		return NULL;
	}
	for (i = 0; i < s->n_elems; i++) {
		const struct nf_set_elem *e = &s->elems[i];
		size_t n = e->key_len < klen ? e->key_len : klen;

		if (!e->key)
			continue;
		if (e->key_end) {
			if (memcmp(k, e->key, n) >= 0 && memcmp(k, e->key_end, n) <= 0) {
				*t = T_TRUE;
				return e;
			}
		} else if (e->key_len == klen && !memcmp(k, e->key, klen)) {
			*t = T_TRUE;
			return e;
		} else if (n_key == 1 && key[0] <= NF_FIELD_OIFNAME && e->text) {
			/* ifname wildcard elements: "veth*" */
			size_t tl = strlen(e->text);
			const char *txt = e->text;

			if (tl >= 3 && txt[0] == '"' && txt[tl - 2] == '*' &&
			    !strncmp((const char *)k, txt + 1, tl - 3)) {
				*t = T_TRUE;
				return e;
			}
		}
	}
	return NULL;
}

/* The device an interface match looks at: in, out, bridge port in, bridge port out. */
static const char *match_dev(const struct nf_pkt *p, enum nf_match_kind k)
{
	switch (k) {
	case NF_MATCH_IIF:
		return p->iif;
	case NF_MATCH_OIF:
		return p->oif;
	case NF_MATCH_PHYSDEV_IN:
		return p->phys_in;
	default:
		return p->phys_out;
	}
}

static enum tri match_one(const struct nf_eval_ctx *c, const struct nf_match *m)
{
	const struct nf_pkt *p = &c->pkt;
	enum tri t = T_FALSE;
	size_t i;

	switch (m->kind) {
	case NF_MATCH_IIF:
	case NF_MATCH_OIF:
	case NF_MATCH_PHYSDEV_IN:
	case NF_MATCH_PHYSDEV_OUT:
		t = if_match(m->ifname, m->ifprefix, match_dev(p, m->kind));
		break;
	case NF_MATCH_SADDR:
	case NF_MATCH_DADDR:
		t = nm_ip_in_prefix(m->kind == NF_MATCH_SADDR ? &p->src : &p->dst, &m->prefix);
		break;
	case NF_MATCH_L4PROTO:
		t = p->proto == m->proto;
		break;
	case NF_MATCH_SPORT:
	case NF_MATCH_DPORT: {
		uint16_t port = m->kind == NF_MATCH_SPORT ? p->sport : p->dport;

		t = has_ports(p->proto) && (!m->proto || m->proto == p->proto) &&
		    port >= m->port_min && port <= m->port_max;
		break;
	}
	case NF_MATCH_MULTIPORT:
		if (!has_ports(p->proto) || (m->proto && m->proto != p->proto))
			break;
		for (i = 0; i < m->n_ports && t != T_TRUE; i++) {
			const struct nf_port_range *r = &m->ports[i];

			if ((m->port_dir != NF_PORT_DST && p->sport >= r->min && p->sport <= r->max) ||
			    (m->port_dir != NF_PORT_SRC && p->dport >= r->min && p->dport <= r->max))
				t = T_TRUE;
		}
		break;
	case NF_MATCH_CT_STATE:
		t = (p->ct_state & m->ct_state) != 0;
		break;
	case NF_MATCH_ADDRTYPE: {
		const struct nm_ip *a = m->addr_dir == NF_PORT_SRC ? &p->src : &p->dst;

		t = (m->addrtypes & NF_ADDRTYPE_BIT(addr_rtn(c->ns, a))) != 0;
		break;
	}
	case NF_MATCH_MARK:
		if (c->mark_unknown)
			return T_UNKNOWN;
		t = (p->mark & m->mask) == m->value;
		break;
	case NF_MATCH_COMMENT:
		t = T_TRUE;
		break;
	case NF_MATCH_PHYSDEV_IS_IN:
		t = p->phys_in != NULL;
		break;
	case NF_MATCH_PHYSDEV_IS_OUT:
		t = p->phys_out != NULL;
		break;
	case NF_MATCH_PHYSDEV_IS_BRIDGED:
		t = p->bridged;
		break;
	case NF_MATCH_ICMP_TYPE: {
		bool v6 = p->src.family == AF_INET6;
		int type = p->reply ? (v6 ? 129 : 0) : (v6 ? 128 : 8);

		t = (p->proto == 1 || p->proto == 58) && (m->icmp_type < 0 || m->icmp_type == type) &&
		    (m->icmp_code <= 0);
		break;
	}
	case NF_MATCH_SET:
		for (i = 0; i < m->n_key; i++)
			if (m->key[i] == NF_FIELD_NUMGEN ||
			    (m->key[i] == NF_FIELD_MARK && c->mark_unknown))
				return T_UNKNOWN;
		set_lookup(c, m->set, m->key, m->n_key, &t);
		break;
	case NF_MATCH_STATISTIC:
		return T_TRUE;	/* the choice is made by rule_matches() */
	case NF_MATCH_TCP_FLAGS: {
		/* First packet: SYN; replies and later packets: ACK. */
		uint32_t flags = p->reply ? 0x10 : 0x02;

		if (p->proto != IPPROTO_TCP)
			break;
		t = (flags & m->mask) == m->value;
		break;
	}
	case NF_MATCH_NFPROTO:
		t = m->value == (p->src.family == AF_INET6 ? 10u : 2u);
		break;
	case NF_MATCH_CT_STATUS: {
		uint32_t st = 0;

		if (p->reply)
			st |= CT_IPS_SEEN_REPLY | CT_IPS_CONFIRMED;
		if (p->ct_state & NF_CT_SNAT)
			st |= CT_IPS_SRC_NAT;
		if (p->ct_state & NF_CT_DNAT)
			st |= CT_IPS_DST_NAT;
		t = (st & m->value) != 0;
		break;
	}
	case NF_MATCH_CT_DIRECTION:
		t = m->value == (p->reply ? 1u : 0u);
		break;
	case NF_MATCH_FRAGMENT:
		t = T_FALSE;	/* probes are whole packets (DF set, small) */
		break;
	default:
		return T_UNKNOWN;
	}
	if (m->invert && t != T_UNKNOWN)
		t = t == T_TRUE ? T_FALSE : T_TRUE;
	return t;
}

/* Does a rule do anything when it matches? Rules that only log or count do not. */
static bool rule_acts(const struct nf_rule *r)
{
	size_t i;

	for (i = 0; i < r->n_effects; i++)
		if (r->effects[i].kind != NF_ACT_LOG)
			return true;
	return r->action.kind != NF_ACT_CONTINUE && r->action.kind != NF_ACT_LOG;
}

/* T_TRUE / T_FALSE after the branch points of the rule have been chosen. */
static bool rule_matches(struct nf_eval_ctx *c, const struct nf_chain *ch, const struct nf_rule *r)
{
	enum tri all = T_TRUE;
	size_t i;

	for (i = 0; i < r->n_matches; i++) {
		enum tri t = match_one(c, &r->matches[i]);

		if (t == T_FALSE && !r->decoded)
			return false;	/* a proven part fails: nothing else matters */
		if (t != T_TRUE)
			all = T_UNKNOWN;
	}
	/* A rule whose structure is not proven (decoded differs from the library's text) or
	 * that holds a part nsmap does not model: followed both ways, when it matters. */
	if (all == T_UNKNOWN || r->unsupported) {
		if (!rule_acts(r))
			return false;
		return choose(c, 2, NULL, ch, r) == 0;
	}
	for (i = 0; i < r->n_matches; i++) {
		const struct nf_match *m = &r->matches[i];
		double w[2];
		bool take;

		if (m->kind != NF_MATCH_STATISTIC)
			continue;
		/* nth: stat_every is the user's N (every N-th packet) */
		w[0] = m->stat_nth ? 1.0 / (double)(m->stat_every ? m->stat_every : 1) :
		       (double)m->value / 2147483648.0;
		if (w[0] > 1.0)
			w[0] = 1.0;
		w[1] = 1.0 - w[0];
		take = choose(c, 2, w, ch, r) == 0;
		if (take == m->invert)
			return false;
	}
	return true;
}

/* Outcome of a chain: a final verdict, or "fell off the end / returned". */
enum chain_out { CH_END = 0, CH_ACCEPT, CH_DROP, CH_UNKNOWN };

static enum chain_out run_chain(struct nf_eval_ctx *c, const struct nf_chain *ch, int depth);

/* The rule r of chain ch decided the verdict. */
static void decided_by(struct nf_eval_ctx *c, const struct nf_chain *ch, const struct nf_rule *r)
{
	c->res->rule = r;
	c->res->chain = ch;
	c->res->table = c->table;
	c->res->by_policy = false;
}

/* A verdict nsmap cannot know: the branch ends undetermined at rule r. */
static enum chain_out unknown_here(struct nf_eval_ctx *c, const struct nf_chain *ch,
				   const struct nf_rule *r)
{
	choose(c, 1, NULL, ch, r);
	decided_by(c, ch, r);
	return CH_UNKNOWN;
}

static enum chain_out vmap_action(struct nf_eval_ctx *c, const struct nf_chain *ch,
				  const struct nf_rule *r, const struct nf_action *a, int depth,
				  bool *ret);

static enum chain_out take_action(struct nf_eval_ctx *c, const struct nf_chain *ch,
				  const struct nf_rule *r, const struct nf_action *a, int depth,
				  bool *ret)
{
	struct nf_eval_res *res = c->res;
	const struct nf_chain *target;
	enum chain_out o;

	*ret = false;
	switch (a->kind) {
	case NF_ACT_CONTINUE:
	case NF_ACT_LOG:
		return CH_END;
	case NF_ACT_MARK_SET:
		c->pkt.mark = (c->pkt.mark & ~a->mask) ^ a->value;
		return CH_END;
	case NF_ACT_ACCEPT:
	case NF_ACT_QUEUE:
		decided_by(c, ch, r);
		return CH_ACCEPT;
	case NF_ACT_DROP:
	case NF_ACT_REJECT:
		decided_by(c, ch, r);
		return CH_DROP;
	case NF_ACT_RETURN:
		*ret = true;
		return CH_END;
	case NF_ACT_JUMP:
	case NF_ACT_GOTO:
		target = c->table ? nf_chain_find(c->table, a->chain) : NULL;
		if (!target || depth >= NF_EVAL_MAX_DEPTH)
			return unknown_here(c, ch, r);
		o = run_chain(c, target, depth + 1);
		/* A goto does not come back: falling off the end of the target returns
		 * from the chain that did the goto. */
		if (a->kind == NF_ACT_GOTO && o == CH_END)
			*ret = true;
		return o;
	case NF_ACT_VMAP:
		return vmap_action(c, ch, r, a, depth, ret);
	case NF_ACT_MASQUERADE:
	case NF_ACT_SNAT:
	case NF_ACT_DNAT:
	case NF_ACT_REDIRECT:
		if (res->nat == NF_ACT_CONTINUE) {
			res->nat = a->kind;
			res->nat_rule = r;
			res->nat_table = c->table;
			res->nat_chain = ch;
			res->nat_addr = a->addr_min;
			res->nat_port = a->port_min;
		}
		decided_by(c, ch, r);
		return CH_ACCEPT;
	case NF_ACT_UNSUPPORTED:
	default:
		return unknown_here(c, ch, r);
	}
}

static enum chain_out vmap_action(struct nf_eval_ctx *c, const struct nf_chain *ch,
				  const struct nf_rule *r, const struct nf_action *a, int depth,
				  bool *ret)
{
	const struct nf_set_elem *e;
	enum tri t;
	size_t i;

	for (i = 0; i < a->n_key; i++) {
		if (a->key[i] == NF_FIELD_MARK && c->mark_unknown)
			return unknown_here(c, ch, r);
		if (a->key[i] == NF_FIELD_NUMGEN) {
			/* numgen random mod N: each value is one branch of weight 1/N */
			double w[255];
			unsigned int k, n = a->numgen_mod;

			if (!n || n > 255)
				return unknown_here(c, ch, r);
			for (k = 0; k < n; k++)
				w[k] = 1.0 / n;
			c->numgen = a->numgen_offset + choose(c, n, w, ch, r);
		}
	}
	e = set_lookup(c, a->set, a->key, a->n_key, &t);
	if (t == T_UNKNOWN)
		return unknown_here(c, ch, r);
	if (!e)
		return CH_END;
	return take_action(c, ch, r, &e->verdict, depth, ret);
}

static enum chain_out run_chain(struct nf_eval_ctx *c, const struct nf_chain *ch, int depth)
{
	size_t i, j;

	for (i = 0; i < ch->n_rules; i++) {
		const struct nf_rule *r = &ch->rules[i];
		enum chain_out o;
		bool ret;

		if (!rule_matches(c, ch, r))
			continue;
		for (j = 0; j < r->n_effects; j++) {
			bool dummy;

			if (r->effects[j].kind == NF_ACT_UNSUPPORTED) {
				/* an effect nsmap does not model: what it changes is unknown */
				c->mark_unknown = true;
				continue;
			}
			take_action(c, ch, r, &r->effects[j], depth, &dummy);
		}
		o = take_action(c, ch, r, &r->action, depth, &ret);
		if (o != CH_END)
			return o;
		if (ret)
			return CH_END;
	}
	return CH_END;
}

/* One run through the base chains of the hook, with the choices of k. */
static void eval_once(const struct nf_hook_entry *ents, size_t n, const struct nf_pkt *p,
		      const struct nm_netns *ns, struct nf_eval_res *res, struct choices *k)
{
	size_t i;

	memset(res, 0, sizeof(*res));
	res->verdict = NF_EVAL_ACCEPT;
	res->nat = NF_ACT_CONTINUE;
	k->pos = 0;
	k->weight = 1.0;
	k->unknown = false;
	k->first_unknown = NULL;
	k->n_unknown = 0;
	for (i = 0; i < n; i++) {
		const struct nf_chain *ch = ents[i].chain;
		struct nf_eval_ctx c = {
			.table = ents[i].table, .pkt = *p, .ns = ns, .res = res, .ch = k,
		};
		enum chain_out o;

		c.nat_chain = ch->type && !strcmp(ch->type, "nat");
		/* NAT chains only see the first packet of a connection. */
		if (c.nat_chain && !(p->ct_state & NF_CT_NEW))
			continue;
		/* A NAT already done at this hook ends the other nat chains (one binding). */
		if (c.nat_chain && res->nat != NF_ACT_CONTINUE)
			continue;
		res->n_chains++;
		o = run_chain(&c, ch, 0);
		if (o == CH_END) {
			if (ch->policy == NF_POLICY_DROP) {
				res->verdict = NF_EVAL_DROP;
				res->table = ents[i].table;
				res->chain = ch;
				res->rule = NULL;
				res->by_policy = true;
				return;
			}
			if (!res->rule || res->chain == NULL) {
				res->table = ents[i].table;
				res->chain = ch;
				res->by_policy = true;
			}
			continue;
		}
		if (o == CH_DROP) {
			res->verdict = NF_EVAL_DROP;
			return;
		}
		if (o == CH_UNKNOWN) {
			res->verdict = NF_EVAL_UNKNOWN;
			return;
		}
	}
}

static bool same_outcome(const struct nf_eval_alt *a, const struct nf_eval_res *r)
{
	if (a->verdict != r->verdict || a->nat != r->nat)
		return false;
	if (r->nat == NF_ACT_CONTINUE)
		return true;
	return a->nat_port == r->nat_port && a->nat_addr.family == r->nat_addr.family &&
	       !memcmp(a->nat_addr.addr, r->nat_addr.addr, sizeof(a->nat_addr.addr));
}

static void add_alt(struct nf_eval_alt *alts, size_t *n, const struct nf_eval_res *r,
		    double weight, bool *truncated)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (same_outcome(&alts[i], r)) {
			alts[i].weight += weight;
			return;
		}
	}
	if (*n == NF_EVAL_MAX_ALTS) {
		*truncated = true;
		return;
	}
	alts[*n] = (struct nf_eval_alt){
		.weight = weight, .verdict = r->verdict, .rule = r->by_policy ? NULL : r->rule,
		.nat = r->nat, .nat_rule = r->nat_rule, .nat_addr = r->nat_addr,
		.nat_port = r->nat_port,
	};
	(*n)++;
}

/* The next combination of choices, depth first; false when all were run. */
static bool next_choices(struct choices *k)
{
	size_t j = k->pos < k->len ? k->pos : k->len;

	while (j--) {
		if (k->v[j] + 1 < k->n[j]) {
			k->v[j]++;
			k->len = j + 1;
			return true;
		}
	}
	return false;
}

int nf_eval_hook(const struct nf_ruleset *rs, unsigned int family, enum nf_hook hook,
		 const struct nf_pkt *p, const struct nm_netns *ns, struct nf_eval_res *res)
{
	struct nf_hook_entry ents[NF_EVAL_MAX_BASE];
	struct nf_eval_alt alts[NF_EVAL_MAX_ALTS];
	struct nf_eval_res first = { 0 }, cur;
	struct choices k = { 0 };
	size_t n, n_alts = 0, runs = 0;
	bool truncated = false, unknown = false, differ = false;
	int n_unknown = 0;

	memset(res, 0, sizeof(*res));
	res->verdict = NF_EVAL_ACCEPT;
	res->nat = NF_ACT_CONTINUE;
	if (!p)
		return -EINVAL;
	if (!rs)
		return 0;
	n = nf_hook_chains(rs, family, hook, ents, NF_EVAL_MAX_BASE);
	if (n > NF_EVAL_MAX_BASE)
		n = NF_EVAL_MAX_BASE;
	do {
		eval_once(ents, n, p, ns, &cur, &k);
		if (!runs) {
			first = cur;
			res->unknown_rule = k.first_unknown;
			res->unknown_table = k.ut;
			res->unknown_chain = k.uc;
		} else if (!differ && !same_outcome(&alts[0], &cur)) {
			differ = true;
		}
		if (k.unknown && !res->unknown_rule) {
			res->unknown_rule = k.first_unknown;
			res->unknown_table = k.ut;
			res->unknown_chain = k.uc;
		}
		unknown |= k.unknown;
		if (k.n_unknown > n_unknown)
			n_unknown = k.n_unknown;
		truncated |= k.overflow;
		add_alt(alts, &n_alts, &cur, k.weight, &truncated);
		runs++;
	} while (next_choices(&k) && !(truncated |= runs >= NF_EVAL_MAX_RUNS));

	*res = (struct nf_eval_res){
		.verdict = first.verdict, .table = first.table, .chain = first.chain,
		.rule = first.rule, .by_policy = first.by_policy, .nat = first.nat,
		.nat_rule = first.nat_rule, .nat_table = first.nat_table,
		.nat_chain = first.nat_chain, .nat_addr = first.nat_addr,
		.nat_port = first.nat_port, .n_chains = first.n_chains,
		.unknown_rule = res->unknown_rule, .unknown_table = res->unknown_table,
		.unknown_chain = res->unknown_chain, .n_unknown = n_unknown,
		.truncated = truncated,
	};
	if (unknown && (differ || truncated || first.verdict == NF_EVAL_UNKNOWN)) {
		/* the rules nsmap does not understand decide: say so, name the first */
		res->verdict = NF_EVAL_UNKNOWN;
		return 0;
	}
	if (n_alts > 1 || truncated) {
		memcpy(res->alts, alts, n_alts * sizeof(alts[0]));
		res->n_alts = n_alts;
		if (truncated)
			res->verdict = NF_EVAL_UNKNOWN;
	}
	return 0;
}

char *nf_eval_describe_rule(const struct nf_table *t, const struct nf_chain *c,
			    const struct nf_rule *r)
{
	const char *fam = t ? nf_family_name(t->family) : "?";
	const char *leg = t && t->backend == NF_BACKEND_IPTABLES_LEGACY ? ", iptables-legacy" : "";

	if (!r)
		return nm_xstrdup("?");
	if (r->text)
		return nm_xasprintf("%s (table %s %s%s, handle %llu)", r->text, fam, t ? t->name : "?",
				    leg, (unsigned long long)r->handle);
	return nm_xasprintf("rule handle %llu in %s %s %s", (unsigned long long)r->handle, fam,
			    t ? t->name : "?", c ? c->name : "?");
}

char *nf_eval_describe(const struct nf_eval_res *res)
{
	const char *fam = res->table ? nf_family_name(res->table->family) : "?";
	const char *tname = res->table ? res->table->name : "?";
	const char *cname = res->chain ? res->chain->name : "?";
	/* a legacy table is said to be one: its fix is iptables-legacy, not iptables */
	const char *leg = res->table && res->table->backend == NF_BACKEND_IPTABLES_LEGACY ?
			  " (iptables-legacy)" : "";

	if (!res->table)
		return nm_xstrdup("no rules");
	if (res->rule && !res->by_policy) {
		if (res->rule->text)
			return nm_xasprintf("%s%s (table %s %s%s, handle %llu)",
					    res->rule->text, res->rule->unsupported ? " [partly undecoded]" : "",
					    fam, tname, *leg ? ", iptables-legacy" : "",
					    (unsigned long long)res->rule->handle);
		return nm_xasprintf("rule handle %llu in %s %s %s",
				    (unsigned long long)res->rule->handle, fam, tname, cname);
	}
	return nm_xasprintf("table %s %s%s chain %s policy %s", fam, tname, leg, cname,
			    res->chain ? nf_policy_name(res->chain->policy) : "?");
}

bool nf_eval_uses_iptables(const struct nf_ruleset *rs)
{
	size_t i;

	if (!rs || !rs->n_tables)
		return true;
	for (i = 0; i < rs->n_tables; i++)
		if (rs->tables[i].backend != NF_BACKEND_NFT)
			return true;
	return false;
}
