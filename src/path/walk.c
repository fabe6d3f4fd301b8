/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path.c - walk a packet through the snapshot the way the kernel would, out and back, and diagnose it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "path.h"

#define PATH_MAX_STEPS 64

/* A conntrack binding made on the way out, undone on the way back. */
struct path_ct {
	const struct nm_netns *ns;
	struct nf_pkt orig;		/* before NAT */
	struct nf_pkt trans;		/* after NAT */
	bool snat, dnat;
};

enum walk_end { W_STOP = 0, W_LOCAL, W_LEFT };

struct walk {
	const struct nm_snapshot *s;
	const struct path_query *q;
	struct path_result *r;
	struct path_ct *ct;
	size_t n_ct;
	bool reply;
	bool outside;			/* beyond the host's uplink */
	const struct nm_link *uplink;	/* the host side of the uplink */
	const struct nm_netns *uplink_ns;
	int steps;
	/* how the walk ended */
	const struct nm_netns *end_ns;
	const struct nm_link *end_link;
	struct nf_pkt end_pkt;
	struct nm_ip reached_dst;	/* the destination as delivered (after DNAT) */
	int last_plen;			/* prefix length of the sender's subnet (fixes) */
	/* Fixes assumed to look further: an address for the source, a bridge port. */
	struct nm_ip hyp_addr;
	const struct nm_link *hyp_addr_link;
	const struct nm_link *hyp_port;
	const char *hyp_bridge;
	const struct nm_netns *last_ns;	/* the namespace the packet came from */
};

static const char *const verdict_names[PATH_VERDICT_COUNT] = {
	[PATH_REACHED] = "reached",
	[PATH_DROPPED] = "dropped",
	[PATH_NO_REPLY] = "no-reply",
	[PATH_UNREACHABLE] = "unreachable",
	[PATH_UNDETERMINED] = "undetermined",
};

const char *path_verdict_name(enum path_verdict v)
{
	if ((unsigned int)v >= PATH_VERDICT_COUNT || !verdict_names[v])
		return "?";
	return verdict_names[v];
}

static const char *const hop_kind_names[PATH_HOP_KIND_COUNT] = {
	[PATH_HOP_ROUTE] = "route",
	[PATH_HOP_OUT] = "out",
	[PATH_HOP_IN] = "in",
	[PATH_HOP_BRIDGE] = "bridge",
	[PATH_HOP_FILTER] = "filter",
	[PATH_HOP_NAT] = "nat",
	[PATH_HOP_FORWARD] = "forward",
	[PATH_HOP_LOCAL] = "local",
	[PATH_HOP_LEAVE] = "leave",
};

const char *path_hop_kind_name(enum path_hop_kind k)
{
	if ((unsigned int)k >= PATH_HOP_KIND_COUNT || !hop_kind_names[k])
		return "?";
	return hop_kind_names[k];
}

static const char *ipstr(const struct nm_ip *ip, char *buf, size_t len)
{
	if (!ip->family) {
		snprintf(buf, len, "?");
		return buf;
	}
	return nm_ip_str(ip, buf, len, false);
}

char *path_ns_exec(const struct nm_netns *ns)
{
	if (!ns)
		return nm_xstrdup("");
	if (ns->n_names)
		return nm_xasprintf("ip netns exec %s ", ns->names[0]);
	if (ns->self)
		return nm_xstrdup("");
	if (ns->n_procs)
		return nm_xasprintf("nsenter --net=/proc/%d/ns/net ", (int)ns->procs[0].pid);
	if (ns->n_mounts)
		return nm_xasprintf("nsenter --net=%s ", ns->mounts[0]);
	return nm_xasprintf("nsenter --net=<path of %s> ", ns->label ? ns->label : "?");
}

/* How `ip link ... netns X` names a namespace. */
static char *ns_arg(const struct nm_netns *ns)
{
	if (ns->n_names)
		return nm_xstrdup(ns->names[0]);
	if (ns->n_procs)
		return nm_xasprintf("%d", (int)ns->procs[0].pid);
	return nm_xstrdup(ns->label ? ns->label : "?");
}

/* ---- hops and causes ---- */

static struct path_hop *hop(struct walk *w, enum path_hop_kind kind, const struct nm_netns *ns,
			    const char *ifname, const char *dir, const struct nf_pkt *before,
			    const struct nf_pkt *after, const char *result, bool ok,
			    const char *fmt, ...) __attribute__((format(printf, 10, 11)));

static struct path_hop *hop(struct walk *w, enum path_hop_kind kind, const struct nm_netns *ns,
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

/* Record a cause: key/value pairs, NULL-terminated. Beyond the uplink every problem is
 * upstream; on the reply path netfilter drops are RETURN_DROPPED. */
static void cause(struct walk *w, enum diag_id code, const struct nm_netns *ns, const char *evidence,
		  ...)
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
		char *m = diag_expand(diag_code(code)->message, kv, n);
		size_t l = strlen(m);

		if (l && m[l - 1] == '.')
			m[l - 1] = '\0';
		why = m;
		kv[n++] = (struct diag_kv){ "why", why };
		kv[n++] = (struct diag_kv){ "ifname", w->uplink ? w->uplink->ifname : "?" };
		/* later keys win: search from the end */
		{
			struct diag_kv tmp[2] = { kv[n - 2], kv[n - 1] };

			memmove(kv + 2, kv, (n - 2) * sizeof(kv[0]));
			kv[0] = tmp[0];
			kv[1] = tmp[1];
		}
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

/* ---- helpers over the snapshot ---- */

static const struct nm_netns *peer_netns(const struct walk *w, const struct nm_link *l,
					 const struct nm_link **peer)
{
	const struct nm_netns *pns;

	*peer = NULL;
	if (!l || !nm_link_has_peer(l) || !l->peer.netns)
		return NULL;
	pns = nm_find_netns(w->s, l->peer.netns);
	if (!pns)
		return NULL;
	if (l->peer.ifname)
		*peer = nm_find_link(pns, l->peer.ifname);
	if (!*peer && l->peer.ifindex)
		*peer = nm_find_link_index(pns, l->peer.ifindex);
	return *peer ? pns : NULL;
}

static bool link_has_public_addr(const struct nm_link *l)
{
	size_t i;

	for (i = 0; i < l->n_addrs; i++) {
		const struct nm_addr *a = &l->addrs[i];

		if (a->local.family != AF_INET)
			continue;
		if (a->scope && strcmp(a->scope, "global") && strcmp(a->scope, "universe"))
			continue;
		if (!path_ip_private(&a->local))
			return true;
	}
	return false;
}

/* The address of ns on the link of ns that holds a subnet containing ip. */
static const struct nm_addr *connected_addr(const struct nm_netns *ns, const struct nm_ip *ip,
					    const struct nm_link **lout)
{
	size_t i, j;

	for (i = 0; i < ns->n_links; i++) {
		if (nm_link_is_loopback(&ns->links[i]))
			continue;
		for (j = 0; j < ns->links[i].n_addrs; j++) {
			const struct nm_addr *a = &ns->links[i].addrs[j];

			if (a->local.family == ip->family && a->local.plen < (ip->family == AF_INET ? 32 : 128) &&
			    nm_ip_in_prefix(ip, &a->local)) {
				if (lout)
					*lout = &ns->links[i];
				return a;
			}
		}
	}
	return NULL;
}

static bool has_default_route(const struct nm_netns *ns, uint8_t family)
{
	size_t i;

	for (i = 0; i < ns->n_routes; i++)
		if (ns->routes[i].family == family && !ns->routes[i].dst.family &&
		    (!ns->routes[i].type || !strcmp(ns->routes[i].type, "unicast")))
			return true;
	return false;
}

static bool has_specific_route(const struct nm_netns *ns, const struct nm_ip *dst)
{
	size_t i;

	for (i = 0; i < ns->n_routes; i++)
		if (ns->routes[i].family == dst->family && ns->routes[i].dst.family &&
		    nm_ip_in_prefix(dst, &ns->routes[i].dst))
			return true;
	return false;
}

/* The other ends of the L2 segment of link l of ns: its veth peer, or the peer's bridge and
 * every namespace behind that bridge's other ports; for a bridge, what is behind its ports. */
struct seg_end {
	const struct nm_netns *ns;
	const struct nm_link *l;
};

static size_t bridge_ends(const struct walk *w, const struct nm_netns *bns, const struct nm_link *br,
			  const struct nm_link *skip, struct seg_end *out, size_t n, size_t max)
{
	size_t i;

	if (n < max)
		out[n++] = (struct seg_end){ bns, br };
	for (i = 0; i < bns->n_links && n < max; i++) {
		const struct nm_link *port = &bns->links[i], *pp;
		const struct nm_netns *pns;

		if (port == skip || !port->master || strcmp(port->master, br->ifname))
			continue;
		pns = peer_netns(w, port, &pp);
		if (pns)
			out[n++] = (struct seg_end){ pns, pp };
	}
	return n;
}

static size_t segment(const struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
		      struct seg_end *out, size_t max)
{
	const struct nm_link *pl, *br;
	const struct nm_netns *pns;

	if (nm_link_is_bridge(l))
		return bridge_ends(w, ns, l, NULL, out, 0, max);
	if (l->master && (br = nm_find_link(ns, l->master)))
		return bridge_ends(w, ns, br, l, out, 0, max);
	pns = peer_netns(w, l, &pl);
	if (!pns || !max)
		return 0;
	if (pl->master && (br = nm_find_link(pns, pl->master)))
		return bridge_ends(w, pns, br, pl, out, 0, max);
	out[0] = (struct seg_end){ pns, pl };
	return 1;
}

/* Is ip used by ns or by anything on the segments of its links? */
static bool seg_owned(const struct walk *w, const struct nm_netns *ns, const struct nm_ip *ip)
{
	struct seg_end ends[64];
	size_t i, j, k, n;

	if (nm_find_link_addr(ns, ip))
		return true;
	for (i = 0; i < ns->n_links; i++) {
		n = segment(w, ns, &ns->links[i], ends, 64);
		for (j = 0; j < n; j++)
			for (k = 0; k < ends[j].l->n_addrs; k++)
				if (nm_ip_equal(&ends[j].l->addrs[k].local, ip))
					return true;
	}
	return false;
}

/* A gateway for ns toward dst: an address on the segment of one of ns's links, in one of
 * its subnets, preferring one that owns dst, then one with a route to it, forwarding on,
 * on a bridge. */
static bool guess_gateway(const struct walk *w, const struct nm_netns *ns, const struct nm_ip *dst,
			  struct nm_ip *gw)
{
	struct seg_end ends[64];
	int best = -1;
	size_t i, j, k, n;

	for (i = 0; i < ns->n_links; i++) {
		if (nm_link_is_loopback(&ns->links[i]))
			continue;
		n = segment(w, ns, &ns->links[i], ends, 64);
		for (j = 0; j < n; j++) {
			const struct nm_netns *o = ends[j].ns;
			const struct nm_link *l = ends[j].l;

			if (o == ns || (w->q->src_ns == o && ns != o && !w->reply))
				continue;
			for (k = 0; k < l->n_addrs; k++) {
				const struct nm_ip *a = &l->addrs[k].local;
				int score = 0;

				if (a->family != dst->family)
					continue;
				if (!connected_addr(ns, a, NULL) &&
				    !(w->hyp_addr.family && nm_ip_in_prefix(a, &w->hyp_addr)))
					continue;
				if (nm_find_link_addr(o, dst))
					score = 8;
				else if (has_specific_route(o, dst))
					score = 4;
				else if (has_default_route(o, dst->family))
					score = 2;
				if (o->sysctl.ip_forward == 1)
					score++;
				if (nm_link_is_bridge(l))
					score++;
				if (score > best) {
					best = score;
					*gw = *a;
					gw->plen = dst->family == AF_INET ? 32 : 128;
				}
			}
		}
	}
	return best >= 0;
}

/* A host address in prefix p that nobody near ns uses (from the top when top is set). */
static bool free_host(const struct walk *w, const struct nm_netns *ns, const struct nm_ip *p, bool top,
		      struct nm_ip *out)
{
	uint32_t base, size, i, v;

	if (p->family != AF_INET || p->plen >= 31)
		return false;
	memcpy(&base, p->addr, 4);
	base = ntohl(base) & (p->plen ? ~0u << (32 - p->plen) : 0);
	size = 1u << (32 - p->plen);
	for (i = 1; i < size - 1 && i < 1024; i++) {
		v = htonl(top ? base + size - 1 - i : base + i);
		memset(out, 0, sizeof(*out));
		out->family = AF_INET;
		out->plen = 32;
		memcpy(out->addr, &v, 4);
		if (!seg_owned(w, ns, out))
			return true;
	}
	return false;
}

/* The subnet the far side of ns's link uses: the peer link's or its bridge's address. */
static const struct nm_addr *far_subnet(const struct walk *w, const struct nm_link *l,
					const struct nm_netns **fns, const struct nm_link **flink)
{
	const struct nm_link *peer, *br = NULL;
	const struct nm_netns *pns = peer_netns(w, l, &peer);
	size_t i;

	if (!pns)
		return NULL;
	if (peer->master)
		br = nm_find_link(pns, peer->master);
	*fns = pns;
	*flink = br ? br : peer;
	for (i = 0; i < (*flink)->n_addrs; i++)
		if ((*flink)->addrs[i].local.family == AF_INET)
			return &(*flink)->addrs[i];
	return NULL;
}

static char *routes_text(const struct nm_netns *ns, uint8_t family)
{
	char *out = nm_xstrdup("");
	size_t i, n = 0;

	for (i = 0; i < ns->n_routes; i++) {
		const struct nm_route *r = &ns->routes[i];
		char *t, *o;

		if (r->family != family || r->table == PATH_TABLE_LOCAL)
			continue;
		t = nm_route_str(r, NM_RT_LOOKUP);
		o = nm_xasprintf("%s%s%s", out, n ? "; " : "", t);
		free(t);
		free(out);
		out = o;
		n++;
	}
	if (!n) {
		free(out);
		out = nm_xstrdup("no routes at all");
	}
	return out;
}

static void ct_record(struct walk *w, const struct nm_netns *ns, const struct nf_pkt *orig,
		      const struct nf_pkt *trans, bool snat, bool dnat)
{
	struct path_ct *c;
	size_t i;

	for (i = 0; i < w->n_ct; i++) {
		c = &w->ct[i];
		if (c->ns == ns) {
			/* Same connection, second manipulation (DNAT then SNAT). */
			c->trans = *trans;
			c->snat |= snat;
			c->dnat |= dnat;
			return;
		}
	}
	c = NM_PUSH(w->ct, w->n_ct);
	c->ns = ns;
	c->orig = *orig;
	c->trans = *trans;
	c->snat = snat;
	c->dnat = dnat;
}

static struct path_ct *ct_find(struct walk *w, const struct nm_netns *ns)
{
	size_t i;

	for (i = 0; i < w->n_ct; i++)
		if (w->ct[i].ns == ns)
			return &w->ct[i];
	return NULL;
}

/* On the reply, conntrack undoes a DNAT of the original direction on the reply's source. */
static void undo_dnat(struct walk *w, const struct nm_netns *ns, const char *ifname,
		      struct nf_pkt *p, const char *why)
{
	struct path_ct *ct = w->reply ? ct_find(w, ns) : NULL;
	struct nf_pkt before = *p;

	if (!ct || !ct->dnat || !nm_ip_equal(&p->src, &ct->trans.dst))
		return;
	p->src = ct->orig.dst;
	p->sport = ct->orig.dport;
	hop(w, PATH_HOP_NAT, ns, ifname, "POSTROUTING", &before, p, "UN-DNAT", true, "%s", why);
}

/* Does ns own ip, counting an address assumed for the source? */
static const struct nm_link *owns(const struct walk *w, const struct nm_netns *ns, const struct nm_ip *ip)
{
	const struct nm_link *l = nm_find_link_addr(ns, ip);
	size_t i;

	if (l || !w->hyp_addr.family || !nm_ip_equal(ip, &w->hyp_addr))
		return l;
	for (i = 0; i < ns->n_links; i++)
		if (&ns->links[i] == w->hyp_addr_link)
			return w->hyp_addr_link;
	return NULL;
}

/* Is port a port of bridge br (or assumed to be, after NOT_ON_BRIDGE)? */
static bool is_port_of(const struct walk *w, const struct nm_link *port, const char *br)
{
	if (port->master && !strcmp(port->master, br))
		return true;
	return w->hyp_port == port && w->hyp_bridge && !strcmp(w->hyp_bridge, br);
}

/* ---- netfilter hooks ---- */

static const char *hook_upper(enum nf_hook h)
{
	static const char *const n[] = {
		[NF_HOOK_PREROUTING] = "PREROUTING", [NF_HOOK_INPUT] = "INPUT",
		[NF_HOOK_FORWARD] = "FORWARD", [NF_HOOK_OUTPUT] = "OUTPUT",
		[NF_HOOK_POSTROUTING] = "POSTROUTING",
	};
	if ((unsigned int)h >= ARRAY_SIZE(n) || !n[h])
		return "?";
	return n[h];
}

static unsigned int nf_family_of(const struct nf_pkt *p)
{
	return p->dst.family == AF_INET6 ? NF_FAMILY_IP6 : NF_FAMILY_IP;
}

/* Run a hook; apply NAT to *p. Returns false when the packet is dropped (and the cause is
 * recorded; the walk may go on as if the rule were fixed). */
static bool run_hook(struct walk *w, const struct nm_netns *ns, enum nf_hook hook, struct nf_pkt *p,
		     bool *stop)
{
	struct nf_eval_res res;
	struct nf_pkt before = *p;
	char *desc;
	char a1[64], a2[64];
	const char *ifn = hook == NF_HOOK_PREROUTING || hook == NF_HOOK_INPUT ? p->iif : p->oif;

	*stop = false;
	if (!ns->netfilter)
		return true;
	nf_eval_hook(ns->netfilter, nf_family_of(p), hook, p, ns, &res);
	if (res.n_chains == 0)
		return true;
	if (res.n_unsupported)
		nm_warn(&w->r->notes, &w->r->n_notes,
			"%s: %d undecodable rule(s) at %s, assumed not to match", ns->label,
			res.n_unsupported, hook_upper(hook));
	desc = nf_eval_describe(&res);
	if (res.verdict == NF_EVAL_DROP) {
		enum diag_id code;
		char ifs[64] = "";
		const char *chain = hook_upper(hook);

		hop(w, PATH_HOP_FILTER, ns, ifn, hook_upper(hook), p, NULL, "DROP", false, "%s", desc);
		if (w->reply) {
			if (hook == NF_HOOK_FORWARD)
				snprintf(ifs, sizeof(ifs), "-i %s -o %s ", p->iif ? p->iif : "?",
					 p->oif ? p->oif : "?");
			else if (hook == NF_HOOK_INPUT || hook == NF_HOOK_PREROUTING)
				snprintf(ifs, sizeof(ifs), "-i %s ", p->iif ? p->iif : "?");
			else
				snprintf(ifs, sizeof(ifs), "-o %s ", p->oif ? p->oif : "?");
			if (hook == NF_HOOK_PREROUTING)
				chain = "INPUT";
			if (hook == NF_HOOK_POSTROUTING)
				chain = "OUTPUT";
			cause(w, DIAG_RETURN_DROPPED, ns, desc, "src", ipstr(&p->src, a1, sizeof(a1)),
			      "dst", ipstr(&p->dst, a2, sizeof(a2)), "hook", hook_upper(hook),
			      "rule", desc, "chain", chain, "ifs", ifs, NULL);
		} else {
			switch (hook) {
			case NF_HOOK_FORWARD: code = DIAG_FORWARD_DROP; break;
			case NF_HOOK_INPUT: code = DIAG_INPUT_DROP; break;
			case NF_HOOK_PREROUTING: code = DIAG_PREROUTING_DROP; break;
			default: code = p->iif ? DIAG_FORWARD_DROP : DIAG_OUTPUT_DROP; break;
			}
			if (hook == NF_HOOK_POSTROUTING)
				code = DIAG_OUTPUT_DROP;	/* same fix shape: accept in that chain */
			cause(w, code, ns, desc, "src", ipstr(&p->src, a1, sizeof(a1)),
			      "dst", ipstr(&p->dst, a2, sizeof(a2)), "hook", hook_upper(hook),
			      "rule", desc, "iif", p->iif ? p->iif : "?", "oif", p->oif ? p->oif : "?",
			      "table", res.table ? res.table->name : "filter",
			      "chain", res.chain && res.chain->base ? res.chain->name : hook_upper(hook),
			      NULL);
		}
		free(desc);
		return false;
	}
	if (res.verdict == NF_EVAL_UNKNOWN) {
		nm_warn(&w->r->notes, &w->r->n_notes, "%s: %s decided by an undecodable rule (%s)",
			ns->label, hook_upper(hook), desc);
	}
	if (res.nat != NF_ACT_CONTINUE && (p->ct_state & NF_CT_NEW)) {
		char *ndesc;
		bool snat = res.nat == NF_ACT_MASQUERADE || res.nat == NF_ACT_SNAT;
		struct nf_eval_res nr = res;

		nr.rule = res.nat_rule;
		nr.table = res.nat_table;
		nr.chain = res.nat_chain;
		nr.by_policy = false;
		ndesc = nf_eval_describe(&nr);
		if (res.nat == NF_ACT_MASQUERADE || (snat && !res.nat_addr.family)) {
			const struct nm_link *ol = p->oif ? nm_find_link(ns, p->oif) : NULL;
			struct nm_ip a;

			if (path_link_primary(ol, p->src.family, NULL, &a))
				p->src = a;
		} else if (snat) {
			p->src = res.nat_addr;
			p->src.plen = p->src.family == AF_INET ? 32 : 128;
		} else if (res.nat == NF_ACT_DNAT) {
			if (res.nat_addr.family) {
				p->dst = res.nat_addr;
				p->dst.plen = p->dst.family == AF_INET ? 32 : 128;
			}
			if (res.nat_port)
				p->dport = res.nat_port;
		} else if (res.nat == NF_ACT_REDIRECT) {
			const struct nm_link *il = p->iif ? nm_find_link(ns, p->iif) : NULL;
			struct nm_ip a;

			if (path_link_primary(il, p->dst.family, NULL, &a))
				p->dst = a;
			else
				nm_ip_parse("127.0.0.1", &p->dst);
			if (res.nat_port)
				p->dport = res.nat_port;
		}
		if (snat && res.nat_port)
			p->sport = res.nat_port;
		p->ct_state |= snat ? NF_CT_SNAT : NF_CT_DNAT;
		ct_record(w, ns, &before, p, snat, !snat);
		hop(w, PATH_HOP_NAT, ns, ifn, hook_upper(hook), &before, p, snat ? "SNAT" : "DNAT", true,
		    "%s", ndesc);
		free(ndesc);
	} else if (res.table && (res.rule || (res.chain && res.chain->policy != NF_POLICY_NONE &&
					    res.chain->n_rules))) {
		hop(w, PATH_HOP_FILTER, ns, ifn, hook_upper(hook), p, NULL, "ALLOW", true, "%s", desc);
	}
	free(desc);
	return true;
}

/* ---- the walk ---- */

static enum walk_end ns_input(struct walk *w, const struct nm_netns *ns, const struct nm_link *iif,
			      struct nf_pkt p);
static enum walk_end ns_egress(struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
			       const struct nm_ip *gw, struct nf_pkt p);

static bool budget(struct walk *w)
{
	if (++w->steps > PATH_MAX_STEPS) {
		nm_warn(&w->r->notes, &w->r->n_notes, "the walk stopped after %d steps (a loop?)",
			PATH_MAX_STEPS);
		return false;
	}
	return true;
}

static enum walk_end deliver_local(struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
				   struct nf_pkt p)
{
	bool stop;
	char a[64];

	p.oif = NULL;
	run_hook(w, ns, NF_HOOK_INPUT, &p, &stop);
	hop(w, PATH_HOP_LOCAL, ns, l ? l->ifname : NULL, "local", &p, NULL, "DELIVERED", true,
	    "%s is an address of %s", ipstr(&p.dst, a, sizeof(a)), ns->label);
	w->end_ns = ns;
	w->end_link = l;
	w->end_pkt = p;
	return W_LOCAL;
}

/* Where the packet goes when ns has no route: the problem, then (when a gateway can be
 * guessed) the walk goes on as if the fix were applied. */
static bool no_route(struct walk *w, const struct nm_netns *ns, struct nf_pkt *p,
		     const struct nm_link **ol, struct nm_ip *gw, bool source)
{
	char a1[64], a2[64], gws[64], pre[256] = "";
	char *ev = routes_text(ns, p->dst.family);
	struct nm_ip g = { 0 };
	const struct nm_link *l = NULL;
	bool have = guess_gateway(w, ns, &p->dst, &g);

	if (!have && source) {
		/* Nobody on our subnet can be a gateway yet: the far side of our link (the bridge)
		 * needs an address first, the blog's "add br0 an IP address" step. */
		size_t i;

		for (i = 0; i < ns->n_links && !have; i++) {
			const struct nm_link *sl = &ns->links[i];
			const struct nm_netns *fns;
			const struct nm_link *fl;
			const struct nm_addr *mine = NULL;
			size_t j;

			if (nm_link_is_loopback(sl))
				continue;
			for (j = 0; j < sl->n_addrs; j++)
				if (sl->addrs[j].local.family == p->dst.family)
					mine = &sl->addrs[j];
			if (!mine || far_subnet(w, sl, &fns, &fl))
				continue;
			if (!peer_netns(w, sl, &fl))
				continue;
			fns = peer_netns(w, sl, &fl);
			if (fl->master)
				fl = nm_find_link(fns, fl->master) ? nm_find_link(fns, fl->master) : fl;
			if (free_host(w, ns, &mine->local, true, &g)) {
				char *fx = path_ns_exec(fns);

				snprintf(pre, sizeof(pre), "%sip addr add %s/%u dev %s\n", fx,
					 ipstr(&g, gws, sizeof(gws)), mine->local.plen, fl->ifname);
				free(fx);
				have = true;
			}
		}
	}
	if (have && !connected_addr(ns, &g, &l) && w->hyp_addr.family &&
	    nm_ip_in_prefix(&g, &w->hyp_addr))
		l = w->hyp_addr_link;
	cause(w, DIAG_NO_ROUTE, ns, ev, "dst", ipstr(&p->dst, a1, sizeof(a1)),
	      "gw", have ? ipstr(&g, gws, sizeof(gws)) : "<gateway>", "pre", pre,
	      "why", have ? "" : " and no neighbour that could be its gateway",
	      "src", ipstr(&p->src, a2, sizeof(a2)), NULL);
	hop(w, PATH_HOP_ROUTE, ns, NULL, p->iif ? "forward" : "out", p, NULL, "NO ROUTE", false,
	    "no route to %s (%s)", ipstr(&p->dst, a1, sizeof(a1)), ev);
	free(ev);
	if (!have || !l || w->outside)
		return false;
	*ol = l;
	*gw = g;
	nm_warn(&w->r->notes, &w->r->n_notes, "%s: assuming a default route via %s to look further",
		ns->label, ipstr(&g, gws, sizeof(gws)));
	return true;
}

static int common_prefix(const char *a, const char *b)
{
	int n = 0;

	while (a && b && a[n] && a[n] == b[n])
		n++;
	return n;
}

/* Problems of the source namespace that explain a failed route lookup. */
static bool source_problems(struct walk *w, const struct nm_netns *ns, struct nf_pkt *p,
			    const struct nm_link **ol)
{
	size_t i, j, n_ifs = 0;
	bool any_addr = false, down = false;
	const struct nm_link *cand = NULL;
	char a[64];

	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];

		if (nm_link_is_loopback(l))
			continue;
		n_ifs++;
		if (!cand)
			cand = l;
		for (j = 0; j < l->n_addrs; j++)
			if (l->addrs[j].local.family == p->dst.family &&
			    (!l->addrs[j].scope || strcmp(l->addrs[j].scope, "link")))
				any_addr = true;
	}
	if (!n_ifs) {
		/* A bare namespace: suggest a veth pair to the namespace that routes. */
		const struct nm_netns *router = NULL;
		char ifn[16], *hexec, *nsarg;
		int best = -1;
		int k;

		for (i = 0; i < w->s->n_netns; i++) {
			const struct nm_netns *o = &w->s->netns[i];

			int sc;

			if (o == ns)
				continue;
			/* The way out is where forwarding and a default route are; among
			 * equals, namespaces made together share a prefix (a lab, a project). */
			sc = ((o->sysctl.ip_forward == 1) * 2 + has_default_route(o, AF_INET)) * 1000 +
			     common_prefix(o->label, ns->label);
			if (!router || sc > best) {
				router = o;
				best = sc;
			}
		}
		for (k = 1; k < 100; k++) {
			snprintf(ifn, sizeof(ifn), "veth%d", k);
			if (!nm_find_link(ns, ifn) && (!router || !nm_find_link(router, ifn)))
				break;
		}
		hexec = path_ns_exec(router);
		nsarg = ns_arg(ns);
		cause(w, DIAG_PEER_MISSING, ns, "links: lo only", "hexec", hexec, "ifname", ifn,
		      "nsarg", nsarg, NULL);
		free(hexec);
		free(nsarg);
		hop(w, PATH_HOP_ROUTE, ns, NULL, "out", p, NULL, "NO LINK", false,
		    "no interface except lo");
		return false;
	}
	for (i = 0; i < ns->n_links; i++) {
		const struct nm_link *l = &ns->links[i];

		if (nm_link_is_loopback(l) || path_link_up(l))
			continue;
		down = true;
		snprintf(a, sizeof(a), "%s: state %s (no UP flag)", l->ifname, l->state ? l->state : "?");
		cause(w, DIAG_LINK_DOWN, ns, a, "ifname", l->ifname, NULL);
		*ol = l;
	}
	if (!any_addr) {
		/* Suggest an address from the subnet of the far side. */
		const struct nm_link *l = cand;
		const struct nm_netns *fns;
		const struct nm_link *fl;
		const struct nm_addr *fa = NULL;
		struct nm_ip sug = { 0 };
		char sugs[80];

		for (i = 0; i < ns->n_links && !fa; i++)
			if (!nm_link_is_loopback(&ns->links[i]) &&
			    (fa = far_subnet(w, &ns->links[i], &fns, &fl)))
				l = &ns->links[i];
		if (fa && free_host(w, ns, &fa->local, false, &sug)) {
			snprintf(sugs, sizeof(sugs), "%s/%u", ipstr(&sug, a, sizeof(a)), fa->local.plen);
		} else {
			snprintf(sugs, sizeof(sugs), "10.0.0.1/24");
			nm_ip_parse("10.0.0.1", &sug);
		}
		cause(w, DIAG_NO_ADDRESS, ns, "no global address on any interface", "ifname", l->ifname,
		      "addr", sugs, NULL);
		p->src = sug;
		w->hyp_addr = sug;
		w->hyp_addr.plen = fa ? fa->local.plen : 24;
		w->hyp_addr_link = l;
		*ol = l;
		return true;
	}
	(void)down;
	return true;
}

/* A locally generated packet (or a reply from a local address). */
static enum walk_end ns_output(struct walk *w, const struct nm_netns *ns, struct nf_pkt p)
{
	struct path_route_res rr;
	struct nm_flow fl = { .src = p.src, .dst = p.dst, .mark = p.mark };
	const struct nm_link *ol = NULL;
	struct nm_ip gw = { 0 }, nh;
	char *rt = NULL;
	bool stop;
	char a[64];

	if (!budget(w))
		return W_STOP;
	p.iif = NULL;
	p.oif = NULL;
	path_route_lookup(ns, &fl, &rr);
	if (rr.local) {
		/* like the kernel: a packet to one of our own addresses leaves from the route's
		 * preferred source, which is that address */
		if (!p.src.family) {
			p.src = rr.route && rr.route->prefsrc.family ? rr.route->prefsrc : p.dst;
			p.src.plen = p.src.family == AF_INET ? 32 : 128;
		}
		hop(w, PATH_HOP_ROUTE, ns, "lo", "out", &p, NULL, "LOCAL", true,
		    "%s is local (table local)", ipstr(&p.dst, a, sizeof(a)));
		run_hook(w, ns, NF_HOOK_OUTPUT, &p, &stop);
		return deliver_local(w, ns, nm_find_link_addr(ns, &p.dst), p);
	}
	if (rr.reject) {
		rt = rr.route ? nm_route_str(rr.route, NM_RT_LOOKUP) :
			nm_xasprintf("rule %u: %s", rr.rule_prio, rr.reject_type);
		cause(w, DIAG_ROUTE_REJECT, ns, rt, "type", rr.reject_type, "dst",
		      ipstr(&p.dst, a, sizeof(a)), "route", rt, "routekey", rt, NULL);
		hop(w, PATH_HOP_ROUTE, ns, NULL, "out", &p, NULL, "REJECT", false, "%s", rt);
		free(rt);
		return W_STOP;
	}
	if (!rr.route) {
		if (!w->reply && ns == w->q->src_ns) {
			if (!source_problems(w, ns, &p, &ol))
				return W_STOP;
		}
		ol = NULL;
		if (!no_route(w, ns, &p, &ol, &gw, !w->reply && ns == w->q->src_ns))
			return W_STOP;
		rt = nm_xasprintf("default via %s dev %s (assumed)", ipstr(&gw, a, sizeof(a)), ol->ifname);
	} else {
		ol = rr.dev ? nm_find_link(ns, rr.dev) : NULL;
		gw = rr.gateway;
		rt = nm_route_str(rr.route, NM_RT_LOOKUP);
	}
	if (!ol) {
		hop(w, PATH_HOP_ROUTE, ns, rr.dev, "out", &p, NULL, "FAIL", false,
		    "%s: device not in the snapshot", rt);
		free(rt);
		return W_STOP;
	}
	nh = gw.family ? gw : p.dst;
	if (!p.src.family) {
		if (!path_select_src(ns, rr.route, ol->ifname, &nh, &p.src)) {
			char ev[160];

			snprintf(ev, sizeof(ev), "no global address on %s", ol->ifname);
			cause(w, DIAG_NO_ADDRESS, ns, ev, "ifname", ol->ifname, "addr", "<address/prefix>",
			      NULL);
			free(rt);
			return W_STOP;
		}
	}
	hop(w, PATH_HOP_ROUTE, ns, ol->ifname, "out", &p, NULL, "ROUTE", true, "%s%s", rt,
	    rr.rule && rr.table != PATH_TABLE_MAIN && rr.table != PATH_TABLE_LOCAL &&
	    rr.table != PATH_TABLE_DEFAULT ? " (policy rule)" : "");
	free(rt);
	p.oif = ol->ifname;
	if (!run_hook(w, ns, NF_HOOK_OUTPUT, &p, &stop) && stop)
		return W_STOP;
	return ns_egress(w, ns, ol, &gw, p);
}

/* The packet arrives on link l of ns (L2): a bridge port, the gateway, or the destination. */
static enum walk_end arrive(struct walk *w, const struct nm_netns *ns, const struct nm_link *l,
			    const struct nm_ip *nh, struct nf_pkt p)
{
	const struct nm_link *owner;
	char a[64], b[64];

	if (!budget(w))
		return W_STOP;
	if (w->reply && w->outside && l == w->uplink)
		w->outside = false;
	if (!path_link_up(l)) {
		cause(w, DIAG_LINK_DOWN, ns, "peer of the sending interface", "ifname", l->ifname, NULL);
	}
	p.iif = l->ifname;
	hop(w, PATH_HOP_IN, ns, l->ifname, "in", &p, NULL, "RECEIVED", true, "%s %s",
	    l->kind ? l->kind : "link", l->master ? "(bridge port)" : "");
	if (l->master) {
		const struct nm_link *br = nm_find_link(ns, l->master);
		size_t i;

		if (!br) {
			hop(w, PATH_HOP_BRIDGE, ns, l->master, "bridge", &p, NULL, "FAIL", false,
			    "master %s not in the snapshot", l->master);
			return W_STOP;
		}
		if (!path_link_up(br))
			cause(w, DIAG_LINK_DOWN, ns, "bridge", "ifname", br->ifname, NULL);
		if (nm_find_link_addr(ns, nh) == br) {
			hop(w, PATH_HOP_BRIDGE, ns, br->ifname, "bridge", &p, NULL, "TO BRIDGE", true,
			    "%s owns %s: up to the bridge device", br->ifname, ipstr(nh, a, sizeof(a)));
			return ns_input(w, ns, br, p);
		}
		/* Another port whose far side owns the next hop. */
		for (i = 0; i < ns->n_links; i++) {
			const struct nm_link *port = &ns->links[i];
			const struct nm_link *pp;
			const struct nm_netns *pns;

			if (port == l || !is_port_of(w, port, br->ifname))
				continue;
			pns = peer_netns(w, port, &pp);
			if (!pns || !owns(w, pns, nh))
				continue;
			if (ns->sysctl.bridge_nf_call_iptables == 1) {
				struct nf_pkt bp = p;
				bool stop;

				bp.iif = br->ifname;
				bp.oif = br->ifname;
				bp.phys_in = l->ifname;
				bp.phys_out = port->ifname;
				bp.bridged = true;
				run_hook(w, ns, NF_HOOK_FORWARD, &bp, &stop);
				/* bridge-nf runs conntrack's NAT too: a bridged reply is un-DNATed */
				undo_dnat(w, ns, br->ifname, &p, "conntrack (bridge-nf): reply of a DNATed connection");
			}
			hop(w, PATH_HOP_BRIDGE, ns, br->ifname, "bridge", &p, NULL, "SWITCHED", true,
			    "%s -> port %s (%s is behind it)", l->ifname, port->ifname,
			    ipstr(nh, a, sizeof(a)));
			if (!path_link_up(port))
				cause(w, DIAG_LINK_DOWN, ns, "bridge port", "ifname", port->ifname, NULL);
			hop(w, PATH_HOP_OUT, ns, port->ifname, "out", &p, NULL, "SENT", true, "bridge port");
			return arrive(w, pns, pp, nh, p);
		}
		owner = nm_find_link_addr(ns, nh);
		{
			char *gx = path_ns_exec(ns);
			char plen[8], ev[200];

			snprintf(plen, sizeof(plen), "%d", w->last_plen ? w->last_plen : 24);
			snprintf(ev, sizeof(ev), "%s is %s; bridge %s has no port leading to it",
				 ipstr(nh, a, sizeof(a)), owner ? "on another interface" : "owned by nobody",
				 br->ifname);
			cause(w, DIAG_GATEWAY_UNREACHABLE, w->last_ns ? w->last_ns : ns, ev,
			      "gw", ipstr(nh, b, sizeof(b)), "ifname", p.oif ? p.oif : "?",
			      "gwexec", gx, "plen", plen, "gwdev", br->ifname, NULL);
			free(gx);
		}
		hop(w, PATH_HOP_BRIDGE, ns, br->ifname, "bridge", &p, NULL, "NO OWNER", false,
		    "nobody behind %s owns %s", br->ifname, ipstr(nh, a, sizeof(a)));
		return W_STOP;
	}
	owner = owns(w, ns, nh);
	if (owner) {
		if (owner != l && nm_link_is_bridge(owner)) {
			char ev[160];

			snprintf(ev, sizeof(ev), "%s has no master; %s is on %s", l->ifname,
				 ipstr(nh, a, sizeof(a)), owner->ifname);
			cause(w, DIAG_NOT_ON_BRIDGE, ns, ev, "ifname", l->ifname, "bridge", owner->ifname,
			      "gw", ipstr(nh, b, sizeof(b)), NULL);
			hop(w, PATH_HOP_BRIDGE, ns, l->ifname, "bridge", &p, NULL, "NOT A PORT", false,
			    "%s is not a port of %s (assumed fixed)", l->ifname, owner->ifname);
			w->hyp_port = l;
			w->hyp_bridge = owner->ifname;
			return ns_input(w, ns, owner, p);
		}
		return ns_input(w, ns, l, p);
	}
	{
		char *gx = path_ns_exec(ns);
		char plen[8], ev[200];

		snprintf(plen, sizeof(plen), "%d", w->last_plen ? w->last_plen : 24);
		snprintf(ev, sizeof(ev), "nobody in %s owns %s (arrived on %s)", ns->label,
			 ipstr(nh, a, sizeof(a)), l->ifname);
		cause(w, DIAG_GATEWAY_UNREACHABLE, w->last_ns ? w->last_ns : ns, ev,
		      "gw", ipstr(nh, b, sizeof(b)), "ifname", p.oif ? p.oif : "?", "gwexec", gx,
		      "plen", plen, "gwdev", l->ifname, NULL);
		free(gx);
	}
	hop(w, PATH_HOP_IN, ns, l->ifname, "in", &p, NULL, "NO OWNER", false, "nobody owns %s",
	    ipstr(nh, a, sizeof(a)));
	return W_STOP;
}

static enum walk_end ns_egress(struct walk *w, const struct nm_netns *ns, const struct nm_link *ol,
			       const struct nm_ip *gw, struct nf_pkt p)
{
	const struct nm_link *peer = NULL;
	const struct nm_netns *pns;
	struct nm_ip nh = gw && gw->family ? *gw : p.dst;
	const struct nm_addr *ca;
	bool stop, forwarded = p.iif != NULL;
	char a[64], b[64], c[64];

	p.oif = ol->ifname;
	undo_dnat(w, ns, ol->ifname, &p, "conntrack: reply of a DNATed connection");
	if (!run_hook(w, ns, NF_HOOK_POSTROUTING, &p, &stop) && stop)
		return W_STOP;

	/* On-link check of the next hop. */
	ca = connected_addr(ns, &nh, NULL);
	w->last_plen = ca ? ca->local.plen : (w->hyp_addr.family ? w->hyp_addr.plen : 0);
	if (gw && gw->family && !ca &&
	    !(w->hyp_addr.family && ns == w->q->src_ns && nm_ip_in_prefix(gw, &w->hyp_addr))) {
		char ev[160];
		char *gx = path_ns_exec(ns);

		snprintf(ev, sizeof(ev), "no address of %s has a subnet containing %s", ns->label,
			 ipstr(gw, a, sizeof(a)));
		cause(w, DIAG_GATEWAY_UNREACHABLE, ns, ev, "gw", ipstr(gw, b, sizeof(b)), "ifname",
		      ol->ifname, "gwexec", gx, "plen", "24", "gwdev", "<interface>", NULL);
		free(gx);
	}

	if (!path_link_up(ol)) {
		char ev[120];

		snprintf(ev, sizeof(ev), "%s: state %s (no UP flag)", ol->ifname, ol->state ? ol->state : "?");
		cause(w, DIAG_LINK_DOWN, ns, ev, "ifname", ol->ifname, NULL);
	}
	pns = peer_netns(w, ol, &peer);
	if (path_link_up(ol) && !path_link_carrier(ol) && peer && !path_link_up(peer)) {
		char ev[120];

		snprintf(ev, sizeof(ev), "%s in %s: no UP flag, so %s has no carrier", peer->ifname,
			 pns->label, ol->ifname);
		cause(w, DIAG_LINK_DOWN, pns, ev, "ifname", peer->ifname, NULL);
	}

	/* The uplink: the packet leaves the host here. */
	if (!w->reply && !w->outside && (!pns || (link_has_public_addr(ol) && (forwarded || ns->self))) &&
	    !(nm_link_is_bridge(ol))) {
		w->r->left_host = true;
		free(w->r->leave_ifname);
		free(w->r->leave_netns);
		w->r->leave_ifname = nm_xstrdup(ol->ifname);
		w->r->leave_netns = nm_xstrdup(ns->label);
		if (forwarded && path_ip_private(&p.src) && !path_ip_private(&p.dst)) {
			struct nf_pkt before = p;
			struct nm_ip sub = p.src, m;
			const struct path_ct *ct = ct_find(w, w->q->src_ns);
			const struct nm_link *sl = NULL;
			const struct nm_addr *sa;
			char subs[64];
			char *ev;

			(void)ct;
			/* The subnet: the source's connected prefix in the source namespace. */
			sa = connected_addr(w->q->src_ns, &p.src, &sl);
			if (sa) {
				sub = sa->local;
				sub.plen = sa->local.plen;
				nm_ip_in_prefix(&p.src, &sub);
				{
					uint32_t v, mask = sub.plen ? ~0u << (32 - sub.plen) : 0;

					memcpy(&v, sub.addr, 4);
					v = htonl(ntohl(v) & mask);
					memcpy(sub.addr, &v, 4);
				}
				nm_ip_str(&sub, subs, sizeof(subs), true);
			} else {
				nm_ip_str(&p.src, subs, sizeof(subs), false);
			}
			ev = nm_xasprintf("nat POSTROUTING: no SNAT or MASQUERADE for %s out of %s",
					  ipstr(&p.src, a, sizeof(a)), ol->ifname);
			cause(w, DIAG_NO_SNAT, ns, ev, "ifname", ol->ifname, "src", ipstr(&p.src, b, sizeof(b)),
			      "dst", ipstr(&p.dst, c, sizeof(c)), "subnet", subs, NULL);
			free(ev);
			/* Go on as if MASQUERADE were there, to find the problems further along. */
			if (path_link_primary(ol, p.src.family, NULL, &m)) {
				p.src = m;
				p.ct_state |= NF_CT_SNAT;
				ct_record(w, ns, &before, &p, true, false);
				hop(w, PATH_HOP_NAT, ns, ol->ifname, "POSTROUTING", &before, &p,
				    "ASSUMED", false, "no MASQUERADE: assumed to look further");
			}
		}
		w->r->leave_src = p.src;
		w->uplink = ol;
		w->uplink_ns = ns;
		if (pns)
			w->outside = true;
	}

	hop(w, PATH_HOP_OUT, ns, ol->ifname, "out", &p, NULL, "SENT", true, "%s%s%s",
	    gw && gw->family ? "to gateway " : "to ", ipstr(&nh, a, sizeof(a)),
	    ol->kind ? "" : "");
	w->last_ns = ns;

	if (nm_link_is_bridge(ol)) {
		/* Out of a bridge device: the port whose far side owns the next hop. */
		size_t i;

		for (i = 0; i < ns->n_links; i++) {
			const struct nm_link *port = &ns->links[i];
			const struct nm_link *pp;
			const struct nm_netns *ppns;

			if (!is_port_of(w, port, ol->ifname))
				continue;
			ppns = peer_netns(w, port, &pp);
			if (!ppns || !owns(w, ppns, &nh))
				continue;
			hop(w, PATH_HOP_BRIDGE, ns, ol->ifname, "bridge", &p, NULL, "SWITCHED", true,
			    "-> port %s", port->ifname);
			if (!path_link_up(port))
				cause(w, DIAG_LINK_DOWN, ns, "bridge port", "ifname", port->ifname, NULL);
			return arrive(w, ppns, pp, &nh, p);
		}
		{
			char ev[160];
			char *gx = path_ns_exec(ns);
			char plen[8];

			snprintf(plen, sizeof(plen), "%d", w->last_plen ? w->last_plen : 24);
			snprintf(ev, sizeof(ev), "no port of %s leads to %s", ol->ifname,
				 ipstr(&nh, a, sizeof(a)));
			cause(w, DIAG_GATEWAY_UNREACHABLE, ns, ev, "gw", ipstr(&nh, b, sizeof(b)),
			      "ifname", ol->ifname, "gwexec", gx, "plen", plen, "gwdev", "<interface>",
			      NULL);
			free(gx);
		}
		return W_STOP;
	}
	if (!pns) {
		hop(w, PATH_HOP_LEAVE, ns, ol->ifname, "out", &p, NULL, "LEAVES", true,
		    "%s leads out of the %s", ol->ifname,
		    nm_link_has_peer(ol) ? "snapshot" : "host");
		w->end_ns = ns;
		w->end_link = ol;
		w->end_pkt = p;
		return W_LEFT;
	}
	return arrive(w, pns, peer, &nh, p);
}

/* A packet received on iif of ns (L3): prerouting, routing, local or forward. */
static enum walk_end ns_input(struct walk *w, const struct nm_netns *ns, const struct nm_link *iif,
			      struct nf_pkt p)
{
	struct path_route_res rr;
	struct nm_flow fl;
	const struct nm_link *ol = NULL;
	struct nm_ip gw = { 0 };
	char *rt;
	bool stop;
	char a[64], b[64];
	int eff;

	if (!budget(w))
		return W_STOP;
	if (w->reply && w->outside && iif == w->uplink)
		w->outside = false;
	p.iif = iif->ifname;
	p.oif = NULL;
	p.phys_in = p.phys_out = NULL;
	p.bridged = false;
	if (w->reply) {
		struct path_ct *ct = ct_find(w, ns);

		if (ct && ct->snat && nm_ip_equal(&p.dst, &ct->trans.src)) {
			struct nf_pkt before = p;

			p.dst = ct->orig.src;
			p.dport = ct->orig.sport;
			p.ct_state |= NF_CT_SNAT;
			hop(w, PATH_HOP_NAT, ns, iif->ifname, "PREROUTING", &before, &p, "UN-SNAT", true,
			    "conntrack: reply of a connection SNATed here");
		}
	}
	if (!run_hook(w, ns, NF_HOOK_PREROUTING, &p, &stop) && stop)
		return W_STOP;

	memset(&fl, 0, sizeof(fl));
	fl.src = p.src;
	fl.dst = p.dst;
	fl.iif = iif->ifname;
	fl.mark = p.mark;
	path_route_lookup(ns, &fl, &rr);
	if (rr.local || owns(w, ns, &p.dst))
		return deliver_local(w, ns, iif, p);
	if (rr.reject) {
		rt = rr.route ? nm_route_str(rr.route, NM_RT_LOOKUP) :
			nm_xasprintf("rule %u: %s", rr.rule_prio, rr.reject_type);
		cause(w, DIAG_ROUTE_REJECT, ns, rt, "type", rr.reject_type, "dst",
		      ipstr(&p.dst, a, sizeof(a)), "route", rt, "routekey", rt, NULL);
		hop(w, PATH_HOP_ROUTE, ns, NULL, "forward", &p, NULL, "REJECT", false, "%s", rt);
		free(rt);
		return W_STOP;
	}
	if (!rr.route) {
		if (!no_route(w, ns, &p, &ol, &gw, false))
			return W_STOP;
		rt = nm_xasprintf("default via %s dev %s (assumed)", ipstr(&gw, a, sizeof(a)), ol->ifname);
	} else {
		ol = rr.dev ? nm_find_link(ns, rr.dev) : NULL;
		gw = rr.gateway;
		rt = nm_route_str(rr.route, NM_RT_LOOKUP);
		if (!ol) {
			hop(w, PATH_HOP_ROUTE, ns, rr.dev, "forward", &p, NULL, "FAIL", false,
			    "%s: device not in the snapshot", rt);
			free(rt);
			return W_STOP;
		}
	}
	{
		struct path_hop *h = hop(w, PATH_HOP_ROUTE, ns, ol->ifname, "forward", &p, NULL, "ROUTE",
					 true, "%s", rt);

		h->iif = nm_xstrdup(iif->ifname);
	}
	free(rt);

	/* The forwarding decision: the input device must forward (ip_route_input_slow). */
	if (ns->sysctl.ip_forward == 0) {
		cause(w, DIAG_FORWARDING_DISABLED, ns, "net.ipv4.ip_forward = 0", "sysctl",
		      p.dst.family == AF_INET6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward",
		      "value", "0", NULL);
		hop(w, PATH_HOP_FORWARD, ns, iif->ifname, "forward", &p, NULL, "DROP", false,
		    "net.ipv4.ip_forward = 0");
	} else if (iif->forwarding == 0) {
		char key[64], ev[96];

		snprintf(key, sizeof(key), "net.ipv4.conf.%s.forwarding", iif->ifname);
		snprintf(ev, sizeof(ev), "%s = 0", key);
		cause(w, DIAG_FORWARDING_DISABLED, ns, ev, "sysctl", key, "value", "0", NULL);
		hop(w, PATH_HOP_FORWARD, ns, iif->ifname, "forward", &p, NULL, "DROP", false, "%s", ev);
	} else {
		hop(w, PATH_HOP_FORWARD, ns, iif->ifname, "forward", &p, NULL, "FORWARD", true,
		    "ip_forward = %d", ns->sysctl.ip_forward);
	}

	/* Reverse path filter (fib_validate_source): the effective value is the maximum. */
	eff = ns->sysctl.rp_filter_all > iif->rp_filter ? ns->sysctl.rp_filter_all : iif->rp_filter;
	if (eff > 0 && p.dst.family == AF_INET) {
		struct path_route_res back;
		struct nm_flow bf = { .dst = p.src, .oif = NULL };
		bool ok;

		path_route_lookup(ns, &bf, &back);
		if (eff == 1)
			ok = back.route && back.dev && !strcmp(back.dev, iif->ifname);
		else
			ok = back.route != NULL || back.local;
		if (!ok) {
			char val[8], why[160], ev[200];

			snprintf(val, sizeof(val), "%d", eff);
			snprintf(why, sizeof(why), "the route back to %s %s",
				 ipstr(&p.src, a, sizeof(a)),
				 back.dev ? "goes out another interface" : "does not exist");
			snprintf(ev, sizeof(ev), "rp_filter all=%d %s=%d; route back: %s",
				 ns->sysctl.rp_filter_all, iif->ifname, iif->rp_filter,
				 back.dev ? back.dev : "none");
			cause(w, DIAG_RP_FILTER, ns, ev, "src", ipstr(&p.src, b, sizeof(b)), "ifname",
			      iif->ifname, "value", val, "why", why, NULL);
		}
	}

	p.oif = ol->ifname;
	if (!run_hook(w, ns, NF_HOOK_FORWARD, &p, &stop) && stop)
		return W_STOP;
	return ns_egress(w, ns, ol, &gw, p);
}

/* ---- entry points ---- */

static void set_verdict(struct walk *w, enum walk_end fwd)
{
	struct path_result *r = w->r;
	char a[64], b[64];

	if (r->n_causes) {
		const struct diag_code *dc = diag_code(r->causes[0].id);

		if (r->causes[0].reply || dc->outcome == DIAG_OUT_NO_REPLY)
			r->verdict = PATH_NO_REPLY;
		else if (dc->outcome == DIAG_OUT_DROPPED)
			r->verdict = PATH_DROPPED;
		else
			r->verdict = PATH_UNREACHABLE;
	} else if (fwd == W_LOCAL) {
		r->verdict = PATH_REACHED;
	} else {
		r->verdict = PATH_UNDETERMINED;
	}
	if (r->left_host)
		r->summary = nm_xasprintf("leaves the host via %s as %s -> %s", r->leave_ifname,
					  ipstr(&r->leave_src, a, sizeof(a)),
					  ipstr(&r->dst, b, sizeof(b)));
	if (fwd == W_LOCAL && r->reached) {
		char *o = r->summary;

		r->summary = nm_xasprintf("%s%sreaches %s in %s (simulated)", o ? o : "", o ? "; " : "",
					  ipstr(&w->reached_dst, a, sizeof(a)), r->reached_netns);
		free(o);
	}
	if (r->n_causes) {
		char *o = r->summary;

		r->summary = nm_xasprintf("%s%s%s: %s", o ? o : "", o ? "; " : "", r->causes[0].code,
					  r->causes[0].message);
		free(o);
	}
	if (!r->summary)
		r->summary = nm_xstrdup("leaves the snapshot");
}

int path_walk(const struct nm_snapshot *s, const struct path_query *q, struct path_result **out)
{
	struct walk w = { .s = s, .q = q };
	struct nf_pkt p = { 0 };
	enum walk_end e;
	struct path_result *r;

	*out = NULL;
	if (!s || !q || !q->src_ns || !q->dst.family)
		return -EINVAL;
	r = nm_xcalloc(1, sizeof(*r));
	w.r = r;
	r->src_label = nm_xstrdup(q->src_ns->label ? q->src_ns->label : q->src_ns->id);
	r->dst = q->dst;
	r->proto = q->proto ? q->proto : PATH_PROTO_ICMP;
	p.src = q->src;
	p.dst = q->dst;
	p.proto = r->proto;
	if (p.proto == PATH_PROTO_TCP || p.proto == PATH_PROTO_UDP) {
		p.sport = q->sport ? q->sport : 40000;
		p.dport = q->dport ? q->dport : (p.proto == PATH_PROTO_TCP ? 80 : 53);
	}
	r->sport = p.sport;
	r->dport = p.dport;
	p.ct_state = NF_CT_NEW;

	e = ns_output(&w, q->src_ns, p);
	if (r->n_hops) {
		/* the source as selected */
		r->src = r->hops[0].src;
	}
	if (e == W_LOCAL) {
		r->reached = true;
		r->reached_netns = nm_xstrdup(w.end_ns->label);
		w.reached_dst = w.end_pkt.dst;
	}
	if (e == W_LOCAL || e == W_LEFT) {
		struct nf_pkt rp = { 0 };
		const struct nm_netns *fin;
		enum walk_end re;

		rp.src = w.end_pkt.dst;
		rp.dst = w.end_pkt.src;
		rp.proto = w.end_pkt.proto;
		rp.sport = w.end_pkt.dport;
		rp.dport = w.end_pkt.sport;
		rp.ct_state = NF_CT_ESTABLISHED;
		rp.reply = true;
		w.reply = true;
		w.last_ns = NULL;
		if (e == W_LOCAL)
			re = ns_output(&w, w.end_ns, rp);
		else
			re = ns_input(&w, w.end_ns, w.end_link, rp);
		r->reply_checked = true;
		fin = w.end_ns;
		/* no source address yet (an assumed fix supplied it): the namespace is what counts */
		if (re == W_LOCAL && fin == q->src_ns &&
		    (!r->src.family || nm_ip_equal(&w.end_pkt.dst, &r->src))) {
			r->reply_ok = true;
		} else if (re == W_LOCAL) {
			char a1[64];

			nm_warn(&r->notes, &r->n_notes, "the reply is delivered to %s in %s, not to the source",
				ipstr(&w.end_pkt.dst, a1, sizeof(a1)), fin ? fin->label : "?");
			if (!r->n_causes)
				cause(&w, DIAG_UPSTREAM_NO_REPLY, fin, "reply delivered elsewhere", "ifname",
				      r->leave_ifname ? r->leave_ifname : "?", "why",
				      "the reply does not come back to the source", NULL);
		}
		if (e == W_LEFT && re == W_LEFT && !r->n_causes)
			nm_warn(&r->notes, &r->n_notes, "the reply leaves the snapshot");
		w.end_ns = NULL;
	}
	set_verdict(&w, e);
	free(w.ct);
	*out = r;
	return 0;
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
	}
	free(r->hops);
	for (i = 0; i < r->n_causes; i++)
		diag_cause_clear(&r->causes[i]);
	free(r->causes);
	for (i = 0; i < r->n_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->summary);
	free(r->src_label);
	free(r->leave_ifname);
	free(r->leave_netns);
	free(r->reached_netns);
	free(r);
}
