/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - the messages, the version and the JSON printing both commands share. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

static const char *prog = "nsmap";

void cli_init(const char *name)
{
	prog = name;
}

static void vmessage(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", prog);
	return 2;
}

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

void cli_version(void)
{
	printf("%s " NSMAP_VERSION "\n", prog);
}

int cli_print_json(FILE *f, json_t *j)
{
	int ret = json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fputc('\n', f);
	json_decref(j);
	return ret;
}
