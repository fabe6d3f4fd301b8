/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace.h - the live tracer: a real probe from the source namespace, watched with libpcap on every hop. */
#ifndef NSMAP_TRACE_H
#define NSMAP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "model.h"
#include "path.h"

#define TRACE_COOKIE_LEN 16

struct trace_opts {
	double timeout;			/* seconds to wait for the reply (default 2) */
	volatile int *stop;		/* set by a signal handler: stop at once */
	bool nft_trace;			/* --nft-trace: add a tracing table in every namespace */
	bool drop_reason;		/* --drop-reason: skb:kfree_skb through a tracefs instance */
};

/* A connection tuple in one direction: (proto, src:sport -> dst:dport). ICMP echo uses the
 * identifier as both ports, like conntrack does. */
struct trace_tuple {
	uint8_t proto;
	struct nm_ip src, dst;
	uint16_t sport, dport;
};

struct trace_family;

/* The probe's identity: how its packets are told from everybody else's. */
struct trace_ident {
	const struct trace_family *fam;	/* its address family's row (src/trace/family.c) */
	struct trace_tuple orig;	/* as sent from the source namespace */
	uint8_t cookie[TRACE_COOKIE_LEN];
	bool has_cookie;		/* icmp echo and udp carry the cookie */
	struct trace_tuple *forms;	/* every form of the probe in the orig direction (NAT) */
	size_t n_forms;
};

/* A rule (or chain policy) the probe met, from an nftables trace event (--nft-trace). */
struct trace_rule {
	char *family;			/* "ip", "inet", ... */
	char *table;
	char *chain;
	const char *hook;		/* hook of the base chain the traversal started in, or NULL */
	const char *kind;		/* "rule", "policy", "return" */
	uint64_t handle;		/* rule handle, 0 for a policy / return */
	const char *verdict;		/* "accept", "drop", "continue", "jump", "goto", "return", ... */
	char *target;			/* jump / goto target, or NULL */
	char *text;			/* the rule as the snapshot prints it, or NULL */
	bool decisive;			/* ended the base chain with accept or drop */
};

/* The hops, the conntrack entries and the kernel's drop are the tracer's own types
 * (src/trace/trace_int.h): trace_print_text() and trace_result_to_json() show them. */
struct trace_hop;
struct trace_ct;
struct trace_kdrop;

struct trace_result {
	enum path_verdict verdict;
	char *summary;
	char *src_label;
	struct trace_ident ident;
	int send_error;			/* -errno of the probe's send, 0 when sent */
	double timeout;
	struct trace_hop *hops;
	size_t n_hops;
	int last_seen;			/* index in hops of the last observed hop, -1 none */
	int next_expected;		/* index of the first expected hop after it, -1 none */
	struct diag_cause *causes;
	size_t n_causes;
	struct trace_ct *cts;		/* conntrack entries of the probe, path order */
	size_t n_cts;
	char **notes;
	size_t n_notes;
	unsigned int captured;		/* packets of the probe captured */
	bool delivery_checked;		/* the probe's socket was read after the capture */
	int delivered;			/* what it got: 1 the answer, 0 nothing, -errno an ICMP
					 * error (trace_probe_delivered) */
	unsigned int pcap_drops;
	const struct path_result *sim;	/* not owned */
	bool nft_trace;			/* --nft-trace ran (tables were added) */
	unsigned int nft_events;	/* trace events of the probe */
	char *nft_drop_netns;		/* the namespace where a rule or policy dropped it */
	struct trace_rule nft_drop;	/* that rule (valid when nft_drop_netns) */
	size_t nft_cause;		/* 1 + index of the cause it explains, 0 none */
	bool drop_asked;		/* --drop-reason */
	char *drop_unavailable;		/* why there are no kernel drop reasons, or NULL */
	struct trace_kdrop *kdrop;	/* the kernel's drop of the probe, or NULL */
	size_t kdrop_cause;		/* 1 + index of the cause it explains, 0 none */
};

/* Send the probe of q (whose simulation is sim) and watch it. Returns 0 (the result says what
 * happened), -EINTR when o->stop was set, -EAFNOSUPPORT for an address family the tracer has
 * no row for (IPv6), or another -errno. */
int trace_run(const struct nm_snapshot *s, const struct path_query *q, const struct path_result *sim,
	      const struct trace_opts *o, struct trace_result **out);
void trace_result_free(struct trace_result *r);
/* 0 reached, 3 not. */
int trace_exit_code(const struct trace_result *r);

/* Output (print.c): the hop table with the translations where they happen, and nstrace's
 * JSON contract. */
void trace_print_text(FILE *f, const struct trace_result *r);
json_t *trace_result_to_json(const struct trace_result *r);

#endif
