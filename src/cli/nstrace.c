/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_nstrace.c - the nstrace command: where a packet from a namespace goes, and why it fails. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "collect.h"
#include "names.h"
#include "path.h"
#include "snapshot.h"
#include "trace.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nstrace DEST from SRC [proto icmp|udp|tcp] [port N] [OPTIONS]\n"
		"Show the path a packet from namespace SRC to DEST takes, and why it does not get there.\n"
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
		"      --from FILE   with --simulate: read a snapshot saved by nsmap in JSON\n"
		"                    instead of this host ('-' reads standard input)\n"
		"      --timeout S   how long a live trace waits for the reply (default 2)\n"
		"      --nft-trace   live: name the nftables rule that dropped or NATed the probe\n"
		"                    (adds a table nstrace_PID in each namespace, removed on exit)\n"
		"      --drop-reason live: the kernel's drop reason (skb:kfree_skb, tracefs)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 reached (or leaves the host with an open reply path), 3 not reached,\n"
		"1 runtime error, 2 usage error, 130/143 interrupted.\n");
}

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

/* One error path for both output modes: JSON errors go to stderr too, never into stdout. */
static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nstrace: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, code == 2 ? " (see nstrace -h)\n" : "\n");
	return code;
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

/* The live trace of q, explained by its simulation r. Returns the exit code. */
static int live(const struct nm_snapshot *s, const struct path_query *q, const struct path_result *r,
		double timeout, bool json, bool nft_trace, bool drop_reason)
{
	struct trace_opts o = { .timeout = timeout, .stop = &stop_sig, .nft_trace = nft_trace,
				.drop_reason = drop_reason };
	struct trace_result *t = NULL;
	size_t i;
	int ret;

	ret = trace_run(s, q, r, &o, &t);
	if (ret == -EINTR || stop_sig) {
		trace_result_free(t);
		fprintf(stderr, "nstrace: interrupted\n");
		return 128 + (stop_sig ? stop_sig : SIGINT);
	}
	if (ret == -EAFNOSUPPORT)
		return fail(2, "the live tracer probes IPv4 only; use --simulate for IPv6");
	if (ret < 0)
		return fail(1, "cannot trace: %s", strerror(-ret));
	for (i = 0; i < r->n_notes; i++)
		nm_strv_push(&t->notes, &t->n_notes, r->notes[i]);
	if (json) {
		json_t *j = trace_result_to_json(t);

		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		trace_print_text(stdout, t);
	}
	ret = trace_exit_code(t);
	trace_result_free(t);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "simulate", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "nft-trace", no_argument, NULL, 'N' },
		{ "drop-reason", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *dest = NULL, *src = NULL;
	bool simulate = false, json = false, nft_trace = false, drop_reason = false;
	double timeout = 2.0;
	struct path_query q = { 0 };
	struct nm_snapshot *s = NULL;
	struct path_result *r = NULL;
	const struct nm_netns *ns;
	char *note = NULL, *bad = NULL, err[256];
	int c, ret, i;
	char *end;

	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1 || optind < argc) {
		if (c == -1) {
			/* positional words: DEST from SRC proto P port N */
			const char *wd = argv[optind++];

			if (!dest) {
				dest = wd;
			} else if (!strcmp(wd, "from") && optind < argc && !src) {
				src = argv[optind++];
			} else if (!strcmp(wd, "proto") && optind < argc) {
				const char *p = argv[optind++];

				if (!strcmp(p, "icmp"))
					q.proto = PATH_PROTO_ICMP;
				else if (!strcmp(p, "tcp"))
					q.proto = PATH_PROTO_TCP;
				else if (!strcmp(p, "udp"))
					q.proto = PATH_PROTO_UDP;
				else
					return fail(2, "unknown protocol '%s' (icmp, udp or tcp)", p);
			} else if (!strcmp(wd, "port") && optind < argc) {
				long v = strtol(argv[optind], &end, 10);

				if (*end || end == argv[optind] || v < 1 || v > 65535)
					return fail(2, "bad port '%s'", argv[optind]);
				q.dport = (uint16_t)v;
				optind++;
			} else {
				return fail(2, "unexpected '%s'", wd);
			}
			continue;
		}
		switch (c) {
		case 's': simulate = true; break;
		case 'j': json = true; break;
		case 't':
			timeout = strtod(optarg, &end);
			if (timeout <= 0 || timeout > 3600 || *end)
				return fail(2, "bad timeout '%s'", optarg);
			break;
		case 'f': from = optarg; break;
		case 'N': nft_trace = true; break;
		case 'D': drop_reason = true; break;
		case 'h': usage(stdout); return 0;
		default: return fail(2, "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (!dest || !src)
		return fail(2, "need DEST and 'from SRC'");
	if (q.dport && (!q.proto || q.proto == PATH_PROTO_ICMP))
		return fail(2, "'port' needs proto tcp or udp");
	if (!simulate && from)
		return fail(2, "--from needs --simulate (a live trace runs on this host)");
	if (simulate && (nft_trace || drop_reason))
		return fail(2, "%s is for a live trace, not --simulate",
			    nft_trace ? "--nft-trace" : "--drop-reason");

	ret = resolve_dest(dest, &q.dst, &note);
	if (ret == -EINVAL)
		return fail(2, "'%s' is not a unicast address or a host name", dest);
	if (ret < 0)
		return fail(1, "cannot resolve '%s'", dest);
	if (note && !json)
		fprintf(stderr, "nstrace: %s\n", note);

	if (from) {
		ret = snap_load(from, &s, err, sizeof(err));
		if (ret < 0) {
			free(note);
			return fail(1, "%s: %s", from, err);
		}
	} else {
		struct collect_opts co = { 0 };

		if (!simulate) {
			catch_signals();
			if (collect_check_privileges() < 0) {
				free(note);
				return fail(1, "a live trace needs root (CAP_SYS_ADMIN and CAP_NET_RAW); "
					    "--simulate does not");
			}
		}
		ret = collect_snapshot(&co, &s, &bad);
		if (ret < 0) {
			free(note);
			return fail(1, "cannot read this host's namespaces: %s", strerror(-ret));
		}
		/* `from web`: containers are named by the engine, as in nsmap */
		docker_enrich(s);
		nm_snapshot_label(s);
		nm_snapshot_sort(s);
	}
	ret = path_resolve_src(s, src, &ns, &q.src);
	if (ret < 0) {
		nm_snapshot_free(s);
		free(note);
		return fail(ret == -EEXIST ? 2 : 1, "%s: %s", src, ret == -EEXIST ?
			    "more than one namespace matches" : "no such namespace or address");
	}
	q.src_ns = ns;
	ret = path_walk(s, &q, &r);
	if (ret < 0) {
		nm_snapshot_free(s);
		free(note);
		return fail(1, "cannot simulate: %s", strerror(-ret));
	}
	if (note)
		nm_strv_push(&r->notes, &r->n_notes, note);
	if (!from)
		path_kernel_check(s, r, collect_route_get);
	if (!simulate) {
		ret = live(s, &q, r, timeout, json, nft_trace, drop_reason);
		path_result_free(r);
		nm_snapshot_free(s);
		free(note);
		free(bad);
		return ret;
	}
	if (json) {
		json_t *j = path_result_to_json(r);

		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		path_print_text(stdout, r);
	}
	i = path_exit_code(r);
	path_result_free(r);
	nm_snapshot_free(s);
	free(note);
	free(bad);
	return i;
}
