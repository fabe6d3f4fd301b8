/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_nsmap.c - the nsmap command: collect (or load) a snapshot and print it as text, JSON or a picture. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"
#include "names.h"
#include "render.h"
#include "snapshot.h"
#include "text.h"

#define NSMAP_VERSION "0.1.0"

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
	const char *format;
	const char *output;
	const char *select;
	const char *from;
	bool details, all, no_docker, no_netfilter;
	int color;		/* -1 auto, 0 never, 1 always */
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "nsmap: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see nsmap --help)\n");
	return 2;
}

static const char *format_from_ext(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strcmp(dot, ".json"))
		return "json";
	if (dot && !strcmp(dot, ".txt"))
		return "text";
	return render_format_from_path(path);
}

static bool format_known(const char *f)
{
	return !strcmp(f, "text") || !strcmp(f, "json") || render_format_known(f);
}

static int parse_args(int argc, char **argv, struct nsmap_args *a)
{
	int c;

	a->color = -1;
	while ((c = getopt_long(argc, argv, "T:jo:n:dahV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			a->format = optarg;
			break;
		case 'j':
			a->format = "json";
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
				return usage_error("--color takes auto, always or never, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			printf("nsmap " NSMAP_VERSION "\n");
			exit(0);
		default:
			fprintf(stderr, "nsmap: see nsmap --help\n");
			return 2;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!a->format && a->output) {
		a->format = format_from_ext(a->output);
		if (!a->format)
			return usage_error("cannot tell the format from '%s': give -T", a->output);
	}
	if (!a->format)
		a->format = "text";
	if (!format_known(a->format))
		return usage_error("unknown format '%s' (text, json, dot, svg, png, pdf)", a->format);
	return 0;
}

/* Output goes to a temporary file beside the target, renamed into place only when complete. */
struct sink {
	FILE *f;
	char *tmp;		/* NULL: written in place (stdout, a device, a fifo) */
	char *real;		/* the file a symlink points to: replaced instead of the link */
	const char *path;
};

static int sink_open(struct sink *k, const char *path)
{
	mode_t mode = 0644;
	struct stat st;
	char *dup, *dir;
	int fd;

	k->path = path;
	if (!path || !strcmp(path, "-")) {
		k->f = stdout;
		return 0;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		/* renaming over /dev/null, /dev/stdout or a fifo would replace it: write in place */
		if (!S_ISREG(st.st_mode)) {
			k->f = fopen(path, "we");
			return k->f ? 0 : -errno;
		}
		mode = st.st_mode & 07777;
		k->real = realpath(path, NULL);
		if (k->real)
			path = k->path = k->real;
	}
	dup = nm_xstrdup(path);
	dir = dirname(dup);
	k->tmp = nm_xasprintf("%s/.nsmap-XXXXXX", dir);
	free(dup);
	fd = mkstemp(k->tmp);
	if (fd < 0) {
		int err = -errno;

		free(k->tmp);
		free(k->real);
		k->tmp = k->real = NULL;
		return err;
	}
	fchmod(fd, mode);
	k->f = fdopen(fd, "w");
	if (!k->f) {
		int err = -errno;

		close(fd);
		unlink(k->tmp);
		free(k->tmp);
		free(k->real);
		k->tmp = k->real = NULL;
		return err;
	}
	return 0;
}

static int sink_close(struct sink *k, bool ok)
{
	int err = 0;

	if (k->f == stdout) {
		if (fflush(stdout) == EOF)
			err = -errno;
		return err;
	}
	if (!k->tmp) {
		if (ferror(k->f))
			err = -EIO;
		if (fclose(k->f) == EOF && !err)
			err = -errno;
		return err ? err : (ok ? 0 : -EIO);
	}
	if (ferror(k->f))
		ok = false;
	if (fclose(k->f) == EOF && ok) {
		err = -errno;
		ok = false;
	}
	if (ok && rename(k->tmp, k->path) < 0)
		err = -errno;
	if (!ok || err)
		unlink(k->tmp);
	free(k->tmp);
	free(k->real);
	return ok ? err : (err ? err : -EIO);
}

/* Set when the engine did not answer while -n was being resolved: it is not asked (and waited for) twice. */
static bool docker_failed;

static int docker_hook(struct nm_snapshot *s)
{
	size_t n = s->n_warnings;
	int ret = docker_enrich(s);

	docker_failed = s->n_warnings > n;
	return ret;
}

int main(int argc, char **argv)
{
	struct nsmap_args a = { 0 };
	struct nm_snapshot *s = NULL;
	struct sink k = { 0 };
	char err[512] = "";
	char *bad = NULL;
	int ret;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret;

	if (a.from) {
		ret = snap_load(a.from, &s, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "nsmap: %s: %s\n", a.from, err);
			return 1;
		}
		if (a.select && nm_snapshot_select(s, a.select, &bad)) {
			fprintf(stderr, "nsmap: no namespace matches '%s' in %s\n", bad, a.from);
			free(bad);
			nm_snapshot_free(s);
			return 1;
		}
	} else {
		struct collect_opts co = {
			.no_netfilter = a.no_netfilter,
			.select = a.select,
			.name_hook = a.no_docker ? NULL : docker_hook,
		};

		ret = collect_check_privileges();
		if (ret) {
			fprintf(stderr, "nsmap: cannot enter network namespaces: %s "
				"(run as root: needs CAP_SYS_ADMIN and CAP_NET_ADMIN; --from FILE does not)\n",
				strerror(-ret));
			return 1;
		}
		ret = collect_snapshot(&co, &s, &bad);
		if (ret == -ENOENT && bad) {
			fprintf(stderr, "nsmap: no namespace matches '%s'\n", bad);
			free(bad);
			return 1;
		}
		if (ret) {
			fprintf(stderr, "nsmap: cannot read the namespaces: %s\n", strerror(-ret));
			return 1;
		}
		if (!a.no_docker) {
			if (!docker_failed)
				docker_enrich(s);
			nm_snapshot_label(s);
			nm_snapshot_sort(s);
		}
	}

	ret = sink_open(&k, a.output);
	if (ret) {
		fprintf(stderr, "nsmap: cannot write %s: %s\n", a.output, strerror(-ret));
		nm_snapshot_free(s);
		return 1;
	}
	if (!strcmp(a.format, "json")) {
		ret = snap_write(s, k.f);
	} else if (!strcmp(a.format, "text")) {
		struct text_opts to = {
			.details = a.details,
			.all = a.all,
			.color = a.color == 1 || (a.color == -1 && !a.output && isatty(STDOUT_FILENO) &&
						  !getenv("NO_COLOR")),
		};

		text_snapshot(k.f, s, &to);
		ret = ferror(k.f) ? -EIO : 0;
	} else {
		struct render_opts ro = { .all = a.all };

		ret = render_snapshot(s, a.format, &ro, k.f);
	}
	if (ret) {
		sink_close(&k, false);
		fprintf(stderr, "nsmap: cannot write %s output: %s\n", a.format, strerror(-ret));
		nm_snapshot_free(s);
		return 1;
	}
	ret = sink_close(&k, true);
	nm_snapshot_free(s);
	if (ret) {
		fprintf(stderr, "nsmap: cannot write %s: %s\n", a.output ? a.output : "standard output",
			strerror(-ret));
		return 1;
	}
	return 0;
}
