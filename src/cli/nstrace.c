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
#include "names.h"
#include "path.h"
#include "snapshot.h"
#include "trace.h"

static const char usage_text[] =
"Usage: nstrace DEST from SRC [proto icmp|udp|tcp] [port N] [OPTIONS]\n"
"Show the path a packet from namespace SRC to DEST takes, and why it does not get there.\n"
"The words may come in any order: 'nstrace from SRC DEST' is the same.\n"
"\n"
"  DEST              an address; or a namespace or container name (its first global\n"
"                    address); or a host name, resolved with the host's resolver\n"
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

/* What a live run without privilege is told: what it needs, and what needs nothing. */
#define ROOT_HINT "root (CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_NET_RAW) is needed; " \
		  "--simulate --from SNAPSHOT.json works without it"

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

static void ip_from_ai(const struct addrinfo *ai, struct nm_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = (uint8_t)ai->ai_family;
	if (ai->ai_family == AF_INET) {
		memcpy(ip->addr, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		ip->plen = 32;
	} else {
		memcpy(ip->addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
		ip->plen = 128;
	}
}

/* DEST as the user wrote it, and what it turned out to be. */
struct dest {
	const char *arg;
	struct nm_ip ip;
	bool is_name;			/* resolved once the snapshot is there */
	const char *by;			/* NULL (an address), "namespace" or "host resolver" */
	const struct nm_netns *ns;	/* by "namespace": its namespace and interface */
	const char *ifname;
	char *note;			/* the line that says how DEST was resolved */
};

/* An address, or what looks like one (never sent to the resolver): 0, -EINVAL when it is
 * not a unicast address, 1 when DEST is a name (resolved later, by dest_lookup()). */
static int dest_literal(struct dest *d)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *res;
	const char *dest = d->arg;
	char a[64];

	if (!nm_ip_parse(dest, &d->ip) && d->ip.family &&
	    d->ip.plen == (d->ip.family == AF_INET ? 32 : 128))
		return dest_unicast(&d->ip) ? 0 : -EINVAL;
	if (*dest && !strchr(dest, '/') && !strchr(dest, ':') && dest[strspn(dest, "0123456789.")]) {
		d->is_name = true;
		return 1;
	}
	/* the forms inet_aton() also takes ("10.1"), numerically */
	if (!*dest || strchr(dest, '/') || getaddrinfo(dest, NULL, &hints, &res))
		return -EINVAL;
	ip_from_ai(res, &d->ip);
	freeaddrinfo(res);
	if (!dest_unicast(&d->ip))
		return -EINVAL;
	d->note = nm_xasprintf("destination %s is %s", dest, nm_ip_str(&d->ip, a, sizeof(a), false));
	return 0;
}

/* The host's resolver for a name: 0 (IPv4 preferred), or getaddrinfo's error. */
static int dest_by_host(struct dest *d)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res, *ai;
	const struct addrinfo *pick = NULL;
	char a[64];
	int ret;

	ret = getaddrinfo(d->arg, NULL, &hints, &res);
	if (ret)
		return ret;
	for (ai = res; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET && !pick)
			pick = ai;
	ip_from_ai(pick ? pick : res, &d->ip);
	freeaddrinfo(res);
	d->by = "host resolver";
	d->note = nm_xasprintf("destination %s is %s, resolved on the host by getaddrinfo "
			       "(the host's /etc/hosts and /etc/resolv.conf, not SRC's)",
			       d->arg, nm_ip_str(&d->ip, a, sizeof(a), false));
	return 0;
}

/* The address a namespace named as DEST is sent to: the first global IPv4 address on an
 * interface other than lo (then IPv6, for a namespace without IPv4). */
static const struct nm_addr *primary_addr(const struct nm_netns *ns, const struct nm_link **lp)
{
	static const int families[] = { AF_INET, AF_INET6 };
	size_t f, i, j;

	for (f = 0; f < ARRAY_SIZE(families); f++)
		for (i = 0; i < ns->n_links; i++) {
			const struct nm_link *l = &ns->links[i];

			if (nm_link_is_loopback(l))
				continue;
			for (j = 0; j < l->n_addrs; j++) {
				const struct nm_addr *ad = &l->addrs[j];

				if (ad->local.family == families[f] && ad->scope &&
				    !strcmp(ad->scope, "global")) {
					*lp = l;
					return ad;
				}
			}
		}
	return NULL;
}

/* The containers the engine knows, stopped ones too: asked once, and only about this host
 * (a snapshot from --from is another host's). */
struct engine {
	bool asked;
	struct names_known *k;
	size_t n;
};

static const struct names_known *engine_find(const struct nstrace_args *a, struct engine *e,
					     const char *name)
{
	size_t i;

	if (a->from)
		return NULL;
	if (!e->asked) {
		e->asked = true;
		if (docker_containers_all(&e->k, &e->n) < 0)
			e->n = 0;
	}
	for (i = 0; i < e->n; i++)
		if (!strcmp(e->k[i].name, name))
			return &e->k[i];
	return NULL;
}

static void engine_free(struct engine *e)
{
	names_known_free(e->k, e->n);
}

/* "; did you mean ...?" from every namespace label, ip-netns name and container name, and
 * the engine's stopped containers. Malloc'd. */
static char *near_misses(const struct nstrace_args *a, const struct nm_snapshot *s,
			 struct engine *e, const char *name)
{
	char **v = NULL;
	size_t n = 0, i, k;
	char *out;

	engine_find(a, e, name);
	for (i = 0; i < s->n_netns; i++) {
		const struct nm_netns *ns = &s->netns[i];

		v = nm_xrealloc(v, n + ns->n_names + 2, sizeof(*v));
		v[n++] = ns->label;
		for (k = 0; k < ns->n_names; k++)
			v[n++] = ns->names[k];
		if (ns->container)
			v[n++] = ns->container->name;
	}
	v = nm_xrealloc(v, n + e->n + 1, sizeof(*v));
	for (i = 0; i < e->n; i++)
		v[n++] = e->k[i].name;
	out = cli_did_you_mean(name, v, n);
	free(v);
	return out;
}

/* A container the engine knows by name but that has no namespace: say what it is (and
 * return the exit code), or 0 when the engine does not know the name. */
static int engine_says(const struct nstrace_args *a, struct engine *e, const char *name)
{
	const struct names_known *k = engine_find(a, e, name);

	if (!k)
		return 0;
	if (!strcmp(k->state, "running") || !strcmp(k->state, "paused"))
		return cli_fail(1, "container '%s' is %s, but nstrace found no namespace of it "
				"(is nstrace in the host's pid namespace?)", name, k->state);
	if (!strcmp(k->state, "exited"))
		return cli_fail(1, "container '%s' exists but is stopped (%s start %s)", name,
				k->runtime, name);
	return cli_fail(1, "container '%s' exists but is stopped (%s; %s start %s)", name,
			k->state, k->runtime, name);
}

/* SRC names nothing in s: what the engine knows of it, or the names near it. */
static bool is_name(const char *w)
{
	struct nm_ip ip;

	return *w && !strchr(w, '/') && w[strspn(w, "0123456789")] &&
	       (nm_ip_parse(w, &ip) || !ip.family);
}

static int src_unknown(const struct nstrace_args *a, const struct nm_snapshot *s, struct engine *e)
{
	char *hint;
	int ret;

	if (!is_name(a->src))
		return cli_fail(1, "%s: no such namespace or address", a->src);
	ret = engine_says(a, e, a->src);
	if (ret)
		return ret;
	hint = near_misses(a, s, e, a->src);
	ret = cli_fail(1, "no namespace or container named '%s'%s", a->src, hint);
	free(hint);
	return ret;
}

/* DEST given as a name: a namespace or container of s (its primary address), a stopped
 * container, then the host's resolver. Returns 0 or the exit code. */
static int dest_lookup(const struct nstrace_args *a, const struct nm_snapshot *s,
		       struct engine *e, struct dest *d)
{
	const struct nm_netns *ns;
	const struct nm_link *l = NULL;
	const struct nm_addr *pa;
	struct nm_ip unused;
	char buf[64], *hint;
	int ret;

	ret = path_resolve_src(s, d->arg, &ns, &unused);
	if (ret == -EEXIST)
		return cli_usage_error("%s: more than one namespace matches", d->arg);
	if (!ret) {
		pa = primary_addr(ns, &l);
		if (!pa)
			return cli_fail(1, "destination %s is namespace %s, which has no global address "
					"outside lo to send to", d->arg, ns->label);
		d->ip = pa->local;
		d->ip.plen = d->ip.family == AF_INET ? 32 : 128;
		d->by = "namespace";
		d->ns = ns;
		d->ifname = l->ifname;
		d->note = nm_xasprintf("destination %s is %s (%s in %s)", d->arg,
				       nm_ip_str(&d->ip, buf, sizeof(buf), false), l->ifname, ns->label);
		return 0;
	}
	ret = engine_says(a, e, d->arg);
	if (ret)
		return ret;
	ret = dest_by_host(d);
	if (!ret) {
		if (!dest_unicast(&d->ip))
			return cli_usage_error("'%s' is not a unicast address or a host name", d->arg);
		return 0;
	}
	hint = near_misses(a, s, e, d->arg);
	ret = cli_fail(1, "cannot resolve '%s': no namespace or container has that name, and the "
		       "host's resolver says: %s%s", d->arg, gai_strerror(ret), hint);
	free(hint);
	return ret;
}

/* "dest_resolved" in the JSON, right after "destination": how a name became the address. */
static json_t *dest_json(json_t *o, const struct dest *d)
{
	json_t *n = json_object(), *v, *x;
	char buf[64];
	const char *k;

	if (!d->by) {
		v = json_null();
	} else {
		v = json_pack("{s:s, s:s, s:s}", "name", d->arg, "address",
			      nm_ip_str(&d->ip, buf, sizeof(buf), false), "by", d->by);
		if (d->ns) {
			json_object_set_new(v, "netns", json_string(d->ns->label));
			json_object_set_new(v, "ifname", json_string(d->ifname));
		}
	}
	json_object_foreach(o, k, x) {
		json_object_set(n, k, x);
		if (v && !strcmp(k, "destination")) {
			json_object_set_new(n, "dest_resolved", v);
			v = NULL;
		}
	}
	if (v)
		json_object_set_new(n, "dest_resolved", v);
	json_decref(o);
	return n;
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
			return cli_fail(1, "a live trace needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN and "
					"CAP_NET_RAW); --simulate --from SNAPSHOT.json works without it");
	}
	/* `from web`: containers are named by their runtimes, as in nsmap */
	ret = cli_live_snapshot(&lo, s, &bad);
	free(bad);
	if (ret == -EPERM || ret == -EACCES)
		return cli_fail(1, "cannot read this host's namespaces: %s; " ROOT_HINT, strerror(-ret));
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
	if (ret == -EPERM || ret == -EACCES)
		return cli_fail(1, "cannot trace: %s; " ROOT_HINT, strerror(-ret));
	if (ret < 0)
		return cli_fail(1, "cannot trace: %s", strerror(-ret));
	for (i = 0; i < r->n_notes; i++)
		nm_strv_push(&(*t)->notes, &(*t)->n_notes, r->notes[i]);
	return 0;
}

/* Resolve SRC and DEST in s, walk q through s and print it, live or simulated. Returns the
 * exit code. */
static int trace(const struct nstrace_args *a, struct nm_snapshot *s, struct path_query *q,
		 struct dest *d)
{
	struct path_result *r = NULL;
	struct trace_result *t = NULL;
	struct engine e = { 0 };
	const struct nm_netns *ns;
	int ret;

	ret = path_resolve_src(s, a->src, &ns, &q->src);
	if (ret == -EEXIST)
		return cli_usage_error("%s: more than one namespace matches", a->src);
	if (ret < 0)
		ret = src_unknown(a, s, &e);
	else if (d->is_name)
		ret = dest_lookup(a, s, &e, d);
	engine_free(&e);
	if (ret)
		return ret;
	q->src_ns = ns;
	q->dst = d->ip;
	if (d->note && !a->json)
		fprintf(stderr, "nstrace: %s\n", d->note);
	ret = path_walk(s, q, &r);
	if (ret < 0)
		return cli_fail(1, "cannot simulate: %s", strerror(-ret));
	if (d->note)
		nm_strv_push(&r->notes, &r->n_notes, d->note);
	if (!a->from)
		path_kernel_check(s, r, collect_route_get);
	if (!a->simulate && (ret = live(s, q, r, a, &t))) {
		path_result_free(r);
		return ret;
	}
	/* the live trace when there is one, else the simulation */
	if (a->json)
		cli_print_json(stdout, dest_json(t ? trace_result_to_json(t) : path_result_to_json(r), d));
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
	struct dest d = { 0 };
	int ret;

	cli_init("nstrace");
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret;
	q.proto = a.proto;
	q.dport = a.port;
	d.arg = a.dest;
	ret = dest_literal(&d);
	if (ret < 0)
		return cli_usage_error("'%s' is not a unicast address or a host name", a.dest);
	ret = get_snapshot(&a, &s);
	if (!ret)
		ret = trace(&a, s, &q, &d);
	nm_snapshot_free(s);
	free(d.note);
	return ret;
}
