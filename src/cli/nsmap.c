/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsmap.c - the nsmap command: collect (or load) a snapshot and print it as text, JSON or a picture. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "collect.h"
#include "render.h"
#include "snapshot.h"

static const char usage_text[] =
"Usage: nsmap [OPTIONS]\n"
"Show every network namespace on this host and what is wired to what.\n"
"\n"
"  -T, --format FMT     text (default), json, dot, svg, png or pdf\n"
"  -j, --json           same as -T json (the snapshot, schema nsmap.snapshot/1)\n"
"  -o, --output FILE    write to FILE (atomically); the format follows its extension\n"
"                       (.json .txt .dot .gv .svg .png .pdf) unless -T is given\n"
"  -n, --netns PATTERN  only these namespaces: label, ip-netns name, container name,\n"
"                       pid, inode or mount path; globs allowed; comma-separated\n"
"      --from FILE      load a snapshot saved with -T json instead of reading the host\n"
"                       ('-' reads standard input)\n"
"  -d, --details        every firewall chain and rule, local routes, neighbours, MACs,\n"
"                       default policy rules (implies -a)\n"
"  -a, --all            also loopback and IPv6 link-local addresses\n"
"      --no-docker      do not ask the Docker/Podman API for container names\n"
"      --no-netfilter   do not read firewall rules\n"
"      --color WHEN     auto (default: on a terminal), always or never;\n"
"                       --colour is the same\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Exit status: 0 success, 1 runtime error, 2 usage error.\n"
"Reading the host needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); --from does not.\n";

enum { OPT_FROM = 256, OPT_NO_DOCKER, OPT_NO_NETFILTER, OPT_COLOR };

static const struct option long_opts[] = {
	{ "format", required_argument, NULL, 'T' },
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "netns", required_argument, NULL, 'n' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "details", no_argument, NULL, 'd' },
	{ "all", no_argument, NULL, 'a' },
	{ "no-docker", no_argument, NULL, OPT_NO_DOCKER },
	{ "no-netfilter", no_argument, NULL, OPT_NO_NETFILTER },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "colour", required_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct nsmap_args {
	const struct render_format *format;
	const char *output;
	const char *select;
	const char *from;
	bool details, all, no_docker, no_netfilter;
	int color;		/* -1 auto, 0 never, 1 always */
};

static int parse_args(int argc, char **argv, struct nsmap_args *a)
{
	const char *format = NULL;
	int c;

	a->color = -1;
	while ((c = getopt_long(argc, argv, "T:jo:n:dahV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			format = optarg;
			break;
		case 'j':
			format = "json";
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'n':
			a->select = optarg;
			break;
		case OPT_FROM:
			a->from = optarg;
			break;
		case 'd':
			a->details = true;
			break;
		case 'a':
			a->all = true;
			break;
		case OPT_NO_DOCKER:
			a->no_docker = true;
			break;
		case OPT_NO_NETFILTER:
			a->no_netfilter = true;
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "auto"))
				a->color = -1;
			else if (!strcmp(optarg, "always"))
				a->color = 1;
			else if (!strcmp(optarg, "never"))
				a->color = 0;
			else
				return cli_usage_error("--color takes auto, always or never, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			cli_version();
			exit(0);
		default:
			fprintf(stderr, "nsmap: see nsmap --help\n");
			return 2;
		}
	}
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (format) {
		a->format = render_format_find(format);
		if (!a->format)
			return cli_usage_error("unknown format '%s' (%s)", format, render_format_list());
	} else if (a->output) {
		a->format = render_format_for_path(a->output);
		if (!a->format)
			return cli_usage_error("cannot tell the format from '%s': give -T", a->output);
	} else {
		a->format = render_format_find("text");
	}
	return 0;
}

/* The snapshot: loaded from --from, or read from this host. Returns 0 or the exit code. */
static int get_snapshot(const struct nsmap_args *a, struct nm_snapshot **s)
{
	struct cli_live_opts lo = {
		.select = a->select,
		.no_names = a->no_docker,
		.no_netfilter = a->no_netfilter,
	};
	char err[512] = "", *bad = NULL;
	int ret;

	if (a->from) {
		ret = snap_load(a->from, s, err, sizeof(err));
		if (ret)
			return cli_fail(1, "%s: %s", a->from, err);
		if (a->select && nm_snapshot_select(*s, a->select, &bad)) {
			ret = cli_fail(1, "no namespace matches '%s' in %s", bad, a->from);
			free(bad);
			nm_snapshot_free(*s);
			*s = NULL;
			return ret;
		}
		return 0;
	}
	ret = collect_check_privileges();
	if (ret)
		return cli_fail(1, "cannot enter network namespaces: %s "
				"(run as root: needs CAP_SYS_ADMIN and CAP_NET_ADMIN; --from FILE does not)",
				strerror(-ret));
	ret = cli_live_snapshot(&lo, s, &bad);
	if (ret == -ENOENT && bad) {
		ret = cli_fail(1, "no namespace matches '%s'", bad);
		free(bad);
		return ret;
	}
	if (ret)
		return cli_fail(1, "cannot read the namespaces: %s", strerror(-ret));
	return 0;
}

int main(int argc, char **argv)
{
	struct nsmap_args a = { 0 };
	struct nm_snapshot *s = NULL;
	struct cli_sink k = { 0 };
	struct render_opts ro;
	int ret;

	cli_init("nsmap");
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret;
	ret = get_snapshot(&a, &s);
	if (ret)
		return ret;
	ret = cli_sink_open(&k, a.output);
	if (ret) {
		nm_snapshot_free(s);
		return cli_fail(1, "cannot write %s: %s", a.output, strerror(-ret));
	}
	ro = (struct render_opts){
		.all = a.all,
		.details = a.details,
		.color = a.color == 1 || (a.color == -1 && !a.output && isatty(STDOUT_FILENO) &&
					  !getenv("NO_COLOR")),
	};
	ret = render_write(a.format, s, &ro, k.f);
	nm_snapshot_free(s);
	if (ret) {
		cli_sink_close(&k, false);
		return cli_fail(1, "cannot write %s output: %s", a.format->name, strerror(-ret));
	}
	ret = cli_sink_close(&k, true);
	if (ret)
		return cli_fail(1, "cannot write %s: %s", a.output ? a.output : "standard output",
				strerror(-ret));
	return 0;
}
