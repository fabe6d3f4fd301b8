/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - private to src/cli: what the two commands share (messages, version, output, the live snapshot). */
#ifndef NSMAP_CLI_H
#define NSMAP_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "model.h"

#define NSMAP_VERSION "0.1.0"

/* cli.c: one error path for both commands and both output modes: messages go to stderr
 * as one line "PROG: ...", never into a JSON stream on stdout. */
void cli_init(const char *prog);
/* "PROG: MESSAGE (see PROG --help)"; returns 2, the usage-error exit code. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG: MESSAGE"; returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "PROG 0.1.0" on stdout. */
void cli_version(void);
/* j on f, indented by 2 in insertion order, with a newline; takes j. */
int cli_print_json(FILE *f, json_t *j);

/* suggest.c: "; did you mean 'a', 'b' or 'c'?" for the (at most three) candidates nearest to
 * name, a name that matched none of them: the same but for case, name's words among a
 * candidate's ("ns1" in "lab-ns1"), name inside one, or a few typing errors; only the best
 * kind of match is offered. "" when nothing is near. NULL candidates are skipped, duplicates
 * offered once. Malloc'd. */
char *cli_did_you_mean(const char *name, char *const *cands, size_t n);

/* output.c: output goes to a temporary file beside the target, renamed into place only
 * when it is complete (stdout, devices and fifos are written in place). */
struct cli_sink {
	FILE *f;
	char *tmp;		/* NULL: written in place */
	char *real;		/* the file a symlink points to: replaced instead of the link */
	const char *path;
};
int cli_sink_open(struct cli_sink *k, const char *path);	/* NULL or "-": stdout */
/* Close; rename into place when ok, remove the temporary otherwise. 0 or -errno. */
int cli_sink_close(struct cli_sink *k, bool ok);

/* live.c: the one way a live snapshot is built, for both commands: discover, name the
 * containers, label once, select (-n), collect what is selected, resolve peers and their
 * labels, name what needs links, sort. */
struct cli_live_opts {
	const char *select;	/* -n patterns, NULL for all */
	bool no_names;		/* --no-docker: ask no runtime */
	bool no_netfilter;
};
/* 0, -ENOENT with *bad the pattern that matched nothing, or -errno. */
int cli_live_snapshot(const struct cli_live_opts *o, struct nm_snapshot **out, char **bad);

#endif
