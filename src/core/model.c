/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.c - snapshot lifetime, deterministic ordering, labels and namespace selection. */
#include <errno.h>
#include <fnmatch.h>
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

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void addrs_clear(struct nm_link *l)
{
	size_t i;

	for (i = 0; i < l->n_addrs; i++) {
		free(l->addrs[i].scope);
		free(l->addrs[i].label);
	}
	free(l->addrs);
	l->addrs = NULL;
	l->n_addrs = 0;
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
	addrs_clear(l);
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
			addrs_clear(&ns->links[i]);
}

void nm_netns_clear(struct nm_netns *ns)
{
	size_t i;

	free(ns->id);
	free(ns->label);
	strv_free(ns->names, ns->n_names);
	strv_free(ns->mounts, ns->n_mounts);
	for (i = 0; i < ns->n_procs; i++)
		free(ns->procs[i].comm);
	free(ns->procs);
	if (ns->container) {
		free(ns->container->name);
		free(ns->container->id);
		free(ns->container->image);
		free(ns->container->runtime);
		for (i = 0; i < ns->container->n_ports; i++) {
			free(ns->container->ports[i].proto);
			free(ns->container->ports[i].host_ip);
		}
		free(ns->container->ports);
		free(ns->container);
	}
	for (i = 0; i < ns->n_links; i++)
		link_clear(&ns->links[i]);
	free(ns->links);
	for (i = 0; i < ns->n_routes; i++)
		route_clear(&ns->routes[i]);
	free(ns->routes);
	for (i = 0; i < ns->n_rules; i++)
		rule_clear(&ns->rules[i]);
	free(ns->rules);
	for (i = 0; i < ns->n_neighs; i++)
		neigh_clear(&ns->neighs[i]);
	free(ns->neighs);
	if (ns->netfilter)
		nf_ruleset_free(ns->netfilter);
	for (i = 0; i < ns->n_unsupported; i++) {
		free(ns->unsupported[i].what);
		free(ns->unsupported[i].raw);
	}
	free(ns->unsupported);
	strv_free(ns->warnings, ns->n_warnings);
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
	strv_free(s->warnings, s->n_warnings);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_netns(const void *a, const void *b)
{
	const struct nm_netns *x = a, *y = b;
	int c;

	if (x->self != y->self)
		return x->self ? -1 : 1;
	c = strverscmp(x->label ? x->label : "", y->label ? y->label : "");
	if (c)
		return c;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int cmp_link(const void *a, const void *b)
{
	const struct nm_link *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static int cmp_ip(const struct nm_ip *a, const struct nm_ip *b)
{
	int c;

	if (a->family != b->family)
		return a->family - b->family;
	c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return a->plen - b->plen;
}

static int cmp_route(const void *a, const void *b)
{
	const struct nm_route *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	/* main first, then the others by number, then local */
	if (x->table != y->table) {
		int rx = x->table == 254 ? 0 : x->table == 255 ? 2 : 1;
		int ry = y->table == 254 ? 0 : y->table == 255 ? 2 : 1;

		if (rx != ry)
			return rx - ry;
		return x->table < y->table ? -1 : 1;
	}
	/* default route first, then by prefix */
	if ((x->dst.family == 0) != (y->dst.family == 0))
		return x->dst.family == 0 ? -1 : 1;
	c = cmp_ip(&x->dst, &y->dst);
	if (c)
		return c;
	c = strcmp(x->type ? x->type : "", y->type ? y->type : "");
	if (c)
		return c;
	if (x->metric != y->metric)
		return x->metric < y->metric ? -1 : 1;
	c = strcmp(x->dev ? x->dev : "", y->dev ? y->dev : "");
	if (c)
		return c;
	return cmp_ip(&x->gateway, &y->gateway);
}

static int cmp_rule(const void *a, const void *b)
{
	const struct nm_rule *x = a, *y = b;

	if (x->family != y->family)
		return x->family - y->family;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->table < y->table ? -1 : x->table > y->table;
}

static int cmp_neigh(const void *a, const void *b)
{
	const struct nm_neigh *x = a, *y = b;
	int c = strcmp(x->dev ? x->dev : "", y->dev ? y->dev : "");

	return c ? c : cmp_ip(&x->dst, &y->dst);
}

static int cmp_addr(const void *a, const void *b)
{
	const struct nm_addr *x = a, *y = b;

	return cmp_ip(&x->local, &y->local);
}

void nm_snapshot_sort(struct nm_snapshot *s)
{
	size_t i, j;

	for (i = 0; i < s->n_netns; i++) {
		struct nm_netns *ns = &s->netns[i];

		nm_qsort(ns->names, ns->n_names, sizeof(char *), cmp_str);
		nm_qsort(ns->mounts, ns->n_mounts, sizeof(char *), cmp_str);
		nm_qsort(ns->links, ns->n_links, sizeof(*ns->links), cmp_link);
		for (j = 0; j < ns->n_links; j++)
			nm_qsort(ns->links[j].addrs, ns->links[j].n_addrs,
			       sizeof(struct nm_addr), cmp_addr);
		nm_qsort(ns->routes, ns->n_routes, sizeof(*ns->routes), cmp_route);
		nm_qsort(ns->rules, ns->n_rules, sizeof(*ns->rules), cmp_rule);
		nm_qsort(ns->neighs, ns->n_neighs, sizeof(*ns->neighs), cmp_neigh);
	}
	nm_qsort(s->netns, s->n_netns, sizeof(*s->netns), cmp_netns);
}

static char *label_for(const struct nm_netns *ns)
{
	if (ns->container && ns->container->name && *ns->container->name)
		return nm_xstrdup(ns->container->name);
	if (ns->n_names)
		return nm_xstrdup(ns->names[0]);
	if (ns->self)
		return nm_xstrdup("host");
	if (ns->n_procs)
		return nm_xasprintf("%s[%d]", ns->procs[0].comm ? ns->procs[0].comm : "?",
				    (int)ns->procs[0].pid);
	return nm_xasprintf("%" PRIu64, ns->ino);
}

void nm_snapshot_label(struct nm_snapshot *s)
{
	size_t i, j;

	for (i = 0; i < s->n_netns; i++) {
		free(s->netns[i].label);
		s->netns[i].label = label_for(&s->netns[i]);
		if (!s->netns[i].id)
			s->netns[i].id = nm_xasprintf("net:%" PRIu64, s->netns[i].ino);
	}
	/* Two containers or processes may share a name: keep labels unique. */
	for (i = 0; i < s->n_netns; i++) {
		for (j = i + 1; j < s->n_netns; j++) {
			if (strcmp(s->netns[i].label, s->netns[j].label))
				continue;
			char *l = nm_xasprintf("%s#%" PRIu64, s->netns[j].label, s->netns[j].ino);

			free(s->netns[j].label);
			s->netns[j].label = l;
		}
	}
	/* Peers carry their namespace's label, so a selection (-n) can still name them. */
	for (i = 0; i < s->n_netns; i++) {
		for (j = 0; j < s->netns[i].n_links; j++) {
			struct nm_peer *p = &s->netns[i].links[j].peer;
			const struct nm_netns *pns = p->resolved ? nm_find_netns(s, p->netns) : NULL;

			if (pns) {
				free(p->label);
				p->label = nm_xstrdup(pns->label);
			}
		}
	}
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

static bool glob_match(const char *pattern, const char *s)
{
	return s && fnmatch(pattern, s, 0) == 0;
}

bool nm_netns_matches(const struct nm_netns *ns, const char *pattern)
{
	char buf[32];
	size_t i;

	if (glob_match(pattern, ns->label) || glob_match(pattern, ns->id))
		return true;
	for (i = 0; i < ns->n_names; i++)
		if (glob_match(pattern, ns->names[i]))
			return true;
	if (ns->container && (glob_match(pattern, ns->container->name) ||
			      (ns->container->id && strlen(pattern) >= 4 &&
			       !strncmp(ns->container->id, pattern, strlen(pattern)))))
		return true;
	for (i = 0; i < ns->n_procs; i++) {
		snprintf(buf, sizeof(buf), "%d", (int)ns->procs[i].pid);
		if (glob_match(pattern, buf))
			return true;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, ns->ino);
	if (glob_match(pattern, buf))
		return true;
	for (i = 0; i < ns->n_mounts; i++)
		if (glob_match(pattern, ns->mounts[i]))
			return true;
	return false;
}

int nm_snapshot_mark(const struct nm_snapshot *s, const char *patterns, bool *keep, char **bad)
{
	char *copy, *save = NULL, *p;
	size_t i;
	int ret = 0;

	*bad = NULL;
	if (!patterns) {
		for (i = 0; i < s->n_netns; i++)
			keep[i] = true;
		return 0;
	}
	copy = nm_xstrdup(patterns);
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		bool any = false;

		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		for (i = 0; i < s->n_netns; i++)
			if (nm_netns_matches(&s->netns[i], p))
				keep[i] = any = true;
		if (!any && !*bad) {
			*bad = nm_xstrdup(p);
			ret = -ENOENT;
		}
	}
	free(copy);
	return ret;
}

int nm_snapshot_select(struct nm_snapshot *s, const char *patterns, char **bad)
{
	bool *keep = nm_xcalloc(s->n_netns, sizeof(bool));
	size_t i, k;
	int ret = nm_snapshot_mark(s, patterns, keep, bad);

	if (!ret) {
		for (i = 0, k = 0; i < s->n_netns; i++) {
			if (keep[i])
				s->netns[k++] = s->netns[i];
			else
				nm_netns_clear(&s->netns[i]);
		}
		s->n_netns = k;
	}
	free(keep);
	return ret;
}
