/* SPDX-License-Identifier: GPL-2.0-or-later */
/* names_int.h - private to src/names: the table of name sources and what they share. */
#ifndef NSMAP_NAMES_INT_H
#define NSMAP_NAMES_INT_H

#include <jansson.h>

#include "names.h"

/*
 * One source of names. probe() runs right after discovery, enrich() after collection
 * (either may be NULL); *state is the source's own, freed by release(). Adding a source is
 * one file that defines one of these plus one row in src/names/names.c.
 */
struct names_source {
	const char *name;
	void (*probe)(void **state, struct nm_snapshot *s);
	void (*enrich)(void *state, struct nm_snapshot *s);
	void (*release)(void *state);
};

extern const struct names_source names_docker;	/* docker.c: Docker/Podman Engine API */
extern const struct names_source names_cgroup;	/* cgroup.c: the kernel's cgroup paths */

/* Give ns its container c (taking it), unless another source named it first: a name from
 * a runtime's API wins over one guessed from a cgroup. */
void names_attach(struct nm_netns *ns, struct nm_container *c);

/* o[k1][k2] as a string, or NULL (k2 may be NULL). */
const char *names_jstr(json_t *o, const char *k1, const char *k2);

#endif
