/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonstr.h - JSON strings for kernel bytes (names, comments) that may not be UTF-8. */
#ifndef NSMAP_JSONSTR_H
#define NSMAP_JSONSTR_H

#include <jansson.h>

/* A JSON string for s; bytes that are not valid UTF-8 are spelled "\xNN". NULL -> null.
 * Defined in src/snapshot.c. */
json_t *snap_json_str(const char *s);

#endif
