/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonutil.c - JSON helpers every section of the snapshot uses: kernel bytes as strings, strict typed reads with a path in the error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

/* Kernel names (ifnames, comm, rule comments, table names) are bytes, not UTF-8: jansson
 * refuses invalid UTF-8, so such bytes are spelled "\\xNN" instead of losing the string. */
json_t *nm_json_str(const char *str)
{
	json_t *j;
	char *clean, *w;
	const unsigned char *p;

	if (!str)
		return json_null();
	j = json_string(str);
	if (j)
		return j;
	clean = w = nm_xrealloc(NULL, strlen(str) * 4 + 1, 1);
	for (p = (const unsigned char *)str; *p;) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
			   (*p & 0xf8) == 0xf0 ? 4 : 0;
		char one[5] = { 0 };
		size_t k;

		for (k = 1; n && k < n; k++)
			if ((p[k] & 0xc0) != 0x80)
				n = 0;
		if (n) {
			memcpy(one, p, n);
			if (n == 1 || (j = json_string(one))) {
				json_decref(j);
				j = NULL;
				memcpy(w, p, n);
				w += n;
				p += n;
				continue;
			}
		}
		w += sprintf(w, "\\x%02x", *p);
		p++;
	}
	*w = '\0';
	j = json_string(clean);
	free(clean);
	return j ? j : json_string("?");
}

void nm_json_set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, nm_json_str(v));
}

void nm_json_fail(struct nm_jerr *e, const char *fmt, ...)
{
	va_list ap;

	if (e->failed++ || !e->buf || !e->len)
		return;		/* keep the first error: it is the cause */
	va_start(ap, fmt);
	vsnprintf(e->buf, e->len, fmt, ap);
	va_end(ap);
}

/* What a key must hold, and how the error names it. */
enum want { W_STRING, W_INTEGER, W_BOOL, W_ARRAY };

static bool has_type(const json_t *v, enum want w)
{
	switch (w) {
	case W_STRING: return json_is_string(v);
	case W_INTEGER: return json_is_integer(v);
	case W_BOOL: return json_is_boolean(v);
	default: return json_is_array(v);
	}
}

static const char *const want_text[] = {
	[W_STRING] = "a string", [W_INTEGER] = "an integer",
	[W_BOOL] = "true or false", [W_ARRAY] = "an array",
};

/* o[key] when it holds what w asks; NULL when it is absent (an error if required, *ret 0
 * otherwise) or holds something else (an error). A null is absent, except for booleans. */
static const json_t *get(const json_t *o, const char *key, enum want w, bool required,
			 struct nm_jerr *e, const char *ctx, int *ret)
{
	const json_t *v = json_object_get(o, key);

	*ret = 0;
	if (!v || (json_is_null(v) && w != W_BOOL)) {
		if (required) {
			nm_json_fail(e, "%s: missing \"%s\"", ctx, key);
			*ret = -EINVAL;
		}
		return NULL;
	}
	if (!has_type(v, w)) {
		nm_json_fail(e, "%s.%s: expected %s", ctx, key, want_text[w]);
		*ret = -EINVAL;
		return NULL;
	}
	return v;
}

int nm_json_get_str(const json_t *o, const char *key, char **out, bool required,
		    struct nm_jerr *e, const char *ctx)
{
	int ret;
	const json_t *v = get(o, key, W_STRING, required, e, ctx, &ret);

	*out = v ? nm_xstrdup(json_string_value(v)) : NULL;
	return ret;
}

int nm_json_get_int(const json_t *o, const char *key, long long *out, long long min, long long max,
		    bool required, struct nm_jerr *e, const char *ctx)
{
	int ret;
	const json_t *v = get(o, key, W_INTEGER, required, e, ctx, &ret);

	if (!v)
		return ret ? ret : 1;	/* absent: caller keeps its default */
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		nm_json_fail(e, "%s.%s: %lld out of range", ctx, key, (long long)json_integer_value(v));
		return -EINVAL;
	}
	*out = json_integer_value(v);
	return 0;
}

int nm_json_get_bool(const json_t *o, const char *key, bool *out, bool required,
		     struct nm_jerr *e, const char *ctx)
{
	int ret;
	const json_t *v = get(o, key, W_BOOL, required, e, ctx, &ret);

	*out = v && json_is_true(v);
	return ret;
}

const json_t *nm_json_get_array(const json_t *o, const char *key, bool required,
				struct nm_jerr *e, const char *ctx)
{
	int ret;

	return get(o, key, W_ARRAY, required, e, ctx, &ret);
}

int nm_json_get_strv(const json_t *o, const char *key, char ***v, size_t *n,
		    struct nm_jerr *e, const char *ctx)
{
	const json_t *a = nm_json_get_array(o, key, false, e, ctx);
	size_t i;
	json_t *x;

	if (!a)
		return e->failed ? -EINVAL : 0;
	json_array_foreach(a, i, x) {
		if (!json_is_string(x)) {
			nm_json_fail(e, "%s.%s[%zu]: expected a string", ctx, key, i);
			return -EINVAL;
		}
		nm_strv_push(v, n, json_string_value(x));
	}
	return 0;
}

int nm_json_get_ip(const json_t *o, const char *key, struct nm_ip *ip, bool required,
		  struct nm_jerr *e, const char *ctx)
{
	char *s = NULL;
	int err;

	memset(ip, 0, sizeof(*ip));
	if (nm_json_get_str(o, key, &s, required, e, ctx))
		return -EINVAL;
	if (!s)
		return 0;
	err = nm_ip_parse(s, ip);
	if (err)
		nm_json_fail(e, "%s.%s: \"%s\" is not an address", ctx, key, s);
	free(s);
	return err;
}

