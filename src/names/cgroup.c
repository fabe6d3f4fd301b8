/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.c - the cgroup name source: a container id in the cgroup path of a process holding the namespace, when no runtime API named it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names_int.h"

static bool is_hex64(const char *p)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)p[i]) || isupper((unsigned char)p[i]))
			return false;
	return !isxdigit((unsigned char)p[64]);
}


static bool prefix_before(const char *text, const char *p, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(p - text) >= n && !strncmp(p - n, prefix, n);
}


const char *cgroup_container_id(const char *text, char id[65])
{
	const char *p;

	for (p = text; p && *p; p++) {
		if (p != text && isxdigit((unsigned char)p[-1]))
			continue;
		if (!is_hex64(p))
			continue;
		memcpy(id, p, 64);
		id[64] = '\0';
		if (prefix_before(text, p, "libpod-") || prefix_before(text, p, "libpod/"))
			return "podman";
		if (prefix_before(text, p, "crio-"))
			return "cri-o";
		if (prefix_before(text, p, "cri-containerd-"))
			return "containerd";
		return "docker";
	}
	return NULL;
}


/* Docker keeps a container's name in its state directory: read it when the API is away. */
static void name_from_state(struct nm_container *c)
{
	static const char *const roots[] = { "/var/lib/docker/containers" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		char *p = nm_xasprintf("%s/%s/config.v2.json", roots[i], c->id);
		json_t *j = json_load_file(p, 0, NULL);
		const char *name = j ? names_jstr(j, "Name", NULL) : NULL;

		free(p);
		if (name) {
			free(c->name);
			c->name = nm_xstrdup(*name == '/' ? name + 1 : name);
			if (names_jstr(j, "Config", "Image")) {
				free(c->image);
				c->image = nm_xstrdup(names_jstr(j, "Config", "Image"));
			}
		}
		json_decref(j);
		if (name)
			return;
	}
}


/* The kernel's view: a container id in the cgroup path of a process holding the namespace. */
static void cgroup_probe(void **state, struct nm_snapshot *s)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < s->n_netns; i++) {
		struct nm_netns *ns = &s->netns[i];

		if (ns->container)
			continue;
		for (j = 0; j < ns->n_procs; j++) {
			char path[64], buf[4096], id[65];
			const char *rt;
			FILE *f;
			size_t n;

			snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)ns->procs[j].pid);
			f = fopen(path, "re");
			if (!f)
				continue;
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = '\0';
			rt = cgroup_container_id(buf, id);
			if (!rt)
				continue;
			ns->container = nm_xcalloc(1, sizeof(*ns->container));
			ns->container->id = nm_xstrdup(id);
			ns->container->name = nm_xasprintf("%.12s", id);
			ns->container->runtime = nm_xstrdup("cgroup");
			if (!strcmp(rt, "docker"))
				name_from_state(ns->container);
			break;
		}
	}
}


const struct names_source names_cgroup = {
	.name = "cgroup",
	.probe = cgroup_probe,
};
