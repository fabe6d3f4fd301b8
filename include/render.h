/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render.h - the snapshot as output: the table of formats, the pictures (DOT via libcgraph, SVG/PNG/PDF via libgvc). */
#ifndef NSMAP_RENDER_H
#define NSMAP_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

struct render_opts {
	bool all;		/* lo and IPv6 link-local addresses too */
	bool details;		/* text: every chain and rule, local routes, neighbours, MACs */
	bool color;		/* text: ANSI colour */
	bool no_legend;		/* pictures: leave the legend out */
};

/* One output format of nsmap (render/format.c holds the table: text, json, dot, svg, png,
 * pdf). */
struct render_format {
	const char *name;		/* what -T takes */
	const char *ext[3];		/* file name extensions that imply it (any case) */
	const char *device;		/* pictures: the libgvc device; NULL for DOT (and text) */
	int (*write)(const struct render_format *f, const struct nm_snapshot *s,
		     const struct render_opts *o, FILE *out);
};

const struct render_format *render_format_find(const char *name);
/* The format a file name's extension implies ("map.svg", "x.gv", "snap.json"), or NULL. */
const struct render_format *render_format_for_path(const char *path);
/* "text, json, dot, svg, png, pdf": the names, for messages. */
const char *render_format_list(void);
/* Write s to out in format f. 0 or negative errno (-EIO when graphviz fails). */
int render_write(const struct render_format *f, const struct nm_snapshot *s,
		 const struct render_opts *o, FILE *out);

/* By name: is it a format, which one a path implies (NULL if none). */
bool render_format_known(const char *name);
const char *render_format_from_path(const char *path);
/* A picture by format name ("dot", "svg", "png", "pdf"); -EINVAL for anything else. */
int render_snapshot(const struct nm_snapshot *s, const char *format,
		    const struct render_opts *o, FILE *out);

/* ---- internal to render/ (exposed for the unit tests) ---- */

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
