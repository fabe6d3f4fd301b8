/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnl.c - what is in one namespace: links, addresses, routes, rules, neighbours and sysctls via libnl-route-3. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/netconf.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

#include "collect_int.h"

/* The name of v in a kernel enum's table, else its number. Malloc'd. */
static char *enum_str(const char *const *names, size_t n, unsigned int v)
{
	const char *name = nm_enum_name(names, n, v);

	return name ? nm_xstrdup(name) : nm_xasprintf("%u", v);
}

static const char *const scope_names[256] = {
	[RT_SCOPE_UNIVERSE] = "global", [RT_SCOPE_SITE] = "site", [RT_SCOPE_LINK] = "link",
	[RT_SCOPE_HOST] = "host", [RT_SCOPE_NOWHERE] = "nowhere",
};

static const char *const rtn_names[__RTN_MAX] = {
	[RTN_UNSPEC] = "none",
	[RTN_UNICAST] = "unicast",
	[RTN_LOCAL] = "local",
	[RTN_BROADCAST] = "broadcast",
	[RTN_ANYCAST] = "anycast",
	[RTN_MULTICAST] = "multicast",
	[RTN_BLACKHOLE] = "blackhole",
	[RTN_UNREACHABLE] = "unreachable",
	[RTN_PROHIBIT] = "prohibit",
	[RTN_THROW] = "throw",
	[RTN_NAT] = "nat",
	[RTN_XRESOLVE] = "xresolve",
};

static const char *const proto_names[256] = {
	[RTPROT_UNSPEC] = "unspec",
	[RTPROT_REDIRECT] = "redirect",
	[RTPROT_KERNEL] = "kernel",
	[RTPROT_BOOT] = "boot",
	[RTPROT_STATIC] = "static",
	[RTPROT_GATED] = "gated",
	[RTPROT_RA] = "ra",
	[RTPROT_MRT] = "mrt",
	[RTPROT_ZEBRA] = "zebra",
	[RTPROT_BIRD] = "bird",
	[RTPROT_DNROUTED] = "dnrouted",
	[RTPROT_XORP] = "xorp",
	[RTPROT_NTK] = "ntk",
	[RTPROT_DHCP] = "dhcp",
	[RTPROT_MROUTED] = "mrouted",
	[RTPROT_KEEPALIVED] = "keepalived",
	[RTPROT_BABEL] = "babel",
	[RTPROT_BGP] = "bgp",
	[RTPROT_ISIS] = "isis",
	[RTPROT_OSPF] = "ospf",
	[RTPROT_RIP] = "rip",
	[RTPROT_EIGRP] = "eigrp",
};

static const char *const rule_actions[__FR_ACT_MAX] = {
	[FR_ACT_UNSPEC] = "unspec", [FR_ACT_TO_TBL] = "lookup", [FR_ACT_GOTO] = "goto",
	[FR_ACT_NOP] = "nop", [FR_ACT_BLACKHOLE] = "blackhole", [FR_ACT_UNREACHABLE] = "unreachable",
	[FR_ACT_PROHIBIT] = "prohibit",
};

static void from_nl_addr(struct nm_ip *ip, struct nl_addr *a)
{
	memset(ip, 0, sizeof(*ip));
	if (!a)
		return;
	if (nl_addr_get_family(a) != AF_INET && nl_addr_get_family(a) != AF_INET6)
		return;
	if (nl_addr_get_len(a) == 0)
		return;		/* "default": the zero-length destination */
	ip->family = (uint8_t)nl_addr_get_family(a);
	memcpy(ip->addr, nl_addr_get_binary_addr(a),
	       nl_addr_get_len(a) > 16 ? 16 : nl_addr_get_len(a));
	ip->plen = (uint8_t)nl_addr_get_prefixlen(a);
}

static char *upper(char *s)
{
	char *p;

	for (p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

static char *link_kind(struct rtnl_link *l)
{
	const char *t = rtnl_link_get_type(l);

	if (t)
		return nm_xstrdup(t);
	if (rtnl_link_get_flags(l) & IFF_LOOPBACK)
		return nm_xstrdup("loopback");
	switch (rtnl_link_get_arptype(l)) {
	case ARPHRD_ETHER:
		return nm_xstrdup("device");
	case ARPHRD_NONE:
		return nm_xstrdup("tun");
	default:
		return nm_xasprintf("arphrd-%u", rtnl_link_get_arptype(l));
	}
}

static void add_link(struct nl_object *obj, void *arg)
{
	struct nm_netns *ns = arg;
	struct rtnl_link *l = (struct rtnl_link *)obj;
	struct nm_link *nl = NM_PUSH(ns->links, ns->n_links);
	struct nl_addr *mac = rtnl_link_get_addr(l);
	char buf[64];
	int32_t nsid;

	nl->ifindex = rtnl_link_get_ifindex(l);
	nl->ifname = nm_xstrdup(rtnl_link_get_name(l));
	nl->kind = link_kind(l);
	nl->state = upper(nm_xstrdup(rtnl_link_operstate2str(rtnl_link_get_operstate(l),
							   buf, sizeof(buf))));
	nl->flags = rtnl_link_get_flags(l);
	nl->mtu = rtnl_link_get_mtu(l);
	if (mac && nl_addr_get_len(mac) > 0)
		nl->mac = nm_xstrdup(nl_addr2str(mac, buf, sizeof(buf)));
	nl->master_ifindex = rtnl_link_get_master(l);
	nl->link_ifindex = rtnl_link_get_link(l);
	nl->forwarding = -1;
	nl->rp_filter = -1;
	nl->peer.nsid = -1;
	if (nm_link_has_peer(nl)) {
		nl->peer.present = nl->link_ifindex > 0;
		nl->peer.ifindex = nl->link_ifindex;
		if (rtnl_link_get_link_netnsid(l, &nsid) == 0)
			nl->peer.nsid = nsid;
	}
}

/* A kernel object nsmap reads but does not model: kept with libnl's description of it. */
static void keep_unsupported(struct nm_netns *ns, const char *what, struct nl_object *obj)
{
	struct nm_unsupported *u = NM_PUSH(ns->unsupported, ns->n_unsupported);
	char buf[512];
	size_t len;

	buf[0] = '\0';
	nl_object_dump_buf(obj, buf, sizeof(buf));
	len = strlen(buf);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	u->what = nm_xstrdup(what);
	u->raw = nm_xstrdup(buf);
}

static void add_addr(struct nl_object *obj, void *arg)
{
	struct nm_netns *ns = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct nm_link *l = nm_find_link_index(ns, rtnl_addr_get_ifindex(a));
	struct nm_addr *na;

	if (!l) {
		keep_unsupported(ns, "address on an unknown interface", obj);
		return;
	}
	na = NM_PUSH(l->addrs, l->n_addrs);
	from_nl_addr(&na->local, rtnl_addr_get_local(a));
	na->local.plen = (uint8_t)rtnl_addr_get_prefixlen(a);
	if (rtnl_addr_get_peer(a))
		from_nl_addr(&na->peer, rtnl_addr_get_peer(a));
	if (na->peer.family && nm_ip_equal(&na->peer, &na->local))
		memset(&na->peer, 0, sizeof(na->peer));
	na->scope = enum_str(scope_names, ARRAY_SIZE(scope_names), (unsigned int)rtnl_addr_get_scope(a));
	if (rtnl_addr_get_label(a) && na->local.family == AF_INET)
		na->label = nm_xstrdup(rtnl_addr_get_label(a));
	na->flags = rtnl_addr_get_flags(a);
}

char *collect_ifname_of(struct nm_netns *ns, int ifindex)
{
	struct nm_link *l = ifindex > 0 ? nm_find_link_index(ns, ifindex) : NULL;

	if (l)
		return nm_xstrdup(l->ifname);
	return ifindex > 0 ? nm_xasprintf("if%d", ifindex) : NULL;
}

static void add_route(struct nl_object *obj, void *arg)
{
	struct nm_netns *ns = arg;
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct nm_route *nr;
	int i, n;

	if (rtnl_route_get_family(r) != AF_INET && rtnl_route_get_family(r) != AF_INET6) {
		keep_unsupported(ns, "route of another family", obj);
		return;
	}
	nr = NM_PUSH(ns->routes, ns->n_routes);
	nr->family = rtnl_route_get_family(r);
	nr->table = rtnl_route_get_table(r);
	nr->type = enum_str(rtn_names, ARRAY_SIZE(rtn_names), rtnl_route_get_type(r));
	from_nl_addr(&nr->dst, rtnl_route_get_dst(r));
	from_nl_addr(&nr->src, rtnl_route_get_src(r));
	from_nl_addr(&nr->prefsrc, rtnl_route_get_pref_src(r));
	nr->protocol = enum_str(proto_names, ARRAY_SIZE(proto_names), rtnl_route_get_protocol(r));
	nr->scope = enum_str(scope_names, ARRAY_SIZE(scope_names), (unsigned int)rtnl_route_get_scope(r));
	nr->metric = rtnl_route_get_priority(r);
	nr->tos = rtnl_route_get_tos(r);
	n = rtnl_route_get_nnexthops(r);
	for (i = 0; i < n; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);

		if (i == 0) {
			from_nl_addr(&nr->gateway, rtnl_route_nh_get_gateway(nh));
			nr->dev = collect_ifname_of(ns, rtnl_route_nh_get_ifindex(nh));
		}
		if (n > 1) {
			struct nm_nexthop *x = NM_PUSH(nr->nexthops, nr->n_nexthops);

			from_nl_addr(&x->gateway, rtnl_route_nh_get_gateway(nh));
			x->dev = collect_ifname_of(ns, rtnl_route_nh_get_ifindex(nh));
			x->weight = rtnl_route_nh_get_weight(nh) + 1;
		}
	}
}

static void add_rule(struct nl_object *obj, void *arg)
{
	struct nm_netns *ns = arg;
	struct rtnl_rule *r = (struct rtnl_rule *)obj;
	struct nm_rule *nr;

	if (rtnl_rule_get_family(r) != AF_INET && rtnl_rule_get_family(r) != AF_INET6) {
		keep_unsupported(ns, "policy rule of another family", obj);
		return;
	}
	nr = NM_PUSH(ns->rules, ns->n_rules);
	nr->family = (uint8_t)rtnl_rule_get_family(r);
	nr->priority = rtnl_rule_get_prio(r);
	nr->table = rtnl_rule_get_table(r);
	nr->action = enum_str(rule_actions, ARRAY_SIZE(rule_actions), rtnl_rule_get_action(r));
	from_nl_addr(&nr->src, rtnl_rule_get_src(r));
	from_nl_addr(&nr->dst, rtnl_rule_get_dst(r));
	if (rtnl_rule_get_iif(r))
		nr->iif = nm_xstrdup(rtnl_rule_get_iif(r));
	if (rtnl_rule_get_oif(r))
		nr->oif = nm_xstrdup(rtnl_rule_get_oif(r));
	if (rtnl_rule_get_mark(r) != UINT32_MAX)
		nr->fwmark = rtnl_rule_get_mark(r);
	if (rtnl_rule_get_mask(r) != UINT32_MAX)
		nr->fwmask = rtnl_rule_get_mask(r);
	nr->tos = rtnl_rule_get_dsfield(r);
}

static void add_neigh(struct nl_object *obj, void *arg)
{
	struct nm_netns *ns = arg;
	struct rtnl_neigh *n = (struct rtnl_neigh *)obj;
	struct nl_addr *ll = rtnl_neigh_get_lladdr(n);
	struct nm_neigh *nn;
	char buf[64];
	int state = rtnl_neigh_get_state(n);

	if (rtnl_neigh_get_family(n) != AF_INET && rtnl_neigh_get_family(n) != AF_INET6)
		return;		/* bridge FDB entries come through the same dump */
	if (state < 0 || (state & NUD_NOARP))
		return;		/* like `ip neigh`: multicast/broadcast pseudo entries */
	nn = NM_PUSH(ns->neighs, ns->n_neighs);
	from_nl_addr(&nn->dst, rtnl_neigh_get_dst(n));
	nn->dev = collect_ifname_of(ns, rtnl_neigh_get_ifindex(n));
	if (ll && nl_addr_get_len(ll) > 0)
		nn->lladdr = nm_xstrdup(nl_addr2str(ll, buf, sizeof(buf)));
	nn->state = upper(nm_xstrdup(rtnl_neigh_state2str(state, buf, sizeof(buf))));
}

static int read_int_file(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

/* bridge-nf-call-iptables has no netlink form: read it inside the namespace (/proc/sys/net
 * follows the opener's netns). Only where a bridge exists, the one place it matters: every
 * /proc/sys lookup walks the sysctl tables of all namespaces. */
void collect_bridge_sysctl(struct nm_netns *ns)
{
	if (netns_enter(ns) < 0)
		return;
	ns->sysctl.bridge_nf_call_iptables =
		read_int_file("/proc/sys/net/bridge/bridge-nf-call-iptables");
	if (netns_return() < 0)
		abort();	/* never answer from the wrong namespace */
}

static int netconf_value(struct nl_cache *nc, int family, int ifindex, bool rp)
{
	struct rtnl_netconf *c = rtnl_netconf_get_by_idx(nc, family, ifindex);
	int v = -1, r;

	if (!c)
		return -1;
	r = rp ? rtnl_netconf_get_rp_filter(c, &v) : rtnl_netconf_get_forwarding(c, &v);
	rtnl_netconf_put(c);
	return r == 0 ? v : -1;
}

static void apply_netconf(struct nm_netns *ns, struct nl_cache *nc)
{
	size_t i;

	ns->sysctl.ip_forward = netconf_value(nc, AF_INET, NETCONFA_IFINDEX_ALL, false);
	ns->sysctl.ipv6_forwarding = netconf_value(nc, AF_INET6, NETCONFA_IFINDEX_ALL, false);
	ns->sysctl.rp_filter_all = netconf_value(nc, AF_INET, NETCONFA_IFINDEX_ALL, true);
	ns->sysctl.rp_filter_default = netconf_value(nc, AF_INET, NETCONFA_IFINDEX_DEFAULT, true);

	for (i = 0; i < ns->n_links; i++) {
		struct rtnl_netconf *c = rtnl_netconf_get_by_idx(nc, AF_INET, ns->links[i].ifindex);
		int v;

		if (!c)
			continue;
		if (rtnl_netconf_get_forwarding(c, &v) == 0)
			ns->links[i].forwarding = v;
		if (rtnl_netconf_get_rp_filter(c, &v) == 0)
			ns->links[i].rp_filter = v;
		rtnl_netconf_put(c);
	}
}

struct dump_ctx {
	void (*fn)(struct nl_object *, void *);
	struct nm_netns *ns;
};

static int dump_valid(struct nl_msg *msg, void *arg)
{
	struct dump_ctx *d = arg;

	nl_msg_parse(msg, d->fn, d->ns);
	return NL_OK;
}

/* One RTM_GET* dump, each object handed to fn as it arrives. A dump the kernel marks
 * inconsistent (NLM_F_DUMP_INTR: the table changed meanwhile) is thrown away and redone. */
static void dump_objects(struct nm_netns *ns, struct nl_sock *sk, int type, size_t hdrlen,
			 void (*fn)(struct nl_object *, void *), const char *what)
{
	unsigned char hdr[64] = { AF_UNSPEC };
	struct dump_ctx d = { .fn = fn, .ns = ns };
	size_t n_routes = ns->n_routes, n_rules = ns->n_rules, n_neighs = ns->n_neighs;
	int err = 0, tries;

	for (tries = 0; tries < 4; tries++) {
		struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

		if (!cb) {
			err = -NLE_NOMEM;
			break;
		}
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dump_valid, &d);
		err = nl_send_simple(sk, type, NLM_F_DUMP, hdr, hdrlen);
		if (err >= 0)
			err = nl_recvmsgs(sk, cb);
		nl_cb_put(cb);
		if (err != -NLE_DUMP_INTR)
			break;
		/* drop what the interrupted dump delivered (addresses hang off links) */
		nm_netns_truncate(ns, n_routes, n_rules, n_neighs, type == RTM_GETADDR);
	}
	if (err < 0)
		nm_warn(&ns->warnings, &ns->n_warnings, "%s: %s", what, nl_geterror(err));
}

/* light: only links, enough to resolve the veth peers of the namespaces selected with -n */
void collect_dump_netns(struct nm_netns *ns, struct ns_socks *so, const struct collect_opts *o, bool light)
{
	struct nl_cache *c;
	size_t i;
	int err;

	err = rtnl_link_alloc_cache(so->nl, AF_UNSPEC, &c);
	if (err < 0) {
		nm_warn(&ns->warnings, &ns->n_warnings, "links: %s", nl_geterror(err));
		return;
	}
	nl_cache_foreach(c, add_link, ns);
	nl_cache_free(c);
	for (i = 0; i < ns->n_links; i++)
		ns->links[i].master = ns->links[i].master_ifindex ?
			collect_ifname_of(ns, ns->links[i].master_ifindex) : NULL;
	if (light)
		return;

	/* Streamed, not cached: libnl caches merge objects with equal keys (IPv6 routes that
	 * differ only in their device, rules that differ only in their selectors). */
	dump_objects(ns, so->nl, RTM_GETADDR, sizeof(struct ifaddrmsg), add_addr, "addresses");
	dump_objects(ns, so->nl, RTM_GETROUTE, sizeof(struct rtmsg), add_route, "routes");
	dump_objects(ns, so->nl, RTM_GETRULE, sizeof(struct rtmsg), add_rule, "rules");
	if (!o->no_neighbours)
		dump_objects(ns, so->nl, RTM_GETNEIGH, sizeof(struct ndmsg), add_neigh, "neighbours");
	if (rtnl_netconf_alloc_cache(so->nl, &c) == 0) {
		apply_netconf(ns, c);
		nl_cache_free(c);
	}
	if (ns->sysctl.ip_forward < 0)
		nm_warn(&ns->warnings, &ns->n_warnings, "netconf dump unavailable: sysctls unknown");
	if (so->nf && !o->no_netfilter) {
		err = nf_collect(so->nf, &ns->netfilter, &ns->warnings, &ns->n_warnings);
		if (err < 0 && err != -EOPNOTSUPP)
			nm_warn(&ns->warnings, &ns->n_warnings, "netfilter: %s", strerror(-err));
	}
}

