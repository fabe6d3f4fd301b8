/* SPDX-License-Identifier: GPL-2.0-or-later */
/* text.c - text views of a ruleset: the summary with NAT rules in full, and every rule for -d. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nf.h"

static void ip_text(struct nf_buf *b, const struct nm_ip *ip, bool with_plen)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(ip->family == AF_INET6 ? AF_INET6 : AF_INET, ip->addr, s, sizeof(s));
	nf_buf_puts(b, s);
	if (with_plen && ip->plen != (ip->family == AF_INET6 ? 128 : 32))
		nf_buf_printf(b, "/%u", ip->plen);
}

static const struct nf_match *find_match(const struct nf_rule *r, enum nf_match_kind k)
{
	size_t i;

	for (i = 0; i < r->n_matches; i++)
		if (r->matches[i].kind == k)
			return &r->matches[i];
	return NULL;
}

static void iface_text(struct nf_buf *b, const struct nf_match *m)
{
	nf_buf_printf(b, "%s%s%s", m->invert ? "not-" : "", m->ifname ? m->ifname : "?",
		      m->ifprefix ? "+" : "");
}

char *nf_nat_describe(const struct nf_rule *r)
{
	static const char *const nat_words[NF_ACT_KIND_COUNT] = {
		[NF_ACT_MASQUERADE] = "MASQUERADE", [NF_ACT_SNAT] = "SNAT", [NF_ACT_DNAT] = "DNAT",
		[NF_ACT_REDIRECT] = "REDIRECT",
	};
	const struct nf_action *a = &r->action;
	const struct nf_match *src = find_match(r, NF_MATCH_SADDR);
	const struct nf_match *dst = find_match(r, NF_MATCH_DADDR);
	const struct nf_match *iif = find_match(r, NF_MATCH_IIF);
	const struct nf_match *oif = find_match(r, NF_MATCH_OIF);
	const struct nf_match *proto = find_match(r, NF_MATCH_L4PROTO);
	const struct nf_match *dport = find_match(r, NF_MATCH_DPORT);
	struct nf_buf b = { 0 };
	const char *pn;

	if ((unsigned int)a->kind >= NF_ACT_KIND_COUNT || !nat_words[a->kind])
		return NULL;
	nf_buf_puts(&b, nat_words[a->kind]);
	if (proto && !proto->invert) {
		pn = nm_proto_name(proto->proto);
		nf_buf_printf(&b, " %s", pn ? pn : "?");
	}
	if (src) {
		nf_buf_printf(&b, " %s", src->invert ? "not-" : "");
		ip_text(&b, &src->prefix, true);
	}
	if (dst) {
		nf_buf_printf(&b, " %sto %s", src ? "" : "", dst->invert ? "not-" : "");
		ip_text(&b, &dst->prefix, true);
	}
	if (dport) {
		nf_buf_printf(&b, " %s:%u", dport->invert ? "not" : "", dport->port_min);
		if (dport->port_max != dport->port_min)
			nf_buf_printf(&b, "-%u", dport->port_max);
	}
	if (!src && !dst && !dport && a->kind == NF_ACT_MASQUERADE)
		nf_buf_puts(&b, find_match(r, NF_MATCH_ADDRTYPE) ? " from local addresses" : " all");
	/* "→" then what the packet becomes: address[:ports]; MASQUERADE takes the address of
	 * the output interface, so it reads "→ out via IF" */
	nf_buf_puts(&b, " \u2192");
	if (a->addr_min.family) {
		nf_buf_puts(&b, " ");
		ip_text(&b, &a->addr_min, false);
		if (memcmp(a->addr_min.addr, a->addr_max.addr, 16)) {
			nf_buf_puts(&b, "-");
			ip_text(&b, &a->addr_max, false);
		}
	} else if (a->kind == NF_ACT_REDIRECT) {
		nf_buf_puts(&b, " local");
	} else if (a->port_min) {
		nf_buf_puts(&b, " ");
	}
	if (a->port_min) {
		nf_buf_printf(&b, ":%u", a->port_min);
		if (a->port_max != a->port_min)
			nf_buf_printf(&b, "-%u", a->port_max);
	}
	if (oif) {
		nf_buf_puts(&b, " out via ");
		iface_text(&b, oif);
	} else if (a->kind == NF_ACT_MASQUERADE) {
		nf_buf_puts(&b, " address of the output interface");
	}
	if (iif) {
		nf_buf_puts(&b, " in via ");
		iface_text(&b, iif);
	}
	return nf_buf_steal(&b);
}

static const char *table_label(const struct nf_table *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", nf_family_name(t->family), t->name);
	return buf;
}

void nf_print_summary(FILE *f, const struct nf_ruleset *rs, const char *indent)
{
	size_t b, i, j, k;
	bool any = false;
	char tl[80];

	if (!rs)
		return;
	if (!indent)
		indent = "";
	for (b = 0; b < NF_BACKEND_COUNT; b++) {
		size_t n_tables = 0;

		for (i = 0; i < rs->n_tables; i++)
			if (rs->tables[i].backend == b)
				n_tables++;
		if (!n_tables)
			continue;
		fprintf(f, "%snetfilter %s: %zu table%s, %zu rule%s\n", indent,
			nf_backend_name((enum nf_backend)b), n_tables, n_tables == 1 ? "" : "s",
			nf_rule_count(rs, (enum nf_backend)b),
			nf_rule_count(rs, (enum nf_backend)b) == 1 ? "" : "s");
		any = true;
	}
	if (!any)
		fprintf(f, "%snetfilter: no rules\n", indent);
	if (rs->mixed)
		fprintf(f, "%s  warning: rules in both iptables-legacy and nf_tables (both are active)\n",
			indent);
	for (i = 0; i < rs->n_tables; i++) {
		const struct nf_table *t = &rs->tables[i];

		for (j = 0; j < t->n_chains; j++) {
			const struct nf_chain *c = &t->chains[j];

			if (c->base && c->policy == NF_POLICY_DROP)
				fprintf(f, "%s  %s %s: policy drop\n", indent, table_label(t, tl, sizeof(tl)),
					c->name);
			for (k = 0; k < c->n_rules; k++) {
				char *d = nf_nat_describe(&c->rules[k]);

				if (d) {
					fprintf(f, "%s  %s (%s %s)\n", indent, d,
						table_label(t, tl, sizeof(tl)), c->name);
					free(d);
				}
			}
		}
	}
}

void nf_print_detail(FILE *f, const struct nf_ruleset *rs, const char *indent)
{
	size_t i, j, k;

	if (!rs)
		return;
	if (!indent)
		indent = "";
	if (rs->mixed)
		fprintf(f, "%swarning: rules in both iptables-legacy and nf_tables (both are active)\n",
			indent);
	for (i = 0; i < rs->n_tables; i++) {
		const struct nf_table *t = &rs->tables[i];

		fprintf(f, "%stable %s %s (%s%s)\n", indent, nf_family_name(t->family), t->name,
			nf_backend_name(t->backend), (t->flags & NF_TABLE_F_DORMANT) ? ", dormant" : "");
		for (j = 0; j < t->n_sets; j++) {
			const struct nf_set *s = &t->sets[j];
			struct nf_buf b = { 0 };

			if (s->flags & NF_SET_F_ANONYMOUS)
				continue;
			nf_nft_set_inline(&b, s);
			fprintf(f, "%s  %s %s { type %s%s%s } = %s\n", indent,
				(s->flags & NF_SET_F_MAP) ? "map" : "set", s->name,
				s->key_type ? s->key_type : "?", s->data_type ? " : " : "",
				s->data_type ? s->data_type : "", b.s ? b.s : "{ }");
			nf_buf_free(&b);
		}
		for (j = 0; j < t->n_chains; j++) {
			const struct nf_chain *c = &t->chains[j];

			if (c->base)
				fprintf(f, "%s  chain %s (%s hook %s priority %d policy %s)\n", indent,
					c->name, c->type ? c->type : "filter", nf_hook_name(c->hook),
					c->priority, nf_policy_name(c->policy));
			else
				fprintf(f, "%s  chain %s\n", indent, c->name);
			for (k = 0; k < c->n_rules; k++) {
				const struct nf_rule *r = &c->rules[k];

				fprintf(f, "%s    %s", indent, r->text ? r->text : "?");
				if (r->has_counter && t->backend != NF_BACKEND_NFT)
					fprintf(f, "  [%llu:%llu]", (unsigned long long)r->packets,
						(unsigned long long)r->bytes);
				if (r->unsupported)
					fprintf(f, "  # unsupported: %s", r->why ? r->why : "not fully decoded");
				fputc('\n', f);
			}
		}
	}
}
