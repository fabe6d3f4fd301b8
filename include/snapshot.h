/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapshot.h - the model as JSON (schema nsmap.snapshot/1): write, load, validate. */
#ifndef NSMAP_SNAPSHOT_H
#define NSMAP_SNAPSHOT_H

#include <jansson.h>
#include <stdio.h>

#include "jsonstr.h"
#include "model.h"

json_t *snap_to_json(const struct nm_snapshot *s);
/* Returns 0, or -EINVAL (bad content), -errno (cannot read) with a one-line reason in err. */
int snap_from_json(const json_t *j, struct nm_snapshot **out, char *err, size_t errlen);
int snap_load(const char *path, struct nm_snapshot **out, char *err, size_t errlen);
/* Write JSON text (2-space indent, trailing newline). 0 or -errno. */
int snap_write(const struct nm_snapshot *s, FILE *f);

/* JSON helpers for other modules' sections (strict: wrong type = error). */
struct jerr {
	char *buf;
	size_t len;
	int failed;
};
int snap_get_str(const json_t *o, const char *key, char **out, bool required, struct jerr *e, const char *ctx);
int snap_get_int(const json_t *o, const char *key, long long *out, long long min, long long max,
		 bool required, struct jerr *e, const char *ctx);
int snap_get_bool(const json_t *o, const char *key, bool *out, bool required, struct jerr *e, const char *ctx);
void snap_fail(struct jerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
