/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render.c - the graph output formats: DOT written by libcgraph, SVG/PNG/PDF laid out and rendered by libgvc. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <graphviz/gvc.h>

#include "render.h"

struct render_format {
	const char *name;	/* -T name */
	const char *gv;		/* libgvc device, NULL = plain DOT from libcgraph */
	const char *ext[3];	/* file name extensions that imply it */
};

static const struct render_format render_formats[] = {
	{ .name = "dot", .gv = NULL,  .ext = { "dot", "gv" } },
	{ .name = "svg", .gv = "svg", .ext = { "svg" } },
	{ .name = "png", .gv = "png", .ext = { "png" } },
	{ .name = "pdf", .gv = "pdf", .ext = { "pdf" } },
};

#define N_FORMATS ARRAY_SIZE(render_formats)

static const struct render_format *format_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < N_FORMATS; i++)
		if (!strcmp(render_formats[i].name, name))
			return &render_formats[i];
	return NULL;
}

bool render_format_known(const char *format)
{
	return format_find(format) != NULL;
}

const char *render_format_from_path(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	size_t i, j;

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (i = 0; i < N_FORMATS; i++)
		for (j = 0; j < 3 && render_formats[i].ext[j]; j++)
			if (!strcasecmp(dot + 1, render_formats[i].ext[j]))
				return render_formats[i].name;
	return NULL;
}

/*
 * One libgvc context for the whole process. The pango text plugin caches the last font
 * name it measured in a static variable; freeing a context frees that name, and the next
 * context's layout then reads freed memory. So the context is created once and kept.
 */
static GVC_t *render_context(void)
{
	static GVC_t *gvc;

	if (!gvc)
		gvc = gvContext();
	return gvc;
}

int render_snapshot(const struct nm_snapshot *s, const char *format,
		    const struct render_opts *o, FILE *out)
{
	const struct render_format *f = format_find(format);
	struct render_opts def = { 0 };
	Agraph_t *g;
	GVC_t *gvc;
	int rc = 0;

	if (!f || !s || !out)
		return -EINVAL;
	/* The context first: it registers the graph attributes libgvc needs. */
	gvc = render_context();
	if (!gvc)
		return -ENOMEM;
	g = render_graph_build(s, o ? o : &def);
	if (!g)
		return -ENOMEM;
	if (!f->gv) {
		if (agwrite(g, out) != 0)
			rc = -EIO;
	} else {
		if (gvLayout(gvc, g, "dot") != 0)
			rc = -EIO;
		else {
			char *buf = NULL;
			unsigned int len = 0;

			/* into memory first: libgvc exit()s on a failed write (a full disk) */
			if (gvRenderData(gvc, g, f->gv, &buf, &len) != 0)
				rc = -EIO;
			else if (len && fwrite(buf, 1, len, out) != len)
				rc = errno ? -errno : -EIO;
			gvFreeRenderData(buf);
			gvFreeLayout(gvc, g);
		}
	}
	if (!rc && fflush(out) != 0)
		rc = -errno;
	agclose(g);
	return rc;
}
