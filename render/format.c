/* SPDX-License-Identifier: GPL-2.0-or-later */
/* format.c - nsmap's output formats, one table: the name -T takes, the file extensions that imply it, the writer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "render_int.h"
#include "snapshot.h"
#include "text.h"

static int write_text(const struct render_format *f, const struct nm_snapshot *s,
		      const struct render_opts *o, FILE *out)
{
	struct text_opts to = { .color = o->color, .details = o->details, .all = o->all };

	(void)f;
	text_snapshot(out, s, &to);
	return ferror(out) ? -EIO : 0;
}

static int write_json(const struct render_format *f, const struct nm_snapshot *s,
		      const struct render_opts *o, FILE *out)
{
	(void)f;
	(void)o;
	return snap_write(s, out);
}

static int write_graph(const struct render_format *f, const struct nm_snapshot *s,
		       const struct render_opts *o, FILE *out)
{
	return render_graph_write(s, f->device, o, out);
}

/* Adding a format is one row (and a writer when it is a new kind of output). */
static const struct render_format formats[] = {
	{ .name = "text", .ext = { "txt" },	  .write = write_text },
	{ .name = "json", .ext = { "json" },	  .write = write_json },
	{ .name = "dot",  .ext = { "dot", "gv" }, .write = write_graph },
	{ .name = "svg",  .ext = { "svg" },	  .write = write_graph, .device = "svg" },
	{ .name = "png",  .ext = { "png" },	  .write = write_graph, .device = "png" },
	{ .name = "pdf",  .ext = { "pdf" },	  .write = write_graph, .device = "pdf" },
};

const struct render_format *render_format_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i].name, name))
			return &formats[i];
	return NULL;
}

const struct render_format *render_format_for_path(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	size_t i, j;

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(formats); i++)
		for (j = 0; j < ARRAY_SIZE(formats[i].ext) && formats[i].ext[j]; j++)
			if (!strcasecmp(dot + 1, formats[i].ext[j]))
				return &formats[i];
	return NULL;
}

const char *render_format_list(void)
{
	static char list[128];
	size_t i;

	if (list[0])
		return list;
	for (i = 0; i < ARRAY_SIZE(formats); i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 formats[i].name);
	return list;
}

int render_write(const struct render_format *f, const struct nm_snapshot *s,
		 const struct render_opts *o, FILE *out)
{
	struct render_opts def = { 0 };

	if (!f || !s || !out)
		return -EINVAL;
	return f->write(f, s, o ? o : &def, out);
}

int render_snapshot(const struct nm_snapshot *s, const char *name, const struct render_opts *o,
		    FILE *out)
{
	const struct render_format *f = render_format_find(name);

	if (!f || f->write != write_graph)
		return -EINVAL;
	return render_write(f, s, o, out);
}
