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

/* A picture by format name ("dot", "svg", "png", "pdf"); -EINVAL for anything else. */
int render_snapshot(const struct nm_snapshot *s, const char *format,
		    const struct render_opts *o, FILE *out);

#endif
