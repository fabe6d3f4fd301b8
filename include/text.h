/* SPDX-License-Identifier: GPL-2.0-or-later */
/* text.h - the human overview of a snapshot (nsmap's default output). */
#ifndef NSMAP_TEXT_H
#define NSMAP_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

struct text_opts {
	bool color;		/* ANSI colour (only on a terminal) */
	bool details;		/* -d: local table, neighbours, every firewall chain and rule */
	bool all;		/* --all: lo and IPv6 link-local addresses too */
};

void text_snapshot(FILE *f, const struct nm_snapshot *s, const struct text_opts *o);

#endif
