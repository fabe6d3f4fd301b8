/* SPDX-License-Identifier: GPL-2.0-or-later */
/* names.c - the table of name sources and the two steps that run them: probe after discovery, enrich after collection. */
#include <stdlib.h>
#include <string.h>

#include "names_int.h"

/* In this order: a runtime's own API first, the cgroup guess only where nothing named the
 * namespace. */
static const struct names_source *const sources[] = {
	&names_docker,
	&names_cgroup,
};

struct names {
	void *state[ARRAY_SIZE(sources)];
};

struct names *names_probe(struct nm_snapshot *s)
{
	struct names *n = nm_xcalloc(1, sizeof(*n));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sources); i++)
		if (sources[i]->probe)
			sources[i]->probe(&n->state[i], s);
	return n;
}

void names_enrich(struct names *n, struct nm_snapshot *s)
{
	size_t i;

	for (i = 0; n && i < ARRAY_SIZE(sources); i++)
		if (sources[i]->enrich)
			sources[i]->enrich(n->state[i], s);
}

void names_free(struct names *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < ARRAY_SIZE(sources); i++)
		if (sources[i]->release)
			sources[i]->release(n->state[i]);
	free(n);
}

void names_attach(struct nm_netns *ns, struct nm_container *c)
{
	if (ns->container && ns->container->runtime && strcmp(ns->container->runtime, "cgroup")) {
		nm_container_free(c);
		return;
	}
	nm_container_free(ns->container);
	ns->container = c;
}

const char *names_jstr(json_t *o, const char *k1, const char *k2)
{
	json_t *v = json_object_get(o, k1);

	if (k2)
		v = json_object_get(v, k2);
	return json_string_value(v);
}
