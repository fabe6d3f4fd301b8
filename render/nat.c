/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nat.c - NAT annotations for the picture: masquerade on the way out, published ports coming in. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netfilter.h"
#include "render_int.h"

static const char *ipstr(const struct nm_ip *ip, char *buf, size_t len, bool plen)
{
	if (!ip->family || !inet_ntop(ip->family == AF_INET6 ? AF_INET6 : AF_INET, ip->addr, buf, len)) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (plen && ip->plen != (ip->family == AF_INET6 ? 128 : 32)) {
		size_t l = strlen(buf);

		snprintf(buf + l, len - l, "/%u", ip->plen);
	}
	return buf;
}

static bool same_ip(const struct nm_ip *a, const struct nm_ip *b)
{
	size_t n = a->family == AF_INET6 ? 16 : 4;

	return a->family && a->family == b->family && !memcmp(a->addr, b->addr, n);
}

/* The namespace with an interface holding addr (a container's address), or NULL. */
static const struct nm_netns *owner_of(const struct nm_snapshot *s, const struct nm_ip *addr)
{
	size_t i, j, k;

	for (i = 0; i < s->n_netns; i++)
		for (j = 0; j < s->netns[i].n_links; j++)
			for (k = 0; k < s->netns[i].links[j].n_addrs; k++)
				if (same_ip(&s->netns[i].links[j].addrs[k].local, addr))
					return &s->netns[i];
	return NULL;
}

static const char *ns_name(const struct nm_netns *ns)
{
	if (ns->container && ns->container->name)
		return ns->container->name;
	return ns->label ? ns->label : ns->id;
}

static void push(struct render_nat_note **v, size_t *n, enum render_nat_dir dir,
		 const struct nm_netns *ns, const char *ifname, const struct nm_netns *target, char *text)
{
	struct render_nat_note *nn;
	size_t i;

	for (i = 0; i < *n; i++) {
		if ((*v)[i].dir == dir && (*v)[i].ns == ns && (*v)[i].target == target &&
		    !strcmp((*v)[i].text, text)) {
			free(text);
			return;
		}
	}
	nn = NM_PUSH(*v, *n);
	nn->dir = dir;
	nn->ns = ns;
	nn->ifname = ifname;
	nn->target = target;
	nn->text = text;
}

/* The protocol of a published port or a NAT rule: a port protocol, else "ip". */
static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_SCTP ? nm_proto_name(p) : "ip";
}

static bool is_loopback_ip(const struct nm_ip *ip)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	return (ip->family == AF_INET && ip->addr[0] == 127) ||
	       (ip->family == AF_INET6 && !memcmp(ip->addr, v6lo, 16));
}

/* What a NAT rule matches on, flattened. */
struct nat_match {
	const struct nm_ip *src, *dst;
	bool src_inv;
	const char *iif, *oif;
	bool iif_inv, oif_inv;
	uint8_t proto;
	uint16_t dport;
	bool addrtype;		/* -m addrtype: Docker's local-origin hairpin plumbing */
};

static void nat_match_of(const struct nf_rule *r, struct nat_match *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < r->n_matches; i++) {
		const struct nf_match *x = &r->matches[i];

		switch (x->kind) {
		case NF_MATCH_SADDR:
			m->src = &x->prefix;
			m->src_inv = x->invert;
			break;
		case NF_MATCH_DADDR:
			if (!x->invert)
				m->dst = &x->prefix;
			break;
		case NF_MATCH_IIF:
			m->iif = x->ifname;
			m->iif_inv = x->invert;
			break;
		case NF_MATCH_OIF:
			m->oif = x->ifname;
			m->oif_inv = x->invert;
			break;
		case NF_MATCH_L4PROTO:
			if (!x->invert)
				m->proto = x->proto;
			break;
		case NF_MATCH_DPORT:
			if (!x->invert) {
				m->dport = x->port_min;
				if (x->proto)
					m->proto = x->proto;
			}
			break;
		case NF_MATCH_ADDRTYPE:
			m->addrtype = true;
			break;
		default:
			break;
		}
	}
}

static void nat_rule(const struct nm_snapshot *s, const struct nm_netns *ns, const char *uplink,
		     const struct nf_rule *r, struct render_nat_note **v, size_t *n)
{
	const struct nf_action *act = &r->action;
	struct nat_match m;
	char a[64], b[64];
	const char *via, *src;

	nat_match_of(r, &m);
	via = m.oif && !m.oif_inv ? m.oif : uplink;
	src = m.src ? ipstr(m.src, a, sizeof(a), true) : "any";
	switch (act->kind) {
	case NF_ACT_MASQUERADE:
	case NF_ACT_SNAT:
		/* Docker's hairpin rule (-s C -d C) and its embedded-DNS SNAT are plumbing,
		 * not the way out */
		if ((m.src && m.dst && same_ip(m.src, m.dst)) || (m.src && is_loopback_ip(m.src)) ||
		    m.addrtype)
			return;
		if (act->kind == NF_ACT_MASQUERADE)
			push(v, n, RENDER_NAT_OUT, ns, via, NULL,
			     nm_xasprintf("%s%s → masquerade via %s", m.src_inv ? "not " : "", src,
					  via ? via : "any interface"));
		else
			push(v, n, RENDER_NAT_OUT, ns, via, NULL,
			     nm_xasprintf("%s%s → snat to %s via %s", m.src_inv ? "not " : "", src,
					  act->addr_min.family ? ipstr(&act->addr_min, b, sizeof(b), false) : "?",
					  via ? via : "any interface"));
		break;
	case NF_ACT_DNAT:
	case NF_ACT_REDIRECT: {
		const struct nm_netns *t = act->kind == NF_ACT_DNAT && act->addr_min.family ?
					   owner_of(s, &act->addr_min) : ns;
		const char *host = m.dst ? ipstr(m.dst, a, sizeof(a), true) :
				   act->addr_min.family == AF_INET6 ? "[::]" : "0.0.0.0";
		char port[16] = "", to_port[16] = "";

		if (act->kind == NF_ACT_DNAT && is_loopback_ip(&act->addr_min))
			return;		/* Docker's embedded DNS inside the container */
		if (m.dport)
			snprintf(port, sizeof(port), ":%u", m.dport);
		if (act->port_min)
			snprintf(to_port, sizeof(to_port), ":%u", act->port_min);
		push(v, n, RENDER_NAT_IN, ns, m.iif && !m.iif_inv ? m.iif : NULL, t ? t : ns,
		     nm_xasprintf("%s %s%s → %s%s", proto_name(m.proto), host, port,
				  t ? ns_name(t) : act->addr_min.family ?
				  ipstr(&act->addr_min, b, sizeof(b), false) : "local", to_port));
		break;
	}
	default:
		break;
	}
}

/* NAT rules of every table and backend, read from the structured rule model. */
static void nat_from_rules(const struct nm_snapshot *s, const struct nm_netns *ns,
			   struct render_nat_note **v, size_t *n)
{
	const struct nm_route *d = render_default_route(ns);
	const char *uplink = d ? (d->dev ? d->dev : d->n_nexthops ? d->nexthops[0].dev : NULL) : NULL;
	const struct nf_ruleset *rs = ns->netfilter;
	size_t t, c, r;

	if (!rs)
		return;
	for (t = 0; t < rs->n_tables; t++) {
		const struct nf_table *tab = &rs->tables[t];

		if (tab->flags & NF_TABLE_F_DORMANT)
			continue;
		for (c = 0; c < tab->n_chains; c++)
			for (r = 0; r < tab->chains[c].n_rules; r++)
				nat_rule(s, ns, uplink, &tab->chains[c].rules[r], v, n);
	}
}

/* Published ports the container engine reports; the DNAT rules say the same when the
 * netfilter model is there, and duplicates are dropped. */
static void nat_from_ports(const struct nm_snapshot *s, const struct nm_netns *ns,
			   struct render_nat_note **v, size_t *n)
{
	const struct nm_netns *host = NULL;
	size_t i;

	if (!ns->container)
		return;
	for (i = 0; i < s->n_netns; i++)
		if (s->netns[i].self)
			host = &s->netns[i];
	for (i = 0; i < ns->container->n_ports; i++) {
		const struct nm_port *p = &ns->container->ports[i];
		const char *hip = p->host_ip && *p->host_ip ? p->host_ip : "0.0.0.0";
		bool v6 = strchr(hip, ':') != NULL;

		if (!p->host_port)
			continue;	/* exposed, not published */
		push(v, n, RENDER_NAT_IN, host ? host : ns, NULL, ns,
		     nm_xasprintf("%s %s%s%s:%u → %s:%u", p->proto ? p->proto : "tcp", v6 ? "[" : "",
				  hip, v6 ? "]" : "", p->host_port, ns_name(ns), p->container_port));
	}
}

static int note_cmp(const void *a, const void *b)
{
	const struct render_nat_note *x = a, *y = b;
	int c;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	c = strcmp(x->ns && x->ns->id ? x->ns->id : "", y->ns && y->ns->id ? y->ns->id : "");
	if (c)
		return c;
	c = strcmp(x->ifname ? x->ifname : "", y->ifname ? y->ifname : "");
	return c ? c : strcmp(x->text, y->text);
}

int render_nat_notes(const struct nm_snapshot *s, struct render_nat_note **out, size_t *n)
{
	struct render_nat_note *v = NULL;
	size_t nv = 0, i;

	*out = NULL;
	*n = 0;
	if (!s)
		return -EINVAL;
	for (i = 0; i < s->n_netns; i++)
		nat_from_rules(s, &s->netns[i], &v, &nv);
	for (i = 0; i < s->n_netns; i++)
		nat_from_ports(s, &s->netns[i], &v, &nv);
	/* a port seen both as a DNAT rule and from the engine: keep one (same text) */
	for (i = 0; i < nv; i++) {
		size_t j;

		for (j = i + 1; j < nv; j++) {
			if (v[i].dir == RENDER_NAT_IN && v[j].dir == RENDER_NAT_IN &&
			    v[i].target == v[j].target && !strcmp(v[i].text, v[j].text)) {
				free(v[j].text);
				memmove(&v[j], &v[j + 1], (nv - j - 1) * sizeof(*v));
				nv--;
				j--;
			}
		}
	}
	if (nv)
		nm_qsort(v, nv, sizeof(*v), note_cmp);
	*out = v;
	*n = nv;
	return 0;
}

void render_nat_notes_free(struct render_nat_note *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}
