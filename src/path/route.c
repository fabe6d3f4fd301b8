/* SPDX-License-Identifier: GPL-2.0-or-later */
/* route.c - the kernel's route lookup over a snapshot: policy rules, longest prefix, metric, source. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "path_int.h"

bool path_link_up(const struct nm_link *l)
{
	return l && (l->flags & IFF_UP);
}

bool path_link_carrier(const struct nm_link *l)
{
	if (!l || !path_link_up(l))
		return false;
	/* Loopback and dummies say UNKNOWN; only an explicit DOWN/LOWERLAYERDOWN is no carrier. */
	if (l->state && (!strcmp(l->state, "DOWN") || !strcmp(l->state, "LOWERLAYERDOWN") ||
			 !strcmp(l->state, "NOTPRESENT")))
		return false;
	if (!l->state && !(l->flags & IFF_LOWER_UP))
		return false;
	return true;
}

bool path_ip_private(const struct nm_ip *ip)
{
	static const char *const priv[] = {
		"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
		"169.254.0.0/16", "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(priv); i++) {
		struct nm_ip p;

		if (!nm_ip_parse(priv[i], &p) && nm_ip_in_prefix(ip, &p))
			return true;
	}
	return false;
}

static bool is_loopback4(const struct nm_ip *a)
{
	return a->family == AF_INET && a->addr[0] == 127;
}

/* Does a policy rule select this flow? */
static bool rule_matches(const struct nm_rule *r, const struct nm_flow *fl, uint8_t family)
{
	bool m = true;

	if (r->family && r->family != family)
		return false;
	if (r->src.family && (!fl->src.family || !nm_ip_in_prefix(&fl->src, &r->src)))
		m = false;
	if (m && r->dst.family && !nm_ip_in_prefix(&fl->dst, &r->dst))
		m = false;
	if (m && r->iif && *r->iif) {
		/* iif lo matches locally generated packets. */
		const char *iif = fl->iif ? fl->iif : "lo";

		if (strcmp(r->iif, iif))
			m = false;
	}
	if (m && r->oif && *r->oif && (!fl->oif || strcmp(r->oif, fl->oif)))
		m = false;
	if (m && (r->fwmark || r->fwmask)) {
		uint32_t mask = r->fwmask ? r->fwmask : 0xffffffff;

		if ((fl->mark & mask) != r->fwmark)
			m = false;
	}
	return r->invert ? !m : m;
}

static const char *route_type(const struct nm_route *r)
{
	return r->type ? r->type : "unicast";
}

/* Longest prefix, then lowest metric, in one table. */
static const struct nm_route *table_lookup(const struct nm_netns *ns, uint32_t table,
					   const struct nm_flow *fl, uint8_t family)
{
	const struct nm_route *best = NULL;
	size_t i;

	for (i = 0; i < ns->n_routes; i++) {
		const struct nm_route *r = &ns->routes[i];
		int plen = r->dst.family ? r->dst.plen : 0;

		if (r->family != family || r->table != table)
			continue;
		if (!strcmp(route_type(r), "broadcast") || !strcmp(route_type(r), "multicast") ||
		    !strcmp(route_type(r), "anycast"))
			continue;
		if (!nm_ip_in_prefix(&fl->dst, &r->dst))
			continue;
		if (r->src.family && fl->src.family && !nm_ip_in_prefix(&fl->src, &r->src))
			continue;
		if (fl->oif && r->dev && strcmp(fl->oif, r->dev))
			continue;
		if (r->dev) {
			/* Routes through a link that is administratively down are dead. */
			const struct nm_link *l = nm_find_link(ns, r->dev);

			if (l && !path_link_up(l) && strcmp(route_type(r), "local"))
				continue;
		}
		if (!best) {
			best = r;
			continue;
		}
		if (plen > (best->dst.family ? best->dst.plen : 0) ||
		    (plen == (best->dst.family ? best->dst.plen : 0) && r->metric < best->metric))
			best = r;
	}
	return best;
}

static bool has_rules(const struct nm_netns *ns, uint8_t family)
{
	size_t i;

	for (i = 0; i < ns->n_rules; i++)
		if (ns->rules[i].family == family)
			return true;
	return false;
}

static void fill_res(const struct nm_route *r, struct path_route_res *res)
{
	const char *t = route_type(r);

	res->route = r;
	res->table = r->table;
	if (!strcmp(t, "local")) {
		res->local = true;
	} else if (!strcmp(t, "blackhole") || !strcmp(t, "unreachable") || !strcmp(t, "prohibit") ||
		   !strcmp(t, "throw")) {
		res->reject = true;
		res->reject_type = t;
	}
	res->dev = r->dev;
	if (r->gateway.family)
		res->gateway = r->gateway;
	else if (r->n_nexthops > 0 && r->nexthops[0].gateway.family)
		res->gateway = r->nexthops[0].gateway;
	if (!res->dev && r->n_nexthops > 0)
		res->dev = r->nexthops[0].dev;
}

/* The kernel's rules when a namespace has none of the family. */
static const struct nm_rule default_rules[] = {
	{ .priority = 0, .table = PATH_TABLE_LOCAL, .action = "lookup" },
	{ .priority = 32766, .table = PATH_TABLE_MAIN, .action = "lookup" },
	{ .priority = 32767, .table = PATH_TABLE_DEFAULT, .action = "lookup" },
};

/* The policy rules of ns for the family (or the defaults: *defaults), in priority order,
 * stable: malloc'd, *k of them. */
static const struct nm_rule **sorted_rules(const struct nm_netns *ns, uint8_t family, size_t *k,
					   bool *defaults)
{
	const struct nm_rule *rules = default_rules;
	const struct nm_rule **sorted;
	size_t n = ARRAY_SIZE(default_rules), i;

	if (has_rules(ns, family)) {
		rules = ns->rules;
		n = ns->n_rules;
	}
	*defaults = rules == default_rules;
	sorted = nm_xcalloc(n ? n : 1, sizeof(*sorted));
	*k = 0;
	for (i = 0; i < n; i++)
		if (!rules[i].family || rules[i].family == family || rules == default_rules)
			sorted[(*k)++] = &rules[i];
	/* Stable insertion sort by priority (rules are few). */
	for (i = 1; i < *k; i++) {
		const struct nm_rule *r = sorted[i];
		size_t j = i;

		while (j > 0 && sorted[j - 1]->priority > r->priority) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = r;
	}
	return sorted;
}

/* Apply rule r (one of the defaults: dflt) to the flow: true when it decides (a reject, or
 * a route in its table). */
static bool rule_decides(const struct nm_netns *ns, const struct nm_rule *r, bool dflt,
			 const struct nm_flow *fl, uint8_t family, struct path_route_res *res)
{
	const char *act = r->action ? r->action : "lookup";
	const struct nm_route *rt;

	if (!rule_matches(r, fl, family))
		return false;
	if (!strcmp(act, "blackhole") || !strcmp(act, "unreachable") || !strcmp(act, "prohibit")) {
		res->reject = true;
		res->reject_type = act;
	} else {
		if (strcmp(act, "lookup") && strcmp(act, "to_tbl"))
			return false;	/* nop, goto: not modelled */
		rt = table_lookup(ns, r->table, fl, family);
		if (!rt || !strcmp(route_type(rt), "throw"))
			return false;
		fill_res(rt, res);
	}
	res->rule = dflt ? NULL : r;
	res->rule_prio = r->priority;
	return true;
}

int path_route_lookup(const struct nm_netns *ns, const struct nm_flow *fl,
		      struct path_route_res *res)
{
	uint8_t family = fl->dst.family;
	const struct nm_rule **sorted;
	const struct nm_link *owner;
	size_t i, k;
	bool dflt;

	memset(res, 0, sizeof(*res));
	if (!family)
		return -EINVAL;

	/* The local table is not always in a snapshot: an owned address is local anyway. */
	owner = nm_find_link_addr(ns, &fl->dst);
	if (owner || is_loopback4(&fl->dst)) {
		res->local = true;
		res->table = PATH_TABLE_LOCAL;
		res->dev = owner ? owner->ifname : "lo";
		return 0;
	}
	sorted = sorted_rules(ns, family, &k, &dflt);
	for (i = 0; i < k; i++)
		if (rule_decides(ns, sorted[i], dflt, fl, family, res))
			break;
	free(sorted);
	return 0;
}

bool path_addr_global(const struct nm_addr *a)
{
	return !a->scope || !strcmp(a->scope, "global") || !strcmp(a->scope, "universe");
}

bool path_link_primary(const struct nm_link *l, uint8_t family, const struct nm_ip *toward,
		       struct nm_ip *out)
{
	size_t j;
	const struct nm_addr *first = NULL;

	if (!l)
		return false;
	for (j = 0; j < l->n_addrs; j++) {
		const struct nm_addr *a = &l->addrs[j];

		if (a->local.family != family || !path_addr_global(a))
			continue;
		if (toward && toward->family) {
			struct nm_ip p = a->local;

			if (nm_ip_in_prefix(toward, &p)) {
				*out = a->local;
				out->plen = family == AF_INET ? 32 : 128;
				return true;
			}
		}
		if (!first)
			first = a;
	}
	if (!first)
		return false;
	*out = first->local;
	out->plen = family == AF_INET ? 32 : 128;
	return true;
}

bool path_select_src(const struct nm_netns *ns, const struct nm_route *r, const char *dev,
		     const struct nm_ip *nexthop, struct nm_ip *out)
{
	size_t i;
	uint8_t family = nexthop->family;

	if (r && r->prefsrc.family) {
		*out = r->prefsrc;
		out->plen = family == AF_INET ? 32 : 128;
		return true;
	}
	if (dev && path_link_primary(nm_find_link(ns, dev), family, nexthop, out))
		return true;
	/* Like inet_select_addr(): any global address of the namespace will do. */
	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];

		if (nm_link_is_loopback(l))
			continue;
		if (path_link_up(l) && path_link_primary(l, family, NULL, out))
			return true;
	}
	return false;
}
