/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest.c - near-miss names: the few candidates closest to a name that matched nothing ("did you mean"). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

#define SUGGEST_MAX	3	/* at most this many names are offered */
#define SUGGEST_LEN	128	/* longer names are compared by substring only */

/* How close c is to q, best first: */
enum near {
	NEAR_CASE = 0,		/* the same but for case: "NS1" for "ns1" */
	NEAR_WORDS,		/* q's words, in order, among c's: "ns1" in "lab-ns1" */
	NEAR_PART,		/* q inside c: "ns1" in "labns1x" */
	NEAR_EDIT,		/* a few typing errors: "blg-ns1" for "blog-ns1" (plus the distance) */
	NEAR_NONE = 1000,
};

static bool is_sep(char c)
{
	return c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '[' || c == ']';
}

/* The next word of s at *pos (words are split by separators); false at the end. */
static bool next_word(const char *s, size_t *pos, size_t *start, size_t *len)
{
	size_t i = *pos;

	while (s[i] && is_sep(s[i]))
		i++;
	if (!s[i])
		return false;
	*start = i;
	while (s[i] && !is_sep(s[i]))
		i++;
	*len = i - *start;
	*pos = i;
	return true;
}

/* Every word of q is a word of c, in the same order (c has more of them). */
static bool words_within(const char *q, const char *c)
{
	size_t qp = 0, cp = 0, qs, ql, cs, cl, nq = 0;

	while (next_word(q, &qp, &qs, &ql)) {
		bool found = false;

		nq++;
		while (!found && next_word(c, &cp, &cs, &cl))
			found = cl == ql && !strncasecmp(q + qs, c + cs, ql);
		if (!found)
			return false;
	}
	return nq > 0;
}

/* Optimal string alignment distance (insert, delete, substitute, swap two neighbours),
 * ignoring case; both strings shorter than SUGGEST_LEN. Three rows: i-2, i-1 and i. */
static int edit_distance(const char *a, const char *b)
{
	int rows[3][SUGGEST_LEN + 1];
	int la = (int)strlen(a), lb = (int)strlen(b), i, j;

	for (j = 0; j <= lb; j++)
		rows[0][j] = j;
	for (i = 1; i <= la; i++) {
		int *cur = rows[i % 3], *up = rows[(i - 1) % 3], *up2 = rows[(i + 1) % 3];
		int ca = tolower((unsigned char)a[i - 1]);

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int cb = tolower((unsigned char)b[j - 1]);
			int v = up[j - 1] + (ca != cb);

			if (up[j] + 1 < v)
				v = up[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && up2[j - 2] + 1 < v)
				v = up2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return rows[la % 3][lb];
}

/* The typing errors forgiven in a name of len characters. */
static int edit_limit(size_t len)
{
	return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

static int nearness(const char *q, const char *c)
{
	size_t lq = strlen(q), lc = strlen(c);
	int d;

	if (!strcmp(q, c) || !lq)
		return NEAR_NONE;	/* an exact name would have matched */
	if (!strcasecmp(q, c))
		return NEAR_CASE;
	if (words_within(q, c))
		return NEAR_WORDS;
	if (lq >= 3 && strcasestr(c, q))
		return NEAR_PART;
	if (lq >= SUGGEST_LEN || lc >= SUGGEST_LEN)
		return NEAR_NONE;
	d = edit_distance(q, c);
	return d <= edit_limit(lq) ? NEAR_EDIT + d : NEAR_NONE;
}

struct cand {
	const char *name;
	int near;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->near != y->near)
		return x->near < y->near ? -1 : 1;
	return strcmp(x->name, y->name);
}

char *cli_did_you_mean(const char *name, char *const *cands, size_t n)
{
	struct cand *c = nm_xcalloc(n + 1, sizeof(*c));
	size_t i, k = 0, shown;
	char *out = NULL, *tmp;

	for (i = 0; i < n; i++) {
		int v = cands[i] ? nearness(name, cands[i]) : NEAR_NONE;
		size_t j;

		if (v == NEAR_NONE)
			continue;
		for (j = 0; j < k && strcmp(c[j].name, cands[i]); j++)
			;
		if (j < k)
			continue;	/* a label is often the ip-netns name too */
		c[k].name = cands[i];
		c[k++].near = v;
	}
	if (!k) {
		free(c);
		return nm_xstrdup("");
	}
	nm_qsort(c, k, sizeof(*c), cand_cmp);
	/* only the best kind of match: two typos are no suggestion beside one */
	for (shown = 1; shown < k && shown < SUGGEST_MAX && c[shown].near == c[0].near; shown++)
		;
	for (i = 0; i < shown; i++) {
		tmp = nm_xasprintf("%s%s'%s'", out ? out : "; did you mean ",
				   !i ? "" : i + 1 == shown ? " or " : ", ", c[i].name);
		free(out);
		out = tmp;
	}
	tmp = nm_xasprintf("%s?", out);
	free(out);
	free(c);
	return tmp;
}
