/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nfttext.c - the text of native nftables rules, from libnftables: what `nft -s list ruleset` prints, by construction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "nf.h"

/*
 * libnftables opens its netlink socket in nft_ctx_new(), in the namespace of the calling
 * thread, and keeps it for the context's life: the context is made while the collecting
 * thread is inside the namespace (nf_handle_open) and used after it has returned.
 * libnftables is not thread-safe (globals, its libxtables use): every call is under
 * nf_lib_lock().
 */
struct nf_nft_lister {
	struct nft_ctx *ctx;
};

struct nf_nft_lister *nf_nft_lister_open(void)
{
	struct nf_nft_lister *l;
	struct nft_ctx *ctx;

	nf_lib_lock();
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (ctx) {
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_STATELESS | NFT_CTX_OUTPUT_HANDLE);
		if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
			nft_ctx_free(ctx);
			ctx = NULL;
		}
	}
	nf_lib_unlock();
	if (!ctx)
		return NULL;
	l = nm_xcalloc(1, sizeof(*l));
	l->ctx = ctx;
	return l;
}

void nf_nft_lister_close(struct nf_nft_lister *l)
{
	if (!l)
		return;
	nf_lib_lock();
	nft_ctx_free(l->ctx);
	nf_lib_unlock();
	free(l);
}

char *nf_nft_list_ruleset(struct nf_nft_lister *l, char **err)
{
	char *out = NULL;
	const char *s;

	*err = NULL;
	if (!l)
		return NULL;
	nf_lib_lock();
	if (nft_run_cmd_from_buffer(l->ctx, "list ruleset") == 0) {
		s = nft_ctx_get_output_buffer(l->ctx);
		out = nm_xstrdup(s ? s : "");
	} else {
		s = nft_ctx_get_error_buffer(l->ctx);
		*err = nm_xstrdup(s && *s ? s : "list ruleset failed");
		(*err)[strcspn(*err, "\n")] = '\0';
	}
	nf_lib_unlock();
	return out;
}

/* ---- the listing, by handle ---- */

/* "... # handle N" at the end of line [s, e): N, or -1. */
static long long trailing_handle(const char *s, const char *e, const char **cut)
{
	static const char tag[] = " # handle ";
	const char *p;
	char *end;
	long long v;

	for (p = e - (sizeof(tag) - 1); p >= s; p--) {
		if (memcmp(p, tag, sizeof(tag) - 1))
			continue;
		v = strtoll(p + sizeof(tag) - 1, &end, 10);
		if (end != e || v < 0)
			return -1;
		*cut = p;
		return v;
	}
	return -1;
}

static unsigned int family_of(const char *word, size_t n)
{
	static const struct {
		const char *name;
		unsigned int family;
	} fams[] = {
		{ "ip", NF_FAMILY_IP }, { "ip6", NF_FAMILY_IP6 }, { "inet", NF_FAMILY_INET },
		{ "arp", NF_FAMILY_ARP }, { "bridge", NF_FAMILY_BRIDGE },
		{ "netdev", NF_FAMILY_NETDEV },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fams); i++)
		if (strlen(fams[i].name) == n && !memcmp(fams[i].name, word, n))
			return fams[i].family;
	return NF_FAMILY_UNSPEC;
}

static struct nf_table *table_by_handle(struct nf_ruleset *rs, unsigned int family,
					uint64_t handle)
{
	size_t i;

	for (i = 0; i < rs->n_tables; i++)
		if (rs->tables[i].family == family && rs->tables[i].handle == handle &&
		    rs->tables[i].backend != NF_BACKEND_IPTABLES_LEGACY)
			return &rs->tables[i];
	return NULL;
}

static struct nf_chain *chain_by_handle(struct nf_table *t, uint64_t handle)
{
	size_t i;

	for (i = 0; t && i < t->n_chains; i++)
		if (t->chains[i].handle == handle)
			return &t->chains[i];
	return NULL;
}

static struct nf_rule *rule_by_handle(struct nf_chain *c, uint64_t handle)
{
	size_t i;

	for (i = 0; c && i < c->n_rules; i++)
		if (c->rules[i].handle == handle)
			return &c->rules[i];
	return NULL;
}

/* "counter packets N bytes M" -> "counter": nsmap's text keeps the values, the stateless
 * listing does not. */
static char *stateless(const char *s)
{
	struct nf_buf b = { 0 };
	const char *p;

	while ((p = strstr(s, "counter packets "))) {
		unsigned long long a, c;
		int n = 0;

		if (sscanf(p, "counter packets %llu bytes %llu%n", &a, &c, &n) != 2 || !n) {
			nf_buf_printf(&b, "%.*s", (int)(p - s) + 8, s);
			s = p + 8;
			continue;
		}
		nf_buf_printf(&b, "%.*scounter", (int)(p - s), s);
		s = p + n;
	}
	nf_buf_puts(&b, s);
	return nf_buf_steal(&b);
}

/* Why an unsupported rule is unsupported, from its unsupported parts. */
static char *why_of(const struct nf_rule *r)
{
	struct nf_buf b = { 0 };
	size_t i;

	for (i = 0; i < r->n_matches; i++)
		if (r->matches[i].kind == NF_MATCH_UNSUPPORTED && r->matches[i].text)
			nf_buf_printf(&b, "%s%s", b.len ? "; " : "", r->matches[i].text);
	for (i = 0; i < r->n_effects; i++)
		if (r->effects[i].kind == NF_ACT_UNSUPPORTED && r->effects[i].text)
			nf_buf_printf(&b, "%s%s", b.len ? "; " : "", r->effects[i].text);
	if (r->action.kind == NF_ACT_UNSUPPORTED && r->action.text)
		nf_buf_printf(&b, "%s%s", b.len ? "; " : "", r->action.text);
	if (!b.len)
		nf_buf_puts(&b, "not fully decoded");
	return nf_buf_steal(&b);
}

static void give_text(struct nf_rule *r, const char *s, size_t n)
{
	char *lib = nm_xasprintf("%.*s", (int)n, s);
	char *mine = r->text ? stateless(r->text) : NULL;

	if (r->unsupported && !r->why)
		r->why = why_of(r);
	if (!mine || strcmp(mine, lib)) {
		free(r->decoded);
		r->decoded = mine;
		mine = NULL;
		if (!r->unsupported) {
			r->unsupported = true;
			free(r->why);
			r->why = nm_xstrdup("nsmap's decoder disagrees with libnftables: "
					    "the rule is not evaluated");
		}
	}
	free(mine);
	free(r->text);
	r->text = lib;
	r->text_source = NF_TEXT_LIBNFTABLES;
}

/* A rule of a native table that the listing did not show (the ruleset changed in between). */
static size_t mark_unlisted(struct nf_ruleset *rs)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < rs->n_tables; i++) {
		struct nf_table *t = &rs->tables[i];

		if (t->backend != NF_BACKEND_NFT)
			continue;
		for (j = 0; j < t->n_chains; j++) {
			for (k = 0; k < t->chains[j].n_rules; k++) {
				struct nf_rule *r = &t->chains[j].rules[k];

				if (r->text_source == NF_TEXT_LIBNFTABLES)
					continue;
				n++;
				if (!r->unsupported) {
					r->unsupported = true;
					free(r->why);
					r->why = nm_xstrdup("not in libnftables' listing "
							    "(the ruleset changed): not evaluated");
				}
			}
		}
	}
	return n;
}

size_t nf_nft_apply_listing(struct nf_ruleset *rs, const char *listing)
{
	struct nf_table *t = NULL;
	struct nf_chain *c = NULL;
	const char *s = listing, *e, *cut = NULL;
	long long h;

	for (; s && *s; s = *e ? e + 1 : e) {
		size_t tabs = strspn(s, "\t");

		e = s + strcspn(s, "\n");
		if (e == s)
			continue;	/* blank lines separate the blocks of a table */
		h = trailing_handle(s, e, &cut);
		if (tabs == 0 && !strncmp(s, "table ", 6)) {
			const char *fam = s + 6;

			c = NULL;
			t = h < 0 ? NULL : table_by_handle(rs, family_of(fam, strcspn(fam, " ")),
							    (uint64_t)h);
		} else if (tabs == 0) {	/* "}" or a top-level object */
			t = NULL;
			c = NULL;
		} else if (tabs == 1) {
			c = !strncmp(s + 1, "chain ", 6) && h >= 0 ?
			    chain_by_handle(t, (uint64_t)h) : NULL;
		} else if (tabs == 2 && c && h >= 0 && t->backend == NF_BACKEND_NFT) {
			struct nf_rule *r = rule_by_handle(c, (uint64_t)h);

			if (r)
				give_text(r, s + 2, (size_t)(cut - s - 2));
		}
	}
	return mark_unlisted(rs);
}
