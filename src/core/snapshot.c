/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapshot.c - serialise the model to JSON and load it back, validating every field. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netfilter.h"
#include "snapshot.h"

#define MAX_SNAPSHOT_BYTES (512UL << 20)

/* ---- writing ---- */

static const char *family_str(int family)
{
	return family == AF_INET6 ? "inet6" : family == AF_INET ? "inet" : "unspec";
}

static void set_ip(json_t *o, const char *k, const struct nm_ip *ip, bool plen_if_not_host)
{
	char buf[64];
	bool host;

	if (!ip->family)
		return;
	host = ip->plen == (ip->family == AF_INET ? 32 : 128);
	json_object_set_new(o, k, json_string(nm_ip_str(ip, buf, sizeof(buf),
							   plen_if_not_host && !host)));
}

/* `ip -j route` spelling: "default", "10.0.0.0/24", "10.0.0.1" for a host route. */
static json_t *route_dst_json(const struct nm_ip *dst)
{
	char buf[64];
	bool host;

	if (!dst->family)
		return json_string("default");
	host = dst->plen == (dst->family == AF_INET ? 32 : 128);
	return json_string(nm_ip_str(dst, buf, sizeof(buf), !host));
}

static json_t *int_or_null(int v)
{
	return v < 0 ? json_null() : json_integer(v);
}

struct flag_name {
	unsigned int bit;
	const char *name;
};

/* The order `ip -j link` prints them in. */
static const struct flag_name link_flags[] = {
	{ 0x8, "LOOPBACK" }, { 0x2, "BROADCAST" }, { 0x10, "POINTOPOINT" },
	{ 0x1000, "MULTICAST" }, { 0x80, "NOARP" }, { 0x200, "ALLMULTI" },
	{ 0x100, "PROMISC" }, { 0x400, "MASTER" }, { 0x800, "SLAVE" },
	{ 0x4, "DEBUG" }, { 0x8000, "DYNAMIC" }, { 0x4000, "AUTOMEDIA" },
	{ 0x2000, "PORTSEL" }, { 0x20, "NOTRAILERS" }, { 0x1, "UP" },
	{ 0x10000, "LOWER_UP" }, { 0x20000, "DORMANT" }, { 0x40000, "ECHO" },
};

static json_t *flags_json(unsigned int flags)
{
	json_t *a = json_array();
	size_t i;

	if ((flags & 0x1) && !(flags & 0x10000))
		json_array_append_new(a, json_string("NO-CARRIER"));
	for (i = 0; i < ARRAY_SIZE(link_flags); i++)
		if (flags & link_flags[i].bit)
			json_array_append_new(a, json_string(link_flags[i].name));
	return a;
}

static json_t *link_json(const struct nm_link *l)
{
	json_t *o = json_object(), *addrs = json_array();
	size_t i;

	json_object_set_new(o, "ifindex", json_integer(l->ifindex));
	nm_json_set_str(o, "ifname", l->ifname);
	nm_json_set_str(o, "kind", l->kind);
	nm_json_set_str(o, "state", l->state);
	json_object_set_new(o, "flags", flags_json(l->flags));
	json_object_set_new(o, "mtu", json_integer(l->mtu));
	json_object_set_new(o, "address", nm_json_str(l->mac));
	json_object_set_new(o, "master", nm_json_str(l->master));
	json_object_set_new(o, "master_index", json_integer(l->master_ifindex));
	json_object_set_new(o, "link_index", json_integer(l->link_ifindex));
	nm_json_set_str(o, "network", l->network);
	if (l->peer.present) {
		json_t *p = json_object();

		json_object_set_new(p, "netns", nm_json_str(l->peer.netns));
		json_object_set_new(p, "label", nm_json_str(l->peer.label));
		json_object_set_new(p, "ifname", nm_json_str(l->peer.ifname));
		json_object_set_new(p, "ifindex", json_integer(l->peer.ifindex));
		json_object_set_new(p, "nsid", json_integer(l->peer.nsid));
		json_object_set_new(p, "resolved", json_boolean(l->peer.resolved));
		json_object_set_new(o, "peer", p);
	}
	json_object_set_new(o, "forwarding", int_or_null(l->forwarding));
	json_object_set_new(o, "rp_filter", int_or_null(l->rp_filter));
	for (i = 0; i < l->n_addrs; i++) {
		const struct nm_addr *a = &l->addrs[i];
		json_t *ao = json_object();
		char buf[64];

		json_object_set_new(ao, "family", json_string(family_str(a->local.family)));
		json_object_set_new(ao, "local", json_string(nm_ip_str(&a->local, buf, sizeof(buf), false)));
		json_object_set_new(ao, "prefixlen", json_integer(a->local.plen));
		nm_json_set_str(ao, "scope", a->scope);
		if (a->peer.family)
			json_object_set_new(ao, "address",
					    json_string(nm_ip_str(&a->peer, buf, sizeof(buf), false)));
		nm_json_set_str(ao, "label", a->label);
		json_object_set_new(ao, "flags", json_integer(a->flags));
		json_array_append_new(addrs, ao);
	}
	json_object_set_new(o, "addrs", addrs);
	return o;
}

static json_t *route_json(const struct nm_route *r)
{
	json_t *o = json_object();
	char buf[32];
	size_t i;

	json_object_set_new(o, "family", json_string(family_str(r->family)));
	json_object_set_new(o, "table", json_string(nm_rt_table_name(r->table, buf, sizeof(buf))));
	nm_json_set_str(o, "type", r->type);
	json_object_set_new(o, "dst", route_dst_json(&r->dst));
	if (r->src.family)
		json_object_set_new(o, "src", route_dst_json(&r->src));
	set_ip(o, "gateway", &r->gateway, false);
	nm_json_set_str(o, "dev", r->dev);
	set_ip(o, "prefsrc", &r->prefsrc, false);
	nm_json_set_str(o, "protocol", r->protocol);
	nm_json_set_str(o, "scope", r->scope);
	json_object_set_new(o, "metric", json_integer(r->metric));
	if (r->tos)
		json_object_set_new(o, "tos", json_integer(r->tos));
	if (r->n_nexthops) {
		json_t *a = json_array();

		for (i = 0; i < r->n_nexthops; i++) {
			json_t *n = json_object();

			set_ip(n, "gateway", &r->nexthops[i].gateway, false);
			nm_json_set_str(n, "dev", r->nexthops[i].dev);
			json_object_set_new(n, "weight", json_integer(r->nexthops[i].weight));
			json_array_append_new(a, n);
		}
		json_object_set_new(o, "nexthops", a);
	}
	return o;
}

static json_t *rule_json(const struct nm_rule *r)
{
	json_t *o = json_object();
	char buf[32];

	json_object_set_new(o, "family", json_string(family_str(r->family)));
	json_object_set_new(o, "priority", json_integer(r->priority));
	json_object_set_new(o, "table", json_string(nm_rt_table_name(r->table, buf, sizeof(buf))));
	nm_json_set_str(o, "action", r->action);
	if (r->src.family)
		json_object_set_new(o, "src", route_dst_json(&r->src));
	if (r->dst.family)
		json_object_set_new(o, "dst", route_dst_json(&r->dst));
	nm_json_set_str(o, "iif", r->iif);
	nm_json_set_str(o, "oif", r->oif);
	if (r->fwmark || r->fwmask) {
		json_object_set_new(o, "fwmark", json_integer(r->fwmark));
		json_object_set_new(o, "fwmask", json_integer(r->fwmask));
	}
	if (r->tos)
		json_object_set_new(o, "tos", json_integer(r->tos));
	return o;
}

static json_t *strv_json(char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, nm_json_str(v[i]));
	return a;
}

static json_t *ns_to_json(const struct nm_netns *ns)
{
	json_t *o = json_object(), *a, *sc, *pa;
	size_t i;

	nm_json_set_str(o, "id", ns->id);
	nm_json_set_str(o, "label", ns->label);
	json_object_set_new(o, "inode", json_integer((json_int_t)ns->ino));
	json_object_set_new(o, "dev", json_integer((json_int_t)ns->dev));
	json_object_set_new(o, "self", json_boolean(ns->self));
	json_object_set_new(o, "names", strv_json(ns->names, ns->n_names));
	json_object_set_new(o, "mounts", strv_json(ns->mounts, ns->n_mounts));
	a = json_array();
	for (i = 0; i < ns->n_procs; i++) {
		json_t *p = json_object();

		json_object_set_new(p, "pid", json_integer(ns->procs[i].pid));
		nm_json_set_str(p, "comm", ns->procs[i].comm);
		json_array_append_new(a, p);
	}
	json_object_set_new(o, "processes", a);
	json_object_set_new(o, "process_count", json_integer((json_int_t)ns->n_procs_total));
	if (ns->container) {
		json_t *c = json_object();

		nm_json_set_str(c, "name", ns->container->name);
		nm_json_set_str(c, "id", ns->container->id);
		nm_json_set_str(c, "image", ns->container->image);
		nm_json_set_str(c, "runtime", ns->container->runtime);
		pa = json_array();
		for (i = 0; i < ns->container->n_ports; i++) {
			const struct nm_port *pt = &ns->container->ports[i];
			json_t *po = json_object();

			nm_json_set_str(po, "proto", pt->proto);
			nm_json_set_str(po, "host_ip", pt->host_ip);
			json_object_set_new(po, "host_port", json_integer(pt->host_port));
			json_object_set_new(po, "container_port", json_integer(pt->container_port));
			json_array_append_new(pa, po);
		}
		json_object_set_new(c, "ports", pa);
		json_object_set_new(o, "container", c);
	} else {
		json_object_set_new(o, "container", json_null());
	}
	sc = json_object();
	json_object_set_new(sc, "ip_forward", int_or_null(ns->sysctl.ip_forward));
	json_object_set_new(sc, "ipv6_forwarding", int_or_null(ns->sysctl.ipv6_forwarding));
	json_object_set_new(sc, "rp_filter_all", int_or_null(ns->sysctl.rp_filter_all));
	json_object_set_new(sc, "rp_filter_default", int_or_null(ns->sysctl.rp_filter_default));
	json_object_set_new(sc, "bridge_nf_call_iptables",
			    int_or_null(ns->sysctl.bridge_nf_call_iptables));
	json_object_set_new(o, "sysctl", sc);
	a = json_array();
	for (i = 0; i < ns->n_links; i++)
		json_array_append_new(a, link_json(&ns->links[i]));
	json_object_set_new(o, "links", a);
	a = json_array();
	for (i = 0; i < ns->n_routes; i++)
		json_array_append_new(a, route_json(&ns->routes[i]));
	json_object_set_new(o, "routes", a);
	a = json_array();
	for (i = 0; i < ns->n_rules; i++)
		json_array_append_new(a, rule_json(&ns->rules[i]));
	json_object_set_new(o, "rules", a);
	a = json_array();
	for (i = 0; i < ns->n_neighs; i++) {
		json_t *n = json_object();
		char buf[64];

		json_object_set_new(n, "dst", json_string(nm_ip_str(&ns->neighs[i].dst, buf, sizeof(buf), false)));
		nm_json_set_str(n, "dev", ns->neighs[i].dev);
		nm_json_set_str(n, "lladdr", ns->neighs[i].lladdr);
		nm_json_set_str(n, "state", ns->neighs[i].state);
		json_array_append_new(a, n);
	}
	json_object_set_new(o, "neighbours", a);
	json_object_set_new(o, "netfilter", ns->netfilter ? nf_ruleset_to_json(ns->netfilter) : json_null());
	a = json_array();
	for (i = 0; i < ns->n_unsupported; i++) {
		json_t *u = json_object();

		nm_json_set_str(u, "what", ns->unsupported[i].what);
		nm_json_set_str(u, "raw", ns->unsupported[i].raw);
		json_array_append_new(a, u);
	}
	json_object_set_new(o, "unsupported", a);
	json_object_set_new(o, "warnings", strv_json(ns->warnings, ns->n_warnings));
	return o;
}

/* Everything but the namespaces (an empty array in their place). */
static json_t *snap_to_json_head(const struct nm_snapshot *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "schema", json_string(NM_SCHEMA));
	json_object_set_new(o, "hostname", nm_json_str(s->hostname));
	json_object_set_new(o, "kernel", s->kernel ? json_string(s->kernel) : json_null());
	json_object_set_new(o, "created", s->created ? json_string(s->created) : json_null());
	json_object_set_new(o, "warnings", strv_json(s->warnings, s->n_warnings));
	json_object_set_new(o, "namespaces", json_array());
	return o;
}

json_t *snap_to_json(const struct nm_snapshot *s)
{
	json_t *o = snap_to_json_head(s), *a = json_object_get(o, "namespaces");
	size_t i;

	for (i = 0; i < s->n_netns; i++)
		json_array_append_new(a, ns_to_json(&s->netns[i]));
	return o;
}

/* The text of one namespace, re-indented by the 4 columns of its depth in the whole
 * document (strings never hold raw newlines, so every newline is structural). */
static char *ns_to_text(const struct nm_netns *ns)
{
	json_t *j = ns_to_json(ns);
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *out, *w;
	const char *p;
	size_t lines = 1;

	json_decref(j);
	if (!text)
		return NULL;
	for (p = text; *p; p++)
		lines += *p == '\n';
	out = w = nm_xrealloc(NULL, strlen(text) + lines * 4 + 1, 1);
	for (p = text; *p; p++) {
		*w++ = *p;
		if (*p == '\n') {
			memcpy(w, "    ", 4);
			w += 4;
		}
	}
	*w = '\0';
	free(text);
	return out;
}

struct text_job {
	const struct nm_snapshot *s;
	char **texts;
};

static void text_one(size_t i, void *arg)
{
	struct text_job *job = arg;

	job->texts[i] = ns_to_text(&job->s->netns[i]);
}

/* The same bytes as dumping snap_to_json() whole, built one namespace at a time (on every
 * CPU for large snapshots) and written in order: a fraction of the memory and the time
 * for a thousand namespaces. */
int snap_write(const struct nm_snapshot *s, FILE *f)
{
	json_t *head = snap_to_json_head(s);	/* first jansson object: seeds its hashing */
	struct text_job job = { .s = s };
	size_t i, len;
	char *text;
	int ret = 0;

	text = json_dumps(head, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(head);
	if (!text)
		return -ENOMEM;
	/* the head ends with "namespaces": []\n}: cut at the empty array */
	len = strlen(text);
	if (len < 4 || strcmp(text + len - 4, "[]\n}")) {
		free(text);
		return -EINVAL;
	}
	fwrite(text, 1, len - 3, f);
	free(text);

	job.texts = nm_xcalloc(s->n_netns, sizeof(char *));
	nm_parallel(s->n_netns, text_one, &job);
	for (i = 0; i < s->n_netns; i++) {
		if (!job.texts[i])
			ret = -ENOMEM;
		else if (!ret) {
			fputs(i ? ",\n    " : "\n    ", f);
			fputs(job.texts[i], f);
		}
		free(job.texts[i]);
	}
	free(job.texts);
	if (ret)
		return ret;
	fputs(s->n_netns ? "\n  ]\n}\n" : "]\n}\n", f);
	return ferror(f) ? -EIO : 0;
}

/* ---- loading ---- */

static int get_family(const json_t *o, uint8_t *family, struct nm_jerr *e, const char *ctx)
{
	char *s = NULL;
	int ret = 0;

	if (nm_json_get_str(o, "family", &s, true, e, ctx))
		return -EINVAL;
	if (!strcmp(s, "inet"))
		*family = AF_INET;
	else if (!strcmp(s, "inet6"))
		*family = AF_INET6;
	else if (!strcmp(s, "unspec"))
		*family = 0;
	else {
		nm_json_fail(e, "%s.family: unknown family \"%s\"", ctx, s);
		ret = -EINVAL;
	}
	free(s);
	return ret;
}

static int get_table(const json_t *o, const char *key, uint32_t *table, struct nm_jerr *e, const char *ctx)
{
	char *s = NULL;
	int ret = 0;

	if (nm_json_get_str(o, key, &s, true, e, ctx))
		return -EINVAL;
	if (nm_rt_table_parse(s, table)) {
		nm_json_fail(e, "%s.%s: unknown table \"%s\"", ctx, key, s);
		ret = -EINVAL;
	}
	free(s);
	return ret;
}

static int flags_from_json(const json_t *o, unsigned int *flags, struct nm_jerr *e, const char *ctx)
{
	const json_t *a = nm_json_get_array(o, "flags", true, e, ctx);
	size_t i, k;
	json_t *x;

	*flags = 0;
	if (!a)
		return -EINVAL;
	json_array_foreach(a, i, x) {
		const char *n = json_string_value(x);
		bool found = false;

		if (!n) {
			nm_json_fail(e, "%s.flags[%zu]: expected a string", ctx, i);
			return -EINVAL;
		}
		if (!strcmp(n, "NO-CARRIER"))
			continue;	/* derived from UP without LOWER_UP */
		for (k = 0; k < ARRAY_SIZE(link_flags); k++) {
			if (!strcmp(n, link_flags[k].name)) {
				*flags |= link_flags[k].bit;
				found = true;
			}
		}
		if (!found) {
			nm_json_fail(e, "%s.flags[%zu]: unknown flag \"%s\"", ctx, i, n);
			return -EINVAL;
		}
	}
	return 0;
}

static int opt_int(const json_t *o, const char *key, int *out, int min, int max,
		   struct nm_jerr *e, const char *ctx)
{
	long long v;
	int r = nm_json_get_int(o, key, &v, min, max, false, e, ctx);

	if (r < 0)
		return r;
	*out = r == 1 ? -1 : (int)v;
	return 0;
}

/* Every element of the array o[key] must be an object; fn reads one (into arg's array). */
static int each_object(const json_t *o, const char *key, bool required, struct nm_jerr *e,
		       const char *ctx, int (*fn)(const json_t *x, void *arg, struct nm_jerr *e,
						  const char *ctx), void *arg)
{
	const json_t *a = nm_json_get_array(o, key, required, e, ctx);
	char c[512];
	size_t i;
	json_t *x;

	if (!a)
		return e->failed ? -EINVAL : 0;
	json_array_foreach(a, i, x) {
		snprintf(c, sizeof(c), "%s.%s[%zu]", ctx, key, i);
		if (!json_is_object(x)) {
			nm_json_fail(e, "%s: expected an object", c);
			return -EINVAL;
		}
		if (fn(x, arg, e, c))
			return -EINVAL;
	}
	return 0;
}

static int addr_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_link *l = arg;
	struct nm_addr *ad = NM_PUSH(l->addrs, l->n_addrs);
	long long v;

	if (nm_json_get_ip(x, "local", &ad->local, true, e, c) ||
	    nm_json_get_int(x, "prefixlen", &v, 0, ad->local.family == AF_INET ? 32 : 128, true, e, c))
		return -EINVAL;
	ad->local.plen = (uint8_t)v;
	if (nm_json_get_ip(x, "address", &ad->peer, false, e, c) ||
	    nm_json_get_str(x, "scope", &ad->scope, false, e, c) ||
	    nm_json_get_str(x, "label", &ad->label, false, e, c) ||
	    nm_json_get_int(x, "flags", &v, 0, UINT32_MAX, true, e, c))
		return -EINVAL;
	ad->flags = (uint32_t)v;
	return 0;
}

static int nexthop_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_route *r = arg;
	struct nm_nexthop *nh = NM_PUSH(r->nexthops, r->n_nexthops);
	long long v;

	if (nm_json_get_ip(x, "gateway", &nh->gateway, false, e, c) ||
	    nm_json_get_str(x, "dev", &nh->dev, false, e, c) ||
	    nm_json_get_int(x, "weight", &v, 0, 256, true, e, c))
		return -EINVAL;
	nh->weight = (int)v;
	return 0;
}

static int proc_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_netns *ns = arg;
	struct nm_proc *p = NM_PUSH(ns->procs, ns->n_procs);
	long long v;

	if (nm_json_get_int(x, "pid", &v, 1, INT32_MAX, true, e, c) ||
	    nm_json_get_str(x, "comm", &p->comm, true, e, c))
		return -EINVAL;
	p->pid = (pid_t)v;
	return 0;
}

static int port_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_container *ct = arg;
	struct nm_port *pt = NM_PUSH(ct->ports, ct->n_ports);
	long long v;

	if (nm_json_get_str(x, "proto", &pt->proto, true, e, c) ||
	    nm_json_get_str(x, "host_ip", &pt->host_ip, false, e, c) ||
	    nm_json_get_int(x, "host_port", &v, 0, 65535, true, e, c))
		return -EINVAL;
	pt->host_port = (unsigned int)v;
	if (nm_json_get_int(x, "container_port", &v, 0, 65535, true, e, c))
		return -EINVAL;
	pt->container_port = (unsigned int)v;
	return 0;
}

static int neigh_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_netns *ns = arg;
	struct nm_neigh *n = NM_PUSH(ns->neighs, ns->n_neighs);

	if (nm_json_get_ip(x, "dst", &n->dst, true, e, c) ||
	    nm_json_get_str(x, "dev", &n->dev, false, e, c) ||
	    nm_json_get_str(x, "lladdr", &n->lladdr, false, e, c) ||
	    nm_json_get_str(x, "state", &n->state, false, e, c))
		return -EINVAL;
	return 0;
}

static int unsupported_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_netns *ns = arg;
	struct nm_unsupported *u = NM_PUSH(ns->unsupported, ns->n_unsupported);

	if (nm_json_get_str(x, "what", &u->what, true, e, c) ||
	    nm_json_get_str(x, "raw", &u->raw, false, e, c))
		return -EINVAL;
	return 0;
}

static int link_from_json(const json_t *o, struct nm_link *l, struct nm_jerr *e, const char *ctx)
{
	const json_t *p;
	long long v;
	char c[256];

	if (nm_json_get_int(o, "ifindex", &v, 1, INT32_MAX, true, e, ctx))
		return -EINVAL;
	l->ifindex = (int)v;
	if (nm_json_get_str(o, "ifname", &l->ifname, true, e, ctx) ||
	    nm_json_get_str(o, "kind", &l->kind, true, e, ctx) ||
	    nm_json_get_str(o, "state", &l->state, true, e, ctx) ||
	    flags_from_json(o, &l->flags, e, ctx) ||
	    nm_json_get_int(o, "mtu", &v, 0, UINT32_MAX, true, e, ctx))
		return -EINVAL;
	l->mtu = (unsigned int)v;
	if (nm_json_get_str(o, "address", &l->mac, false, e, ctx) ||
	    nm_json_get_str(o, "master", &l->master, false, e, ctx) ||
	    nm_json_get_int(o, "master_index", &v, 0, INT32_MAX, true, e, ctx))
		return -EINVAL;
	l->master_ifindex = (int)v;
	if (nm_json_get_int(o, "link_index", &v, 0, INT32_MAX, true, e, ctx))
		return -EINVAL;
	l->link_ifindex = (int)v;
	if (nm_json_get_str(o, "network", &l->network, false, e, ctx))
		return -EINVAL;
	p = json_object_get(o, "peer");
	l->peer.nsid = -1;
	if (p && !json_is_null(p)) {
		snprintf(c, sizeof(c), "%s.peer", ctx);
		if (!json_is_object(p)) {
			nm_json_fail(e, "%s: expected an object", c);
			return -EINVAL;
		}
		l->peer.present = true;
		if (nm_json_get_str(p, "netns", &l->peer.netns, false, e, c) ||
		    nm_json_get_str(p, "label", &l->peer.label, false, e, c) ||
		    nm_json_get_str(p, "ifname", &l->peer.ifname, false, e, c) ||
		    nm_json_get_int(p, "ifindex", &v, 0, INT32_MAX, true, e, c))
			return -EINVAL;
		l->peer.ifindex = (int)v;
		if (nm_json_get_int(p, "nsid", &v, -1, INT32_MAX, true, e, c))
			return -EINVAL;
		l->peer.nsid = (int)v;
		if (nm_json_get_bool(p, "resolved", &l->peer.resolved, true, e, c))
			return -EINVAL;
		if (l->peer.resolved && (!l->peer.netns || !l->peer.ifname)) {
			nm_json_fail(e, "%s: resolved peer without netns and ifname", c);
			return -EINVAL;
		}
	}
	if (opt_int(o, "forwarding", &l->forwarding, 0, INT32_MAX, e, ctx) ||
	    opt_int(o, "rp_filter", &l->rp_filter, 0, INT32_MAX, e, ctx))
		return -EINVAL;
	return each_object(o, "addrs", true, e, ctx, addr_elem, l);
}

static int route_from_json(const json_t *o, struct nm_route *r, struct nm_jerr *e, const char *ctx)
{
	long long v;

	if (get_family(o, &r->family, e, ctx) || get_table(o, "table", &r->table, e, ctx) ||
	    nm_json_get_str(o, "type", &r->type, false, e, ctx) ||
	    nm_json_get_ip(o, "dst", &r->dst, true, e, ctx) || nm_json_get_ip(o, "src", &r->src, false, e, ctx) ||
	    nm_json_get_ip(o, "gateway", &r->gateway, false, e, ctx) ||
	    nm_json_get_str(o, "dev", &r->dev, false, e, ctx) ||
	    nm_json_get_ip(o, "prefsrc", &r->prefsrc, false, e, ctx) ||
	    nm_json_get_str(o, "protocol", &r->protocol, false, e, ctx) ||
	    nm_json_get_str(o, "scope", &r->scope, false, e, ctx) ||
	    nm_json_get_int(o, "metric", &v, 0, UINT32_MAX, true, e, ctx))
		return -EINVAL;
	r->metric = (uint32_t)v;
	v = 0;
	if (nm_json_get_int(o, "tos", &v, 0, 255, false, e, ctx) < 0)
		return -EINVAL;
	r->tos = (uint8_t)v;
	return each_object(o, "nexthops", false, e, ctx, nexthop_elem, r);
}

static int rule_from_json(const json_t *o, struct nm_rule *r, struct nm_jerr *e, const char *ctx)
{
	long long v;

	if (get_family(o, &r->family, e, ctx) ||
	    nm_json_get_int(o, "priority", &v, 0, UINT32_MAX, true, e, ctx))
		return -EINVAL;
	r->priority = (uint32_t)v;
	if (get_table(o, "table", &r->table, e, ctx) ||
	    nm_json_get_str(o, "action", &r->action, false, e, ctx) ||
	    nm_json_get_ip(o, "src", &r->src, false, e, ctx) || nm_json_get_ip(o, "dst", &r->dst, false, e, ctx) ||
	    nm_json_get_str(o, "iif", &r->iif, false, e, ctx) ||
	    nm_json_get_str(o, "oif", &r->oif, false, e, ctx))
		return -EINVAL;
	v = 0;
	if (nm_json_get_int(o, "fwmark", &v, 0, UINT32_MAX, false, e, ctx) < 0)
		return -EINVAL;
	r->fwmark = (uint32_t)v;
	v = 0;
	if (nm_json_get_int(o, "fwmask", &v, 0, UINT32_MAX, false, e, ctx) < 0)
		return -EINVAL;
	r->fwmask = (uint32_t)v;
	v = 0;
	if (nm_json_get_int(o, "tos", &v, 0, 255, false, e, ctx) < 0)
		return -EINVAL;
	r->tos = (uint8_t)v;
	return 0;
}

static int link_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_netns *ns = arg;

	return link_from_json(x, NM_PUSH(ns->links, ns->n_links), e, c);
}

static int route_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_netns *ns = arg;

	return route_from_json(x, NM_PUSH(ns->routes, ns->n_routes), e, c);
}

static int rule_elem(const json_t *x, void *arg, struct nm_jerr *e, const char *c)
{
	struct nm_netns *ns = arg;

	return rule_from_json(x, NM_PUSH(ns->rules, ns->n_rules), e, c);
}

static int ns_from_json(const json_t *o, struct nm_netns *ns, struct nm_jerr *e, const char *ctx)
{
	const json_t *sc, *ct, *nf;
	long long v;
	char c[256];

	if (!json_is_object(o)) {
		nm_json_fail(e, "%s: expected an object", ctx);
		return -EINVAL;
	}
	if (nm_json_get_str(o, "id", &ns->id, true, e, ctx) ||
	    nm_json_get_str(o, "label", &ns->label, true, e, ctx) ||
	    nm_json_get_int(o, "inode", &v, 0, INT64_MAX, true, e, ctx))
		return -EINVAL;
	ns->ino = (uint64_t)v;
	if (nm_json_get_int(o, "dev", &v, 0, INT64_MAX, true, e, ctx))
		return -EINVAL;
	ns->dev = (uint64_t)v;
	if (nm_json_get_bool(o, "self", &ns->self, true, e, ctx) ||
	    nm_json_get_strv(o, "names", &ns->names, &ns->n_names, e, ctx) ||
	    nm_json_get_strv(o, "mounts", &ns->mounts, &ns->n_mounts, e, ctx))
		return -EINVAL;
	if (each_object(o, "processes", false, e, ctx, proc_elem, ns))
		return -EINVAL;
	v = (long long)ns->n_procs;
	if (nm_json_get_int(o, "process_count", &v, 0, INT32_MAX, false, e, ctx) < 0)
		return -EINVAL;
	ns->n_procs_total = (size_t)v;
	ct = json_object_get(o, "container");
	if (ct && !json_is_null(ct)) {
		snprintf(c, sizeof(c), "%s.container", ctx);
		if (!json_is_object(ct)) {
			nm_json_fail(e, "%s: expected an object", c);
			return -EINVAL;
		}
		ns->container = nm_xcalloc(1, sizeof(*ns->container));
		if (nm_json_get_str(ct, "name", &ns->container->name, false, e, c) ||
		    nm_json_get_str(ct, "id", &ns->container->id, false, e, c) ||
		    nm_json_get_str(ct, "image", &ns->container->image, false, e, c) ||
		    nm_json_get_str(ct, "runtime", &ns->container->runtime, false, e, c))
			return -EINVAL;
		if (each_object(ct, "ports", false, e, c, port_elem, ns->container))
			return -EINVAL;
	}
	sc = json_object_get(o, "sysctl");
	snprintf(c, sizeof(c), "%s.sysctl", ctx);
	if (!json_is_object(sc)) {
		nm_json_fail(e, "%s: expected an object", c);
		return -EINVAL;
	}
	if (opt_int(sc, "ip_forward", &ns->sysctl.ip_forward, 0, INT32_MAX, e, c) ||
	    opt_int(sc, "ipv6_forwarding", &ns->sysctl.ipv6_forwarding, 0, INT32_MAX, e, c) ||
	    opt_int(sc, "rp_filter_all", &ns->sysctl.rp_filter_all, 0, INT32_MAX, e, c) ||
	    opt_int(sc, "rp_filter_default", &ns->sysctl.rp_filter_default, 0, INT32_MAX, e, c) ||
	    opt_int(sc, "bridge_nf_call_iptables", &ns->sysctl.bridge_nf_call_iptables, 0, INT32_MAX, e, c))
		return -EINVAL;

	if (each_object(o, "links", true, e, ctx, link_elem, ns) ||
	    each_object(o, "routes", true, e, ctx, route_elem, ns) ||
	    each_object(o, "rules", true, e, ctx, rule_elem, ns) ||
	    each_object(o, "neighbours", false, e, ctx, neigh_elem, ns))
		return -EINVAL;
	nf = json_object_get(o, "netfilter");
	if (nf && !json_is_null(nf)) {
		char nerr[256] = "";

		if (nf_ruleset_from_json(nf, &ns->netfilter, nerr, sizeof(nerr))) {
			nm_json_fail(e, "%s.%s", ctx, nerr);
			return -EINVAL;
		}
	}
	if (each_object(o, "unsupported", false, e, ctx, unsupported_elem, ns))
		return -EINVAL;
	if (nm_json_get_strv(o, "warnings", &ns->warnings, &ns->n_warnings, e, ctx))
		return -EINVAL;
	return 0;
}

int snap_from_json(const json_t *j, struct nm_snapshot **out, char *err, size_t errlen)
{
	struct nm_jerr e = { .buf = err, .len = errlen };
	struct nm_snapshot *s;
	const json_t *a;
	char *schema = NULL;
	size_t i, k;
	json_t *x;

	*out = NULL;
	if (!json_is_object(j)) {
		nm_json_fail(&e, "not a snapshot (expected a JSON object)");
		return -EINVAL;
	}
	if (nm_json_get_str(j, "schema", &schema, true, &e, "snapshot"))
		return -EINVAL;
	if (strcmp(schema, NM_SCHEMA)) {
		nm_json_fail(&e, "unsupported schema \"%s\" (expected \"%s\")", schema, NM_SCHEMA);
		free(schema);
		return -EINVAL;
	}
	free(schema);
	s = nm_snapshot_new();
	if (nm_json_get_str(j, "hostname", &s->hostname, false, &e, "snapshot") ||
	    nm_json_get_str(j, "kernel", &s->kernel, false, &e, "snapshot") ||
	    nm_json_get_str(j, "created", &s->created, false, &e, "snapshot") ||
	    nm_json_get_strv(j, "warnings", &s->warnings, &s->n_warnings, &e, "snapshot"))
		goto fail;
	a = nm_json_get_array(j, "namespaces", true, &e, "snapshot");
	if (!a)
		goto fail;
	json_array_foreach(a, i, x) {
		char c[64];

		snprintf(c, sizeof(c), "namespaces[%zu]", i);
		if (ns_from_json(x, NM_PUSH(s->netns, s->n_netns), &e, c))
			goto fail;
	}
	/* ids must be unique and peers must point at namespaces that exist or be unresolved */
	for (i = 0; i < s->n_netns; i++)
		for (k = i + 1; k < s->n_netns; k++)
			if (!strcmp(s->netns[i].id, s->netns[k].id)) {
				nm_json_fail(&e, "namespaces[%zu]: duplicate id \"%s\"", k, s->netns[k].id);
				goto fail;
			}
	*out = s;
	return 0;
fail:
	nm_snapshot_free(s);
	return -EINVAL;
}

int snap_load(const char *path, struct nm_snapshot **out, char *err, size_t errlen)
{
	json_error_t je;
	struct stat st;
	json_t *j;
	FILE *f;
	int ret;

	*out = NULL;
	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		return ret;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		if (f != stdin)
			fclose(f);
		return -EISDIR;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (unsigned long)st.st_size > MAX_SNAPSHOT_BYTES) {
		snprintf(err, errlen, "too large (%lld bytes, limit %lu)", (long long)st.st_size,
			 MAX_SNAPSHOT_BYTES);
		if (f != stdin)
			fclose(f);
		return -EFBIG;
	}
	j = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	if (f != stdin)
		fclose(f);
	if (!j) {
		if (je.line <= 1 && je.position == 0)
			snprintf(err, errlen, "empty or unreadable (%s)", je.text);
		else
			snprintf(err, errlen, "not valid JSON at line %d column %d: %s",
				 je.line, je.column, je.text);
		return -EINVAL;
	}
	ret = snap_from_json(j, out, err, errlen);
	json_decref(j);
	return ret;
}
