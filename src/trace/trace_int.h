/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace_int.h - the live tracer's internals: address families, packets, matching, conntrack, probe, capture, nft trace, drop reasons, correlation. */
#ifndef NSMAP_TRACE_INT_H
#define NSMAP_TRACE_INT_H

#include <stdlib.h>
#include <sys/socket.h>

#include "trace.h"

/* ---- address families (family.c): one row per family, everything that differs ---- */

struct trace_family {
	int af;				/* AF_INET: the query's addresses, the probe's socket */
	uint8_t version;		/* the first nibble of the network header */
	uint16_t ethertype;		/* the SLL2 protocol, and skb->protocol (kfree_skb protocol=) */
	uint8_t nfproto;		/* NFPROTO_IPV4 (== AF_INET): nft meta nfproto, ctnetlink
					 * nfgen_family */
	uint8_t icmp_proto;		/* IPPROTO_ICMP: the raw socket and the packets' protocol */
	uint8_t echo_request, echo_reply;
	uint8_t icmp_unreach, icmp_time_exceeded;
	uint8_t icmp_quoting[4];	/* the error types whose body quotes the packet */
	size_t n_quoting;
	const char *pcap_icmp;		/* "icmp": the pcap filter's primitive and accessor */
	uint16_t cta_src, cta_dst;	/* CTA_IP_V4_SRC, CTA_IP_V4_DST */
	uint16_t cta_icmp_id;		/* CTA_PROTO_ICMP_ID */
	size_t addr_len;		/* bytes of an address */
	/* The network header at b (len bytes): protocol and addresses into t, the transport
	 * header into *l4, *l4len (*l4 NULL for a later fragment). 0 or -EINVAL. */
	int (*parse_net)(const uint8_t *b, size_t len, struct trace_tuple *t, const uint8_t **l4,
			 size_t *l4len);
	/* ip:port as a sockaddr (ip NULL: the unspecified address); returns its length. */
	socklen_t (*to_sockaddr)(const struct nm_ip *ip, uint16_t port, struct sockaddr_storage *ss);
	/* The address of a sockaddr; false when it is the unspecified address. */
	bool (*from_sockaddr)(const struct sockaddr_storage *ss, struct nm_ip *ip);
};

extern const struct trace_family trace_families[];
extern const size_t trace_n_families;

/* The row whose key is value, or NULL: no live trace for that family. TRACE_BY_ICMP finds the
 * family whose ICMP protocol it is (a tuple of it has the echo identifier as its ports). */
enum trace_family_key {
	TRACE_BY_AF,			/* AF_INET: the query's nm_ip family */
	TRACE_BY_ETHERTYPE,		/* a captured frame's protocol */
	TRACE_BY_VERSION,		/* a network header's first nibble */
	TRACE_BY_ICMP,			/* an IP protocol number */
};
const struct trace_family *trace_family_find(enum trace_family_key key, unsigned int value);

static inline bool trace_is_icmp(uint8_t proto)
{
	return trace_family_find(TRACE_BY_ICMP, proto) != NULL;
}

static inline uint16_t trace_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t trace_rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* ---- packets (pkt.c: pure parsing, no root, no libpcap) ---- */

#define TRACE_SLL2_LEN 20
#define TRACE_MAGIC 0x6e737472u		/* "nstr": first 4 bytes of every probe payload */

/* SLL2 packet types (linux/if_packet.h PACKET_*). */
enum trace_pkttype {
	TRACE_PKT_HOST = 0,
	TRACE_PKT_BROADCAST = 1,
	TRACE_PKT_MULTICAST = 2,
	TRACE_PKT_OTHERHOST = 3,
	TRACE_PKT_OUTGOING = 4,
};

/* One captured packet, parsed. */
struct trace_pkt {
	const struct trace_family *fam;	/* the row that parsed it */
	int ifindex;			/* in the capturing namespace */
	uint8_t pkttype;		/* enum trace_pkttype */
	uint16_t ethertype;
	struct trace_tuple t;		/* the outer packet */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_seq;
	uint8_t tcp_flags;
	bool has_cookie;		/* the payload starts with TRACE_MAGIC */
	uint8_t cookie[TRACE_COOKIE_LEN];
	bool icmp_error;		/* ICMP dest-unreachable / time-exceeded with an inner packet */
	struct trace_tuple inner;	/* the packet the error is about (valid if icmp_error) */
	bool inner_has_cookie;
	uint8_t inner_cookie[TRACE_COOKIE_LEN];
};

/* Parse a DLT_LINUX_SLL2 frame of caplen bytes. Never reads past caplen. Returns 0, -EPROTO
 * for an ethertype no family has, -EINVAL for a truncated or malformed frame. */
int trace_parse_sll2(const uint8_t *buf, size_t caplen, struct trace_pkt *p);
/* Parse a network-layer packet (no link header) of the family its version says. */
int trace_parse_net(const uint8_t *buf, size_t len, struct trace_pkt *p);

void trace_tuple_reverse(const struct trace_tuple *in, struct trace_tuple *out);
bool trace_tuple_equal(const struct trace_tuple *a, const struct trace_tuple *b);
/* "icmp 10.0.0.1 -> 203.0.113.8 id 4660" / "tcp 10.0.0.1:40000 -> 203.0.113.8:80". */
char *trace_tuple_str(const struct trace_tuple *t, char *buf, size_t len);

/* ---- the probe's identity and the flows it may take (match.c) ---- */

/* Add a form (ignored if known). Returns true when it was new. */
bool trace_ident_add_form(struct trace_ident *id, const struct trace_tuple *t);
/* Is t the original tuple or a known form? */
bool trace_ident_knows(const struct trace_ident *id, const struct trace_tuple *t);
/* Does p belong to the probe? *reply says which direction. Matches on a known form of the
 * tuple (either direction), on the cookie, or for ICMP errors on the inner packet. */
bool trace_match(const struct trace_ident *id, const struct trace_pkt *p, bool *reply);
/* The libpcap filter of the probe (narrow: its ports / icmp id / cookie, plus ICMP errors). */
char *trace_bpf_filter(const struct trace_ident *id);

/* ---- conntrack (ct.c: ctnetlink over libmnl) ---- */

#define TRACE_IPS_SRC_NAT (1u << 4)
#define TRACE_IPS_DST_NAT (1u << 5)
#define TRACE_IPS_SRC_NAT_DONE (1u << 7)
#define TRACE_IPS_DST_NAT_DONE (1u << 8)

struct trace_ct {
	struct trace_tuple orig, reply;
	uint32_t status;		/* IPS_* */
	uint32_t id;
	char *netns;			/* the namespace label */
};

/* Dump the conntrack table of family fam in ns and keep the entries matching keep() (NULL:
 * all). Returns the number kept (appended to *v) or -errno. */
int trace_ct_dump(const struct nm_netns *ns, const struct trace_family *fam, struct trace_ct **v,
		  size_t *n, bool (*keep)(const struct trace_ct *ct, void *arg), void *arg);
/* Parse one ctnetlink message (for the tests). 0 or -EINVAL. */
int trace_ct_parse(const void *nlh, size_t len, struct trace_ct *ct);
/* "icmp 10.0.0.1 -> 203.0.113.8 id 7 | reply 203.0.113.8 -> 198.51.100.10 id 7 [SRC_NAT]". */
char *trace_ct_str(const struct trace_ct *ct);
void trace_ct_clear(struct trace_ct *ct);

/* ---- the probe (probe.c) ---- */

struct trace_probe {
	const struct trace_family *fam;
	int fd;
	struct trace_tuple t;		/* as sent (src from the kernel's source selection) */
	uint8_t cookie[TRACE_COOKIE_LEN];
	double sent_ms;			/* CLOCK_REALTIME, like the capture timestamps */
	bool sent;
	int err;			/* -errno of connect/send (ENETUNREACH: no route) */
};

/* Create the probe's socket of family fam inside ns (bound to a random port / with a random
 * ICMP id and cookie). sim_src: the simulation's source address, used when the kernel has no
 * route. */
int trace_probe_open(const struct trace_family *fam, const struct nm_netns *ns,
		     const struct path_query *q, const struct nm_ip *sim_src, struct trace_probe *pr);
int trace_probe_send(struct trace_probe *pr);
/* What the probe's own socket got within wait_ms: 1 the answer (echo reply, SYN-ACK or reset,
 * UDP data or port unreachable), 0 nothing, -errno an ICMP error (EHOSTUNREACH, ...). */
int trace_probe_delivered(struct trace_probe *pr, int wait_ms);
void trace_probe_close(struct trace_probe *pr);
double trace_now_ms(void);

/* ---- hops (hops.c: correlation; verdict.c: the conclusion) ---- */

/* A hop of the live trace: observed by a capture, or expected by the simulation. */
struct trace_hop {
	int n;
	bool reply;
	char *netns;
	char *netns_id;
	char *ifname;
	const char *direction;		/* "in" / "out" */
	bool observed;
	const char *status;		/* "observed", "inferred" (a later hop was seen), "missing" */
	bool predicted;			/* the simulation expected it */
	double time_ms;			/* since the probe was sent (observed only) */
	struct trace_tuple t;		/* as seen (or as predicted) */
	uint8_t icmp_type, icmp_code;
	uint8_t tcp_flags;
	bool nat;			/* the addresses/ports differ from the previous hop's */
	const char *nat_kind;		/* "SNAT", "DNAT", "un-SNAT", "un-DNAT" */
	struct trace_tuple old;
	char *nat_rule;			/* from the simulation's NAT step, may be NULL */
	char *nat_ct;			/* the conntrack entry, may be NULL */
	struct trace_rule *rules;	/* --nft-trace: the rules met in this namespace after this hop */
	size_t n_rules;
	int rank;			/* position in the simulated path (internal) */
};

/* A captured packet with the index of its namespace (into the list given to trace_build)
 * and its time. */
struct trace_cap {
	size_t ns;
	double time_ms;
	struct trace_pkt pkt;
};

struct trace_nsinfo {
	const struct nm_netns *ns;
};

/* The namespace's label, else its id. */
const char *trace_ns_label(const struct nm_netns *ns);
/* The tuple of a simulated hop, with the probe's ports in place of the simulation's. */
void trace_tuple_of_hop(const struct trace_result *r, const struct path_hop *h,
			struct trace_tuple *t);
/* Correlate captured packets into hops and conclude (separate from the run for the tests). */
void trace_build(struct trace_result *r, const struct nm_snapshot *s, const struct trace_nsinfo *nss,
		 size_t n_ns, const struct trace_cap *caps, size_t n_caps);
/* The verdict, the summary and the causes from the hops (verdict.c). */
void trace_conclude(struct trace_result *r);
/* Append what (taken) to the evidence of cause pick (1-based; 0 = the first cause), or keep it
 * as a note when there is no cause. Returns the cause it went to, 0 for a note. */
size_t trace_add_evidence(struct trace_result *r, size_t pick, char *what);

/* ---- capture (capture.c: the only file that includes libpcap) ---- */

struct trace_capture;
/* One `any` handle (DLT_LINUX_SLL2, immediate mode, filter) per namespace of nss; a namespace
 * where that fails becomes a warning. -ENODEV when no handle could be opened. */
int trace_capture_open(struct trace_capture **c, const struct trace_nsinfo *nss, size_t n,
		       const char *filter, char ***warn, size_t *n_warn);
/* Poll every handle until deadline_ms (CLOCK_REALTIME), *stop, or shortly after done()
 * returned true for a packet. -EINTR when stopped. */
int trace_capture_loop(struct trace_capture *c, double deadline_ms,
		       bool (*done)(const struct trace_cap *cap, void *arg), void *arg,
		       volatile int *stop);
const struct trace_cap *trace_capture_packets(const struct trace_capture *c, size_t *n);
void trace_capture_close(struct trace_capture *c, unsigned int *drops);

/* ---- nftables trace (nft.c: --nft-trace) ---- */

#define TRACE_NFT_POLICY 1		/* NFT_TRACETYPE_POLICY */
#define TRACE_NFT_RETURN 2
#define TRACE_NFT_RULE 3

/* One NFT_MSG_TRACE event, parsed. */
struct trace_nft_event {
	size_t ns;			/* index into the namespace list (set by the reader) */
	uint32_t id;			/* per skb and hook: not stable across hooks */
	uint32_t type;			/* TRACE_NFT_* */
	uint8_t family;			/* NFPROTO_* of the table */
	char *table, *chain;
	uint64_t handle;		/* rule handle, 0 if none */
	bool has_verdict;
	int32_t verdict;		/* NF_DROP 0, NF_ACCEPT 1, NFT_CONTINUE -1, NFT_JUMP -3, ... */
	char *target;			/* jump / goto target */
	bool has_policy;
	uint32_t policy;
	uint32_t iif, oif;		/* ifindex in that namespace, 0 if none */
	bool has_pkt;			/* carries the packet's headers (first event of a chain) */
	struct trace_pkt pkt;		/* parsed from the network + transport headers */
};

/* Parse one NFT_MSG_TRACE message of len bytes (never reads past len). 0, -EINVAL for a
 * malformed or truncated message, -ENOMSG for another message type. */
int trace_nft_parse(const void *buf, size_t len, struct trace_nft_event *ev);
void trace_nft_event_clear(struct trace_nft_event *ev);
/* "accept", "drop", "continue", "jump", ... for a verdict code. */
const char *trace_nft_verdict_name(int32_t verdict);

struct trace_nft;
/* Subscribe to NFNLGRP_NFTRACE and add table inet nstrace_<pid> (owned by its socket) in
 * every namespace of nss, with rules that set nftrace for packets of the probe id. A
 * namespace where that fails is a warning. -errno when no namespace could be set up (every
 * table added so far is removed again). */
int trace_nft_start(struct trace_nft **out, const struct trace_nsinfo *nss, size_t n,
		    const struct trace_ident *id, char ***warn, size_t *n_warn);
/* Read every queued trace event (non-blocking). */
int trace_nft_read(struct trace_nft *t, char ***warn, size_t *n_warn);
const struct trace_nft_event *trace_nft_events(const struct trace_nft *t, size_t *n);
/* Remove the tables (retrying on EINTR) and close the sockets. NULL is fine. */
void trace_nft_stop(struct trace_nft *t);
/* The table's name in this process: "nstrace_<pid>". */
const char *trace_nft_table_name(void);
/* Keep the events of the probe (after trace_build: its forms are known), turn them into
 * hops[].rules with the rule text from the snapshot, and find the rule that dropped it. */
void trace_nft_attach(struct trace_result *r, const struct trace_nsinfo *nss, size_t n_ns,
		      const struct trace_nft_event *ev, size_t n_ev);
void trace_rule_clear(struct trace_rule *r);

/* ---- kernel drop reasons (drop.c: --drop-reason, skb:kfree_skb in tracefs) ---- */

/* One line of trace_pipe that matters. */
struct trace_drop_rec {
	bool kfree;			/* skb:kfree_skb, else net:netif_receive_skb */
	double time_ms;			/* CLOCK_REALTIME */
	char skbaddr[24];
	unsigned int protocol;		/* kfree_skb */
	char location[96];		/* kfree_skb: "nf_hook_slow+0x96/0x140" */
	char reason[48];		/* kfree_skb: "NETFILTER_DROP" */
	char dev[32];			/* netif_receive_skb */
};

/* The kernel's drop of the probe. */
struct trace_kdrop {
	char *reason;
	char *location;
	char *netns;			/* where the skb was last seen (skbaddr correlation), or NULL */
	char *ifname;
	double time_ms;			/* since the probe was sent */
	const char *correlation;	/* "skbaddr" or "time window" */
};

/* Parse one trace_pipe line (mono_off_ms: CLOCK_REALTIME - CLOCK_MONOTONIC). 0 or -EINVAL. */
int trace_drop_parse_line(const char *line, double mono_off_ms, struct trace_drop_rec *rec);
struct trace_dropmon;
/* Create the tracefs instance nstrace_<pid> with skb:kfree_skb (of family fam's packets) and
 * net:netif_receive_skb on the interfaces ifnames. -ENOENT (with why) when tracefs is not
 * mounted or the event is missing. */
int trace_drop_open(struct trace_dropmon **out, const struct trace_family *fam,
		    const char *const *ifnames, size_t n_if, char *why, size_t whylen);
/* Read what is queued (non-blocking). */
int trace_drop_read(struct trace_dropmon *d);
/* Find the probe's drop among the records read (after trace_build). */
void trace_drop_attach(struct trace_result *r, const struct trace_dropmon *d, double sent_ms);
/* Attach from records (the tests). */
void trace_drop_attach_recs(struct trace_result *r, const struct trace_drop_rec *recs, size_t n,
			    double sent_ms);
/* Remove the instance. NULL is fine. */
void trace_drop_close(struct trace_dropmon *d);
void trace_kdrop_free(struct trace_kdrop *k);

#endif
