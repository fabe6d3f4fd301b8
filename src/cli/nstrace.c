/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nstrace.c - the nstrace command: where a packet from a namespace goes, and why it fails. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "cli.h"
#include "collect.h"
#include "path.h"
#include "snapshot.h"
#include "trace.h"

static const char usage_text[] =
"Usage: nstrace DEST from SRC [proto icmp|udp|tcp] [port N] [OPTIONS]\n"
"Show the path a packet from namespace SRC to DEST takes, and why it does not get there.\n"
"The words may come in any order: 'nstrace from SRC DEST' is the same.\n"
"\n"
"  DEST              an address (a name is resolved with the host's resolver)\n"
"  from SRC          ip-netns name, container name, label, pid, namespace path,\n"
"                    or an address owned by a namespace\n"
"  proto P           icmp (default), udp or tcp\n"
"  port N            destination port with udp or tcp (default 53 udp, 80 tcp)\n"
"\n"
"  (default)         send one real probe from SRC and watch it on every hop (root)\n"
"      --simulate    compute the path from the snapshot; send nothing\n"
"  -j, --json        JSON output\n"
"      --from FILE   simulate on a snapshot saved by nsmap in JSON instead of this\n"
"                    host ('-' reads standard input); implies --simulate, no root\n"
"      --timeout S   how long a live trace waits for the reply (default 2)\n"
"      --nft-trace   live: name the nftables rule that dropped or NATed the probe\n"
"                    (adds a table nstrace_PID in each namespace, removed on exit)\n"
"      --drop-reason live: the kernel's drop reason (skb:kfree_skb, tracefs)\n"
"  -h, --help        this help\n"
"  -V, --version     version\n"
"\n"
"Exit status: 0 reached (or leaves the host with an open reply path), 3 not reached,\n"
"1 runtime error, 2 usage error, 130/143 interrupted.\n";

enum { OPT_SIMULATE = 256, OPT_TIMEOUT, OPT_FROM, OPT_NFT_TRACE, OPT_DROP_REASON };

static const struct option long_opts[] = {
	{ "simulate", no_argument, NULL, OPT_SIMULATE },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "nft-trace", no_argument, NULL, OPT_NFT_TRACE },
	{ "drop-reason", no_argument, NULL, OPT_DROP_REASON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct nstrace_args {
	const char *dest, *src, *from;
	uint8_t proto;
	uint16_t port;
	bool simulate, json, nft_trace, drop_reason;
	double timeout;
};

/* Set by SIGINT/SIGTERM: the live tracer stops, closes its handles and exits cleanly. */
static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns EINTR at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The keywords of the grammar; each takes the next word as its value, whatever it looks
 * like (a namespace may be called "-x"). */
static const char *const keywords[] = { "from", "proto", "port" };

static bool is_keyword(const char *w)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (!strcmp(w, keywords[i]))
			return true;
	return false;
}

/* The words of the command line, in the manner of iproute2: DEST and the keyword-value pairs
 * (from SRC, proto P, port N) in any order ("nstrace from ns1 8.8.8.8" is "nstrace 8.8.8.8
 * from ns1"), options anywhere between them (getopt hands over the words in order). A
 * keyword followed by a value is always the keyword. */
static int parse_words(int argc, char **argv, struct nstrace_args *a)
{
	char *end;

	for (; argc > 0; argc--, argv++) {
		const char *w = *argv;
		bool has_value = argc > 1;

		if (!strcmp(w, "from") && has_value && !a->src) {
			a->src = *++argv, argc--;
		} else if (!strcmp(w, "proto") && has_value) {
			const char *p = *++argv;

			argc--;
			if (!strcmp(p, "icmp"))
				a->proto = PATH_PROTO_ICMP;
			else if (!strcmp(p, "tcp"))
				a->proto = PATH_PROTO_TCP;
			else if (!strcmp(p, "udp"))
				a->proto = PATH_PROTO_UDP;
			else
				return cli_usage_error("unknown protocol '%s' (icmp, udp or tcp)", p);
		} else if (!strcmp(w, "port") && has_value) {
			long v = strtol(argv[1], &end, 10);

			if (*end || end == argv[1] || v < 1 || v > 65535)
				return cli_usage_error("bad port '%s'", argv[1]);
			a->port = (uint16_t)v;
			argv++, argc--;
		} else if (!a->dest && !(is_keyword(w) && a->src)) {
			a->dest = w;
		} else {
			return cli_usage_error("unexpected '%s'", w);
		}
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct nstrace_args *a)
{
	char **words = nm_xcalloc((size_t)argc + 1, sizeof(*words));
	int c, n = 0;
	char *end;

	a->timeout = 2.0;
	opterr = 0;	/* one line of our own instead of getopt's */
	/* "-": every word comes back as option 1, in order, whatever POSIXLY_CORRECT says */
	while ((c = getopt_long(argc, argv, "-jhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 1:
			words[n++] = optarg;
			if (is_keyword(optarg) && optind < argc)
				words[n++] = argv[optind++];	/* its value, even "-x" */
			break;
		case OPT_SIMULATE:
			a->simulate = true;
			break;
		case 'j':
			a->json = true;
			break;
		case OPT_TIMEOUT:
			a->timeout = strtod(optarg, &end);
			if (a->timeout <= 0 || a->timeout > 3600 || *end) {
				free(words);
				return cli_usage_error("bad timeout '%s'", optarg);
			}
			break;
		case OPT_FROM:
			a->from = optarg;
			break;
		case OPT_NFT_TRACE:
			a->nft_trace = true;
			break;
		case OPT_DROP_REASON:
			a->drop_reason = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			free(words);
			exit(0);
		case 'V':
			cli_version();
			free(words);
			exit(0);
		default:
			free(words);
			return cli_usage_error("unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	while (optind < argc)		/* after "--" */
		words[n++] = argv[optind++];
	c = parse_words(n, words, a);
	free(words);
	if (c)
		return c;
	if (!a->dest || !a->src)
		return cli_usage_error("need DEST and 'from SRC'");
	if (a->port && (!a->proto || a->proto == PATH_PROTO_ICMP))
		return cli_usage_error("'port' needs proto tcp or udp");
	if (a->from && (a->nft_trace || a->drop_reason))
		return cli_usage_error("%s is for a live trace; --from FILE only simulates",
				       a->nft_trace ? "--nft-trace" : "--drop-reason");
	if (a->simulate && (a->nft_trace || a->drop_reason))
		return cli_usage_error("%s is for a live trace, not --simulate",
				       a->nft_trace ? "--nft-trace" : "--drop-reason");
	/* a snapshot from a file can only be simulated: --from says --simulate by itself */
	if (a->from)
		a->simulate = true;
	return 0;
}

/* 0.0.0.0, ::, 255.255.255.255 and multicast are not a destination one probe can trace. */
static bool dest_unicast(const struct nm_ip *ip)
{
	static const uint8_t zero[16];

	if (ip->family == AF_INET)
		return memcmp(ip->addr, zero, 4) && (ip->addr[0] & 0xf0) != 0xe0 &&
		       !(ip->addr[0] == 255 && ip->addr[1] == 255 && ip->addr[2] == 255 && ip->addr[3] == 255);
	return memcmp(ip->addr, zero, 16) && ip->addr[0] != 0xff;
}

static int resolve_dest(const char *dest, struct nm_ip *ip, char **note)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res, *ai;
	const struct addrinfo *pick = NULL;
	char a[64];
	int ret;

	*note = NULL;
	if (!nm_ip_parse(dest, ip) && ip->family && ip->plen == (ip->family == AF_INET ? 32 : 128))
		return dest_unicast(ip) ? 0 : -EINVAL;
	/* what looks like an address is never sent to the resolver */
	if (!*dest || strchr(dest, '/') || strchr(dest, ':') || !dest[strspn(dest, "0123456789.")]) {
		hints.ai_flags = AI_NUMERICHOST;
		if (!*dest || strchr(dest, '/') || getaddrinfo(dest, NULL, &hints, &res))
			return -EINVAL;
		freeaddrinfo(res);
		hints.ai_flags = 0;
	}
	ret = getaddrinfo(dest, NULL, &hints, &res);
	if (ret)
		return -ENOENT;
	for (ai = res; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET && !pick)
			pick = ai;
	if (!pick)
		pick = res;
	memset(ip, 0, sizeof(*ip));
	ip->family = (uint8_t)pick->ai_family;
	if (pick->ai_family == AF_INET) {
		memcpy(ip->addr, &((struct sockaddr_in *)pick->ai_addr)->sin_addr, 4);
		ip->plen = 32;
	} else {
		memcpy(ip->addr, &((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr, 16);
		ip->plen = 128;
	}
	freeaddrinfo(res);
	if (!dest_unicast(ip))
		return -EINVAL;
	*note = nm_xasprintf("%s resolved to %s by the host's resolver", dest,
			     nm_ip_str(ip, a, sizeof(a), false));
	return 0;
}

/* The snapshot the walk runs on: --from, or this host. Returns 0 or the exit code. */
static int get_snapshot(const struct nstrace_args *a, struct nm_snapshot **s)
{
	struct cli_live_opts lo = { 0 };
	char err[256], *bad = NULL;
	int ret;

	if (a->from) {
		ret = snap_load(a->from, s, err, sizeof(err));
		return ret < 0 ? cli_fail(1, "%s: %s", a->from, err) : 0;
	}
	if (!a->simulate) {
		catch_signals();
		if (collect_check_privileges() < 0)
			return cli_fail(1, "a live trace needs root (CAP_SYS_ADMIN and CAP_NET_RAW); "
					"--simulate does not");
	}
	/* `from web`: containers are named by their runtimes, as in nsmap */
	ret = cli_live_snapshot(&lo, s, &bad);
	free(bad);
	return ret < 0 ? cli_fail(1, "cannot read this host's namespaces: %s", strerror(-ret)) : 0;
}

/* The live trace of q, explained by its simulation r, in *t. Returns 0 or the exit code. */
static int live(const struct nm_snapshot *s, const struct path_query *q, const struct path_result *r,
		const struct nstrace_args *a, struct trace_result **t)
{
	struct trace_opts o = { .timeout = a->timeout, .stop = &stop_sig, .nft_trace = a->nft_trace,
				.drop_reason = a->drop_reason };
	size_t i;
	int ret;

	ret = trace_run(s, q, r, &o, t);
	if (ret == -EINTR || stop_sig) {
		trace_result_free(*t);
		*t = NULL;
		return cli_fail(128 + (stop_sig ? stop_sig : SIGINT), "interrupted");
	}
	if (ret == -EAFNOSUPPORT)
		return cli_usage_error("the live tracer probes IPv4 only; use --simulate for IPv6");
	if (ret < 0)
		return cli_fail(1, "cannot trace: %s", strerror(-ret));
	for (i = 0; i < r->n_notes; i++)
		nm_strv_push(&(*t)->notes, &(*t)->n_notes, r->notes[i]);
	return 0;
}

/* Walk q through s and print it, live or simulated. Returns the exit code. */
static int trace(const struct nstrace_args *a, struct nm_snapshot *s, struct path_query *q,
		 const char *note)
{
	struct path_result *r = NULL;
	struct trace_result *t = NULL;
	const struct nm_netns *ns;
	int ret;

	ret = path_resolve_src(s, a->src, &ns, &q->src);
	if (ret == -EEXIST)
		return cli_usage_error("%s: more than one namespace matches", a->src);
	if (ret < 0)
		return cli_fail(1, "%s: no such namespace or address", a->src);
	q->src_ns = ns;
	ret = path_walk(s, q, &r);
	if (ret < 0)
		return cli_fail(1, "cannot simulate: %s", strerror(-ret));
	if (note)
		nm_strv_push(&r->notes, &r->n_notes, note);
	if (!a->from)
		path_kernel_check(s, r, collect_route_get);
	if (!a->simulate && (ret = live(s, q, r, a, &t))) {
		path_result_free(r);
		return ret;
	}
	/* the live trace when there is one, else the simulation */
	if (a->json)
		cli_print_json(stdout, t ? trace_result_to_json(t) : path_result_to_json(r));
	else if (t)
		trace_print_text(stdout, t);
	else
		path_print_text(stdout, r);
	ret = t ? trace_exit_code(t) : path_exit_code(r);
	trace_result_free(t);
	path_result_free(r);
	return ret;
}

int main(int argc, char **argv)
{
	struct nstrace_args a = { 0 };
	struct path_query q = { 0 };
	struct nm_snapshot *s = NULL;
	char *note = NULL;
	int ret;

	cli_init("nstrace");
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret;
	q.proto = a.proto;
	q.dport = a.port;
	ret = resolve_dest(a.dest, &q.dst, &note);
	if (ret == -EINVAL)
		return cli_usage_error("'%s' is not a unicast address or a host name", a.dest);
	if (ret < 0)
		return cli_fail(1, "cannot resolve '%s'", a.dest);
	if (note && !a.json)
		fprintf(stderr, "nstrace: %s\n", note);
	ret = get_snapshot(&a, &s);
	if (!ret)
		ret = trace(&a, s, &q, note);
	nm_snapshot_free(s);
	free(note);
	return ret;
}
