/* SPDX-License-Identifier: GPL-2.0-or-later */
/* result.c - what a walk records (hops, causes), the names it prints, its exit code, freeing it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path_int.h"

/* The verdicts of nstrace -j (DESIGN.md's contract) and the kinds of hop. */
static const char *const verdict_names[PATH_VERDICT_COUNT] = {
	[PATH_REACHED] = "reached", [PATH_DROPPED] = "dropped", [PATH_NO_REPLY] = "no-reply",
	[PATH_UNREACHABLE] = "unreachable", [PATH_UNDETERMINED] = "undetermined",
};

static const char *const hop_kind_names[PATH_HOP_KIND_COUNT] = {
	[PATH_HOP_ROUTE] = "route", [PATH_HOP_OUT] = "out", [PATH_HOP_IN] = "in",
	[PATH_HOP_BRIDGE] = "bridge", [PATH_HOP_FILTER] = "filter", [PATH_HOP_NAT] = "nat",
	[PATH_HOP_FORWARD] = "forward", [PATH_HOP_LOCAL] = "local", [PATH_HOP_LEAVE] = "leave",
};

/* names[i] of a table of n, "?" past its end or in a hole. */
static const char *name_of(const char *const *names, size_t n, unsigned int i)
{
	const char *name = nm_enum_name(names, n, i);

	return name ? name : "?";
}

const char *path_verdict_name(enum path_verdict v)
{
	return name_of(verdict_names, ARRAY_SIZE(verdict_names), v);
}

const char *path_hop_kind_name(enum path_hop_kind k)
{
	return name_of(hop_kind_names, ARRAY_SIZE(hop_kind_names), k);
}

struct path_hop *path_add_hop(struct walk *w, enum path_hop_kind kind, const struct nm_netns *ns,
			      const char *ifname, const char *dir, const struct nf_pkt *before,
			      const struct nf_pkt *after, const char *result, bool ok,
			      const char *fmt, ...)
{
	struct path_hop *h = NM_PUSH(w->r->hops, w->r->n_hops);
	va_list ap;

	h->n = (int)w->r->n_hops;
	h->reply = w->reply;
	h->kind = kind;
	h->netns = nm_xstrdup(ns->label ? ns->label : ns->id);
	h->netns_id = nm_xstrdup(ns->id ? ns->id : "");
	h->ifname = ifname ? nm_xstrdup(ifname) : NULL;
	h->direction = dir;
	h->src = before->src;
	h->dst = before->dst;
	h->nsrc = after ? after->src : before->src;
	h->ndst = after ? after->dst : before->dst;
	h->proto = before->proto;
	h->sport = after ? after->sport : before->sport;
	h->dport = after ? after->dport : before->dport;
	h->nat = !nm_ip_equal(&h->src, &h->nsrc) || !nm_ip_equal(&h->dst, &h->ndst);
	h->result = nm_xstrdup(result);
	h->ok = ok;
	if (fmt) {
		va_start(ap, fmt);
		if (vasprintf(&h->decided, fmt, ap) < 0)
			h->decided = NULL;
		va_end(ap);
	}
	return h;
}

/* Beyond the uplink every problem is upstream: the cause becomes UPSTREAM_NO_REPLY, whose
 * templates get the original message as "why" and the uplink as "ifname". Returns the
 * message to free. */
static char *as_upstream(struct walk *w, enum diag_id code, struct diag_kv *kv, size_t *n)
{
	char *m = diag_expand(diag_code(code)->message, kv, *n);
	size_t l = strlen(m);
	struct diag_kv tmp[2];

	if (l && m[l - 1] == '.')
		m[l - 1] = '\0';
	kv[(*n)++] = (struct diag_kv){ "why", m };
	kv[(*n)++] = (struct diag_kv){ "ifname", w->uplink ? w->uplink->ifname : "?" };
	/* later keys win: search from the end */
	tmp[0] = kv[*n - 2];
	tmp[1] = kv[*n - 1];
	memmove(kv + 2, kv, (*n - 2) * sizeof(kv[0]));
	kv[0] = tmp[0];
	kv[1] = tmp[1];
	return m;
}

void path_add_cause(struct walk *w, enum diag_id code, const struct nm_netns *ns,
		    const char *evidence, ...)
{
	struct diag_kv kv[24];
	size_t n = 0;
	char *exec = path_ns_exec(ns);
	const char *label = ns ? (ns->label ? ns->label : ns->id) : "";
	struct diag_cause *c;
	char *why = NULL;
	va_list ap;

	kv[n++] = (struct diag_kv){ "ns", label };
	kv[n++] = (struct diag_kv){ "exec", exec };
	va_start(ap, evidence);
	while (n < ARRAY_SIZE(kv) - 2) {
		const char *k = va_arg(ap, const char *);

		if (!k)
			break;
		kv[n].key = k;
		kv[n].val = va_arg(ap, const char *);
		n++;
	}
	va_end(ap);

	if (w->outside && code != DIAG_NO_SNAT) {
		why = as_upstream(w, code, kv, &n);
		code = DIAG_UPSTREAM_NO_REPLY;
	}
	c = diag_add(&w->r->causes, &w->r->n_causes, code, label, evidence, kv, n);
	if (c) {
		c->reply = w->reply;
		c->hop = (int)w->r->n_hops;
	}
	free(why);
	free(exec);
}

int path_exit_code(const struct path_result *r)
{
	if (!r || r->n_causes)
		return 3;
	if ((r->reached || r->left_host) && r->reply_ok)
		return 0;
	return 3;
}

void path_result_free(struct path_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_hops; i++) {
		free(r->hops[i].netns);
		free(r->hops[i].netns_id);
		free(r->hops[i].ifname);
		free(r->hops[i].decided);
		free(r->hops[i].result);
		free(r->hops[i].iif);
		free(r->hops[i].kernel_route);
		for (size_t j = 0; j < r->hops[i].n_alts; j++)
			free(r->hops[i].alts[j].rule);
		free(r->hops[i].alts);
	}
	free(r->hops);
	NM_FREE_ARRAY(r->causes, r->n_causes, diag_cause_clear);
	nm_strv_free(r->notes, r->n_notes);
	free(r->summary);
	free(r->src_label);
	free(r->leave_ifname);
	free(r->leave_netns);
	free(r->reached_netns);
	free(r);
}
