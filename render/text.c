/* SPDX-License-Identifier: GPL-2.0-or-later */
/* text.c - print a snapshot as a compact per-namespace overview, in the spirit of `ip -br`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netfilter.h"
#include "text.h"

#define C_BOLD  "\033[1m"
#define C_GREEN "\033[32m"
#define C_RED   "\033[31m"
#define C_YEL   "\033[33m"
#define C_DIM   "\033[2m"
#define C_CYAN  "\033[36m"
#define C_OFF   "\033[0m"

struct out {
	FILE *f;
	const struct text_opts *o;
};

static const char *col(const struct out *w, const char *c)
{
	return w->o->color ? c : "";
}

static bool is_link_local6(const struct nm_ip *ip)
{
	return ip->family == AF_INET6 && ip->addr[0] == 0xfe && (ip->addr[1] & 0xc0) == 0x80;
}

static const char *state_color(const char *state)
{
	if (!strcmp(state, "UP"))
		return C_GREEN;
	if (!strcmp(state, "DOWN") || !strcmp(state, "LOWERLAYERDOWN"))
		return C_RED;
	return C_YEL;
}

static const char *peer_label(const struct nm_snapshot *s, const struct nm_link *l, char *buf, size_t len)
{
	const struct nm_netns *p;

	if (!l->peer.resolved) {
		snprintf(buf, len, "?:if%d (nsid %d, not visible)", l->peer.ifindex, l->peer.nsid);
		return buf;
	}
	p = nm_find_netns(s, l->peer.netns);
	snprintf(buf, len, "%s:%s", p ? p->label : l->peer.label ? l->peer.label : l->peer.netns,
		 l->peer.ifname);
	return buf;
}

static void print_link(const struct out *w, const struct nm_snapshot *s, const struct nm_link *l,
		       const char *tree)
{
	char buf[128];
	size_t i;
	int shown = 0;

	/* the tree glyphs are three columns wide but more bytes: pad the name alone */
	fprintf(w->f, "    %s%-*s %-9s %s%-8s%s", tree, *tree ? 15 : 18, l->ifname, l->kind,
		col(w, state_color(l->state)), l->state, col(w, C_OFF));
	for (i = 0; i < l->n_addrs; i++) {
		const struct nm_addr *a = &l->addrs[i];

		if (!w->o->all && !w->o->details && is_link_local6(&a->local))
			continue;
		fprintf(w->f, " %s", nm_ip_str(&a->local, buf, sizeof(buf), true));
		if (a->peer.family)
			fprintf(w->f, " peer %s", nm_ip_str(&a->peer, buf, sizeof(buf), true));
		shown++;
	}
	if (l->peer.present)
		fprintf(w->f, " %s⇄ %s%s", col(w, C_CYAN), peer_label(s, l, buf, sizeof(buf)),
			col(w, C_OFF));
	if (l->network)
		fprintf(w->f, " (network %s)", l->network);
	if (w->o->details) {
		if (l->mac)
			fprintf(w->f, " %s%s%s", col(w, C_DIM), l->mac, col(w, C_OFF));
		if (l->mtu != 1500 && l->mtu != 65536)
			fprintf(w->f, " mtu %u", l->mtu);
	}
	(void)shown;
	fputc('\n', w->f);
}

static bool route_shown(const struct out *w, const struct nm_route *r)
{
	if (w->o->details)
		return true;
	if (r->table == 255)
		return false;	/* local table: addresses the namespace owns, shown as addresses */
	if (r->family == AF_INET6) {
		/* the kernel's fe80::/64 and multicast routes on every link */
		if (r->dst.family && (is_link_local6(&r->dst) || r->dst.addr[0] == 0xff))
			return w->o->all;
	}
	return true;
}

static bool rule_is_default(const struct nm_rule *r)
{
	if (r->src.family || r->dst.family || r->iif || r->oif || r->fwmark || r->tos)
		return false;
	return (r->priority == 0 && r->table == 255) || (r->priority == 32766 && r->table == 254) ||
	       (r->priority == 32767 && r->table == 253);
}

static void print_identity(const struct out *w, const struct nm_netns *ns)
{
	size_t i;

	fprintf(w->f, "%s%s%s  %s(%s", col(w, C_BOLD), ns->label, col(w, C_OFF), col(w, C_DIM), ns->id);
	if (ns->self)
		fprintf(w->f, ", nsmap runs here");
	if (ns->container) {
		fprintf(w->f, ", container");
		if (ns->container->id)
			fprintf(w->f, " %.12s", ns->container->id);
		if (ns->container->image)
			fprintf(w->f, " image %s", ns->container->image);
	}
	for (i = 0; i < ns->n_names; i++)
		if (strcmp(ns->names[i], ns->label))
			fprintf(w->f, ", netns %s", ns->names[i]);
	for (i = 0; i < ns->n_mounts; i++)
		fprintf(w->f, ", mounted at %s", ns->mounts[i]);
	if (ns->n_procs_total && !ns->self) {
		fprintf(w->f, ", %zu process%s:", ns->n_procs_total, ns->n_procs_total == 1 ? "" : "es");
		for (i = 0; i < ns->n_procs && i < 3; i++)
			fprintf(w->f, " %s[%d]", ns->procs[i].comm, (int)ns->procs[i].pid);
		if (ns->n_procs_total > 3)
			fprintf(w->f, " …");
	}
	fprintf(w->f, ")%s\n", col(w, C_OFF));
}

static void print_sysctl(const struct out *w, const struct nm_netns *ns)
{
	const struct nm_sysctl *sc = &ns->sysctl;

	fprintf(w->f, "  ip_forward=%s", sc->ip_forward < 0 ? "?" : sc->ip_forward ? "1" : "0");
	if (sc->ipv6_forwarding > 0)
		fprintf(w->f, " ipv6.forwarding=1");
	if (sc->rp_filter_all > 0)
		fprintf(w->f, " rp_filter(all)=%d", sc->rp_filter_all);
	/* only meaningful where a bridge exists: bridged frames then traverse iptables */
	if (sc->bridge_nf_call_iptables >= 0 && nm_netns_has_bridge(ns))
		fprintf(w->f, " bridge-nf-call-iptables=%d", sc->bridge_nf_call_iptables);
	fputc('\n', w->f);
}

static void print_netns(const struct out *w, const struct nm_snapshot *s, const struct nm_netns *ns)
{
	size_t i, j, k, n_ports;

	print_identity(w, ns);
	print_sysctl(w, ns);
	if (ns->n_links)
		fprintf(w->f, "  links:\n");
	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];
		const struct nm_link *m = l->master_ifindex ? nm_find_link_index(ns, l->master_ifindex) : NULL;

		if (m && nm_link_is_bridge(m))
			continue;	/* printed under its bridge */
		if (!w->o->all && !w->o->details && nm_link_kind(l) == NM_KIND_LOOPBACK &&
		    !strcmp(l->state, "UNKNOWN") && l->n_addrs <= 2 && ns->n_links > 1)
			continue;	/* the ever-present lo, up and unremarkable */
		print_link(w, s, l, "");
		if (!nm_link_is_bridge(l))
			continue;
		for (j = 0, n_ports = 0; j < ns->n_links; j++)
			if (ns->links[j].master_ifindex == l->ifindex)
				n_ports++;
		if (!n_ports) {
			fprintf(w->f, "      %s(no ports)%s\n", col(w, C_DIM), col(w, C_OFF));
			continue;
		}
		for (j = 0, k = 0; j < ns->n_links; j++)
			if (ns->links[j].master_ifindex == l->ifindex)
				print_link(w, s, &ns->links[j], ++k == n_ports ? "└─ " : "├─ ");
	}
	for (i = 0, k = 0; i < ns->n_routes; i++) {
		char *r;

		if (!route_shown(w, &ns->routes[i]))
			continue;
		if (!k++)
			fprintf(w->f, "  routes:\n");
		r = nm_route_str(&ns->routes[i], 0);
		fprintf(w->f, "    %s\n", r);
		free(r);
	}
	if (!k)
		fprintf(w->f, "  routes: %snone%s\n", col(w, C_YEL), col(w, C_OFF));
	for (i = 0, k = 0; i < ns->n_rules; i++) {
		const struct nm_rule *r = &ns->rules[i];
		char buf[64], tbl[16];

		if (!w->o->details && rule_is_default(r))
			continue;
		if (!k++)
			fprintf(w->f, "  policy rules:\n");
		fprintf(w->f, "    %u: from %s", r->priority,
			r->src.family ? nm_ip_str(&r->src, buf, sizeof(buf), true) : "all");
		if (r->dst.family)
			fprintf(w->f, " to %s", nm_ip_str(&r->dst, buf, sizeof(buf), true));
		if (r->iif)
			fprintf(w->f, " iif %s", r->iif);
		if (r->oif)
			fprintf(w->f, " oif %s", r->oif);
		if (r->fwmark || r->fwmask)
			fprintf(w->f, " fwmark 0x%x/0x%x", r->fwmark, r->fwmask);
		if (r->action && strcmp(r->action, "lookup"))
			fprintf(w->f, " %s", r->action);
		else
			fprintf(w->f, " lookup %s", nm_rt_table_name(r->table, tbl, sizeof(tbl)));
		fprintf(w->f, "%s\n", r->family == AF_INET6 ? " (ipv6)" : "");
	}
	if (w->o->details && ns->n_neighs) {
		fprintf(w->f, "  neighbours:\n");
		for (i = 0; i < ns->n_neighs; i++) {
			char buf[64];

			fprintf(w->f, "    %s dev %s lladdr %s %s\n",
				nm_ip_str(&ns->neighs[i].dst, buf, sizeof(buf), false),
				ns->neighs[i].dev ? ns->neighs[i].dev : "?",
				ns->neighs[i].lladdr ? ns->neighs[i].lladdr : "-",
				ns->neighs[i].state ? ns->neighs[i].state : "");
		}
	}
	if (ns->netfilter) {
		if (w->o->details)
			nf_print_detail(w->f, ns->netfilter, "  ");
		else
			nf_print_summary(w->f, ns->netfilter, "  ");
	}
	if (ns->container && ns->container->n_ports) {
		fprintf(w->f, "  published ports:\n");
		for (i = 0; i < ns->container->n_ports; i++) {
			const struct nm_port *p = &ns->container->ports[i];

			fprintf(w->f, "    %s %s:%u → %s:%u\n", p->proto, p->host_ip ? p->host_ip : "*",
				p->host_port, ns->label, p->container_port);
		}
	}
	for (i = 0; i < ns->n_unsupported; i++)
		fprintf(w->f, "  unsupported %s: %s\n", ns->unsupported[i].what,
			ns->unsupported[i].raw ? ns->unsupported[i].raw : "");
	for (i = 0; i < ns->n_warnings; i++)
		fprintf(w->f, "  %swarning:%s %s\n", col(w, C_YEL), col(w, C_OFF), ns->warnings[i]);
}

void text_snapshot(FILE *f, const struct nm_snapshot *s, const struct text_opts *o)
{
	struct out w = { .f = f, .o = o };
	size_t i;

	fprintf(f, "%zu network namespace%s on %s\n\n", s->n_netns, s->n_netns == 1 ? "" : "s",
		s->hostname ? s->hostname : "?");
	for (i = 0; i < s->n_netns; i++) {
		print_netns(&w, s, &s->netns[i]);
		fputc('\n', f);
	}
	for (i = 0; i < s->n_warnings; i++)
		fprintf(f, "%swarning:%s %s\n", col(&w, C_YEL), col(&w, C_OFF), s->warnings[i]);
}
