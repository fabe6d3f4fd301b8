/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walk.c - walk a packet the way the kernel would, out and back: output, input, forwarding, verdict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "path_int.h"

bool path_budget(struct walk *w)
{
	if (++w->steps > PATH_MAX_STEPS) {
		nm_warn(&w->r->notes, &w->r->n_notes, "the walk stopped after %d steps: a path this "
			"long is not followed further, its end is undetermined", PATH_MAX_STEPS);
		return false;
	}
	return true;
}

enum walk_end path_deliver(struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
			   struct nf_pkt p)
{
	char a[64];

	p.oif = NULL;
	path_run_hook(w, ns, NF_HOOK_INPUT, &p);
	path_add_hop(w, PATH_HOP_LOCAL, ns, l ? l->ifname : NULL, "local", &p, NULL, "DELIVERED", true,
		     "%s is an address of %s", path_ipstr(&p.dst, a, sizeof(a)), ns->label);
	w->end_ns = ns;
	w->end_link = l;
	w->end_pkt = p;
	return WALK_LOCAL;
}

/* Follow the route the lookup rr found in ns (dir: "out" or "forward"): *ol and *gw, and the
 * route as text (malloc'd). Without a route, the diagnosis (of the source too when source is
 * set) and, when a gateway can be guessed, an assumed default route. NULL when the walk
 * stops here. */
static char *follow_route(struct walk *w, const struct nm_netns *ns,
			  const struct path_route_res *rr, struct nf_pkt *p, const char *dir,
			  bool source, const struct nm_link **ol, struct nm_ip *gw)
{
	char a[64];
	char *rt;

	if (rr->reject) {
		rt = rr->route ? nm_route_str(rr->route, NM_RT_LOOKUP) :
			nm_xasprintf("rule %u: %s", rr->rule_prio, rr->reject_type);
		path_add_cause(w, DIAG_ROUTE_REJECT, ns, rt, "type", rr->reject_type, "dst",
			       path_ipstr(&p->dst, a, sizeof(a)), "route", rt, "routekey", rt, NULL);
		path_add_hop(w, PATH_HOP_ROUTE, ns, NULL, dir, p, NULL, "REJECT", false, "%s", rt);
		free(rt);
		return NULL;
	}
	if (!rr->route) {
		if (source && !path_source_problems(w, ns, p))
			return NULL;
		if (!path_no_route(w, ns, p, ol, gw, source))
			return NULL;
		return nm_xasprintf("default via %s dev %s (assumed)", path_ipstr(gw, a, sizeof(a)),
				    (*ol)->ifname);
	}
	*ol = rr->dev ? nm_find_link(ns, rr->dev) : NULL;
	*gw = rr->gateway;
	rt = nm_route_str(rr->route, NM_RT_LOOKUP);
	if (!*ol) {
		path_add_hop(w, PATH_HOP_ROUTE, ns, rr->dev, dir, p, NULL, "FAIL", false,
			     "%s: device not in the snapshot", rt);
		free(rt);
		return NULL;
	}
	return rt;
}

/* ---- a locally generated packet ---- */

/* To an address of ns itself: out through lo and delivered. */
static enum walk_end output_local(struct walk *w, const struct nm_netns *ns,
				  const struct path_route_res *rr, struct nf_pkt p)
{
	char a[64];

	/* like the kernel: a packet to one of our own addresses leaves from the route's
	 * preferred source, which is that address */
	if (!p.src.family) {
		p.src = rr->route && rr->route->prefsrc.family ? rr->route->prefsrc : p.dst;
		p.src.plen = p.src.family == AF_INET ? 32 : 128;
	}
	path_add_hop(w, PATH_HOP_ROUTE, ns, "lo", "out", &p, NULL, "LOCAL", true,
		     "%s is local (table local)", path_ipstr(&p.dst, a, sizeof(a)));
	path_run_hook(w, ns, NF_HOOK_OUTPUT, &p);
	return path_deliver(w, ns, nm_find_link_addr(ns, &p.dst), p);
}

/* A locally generated packet (or a reply from a local address). */
enum walk_end path_output(struct walk *w, const struct nm_netns *ns, struct nf_pkt p)
{
	struct path_route_res rr;
	struct nm_flow fl = { .src = p.src, .dst = p.dst, .mark = p.mark };
	const struct nm_link *ol = NULL;
	struct nm_ip gw = { 0 }, nh;
	char *rt;

	if (!path_budget(w))
		return WALK_STOP;
	p.iif = NULL;
	p.oif = NULL;
	path_route_lookup(ns, &fl, &rr);
	if (rr.local)
		return output_local(w, ns, &rr, p);
	rt = follow_route(w, ns, &rr, &p, "out", !w->reply && ns == w->q->src_ns, &ol, &gw);
	if (!rt)
		return WALK_STOP;
	nh = gw.family ? gw : p.dst;
	if (!p.src.family && !path_select_src(ns, rr.route, ol->ifname, &nh, &p.src)) {
		char ev[160];

		snprintf(ev, sizeof(ev), "no global address on %s", ol->ifname);
		path_add_cause(w, DIAG_NO_ADDRESS, ns, ev, "ifname", ol->ifname, "addr",
			       "<address/prefix>", NULL);
		free(rt);
		return WALK_STOP;
	}
	path_add_hop(w, PATH_HOP_ROUTE, ns, ol->ifname, "out", &p, NULL, "ROUTE", true, "%s%s", rt,
		     rr.rule && rr.table != PATH_TABLE_MAIN && rr.table != PATH_TABLE_LOCAL &&
		     rr.table != PATH_TABLE_DEFAULT ? " (policy rule)" : "");
	free(rt);
	p.oif = ol->ifname;
	path_run_hook(w, ns, NF_HOOK_OUTPUT, &p);
	return path_egress(w, ns, ol, &gw, p);
}

/* ---- a received packet ---- */

/* The forwarding decision: the input device must forward (ip_route_input_slow). */
static void forward_decision(struct walk *w, const struct nm_netns *ns, const struct nm_link *iif,
			     const struct nf_pkt *p)
{
	char key[64], ev[96];

	if (ns->sysctl.ip_forward == 0) {
		path_add_cause(w, DIAG_FORWARDING_DISABLED, ns, "net.ipv4.ip_forward = 0", "sysctl",
			       p->dst.family == AF_INET6 ? "net.ipv6.conf.all.forwarding" :
			       "net.ipv4.ip_forward", "value", "0", NULL);
		path_add_hop(w, PATH_HOP_FORWARD, ns, iif->ifname, "forward", p, NULL, "DROP", false,
			     "net.ipv4.ip_forward = 0");
	} else if (iif->forwarding == 0) {
		snprintf(key, sizeof(key), "net.ipv4.conf.%s.forwarding", iif->ifname);
		snprintf(ev, sizeof(ev), "%s = 0", key);
		path_add_cause(w, DIAG_FORWARDING_DISABLED, ns, ev, "sysctl", key, "value", "0", NULL);
		path_add_hop(w, PATH_HOP_FORWARD, ns, iif->ifname, "forward", p, NULL, "DROP", false,
			     "%s", ev);
	} else {
		path_add_hop(w, PATH_HOP_FORWARD, ns, iif->ifname, "forward", p, NULL, "FORWARD", true,
			     "ip_forward = %d", ns->sysctl.ip_forward);
	}
}

/* Reverse path filter (fib_validate_source): the effective value is the maximum. */
static void check_rp_filter(struct walk *w, const struct nm_netns *ns, const struct nm_link *iif,
			    const struct nf_pkt *p)
{
	int eff = ns->sysctl.rp_filter_all > iif->rp_filter ? ns->sysctl.rp_filter_all : iif->rp_filter;
	struct path_route_res back;
	struct nm_flow bf = { .dst = p->src, .oif = NULL };
	char a[64], b[64], val[8], why[160], ev[200];
	bool ok;

	if (eff <= 0 || p->dst.family != AF_INET)
		return;
	path_route_lookup(ns, &bf, &back);
	if (eff == 1)
		ok = back.route && back.dev && !strcmp(back.dev, iif->ifname);
	else
		ok = back.route != NULL || back.local;
	if (ok)
		return;
	snprintf(val, sizeof(val), "%d", eff);
	snprintf(why, sizeof(why), "the route back to %s %s", path_ipstr(&p->src, a, sizeof(a)),
		 back.dev ? "goes out another interface" : "does not exist");
	snprintf(ev, sizeof(ev), "rp_filter all=%d %s=%d; route back: %s", ns->sysctl.rp_filter_all,
		 iif->ifname, iif->rp_filter, back.dev ? back.dev : "none");
	path_add_cause(w, DIAG_RP_FILTER, ns, ev, "src", path_ipstr(&p->src, b, sizeof(b)), "ifname",
		       iif->ifname, "value", val, "why", why, NULL);
}

/* The same packet routed in by the same namespace twice: a routing loop (ROUTE_LOOP). */
static bool route_loop(struct walk *w, const struct nm_netns *ns, const struct nf_pkt *p)
{
	struct walk_visit *v;
	size_t i, k;

	for (i = 0; i < w->n_visits; i++) {
		v = &w->visits[i];
		if (v->ns == ns && v->reply == w->reply && nm_ip_equal(&v->src, &p->src) &&
		    nm_ip_equal(&v->dst, &p->dst)) {
			char a[64], *loop = nm_xstrdup(""), *o;

			for (k = i; k < w->n_visits; k++) {
				o = loop;
				loop = nm_xasprintf("%s%s -> ", o, w->visits[k].ns->label);
				free(o);
			}
			o = loop;
			loop = nm_xasprintf("%s%s", o, ns->label);
			free(o);
			path_add_cause(w, DIAG_ROUTE_LOOP, ns, loop, "dst",
				       path_ipstr(&p->dst, a, sizeof(a)), "loop", loop, NULL);
			path_add_hop(w, PATH_HOP_ROUTE, ns, NULL, "forward", p, NULL, "LOOP", false,
				     "routed here before: %s", loop);
			free(loop);
			return true;
		}
	}
	v = NM_PUSH(w->visits, w->n_visits);
	v->ns = ns;
	v->src = p->src;
	v->dst = p->dst;
	v->reply = w->reply;
	return false;
}

/* A packet received on iif of ns (L3): prerouting, routing, local or forward. */
enum walk_end path_input(struct walk *w, const struct nm_netns *ns, const struct nm_link *iif,
			 struct nf_pkt p)
{
	struct path_route_res rr;
	struct nm_flow fl;
	const struct nm_link *ol = NULL;
	struct nm_ip gw = { 0 };
	struct path_hop *h;
	char *rt;

	if (!path_budget(w))
		return WALK_STOP;
	if (w->reply && w->outside && iif == w->uplink)
		w->outside = false;
	p.iif = iif->ifname;
	p.oif = NULL;
	p.phys_in = p.phys_out = NULL;
	p.bridged = false;
	path_undo_snat(w, ns, iif->ifname, &p);
	path_run_hook(w, ns, NF_HOOK_PREROUTING, &p);

	/* the kernel's route input refuses a source that is one of its own addresses
	 * (fib_validate_source; accept_local is not in the snapshot, and is 0 by default) */
	if (p.src.family && !nm_link_is_loopback(iif) && nm_find_link_addr(ns, &p.src)) {
		char a[64];

		path_ipstr(&p.src, a, sizeof(a));
		path_add_cause(w, DIAG_MARTIAN_SOURCE, ns, "the source is an address of this namespace",
			       "src", a, "ifname", iif->ifname, "why",
			       w->n_ct ? " (a DNAT sent it back to its sender)" : "", NULL);
		path_add_hop(w, PATH_HOP_ROUTE, ns, NULL, "in", &p, NULL, "MARTIAN", false,
			     "martian source %s on %s", a, iif->ifname);
		return WALK_STOP;
	}

	if (route_loop(w, ns, &p))
		return WALK_STOP;

	memset(&fl, 0, sizeof(fl));
	fl.src = p.src;
	fl.dst = p.dst;
	fl.iif = iif->ifname;
	fl.mark = p.mark;
	path_route_lookup(ns, &fl, &rr);
	if (rr.local || path_owns(w, ns, &p.dst))
		return path_deliver(w, ns, iif, p);
	rt = follow_route(w, ns, &rr, &p, "forward", false, &ol, &gw);
	if (!rt)
		return WALK_STOP;
	h = path_add_hop(w, PATH_HOP_ROUTE, ns, ol->ifname, "forward", &p, NULL, "ROUTE", true, "%s", rt);
	h->iif = nm_xstrdup(iif->ifname);
	free(rt);

	forward_decision(w, ns, iif, &p);
	check_rp_filter(w, ns, iif, &p);
	p.oif = ol->ifname;
	path_run_hook(w, ns, NF_HOOK_FORWARD, &p);
	return path_egress(w, ns, ol, &gw, p);
}

/* ---- out and back ---- */

/* A route's fix cannot work before the link or address it goes through is fixed
 * ("Nexthop has invalid gateway"): in each namespace, link and address causes come first. */
static void order_causes(struct path_result *r)
{
	size_t i, j;

	for (j = 1; j < r->n_causes; j++) {
		struct diag_cause c = r->causes[j];

		if (c.id != DIAG_LINK_DOWN && c.id != DIAG_NO_ADDRESS)
			continue;
		for (i = 0; i < j; i++) {
			const struct diag_cause *o = &r->causes[i];

			if ((o->id == DIAG_NO_ROUTE || o->id == DIAG_GATEWAY_UNREACHABLE) &&
			    o->reply == c.reply && !strcmp(o->netns, c.netns))
				break;
		}
		if (i == j)
			continue;
		memmove(&r->causes[i + 1], &r->causes[i], (j - i) * sizeof(c));
		r->causes[i] = c;
	}
}

static void set_verdict(struct walk *w, enum walk_end fwd)
{
	struct path_result *r = w->r;
	char a[64], b[64];

	order_causes(r);
	if (r->n_causes) {
		const struct diag_code *dc = diag_code(r->causes[0].id);

		if (dc->outcome == DIAG_OUT_UNDETERMINED)
			r->verdict = PATH_UNDETERMINED;
		else if (r->causes[0].reply || dc->outcome == DIAG_OUT_NO_REPLY)
			r->verdict = PATH_NO_REPLY;
		else if (dc->outcome == DIAG_OUT_DROPPED)
			r->verdict = PATH_DROPPED;
		else
			r->verdict = PATH_UNREACHABLE;
	} else if (fwd == WALK_LOCAL) {
		r->verdict = PATH_REACHED;
	} else {
		r->verdict = PATH_UNDETERMINED;
	}
	/* with causes, where the packet goes is what the walk assumed fixed: say so */
	if (r->n_causes) {
		const char *m = r->causes[0].message;
		size_t ml = strlen(m);

		r->summary = nm_xasprintf("%s: %.*s", r->causes[0].code,
					  (int)(ml && m[ml - 1] == '.' ? ml - 1 : ml), m);
	}
	if (r->left_host) {
		char *o = r->summary;

		r->summary = nm_xasprintf("%s%sleaves the host via %s as %s -> %s", o ? o : "",
					  o ? "; once fixed it " : "", r->leave_ifname,
					  path_ipstr(&r->leave_src, a, sizeof(a)),
					  path_ipstr(&r->dst, b, sizeof(b)));
		free(o);
	}
	if (fwd == WALK_LOCAL && r->reached) {
		char *o = r->summary;

		r->summary = nm_xasprintf("%s%sreaches %s in %s (simulated)", o ? o : "",
					  !o ? "" : r->n_causes && !r->left_host ? "; once fixed it " : "; ",
					  path_ipstr(&w->reached_dst, a, sizeof(a)), r->reached_netns);
		free(o);
	}
	if (!r->summary)
		r->summary = nm_xstrdup("leaves the snapshot");
}

/* The reply to the packet that ended as e: from where it was delivered (or from beyond the
 * uplink it left by) back to the source. */
static void walk_reply(struct walk *w, enum walk_end e)
{
	struct path_result *r = w->r;
	struct nf_pkt rp = { 0 };
	const struct nm_netns *fin;
	enum walk_end re;
	char a[64];

	rp.src = w->end_pkt.dst;
	rp.dst = w->end_pkt.src;
	rp.proto = w->end_pkt.proto;
	rp.sport = w->end_pkt.dport;
	rp.dport = w->end_pkt.sport;
	rp.ct_state = NF_CT_ESTABLISHED;
	rp.reply = true;
	w->reply = true;
	w->last_ns = NULL;
	if (e == WALK_LOCAL)
		re = path_output(w, w->end_ns, rp);
	else
		re = path_input(w, w->end_ns, w->end_link, rp);
	r->reply_checked = true;
	fin = w->end_ns;
	/* no source address yet (an assumed fix supplied it): the namespace is what counts */
	if (re == WALK_LOCAL && fin == w->q->src_ns &&
	    (!r->src.family || nm_ip_equal(&w->end_pkt.dst, &r->src))) {
		r->reply_ok = true;
	} else if (re == WALK_LOCAL) {
		nm_warn(&r->notes, &r->n_notes, "the reply is delivered to %s in %s, not to the source",
			path_ipstr(&w->end_pkt.dst, a, sizeof(a)), fin ? fin->label : "?");
		if (!r->n_causes)
			path_add_cause(w, DIAG_UPSTREAM_NO_REPLY, fin, "reply delivered elsewhere", "ifname",
				       r->leave_ifname ? r->leave_ifname : "?", "why",
				       "the reply does not come back to the source", NULL);
	}
	if (e == WALK_LEFT && re == WALK_LEFT && !r->n_causes)
		nm_warn(&r->notes, &r->n_notes, "the reply leaves the snapshot");
	w->end_ns = NULL;
}

int path_walk(const struct nm_snapshot *s, const struct path_query *q, struct path_result **out)
{
	int ret = path_walk_once(s, q, out);

	if (!ret && *out)
		path_check_fixes(s, q, *out);
	return ret;
}

int path_walk_once(const struct nm_snapshot *s, const struct path_query *q,
		   struct path_result **out)
{
	struct walk w = { .s = s, .q = q };
	struct nf_pkt p = { 0 };
	enum walk_end e;
	struct path_result *r;

	*out = NULL;
	if (!s || !q || !q->src_ns || !q->dst.family)
		return -EINVAL;
	r = nm_xcalloc(1, sizeof(*r));
	w.r = r;
	r->src_label = nm_xstrdup(q->src_ns->label ? q->src_ns->label : q->src_ns->id);
	r->dst = q->dst;
	r->proto = q->proto ? q->proto : PATH_PROTO_ICMP;
	p.src = q->src;
	p.dst = q->dst;
	p.proto = r->proto;
	if (p.proto == PATH_PROTO_TCP || p.proto == PATH_PROTO_UDP) {
		p.sport = q->sport ? q->sport : 40000;
		p.dport = q->dport ? q->dport : (p.proto == PATH_PROTO_TCP ? 80 : 53);
	}
	r->sport = p.sport;
	r->dport = p.dport;
	p.ct_state = NF_CT_NEW;

	e = path_output(&w, q->src_ns, p);
	if (r->n_hops) {
		/* the source as selected */
		r->src = r->hops[0].src;
	}
	if (e == WALK_LOCAL) {
		r->reached = true;
		r->reached_netns = nm_xstrdup(w.end_ns->label);
		w.reached_dst = w.end_pkt.dst;
	}
	if (e == WALK_LOCAL || e == WALK_LEFT)
		walk_reply(&w, e);
	set_verdict(&w, e);
	free(w.ct);
	free(w.visits);
	*out = r;
	return 0;
}
