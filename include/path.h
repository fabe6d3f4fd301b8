/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path.h - simulate the path of a packet through the snapshot, hop by hop, out and back. */
#ifndef NSMAP_PATH_H
#define NSMAP_PATH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "model.h"
#include "netfilter.h"
#include "diagnose.h"

enum path_proto {
	PATH_PROTO_ICMP = 1,
	PATH_PROTO_TCP = 6,
	PATH_PROTO_UDP = 17,
};

/* What the caller asks: a packet from a namespace (optionally from a given address) to dst. */
struct path_query {
	const struct nm_netns *src_ns;
	struct nm_ip src;		/* family 0: chosen by source address selection */
	struct nm_ip dst;
	uint8_t proto;			/* enum path_proto */
	uint16_t sport;			/* 0: a default (40000 for tcp/udp) */
	uint16_t dport;			/* 0: a default (80 tcp, 53 udp) */
};

/* The verdicts of DESIGN.md's nstrace -j contract. */
enum path_verdict {
	PATH_REACHED = 0,		/* a namespace in the snapshot owns the destination */
	PATH_DROPPED,			/* a rule or sysctl drops it */
	PATH_NO_REPLY,			/* the packet gets out, the reply does not come back */
	PATH_UNREACHABLE,		/* no route / no link / no gateway */
	PATH_UNDETERMINED,		/* leaves the host (or the snapshot): the rest is not known */
	PATH_VERDICT_COUNT
};
const char *path_verdict_name(enum path_verdict v);

/* What a hop did. */
enum path_hop_kind {
	PATH_HOP_ROUTE = 0,		/* route lookup (output or input) */
	PATH_HOP_OUT,			/* the packet leaves through an interface */
	PATH_HOP_IN,			/* the packet arrives on an interface */
	PATH_HOP_BRIDGE,		/* a bridge hands it to a port or to itself */
	PATH_HOP_FILTER,		/* netfilter hook */
	PATH_HOP_NAT,			/* netfilter hook that rewrote the packet */
	PATH_HOP_FORWARD,		/* forwarding decision (ip_forward, rp_filter) */
	PATH_HOP_LOCAL,			/* delivered locally */
	PATH_HOP_LEAVE,			/* leaves the host (or the snapshot) */
	PATH_HOP_KIND_COUNT
};

/* One endpoint of a NAT chosen per packet (statistic, numgen). */
struct path_alt {
	struct nm_ip addr;		/* family 0: automatic (MASQUERADE) */
	uint16_t port;			/* 0: unchanged */
	double prob;
	char *rule;			/* the rule that NATs to it */
};

struct path_hop {
	int n;				/* 1-based */
	bool reply;			/* on the reply path */
	enum path_hop_kind kind;
	char *netns;			/* namespace label */
	char *netns_id;
	char *ifname;			/* may be NULL (route, forward hooks) */
	const char *direction;		/* "out", "in", "forward", "local", "bridge" */
	struct nm_ip src, dst;		/* before the hop */
	struct nm_ip nsrc, ndst;	/* after the hop (== before unless NATed) */
	uint8_t proto;
	uint16_t sport, dport;
	bool nat;			/* src/dst rewritten here */
	char *decided;			/* the route, rule, sysctl that decided */
	char *result;			/* "ALLOW", "DROP", "FAIL", "REWRITE", ... */
	bool ok;
	bool observed;			/* always false for the simulation */
	char *iif;			/* ROUTE hops of forwarded packets: the input interface */
	int kernel;			/* ROUTE hops: 0 not asked, 1 the kernel agrees, -1 it differs */
	char *kernel_route;		/* the kernel's answer, when asked */
	struct path_alt *alts;		/* NAT hops: every endpoint the rules may choose per
					 * packet; the walk follows alts[0] */
	size_t n_alts;
};

struct path_result {
	enum path_verdict verdict;
	char *summary;			/* one line: "leaves the host via eth0 as A -> B" */
	char *src_label;
	struct nm_ip src, dst;		/* as queried (src after selection) */
	uint8_t proto;
	uint16_t sport, dport;
	bool left_host;
	char *leave_ifname;		/* the uplink, when left_host */
	char *leave_netns;
	struct nm_ip leave_src;		/* source as it leaves the host */
	bool reached;			/* a namespace of the snapshot owns dst */
	char *reached_netns;
	bool reply_checked;
	bool reply_ok;
	struct path_hop *hops;
	size_t n_hops;
	struct diag_cause *causes;	/* first failing step first, then path order */
	size_t n_causes;
	char **notes;			/* remarks (unsupported rules met, kernel disagreements) */
	size_t n_notes;
};

/* Walk q through s. Returns 0 (the result says what happened) or -EINVAL for a bad query. */
int path_walk(const struct nm_snapshot *s, const struct path_query *q, struct path_result **out);
void path_result_free(struct path_result *r);
/* 0 when the walk leaves the host or reaches the destination and the reply path is open. */
int path_exit_code(const struct path_result *r);

/* SRC of the command line: an ip-netns name, label, container name, pid, namespace path
 * or an address owned by a namespace. Returns 0, -ENOENT, or -EEXIST when ambiguous;
 * *addr gets the address when SRC was one (family 0 otherwise). */
int path_resolve_src(const struct nm_snapshot *s, const char *src, const struct nm_netns **ns,
		     struct nm_ip *addr);

/* The prefix that runs a command in ns: "ip netns exec NAME ", "" for the namespace we run
 * in, "nsenter --net=/proc/PID/ns/net " otherwise. Malloc'd. */
char *path_ns_exec(const struct nm_netns *ns);

/* Output (src/path/print.c). */
void path_print_text(FILE *f, const struct path_result *r);
json_t *path_result_to_json(const struct path_result *r);
/* Print causes (with evidence and fix) and notes, as both nstrace modes do. */
void path_print_diagnosis(FILE *f, const struct diag_cause *causes, size_t n_causes,
			  char *const *notes, size_t n_notes);

/* RFC 1918, 100.64/10, 169.254/16, 127/8, fc00::/7, fe80::/10. */
bool path_ip_private(const struct nm_ip *ip);

/* ---- kernel cross-check (src/path/kernel.c) ---- */

/* Cross-check every route decision of r with the kernel's answer (ask: collect_route_get on
 * a live host); a disagreement becomes a note and a KERNEL_DISAGREES cause. Returns how many
 * decisions were checked. */
int path_kernel_check(const struct nm_snapshot *s, struct path_result *r, nm_route_oracle ask);

#endif
