/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hops.c - captured packets become the hop table: the hops the simulation expects, the ones each capture saw, merged in path order, with the NAT between them. */
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

/* A wire hop the simulation predicts: where a capture should see the packet. */
struct expect {
	const struct path_hop *h;	/* the simulated hop it comes from */
	const char *netns, *netns_id, *ifname, *dir;
	bool reply;
	bool used;
};

static void push_expect(struct expect **v, size_t *n, const struct path_hop *h, const char *ifname,
			const char *dir)
{
	struct expect *e;

	if (!ifname)
		return;
	if (*n) {
		e = &(*v)[*n - 1];
		if (!strcmp(e->netns_id, h->netns_id) && !strcmp(e->ifname, ifname) &&
		    !strcmp(e->dir, dir) && e->reply == h->reply)
			return;
	}
	*NM_PUSH(*v, *n) = (struct expect){ .h = h, .netns = h->netns, .netns_id = h->netns_id,
					    .ifname = ifname, .dir = dir, .reply = h->reply };
}

/* The bridge port that leads to the namespace/interface of the next hop. */
static const char *switched_port(const struct nm_snapshot *s, const struct path_hop *br,
				 const struct path_hop *next)
{
	const struct nm_netns *ns = nm_find_netns(s, br->netns_id);
	size_t i;

	if (!ns || !next || next->kind != PATH_HOP_IN)
		return NULL;
	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];

		if (l->master && br->ifname && !strcmp(l->master, br->ifname) && l->peer.ifname &&
		    next->ifname && !strcmp(l->peer.ifname, next->ifname) && l->peer.netns &&
		    !strcmp(l->peer.netns, next->netns_id))
			return l->ifname;
	}
	return NULL;
}

static size_t build_expect(const struct nm_snapshot *s, const struct path_result *sim,
			   struct expect **v)
{
	size_t i, n = 0;

	*v = NULL;
	if (!sim)
		return 0;
	for (i = 0; i < sim->n_hops; i++) {
		const struct path_hop *h = &sim->hops[i];

		switch (h->kind) {
		case PATH_HOP_OUT:
		case PATH_HOP_LEAVE:
			push_expect(v, &n, h, h->ifname, "out");
			break;
		case PATH_HOP_IN:
			if (h->ok)
				push_expect(v, &n, h, h->ifname, "in");
			break;
		case PATH_HOP_BRIDGE:
			if (!strcmp(h->result, "TO BRIDGE"))
				push_expect(v, &n, h, h->ifname, "in");
			else if (!strcmp(h->result, "SWITCHED"))
				push_expect(v, &n, h, switched_port(s, h, i + 1 < sim->n_hops ?
								    &sim->hops[i + 1] : NULL), "out");
			break;
		default:
			break;
		}
	}
	return n;
}

const char *trace_ns_label(const struct nm_netns *ns)
{
	return ns->label ? ns->label : ns->id;
}

void trace_tuple_of_hop(const struct trace_result *r, const struct path_hop *h,
			struct trace_tuple *t)
{
	const struct path_result *sim = r->sim;

	memset(t, 0, sizeof(*t));
	t->proto = r->ident.orig.proto;
	t->src = h->nsrc;
	t->dst = h->ndst;
	if (trace_is_icmp(t->proto)) {
		t->sport = t->dport = r->ident.orig.sport;
		return;
	}
	/* The simulation used its own client port: put the probe's in its place. */
	t->sport = h->sport == sim->sport ? r->ident.orig.sport : h->sport;
	t->dport = h->dport == sim->sport ? r->ident.orig.sport : h->dport;
}

static int cmp_cap(const void *a, const void *b)
{
	const struct trace_hop *x = a, *y = b;

	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	if (x->rank >= 0 && y->rank >= 0 && x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* ---- the hops the captures saw ---- */

static bool seen_before(const struct trace_hop *obs, size_t n_obs, const char *netns_id,
			const char *ifname, const char *dir, bool reply)
{
	size_t k;

	for (k = 0; k < n_obs; k++)
		if (!strcmp(obs[k].netns_id, netns_id) && !strcmp(obs[k].ifname, ifname) &&
		    obs[k].direction == dir && obs[k].reply == reply)
			return true;
	return false;
}

/* The first unused expected hop h is, which it uses up: its rank. */
static void claim_expect(struct trace_hop *h, const struct nm_netns *ns, struct expect *ex,
			 size_t n_ex)
{
	size_t k;

	h->rank = -1;
	for (k = 0; k < n_ex; k++)
		if (!ex[k].used && ex[k].netns_id && ns->id && !strcmp(ns->id, ex[k].netns_id) &&
		    !strcmp(ex[k].ifname, h->ifname) && !strcmp(ex[k].dir, h->direction) &&
		    ex[k].reply == h->reply) {
			ex[k].used = true;
			h->rank = (int)k;
			h->predicted = true;
			return;
		}
}

/* Our packets, once per (namespace, interface, direction, way): a TCP SYN retransmit or the
 * ACK after the SYN-ACK adds nothing to the path. In time order. */
static size_t observe(struct trace_result *r, const struct trace_nsinfo *nss, size_t n_ns,
		      const struct trace_cap *caps, size_t n_caps, struct expect *ex, size_t n_ex,
		      struct trace_hop **out)
{
	struct trace_hop *obs = NULL;
	size_t n_obs = 0, i;

	for (i = 0; i < n_caps; i++) {
		const struct trace_cap *c = &caps[i];
		const struct nm_netns *ns;
		const struct nm_link *l;
		struct trace_hop *h;
		const char *dir;
		char ifn[32];
		bool reply;

		if (c->ns >= n_ns || !trace_match(&r->ident, &c->pkt, &reply))
			continue;
		r->captured++;
		ns = nss[c->ns].ns;
		dir = c->pkt.pkttype == TRACE_PKT_OUTGOING ? "out" : "in";
		l = nm_find_link_index(ns, c->pkt.ifindex);
		snprintf(ifn, sizeof(ifn), "if%d", c->pkt.ifindex);
		if (seen_before(obs, n_obs, ns->id, l ? l->ifname : ifn, dir, reply))
			continue;
		h = NM_PUSH(obs, n_obs);
		*h = (struct trace_hop){
			.n = (int)n_obs, .reply = reply, .netns = nm_xstrdup(trace_ns_label(ns)),
			.netns_id = nm_xstrdup(ns->id), .ifname = nm_xstrdup(l ? l->ifname : ifn),
			.direction = dir, .observed = true, .status = "observed",
			.time_ms = c->time_ms, .t = c->pkt.t, .icmp_type = c->pkt.icmp_type,
			.icmp_code = c->pkt.icmp_code, .tcp_flags = c->pkt.tcp_flags,
		};
		claim_expect(h, ns, ex, n_ex);
	}
	nm_qsort(obs, n_obs, sizeof(*obs), cmp_cap);
	*out = obs;
	return n_obs;
}

/* The expected hop ex[k] nobody saw. */
static void push_unseen(struct trace_result *r, struct trace_hop **out, size_t *n_out,
			const struct expect *ex, size_t k)
{
	struct trace_hop *h = NM_PUSH(*out, *n_out);

	h->reply = ex[k].reply;
	h->netns = nm_xstrdup(ex[k].netns);
	h->netns_id = nm_xstrdup(ex[k].netns_id);
	h->ifname = nm_xstrdup(ex[k].ifname);
	h->direction = ex[k].dir;
	h->predicted = true;
	h->rank = (int)k;
	trace_tuple_of_hop(r, ex[k].h, &h->t);
}

/* Merge: observed hops in time order, the predicted hops nobody saw in their place. Numbers
 * the hops; one nobody saw is inferred when a later one was seen, else missing. */
static void merge(struct trace_result *r, struct trace_hop *obs, size_t n_obs,
		  const struct expect *ex, size_t n_ex)
{
	struct trace_hop *out = NULL;
	size_t n_out = 0, i, next = 0;
	bool any_later = false;

	for (i = 0; i <= n_obs; i++) {
		size_t upto = i < n_obs ? (obs[i].rank >= 0 ? (size_t)obs[i].rank : next) : n_ex;

		for (; next < upto && next < n_ex; next++)
			if (!ex[next].used)
				push_unseen(r, &out, &n_out, ex, next);
		if (i < n_obs) {
			if (obs[i].rank >= 0 && (size_t)obs[i].rank >= next)
				next = (size_t)obs[i].rank + 1;
			*NM_PUSH(out, n_out) = obs[i];
		}
	}
	for (i = n_out; i-- > 0;) {
		out[i].n = (int)i + 1;
		if (out[i].observed)
			any_later = true;
		else
			out[i].status = any_later ? "inferred" : "missing";
	}
	r->hops = out;
	r->n_hops = n_out;
}

/* ---- NAT between hops ---- */

static const struct path_hop *sim_nat_hop(const struct path_result *sim, const char *netns,
					   bool reply)
{
	size_t i;

	for (i = 0; sim && i < sim->n_hops; i++) {
		const struct path_hop *h = &sim->hops[i];

		if (h->kind == PATH_HOP_NAT && h->reply == reply && !strcmp(h->netns, netns))
			return h;
	}
	return NULL;
}

/* The rule of a NAT the simulation saw; when the rules choose per packet among endpoints,
 * which one the kernel picked (the observed destination), out of how many. Malloc'd. */
static char *sim_nat_rule(const struct path_hop *sh, const struct trace_hop *h)
{
	char a[64];
	size_t i;

	if (!sh)
		return NULL;
	for (i = 0; i < sh->n_alts; i++) {
		const struct path_alt *al = &sh->alts[i];

		if (!al->addr.family || !nm_ip_equal(&al->addr, &h->t.dst) ||
		    (al->port && !trace_is_icmp(h->t.proto) && al->port != h->t.dport))
			continue;
		nm_ip_str(&al->addr, a, sizeof(a), false);
		return nm_xasprintf("the kernel picked %s:%u (%.1f %%), one of %zu endpoints: %s", a,
				    al->port ? al->port : h->t.dport, al->prob * 100.0, sh->n_alts,
				    al->rule ? al->rule : "");
	}
	return sh->decided ? nm_xstrdup(sh->decided) : NULL;
}

static const struct trace_ct *ct_in(const struct trace_result *r, const char *netns)
{
	size_t i;

	for (i = 0; i < r->n_cts; i++)
		if (!strcmp(r->cts[i].netns, netns))
			return &r->cts[i];
	return NULL;
}

/* The observed hop before hops[i] on the same way, or NULL. */
static const struct trace_hop *prev_seen(const struct trace_result *r, size_t i)
{
	size_t j;

	for (j = i; j-- > 0;)
		if (r->hops[j].observed && r->hops[j].reply == r->hops[i].reply)
			return &r->hops[j];
	return NULL;
}

/* What changed from prev to h: "SNAT", "DNAT", ... or NULL (ICMP: addresses only). */
static const char *nat_kind(const struct trace_hop *h, const struct trace_hop *prev)
{
	bool s_changed, d_changed, icmp = trace_is_icmp(h->t.proto);

	s_changed = !nm_ip_equal(&h->t.src, &prev->t.src) || (!icmp && h->t.sport != prev->t.sport);
	d_changed = !nm_ip_equal(&h->t.dst, &prev->t.dst) || (!icmp && h->t.dport != prev->t.dport);
	if (!s_changed && !d_changed)
		return NULL;
	if (!h->reply)
		return s_changed && d_changed ? "SNAT+DNAT" : s_changed ? "SNAT" : "DNAT";
	return s_changed && d_changed ? "un-SNAT+un-DNAT" : d_changed ? "un-SNAT" : "un-DNAT";
}

static void annotate_nat(struct trace_result *r)
{
	size_t i;

	for (i = 0; i < r->n_hops; i++) {
		struct trace_hop *h = &r->hops[i];
		const struct trace_hop *prev;
		const struct trace_ct *ct;
		const struct path_hop *sh;

		if (!h->observed)
			continue;
		prev = prev_seen(r, i);
		if (!prev || h->t.proto != prev->t.proto)
			continue;
		h->nat_kind = nat_kind(h, prev);
		if (!h->nat_kind)
			continue;
		h->nat = true;
		h->old = prev->t;
		sh = sim_nat_hop(r->sim, h->netns, h->reply);
		if (!sh)
			sh = sim_nat_hop(r->sim, prev->netns, h->reply);
		h->nat_rule = sim_nat_rule(sh, h);
		ct = ct_in(r, h->netns);
		if (ct)
			h->nat_ct = trace_ct_str(ct);
	}
}

void trace_build(struct trace_result *r, const struct nm_snapshot *s, const struct trace_nsinfo *nss,
		 size_t n_ns, const struct trace_cap *caps, size_t n_caps)
{
	struct expect *ex = NULL;
	size_t n_ex = build_expect(s, r->sim, &ex);
	struct trace_hop *obs;
	size_t n_obs = observe(r, nss, n_ns, caps, n_caps, ex, n_ex, &obs);

	merge(r, obs, n_obs, ex, n_ex);
	free(obs);
	free(ex);
	annotate_nat(r);
	trace_conclude(r);
}
