/* SPDX-License-Identifier: GPL-2.0-or-later */
/* label.c - the human label of every namespace (container name > ip-netns name > comm[pid] > inode), unique, and the labels veth peers carry. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static char *label_for(const struct nm_netns *ns)
{
	if (ns->container && ns->container->name && *ns->container->name)
		return nm_xstrdup(ns->container->name);
	if (ns->n_names)
		return nm_xstrdup(ns->names[0]);
	if (ns->self)
		return nm_xstrdup("host");
	if (ns->n_procs)
		return nm_xasprintf("%s[%d]", ns->procs[0].comm ? ns->procs[0].comm : "?",
				    (int)ns->procs[0].pid);
	return nm_xasprintf("%" PRIu64, ns->ino);
}

/* Namespaces by a string of theirs, then by position: equal strings stay in snapshot order. */
struct ns_ref {
	const char *key;
	size_t i;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ns_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int cmp_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ns_ref *)elem)->key);
}

/* One pass: of every run of equal labels the first (in snapshot order) keeps it, the others
 * get their inode appended. Returns how many were renamed. */
static size_t unique_pass(struct nm_snapshot *s, struct ns_ref *refs, bool *dup)
{
	size_t i, renamed = 0;

	for (i = 0; i < s->n_netns; i++) {
		refs[i] = (struct ns_ref){ s->netns[i].label, i };
		dup[i] = false;
	}
	nm_qsort(refs, s->n_netns, sizeof(*refs), cmp_ref);
	for (i = 1; i < s->n_netns; i++)
		if (!strcmp(refs[i].key, refs[i - 1].key))
			dup[refs[i].i] = true;
	for (i = 0; i < s->n_netns; i++) {
		struct nm_netns *ns = &s->netns[i];
		char *l;

		if (!dup[i])
			continue;
		l = nm_xasprintf("%s#%" PRIu64, ns->label, ns->ino);
		free(ns->label);
		ns->label = l;
		renamed++;
	}
	return renamed;
}

void nm_snapshot_label(struct nm_snapshot *s)
{
	struct ns_ref *refs = nm_xcalloc(s->n_netns, sizeof(*refs));
	bool *dup = nm_xcalloc(s->n_netns, sizeof(*dup));
	size_t i, pass;

	for (i = 0; i < s->n_netns; i++) {
		free(s->netns[i].label);
		s->netns[i].label = label_for(&s->netns[i]);
		if (!s->netns[i].id)
			s->netns[i].id = nm_xasprintf("net:%" PRIu64, s->netns[i].ino);
	}
	/* Two containers or processes may share a name: keep labels unique. Sorting finds the
	 * equal ones in O(N log N); a renamed label may meet another ("x#7" renamed from "x"
	 * beside a namespace called "x#7"), so pass again until none is renamed (bounded:
	 * two namespaces of one inode on different devices would never part). */
	for (pass = 0; pass < 8 && unique_pass(s, refs, dup); pass++)
		;
	free(dup);
	free(refs);
}

void nm_snapshot_peer_labels(struct nm_snapshot *s)
{
	struct ns_ref *ids = nm_xcalloc(s->n_netns, sizeof(*ids));
	size_t i, j;

	for (i = 0; i < s->n_netns; i++)
		ids[i] = (struct ns_ref){ s->netns[i].id ? s->netns[i].id : "", i };
	nm_qsort(ids, s->n_netns, sizeof(*ids), cmp_ref);
	for (i = 0; i < s->n_netns; i++) {
		for (j = 0; j < s->netns[i].n_links; j++) {
			struct nm_peer *p = &s->netns[i].links[j].peer;
			const struct ns_ref *r = p->resolved && p->netns && s->n_netns ?
				bsearch(p->netns, ids, s->n_netns, sizeof(*ids), cmp_key) : NULL;

			if (r) {
				free(p->label);
				p->label = nm_xstrdup(s->netns[r->i].label);
			}
		}
	}
	free(ids);
}
