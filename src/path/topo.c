/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topo.c - the snapshot's topology for the walk: peers, bridge ports, segments, owners, gateways. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "path_int.h"

const struct nm_netns *path_peer_netns(const struct nm_snapshot *s, const struct nm_link *l,
				       const struct nm_link **peer)
{
	const struct nm_netns *pns;

	*peer = NULL;
	if (!l || !nm_link_has_peer(l) || !l->peer.netns)
		return NULL;
	pns = nm_find_netns(s, l->peer.netns);
	if (!pns)
		return NULL;
	if (l->peer.ifname)
		*peer = nm_find_link(pns, l->peer.ifname);
	if (!*peer && l->peer.ifindex)
		*peer = nm_find_link_index(pns, l->peer.ifindex);
	return *peer ? pns : NULL;
}

bool path_link_has_public_addr(const struct nm_link *l)
{
	size_t i;

	for (i = 0; i < l->n_addrs; i++) {
		const struct nm_addr *a = &l->addrs[i];

		if (a->local.family == AF_INET && path_addr_global(a) && !path_ip_private(&a->local))
			return true;
	}
	return false;
}

const struct nm_addr *path_connected_addr(const struct nm_netns *ns, const struct nm_ip *ip,
					  const struct nm_link **lout)
{
	size_t i, j;

	for (i = 0; i < ns->n_links; i++) {
		if (nm_link_is_loopback(&ns->links[i]))
			continue;
		for (j = 0; j < ns->links[i].n_addrs; j++) {
			const struct nm_addr *a = &ns->links[i].addrs[j];

			if (a->local.family == ip->family && a->local.plen < (ip->family == AF_INET ? 32 : 128) &&
			    nm_ip_in_prefix(ip, &a->local)) {
				if (lout)
					*lout = &ns->links[i];
				return a;
			}
		}
	}
	return NULL;
}

bool path_has_default_route(const struct nm_netns *ns, uint8_t family)
{
	size_t i;

	for (i = 0; i < ns->n_routes; i++)
		if (ns->routes[i].family == family && !ns->routes[i].dst.family &&
		    (!ns->routes[i].type || !strcmp(ns->routes[i].type, "unicast")))
			return true;
	return false;
}

static bool has_specific_route(const struct nm_netns *ns, const struct nm_ip *dst)
{
	size_t i;

	for (i = 0; i < ns->n_routes; i++)
		if (ns->routes[i].family == dst->family && ns->routes[i].dst.family &&
		    nm_ip_in_prefix(dst, &ns->routes[i].dst))
			return true;
	return false;
}

const struct nm_link *path_owns(const struct walk *w, const struct nm_netns *ns,
				const struct nm_ip *ip)
{
	const struct nm_link *l = nm_find_link_addr(ns, ip);
	size_t i;

	if (l || !w->hyp_addr.family || !nm_ip_equal(ip, &w->hyp_addr))
		return l;
	for (i = 0; i < ns->n_links; i++)
		if (&ns->links[i] == w->hyp_addr_link)
			return w->hyp_addr_link;
	return NULL;
}

bool path_is_port_of(const struct walk *w, const struct nm_link *port, const char *br)
{
	if (port->master && !strcmp(port->master, br))
		return true;
	return w->hyp_port == port && w->hyp_bridge && !strcmp(w->hyp_bridge, br);
}

/* ---- L2 segments ---- */

/* The other ends of the L2 segment of link l of ns: its veth peer, or the peer's bridge and
 * every namespace behind that bridge's other ports; for a bridge, what is behind its ports. */
struct seg_end {
	const struct nm_netns *ns;
	const struct nm_link *l;
};

#define SEG_MAX 64

static size_t bridge_ends(const struct nm_snapshot *s, const struct nm_netns *bns,
			  const struct nm_link *br, const struct nm_link *skip, struct seg_end *out,
			  size_t max)
{
	size_t i, n = 0;

	if (n < max)
		out[n++] = (struct seg_end){ bns, br };
	for (i = 0; i < bns->n_links && n < max; i++) {
		const struct nm_link *port = &bns->links[i], *pp;
		const struct nm_netns *pns;

		if (port == skip || !port->master || strcmp(port->master, br->ifname))
			continue;
		pns = path_peer_netns(s, port, &pp);
		if (pns)
			out[n++] = (struct seg_end){ pns, pp };
	}
	return n;
}

static size_t segment(const struct nm_snapshot *s, const struct nm_netns *ns,
		      const struct nm_link *l, struct seg_end *out, size_t max)
{
	const struct nm_link *pl, *br;
	const struct nm_netns *pns;

	if (nm_link_is_bridge(l))
		return bridge_ends(s, ns, l, NULL, out, max);
	if (l->master && (br = nm_find_link(ns, l->master)))
		return bridge_ends(s, ns, br, l, out, max);
	pns = path_peer_netns(s, l, &pl);
	if (!pns || !max)
		return 0;
	if (pl->master && (br = nm_find_link(pns, pl->master)))
		return bridge_ends(s, pns, br, pl, out, max);
	out[0] = (struct seg_end){ pns, pl };
	return 1;
}

/* Is ip used by ns or by anything on the segments of its links? */
static bool seg_owned(const struct nm_snapshot *s, const struct nm_netns *ns,
		      const struct nm_ip *ip)
{
	struct seg_end ends[SEG_MAX];
	size_t i, j, k, n;

	if (nm_find_link_addr(ns, ip))
		return true;
	for (i = 0; i < ns->n_links; i++) {
		n = segment(s, ns, &ns->links[i], ends, SEG_MAX);
		for (j = 0; j < n; j++)
			for (k = 0; k < ends[j].l->n_addrs; k++)
				if (nm_ip_equal(&ends[j].l->addrs[k].local, ip))
					return true;
	}
	return false;
}

/* How good a gateway toward dst namespace o is: it owns dst, then it has a route to it,
 * then a default route; forwarding on and being a bridge count one more each. */
static int gateway_score(const struct nm_netns *o, const struct nm_link *l, const struct nm_ip *dst)
{
	int score = 0;

	if (nm_find_link_addr(o, dst))
		score = 8;
	else if (has_specific_route(o, dst))
		score = 4;
	else if (path_has_default_route(o, dst->family))
		score = 2;
	if (o->sysctl.ip_forward == 1)
		score++;
	if (nm_link_is_bridge(l))
		score++;
	return score;
}

/* Does o send what it does not know through ns (its default route's gateway is ns's)? Then
 * o is a client of ns (a container behind its host), never ns's gateway. */
static bool routes_via(const struct nm_netns *o, const struct nm_netns *ns, uint8_t family)
{
	size_t i;

	for (i = 0; i < o->n_routes; i++) {
		const struct nm_route *r = &o->routes[i];

		if (!r->dst.family && r->gateway.family == family && nm_find_link_addr(ns, &r->gateway))
			return true;
	}
	return false;
}

/* A gateway: an address on the segment of one of ns's links, in one of its subnets (or the
 * subnet of an address assumed for the source), the best by gateway_score(); never a
 * namespace that routes through ns itself. */
bool path_guess_gateway(const struct walk *w, const struct nm_netns *ns, const struct nm_ip *dst,
			struct nm_ip *gw)
{
	struct seg_end ends[SEG_MAX];
	int best = -1;
	size_t i, j, k, n;

	for (i = 0; i < ns->n_links; i++) {
		if (nm_link_is_loopback(&ns->links[i]))
			continue;
		n = segment(w->s, ns, &ns->links[i], ends, SEG_MAX);
		for (j = 0; j < n; j++) {
			const struct nm_netns *o = ends[j].ns;
			const struct nm_link *l = ends[j].l;

			if (o == ns || (w->q->src_ns == o && ns != o && !w->reply) ||
			    routes_via(o, ns, dst->family))
				continue;
			for (k = 0; k < l->n_addrs; k++) {
				const struct nm_ip *a = &l->addrs[k].local;
				int score;

				if (a->family != dst->family)
					continue;
				if (!path_connected_addr(ns, a, NULL) &&
				    !(w->hyp_addr.family && nm_ip_in_prefix(a, &w->hyp_addr)))
					continue;
				score = gateway_score(o, l, dst);
				if (score > best) {
					best = score;
					*gw = *a;
					gw->plen = dst->family == AF_INET ? 32 : 128;
				}
			}
		}
	}
	return best >= 0;
}

bool path_free_host(const struct nm_snapshot *s, const struct nm_netns *ns, const struct nm_ip *p,
		    bool top, struct nm_ip *out)
{
	uint32_t base, size, i, v;

	if (p->family != AF_INET || p->plen >= 31)
		return false;
	memcpy(&base, p->addr, 4);
	base = ntohl(base) & (p->plen ? ~0u << (32 - p->plen) : 0);
	size = 1u << (32 - p->plen);
	for (i = 1; i < size - 1 && i < 1024; i++) {
		v = htonl(top ? base + size - 1 - i : base + i);
		memset(out, 0, sizeof(*out));
		out->family = AF_INET;
		out->plen = 32;
		memcpy(out->addr, &v, 4);
		if (!seg_owned(s, ns, out))
			return true;
	}
	return false;
}

const struct nm_addr *path_far_subnet(const struct nm_snapshot *s, const struct nm_link *l,
				      const struct nm_netns **fns, const struct nm_link **flink)
{
	const struct nm_link *peer, *br = NULL;
	const struct nm_netns *pns = path_peer_netns(s, l, &peer);
	size_t i;

	if (!pns)
		return NULL;
	if (peer->master)
		br = nm_find_link(pns, peer->master);
	*fns = pns;
	*flink = br ? br : peer;
	for (i = 0; i < (*flink)->n_addrs; i++)
		if ((*flink)->addrs[i].local.family == AF_INET)
			return &(*flink)->addrs[i];
	return NULL;
}
