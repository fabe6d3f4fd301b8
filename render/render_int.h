/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render_int.h - private to render/: the graph, its NAT notes and the writer the format table uses. */
#ifndef NSMAP_RENDER_INT_H
#define NSMAP_RENDER_INT_H

#include "render.h"

/* The picture written by libcgraph (device NULL: DOT) or rendered by libgvc ("svg", ...). */
int render_graph_write(const struct nm_snapshot *s, const char *device, const struct render_opts *o,
		       FILE *out);

/* The graph of a snapshot (a cgraph Agraph_t; only render/ includes graphviz). */
struct Agraph_s;
struct Agraph_s *render_graph_build(const struct nm_snapshot *s, const struct render_opts *o);

enum render_nat_dir {
	RENDER_NAT_OUT,		/* source NAT on the way out: attached to the out interface */
	RENDER_NAT_IN,		/* a published port: attached to the target namespace */
};

/* One NAT annotation for the picture. */
struct render_nat_note {
	enum render_nat_dir dir;
	const struct nm_netns *ns;	/* the namespace the rule (or port) lives in */
	const char *ifname;		/* OUT: interface the note attaches to, may be NULL */
	const struct nm_netns *target;	/* IN: namespace receiving the traffic, may be NULL */
	char *text;			/* "172.17.0.0/16 → masquerade via eth0" */
};

/* Collect the NAT annotations of a snapshot (netfilter MASQUERADE/SNAT/DNAT rules and
 * Docker's published ports), sorted and de-duplicated. Returns 0 or negative errno. */
int render_nat_notes(const struct nm_snapshot *s, struct render_nat_note **out, size_t *n);
void render_nat_notes_free(struct render_nat_note *v, size_t n);

/* The interface holding the IPv4 (else IPv6) default route of main, or NULL. */
const struct nm_route *render_default_route(const struct nm_netns *ns);

#endif
