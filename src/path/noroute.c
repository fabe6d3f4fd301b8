/* SPDX-License-Identifier: GPL-2.0-or-later */
/* noroute.c - why a route lookup failed: the source's own problems, or no route (a gateway guessed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "path_int.h"

/* The routes of ns of the family, as the evidence of NO_ROUTE. */
static char *routes_text(const struct nm_netns *ns, uint8_t family)
{
	char *out = nm_xstrdup("");
	size_t i, n = 0;

	for (i = 0; i < ns->n_routes; i++) {
		const struct nm_route *r = &ns->routes[i];
		char *t, *o;

		if (r->family != family || r->table == PATH_TABLE_LOCAL)
			continue;
		t = nm_route_str(r, NM_RT_LOOKUP);
		o = nm_xasprintf("%s%s%s", out, n ? "; " : "", t);
		free(t);
		free(out);
		out = o;
		n++;
	}
	if (!n) {
		free(out);
		out = nm_xstrdup("no routes at all");
	}
	return out;
}

/* Nobody on the source's subnet can be a gateway yet: the far side of its link (the bridge)
 * needs an address first, the blog's "add br0 an IP address" step. On success *g is that
 * address and pre the command that adds it. */
static bool far_side_needs_addr(const struct walk *w, const struct nm_netns *ns, uint8_t family,
				struct nm_ip *g, char *pre, size_t prelen)
{
	size_t i, j;

	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *sl = &ns->links[i];
		const struct nm_netns *fns;
		const struct nm_link *fl, *br;
		const struct nm_addr *mine = NULL;
		char gws[64];
		char *fx;

		if (nm_link_is_loopback(sl))
			continue;
		for (j = 0; j < sl->n_addrs; j++)
			if (sl->addrs[j].local.family == family)
				mine = &sl->addrs[j];
		if (!mine || path_far_subnet(w->s, sl, &fns, &fl))
			continue;
		fns = path_peer_netns(w->s, sl, &fl);
		if (!fns)
			continue;
		if (fl->master && (br = nm_find_link(fns, fl->master)))
			fl = br;
		if (!path_free_host(w->s, ns, &mine->local, true, g))
			continue;
		fx = path_ns_exec(fns);
		snprintf(pre, prelen, "%sip addr add %s/%u dev %s\n", fx, path_ipstr(g, gws, sizeof(gws)),
			 mine->local.plen, fl->ifname);
		free(fx);
		return true;
	}
	return false;
}

bool path_no_route(struct walk *w, const struct nm_netns *ns, struct nf_pkt *p,
		   const struct nm_link **ol, struct nm_ip *gw, bool source)
{
	char a1[64], a2[64], gws[64], pre[256] = "";
	char *ev = routes_text(ns, p->dst.family);
	struct nm_ip g = { 0 };
	const struct nm_link *l = NULL;
	bool have = path_guess_gateway(w, ns, &p->dst, &g);

	if (!have && source)
		have = far_side_needs_addr(w, ns, p->dst.family, &g, pre, sizeof(pre));
	if (have && !path_connected_addr(ns, &g, &l) && w->hyp_addr.family &&
	    nm_ip_in_prefix(&g, &w->hyp_addr))
		l = w->hyp_addr_link;
	path_add_cause(w, DIAG_NO_ROUTE, ns, ev, "dst", path_ipstr(&p->dst, a1, sizeof(a1)),
		       "gw", have ? path_ipstr(&g, gws, sizeof(gws)) : "<gateway>", "pre", pre,
		       "why", have ? "" : " and no neighbour that could be its gateway",
		       "src", path_ipstr(&p->src, a2, sizeof(a2)), NULL);
	path_add_hop(w, PATH_HOP_ROUTE, ns, NULL, p->iif ? "forward" : "out", p, NULL, "NO ROUTE", false,
		     "no route to %s (%s)", path_ipstr(&p->dst, a1, sizeof(a1)), ev);
	free(ev);
	if (!have || !l || w->outside)
		return false;
	*ol = l;
	*gw = g;
	nm_warn(&w->r->notes, &w->r->n_notes, "%s: assuming a default route via %s to look further",
		ns->label, path_ipstr(&g, gws, sizeof(gws)));
	return true;
}

/* ---- the source namespace ---- */

static int common_prefix(const char *a, const char *b)
{
	int n = 0;

	while (a && b && a[n] && a[n] == b[n])
		n++;
	return n;
}

/* The namespace a bare one should be wired to: where forwarding and a default route are;
 * among equals, namespaces made together share a prefix (a lab, a project). */
static const struct nm_netns *likely_router(const struct nm_snapshot *s, const struct nm_netns *ns)
{
	const struct nm_netns *router = NULL;
	int best = -1;
	size_t i;

	for (i = 0; i < s->n_netns; i++) {
		const struct nm_netns *o = &s->netns[i];
		int sc;

		if (o == ns)
			continue;
		sc = ((o->sysctl.ip_forward == 1) * 2 + path_has_default_route(o, AF_INET)) * 1000 +
		     common_prefix(o->label, ns->label);
		if (!router || sc > best) {
			router = o;
			best = sc;
		}
	}
	return router;
}

/* A bare namespace (lo only): suggest a veth pair to the namespace that routes. */
static void peer_missing(struct walk *w, const struct nm_netns *ns, const struct nf_pkt *p)
{
	const struct nm_netns *router = likely_router(w->s, ns);
	char ifn[16], *hexec, *nsarg;
	int k;

	for (k = 1; k < 100; k++) {
		snprintf(ifn, sizeof(ifn), "veth%d", k);
		if (!nm_find_link(ns, ifn) && (!router || !nm_find_link(router, ifn)))
			break;
	}
	hexec = path_ns_exec(router);
	nsarg = path_ns_arg(ns);
	if (ns->container && ns->container->name && ns->container->runtime &&
	    (!strcmp(ns->container->runtime, "docker") || !strcmp(ns->container->runtime, "podman"))) {
		/* --network none: the engine wires containers, a veth by hand is not its */
		const char *rt = ns->container->runtime, *n = ns->container->name;
		/* the engine refuses a second network next to "none": leave it first */
		char *cmd = nm_xasprintf("%s network disconnect none %s\n%s network connect %s %s", rt, n,
					 rt, !strcmp(rt, "docker") ? "bridge" : "podman", n);

		path_add_cause(w, DIAG_PEER_MISSING, ns, "links: lo only (a container with no network)",
			       "cmd", cmd, NULL);
		free(cmd);
	} else {
		char *cmd = nm_xasprintf("%sip link add %s-br type veth peer name %s netns %s", hexec,
					 ifn, ifn, nsarg);

		path_add_cause(w, DIAG_PEER_MISSING, ns, "links: lo only", "cmd", cmd, NULL);
		free(cmd);
	}
	free(hexec);
	free(nsarg);
	path_add_hop(w, PATH_HOP_ROUTE, ns, NULL, "out", p, NULL, "NO LINK", false,
		     "no interface except lo");
}

/* No address of the family on any link: suggest one from the subnet of the far side, and
 * go on as if it were there (from link l, or the link that has a far side). */
static void no_address(struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
		       struct nf_pkt *p)
{
	const struct nm_netns *fns;
	const struct nm_link *fl;
	const struct nm_addr *fa = NULL;
	struct nm_ip sug = { 0 };
	char a[64], sugs[80];
	size_t i;

	for (i = 0; i < ns->n_links && !fa; i++)
		if (!nm_link_is_loopback(&ns->links[i]) &&
		    (fa = path_far_subnet(w->s, &ns->links[i], &fns, &fl)))
			l = &ns->links[i];
	if (fa && path_free_host(w->s, ns, &fa->local, false, &sug)) {
		snprintf(sugs, sizeof(sugs), "%s/%u", path_ipstr(&sug, a, sizeof(a)), fa->local.plen);
	} else {
		snprintf(sugs, sizeof(sugs), "10.0.0.1/24");
		nm_ip_parse("10.0.0.1", &sug);
	}
	path_add_cause(w, DIAG_NO_ADDRESS, ns, "no global address on any interface", "ifname",
		       l->ifname, "addr", sugs, NULL);
	p->src = sug;
	w->hyp_addr = sug;
	w->hyp_addr.plen = fa ? fa->local.plen : 24;
	w->hyp_addr_link = l;
}

bool path_source_problems(struct walk *w, const struct nm_netns *ns, struct nf_pkt *p)
{
	size_t i, j, n_ifs = 0;
	bool any_addr = false;
	const struct nm_link *cand = NULL;
	char a[64];

	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];

		if (nm_link_is_loopback(l))
			continue;
		n_ifs++;
		if (!cand)
			cand = l;
		for (j = 0; j < l->n_addrs; j++)
			if (l->addrs[j].local.family == p->dst.family &&
			    (!l->addrs[j].scope || strcmp(l->addrs[j].scope, "link")))
				any_addr = true;
	}
	if (!n_ifs) {
		peer_missing(w, ns, p);
		return false;
	}
	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];

		if (nm_link_is_loopback(l) || path_link_up(l))
			continue;
		snprintf(a, sizeof(a), "%s: state %s (no UP flag)", l->ifname, l->state ? l->state : "?");
		path_add_cause(w, DIAG_LINK_DOWN, ns, a, "ifname", l->ifname, NULL);
	}
	if (!any_addr)
		no_address(w, ns, cand, p);
	return true;
}
