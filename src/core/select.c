/* SPDX-License-Identifier: GPL-2.0-or-later */
/* select.c - -n PATTERN: which namespaces a comma-separated list of globs names (label, netns name, container, pid, inode, mount). */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static bool glob_match(const char *pattern, const char *s)
{
	return s && fnmatch(pattern, s, 0) == 0;
}

bool nm_netns_matches(const struct nm_netns *ns, const char *pattern)
{
	char buf[32];
	size_t i;

	if (glob_match(pattern, ns->label) || glob_match(pattern, ns->id))
		return true;
	for (i = 0; i < ns->n_names; i++)
		if (glob_match(pattern, ns->names[i]))
			return true;
	if (ns->container && (glob_match(pattern, ns->container->name) ||
			      (ns->container->id && strlen(pattern) >= 4 &&
			       !strncmp(ns->container->id, pattern, strlen(pattern)))))
		return true;
	for (i = 0; i < ns->n_procs; i++) {
		snprintf(buf, sizeof(buf), "%d", (int)ns->procs[i].pid);
		if (glob_match(pattern, buf))
			return true;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, ns->ino);
	if (glob_match(pattern, buf))
		return true;
	for (i = 0; i < ns->n_mounts; i++)
		if (glob_match(pattern, ns->mounts[i]))
			return true;
	return false;
}

int nm_snapshot_mark(const struct nm_snapshot *s, const char *patterns, bool *keep, char **bad)
{
	char *copy, *save = NULL, *p;
	size_t i;
	int ret = 0;

	*bad = NULL;
	if (!patterns) {
		for (i = 0; i < s->n_netns; i++)
			keep[i] = true;
		return 0;
	}
	copy = nm_xstrdup(patterns);
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		bool any = false;

		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		for (i = 0; i < s->n_netns; i++)
			if (nm_netns_matches(&s->netns[i], p))
				keep[i] = any = true;
		if (!any && !*bad) {
			*bad = nm_xstrdup(p);
			ret = -ENOENT;
		}
	}
	free(copy);
	return ret;
}

void nm_snapshot_keep(struct nm_snapshot *s, const bool *keep)
{
	size_t i, k;

	for (i = 0, k = 0; i < s->n_netns; i++) {
		if (keep[i])
			s->netns[k++] = s->netns[i];
		else
			nm_netns_clear(&s->netns[i]);
	}
	s->n_netns = k;
}

int nm_snapshot_select(struct nm_snapshot *s, const char *patterns, char **bad)
{
	bool *keep = nm_xcalloc(s->n_netns, sizeof(bool));
	int ret = nm_snapshot_mark(s, patterns, keep, bad);

	if (!ret)
		nm_snapshot_keep(s, keep);
	free(keep);
	return ret;
}
