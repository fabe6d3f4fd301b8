/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path_int.h - private to src/path: the state of one walk and what the walk's files share. */
#ifndef NSMAP_PATH_INT_H
#define NSMAP_PATH_INT_H

#include <stdio.h>

#include "path.h"

/* ---- route lookup (route.c) ---- */

#define PATH_TABLE_LOCAL 255
#define PATH_TABLE_MAIN 254
#define PATH_TABLE_DEFAULT 253

struct path_route_res {
	const struct nm_route *route;	/* NULL: no route */
	const struct nm_rule *rule;	/* the policy rule that led to it, NULL for the defaults */
	uint32_t table;
	uint32_t rule_prio;
	bool local;			/* destination owned by the namespace */
	bool reject;			/* blackhole/unreachable/prohibit route or rule */
	const char *reject_type;
	const char *dev;		/* egress device */
	struct nm_ip gateway;		/* family 0: on-link destination */
};

int path_route_lookup(const struct nm_netns *ns, const struct nm_flow *fl,
		      struct path_route_res *res);
/* Source address selection for a packet leaving via dev toward nexthop. */
bool path_select_src(const struct nm_netns *ns, const struct nm_route *r, const char *dev,
		     const struct nm_ip *nexthop, struct nm_ip *out);
/* Primary global address of a link of the family (MASQUERADE). */
bool path_link_primary(const struct nm_link *l, uint8_t family, const struct nm_ip *toward,
		       struct nm_ip *out);
bool path_addr_global(const struct nm_addr *a);		/* scope global (or none given) */
bool path_link_up(const struct nm_link *l);		/* IFF_UP */
bool path_link_carrier(const struct nm_link *l);	/* operstate UP/UNKNOWN */

/* ---- the state of one walk ---- */

#define PATH_MAX_STEPS 64

/* A conntrack binding made on the way out, undone on the way back. */
struct path_ct {
	const struct nm_netns *ns;
	struct nf_pkt orig;		/* before NAT */
	struct nf_pkt trans;		/* after NAT */
	bool snat, dnat;
};

/* How a leg of the walk ended. */
enum walk_end {
	WALK_STOP = 0,			/* it cannot go on */
	WALK_LOCAL,			/* delivered to a namespace that owns the destination */
	WALK_LEFT,			/* it left the host (or the snapshot) */
};

struct walk {
	const struct nm_snapshot *s;
	const struct path_query *q;
	struct path_result *r;
	struct path_ct *ct;
	size_t n_ct;
	bool reply;
	bool outside;			/* beyond the host's uplink */
	const struct nm_link *uplink;	/* the host side of the uplink */
	const struct nm_netns *uplink_ns;
	int steps;
	/* how the walk ended */
	const struct nm_netns *end_ns;
	const struct nm_link *end_link;
	struct nf_pkt end_pkt;
	struct nm_ip reached_dst;	/* the destination as delivered (after DNAT) */
	int last_plen;			/* prefix length of the sender's subnet (fixes) */
	/* Fixes assumed to look further: an address for the source, a bridge port. */
	struct nm_ip hyp_addr;
	const struct nm_link *hyp_addr_link;
	const struct nm_link *hyp_port;
	const char *hyp_bridge;
	const struct nm_netns *last_ns;	/* the namespace the packet came from */
	/* where the packet was routed in, to find loops: namespace, addresses, direction */
	struct walk_visit {
		const struct nm_netns *ns;
		struct nm_ip src, dst;
		bool reply;
	} *visits;
	size_t n_visits;
};

/* ---- recording hops and causes (result.c) ---- */

/* An address for a message; "?" when there is none. */
static inline const char *path_ipstr(const struct nm_ip *ip, char *buf, size_t len)
{
	if (!ip->family) {
		snprintf(buf, len, "?");
		return buf;
	}
	return nm_ip_str(ip, buf, len, false);
}

const char *path_hop_kind_name(enum path_hop_kind k);	/* as nstrace -j spells it */

/* Append a hop: the packet before (and, when NATed, after) it; what decided, as printf. */
struct path_hop *path_add_hop(struct walk *w, enum path_hop_kind kind, const struct nm_netns *ns,
			      const char *ifname, const char *dir, const struct nf_pkt *before,
			      const struct nf_pkt *after, const char *result, bool ok,
			      const char *fmt, ...) __attribute__((format(printf, 10, 11)));
/* Record a cause found in ns: key/value pairs for its templates, NULL-terminated ("ns" and
 * "exec" come first by themselves). Beyond the uplink it becomes UPSTREAM_NO_REPLY. */
void path_add_cause(struct walk *w, enum diag_id code, const struct nm_netns *ns,
		    const char *evidence, ...);

/* ---- the snapshot's topology (topo.c) ---- */

/* The namespace and link at the other end of a veth (or netkit) l; NULL if not in s. */
const struct nm_netns *path_peer_netns(const struct nm_snapshot *s, const struct nm_link *l,
				       const struct nm_link **peer);
/* The address of ns on the link of ns that holds a subnet containing ip. */
const struct nm_addr *path_connected_addr(const struct nm_netns *ns, const struct nm_ip *ip,
					  const struct nm_link **lout);
bool path_link_has_public_addr(const struct nm_link *l);
bool path_has_default_route(const struct nm_netns *ns, uint8_t family);
/* Does ns own ip, counting an address assumed for the source? */
const struct nm_link *path_owns(const struct walk *w, const struct nm_netns *ns,
				const struct nm_ip *ip);
/* Is port a port of bridge br (or assumed to be, after NOT_ON_BRIDGE)? */
bool path_is_port_of(const struct walk *w, const struct nm_link *port, const char *br);
/* A gateway for ns toward dst among the addresses on the segments of its links. */
bool path_guess_gateway(const struct walk *w, const struct nm_netns *ns, const struct nm_ip *dst,
			struct nm_ip *gw);
/* A host address in prefix p that nobody near ns uses (from the top when top is set). */
bool path_free_host(const struct nm_snapshot *s, const struct nm_netns *ns, const struct nm_ip *p,
		    bool top, struct nm_ip *out);
/* The subnet the far side of link l uses: the peer link's or its bridge's address. */
const struct nm_addr *path_far_subnet(const struct nm_snapshot *s, const struct nm_link *l,
				      const struct nm_netns **fns, const struct nm_link **flink);

/* ---- netfilter hooks and conntrack (hooks.c) ---- */

/* Run a hook over *p and apply its NAT. A drop is recorded (a hop and a cause) and the walk
 * goes on as if the rule were fixed, to find the problems further along. */
void path_run_hook(struct walk *w, const struct nm_netns *ns, enum nf_hook hook, struct nf_pkt *p);
void path_ct_record(struct walk *w, const struct nm_netns *ns, const struct nf_pkt *orig,
		    const struct nf_pkt *trans, bool snat, bool dnat);
/* On the reply, conntrack undoes a DNAT of the original direction on the reply's source... */
void path_undo_dnat(struct walk *w, const struct nm_netns *ns, const char *ifname,
		    struct nf_pkt *p, const char *why);
/* ... and a SNAT made in ns on the reply's destination. */
void path_undo_snat(struct walk *w, const struct nm_netns *ns, const char *ifname,
		    struct nf_pkt *p);

/* ---- when the route lookup fails (noroute.c) ---- */

/* Problems of the source namespace that explain a failed route lookup (no link but lo, a
 * link down, no address: then one is assumed, in p->src and w->hyp_addr). False when the
 * walk cannot go on. */
bool path_source_problems(struct walk *w, const struct nm_netns *ns, struct nf_pkt *p);
/* The NO_ROUTE cause; true (with *ol and *gw) when a gateway could be guessed to go on. */
bool path_no_route(struct walk *w, const struct nm_netns *ns, struct nf_pkt *p,
		   const struct nm_link **ol, struct nm_ip *gw, bool source);

/* ---- proving fixes (fix.c) ---- */

/* One walk of q through s, without checking its fixes (walk.c). */
int path_walk_once(const struct nm_snapshot *s, const struct path_query *q,
		   struct path_result **out);
/* Apply the fixes of r's causes in order to a copy of s, walking q again after each: each
 * cause's check says whether the walk then gets past its step (the last: whether the whole
 * path then opens out and back), or why not. */
void path_check_fixes(const struct nm_snapshot *s, const struct path_query *q,
		      struct path_result *r);

/* How `ip link ... netns X` names a namespace (source.c). Malloc'd. */
char *path_ns_arg(const struct nm_netns *ns);

/* ---- the steps of the walk, which call each other (walk.c, egress.c) ---- */

bool path_budget(struct walk *w);	/* false (and a note) after PATH_MAX_STEPS steps */
enum walk_end path_output(struct walk *w, const struct nm_netns *ns, struct nf_pkt p);
enum walk_end path_input(struct walk *w, const struct nm_netns *ns, const struct nm_link *iif,
			 struct nf_pkt p);
enum walk_end path_deliver(struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
			   struct nf_pkt p);
enum walk_end path_egress(struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
			  const struct nm_ip *gw, struct nf_pkt p);
enum walk_end path_arrive(struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
			  const struct nm_ip *nh, struct nf_pkt p);

#endif
