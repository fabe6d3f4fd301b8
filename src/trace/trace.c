/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace.c - the live trace: send the probe, capture it in every namespace of the simulated path, correlate hops across NAT, and conclude. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "trace.h"

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
	e = NM_PUSH(*v, *n);
	e->h = h;
	e->netns = h->netns;
	e->netns_id = h->netns_id;
	e->ifname = ifname;
	e->dir = dir;
	e->reply = h->reply;
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

static bool same_ns(const struct nm_netns *ns, const char *id)
{
	return ns && id && ns->id && !strcmp(ns->id, id);
}

/* The namespaces to listen in: the source first, every namespace of the simulated path, and
 * the far side of every veth the path uses. */
static size_t pick_namespaces(const struct nm_snapshot *s, const struct nm_netns *src,
			      const struct path_result *sim, struct trace_nsinfo **out)
{
	struct trace_nsinfo *v = NULL;
	size_t n = 0, i, k;

	NM_PUSH(v, n)->ns = src;
	for (i = 0; sim && i < sim->n_hops; i++) {
		const struct path_hop *h = &sim->hops[i];
		const struct nm_netns *cand[2] = { nm_find_netns(s, h->netns_id), NULL };
		const struct nm_link *l = cand[0] && h->ifname ? nm_find_link(cand[0], h->ifname) : NULL;
		size_t c;

		if (l && l->peer.resolved && l->peer.netns)
			cand[1] = nm_find_netns(s, l->peer.netns);
		for (c = 0; c < 2; c++) {
			if (!cand[c])
				continue;
			for (k = 0; k < n && v[k].ns != cand[c]; k++)
				;
			if (k == n && n < 32)
				NM_PUSH(v, n)->ns = cand[c];
		}
	}
	*out = v;
	return n;
}

/* ---- correlation ---- */

static const char *ns_label(const struct nm_netns *ns)
{
	return ns->label ? ns->label : ns->id;
}

static void tuple_of_hop(const struct trace_result *r, const struct path_hop *h, struct trace_tuple *t)
{
	const struct path_result *sim = r->sim;

	memset(t, 0, sizeof(*t));
	t->proto = r->ident.orig.proto;
	t->src = h->nsrc;
	t->dst = h->ndst;
	if (t->proto == PATH_PROTO_ICMP) {
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

static const char *sim_nat_rule(const struct path_result *sim, const char *netns, bool reply)
{
	size_t i;

	for (i = 0; sim && i < sim->n_hops; i++) {
		const struct path_hop *h = &sim->hops[i];

		if (h->kind == PATH_HOP_NAT && h->reply == reply && !strcmp(h->netns, netns))
			return h->decided;
	}
	return NULL;
}

static const struct trace_ct *ct_in(const struct trace_result *r, const char *netns)
{
	size_t i;

	for (i = 0; i < r->n_cts; i++)
		if (!strcmp(r->cts[i].netns, netns))
			return &r->cts[i];
	return NULL;
}

static void annotate_nat(struct trace_result *r)
{
	size_t i, j;

	for (i = 0; i < r->n_hops; i++) {
		struct trace_hop *h = &r->hops[i];
		const struct trace_hop *prev = NULL;
		bool s_changed, d_changed;
		const char *rule;
		const struct trace_ct *ct;

		if (!h->observed)
			continue;
		for (j = i; j-- > 0;)
			if (r->hops[j].observed && r->hops[j].reply == h->reply) {
				prev = &r->hops[j];
				break;
			}
		if (!prev || h->t.proto != prev->t.proto)
			continue;
		s_changed = !nm_ip_equal(&h->t.src, &prev->t.src) || h->t.sport != prev->t.sport;
		d_changed = !nm_ip_equal(&h->t.dst, &prev->t.dst) || h->t.dport != prev->t.dport;
		if (h->t.proto == PATH_PROTO_ICMP) {
			s_changed = !nm_ip_equal(&h->t.src, &prev->t.src);
			d_changed = !nm_ip_equal(&h->t.dst, &prev->t.dst);
		}
		if (!s_changed && !d_changed)
			continue;
		h->nat = true;
		h->old = prev->t;
		if (!h->reply)
			h->nat_kind = s_changed && d_changed ? "SNAT+DNAT" : s_changed ? "SNAT" : "DNAT";
		else
			h->nat_kind = s_changed && d_changed ? "un-SNAT+un-DNAT" : d_changed ? "un-SNAT" :
				      "un-DNAT";
		rule = sim_nat_rule(r->sim, h->netns, h->reply);
		if (!rule)
			rule = sim_nat_rule(r->sim, prev->netns, h->reply);
		if (rule)
			h->nat_rule = nm_xstrdup(rule);
		ct = ct_in(r, h->netns);
		if (ct)
			h->nat_ct = trace_ct_str(ct);
	}
}

static void copy_causes(struct trace_result *r)
{
	size_t i;

	for (i = 0; r->sim && i < r->sim->n_causes; i++) {
		const struct diag_cause *c = &r->sim->causes[i];
		struct diag_cause *d = NM_PUSH(r->causes, r->n_causes);

		d->id = c->id;
		d->code = c->code;
		d->netns = nm_xstrdup(c->netns ? c->netns : "");
		d->message = nm_xstrdup(c->message ? c->message : "");
		d->evidence = nm_xstrdup(c->evidence ? c->evidence : "");
		d->fix = nm_xstrdup(c->fix ? c->fix : "");
		d->reply = c->reply;
		d->hop = 0;	/* simulated hop numbers do not apply to the live table */
	}
}

static char *hop_str(const struct trace_hop *h)
{
	char t[160];

	return nm_xasprintf("%s %s %s (%s)%s", h->netns, h->ifname, h->direction,
			    trace_tuple_str(&h->t, t, sizeof(t)), h->reply ? " reply" : "");
}

static void conclude(struct trace_result *r)
{
	const struct path_result *sim = r->sim;
	const struct trace_hop *home = NULL, *left = NULL;
	size_t i;
	char a[64], t[160];

	r->last_seen = r->next_expected = -1;
	for (i = 0; i < r->n_hops; i++) {
		const struct trace_hop *h = &r->hops[i];

		if (!h->observed)
			continue;
		r->last_seen = (int)i;
		if (h->reply && !strcmp(h->netns, r->src_label) && !strcmp(h->direction, "in") && !home)
			home = h;
		if (!h->reply && sim && sim->left_host && sim->leave_ifname && sim->leave_netns &&
		    !strcmp(h->netns, sim->leave_netns) && !strcmp(h->ifname, sim->leave_ifname) &&
		    !strcmp(h->direction, "out"))
			left = h;
	}
	if (r->last_seen >= 0)
		for (i = (size_t)r->last_seen + 1; i < r->n_hops; i++)
			if (!r->hops[i].observed) {
				r->next_expected = (int)i;
				break;
			}
	if (home) {
		bool error = home->icmp_type == 3 || home->icmp_type == 11;

		if (error && !nm_ip_equal(&home->t.src, &r->ident.orig.dst)) {
			r->verdict = PATH_UNREACHABLE;
			r->summary = nm_xasprintf("ICMP %s (code %u) from %s came back to %s:%s after %.3f ms",
				home->icmp_type == 3 ? "destination unreachable" : "time exceeded",
				home->icmp_code, nm_ip_str(&home->t.src, a, sizeof(a), false),
				home->netns, home->ifname, home->time_ms);
			copy_causes(r);
			return;
		}
		r->verdict = PATH_REACHED;
		r->summary = nm_xasprintf("the reply came back to %s:%s after %.3f ms%s", home->netns,
			home->ifname, home->time_ms,
			error ? " (the destination answered port unreachable)" :
			(home->t.proto == PATH_PROTO_TCP && (home->tcp_flags & 0x04)) ?
			" (the destination answered with a reset: port closed)" : "");
		return;
	}
	copy_causes(r);
	if (r->send_error) {
		r->summary = nm_xasprintf("the probe could not be sent from %s: %s", r->src_label,
					  strerror(-r->send_error));
		r->verdict = r->send_error == -ENETUNREACH || r->send_error == -EHOSTUNREACH ?
			     PATH_UNREACHABLE : PATH_UNDETERMINED;
		if (sim && (sim->verdict == PATH_DROPPED || sim->verdict == PATH_UNREACHABLE))
			r->verdict = sim->verdict;
		return;
	}
	if (r->last_seen < 0) {
		r->summary = nm_xasprintf("the probe was not seen on any interface within %g s",
					  r->timeout);
	} else {
		char *ls = hop_str(&r->hops[r->last_seen]);

		if (r->next_expected >= 0) {
			const struct trace_hop *nx = &r->hops[r->next_expected];

			r->summary = nm_xasprintf("last seen: %s at +%.3f ms; next expected: %s %s %s%s",
				ls, r->hops[r->last_seen].time_ms, nx->netns, nx->ifname, nx->direction,
				nx->reply ? " (reply)" : "");
		} else {
			r->summary = nm_xasprintf("last seen: %s at +%.3f ms; no reply within %g s", ls,
				r->hops[r->last_seen].time_ms, r->timeout);
		}
		free(ls);
	}
	/* The capture's own evidence for the simulation's NO_SNAT. */
	for (i = 0; left && i < r->n_causes; i++) {
		struct diag_cause *c = &r->causes[i];
		char *ev;

		if (c->id != DIAG_NO_SNAT || !path_ip_private(&left->t.src))
			continue;
		ev = nm_xasprintf("%s%scaptured: %s %s out with source %s at +%.3f ms", c->evidence,
				  *c->evidence ? "; " : "", left->netns, left->ifname,
				  nm_ip_str(&left->t.src, a, sizeof(a), false), left->time_ms);
		free(c->evidence);
		c->evidence = ev;
	}
	if (left && !r->n_causes && !path_ip_private(&left->t.src)) {
		struct diag_kv kv[2];
		char *why = nm_xasprintf("the probe left as %s and no reply came back within %g s",
					 trace_tuple_str(&left->t, t, sizeof(t)), r->timeout);
		char *ev = nm_xasprintf("captured: %s %s out at +%.3f ms, nothing back on it",
					left->netns, left->ifname, left->time_ms);

		kv[0] = (struct diag_kv){ "ifname", left->ifname };
		kv[1] = (struct diag_kv){ "why", why };
		diag_add(&r->causes, &r->n_causes, DIAG_UPSTREAM_NO_REPLY, left->netns, ev, kv, 2);
		free(why);
		free(ev);
	}
	if (sim && (sim->verdict == PATH_DROPPED || sim->verdict == PATH_UNREACHABLE ||
		    sim->verdict == PATH_NO_REPLY))
		r->verdict = sim->verdict;
	else if (left || (r->last_seen >= 0 && r->hops[r->last_seen].reply))
		r->verdict = PATH_NO_REPLY;
	else
		r->verdict = PATH_UNDETERMINED;
	if (!r->n_causes)
		nm_warn(&r->notes, &r->n_notes, "the simulation finds no cause on this host for the loss");
}

void trace_build(struct trace_result *r, const struct nm_snapshot *s, const struct trace_nsinfo *nss,
		 size_t n_ns, const struct trace_cap *caps, size_t n_caps)
{
	struct expect *ex = NULL;
	size_t n_ex = build_expect(s, r->sim, &ex);
	struct trace_hop *obs = NULL, *out = NULL;
	size_t n_obs = 0, n_out = 0, i, k, next = 0;
	bool any_later;

	/* Our packets, once per (namespace, interface, direction, way): a TCP SYN retransmit or
	 * the ACK after the SYN-ACK adds nothing to the path. */
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
		for (k = 0; k < n_obs; k++)
			if (!strcmp(obs[k].netns_id, ns->id) && !strcmp(obs[k].ifname, l ? l->ifname : ifn) &&
			    obs[k].direction == dir && obs[k].reply == reply)
				break;
		if (k < n_obs)
			continue;
		h = NM_PUSH(obs, n_obs);
		h->n = (int)n_obs;
		h->reply = reply;
		h->netns = nm_xstrdup(ns_label(ns));
		h->netns_id = nm_xstrdup(ns->id);
		h->ifname = nm_xstrdup(l ? l->ifname : ifn);
		h->direction = dir;
		h->observed = true;
		h->status = "observed";
		h->time_ms = c->time_ms;
		h->t = c->pkt.t;
		h->icmp_type = c->pkt.icmp_type;
		h->icmp_code = c->pkt.icmp_code;
		h->tcp_flags = c->pkt.tcp_flags;
		h->rank = -1;
		for (k = 0; k < n_ex; k++)
			if (!ex[k].used && same_ns(ns, ex[k].netns_id) && !strcmp(ex[k].ifname, h->ifname) &&
			    !strcmp(ex[k].dir, dir) && ex[k].reply == reply) {
				ex[k].used = true;
				h->rank = (int)k;
				h->predicted = true;
				break;
			}
	}
	nm_qsort(obs, n_obs, sizeof(*obs), cmp_cap);

	/* Merge: observed hops in time order, the predicted hops nobody saw in their place. */
	for (i = 0; i <= n_obs; i++) {
		size_t upto = i < n_obs ? (obs[i].rank >= 0 ? (size_t)obs[i].rank : next) : n_ex;

		for (; next < upto && next < n_ex; next++) {
			struct trace_hop *h;

			if (ex[next].used)
				continue;
			h = NM_PUSH(out, n_out);
			h->reply = ex[next].reply;
			h->netns = nm_xstrdup(ex[next].netns);
			h->netns_id = nm_xstrdup(ex[next].netns_id);
			h->ifname = nm_xstrdup(ex[next].ifname);
			h->direction = ex[next].dir;
			h->predicted = true;
			h->rank = (int)next;
			tuple_of_hop(r, ex[next].h, &h->t);
		}
		if (i < n_obs) {
			if (obs[i].rank >= 0 && (size_t)obs[i].rank >= next)
				next = (size_t)obs[i].rank + 1;
			*NM_PUSH(out, n_out) = obs[i];
		}
	}
	free(obs);
	any_later = false;
	for (i = n_out; i-- > 0;) {
		out[i].n = (int)i + 1;
		if (out[i].observed)
			any_later = true;
		else
			out[i].status = any_later ? "inferred" : "missing";
	}
	r->hops = out;
	r->n_hops = n_out;
	free(ex);
	annotate_nat(r);
	conclude(r);
}

/* ---- the run ---- */

struct home_ctx {
	const struct trace_ident *id;
};

/* The reply is home: captured coming in in the source namespace (handle 0). */
static bool reply_home(const struct trace_cap *cap, void *arg)
{
	struct home_ctx *hc = arg;
	bool reply;

	return cap->ns == 0 && cap->pkt.pkttype != TRACE_PKT_OUTGOING &&
	       trace_match(hc->id, &cap->pkt, &reply) && reply;
}

static bool ct_same_proto(const struct trace_ct *ct, void *arg)
{
	const struct trace_ident *id = arg;

	return ct->orig.proto == id->orig.proto;
}

/* Follow the probe through every conntrack entry whose original tuple is a known form: the
 * reply tuple, turned around, is the form after that namespace's NAT. */
static void follow_conntrack(struct trace_result *r, struct trace_ct *all, size_t n_all)
{
	bool *used = nm_xcalloc(n_all ? n_all : 1, sizeof(*used));
	bool changed = true;
	size_t i, k;

	while (changed) {
		changed = false;
		for (i = 0; i < n_all; i++) {
			struct trace_tuple rev;
			bool known = trace_tuple_equal(&all[i].orig, &r->ident.orig);

			if (used[i])
				continue;
			for (k = 0; k < r->ident.n_forms && !known; k++)
				known = trace_tuple_equal(&all[i].orig, &r->ident.forms[k]);
			if (!known)
				continue;
			used[i] = true;
			changed = true;
			trace_tuple_reverse(&all[i].reply, &rev);
			trace_ident_add_form(&r->ident, &rev);
			*NM_PUSH(r->cts, r->n_cts) = all[i];
			memset(&all[i], 0, sizeof(all[i]));
		}
	}
	for (i = 0; i < n_all; i++)
		trace_ct_clear(&all[i]);
	free(used);
}

static void sim_forms(struct trace_result *r)
{
	size_t i;

	for (i = 0; r->sim && i < r->sim->n_hops; i++) {
		const struct path_hop *h = &r->sim->hops[i];
		struct trace_tuple t, rev;

		if (h->kind != PATH_HOP_NAT)
			continue;
		tuple_of_hop(r, h, &t);
		if (h->reply) {
			trace_tuple_reverse(&t, &rev);
			trace_ident_add_form(&r->ident, &rev);
		} else {
			trace_ident_add_form(&r->ident, &t);
		}
	}
}

/* --drop-reason: the tracefs instance, watching the interfaces of the simulated path. */
static void start_drop(struct trace_result *r, const struct path_result *sim,
		       struct trace_dropmon **dm)
{
	const char *names[64];
	size_t n = 0, i, k;
	char why[256];

	r->drop_asked = true;
	for (i = 0; sim && i < sim->n_hops && n < 64; i++) {
		const char *nm = sim->hops[i].ifname;

		if (!nm || !*nm || strchr(nm, '"'))
			continue;
		for (k = 0; k < n && strcmp(names[k], nm); k++)
			;
		if (k == n)
			names[n++] = nm;
	}
	if (trace_drop_open(dm, names, n, why, sizeof(why)) < 0) {
		r->drop_unavailable = nm_xstrdup(why);
		nm_warn(&r->notes, &r->n_notes, "--drop-reason: %s; continuing without kernel drop "
			"reasons", why);
	}
}

int trace_run(const struct nm_snapshot *s, const struct path_query *q, const struct path_result *sim,
	      const struct trace_opts *o, struct trace_result **out)
{
	struct trace_result *r;
	struct trace_nsinfo *nss = NULL;
	struct trace_capture *cap = NULL;
	struct trace_nft *nft = NULL;
	struct trace_dropmon *dm = NULL;
	struct trace_probe pr;
	struct trace_ct *all = NULL;
	struct trace_cap *caps = NULL;
	const struct trace_cap *got;
	struct home_ctx hc;
	size_t n_ns, n_all = 0, n_caps = 0, i;
	char *filter;
	int ret;

	*out = NULL;
	if (q->dst.family != AF_INET)
		return -EAFNOSUPPORT;
	r = nm_xcalloc(1, sizeof(*r));
	r->sim = sim;
	r->src_label = nm_xstrdup(ns_label(q->src_ns));
	r->timeout = o && o->timeout > 0 ? o->timeout : 2.0;
	n_ns = pick_namespaces(s, q->src_ns, sim, &nss);

	ret = trace_probe_open(q->src_ns, q, sim ? &sim->src : &q->src, &pr);
	if (ret < 0) {
		free(nss);
		trace_result_free(r);
		return ret;
	}
	r->ident.orig = pr.t;
	memcpy(r->ident.cookie, pr.cookie, TRACE_COOKIE_LEN);
	r->ident.has_cookie = pr.t.proto != PATH_PROTO_TCP;
	sim_forms(r);
	filter = trace_bpf_filter(&r->ident);
	ret = trace_capture_open(&cap, nss, n_ns, filter, &r->notes, &r->n_notes);
	free(filter);
	if (ret < 0)
		goto fail;
	if (o && o->drop_reason)
		start_drop(r, sim, &dm);
	if (o && o->nft_trace &&
	    trace_nft_start(&nft, nss, n_ns, &r->ident, &r->notes, &r->n_notes) < 0)
		nm_warn(&r->notes, &r->n_notes, "--nft-trace: no namespace could be traced");
	if (o && o->stop && *o->stop) {
		ret = -EINTR;
		goto fail;
	}

	ret = trace_probe_send(&pr);
	r->send_error = ret;
	r->ident.orig = pr.t;	/* TCP learns its source address at connect time */
	hc.id = &r->ident;
	ret = trace_capture_loop(cap, pr.sent ? pr.sent_ms + r->timeout * 1e3 : trace_now_ms() + 100,
				 reply_home, &hc, o ? o->stop : NULL);
	if (ret < 0)
		goto fail;

	/* Conntrack right after the capture, while the probe's entries are fresh. */
	for (i = 0; i < n_ns; i++)
		if (trace_ct_dump(nss[i].ns, &all, &n_all, ct_same_proto, &r->ident) == -EPERM)
			break;
	follow_conntrack(r, all, n_all);
	free(all);
	trace_nft_read(nft, &r->notes, &r->n_notes);
	trace_drop_read(dm);

	got = trace_capture_packets(cap, &n_caps);
	caps = nm_xcalloc(n_caps ? n_caps : 1, sizeof(*caps));
	for (i = 0; i < n_caps; i++) {
		caps[i] = got[i];
		caps[i].time_ms -= pr.sent ? pr.sent_ms : 0;
	}
	trace_build(r, s, nss, n_ns, caps, n_caps);
	free(caps);
	if (nft) {
		const struct trace_nft_event *ev;
		size_t n_ev;

		ev = trace_nft_events(nft, &n_ev);
		trace_nft_attach(r, nss, n_ns, ev, n_ev);
	}
	trace_nft_stop(nft);
	if (dm && pr.sent)
		trace_drop_attach(r, dm, pr.sent_ms);
	trace_drop_close(dm);
	trace_capture_close(cap, &r->pcap_drops);
	trace_probe_close(&pr);
	if (r->pcap_drops)
		nm_warn(&r->notes, &r->n_notes, "the capture dropped %u packets", r->pcap_drops);
	free(nss);
	*out = r;
	return 0;
fail:
	trace_nft_stop(nft);
	trace_drop_close(dm);
	trace_capture_close(cap, NULL);
	trace_probe_close(&pr);
	free(nss);
	trace_result_free(r);
	return ret;
}

void trace_result_free(struct trace_result *r)
{
	size_t i, k;

	if (!r)
		return;
	free(r->summary);
	free(r->src_label);
	free(r->ident.forms);
	for (i = 0; i < r->n_hops; i++) {
		free(r->hops[i].netns);
		free(r->hops[i].netns_id);
		free(r->hops[i].ifname);
		free(r->hops[i].nat_rule);
		free(r->hops[i].nat_ct);
		for (k = 0; k < r->hops[i].n_rules; k++)
			trace_rule_clear(&r->hops[i].rules[k]);
		free(r->hops[i].rules);
	}
	free(r->hops);
	for (i = 0; i < r->n_causes; i++)
		diag_cause_clear(&r->causes[i]);
	free(r->causes);
	for (i = 0; i < r->n_cts; i++)
		trace_ct_clear(&r->cts[i]);
	free(r->cts);
	for (i = 0; i < r->n_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->nft_drop_netns);
	trace_rule_clear(&r->nft_drop);
	free(r->drop_unavailable);
	trace_kdrop_free(r->kdrop);
	free(r);
}

int trace_exit_code(const struct trace_result *r)
{
	return r->verdict == PATH_REACHED ? 0 : 3;
}

size_t trace_add_evidence(struct trace_result *r, size_t pick, char *what)
{
	char *ev;

	if (!pick && r->n_causes)
		pick = 1;	/* no cause in that namespace: the first cause is the one explained */
	if (!pick) {
		nm_warn(&r->notes, &r->n_notes, "%s", what);
		free(what);
		return 0;
	}
	ev = nm_xasprintf("%s%s%s", r->causes[pick - 1].evidence,
			  *r->causes[pick - 1].evidence ? "; " : "", what);
	free(r->causes[pick - 1].evidence);
	r->causes[pick - 1].evidence = ev;
	free(what);
	return pick;
}
