/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose.h - cause codes: a stable code, a one-sentence explanation and a fix to paste. */
#ifndef NSMAP_DIAGNOSE_H
#define NSMAP_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Every cause the walk or the tracer can name. The registry (src/core/diagnose.c) has one
 * designated entry per id, so a cause is named by its enum and a misspelt one does not
 * compile. The text codes are a stable contract: extend the list, never rename.
 */
enum diag_id {
	DIAG_LINK_DOWN,
	DIAG_NO_ADDRESS,
	DIAG_NO_ROUTE,
	DIAG_GATEWAY_UNREACHABLE,
	DIAG_NOT_ON_BRIDGE,
	DIAG_PEER_MISSING,
	DIAG_FORWARDING_DISABLED,
	DIAG_FORWARD_DROP,
	DIAG_INPUT_DROP,
	DIAG_OUTPUT_DROP,
	DIAG_NO_SNAT,
	DIAG_RETURN_DROPPED,
	DIAG_RP_FILTER,
	DIAG_STALE_CONNTRACK,
	DIAG_UPSTREAM_NO_REPLY,
	DIAG_PREROUTING_DROP,
	DIAG_ROUTE_REJECT,
	DIAG_KERNEL_DISAGREES,
	DIAG_RULE_UNDETERMINED,
	DIAG_MARTIAN_SOURCE,
	DIAG_ROUTE_LOOP,
	DIAG_COUNT
};

#define DIAG_F_RULE_DROP	0x1	/* a firewall rule or chain policy dropped the packet */
#define DIAG_F_RESERVED		0x2	/* registered for the contract, not produced yet */

/* What a cause means for the packet: the verdict it leads to when it is the first. */
enum diag_outcome {
	DIAG_OUT_UNREACHABLE = 0,	/* no route, no link, no gateway */
	DIAG_OUT_DROPPED,		/* a rule or a sysctl drops it */
	DIAG_OUT_NO_REPLY,		/* it gets out, the reply does not come back */
	DIAG_OUT_UNDETERMINED,		/* a rule nsmap does not understand decides */
};

/* One entry of the registry. Templates use %{key} placeholders that the caller fills with
 * diag_kv pairs; a missing key is printed as <key>. */
struct diag_code {
	const char *code;	/* stable: extend the list, never rename */
	const char *message;	/* one sentence */
	const char *fix;	/* commands a person can paste, one per line; "" if none */
	enum diag_outcome outcome;
	unsigned int flags;	/* DIAG_F_* */
};

/* Whether a fix was proven: applied (with the fixes before it) to a copy of the snapshot and
 * the path walked again. */
enum diag_fix_check {
	DIAG_FIX_UNCHECKED = 0,		/* no fix, or not checked (the live trace's own causes) */
	DIAG_FIX_VERIFIED,		/* the walk then gets past this step (the last fix: the
					 * whole path opens out and back) */
	DIAG_FIX_UNVERIFIED,		/* check_note says why, in words */
};

/* A diagnosed cause. */
struct diag_cause {
	enum diag_id id;
	const char *code;	/* the registry's text code of id */
	char *netns;		/* namespace label */
	char *message;
	char *evidence;		/* rule text and handle, route table, sysctl and value */
	char *fix;		/* may be "" when nothing on this host fixes it */
	bool reply;		/* found on the reply path */
	int hop;		/* hop number where it was found, 0 if none */
	enum diag_fix_check check;
	char *check_note;	/* DIAG_FIX_UNVERIFIED: why; NULL otherwise */
};

struct diag_kv {
	const char *key;
	const char *val;
};

/* The registry entry of id, or NULL when id is out of range. */
const struct diag_code *diag_code(enum diag_id id);
/* The entry whose text code is code (docs, tests, JSON round trips), or NULL. */
const struct diag_code *diag_find(const char *code, enum diag_id *id);
bool diag_has_flag(enum diag_id id, unsigned int flag);

/* Expand "%{key}" placeholders. Malloc'd. */
char *diag_expand(const char *tmpl, const struct diag_kv *kv, size_t n_kv);

/* Append a cause built from the registry entry of id. Returns the cause, or NULL when id is
 * out of range or the same code/message is already there. */
struct diag_cause *diag_add(struct diag_cause **v, size_t *n, enum diag_id id, const char *netns,
			    const char *evidence, const struct diag_kv *kv, size_t n_kv);
void diag_cause_clear(struct diag_cause *c);

#endif
