/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapshot.h - the model as JSON (schema nsmap.snapshot/1): write, load, validate. */
#ifndef NSMAP_SNAPSHOT_H
#define NSMAP_SNAPSHOT_H

#include <jansson.h>
#include <stdio.h>

#include "jsonutil.h"
#include "model.h"

json_t *snap_to_json(const struct nm_snapshot *s);
/* Returns 0, or -EINVAL (bad content), -errno (cannot read) with a one-line reason in err. */
int snap_from_json(const json_t *j, struct nm_snapshot **out, char *err, size_t errlen);
int snap_load(const char *path, struct nm_snapshot **out, char *err, size_t errlen);
/* Write JSON text (2-space indent, trailing newline). 0 or -errno. */
int snap_write(const struct nm_snapshot *s, FILE *f);

#endif
