/* SPDX-License-Identifier: GPL-2.0-or-later */
/* legacy.c - iptables-legacy (x_tables) table blobs -> the same model, iptables-save text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nf.h"

#define INFO_LEN 84		/* struct ipt_getinfo / ip6t_getinfo */
#define XT_HDR 32		/* xt_entry_match / xt_entry_target header */

static const char *const hook_chain[] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"
};

static int legacy_priority(const char *table, int hook)
{
	if (strcmp(table, "raw") == 0)
		return -300;
	if (strcmp(table, "mangle") == 0)
		return -150;
	if (strcmp(table, "nat") == 0)
		return (hook == 0 || hook == 3) ? -100 : 100;
	if (strcmp(table, "security") == 0)
		return 50;
	return 0;
}

struct lentry {
	size_t off;
	size_t next;
	size_t toff;		/* target offset */
	char tname[30];
	uint8_t trev;
	int32_t verdict;	/* standard target */
	char errname[31];	/* ERROR target */
};

/* Interface as iptables prints it: compared bytes, "+" when the mask stops early. */
static void iface_name(char *out, const uint8_t *name, const uint8_t *mask)
{
	size_t i;

	out[0] = '\0';
	if (mask[0] == 0)
		return;
	for (i = 0; i < 16; i++) {
		if (mask[i] == 0) {
			if (name[i - 1] != '\0')
				strcat(out, "+");
			break;
		}
		if (name[i] == '\0')
			break;
		out[i] = (char)name[i];
		out[i + 1] = '\0';
	}
	/* a literal "+" stored in the name (as iptables does) is already part of out */
	if (strlen(out) >= 2 && out[strlen(out) - 1] == '+' && out[strlen(out) - 2] == '+')
		out[strlen(out) - 1] = '\0';
}

/* One table being decoded: its getinfo record and the entry boundaries of its blob. */
struct ltable {
	bool v6;
	size_t ehdr;			/* struct ipt_entry / ip6t_entry */
	char name[33];
	uint32_t valid;			/* hooks the table is attached to */
	uint32_t hook_entry[5], underflow[5];
	const uint8_t *blob;
	size_t size;
	struct lentry *ents;
	size_t n;
	struct nf_table *t;
	size_t *starts;			/* per chain of t: offset of its first entry */
};

static const char *chain_at(const struct ltable *lt, size_t off)
{
	size_t i;

	for (i = 0; i < lt->t->n_chains; i++)
		if (lt->starts[i] == off)
			return lt->t->chains[i].name;
	return NULL;
}

/* Is entry i the first of built-in chain h? */
static bool hook_starts(const struct ltable *lt, size_t h, size_t i)
{
	return (lt->valid & (1u << h)) && lt->hook_entry[h] == lt->ents[i].off;
}

/* Pass 1: entry boundaries, with every length checked. */
static void scan_entries(struct ltable *lt, char ***w, size_t *nw)
{
	size_t off = 0;

	while (off + lt->ehdr <= lt->size) {
		const uint8_t *e = lt->blob + off;
		uint16_t toff = nf_rd16(e + (lt->v6 ? 140 : 88)), next = nf_rd16(e + (lt->v6 ? 142 : 90));
		struct lentry *le;
		uint16_t tsize;

		if (next < lt->ehdr + XT_HDR || off + next > lt->size || toff < lt->ehdr ||
		    toff + XT_HDR > next) {
			nm_warn(w, nw, "netfilter: legacy table %s: malformed entry at %zu", lt->name, off);
			break;
		}
		le = NM_PUSH(lt->ents, lt->n);
		le->off = off;
		le->next = next;
		le->toff = toff;
		tsize = nf_rd16(e + toff);
		memcpy(le->tname, e + toff + 2, 29);
		le->tname[29] = '\0';
		le->trev = e[toff + 31];
		if (le->tname[0] == '\0' && toff + XT_HDR + 4 <= next && tsize >= XT_HDR + 4)
			le->verdict = (int32_t)nf_rd32(e + toff + XT_HDR);
		if (strcmp(le->tname, "ERROR") == 0 && toff + XT_HDR <= next) {
			size_t el = next - toff - XT_HDR;

			el = el > 30 ? 30 : el;
			memcpy(le->errname, e + toff + XT_HDR, el);
			le->errname[el] = '\0';
		}
		off += next;
	}
}

/* Pass 2: chains, built-in ones from hook_entry, user chains from ERROR entries. */
static void add_chains(struct ltable *lt)
{
	struct nf_table *t = lt->t;
	size_t i, h;

	for (i = 0; i < lt->n; i++) {
		for (h = 0; h < 5; h++) {
			if (hook_starts(lt, h, i)) {
				struct nf_chain *c = NM_PUSH(t->chains, t->n_chains);

				c->name = nm_xstrdup(hook_chain[h]);
				c->base = true;
				c->hook = (enum nf_hook)h;
				c->priority = legacy_priority(lt->name, (int)h);
				c->type = nm_xstrdup(strcmp(lt->name, "nat") == 0 ? "nat" : "filter");
				c->policy = NF_POLICY_ACCEPT;
				lt->starts[t->n_chains - 1] = lt->ents[i].off;
			}
		}
		if (strcmp(lt->ents[i].tname, "ERROR") == 0 && strcmp(lt->ents[i].errname, "ERROR") != 0 &&
		    i + 1 < lt->n) {
			struct nf_chain *c = NM_PUSH(t->chains, t->n_chains);

			c->name = nm_xstrdup(lt->ents[i].errname);
			c->hook = NF_HOOK_NONE;
			c->policy = NF_POLICY_NONE;
			lt->starts[t->n_chains - 1] = lt->ents[i + 1].off;
		}
	}
}

/* The fixed part of an entry: addresses, interfaces, protocol, fragments. */
static void entry_header(const struct ltable *lt, const uint8_t *e, struct nf_ipt *ipt)
{
	size_t al = lt->v6 ? 16 : 4;
	const uint8_t *src = e, *dst = e + al, *smsk = e + 2 * al, *dmsk = e + 3 * al;
	const uint8_t *ifo = e + 4 * al;
	uint8_t inv = e[lt->v6 ? 132 : 83], fl = e[lt->v6 ? 131 : 82];
	static const uint8_t zero[16];

	ipt->family = lt->v6 ? NF_FAMILY_IP6 : NF_FAMILY_IP;
	if (memcmp(smsk, zero, al) || (inv & 0x08)) {
		ipt->has_src = true;
		ipt->inv_src = inv & 0x08;
		memcpy(ipt->src, src, al);
		memcpy(ipt->smsk, smsk, al);
	}
	if (memcmp(dmsk, zero, al) || (inv & 0x10)) {
		ipt->has_dst = true;
		ipt->inv_dst = inv & 0x10;
		memcpy(ipt->dst, dst, al);
		memcpy(ipt->dmsk, dmsk, al);
	}
	iface_name(ipt->iniface, ifo, ifo + 32);
	iface_name(ipt->outiface, ifo + 16, ifo + 48);
	ipt->inv_in = inv & 0x01;
	ipt->inv_out = inv & 0x02;
	ipt->proto = nf_rd16(e + (lt->v6 ? 128 : 80));
	ipt->inv_proto = inv & 0x40;
	ipt->has_proto = ipt->proto || ipt->inv_proto;
	if (!lt->v6) {
		ipt->frag = fl & 0x01;
		ipt->inv_frag = inv & 0x20;
	}
}

/* The xt matches between the fixed part and the target. */
static void entry_matches(const struct ltable *lt, const struct lentry *le, const uint8_t *e,
			  struct nf_ipt *ipt)
{
	size_t moff;

	for (moff = lt->ehdr; moff + XT_HDR <= le->toff;) {
		uint16_t msize = nf_rd16(e + moff);
		char mname[30];

		if (msize < XT_HDR || moff + msize > le->toff) {
			free(ipt->extra);
			ipt->extra = nm_xstrdup("malformed match");
			break;
		}
		memcpy(mname, e + moff + 2, 29);
		mname[29] = '\0';
		nf_ipt_add_item(ipt, mname, e[moff + 31], e + moff + XT_HDR, msize - XT_HDR);
		moff += msize;
	}
}

/* The target: a standard verdict (a jump is an offset, a verdict -NF_x - 1) or an xt target. */
static void entry_target(const struct ltable *lt, const struct lentry *le, const uint8_t *e,
			 struct nf_ipt *ipt)
{
	uint8_t fl = e[lt->v6 ? 131 : 82];
	int32_t v = le->verdict;
	size_t tsz;
	uint16_t ts;
	const char *cn;

	if (le->tname[0] != '\0') {
		tsz = le->next - le->toff;
		ts = nf_rd16(e + le->toff);
		if (ts >= XT_HDR && ts <= tsz)
			tsz = ts;
		nf_ipt_set_target(ipt, le->tname, le->trev, e + le->toff + XT_HDR, tsz - XT_HDR);
	} else if (v >= 0 && (size_t)v == le->off + le->next) {
		ipt->verdict = NF_IPT_NONE;	/* jump to the next entry: no target */
	} else if (v >= 0) {
		ipt->verdict = NF_IPT_STANDARD;
		ipt->std = (fl & (lt->v6 ? 0x04 : 0x02)) ? NF_ACT_GOTO : NF_ACT_JUMP;
		cn = chain_at(lt, (size_t)v);
		ipt->chain = nm_xstrdup(cn ? cn : "?");
	} else {
		ipt->verdict = NF_IPT_STANDARD;
		ipt->std = v == -1 ? NF_ACT_DROP : v == -2 ? NF_ACT_ACCEPT : v == -5 ? NF_ACT_RETURN :
			   v == -4 ? NF_ACT_QUEUE : NF_ACT_UNSUPPORTED;
	}
}

static void add_rule(const struct ltable *lt, struct nf_chain *cur, const struct lentry *le)
{
	const uint8_t *e = lt->blob + le->off;
	struct nf_ipt ipt = { 0 };
	struct nf_rule *r;

	entry_header(lt, e, &ipt);
	entry_matches(lt, le, e, &ipt);
	entry_target(lt, le, e, &ipt);
	r = NM_PUSH(cur->rules, cur->n_rules);
	r->handle = cur->n_rules;
	r->position = cur->n_rules - 1;
	r->has_counter = true;
	r->packets = nf_rd64(e + (lt->v6 ? 152 : 96));
	r->bytes = nf_rd64(e + (lt->v6 ? 160 : 104));
	nf_ipt_render(&ipt, cur->name, r);
	if (ipt.verdict == NF_IPT_STANDARD && ipt.std == NF_ACT_UNSUPPORTED) {
		r->unsupported = true;
		r->action.text = nm_xasprintf("verdict %d", le->verdict);
	}
	nf_ipt_free(&ipt);
}

/* Pass 3: rules, chain by chain; a built-in chain ends with its policy entry (underflow). */
static void add_rules(struct ltable *lt)
{
	struct nf_chain *cur = NULL;
	int cur_hook = -1;
	size_t i, h;

	for (i = 0; i < lt->n; i++) {
		const struct lentry *le = &lt->ents[i];
		const uint8_t *e = lt->blob + le->off;

		if (strcmp(le->tname, "ERROR") == 0) {
			cur = strcmp(le->errname, "ERROR") != 0 ? nf_chain_find(lt->t, le->errname) : NULL;
			cur_hook = -1;
			continue;
		}
		for (h = 0; h < 5; h++) {
			if (hook_starts(lt, h, i)) {
				cur = nf_chain_find(lt->t, hook_chain[h]);
				cur_hook = (int)h;
			}
		}
		if (!cur)
			continue;
		if (cur_hook >= 0 && lt->underflow[cur_hook] == le->off) {
			/* standard verdicts are -NF_x - 1: -1 DROP, -2 ACCEPT */
			cur->policy = le->verdict == -1 ? NF_POLICY_DROP : NF_POLICY_ACCEPT;
			cur->packets = nf_rd64(e + (lt->v6 ? 152 : 96));
			cur->bytes = nf_rd64(e + (lt->v6 ? 160 : 104));
			cur = NULL;
			cur_hook = -1;
			continue;
		}
		/* the implicit RETURN that closes a user chain: last entry before an ERROR */
		if (cur_hook < 0 && i + 1 < lt->n && strcmp(lt->ents[i + 1].tname, "ERROR") == 0 &&
		    le->tname[0] == '\0' && le->verdict == -5 && le->toff == lt->ehdr)
			continue;
		add_rule(lt, cur, le);
	}
}

static void decode_table(uint32_t family, const uint8_t *info, const uint8_t *blob, size_t size,
			 struct nf_ruleset *rs, char ***w, size_t *nw)
{
	struct ltable lt = { .v6 = family == 10, .blob = blob, .size = size };
	size_t h;

	lt.ehdr = lt.v6 ? 168 : 112;
	memcpy(lt.name, info, 32);
	lt.name[32] = '\0';
	lt.valid = nf_rd32(info + 32);
	for (h = 0; h < 5; h++) {
		lt.hook_entry[h] = nf_rd32(info + 36 + 4 * h);
		lt.underflow[h] = nf_rd32(info + 56 + 4 * h);
	}
	scan_entries(&lt, w, nw);
	lt.t = NM_PUSH(rs->tables, rs->n_tables);
	lt.t->family = (uint8_t)(lt.v6 ? NF_FAMILY_IP6 : NF_FAMILY_IP);
	lt.t->name = nm_xstrdup(lt.name);
	lt.t->backend = NF_BACKEND_IPTABLES_LEGACY;
	lt.starts = nm_xcalloc(lt.n + 8, sizeof(size_t));
	add_chains(&lt);
	add_rules(&lt);
	free(lt.starts);
	free(lt.ents);
}

int nf_decode_legacy(const void *buf, size_t len, struct nf_ruleset *rs, char ***w, size_t *nw)
{
	const uint8_t *p = buf;
	size_t off = 0;

	while (off + 4 + INFO_LEN <= len) {
		uint32_t family = nf_rd32(p + off);
		const uint8_t *info = p + off + 4;
		uint32_t size = nf_rd32(info + 80);

		if (family != 2 && family != 10) {
			nm_warn(w, nw, "netfilter: legacy record with family %u", family);
			return -EINVAL;
		}
		if (size > len - off - 4 - INFO_LEN) {
			nm_warn(w, nw, "netfilter: truncated legacy table blob");
			return -EINVAL;
		}
		decode_table(family, info, p + off + 4 + INFO_LEN, size, rs, w, nw);
		off += 4 + INFO_LEN + size;
	}
	rs->legacy_read = true;
	return 0;
}
