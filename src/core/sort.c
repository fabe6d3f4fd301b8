/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sort.c - one deterministic order for everything in a snapshot: namespaces (self first, then by label), links by ifindex, routes like ip route. */
#include <stdlib.h>
#include <string.h>

#include "model.h"

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
