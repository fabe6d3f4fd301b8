/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render.c - a picture of the snapshot: DOT written by libcgraph, SVG/PNG/PDF laid out and rendered by libgvc. */
#include <errno.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "render_int.h"

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

int render_graph_write(const struct nm_snapshot *s, const char *device, const struct render_opts *o,
		       FILE *out)
{
	struct render_opts def = { 0 };
	Agraph_t *g;
	GVC_t *gvc;
	int rc = 0;

	if (!s || !out)
		return -EINVAL;
	/* The context first: it registers the graph attributes libgvc needs. */
	gvc = render_context();
	if (!gvc)
		return -ENOMEM;
	g = render_graph_build(s, o ? o : &def);
	if (!g)
		return -ENOMEM;
	if (!device) {
		if (agwrite(g, out) != 0)
			rc = -EIO;
	} else {
		if (gvLayout(gvc, g, "dot") != 0)
			rc = -EIO;
		else {
			char *buf = NULL;
			unsigned int len = 0;

			/* into memory first: libgvc exit()s on a failed write (a full disk) */
			if (gvRenderData(gvc, g, device, &buf, &len) != 0)
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
