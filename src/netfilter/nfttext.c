/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nfttext.c - native nftables rules as libnftables prints them: the listing, its parser, and the text each rule gets from it. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "nf.h"

/* ---- the context (bound to the namespace it was made in) ---- */

struct nf_text_ctx {
	struct nft_ctx *nft;
};

struct nf_text_ctx *nf_text_open(void)
{
	struct nf_text_ctx *t;
	struct nft_ctx *nft;

	nf_lib_lock();
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (nft) {
		nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_STATELESS | NFT_CTX_OUTPUT_HANDLE);
		if (nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
			nft_ctx_free(nft);
			nft = NULL;
		}
	}
	nf_lib_unlock();
	if (!nft)
		return NULL;
	t = nm_xcalloc(1, sizeof(*t));
	t->nft = nft;
	return t;
}

void nf_text_close(struct nf_text_ctx *t)
{
	if (!t)
		return;
	nf_lib_lock();
	nft_ctx_free(t->nft);
	nf_lib_unlock();
	free(t);
}

/* A table, or the ruleset, as text, malloc'd; NULL if libnftables failed. Its error buffer
 * (warnings about iptables-nft tables and the like) is read and dropped, never printed. */
char *nf_text_list(struct nf_text_ctx *t, const char *family, const char *name)
{
	const char *out;
	char *copy = NULL, *cmd;
	int ret;

	if (!t)
		return NULL;
	cmd = name ? nm_xasprintf("list table %s %s", family, name) : nm_xstrdup("list ruleset");
	nf_lib_lock();
	ret = nft_run_cmd_from_buffer(t->nft, cmd);
	out = nft_ctx_get_output_buffer(t->nft);
	if (ret == 0 && out)
		copy = nm_xstrdup(out);
	(void)nft_ctx_get_error_buffer(t->nft);
	nf_lib_unlock();
	free(cmd);
	return copy;
}

/* ---- the listing's parser ---- */

static const struct {
	const char *word;
	uint8_t family;
} families[] = {
	{ "ip", NF_FAMILY_IP }, { "ip6", NF_FAMILY_IP6 }, { "inet", NF_FAMILY_INET },
	{ "arp", NF_FAMILY_ARP }, { "bridge", NF_FAMILY_BRIDGE }, { "netdev", NF_FAMILY_NETDEV },
};

/* A name as nft prints it (bare, or in double quotes), copied into out; the rest after it. */
static const char *take_name(const char *p, char *out, size_t len)
{
	size_t n = 0;

	if (*p == '"') {
		p++;
		while (*p && *p != '"' && n + 1 < len)
			out[n++] = *p++;
		if (*p == '"')
			p++;
	} else {
		while (*p && *p != ' ' && *p != '{' && n + 1 < len)
			out[n++] = *p++;
	}
	out[n] = '\0';
	return p;
}

/* "table FAMILY NAME {" */
static bool table_line(const char *p, uint8_t *family, char *name, size_t len)
{
	char fam[16];
	size_t i;

	if (strncmp(p, "table ", 6))
		return false;
	p = take_name(p + 6, fam, sizeof(fam));
	if (*p != ' ')
		return false;
	take_name(p + 1, name, len);
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		if (strcmp(fam, families[i].word) == 0) {
			*family = families[i].family;
			return true;
		}
	}
	return false;
}

/* A rule line's handle: the last " # handle N" that ends the line (a comment may hold the
 * same words earlier). The text before it is the rule. false if there is none. */
static bool rule_handle(const char *line, size_t len, size_t *text_len, uint64_t *handle)
{
	static const char tag[] = " # handle ";
	const char *p = NULL, *q;
	char *end;

	for (q = line; (q = strstr(q, tag)) && q < line + len; q++)
		p = q;
	if (!p)
		return false;
	q = p + sizeof(tag) - 1;
	if (*q < '0' || *q > '9')
		return false;
	*handle = strtoull(q, &end, 10);
	if (end != line + len)
		return false;
	*text_len = (size_t)(p - line);
	return true;
}

static void add_line(struct nf_listing *l, uint8_t family, const char *table, const char *chain,
		     uint64_t handle, const char *text, size_t len)
{
	struct nf_listing_rule *r = NM_PUSH(l->rules, l->n_rules);

	r->family = family;
	r->table = nm_xstrdup(table);
	r->chain = nm_xstrdup(chain);
	r->handle = handle;
	r->text = nm_xcalloc(len + 1, 1);
	memcpy(r->text, text, len);
}

/*
 * The listing's rules: at one tab a table's blocks (chain, set, map, flowtable, ...), at two
 * tabs what a block holds; a rule is a two-tab line of a chain block that ends in its handle.
 * Set elements, chain types and comments of blocks have no handle of their own at that place.
 */
void nf_listing_parse(const char *text, struct nf_listing *l)
{
	char table[256] = "", chain[256] = "";
	bool in_table = false, in_chain = false;
	uint8_t family = 0;
	const char *p = text;

	memset(l, 0, sizeof(*l));
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p), tabs = 0, tlen;
		uint64_t handle;

		while (tabs < len && p[tabs] == '\t')
			tabs++;
		if (len == 0) {
			/* the blank line between blocks */
		} else if (tabs == 0) {
			in_table = table_line(p, &family, table, sizeof(table));
			in_chain = false;
		} else if (tabs == 1 && in_table) {
			in_chain = strncmp(p + 1, "chain ", 6) == 0;
			if (in_chain)
				take_name(p + 7, chain, sizeof(chain));
		} else if (tabs == 2 && in_chain && rule_handle(p + 2, len - 2, &tlen, &handle)) {
			add_line(l, family, table, chain, handle, p + 2, tlen);
		}
		p = eol ? eol + 1 : NULL;
	}
}

void nf_listing_free(struct nf_listing *l)
{
	size_t i;

	for (i = 0; i < l->n_rules; i++) {
		free(l->rules[i].table);
		free(l->rules[i].chain);
		free(l->rules[i].text);
	}
	free(l->rules);
	memset(l, 0, sizeof(*l));
}

/* ---- the text of each native rule ---- */

static const struct nf_listing_rule *listing_find(const struct nf_listing *l, uint8_t family,
						  const char *table, uint64_t handle)
{
	size_t i;

	for (i = 0; i < l->n_rules; i++)
		if (l->rules[i].handle == handle && l->rules[i].family == family &&
		    strcmp(l->rules[i].table, table) == 0)
			return &l->rules[i];
	return NULL;
}

/* Our text as the stateless listing prints it: "counter packets N bytes M" -> "counter". */
static char *stateless(const char *s)
{
	static const char word[] = "counter packets ";
	char *o = nm_xstrdup(s), *p = o;

	while ((p = strstr(p, word))) {
		char *q = p + 7, *b = strstr(p + sizeof(word) - 1, " bytes ");

		if (!b)
			break;
		b += 7;
		while (*b >= '0' && *b <= '9')
			b++;
		memmove(q, b, strlen(b) + 1);
		p = q;
	}
	return o;
}

static void mark(struct nf_rule *r, const char *why)
{
	r->unsupported = true;
	if (!r->why)
		r->why = nm_xstrdup(why);
}

static void rule_apply(struct nf_rule *r, const struct nf_listing_rule *lr, const char *chain)
{
	char *ours;

	if (!lr || strcmp(lr->chain, chain)) {
		/* the ruleset changed between the dump and the listing */
		mark(r, "no libnftables text for this rule (the ruleset changed while read)");
		return;
	}
	ours = stateless(r->text ? r->text : "");
	if (strcmp(ours, lr->text)) {
		mark(r, "nsmap's decoder disagrees with libnftables");
		free(r->decoded);
		r->decoded = ours;
	} else {
		free(ours);
	}
	free(r->text);
	r->text = nm_xstrdup(lr->text);
	r->text_source = NF_TEXT_LIBNFTABLES;
}

size_t nf_listing_apply(struct nf_ruleset *rs, const struct nf_listing *l)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < rs->n_tables; i++) {
		struct nf_table *t = &rs->tables[i];

		if (t->backend != NF_BACKEND_NFT)
			continue;
		for (j = 0; j < t->n_chains; j++) {
			struct nf_chain *c = &t->chains[j];

			for (k = 0; k < c->n_rules; k++) {
				struct nf_rule *r = &c->rules[k];

				rule_apply(r, listing_find(l, t->family, t->name, r->handle), c->name);
				n += r->text_source == NF_TEXT_LIBNFTABLES;
			}
		}
	}
	return n;
}
