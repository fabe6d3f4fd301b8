/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nf_legacy.c - iptables-legacy (x_tables) table blobs -> the same model, iptables-save text. */
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

static const char *chain_at(struct nf_table *t, const size_t *starts, size_t off)
{
	size_t i;

	for (i = 0; i < t->n_chains; i++)
		if (starts[i] == off)
			return t->chains[i].name;
	return NULL;
}

static int decode_table(uint32_t family, const uint8_t *info, const uint8_t *blob, size_t size,
			struct nf_ruleset *rs, char ***w, size_t *nw)
{
	bool v6 = family == 10;
	size_t ehdr = v6 ? 168 : 112;
	char name[33];
	uint32_t valid = nf_rd32(info + 32);
	uint32_t hook_entry[5], underflow[5];
	struct lentry *ents = NULL;
	size_t n = 0, off = 0, i, h;
	struct nf_table *t;
	size_t *starts;
	struct nf_chain *cur = NULL;
	int cur_hook = -1;

	memcpy(name, info, 32);
	name[32] = '\0';
	for (h = 0; h < 5; h++) {
		hook_entry[h] = nf_rd32(info + 36 + 4 * h);
		underflow[h] = nf_rd32(info + 56 + 4 * h);
	}
	/* pass 1: entry boundaries, with every length checked */
	while (off + ehdr <= size) {
		const uint8_t *e = blob + off;
		uint16_t toff = nf_rd16(e + (v6 ? 140 : 88)), next = nf_rd16(e + (v6 ? 142 : 90));
		struct lentry *le;
		uint16_t tsize;

		if (next < ehdr + XT_HDR || off + next > size || toff < ehdr || toff + XT_HDR > next) {
			nm_warn(w, nw, "netfilter: legacy table %s: malformed entry at %zu", name, off);
			break;
		}
		le = NM_PUSH(ents, n);
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

	t = NM_PUSH(rs->tables, rs->n_tables);
	t->family = (uint8_t)(v6 ? NF_FAMILY_IP6 : NF_FAMILY_IP);
	t->name = nm_xstrdup(name);
	t->backend = NF_BACKEND_IPTABLES_LEGACY;
	starts = nm_xcalloc(n + 8, sizeof(size_t));

	/* pass 2: chains (built-in from hook_entry, user chains from ERROR entries) */
	for (i = 0; i < n; i++) {
		for (h = 0; h < 5; h++) {
			if ((valid & (1u << h)) && hook_entry[h] == ents[i].off) {
				struct nf_chain *c = NM_PUSH(t->chains, t->n_chains);

				c->name = nm_xstrdup(hook_chain[h]);
				c->base = true;
				c->hook = (enum nf_hook)h;
				c->priority = legacy_priority(name, (int)h);
				c->type = nm_xstrdup(strcmp(name, "nat") == 0 ? "nat" : "filter");
				c->policy = NF_POLICY_ACCEPT;
				starts[t->n_chains - 1] = ents[i].off;
			}
		}
		if (strcmp(ents[i].tname, "ERROR") == 0 && strcmp(ents[i].errname, "ERROR") != 0 &&
		    i + 1 < n) {
			struct nf_chain *c = NM_PUSH(t->chains, t->n_chains);

			c->name = nm_xstrdup(ents[i].errname);
			c->hook = NF_HOOK_NONE;
			c->policy = NF_POLICY_NONE;
			starts[t->n_chains - 1] = ents[i + 1].off;
		}
	}

	/* pass 3: rules */
	for (i = 0; i < n; i++) {
		const uint8_t *e = blob + ents[i].off;
		struct nf_ipt ipt = { 0 };
		struct nf_rule *r;
		size_t moff;
		const char *cn;
		bool is_policy = false;

		if (strcmp(ents[i].tname, "ERROR") == 0) {
			cur = NULL;
			cur_hook = -1;
			if (strcmp(ents[i].errname, "ERROR") != 0)
				cur = nf_chain_find(t, ents[i].errname);
			continue;
		}
		for (h = 0; h < 5; h++) {
			if ((valid & (1u << h)) && hook_entry[h] == ents[i].off) {
				cur = nf_chain_find(t, hook_chain[h]);
				cur_hook = (int)h;
			}
		}
		if (!cur)
			continue;
		if (cur_hook >= 0 && underflow[cur_hook] == ents[i].off)
			is_policy = true;
		if (is_policy) {
			/* standard verdicts are -NF_x - 1: -1 DROP, -2 ACCEPT */
			cur->policy = ents[i].verdict == -1 ? NF_POLICY_DROP : NF_POLICY_ACCEPT;
			cur->packets = nf_rd64(e + (v6 ? 152 : 96));
			cur->bytes = nf_rd64(e + (v6 ? 160 : 104));
			cur = NULL;
			cur_hook = -1;
			continue;
		}
		/* the implicit RETURN that closes a user chain: last entry before an ERROR */
		if (cur_hook < 0 && i + 1 < n && strcmp(ents[i + 1].tname, "ERROR") == 0 &&
		    ents[i].tname[0] == '\0' && ents[i].verdict == -5 && ents[i].toff == ehdr)
			continue;

		ipt.family = v6 ? NF_FAMILY_IP6 : NF_FAMILY_IP;
		{
			size_t al = v6 ? 16 : 4;
			const uint8_t *src = e, *dst = e + al, *smsk = e + 2 * al, *dmsk = e + 3 * al;
			const uint8_t *ifo = e + 4 * al;
			uint8_t inv = e[v6 ? 132 : 83], fl = e[v6 ? 131 : 82];
			static const uint8_t zero[16];

			if (memcmp(smsk, zero, al) || (inv & 0x08)) {
				ipt.has_src = true;
				ipt.inv_src = inv & 0x08;
				memcpy(ipt.src, src, al);
				memcpy(ipt.smsk, smsk, al);
			}
			if (memcmp(dmsk, zero, al) || (inv & 0x10)) {
				ipt.has_dst = true;
				ipt.inv_dst = inv & 0x10;
				memcpy(ipt.dst, dst, al);
				memcpy(ipt.dmsk, dmsk, al);
			}
			iface_name(ipt.iniface, ifo, ifo + 32);
			iface_name(ipt.outiface, ifo + 16, ifo + 48);
			ipt.inv_in = inv & 0x01;
			ipt.inv_out = inv & 0x02;
			ipt.proto = nf_rd16(e + (v6 ? 128 : 80));
			ipt.inv_proto = inv & 0x40;
			ipt.has_proto = ipt.proto || ipt.inv_proto;
			if (!v6) {
				ipt.frag = fl & 0x01;
				ipt.inv_frag = inv & 0x20;
			}
			/* matches */
			for (moff = ehdr; moff + XT_HDR <= ents[i].toff;) {
				uint16_t msize = nf_rd16(e + moff);
				char mname[30];

				if (msize < XT_HDR || moff + msize > ents[i].toff) {
					free(ipt.extra);
					ipt.extra = nm_xstrdup("malformed match");
					break;
				}
				memcpy(mname, e + moff + 2, 29);
				mname[29] = '\0';
				nf_ipt_add_item(&ipt, mname, e[moff + 31], e + moff + XT_HDR, msize - XT_HDR);
				moff += msize;
			}
			/* target */
			if (ents[i].tname[0] == '\0') {
				int32_t v = ents[i].verdict;

				if (v >= 0) {
					if ((size_t)v == ents[i].off + ents[i].next) {
						ipt.verdict = NF_IPT_NONE;
					} else {
						ipt.verdict = NF_IPT_STANDARD;
						ipt.std = (fl & (v6 ? 0x04 : 0x02)) ? NF_ACT_GOTO : NF_ACT_JUMP;
						cn = chain_at(t, starts, (size_t)v);
						ipt.chain = nm_xstrdup(cn ? cn : "?");
					}
				} else {
					ipt.verdict = NF_IPT_STANDARD;
					ipt.std = v == -1 ? NF_ACT_DROP : v == -2 ? NF_ACT_ACCEPT :
						  v == -5 ? NF_ACT_RETURN : v == -4 ? NF_ACT_QUEUE :
						  NF_ACT_UNSUPPORTED;
				}
			} else {
				size_t tsz = ents[i].next - ents[i].toff;
				uint16_t ts = nf_rd16(e + ents[i].toff);

				if (ts >= XT_HDR && ts <= tsz)
					tsz = ts;
				ipt.verdict = NF_IPT_TARGET;
				snprintf(ipt.target.name, sizeof(ipt.target.name), "%s", ents[i].tname);
				ipt.target.rev = ents[i].trev;
				ipt.target.len = tsz - XT_HDR;
				ipt.target.info = nm_xcalloc(ipt.target.len + 1, 1);
				memcpy(ipt.target.info, e + ents[i].toff + XT_HDR, ipt.target.len);
			}
		}
		r = NM_PUSH(cur->rules, cur->n_rules);
		r->handle = cur->n_rules;
		r->position = cur->n_rules - 1;
		r->has_counter = true;
		r->packets = nf_rd64(e + (v6 ? 152 : 96));
		r->bytes = nf_rd64(e + (v6 ? 160 : 104));
		nf_ipt_render(&ipt, cur->name, r);
		if (ipt.verdict == NF_IPT_STANDARD && ipt.std == NF_ACT_UNSUPPORTED) {
			r->unsupported = true;
			r->action.text = nm_xasprintf("verdict %d", ents[i].verdict);
		}
		nf_ipt_free(&ipt);
	}
	free(starts);
	free(ents);
	return 0;
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
