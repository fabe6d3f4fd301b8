/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel.c - compare the simulated route decisions with the kernel's own answers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

static bool ns_has_cause(const struct path_result *r, const char *label, enum diag_id id)
{
	size_t i;

	for (i = 0; i < r->n_causes; i++)
		if (r->causes[i].id == id && !strcmp(r->causes[i].netns, label))
			return true;
	return false;
}

int path_kernel_check(const struct nm_snapshot *s, struct path_result *r, nm_route_oracle ask)
{
	size_t i;
	int checked = 0;

	for (i = 0; i < r->n_hops; i++) {
		struct path_hop *h = &r->hops[i];
		const struct nm_netns *ns;
		struct nm_flow fl = { 0 };
		struct nm_route_answer a;
		char g[64];
		bool agree;

		if (h->kind != PATH_HOP_ROUTE || !h->ok || !h->ifname || !strcmp(h->result, "LOCAL"))
			continue;
		if (h->decided && strstr(h->decided, "(assumed)"))
			continue;
		ns = nm_find_netns(s, h->netns_id);
		if (!ns)
			continue;
		fl.src = h->src;
		fl.dst = h->dst;
		fl.iif = h->iif;
		if (ask(ns, &fl, &a) < 0)
			continue;
		checked++;
		if (a.err) {
			h->kernel_route = nm_xasprintf("error: %s", strerror(-a.err));
			/* Forwarding off and rp_filter are errors of an input lookup the
			 * simulation reports itself. */
			agree = (a.err == -EHOSTUNREACH &&
				 ns_has_cause(r, h->netns, DIAG_FORWARDING_DISABLED)) ||
				((a.err == -EINVAL || a.err == -EXDEV) &&
				 ns_has_cause(r, h->netns, DIAG_RP_FILTER));
		} else {
			h->kernel_route = nm_xasprintf("dev %s%s%s", a.dev, a.gateway.family ? " via " : "",
						       a.gateway.family ?
						       nm_ip_str(&a.gateway, g, sizeof(g), false) : "");
			agree = !strcmp(a.dev, h->ifname);
		}
		h->kernel = agree ? 1 : -1;
		if (!agree) {
			struct diag_kv kv[] = {
				{ "ns", h->netns }, { "exec", "" },
				{ "kernel", h->kernel_route }, { "sim", h->decided ? h->decided : "?" },
			};
			struct diag_cause *c;

			nm_warn(&r->notes, &r->n_notes, "%s: the kernel routes %s via %s, the simulation via %s",
				h->netns, nm_ip_str(&h->dst, g, sizeof(g), false), h->kernel_route, h->ifname);
			c = diag_add(&r->causes, &r->n_causes, DIAG_KERNEL_DISAGREES, h->netns,
				     h->kernel_route, kv, ARRAY_SIZE(kv));
			if (c)
				c->hop = h->n;
		}
	}
	return checked;
}
