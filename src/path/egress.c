/* SPDX-License-Identifier: GPL-2.0-or-later */
/* egress.c - a packet on the wire: out of an interface, across a veth or bridge, in on the far side. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "path_int.h"

/* GATEWAY_UNREACHABLE, found in ns, blamed on at: the fix adds an address of gw's subnet
 * (prefix length plen) to gwdev in ns. */
static void gateway_unreachable(struct walk *w, const struct nm_netns *at,
				const struct nm_netns *ns, const char *ev, const struct nm_ip *gw, const char *ifname, int plen,
				const char *gwdev)
{
	char *gx = path_ns_exec(ns);
	char b[64], pl[8];

	snprintf(pl, sizeof(pl), "%d", plen);
	path_add_cause(w, DIAG_GATEWAY_UNREACHABLE, at, ev, "gw", path_ipstr(gw, b, sizeof(b)),
		       "ifname", ifname, "gwexec", gx, "plen", pl, "gwdev", gwdev, NULL);
	free(gx);
}

/* The prefix length of the sender's subnet, as a fix would use it. */
static int fix_plen(const struct walk *w)
{
	return w->last_plen ? w->last_plen : 24;
}

/* The port of bridge br of ns (not skip) whose far side owns nh: *pns and *pp that side. */
static const struct nm_link *port_toward(const struct walk *w, const struct nm_netns *ns,
					 const struct nm_link *br, const struct nm_link *skip,
					 const struct nm_ip *nh, const struct nm_netns **pns,
					 const struct nm_link **pp)
{
	size_t i;

	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *port = &ns->links[i];

		if (port == skip || !path_is_port_of(w, port, br->ifname))
			continue;
		*pns = path_peer_netns(w->s, port, pp);
		if (*pns && path_owns(w, *pns, nh))
			return port;
	}
	return NULL;
}

/* ---- out of an interface ---- */

/* Is the next hop on a subnet of ns (or of the address assumed for the source)? */
static void check_next_hop(struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
			   const struct nm_ip *gw, const struct nm_ip *nh)
{
	const struct nm_addr *ca = path_connected_addr(ns, nh, NULL);
	char a[64], ev[160];

	w->last_plen = ca ? ca->local.plen : (w->hyp_addr.family ? w->hyp_addr.plen : 0);
	if (!gw || !gw->family || ca ||
	    (w->hyp_addr.family && ns == w->q->src_ns && nm_ip_in_prefix(gw, &w->hyp_addr)))
		return;
	snprintf(ev, sizeof(ev), "no address of %s has a subnet containing %s", ns->label,
		 path_ipstr(gw, a, sizeof(a)));
	gateway_unreachable(w, ns, ns, ev, gw, ol->ifname, 24, "<interface>");
}

/* The sending link must be up, and its peer too (or it has no carrier). */
static void check_links(struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
			const struct nm_netns *pns, const struct nm_link *peer)
{
	char ev[120];

	if (!path_link_up(ol)) {
		snprintf(ev, sizeof(ev), "%s: state %s (no UP flag)", ol->ifname, ol->state ? ol->state : "?");
		path_add_cause(w, DIAG_LINK_DOWN, ns, ev, "ifname", ol->ifname, NULL);
	}
	if (path_link_up(ol) && !path_link_carrier(ol) && peer && !path_link_up(peer)) {
		snprintf(ev, sizeof(ev), "%s in %s: no UP flag, so %s has no carrier", peer->ifname,
			 pns->label, ol->ifname);
		path_add_cause(w, DIAG_LINK_DOWN, pns, ev, "ifname", peer->ifname, NULL);
	}
}

/* The source's subnet as the MASQUERADE fix names it: its connected prefix in the source
 * namespace, or the address alone. */
static void source_subnet(const struct nm_netns *src_ns, const struct nm_ip *src, char *buf,
			  size_t len)
{
	const struct nm_addr *sa = path_connected_addr(src_ns, src, NULL);
	struct nm_ip sub;
	uint32_t v, mask;

	if (!sa) {
		nm_ip_str(src, buf, len, false);
		return;
	}
	sub = sa->local;
	mask = sub.plen ? ~0u << (32 - sub.plen) : 0;
	memcpy(&v, sub.addr, 4);
	v = htonl(ntohl(v) & mask);
	memcpy(sub.addr, &v, 4);
	nm_ip_str(&sub, buf, len, true);
}

/* Docker's bridge the source came from, when dockerd does not manage this namespace's
 * firewall ("iptables": false: a Docker bridge, no DOCKER chain anywhere). */
static const struct nm_link *docker_unmanaged(const struct nm_netns *ns, const struct nm_ip *src)
{
	const struct nm_link *br = NULL;
	size_t i, k;

	for (i = 0; i < ns->n_links && !br; i++) {
		const struct nm_link *l = &ns->links[i];

		if (!nm_link_is_bridge(l) ||
		    !(l->network || !strcmp(l->ifname, "docker0")))
			continue;
		for (k = 0; k < l->n_addrs; k++)
			if (l->addrs[k].local.family == src->family &&
			    nm_ip_in_prefix(src, &l->addrs[k].local))
				br = l;
	}
	if (!br)
		return NULL;
	for (i = 0; ns->netfilter && i < ns->netfilter->n_tables; i++)
		if (nf_chain_find(&ns->netfilter->tables[i], "DOCKER"))
			return NULL;
	return br;
}

/* The MASQUERADE in the tool of the namespace's nat table: nft for a native nat chain,
 * iptables-legacy for a legacy nat table, iptables (iptables-nft) otherwise. */
static char *masq_fix(const struct nm_netns *ns, const char *subnet, const char *oif, bool v6)
{
	const struct nf_ruleset *rs = ns->netfilter;
	const struct nf_table *native = NULL;
	const struct nf_chain *nc = NULL;
	bool legacy = false, ipt = false;
	size_t i, k;

	for (i = 0; rs && i < rs->n_tables; i++) {
		const struct nf_table *t = &rs->tables[i];

		if (t->backend == NF_BACKEND_IPTABLES_LEGACY && !strcmp(t->name, "nat"))
			legacy = true;
		if (t->backend == NF_BACKEND_IPTABLES_NFT && !strcmp(t->name, "nat"))
			ipt = true;
		for (k = 0; t->backend == NF_BACKEND_NFT && !native && k < t->n_chains; k++) {
			const struct nf_chain *c = &t->chains[k];

			if (c->base && c->hook == NF_HOOK_POSTROUTING && c->type &&
			    !strcmp(c->type, "nat") &&
			    (t->family == NF_FAMILY_INET || t->family == (v6 ? NF_FAMILY_IP6 : NF_FAMILY_IP))) {
				native = t;
				nc = c;
			}
		}
	}
	if (native && !ipt && !legacy)
		return nm_xasprintf("nft add rule %s %s %s %s saddr %s oifname \"%s\" masquerade",
				    nf_family_name(native->family), native->name, nc->name,
				    v6 ? "ip6" : "ip", subnet, oif);
	return nm_xasprintf("%s%s -t nat -A POSTROUTING -s %s -o %s -j MASQUERADE",
			    v6 ? "ip6tables" : "iptables", legacy && !ipt ? "-legacy" : "", subnet, oif);
}

/* A private source forwarded out of the uplink without SNAT: NO_SNAT, then on as if
 * MASQUERADE were there, to find the problems further along. */
static void assume_masquerade(struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
			      struct nf_pkt *p)
{
	struct nf_pkt before = *p;
	struct nm_ip m;
	char a[64], b[64], c[64], subs[64];
	char *ev;

	source_subnet(w->q->src_ns, &p->src, subs, sizeof(subs));
	ev = nm_xasprintf("nat POSTROUTING: no SNAT or MASQUERADE for %s out of %s",
			  path_ipstr(&p->src, a, sizeof(a)), ol->ifname);
	{
		const struct nm_link *dbr = docker_unmanaged(ns, &p->src);
		char *exec = path_ns_exec(ns), *mq = masq_fix(ns, subs, ol->ifname, p->src.family == AF_INET6);
		char *cmd = dbr ? nm_xasprintf("# %s is Docker's, but no DOCKER chain exists: dockerd "
					       "is not managing this firewall (\"iptables\": false in "
					       "/etc/docker/daemon.json, or --iptables=false?). Turn it "
					       "on, then: systemctl restart docker", dbr->ifname) :
			    nm_xasprintf("%s%s", exec, mq);

		path_add_cause(w, DIAG_NO_SNAT, ns, ev, "ifname", ol->ifname,
			       "src", path_ipstr(&p->src, b, sizeof(b)),
			       "dst", path_ipstr(&p->dst, c, sizeof(c)), "subnet", subs, "cmd", cmd, NULL);
		free(cmd);
		free(mq);
		free(exec);
	}
	free(ev);
	if (path_link_primary(ol, p->src.family, NULL, &m)) {
		p->src = m;
		p->ct_state |= NF_CT_SNAT;
		path_ct_record(w, ns, &before, p, true, false);
		path_add_hop(w, PATH_HOP_NAT, ns, ol->ifname, "POSTROUTING", &before, p, "ASSUMED", false,
			     "no MASQUERADE: assumed to look further");
	}
}

/* Does the far side pns (in the snapshot) route the private source back to ns over the
 * uplink? Then the reply finds its way without SNAT: an upstream that routes the subnet. */
static bool routed_back(const struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
			const struct nm_netns *pns, const struct nf_pkt *p)
{
	struct path_route_res rr;
	struct nm_flow fl = { 0 };
	const struct nm_link *pl = NULL, *back;

	if (!pns || path_peer_netns(w->s, ol, &pl) != pns || !pl)
		return false;
	fl.src = p->dst;
	fl.dst = p->src;
	if (path_route_lookup(pns, &fl, &rr) || !rr.route || rr.reject || !rr.dev)
		return false;
	back = nm_find_link(pns, rr.dev);
	if (back != pl && !(back && pl->master && back->ifname && !strcmp(back->ifname, pl->master)))
		return false;
	return !rr.gateway.family || nm_find_link_addr(ns, &rr.gateway) == ol;
}

/* The packet leaves the host through ol (pns: the far side, when the snapshot has it). */
static void leave_host(struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
		       const struct nm_netns *pns, bool forwarded, struct nf_pkt *p)
{
	w->r->left_host = true;
	free(w->r->leave_ifname);
	free(w->r->leave_netns);
	w->r->leave_ifname = nm_xstrdup(ol->ifname);
	w->r->leave_netns = nm_xstrdup(ns->label);
	if (forwarded && path_ip_private(&p->src) && !path_ip_private(&p->dst) &&
	    !routed_back(w, ns, ol, pns, p))
		assume_masquerade(w, ns, ol, p);
	w->r->leave_src = p->src;
	w->uplink = ol;
	w->uplink_ns = ns;
	if (pns)
		w->outside = true;
}

/* Out of a bridge device: the port whose far side owns the next hop. */
static enum walk_end bridge_out(struct walk *w, const struct nm_netns *ns, const struct nm_link *br,
				const struct nm_ip *nh, struct nf_pkt p)
{
	const struct nm_netns *pns;
	const struct nm_link *port, *pp;
	char a[64], ev[160];

	port = port_toward(w, ns, br, NULL, nh, &pns, &pp);
	if (port) {
		path_add_hop(w, PATH_HOP_BRIDGE, ns, br->ifname, "bridge", &p, NULL, "SWITCHED", true,
			     "-> port %s", port->ifname);
		if (!path_link_up(port))
			path_add_cause(w, DIAG_LINK_DOWN, ns, "bridge port", "ifname", port->ifname, NULL);
		return path_arrive(w, pns, pp, nh, p);
	}
	snprintf(ev, sizeof(ev), "no port of %s leads to %s", br->ifname, path_ipstr(nh, a, sizeof(a)));
	gateway_unreachable(w, ns, ns, ev, nh, br->ifname, fix_plen(w), "<interface>");
	return WALK_STOP;
}

enum walk_end path_egress(struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
			  const struct nm_ip *gw, struct nf_pkt p)
{
	const struct nm_link *peer = NULL;
	const struct nm_netns *pns;
	struct nm_ip nh = gw && gw->family ? *gw : p.dst;
	bool forwarded = p.iif != NULL;
	char a[64];

	p.oif = ol->ifname;
	path_undo_dnat(w, ns, ol->ifname, &p, "conntrack: reply of a DNATed connection");
	path_run_hook(w, ns, NF_HOOK_POSTROUTING, &p);
	check_next_hop(w, ns, ol, gw, &nh);
	pns = path_peer_netns(w->s, ol, &peer);
	check_links(w, ns, ol, pns, peer);

	/* The uplink: the packet leaves the host here. */
	if (!w->reply && !w->outside && !nm_link_is_bridge(ol) &&
	    (!pns || (path_link_has_public_addr(ol) && (forwarded || ns->self))))
		leave_host(w, ns, ol, pns, forwarded, &p);

	path_add_hop(w, PATH_HOP_OUT, ns, ol->ifname, "out", &p, NULL, "SENT", true, "%s%s",
		     gw && gw->family ? "to gateway " : "to ", path_ipstr(&nh, a, sizeof(a)));
	w->last_ns = ns;

	if (nm_link_is_bridge(ol))
		return bridge_out(w, ns, ol, &nh, p);
	if (!pns) {
		path_add_hop(w, PATH_HOP_LEAVE, ns, ol->ifname, "out", &p, NULL, "LEAVES", true,
			     "%s leads out of the %s", ol->ifname,
			     nm_link_has_peer(ol) ? "snapshot" : "host");
		w->end_ns = ns;
		w->end_link = ol;
		w->end_pkt = p;
		return WALK_LEFT;
	}
	return path_arrive(w, pns, peer, &nh, p);
}

/* ---- in on the far side ---- */

/* br_netfilter: a bridged packet traverses FORWARD with the bridge as both devices. */
static void bridge_nf(struct walk *w, const struct nm_netns *ns, const struct nm_link *br,
		      const struct nm_link *in, const struct nm_link *out, struct nf_pkt *p)
{
	struct nf_pkt bp = *p;

	bp.iif = br->ifname;
	bp.oif = br->ifname;
	bp.phys_in = in->ifname;
	bp.phys_out = out->ifname;
	bp.bridged = true;
	path_run_hook(w, ns, NF_HOOK_FORWARD, &bp);
	/* bridge-nf runs conntrack's NAT too: a bridged reply is un-DNATed */
	path_undo_dnat(w, ns, br->ifname, p, "conntrack (bridge-nf): reply of a DNATed connection");
}

/* Arrived on port l of a bridge: up to the bridge device, or switched to another port. */
static enum walk_end bridge_in(struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
			       const struct nm_ip *nh, struct nf_pkt p)
{
	const struct nm_link *br = nm_find_link(ns, l->master), *port, *pp;
	const struct nm_netns *pns;
	char a[64], ev[200];

	if (!br) {
		path_add_hop(w, PATH_HOP_BRIDGE, ns, l->master, "bridge", &p, NULL, "FAIL", false,
			     "master %s not in the snapshot", l->master);
		return WALK_STOP;
	}
	if (!path_link_up(br))
		path_add_cause(w, DIAG_LINK_DOWN, ns, "bridge", "ifname", br->ifname, NULL);
	if (nm_find_link_addr(ns, nh) == br) {
		path_add_hop(w, PATH_HOP_BRIDGE, ns, br->ifname, "bridge", &p, NULL, "TO BRIDGE", true,
			     "%s owns %s: up to the bridge device", br->ifname, path_ipstr(nh, a, sizeof(a)));
		return path_input(w, ns, br, p);
	}
	port = port_toward(w, ns, br, l, nh, &pns, &pp);
	if (port) {
		if (ns->sysctl.bridge_nf_call_iptables == 1)
			bridge_nf(w, ns, br, l, port, &p);
		path_add_hop(w, PATH_HOP_BRIDGE, ns, br->ifname, "bridge", &p, NULL, "SWITCHED", true,
			     "%s -> port %s (%s is behind it)", l->ifname, port->ifname,
			     path_ipstr(nh, a, sizeof(a)));
		if (!path_link_up(port))
			path_add_cause(w, DIAG_LINK_DOWN, ns, "bridge port", "ifname", port->ifname, NULL);
		path_add_hop(w, PATH_HOP_OUT, ns, port->ifname, "out", &p, NULL, "SENT", true, "bridge port");
		return path_arrive(w, pns, pp, nh, p);
	}
	snprintf(ev, sizeof(ev), "%s is %s; bridge %s has no port leading to it",
		 path_ipstr(nh, a, sizeof(a)),
		 nm_find_link_addr(ns, nh) ? "on another interface" : "owned by nobody", br->ifname);
	gateway_unreachable(w, w->last_ns ? w->last_ns : ns, ns, ev, nh, p.oif ? p.oif : "?",
			    fix_plen(w), br->ifname);
	path_add_hop(w, PATH_HOP_BRIDGE, ns, br->ifname, "bridge", &p, NULL, "NO OWNER", false,
		     "nobody behind %s owns %s", br->ifname, path_ipstr(nh, a, sizeof(a)));
	return WALK_STOP;
}

/* The next hop is on bridge owner, but l is not its port: NOT_ON_BRIDGE, then on as if it were. */
static enum walk_end not_on_bridge(struct walk *w, const struct nm_netns *ns,
				   const struct nm_link *l, const struct nm_link *owner,
				   const struct nm_ip *nh, struct nf_pkt p)
{
	char a[64], b[64], ev[160];

	snprintf(ev, sizeof(ev), "%s has no master; %s is on %s", l->ifname,
		 path_ipstr(nh, a, sizeof(a)), owner->ifname);
	path_add_cause(w, DIAG_NOT_ON_BRIDGE, ns, ev, "ifname", l->ifname, "bridge", owner->ifname,
		       "gw", path_ipstr(nh, b, sizeof(b)), NULL);
	path_add_hop(w, PATH_HOP_BRIDGE, ns, l->ifname, "bridge", &p, NULL, "NOT A PORT", false,
		     "%s is not a port of %s (assumed fixed)", l->ifname, owner->ifname);
	w->hyp_port = l;
	w->hyp_bridge = owner->ifname;
	return path_input(w, ns, owner, p);
}

enum walk_end path_arrive(struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
			  const struct nm_ip *nh, struct nf_pkt p)
{
	const struct nm_link *owner;
	char a[64], ev[200];

	if (!path_budget(w))
		return WALK_STOP;
	if (w->reply && w->outside && l == w->uplink)
		w->outside = false;
	if (!path_link_up(l))
		path_add_cause(w, DIAG_LINK_DOWN, ns, "peer of the sending interface", "ifname", l->ifname,
			       NULL);
	p.iif = l->ifname;
	path_add_hop(w, PATH_HOP_IN, ns, l->ifname, "in", &p, NULL, "RECEIVED", true, "%s %s",
		     l->kind ? l->kind : "link", l->master ? "(bridge port)" : "");
	if (l->master)
		return bridge_in(w, ns, l, nh, p);
	owner = path_owns(w, ns, nh);
	if (owner && owner != l && nm_link_is_bridge(owner))
		return not_on_bridge(w, ns, l, owner, nh, p);
	if (owner)
		return path_input(w, ns, l, p);
	snprintf(ev, sizeof(ev), "nobody in %s owns %s (arrived on %s)", ns->label,
		 path_ipstr(nh, a, sizeof(a)), l->ifname);
	gateway_unreachable(w, w->last_ns ? w->last_ns : ns, ns, ev, nh, p.oif ? p.oif : "?",
			    fix_plen(w), l->ifname);
	path_add_hop(w, PATH_HOP_IN, ns, l->ifname, "in", &p, NULL, "NO OWNER", false, "nobody owns %s",
		     path_ipstr(nh, a, sizeof(a)));
	return WALK_STOP;
}
