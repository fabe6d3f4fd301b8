/* SPDX-License-Identifier: GPL-2.0-or-later */
/* graph.c - build the libcgraph graph of a snapshot: namespaces as clusters, links as nodes. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <graphviz/cgraph.h>

#include "render_int.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* Colours: one place, so the legend and the nodes agree. */
#define C_UP		"#d8f0d8"
#define C_NOCARRIER	"#f8d7da"
#define C_DOWN		"#eeeeee"
#define C_BRIDGE	"#cfe2ff"
#define C_UPLINK	"#1f5fbf"
#define C_NAT		"#d9822b"
#define C_NATFILL	"#fff0d9"
#define C_HOST		"#f4f4f4"
#define C_CONTAINER	"#eef5ff"
#define C_NETNS		"#fffbe6"
#define C_WARN		"#c0392b"

/* A growable string for labels. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *piece;
	size_t n;

	va_start(ap, fmt);
	if (vasprintf(&piece, fmt, ap) < 0)
		abort();
	va_end(ap);
	n = strlen(piece);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = nm_xrealloc(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, piece, n + 1);
	b->len += n;
	free(piece);
}

/* DOT escapes are interpreted in labels; a backslash or newline in a kernel or user
 * name would turn into one, so they are replaced. Quotes are escaped by agwrite. */
static void sb_name(struct sbuf *b, const char *s)
{
	char *c, *p;

	c = nm_xstrdup(s ? s : "?");
	for (p = c; *p; p++)
		if (*p == '\\' || *p == '\n' || *p == '\r')
			*p = '/';
	sb_add(b, "%s", c);
	free(c);
}

/* For HTML-like labels. */
static void sb_html(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sb_add(b, "&lt;"); break;
		case '>': sb_add(b, "&gt;"); break;
		case '&': sb_add(b, "&amp;"); break;
		case '"': sb_add(b, "&quot;"); break;
		default: sb_add(b, "%c", *s);
		}
	}
}

static void set(void *obj, const char *attr, const char *val)
{
	agsafeset(obj, (char *)attr, (char *)val, "");
}

static void set_html(Agraph_t *g, void *obj, const char *attr, const char *html)
{
	char *h = agstrdup_html(g, (char *)html);

	agsafeset(obj, (char *)attr, h, "");
	agstrfree(g, h);
}

static const char *ip_str(const struct nm_ip *ip, char *buf, size_t len, bool plen)
{
	int af = ip->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (!ip->family) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (!inet_ntop(af, ip->addr, buf, len))
		snprintf(buf, len, "?");
	else if (plen) {
		size_t l = strlen(buf);

		snprintf(buf + l, len - l, "/%u", ip->plen);
	}
	return buf;
}

static bool is_linklocal6(const struct nm_ip *ip)
{
	return ip->family == AF_INET6 && ip->addr[0] == 0xfe && (ip->addr[1] & 0xc0) == 0x80;
}

const struct nm_route *render_default_route(const struct nm_netns *ns)
{
	const struct nm_route *best = NULL;
	size_t i;

	for (i = 0; i < ns->n_routes; i++) {
		const struct nm_route *r = &ns->routes[i];

		if (r->table != 254 || r->dst.plen != 0 || (r->type && strcmp(r->type, "unicast")))
			continue;
		if (!r->dev && !r->n_nexthops)
			continue;
		/* IPv4 wins over IPv6, then the lowest metric */
		if (!best || (r->family == AF_INET && best->family != AF_INET) ||
		    (r->family == best->family && r->metric < best->metric))
			best = r;
	}
	return best;
}

static const char *route_dev(const struct nm_route *r)
{
	if (r->dev)
		return r->dev;
	if (r->n_nexthops && r->nexthops[0].dev)
		return r->nexthops[0].dev;
	return NULL;
}

static void route_text(struct sbuf *b, const struct nm_route *r)
{
	char ip[64];
	const struct nm_ip *gw = &r->gateway;

	if (!gw->family && r->n_nexthops)
		gw = &r->nexthops[0].gateway;
	sb_add(b, "default");
	if (gw->family)
		sb_add(b, " via %s", ip_str(gw, ip, sizeof(ip), false));
	if (route_dev(r)) {
		sb_add(b, " dev ");
		sb_name(b, route_dev(r));
	}
	if (r->n_nexthops > 1)
		sb_add(b, " (+%zu nexthops)", r->n_nexthops - 1);
}

/*
 * Object ids in creation order. cgraph's default id discipline uses the address of the
 * interned name as the id, and agwrite() prints subgraphs in id order: the DOT would
 * change from run to run. Named objects get even ids 2, 4, 6... in the order they are
 * created, anonymous ones (edges) odd ids, so the output depends on the snapshot only.
 */
struct rg_ids {
	Agraph_t *g;
	char **names;		/* id 2*(i+1) -> names[i]; cgraph refstrs (agwrite checks
				 * aghtmlstr() on them), freed with the graph */
	size_t n, cap;
	size_t *hash;		/* open addressing: index+1 into names, 0 = empty */
	size_t hcap;
	IDTYPE anon;
};

static size_t str_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void ids_rehash(struct rg_ids *st)
{
	size_t i;

	free(st->hash);
	st->hcap = st->hcap ? st->hcap * 2 : 1024;
	st->hash = nm_xcalloc(st->hcap, sizeof(*st->hash));
	for (i = 0; i < st->n; i++) {
		size_t h = str_hash(st->names[i]) & (st->hcap - 1);

		while (st->hash[h])
			h = (h + 1) & (st->hcap - 1);
		st->hash[h] = i + 1;
	}
}

static void *ids_open(Agraph_t *g, Agdisc_t *disc)
{
	struct rg_ids *st = nm_xcalloc(1, sizeof(*st));

	(void)disc;
	st->g = g;
	st->anon = 1;
	ids_rehash(st);
	return st;
}

static long ids_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	struct rg_ids *st = state;
	size_t h;

	(void)objtype;
	if (!str) {
		*id = st->anon;
		st->anon += 2;
		return 1;
	}
	for (h = str_hash(str) & (st->hcap - 1); st->hash[h]; h = (h + 1) & (st->hcap - 1)) {
		if (!strcmp(st->names[st->hash[h] - 1], str)) {
			*id = 2 * (IDTYPE)st->hash[h];
			return 1;
		}
	}
	if (!createflag)
		return 0;
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 256;
		st->names = nm_xrealloc(st->names, st->cap, sizeof(*st->names));
	}
	st->names[st->n++] = agstrdup(st->g, str);
	st->hash[h] = st->n;
	*id = 2 * (IDTYPE)st->n;
	if (st->n * 2 > st->hcap)
		ids_rehash(st);
	return 1;
}

static long ids_alloc(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
	return 1;
}

static void ids_free(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
}

static char *ids_print(void *state, int objtype, IDTYPE id)
{
	struct rg_ids *st = state;

	(void)objtype;
	if (id % 2 || id == 0 || id / 2 > st->n)
		return NULL;
	return st->names[id / 2 - 1];
}

static void ids_close(void *state)
{
	struct rg_ids *st = state;

	free(st->names);
	free(st->hash);
	free(st);
}

static void ids_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

static Agiddisc_t rg_iddisc = {
	.open = ids_open,
	.map = ids_map,
	.alloc = ids_alloc,
	.free = ids_free,
	.print = ids_print,
	.close = ids_close,
	.idregister = ids_register,
};

/* ---- the order of things: sorted here, so the DOT is stable whatever the input order ---- */

static int ns_cmp(const void *a, const void *b)
{
	const struct nm_netns *x = *(const struct nm_netns *const *)a;
	const struct nm_netns *y = *(const struct nm_netns *const *)b;
	int c;

	if (x->self != y->self)
		return x->self ? -1 : 1;
	c = strcmp(x->label ? x->label : "", y->label ? y->label : "");
	if (c)
		return c;
	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static int link_cmp(const void *a, const void *b)
{
	const struct nm_link *x = *(const struct nm_link *const *)a;
	const struct nm_link *y = *(const struct nm_link *const *)b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return strcmp(x->ifname ? x->ifname : "", y->ifname ? y->ifname : "");
}

struct rg {
	Agraph_t *g;
	const struct nm_snapshot *s;
	const struct render_opts *o;
	const struct nm_netns **ns;	/* sorted */
	size_t n_ns;
	struct render_nat_note *nat;
	size_t n_nat;
	bool fold;		/* many bridge ports: draw peers straight to the bridge */
};

/* Above this many veth bridge ports to other namespaces the host-side veths are folded
 * into the edges: one column of 200 veth nodes cannot line up with 200 container
 * clusters, and the crossing lines hide who is wired to whom. */
#define RENDER_FOLD_PORTS 24

static bool link_shown(const struct rg *r, const struct nm_link *l)
{
	return r->o->all || !nm_link_is_loopback(l);
}

static char *node_name(const struct nm_netns *ns, const char *ifname)
{
	return nm_xasprintf("%s/%s", ns->id ? ns->id : "?", ifname ? ifname : "?");
}

static Agnode_t *find_node(const struct rg *r, const struct nm_netns *ns, const char *ifname)
{
	char *name = node_name(ns, ifname);
	Agnode_t *n = agnode(r->g, name, 0);

	free(name);
	return n;
}

static size_t ns_index(const struct rg *r, const struct nm_netns *ns)
{
	size_t i;

	for (i = 0; i < r->n_ns; i++)
		if (r->ns[i] == ns)
			return i;
	return r->n_ns;
}

static const struct nm_netns *ns_by_id(const struct rg *r, const char *id)
{
	size_t i;

	for (i = 0; id && i < r->n_ns; i++)
		if (r->ns[i]->id && !strcmp(r->ns[i]->id, id))
			return r->ns[i];
	return NULL;
}

/* A bridge port that is one end of a veth pair into another namespace. */
static bool is_cross_port(const struct rg *r, const struct nm_netns *ns, const struct nm_link *l)
{
	return nm_link_has_peer(l) && l->master && l->master_ifindex && l->peer.resolved &&
	       l->peer.netns && l->peer.ifname && ns->id && strcmp(l->peer.netns, ns->id) &&
	       ns_by_id(r, l->peer.netns);
}

static bool folded(const struct rg *r, const struct nm_netns *ns, const struct nm_link *l)
{
	return r->fold && is_cross_port(r, ns, l);
}

static bool link_up(const struct nm_link *l)
{
	return (l->flags & IFF_UP) || (l->state && !strcmp(l->state, "UP"));
}

/* In a folded picture the wires of each bridge get their own colour. */
static const char *bridge_colour(const struct nm_netns *ns, const char *bridge)
{
	static const char *const palette[] = { "#444444", "#2a7f62", "#7b3fa0", "#b5651d", "#1f77b4", "#8c564b" };
	const struct nm_link *b = nm_find_link(ns, bridge);
	size_t i, k = 0;

	/* the k-th bridge by ifindex, whatever the order of the array */
	for (i = 0; b && i < ns->n_links; i++)
		if (nm_link_is_bridge(&ns->links[i]) && ns->links[i].ifindex < b->ifindex)
			k++;
	return palette[k % ARRAY_SIZE(palette)];
}

/* A namespace that routes for others: the host, or a namespace with forwarding on and a
 * bridge (dockerd's in a lab). Its default route is "the way out". */
static bool is_gateway(const struct nm_netns *ns)
{
	size_t i;

	if (ns->self)
		return true;
	if (ns->sysctl.ip_forward != 1)
		return false;
	for (i = 0; i < ns->n_links; i++)
		if (nm_link_is_bridge(&ns->links[i]))
			return true;
	return false;
}

static const char *uplink_of(const struct nm_netns *ns)
{
	const struct nm_route *d = render_default_route(ns);

	return d ? route_dev(d) : NULL;
}

static void cluster_label(struct sbuf *b, const struct nm_netns *ns)
{
	const struct nm_route *d = render_default_route(ns);
	const struct nm_container *c = ns->container;

	sb_add(b, "<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">");
	sb_add(b, "<tr><td align=\"left\"><b>");
	sb_html(b, c && c->name ? c->name : ns->label ? ns->label : ns->id);
	sb_add(b, "</b>");
	if (c && c->image) {
		sb_add(b, "  <font point-size=\"9\">(");
		sb_html(b, c->image);
		sb_add(b, ")</font>");
	}
	sb_add(b, "</td></tr><tr><td align=\"left\"><font point-size=\"8\" color=\"#555555\">");
	if (c) {
		char shortid[13] = "";

		if (c->id)
			snprintf(shortid, sizeof(shortid), "%s", c->id);
		sb_html(b, c->runtime ? c->runtime : "container");
		sb_add(b, " ");
		sb_html(b, shortid);
		sb_add(b, " · ");
	} else if (ns->n_names) {
		sb_add(b, "netns ");
		sb_html(b, ns->names[0]);
		sb_add(b, " · ");
	} else if (ns->self) {
		sb_add(b, "host namespace · ");
	} else if (ns->n_procs) {
		sb_add(b, "process ");
		sb_html(b, ns->procs[0].comm);
		sb_add(b, "[%d] · ", (int)ns->procs[0].pid);
	}
	sb_html(b, ns->id);
	sb_add(b, "</font></td></tr><tr><td align=\"left\"><font point-size=\"8\">");
	if (d) {
		struct sbuf rt = { 0 };

		route_text(&rt, d);
		sb_html(b, rt.s);
		free(rt.s);
	} else {
		sb_add(b, "<font color=\"" C_WARN "\">no default route</font>");
	}
	if (ns->sysctl.ip_forward == 1)
		sb_add(b, " · forwarding");
	sb_add(b, "</font></td></tr></table>");
}

static void link_node(struct rg *r, Agraph_t *sub, const struct nm_netns *ns,
		      const struct nm_link *l, const char *uplink)
{
	struct sbuf b = { 0 };
	char *name = node_name(ns, l->ifname);
	Agnode_t *n = agnode(sub, name, 1);
	bool admin_up = (l->flags & IFF_UP) || (l->state && !strcmp(l->state, "UP"));
	bool carrier = (l->flags & IFF_LOWER_UP) ||
		       (l->state && (!strcmp(l->state, "UP") || !strcmp(l->state, "UNKNOWN")));
	bool is_uplink = uplink && l->ifname && !strcmp(uplink, l->ifname);
	char ip[64];
	size_t i;

	free(name);
	sb_name(&b, l->ifname);
	sb_add(&b, "\\n%s · %s", l->kind ? l->kind : "?", l->state ? l->state : "?");
	if (l->mtu && l->mtu != 1500 && !nm_link_is_loopback(l))
		sb_add(&b, " · mtu %u", l->mtu);
	if (is_uplink)
		sb_add(&b, "\\nuplink (default route)");
	if (r->fold && nm_link_has_peer(l) && l->peer.resolved) {
		const struct nm_netns *pns = ns_by_id(r, l->peer.netns);
		const struct nm_link *pl = pns ? nm_find_link(pns, l->peer.ifname) : NULL;

		if (pl && folded(r, pns, pl)) {
			sb_add(&b, "\\n⇄ ");
			sb_name(&b, pl->ifname);
			sb_add(&b, " @ ");
			sb_name(&b, pl->master);
			if (!link_up(pl))
				sb_add(&b, " (DOWN)");
		}
	}
	if (l->network) {
		sb_add(&b, "\\nnetwork ");
		sb_name(&b, l->network);
	}
	for (i = 0; i < l->n_addrs; i++) {
		const struct nm_addr *a = &l->addrs[i];

		if (!r->o->all && is_linklocal6(&a->local))
			continue;
		sb_add(&b, "\\n%s", ip_str(&a->local, ip, sizeof(ip), true));
		if (a->peer.family)
			sb_add(&b, " peer %s", ip_str(&a->peer, ip, sizeof(ip), true));
	}
	set(n, "label", b.s);
	free(b.s);

	if (!admin_up) {
		set(n, "fillcolor", C_DOWN);
		set(n, "style", "rounded,filled,dashed");
		set(n, "color", "#999999");
		set(n, "fontcolor", "#777777");
	} else if (!carrier) {
		set(n, "fillcolor", C_NOCARRIER);
	} else if (nm_link_is_bridge(l)) {
		set(n, "fillcolor", C_BRIDGE);
	} else {
		set(n, "fillcolor", C_UP);
	}
	if (nm_link_is_bridge(l)) {
		set(n, "shape", "box");
		if (admin_up)
			set(n, "style", "filled,bold");
	}
	if (is_uplink) {
		set(n, "color", C_UPLINK);
		set(n, "penwidth", "2.5");
	}
}

static void placeholder(Agraph_t *sub, const struct nm_netns *ns, const char *text)
{
	char *name = nm_xasprintf("%s/(empty)", ns->id);
	Agnode_t *n = agnode(sub, name, 1);

	free(name);
	set(n, "label", text);
	set(n, "shape", "plaintext");
	set(n, "style", "");
	set(n, "fontcolor", "#777777");
}

static Agedge_t *edge(struct rg *r, Agnode_t *t, Agnode_t *h)
{
	return agedge(r->g, t, h, NULL, 1);
}

/* One cluster per namespace with its links. */
static void draw_namespace(struct rg *r, size_t idx)
{
	const struct nm_netns *ns = r->ns[idx];
	struct sbuf b = { 0 };
	const struct nm_link **links;
	const char *uplink = is_gateway(ns) ? uplink_of(ns) : NULL;
	Agraph_t *sub;
	char *cname, *p;
	size_t i, shown = 0;

	cname = nm_xasprintf("cluster_%s", ns->id ? ns->id : "?");
	for (p = cname; *p; p++)
		if (*p == ':')
			*p = '_';
	sub = agsubg(r->g, cname, 1);
	free(cname);
	cluster_label(&b, ns);
	set_html(r->g, sub, "label", b.s);
	free(b.s);
	set(sub, "style", "filled,rounded");
	set(sub, "fillcolor", ns->container ? C_CONTAINER : ns->self ? C_HOST : C_NETNS);
	set(sub, "color", ns->self ? "#888888" : "#aaaaaa");

	links = nm_xcalloc(ns->n_links + 1, sizeof(*links));
	for (i = 0; i < ns->n_links; i++)
		links[i] = &ns->links[i];
	nm_qsort(links, ns->n_links, sizeof(*links), link_cmp);
	for (i = 0; i < ns->n_links; i++) {
		if (!link_shown(r, links[i]) || folded(r, ns, links[i]))
			continue;
		link_node(r, sub, ns, links[i], uplink);
		shown++;
	}
	free(links);
	if (!shown)
		placeholder(sub, ns, ns->n_links ? "(only lo)" : "(no interfaces)");
}

/* veth pairs, bridge ports, lower links. */
static void draw_wires(struct rg *r, size_t idx)
{
	const struct nm_netns *ns = r->ns[idx];
	size_t i;

	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];
		Agnode_t *n = find_node(r, ns, l->ifname);
		Agedge_t *e;

		if (!n)
			continue;
		if (l->master && l->master_ifindex) {
			Agnode_t *m = find_node(r, ns, l->master);

			if (m) {
				e = edge(r, n, m);
				set(e, "dir", "none");
				set(e, "color", "#3a6fb0");
				set(e, "penwidth", "1.2");
			}
		}
		if (nm_link_has_peer(l) && l->peer.present) {
			const struct nm_netns *pns = l->peer.resolved ? ns_by_id(r, l->peer.netns) : NULL;
			Agnode_t *pn = pns ? find_node(r, pns, l->peer.ifname) : NULL;
			size_t pidx = pns ? ns_index(r, pns) : 0;

			if (pn) {
				const struct nm_link *pl = nm_find_link(pns, l->peer.ifname);
				bool mine;

				/* draw each pair once; the namespace that is not the host, or the
				 * one sorted first, is the tail, so containers sit left of the host */
				if (is_gateway(pns) != is_gateway(ns))
					mine = !is_gateway(ns);
				else if (pidx != idx)
					mine = idx < pidx;
				else
					mine = !pl || l->ifindex < pl->ifindex;
				if (!mine)
					continue;
				e = edge(r, n, pn);
				set(e, "dir", "none");
				set(e, "penwidth", "2");
				set(e, "color", "#444444");
			} else if (pns && nm_find_link(pns, l->peer.ifname) &&
				   folded(r, pns, nm_find_link(pns, l->peer.ifname))) {
				const struct nm_link *pl = nm_find_link(pns, l->peer.ifname);
				Agnode_t *m = find_node(r, pns, pl->master);

				if (!m)
					continue;
				e = edge(r, n, m);
				set(e, "dir", "none");
				set(e, "penwidth", "1.5");
				set(e, "color", link_up(pl) ? bridge_colour(pns, pl->master) : "#aaaaaa");
				if (!link_up(pl))
					set(e, "style", "dashed");
			} else if (!pns) {
				/* the peer's namespace is not in the picture (not selected, or not
				 * reachable): say where it is when we know, warn only when a peer
				 * in the same namespace is missing */
				char *name = nm_xasprintf("%s/%s?peer", ns->id, l->ifname);
				Agnode_t *q = agnode(r->g, name, 1);
				bool broken = !l->peer.resolved && l->peer.nsid < 0;
				char *label;

				if (l->peer.resolved && l->peer.netns)
					label = nm_xasprintf("⇄ %s in %s\\n(not in the picture)",
							     l->peer.ifname ? l->peer.ifname : "?", l->peer.netns);
				else if (broken)
					label = nm_xasprintf("veth peer ifindex %d\\nnot found", l->peer.ifindex);
				else
					label = nm_xasprintf("⇄ ifindex %d in another namespace\\n(not in the picture)",
							     l->peer.ifindex);
				free(name);
				set(q, "label", label);
				free(label);
				set(q, "shape", "plaintext");
				set(q, "style", "");
				set(q, "fontcolor", broken ? C_WARN : "#777777");
				e = edge(r, n, q);
				set(e, "style", "dashed");
				set(e, "color", broken ? C_WARN : "#999999");
				set(e, "dir", "none");
			}
		} else if (l->link_ifindex && !nm_link_has_peer(l) && l->link_ifindex != l->ifindex) {
			const struct nm_link *lower = nm_find_link_index(ns, l->link_ifindex);
			Agnode_t *ln = lower ? find_node(r, ns, lower->ifname) : NULL;

			if (ln) {
				e = edge(r, n, ln);
				set(e, "style", "dotted");
				set(e, "label", "lower");
			}
		}
	}
}

/* The way out: the uplink of the host namespace, routed-to from its bridges, and the
 * source NAT done on it. */
static void draw_way_out(struct rg *r, size_t idx)
{
	const struct nm_netns *ns = r->ns[idx];
	const struct nm_route *d = render_default_route(ns);
	const char *uplink = d ? route_dev(d) : NULL;
	Agnode_t *up = uplink ? find_node(r, ns, uplink) : NULL;
	Agnode_t *out;
	Agedge_t *e;
	struct sbuf b = { 0 };
	size_t i;
	char *oname;


	if (!up || !is_gateway(ns))
		return;
	oname = nm_xasprintf("%s/(outside)", ns->id);
	out = agnode(r->g, oname, 1);
	free(oname);
	set(out, "label", "outside\\n(upstream network)");
	set(out, "shape", "ellipse");
	set(out, "style", "filled");
	set(out, "fillcolor", "#ffffff");
	set(out, "color", C_UPLINK);
	e = edge(r, up, out);
	route_text(&b, d);
	for (i = 0; i < r->n_nat; i++) {
		const struct render_nat_note *nn = &r->nat[i];

		if (nn->dir == RENDER_NAT_OUT && nn->ns == ns && nn->ifname && !strcmp(nn->ifname, uplink))
			sb_add(&b, "\\n%s", nn->text);
	}
	set(e, "label", b.s);
	free(b.s);
	set(e, "color", C_UPLINK);
	set(e, "fontcolor", C_UPLINK);
	set(e, "penwidth", "2.5");

	/* Bridges with an address route out through the uplink when forwarding is on. */
	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];
		Agnode_t *bn;

		if (!nm_link_is_bridge(l) || !l->n_addrs || !l->ifname || !strcmp(l->ifname, uplink))
			continue;
		bn = find_node(r, ns, l->ifname);
		if (!bn)
			continue;
		e = edge(r, bn, up);
		set(e, "style", "dotted");
		if (ns->sysctl.ip_forward == 0) {
			set(e, "label", "ip_forward=0");
			set(e, "color", C_WARN);
			set(e, "fontcolor", C_WARN);
		} else {
			set(e, "label", "routed");
			set(e, "color", "#888888");
			set(e, "fontcolor", "#666666");
		}
	}
}

static Agnode_t *first_node(struct rg *r, const struct nm_netns *ns)
{
	const struct nm_link *best = NULL;
	size_t i;

	for (i = 0; i < ns->n_links; i++)
		if (link_shown(r, &ns->links[i]) && !nm_link_is_loopback(&ns->links[i]) &&
		    (!best || ns->links[i].ifindex < best->ifindex))
			best = &ns->links[i];
	if (!best) {
		char *name = nm_xasprintf("%s/(empty)", ns->id);
		Agnode_t *n = agnode(r->g, name, 0);

		free(name);
		return n ? n : find_node(r, ns, "lo");
	}
	return find_node(r, ns, best->ifname);
}

/* A NAT annotation: a note node, tied to what it is about by a dashed edge. */
static Agnode_t *nat_note(struct rg *r, const char *name, const char *label)
{
	Agnode_t *n = agnode(r->g, (char *)name, 1);

	set(n, "label", label);
	set(n, "shape", "note");
	set(n, "style", "filled");
	set(n, "fillcolor", C_NATFILL);
	set(n, "color", C_NAT);
	return n;
}

static Agedge_t *nat_edge(struct rg *r, Agnode_t *t, Agnode_t *h)
{
	Agedge_t *e = edge(r, t, h);

	set(e, "color", C_NAT);
	set(e, "style", "dashed");
	return e;
}

/* NAT annotations that are not on the uplink edge: published ports into a namespace,
 * and source NAT on interfaces other than the host's uplink. */
static void draw_nat_notes(struct rg *r)
{
	size_t i, j;

	for (i = 0; i < r->n_ns; i++) {
		const struct nm_netns *ns = r->ns[i];
		const char *uplink = is_gateway(ns) ? uplink_of(ns) : NULL;
		struct sbuf in = { 0 };

		for (j = 0; j < r->n_nat; j++) {
			const struct render_nat_note *nn = &r->nat[j];

			if (nn->dir == RENDER_NAT_IN && nn->target == ns)
				sb_add(&in, "%s%s", in.len ? "\\l" : "", nn->text);
		}
		if (in.len) {
			char *name = nm_xasprintf("%s/(ports)", ns->id);
			Agnode_t *t = first_node(r, ns);
			Agnode_t *n;
			Agedge_t *e;

			sb_add(&in, "\\l");
			n = nat_note(r, name, in.s);
			free(name);
			if (t) {
				e = nat_edge(r, n, t);
				set(e, "label", "published");
				set(e, "fontcolor", C_NAT);
			}
		}
		free(in.s);

		for (j = 0; j < r->n_nat; j++) {
			const struct render_nat_note *nn = &r->nat[j];
			Agnode_t *at, *n;
			Agedge_t *e;
			char *name;

			if (nn->dir != RENDER_NAT_OUT || nn->ns != ns)
				continue;
			if (uplink && nn->ifname && !strcmp(nn->ifname, uplink))
				continue;	/* on the way-out edge */
			at = nn->ifname ? find_node(r, ns, nn->ifname) : NULL;
			name = nm_xasprintf("%s/(nat%zu)", ns->id, j);
			n = nat_note(r, name, nn->text);
			free(name);
			if (at) {
				e = nat_edge(r, at, n);
				set(e, "dir", "none");
			}
		}
	}
}

static void draw_legend(struct rg *r)
{
	Agraph_t *sub = agsubg(r->g, "cluster_legend", 1);
	Agnode_t *n = agnode(sub, "legend", 1);

	set(sub, "label", "legend");
	set(sub, "style", "rounded");
	set(sub, "color", "#bbbbbb");
	set(n, "shape", "plaintext");
	set(n, "style", "");
	set_html(r->g, n, "label",
		 "<table border=\"0\" cellborder=\"1\" cellspacing=\"2\" cellpadding=\"3\">"
		 "<tr><td bgcolor=\"" C_UP "\">interface up</td>"
		 "<td bgcolor=\"" C_NOCARRIER "\">up, no carrier</td>"
		 "<td bgcolor=\"" C_DOWN "\" style=\"dashed\"><font color=\"#777777\">down</font></td></tr>"
		 "<tr><td bgcolor=\"" C_BRIDGE "\">bridge</td>"
		 "<td color=\"" C_UPLINK "\">uplink (default route)</td>"
		 "<td bgcolor=\"" C_NATFILL "\" color=\"" C_NAT "\">NAT / published port</td></tr>"
		 "<tr><td>━━ veth pair</td>"
		 "<td><font color=\"#3a6fb0\">── bridge port</font></td>"
		 "<td><font color=\"#888888\">┈┈ routed</font></td></tr>"
		 "<tr><td bgcolor=\"" C_CONTAINER "\">container</td>"
		 "<td bgcolor=\"" C_NETNS "\">netns / process</td>"
		 "<td bgcolor=\"" C_HOST "\">host</td></tr>"
		 "</table>");
}

Agraph_t *render_graph_build(const struct nm_snapshot *s, const struct render_opts *o)
{
	struct rg r = { .s = s, .o = o };
	struct sbuf b = { 0 };
	size_t i;

	static Agdisc_t disc;

	disc.mem = AgDefaultDisc.mem;
	disc.io = AgDefaultDisc.io;
	disc.id = &rg_iddisc;
	r.g = agopen("nsmap", Agdirected, &disc);
	if (!r.g)
		return NULL;
	r.ns = nm_xcalloc(s->n_netns + 1, sizeof(*r.ns));
	for (i = 0; i < s->n_netns; i++)
		r.ns[i] = &s->netns[i];
	r.n_ns = s->n_netns;
	nm_qsort(r.ns, r.n_ns, sizeof(*r.ns), ns_cmp);
	{
		size_t ports = 0, j;

		for (i = 0; i < r.n_ns; i++)
			for (j = 0; j < r.ns[i]->n_links; j++)
				ports += is_cross_port(&r, r.ns[i], &r.ns[i]->links[j]);
		r.fold = ports > RENDER_FOLD_PORTS;
	}
	if (render_nat_notes(s, &r.nat, &r.n_nat) < 0) {
		r.nat = NULL;
		r.n_nat = 0;
	}

	agattr(r.g, AGRAPH, "rankdir", "LR");
	agattr(r.g, AGRAPH, "newrank", "true");
	agattr(r.g, AGRAPH, "nodesep", "0.12");
	agattr(r.g, AGRAPH, "ranksep", "0.5");
	agattr(r.g, AGRAPH, "fontname", "Helvetica");
	agattr(r.g, AGRAPH, "fontsize", "11");
	agattr(r.g, AGRAPH, "labelloc", "t");
	agattr(r.g, AGRAPH, "labeljust", "l");
	agattr(r.g, AGNODE, "shape", "box");
	agattr(r.g, AGNODE, "style", "rounded,filled");
	agattr(r.g, AGNODE, "fontname", "Helvetica");
	agattr(r.g, AGNODE, "fontsize", "9");
	agattr(r.g, AGNODE, "margin", "0.06,0.03");
	agattr(r.g, AGEDGE, "fontname", "Helvetica");
	agattr(r.g, AGEDGE, "fontsize", "8");
	sb_add(&b, "nsmap: ");
	sb_name(&b, s->hostname ? s->hostname : "host");
	if (s->kernel) {
		sb_add(&b, " · Linux ");
		sb_name(&b, s->kernel);
	}
	if (s->created) {
		sb_add(&b, " · ");
		sb_name(&b, s->created);
	}
	sb_add(&b, " · %zu namespace%s", s->n_netns, s->n_netns == 1 ? "" : "s");
	set(r.g, "label", b.s);
	free(b.s);

	for (i = 0; i < r.n_ns; i++)
		draw_namespace(&r, i);
	for (i = 0; i < r.n_ns; i++)
		draw_wires(&r, i);
	for (i = 0; i < r.n_ns; i++)
		draw_way_out(&r, i);
	draw_nat_notes(&r);
	if (!o->no_legend)
		draw_legend(&r);

	render_nat_notes_free(r.nat, r.n_nat);
	free(r.ns);
	return r.g;
}
