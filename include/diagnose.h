/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose.h - cause codes: a stable code, a one-sentence explanation and a fix to paste. */
#ifndef NSMAP_DIAGNOSE_H
#define NSMAP_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

/* One entry of the cause registry (src/diagnose.c). Templates use %{key} placeholders that
 * the caller fills with diag_kv pairs; a missing key is printed as <key>. */
struct diag_code {
	const char *code;	/* stable: extend the list, never rename */
	const char *message;	/* one sentence */
	const char *fix;	/* commands a person can paste, one per line; "" if none */
};

/* A diagnosed cause. */
struct diag_cause {
	const char *code;	/* points into the registry */
	char *netns;		/* namespace label */
	char *message;
	char *evidence;		/* rule text and handle, route table, sysctl and value */
	char *fix;		/* may be "" when nothing on this host fixes it */
	bool reply;		/* found on the reply path */
	int hop;		/* hop number where it was found, 0 if none */
};

struct diag_kv {
	const char *key;
	const char *val;
};

/* The registry, for docs and tests. */
const struct diag_code *diag_codes(size_t *n);
const struct diag_code *diag_find(const char *code);

/* Expand "%{key}" placeholders. Malloc'd. */
char *diag_expand(const char *tmpl, const struct diag_kv *kv, size_t n_kv);

/* Append a cause built from the registry entry of code. Returns the cause, or NULL when code
 * is not registered (a programming error) or the same code/netns/message is already there. */
struct diag_cause *diag_add(struct diag_cause **v, size_t *n, const char *code, const char *netns,
			    const char *evidence, const struct diag_kv *kv, size_t n_kv);
void diag_cause_clear(struct diag_cause *c);

#endif
