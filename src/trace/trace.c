/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace.c - the live trace: open the probe, the captures and the optional nft trace and drop monitor on the simulated path, send, watch, read conntrack, then correlate and conclude. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

/* The namespaces to listen in: the source first, every namespace of the simulated path, and
 * the far side of every veth the path uses. */
static size_t pick_namespaces(const struct nm_snapshot *s, const struct nm_netns *src,
			      const struct path_result *sim, struct trace_nsinfo **out)
{
	struct trace_nsinfo *v = NULL;
	size_t n = 0, i, k;

	NM_PUSH(v, n)->ns = src;
	for (i = 0; sim && i < sim->n_hops; i++) {
		const struct path_hop *h = &sim->hops[i];
		const struct nm_netns *cand[2] = { nm_find_netns(s, h->netns_id), NULL };
		const struct nm_link *l = cand[0] && h->ifname ? nm_find_link(cand[0], h->ifname) : NULL;
		size_t c;

		if (l && l->peer.resolved && l->peer.netns)
			cand[1] = nm_find_netns(s, l->peer.netns);
		for (c = 0; c < 2; c++) {
			if (!cand[c])
				continue;
			for (k = 0; k < n && v[k].ns != cand[c]; k++)
				;
			if (k == n && n < 32)
				NM_PUSH(v, n)->ns = cand[c];
		}
	}
	*out = v;
	return n;
}

/* The reply is home: captured coming in in the source namespace (handle 0). */
static bool reply_home(const struct trace_cap *cap, void *arg)
{
	const struct trace_ident *id = arg;
	bool reply;

	return cap->ns == 0 && cap->pkt.pkttype != TRACE_PKT_OUTGOING &&
	       trace_match(id, &cap->pkt, &reply) && reply;
}

static bool ct_same_proto(const struct trace_ct *ct, void *arg)
{
	const struct trace_ident *id = arg;

	return ct->orig.proto == id->orig.proto;
}

/* Follow the probe through every conntrack entry whose original tuple is a known form: the
 * reply tuple, turned around, is the form after that namespace's NAT. The entries it takes
 * move to r->cts (and are zeroed in all). */
static void follow_conntrack(struct trace_result *r, struct trace_ct *all, size_t n_all)
{
	bool *used = nm_xcalloc(n_all ? n_all : 1, sizeof(*used));
	bool changed = true;
	size_t i;

	while (changed) {
		changed = false;
		for (i = 0; i < n_all; i++) {
			struct trace_tuple rev;

			if (used[i] || !trace_ident_knows(&r->ident, &all[i].orig))
				continue;
			used[i] = true;
			changed = true;
			trace_tuple_reverse(&all[i].reply, &rev);
			trace_ident_add_form(&r->ident, &rev);
			*NM_PUSH(r->cts, r->n_cts) = all[i];
			memset(&all[i], 0, sizeof(all[i]));
		}
	}
	free(used);
}

/* The forms the simulation's NAT steps predict, in the orig direction. */
static void sim_forms(struct trace_result *r)
{
	size_t i;

	for (i = 0; r->sim && i < r->sim->n_hops; i++) {
		const struct path_hop *h = &r->sim->hops[i];
		struct trace_tuple t, rev;

		if (h->kind != PATH_HOP_NAT)
			continue;
		trace_tuple_of_hop(r, h, &t);
		if (h->reply) {
			trace_tuple_reverse(&t, &rev);
			trace_ident_add_form(&r->ident, &rev);
		} else {
			trace_ident_add_form(&r->ident, &t);
		}
	}
}

/* Everything a run holds open. */
struct run {
	const struct trace_family *fam;
	struct trace_result *r;
	struct trace_nsinfo *nss;
	size_t n_ns;
	struct trace_probe pr;
	struct trace_capture *cap;
	struct trace_nft *nft;
	struct trace_dropmon *dm;
};

/* --drop-reason: the tracefs instance, watching the interfaces of the simulated path. */
static void start_drop(struct run *x)
{
	const struct path_result *sim = x->r->sim;
	const char *names[64];
	size_t n = 0, i, k;
	char why[256];

	x->r->drop_asked = true;
	for (i = 0; sim && i < sim->n_hops && n < 64; i++) {
		const char *nm = sim->hops[i].ifname;

		if (!nm || !*nm || strchr(nm, '"'))
			continue;
		for (k = 0; k < n && strcmp(names[k], nm); k++)
			;
		if (k == n)
			names[n++] = nm;
	}
	if (trace_drop_open(&x->dm, x->fam, names, n, why, sizeof(why)) < 0) {
		x->r->drop_unavailable = nm_xstrdup(why);
		nm_warn(&x->r->notes, &x->r->n_notes, "--drop-reason: %s; continuing without kernel "
			"drop reasons", why);
	}
}

/* The probe's socket, its identity, the captures and what the options add, before anything
 * is sent. */
static int run_open(struct run *x, const struct nm_snapshot *s, const struct path_query *q,
		    const struct trace_opts *o)
{
	struct trace_result *r = x->r;
	const struct path_result *sim = r->sim;
	char *filter;
	int ret;

	x->n_ns = pick_namespaces(s, q->src_ns, sim, &x->nss);
	ret = trace_probe_open(x->fam, q->src_ns, q, sim ? &sim->src : &q->src, &x->pr);
	if (ret < 0)
		return ret;
	r->ident.fam = x->fam;
	r->ident.orig = x->pr.t;
	memcpy(r->ident.cookie, x->pr.cookie, TRACE_COOKIE_LEN);
	r->ident.has_cookie = x->pr.t.proto != PATH_PROTO_TCP;
	sim_forms(r);
	filter = trace_bpf_filter(&r->ident);
	ret = trace_capture_open(&x->cap, x->nss, x->n_ns, filter, &r->notes, &r->n_notes);
	free(filter);
	if (ret < 0)
		return ret;
	if (o && o->drop_reason)
		start_drop(x);
	if (o && o->nft_trace &&
	    trace_nft_start(&x->nft, x->nss, x->n_ns, &r->ident, &r->notes, &r->n_notes) < 0)
		nm_warn(&r->notes, &r->n_notes, "--nft-trace: no namespace could be traced");
	return o && o->stop && *o->stop ? -EINTR : 0;
}

/* Send, and capture until the reply is home or the timeout. */
static int run_watch(struct run *x, const struct trace_opts *o)
{
	struct trace_result *r = x->r;
	struct trace_probe *pr = &x->pr;

	r->send_error = trace_probe_send(pr);
	r->ident.orig = pr->t;	/* TCP learns its source address at connect time */
	return trace_capture_loop(x->cap, pr->sent ? pr->sent_ms + r->timeout * 1e3 :
				  trace_now_ms() + 100, reply_home, &r->ident, o ? o->stop : NULL);
}

/* What the kernel kept (conntrack right after the capture, while the probe's entries are
 * fresh; the nft trace events; the drops), then the hops. */
static void run_collect(struct run *x, const struct nm_snapshot *s)
{
	struct trace_result *r = x->r;
	struct trace_ct *all = NULL;
	struct trace_cap *caps;
	const struct trace_cap *got;
	size_t n_all = 0, n_caps = 0, i;

	for (i = 0; i < x->n_ns; i++)
		if (trace_ct_dump(x->nss[i].ns, x->fam, &all, &n_all, ct_same_proto, &r->ident) ==
		    -EPERM)
			break;
	follow_conntrack(r, all, n_all);
	NM_FREE_ARRAY(all, n_all, trace_ct_clear);
	trace_nft_read(x->nft, &r->notes, &r->n_notes);
	trace_drop_read(x->dm);

	if (x->pr.sent) {
		/* "reached" is what the probe's socket got, not only what the capture saw */
		r->delivered = trace_probe_delivered(&x->pr, 50);
		r->delivery_checked = true;
	}
	got = trace_capture_packets(x->cap, &n_caps);
	caps = nm_xcalloc(n_caps ? n_caps : 1, sizeof(*caps));
	for (i = 0; i < n_caps; i++) {
		caps[i] = got[i];
		caps[i].time_ms -= x->pr.sent ? x->pr.sent_ms : 0;
	}
	trace_build(r, s, x->nss, x->n_ns, caps, n_caps);
	free(caps);
	if (x->nft) {
		const struct trace_nft_event *ev;
		size_t n_ev;

		ev = trace_nft_events(x->nft, &n_ev);
		trace_nft_attach(r, x->nss, x->n_ns, ev, n_ev);
	}
	if (x->dm && x->pr.sent)
		trace_drop_attach(r, x->dm, x->pr.sent_ms);
}

/* Remove the tables and the tracefs instance, close the captures and the probe. */
static void run_close(struct run *x, unsigned int *pcap_drops)
{
	trace_nft_stop(x->nft);
	trace_drop_close(x->dm);
	trace_capture_close(x->cap, pcap_drops);
	trace_probe_close(&x->pr);
	free(x->nss);
}

int trace_run(const struct nm_snapshot *s, const struct path_query *q, const struct path_result *sim,
	      const struct trace_opts *o, struct trace_result **out)
{
	struct run x = { .fam = trace_family_find(TRACE_BY_AF, q->dst.family) };
	struct trace_result *r;
	int ret;

	*out = NULL;
	if (!x.fam)
		return -EAFNOSUPPORT;
	r = x.r = nm_xcalloc(1, sizeof(*r));
	r->sim = sim;
	r->src_label = nm_xstrdup(trace_ns_label(q->src_ns));
	r->timeout = o && o->timeout > 0 ? o->timeout : 2.0;
	x.pr.fd = -1;
	ret = run_open(&x, s, q, o);
	if (!ret)
		ret = run_watch(&x, o);
	if (ret < 0) {
		run_close(&x, NULL);
		trace_result_free(r);
		return ret;
	}
	run_collect(&x, s);
	run_close(&x, &r->pcap_drops);
	if (r->pcap_drops)
		nm_warn(&r->notes, &r->n_notes, "the capture dropped %u packets", r->pcap_drops);
	*out = r;
	return 0;
}

static void hop_clear(struct trace_hop *h)
{
	free(h->netns);
	free(h->netns_id);
	free(h->ifname);
	free(h->nat_rule);
	free(h->nat_ct);
	NM_FREE_ARRAY(h->rules, h->n_rules, trace_rule_clear);
}

void trace_result_free(struct trace_result *r)
{
	if (!r)
		return;
	free(r->summary);
	free(r->src_label);
	free(r->ident.forms);
	NM_FREE_ARRAY(r->hops, r->n_hops, hop_clear);
	NM_FREE_ARRAY(r->causes, r->n_causes, diag_cause_clear);
	NM_FREE_ARRAY(r->cts, r->n_cts, trace_ct_clear);
	nm_strv_free(r->notes, r->n_notes);
	free(r->nft_drop_netns);
	trace_rule_clear(&r->nft_drop);
	free(r->drop_unavailable);
	trace_kdrop_free(r->kdrop);
	free(r);
}

int trace_exit_code(const struct trace_result *r)
{
	return r->verdict == PATH_REACHED ? 0 : 3;
}
