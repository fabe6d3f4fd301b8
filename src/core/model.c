/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.c - snapshot lifetime and lookups. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "netfilter.h"

struct nm_snapshot *nm_snapshot_new(void)
{
	struct nm_snapshot *s = nm_xcalloc(1, sizeof(*s));

	s->schema = nm_xstrdup(NM_SCHEMA);
	return s;
}

static void addr_clear(struct nm_addr *a)
{
	free(a->scope);
	free(a->label);
}

static void link_clear(struct nm_link *l)
{
	free(l->ifname);
	free(l->kind);
	free(l->state);
	free(l->mac);
	free(l->master);
	free(l->network);
	free(l->peer.netns);
	free(l->peer.label);
	free(l->peer.ifname);
	NM_FREE_ARRAY(l->addrs, l->n_addrs, addr_clear);
}

static void route_clear(struct nm_route *r)
{
	size_t i;

	free(r->type);
	free(r->dev);
	free(r->protocol);
	free(r->scope);
	for (i = 0; i < r->n_nexthops; i++)
		free(r->nexthops[i].dev);
	free(r->nexthops);
}

static void rule_clear(struct nm_rule *r)
{
	free(r->action);
	free(r->iif);
	free(r->oif);
}

static void neigh_clear(struct nm_neigh *n)
{
	free(n->dev);
	free(n->lladdr);
	free(n->state);
}

void nm_netns_truncate(struct nm_netns *ns, size_t n_routes, size_t n_rules, size_t n_neighs, bool addrs)
{
	size_t i;

	while (ns->n_routes > n_routes)
		route_clear(&ns->routes[--ns->n_routes]);
	while (ns->n_rules > n_rules)
		rule_clear(&ns->rules[--ns->n_rules]);
	while (ns->n_neighs > n_neighs)
		neigh_clear(&ns->neighs[--ns->n_neighs]);
	if (addrs)
		for (i = 0; i < ns->n_links; i++)
			NM_FREE_ARRAY(ns->links[i].addrs, ns->links[i].n_addrs, addr_clear);
}

static void port_clear(struct nm_port *p)
{
	free(p->proto);
	free(p->host_ip);
}

void nm_container_free(struct nm_container *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->id);
	free(c->image);
	free(c->runtime);
	NM_FREE_ARRAY(c->ports, c->n_ports, port_clear);
	free(c);
}

void nm_netns_clear(struct nm_netns *ns)
{
	size_t i;

	free(ns->id);
	free(ns->label);
	nm_strv_free(ns->names, ns->n_names);
	nm_strv_free(ns->mounts, ns->n_mounts);
	for (i = 0; i < ns->n_procs; i++)
		free(ns->procs[i].comm);
	free(ns->procs);
	nm_container_free(ns->container);
	NM_FREE_ARRAY(ns->links, ns->n_links, link_clear);
	NM_FREE_ARRAY(ns->routes, ns->n_routes, route_clear);
	NM_FREE_ARRAY(ns->rules, ns->n_rules, rule_clear);
	NM_FREE_ARRAY(ns->neighs, ns->n_neighs, neigh_clear);
	if (ns->netfilter)
		nf_ruleset_free(ns->netfilter);
	for (i = 0; i < ns->n_unsupported; i++) {
		free(ns->unsupported[i].what);
		free(ns->unsupported[i].raw);
	}
	free(ns->unsupported);
	nm_strv_free(ns->warnings, ns->n_warnings);
	memset(ns, 0, sizeof(*ns));
}

void nm_snapshot_free(struct nm_snapshot *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_netns; i++)
		nm_netns_clear(&s->netns[i]);
	free(s->netns);
	free(s->schema);
	free(s->hostname);
	free(s->kernel);
	free(s->created);
	nm_strv_free(s->warnings, s->n_warnings);
	free(s);
}

struct nm_netns *nm_find_netns(const struct nm_snapshot *s, const char *id)
{
	size_t i;

	if (!id)
		return NULL;
	for (i = 0; i < s->n_netns; i++)
		if (!strcmp(s->netns[i].id, id))
			return &s->netns[i];
	return NULL;
}

bool nm_netns_has_bridge(const struct nm_netns *ns)
{
	size_t i;

	for (i = 0; i < ns->n_links; i++)
		if (nm_link_is_bridge(&ns->links[i]))
			return true;
	return false;
}

struct nm_link *nm_find_link(const struct nm_netns *ns, const char *ifname)
{
	size_t i;

	if (!ifname)
		return NULL;
	for (i = 0; i < ns->n_links; i++)
		if (ns->links[i].ifname && !strcmp(ns->links[i].ifname, ifname))
			return &ns->links[i];
	return NULL;
}

struct nm_link *nm_find_link_index(const struct nm_netns *ns, int ifindex)
{
	size_t i;

	for (i = 0; i < ns->n_links; i++)
		if (ns->links[i].ifindex == ifindex)
			return &ns->links[i];
	return NULL;
}

struct nm_link *nm_find_link_addr(const struct nm_netns *ns, const struct nm_ip *addr)
{
	size_t i, j;

	for (i = 0; i < ns->n_links; i++)
		for (j = 0; j < ns->links[i].n_addrs; j++)
			if (nm_ip_equal(&ns->links[i].addrs[j].local, addr))
				return &ns->links[i];
	return NULL;
}
