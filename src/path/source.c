/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c - SRC of the command line to a namespace, and a namespace to the prefix of a command. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "path_int.h"

char *path_ns_exec(const struct nm_netns *ns)
{
	if (!ns)
		return nm_xstrdup("");
	if (ns->n_names)
		return nm_xasprintf("ip netns exec %s ", ns->names[0]);
	if (ns->self)
		return nm_xstrdup("");
	if (ns->n_procs)
		return nm_xasprintf("nsenter --net=/proc/%d/ns/net ", (int)ns->procs[0].pid);
	if (ns->n_mounts)
		return nm_xasprintf("nsenter --net=%s ", ns->mounts[0]);
	return nm_xasprintf("nsenter --net=<path of %s> ", ns->label ? ns->label : "?");
}

char *path_ns_arg(const struct nm_netns *ns)
{
	if (ns->n_names)
		return nm_xstrdup(ns->names[0]);
	if (ns->n_procs)
		return nm_xasprintf("%d", (int)ns->procs[0].pid);
	return nm_xstrdup(ns->label ? ns->label : "?");
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* How many namespaces own ip; *found is the last of them. */
static int by_address(const struct nm_snapshot *s, const struct nm_ip *ip,
		      const struct nm_netns **found)
{
	size_t i;
	int hits = 0;

	for (i = 0; i < s->n_netns; i++) {
		if (nm_find_link_addr(&s->netns[i], ip)) {
			*found = &s->netns[i];
			hits++;
		}
	}
	return hits;
}

/* Does namespace n answer to name src, in the way'th way: ip-netns name, label, container? */
static bool name_matches(const struct nm_netns *n, const char *src, size_t way)
{
	bool m = false;
	size_t k;

	if (way == 0)
		for (k = 0; k < n->n_names; k++)
			m |= !strcmp(n->names[k], src);
	else if (way == 1)
		m = n->label && !strcmp(n->label, src);
	else
		m = n->container && n->container->name && !strcmp(n->container->name, src);
	return m;
}

/* The namespaces named src: by ip-netns name, then label, then container name (the first way
 * that finds any). */
static int by_name(const struct nm_snapshot *s, const char *src, const struct nm_netns **found)
{
	size_t i, way;
	int hits = 0;

	for (way = 0; way < 3 && !hits; way++)
		for (i = 0; i < s->n_netns; i++)
			if (name_matches(&s->netns[i], src, way)) {
				*found = &s->netns[i];
				hits++;
			}
	return hits;
}

/* The namespace whose file is st (a namespace path, /proc/PID/ns/net). */
static int by_inode(const struct nm_snapshot *s, const struct stat *st,
		    const struct nm_netns **found)
{
	size_t i;
	int hits = 0;

	for (i = 0; i < s->n_netns; i++)
		if (s->netns[i].ino == (uint64_t)st->st_ino) {
			*found = &s->netns[i];
			hits = 1;
		}
	return hits;
}

/* A pid: the holders in the snapshot, then /proc on a live host. */
static int by_pid(const struct nm_snapshot *s, const char *src, const struct nm_netns **found)
{
	char path[64];
	struct stat st;
	size_t i, j;
	int hits = 0;

	for (i = 0; i < s->n_netns && !hits; i++)
		for (j = 0; j < s->netns[i].n_procs; j++)
			if (s->netns[i].procs[j].pid == atoi(src)) {
				*found = &s->netns[i];
				hits = 1;
			}
	snprintf(path, sizeof(path), "/proc/%s/ns/net", src);
	if (!hits && !stat(path, &st))
		hits = by_inode(s, &st, found);
	return hits;
}

int path_resolve_src(const struct nm_snapshot *s, const char *src, const struct nm_netns **ns,
		     struct nm_ip *addr)
{
	const struct nm_netns *found = NULL;
	struct nm_ip ip;
	struct stat st;
	int hits;

	*ns = NULL;
	memset(addr, 0, sizeof(*addr));
	if (!s || !src || !*src)
		return -EINVAL;

	/* An address owned by a namespace. */
	if (!strchr(src, '/') && !nm_ip_parse(src, &ip) && ip.family) {
		hits = by_address(s, &ip, &found);
		if (hits == 1) {
			*ns = found;
			*addr = ip;
			return 0;
		}
		return hits ? -EEXIST : -ENOENT;
	}
	hits = by_name(s, src, &found);
	if (!hits && is_number(src))
		hits = by_pid(s, src, &found);
	else if (!hits && strchr(src, '/') && !stat(src, &st))
		/* A namespace path: /run/netns/x, /proc/PID/ns/net, a bind mount. */
		hits = by_inode(s, &st, &found);
	if (hits > 1)
		return -EEXIST;
	if (!hits)
		return -ENOENT;
	*ns = found;
	return 0;
}
