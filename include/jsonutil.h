/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonutil.h - JSON helpers shared by every section of the snapshot (src/core/jsonutil.c). */
#ifndef NSMAP_JSONUTIL_H
#define NSMAP_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "model.h"

/* A JSON string for kernel bytes (names, comments) that may not be UTF-8: such bytes are
 * spelled "\xNN". NULL -> null. */
json_t *nm_json_str(const char *s);
/* o[k] = s when s is not NULL. */
void nm_json_set_str(json_t *o, const char *k, const char *s);

/*
 * Reading is strict: a key of the wrong type is an error, never a default. The first error
 * is kept in buf as "CONTEXT.KEY: what is wrong" (CONTEXT is the path of the object, such
 * as "namespaces[3].links[0]"); later ones only count.
 */
struct nm_jerr {
	char *buf;
	size_t len;
	int failed;
};
void nm_json_fail(struct nm_jerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Each returns 0, or -EINVAL after nm_json_fail(). An absent (or null) key is an error when
 * required; otherwise *out keeps its default (strings: NULL) and nm_json_get_int returns 1. */
int nm_json_get_str(const json_t *o, const char *key, char **out, bool required, struct nm_jerr *e,
		    const char *ctx);
int nm_json_get_int(const json_t *o, const char *key, long long *out, long long min, long long max,
		    bool required, struct nm_jerr *e, const char *ctx);
int nm_json_get_bool(const json_t *o, const char *key, bool *out, bool required, struct nm_jerr *e,
		     const char *ctx);
int nm_json_get_ip(const json_t *o, const char *key, struct nm_ip *ip, bool required,
		   struct nm_jerr *e, const char *ctx);
int nm_json_get_strv(const json_t *o, const char *key, char ***v, size_t *n, struct nm_jerr *e,
		     const char *ctx);
/* o[key] as an array, or NULL (after nm_json_fail() when it has the wrong type, or is
 * required and absent). */
const json_t *nm_json_get_array(const json_t *o, const char *key, bool required, struct nm_jerr *e,
				const char *ctx);

#endif
