/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.c - what the hop table says: reached only when the reply came home, else where the probe was last seen, with the simulation's causes and the capture's evidence for them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

static void copy_causes(struct trace_result *r)
{
	size_t i;

	for (i = 0; r->sim && i < r->sim->n_causes; i++) {
		const struct diag_cause *c = &r->sim->causes[i];
		struct diag_cause *d = NM_PUSH(r->causes, r->n_causes);

		d->id = c->id;
		d->code = c->code;
		d->netns = nm_xstrdup(c->netns ? c->netns : "");
		d->message = nm_xstrdup(c->message ? c->message : "");
		d->evidence = nm_xstrdup(c->evidence ? c->evidence : "");
		d->fix = nm_xstrdup(c->fix ? c->fix : "");
		d->reply = c->reply;
		d->check = c->check;
		d->check_note = c->check_note ? nm_xstrdup(c->check_note) : NULL;
		d->hop = 0;	/* simulated hop numbers do not apply to the live table */
	}
}

static char *hop_str(const struct trace_hop *h)
{
	char t[160];

	return nm_xasprintf("%s %s %s (%s)%s", h->netns, h->ifname, h->direction,
			    trace_tuple_str(&h->t, t, sizeof(t)), h->reply ? " reply" : "");
}

/* The landmarks of the hop table: the last hop seen and the first expected after it (in r),
 * the reply coming in in the source namespace (*home) and the probe leaving the host on the
 * simulation's uplink (*left). */
static void landmarks(struct trace_result *r, const struct trace_hop **home,
		      const struct trace_hop **left)
{
	const struct path_result *sim = r->sim;
	size_t i;

	*home = *left = NULL;
	r->last_seen = r->next_expected = -1;
	for (i = 0; i < r->n_hops; i++) {
		const struct trace_hop *h = &r->hops[i];

		if (!h->observed)
			continue;
		r->last_seen = (int)i;
		if (h->reply && !strcmp(h->netns, r->src_label) && !strcmp(h->direction, "in") && !*home)
			*home = h;
		if (!h->reply && sim && sim->left_host && sim->leave_ifname && sim->leave_netns &&
		    !strcmp(h->netns, sim->leave_netns) && !strcmp(h->ifname, sim->leave_ifname) &&
		    !strcmp(h->direction, "out"))
			*left = h;
	}
	if (r->last_seen >= 0)
		for (i = (size_t)r->last_seen + 1; i < r->n_hops; i++)
			if (!r->hops[i].observed) {
				r->next_expected = (int)i;
				break;
			}
}

/* Something came back to the source: the reply (reached), or an ICMP error from on the way. */
static void came_home(struct trace_result *r, const struct trace_hop *home)
{
	const struct trace_family *f = r->ident.fam;
	bool error = home->icmp_type == f->icmp_unreach || home->icmp_type == f->icmp_time_exceeded;
	char a[64];

	if (r->delivery_checked && r->delivered == 0) {
		/* seen on the interface, never delivered: the source's own rules dropped it */
		r->verdict = PATH_NO_REPLY;
		r->summary = nm_xasprintf("the %s came back to %s:%s after %.3f ms but the probe's "
					  "socket never got it: %s dropped it on the way in (PREROUTING "
					  "or INPUT)", error ? "ICMP error" : "reply", home->netns,
					  home->ifname, home->time_ms, home->netns);
		copy_causes(r);
		return;
	}
	if (error && home->icmp_type == f->icmp_unreach && nm_ip_equal(&home->t.src, &r->ident.orig.dst) &&
	    !(r->ident.orig.proto == PATH_PROTO_UDP && home->icmp_code == (f->af == AF_INET ? 3 : 4))) {
		/* only a UDP probe is answered by port unreachable; anything else is a REJECT */
		r->verdict = PATH_DROPPED;
		r->summary = nm_xasprintf("the destination %s rejected the probe: ICMP destination "
					  "unreachable (code %u) came back to %s:%s after %.3f ms",
					  nm_ip_str(&home->t.src, a, sizeof(a), false), home->icmp_code,
					  home->netns, home->ifname, home->time_ms);
		copy_causes(r);
		return;
	}
	if (error && !nm_ip_equal(&home->t.src, &r->ident.orig.dst)) {
		r->verdict = PATH_UNREACHABLE;
		r->summary = nm_xasprintf("ICMP %s (code %u) from %s came back to %s:%s after %.3f ms",
			home->icmp_type == f->icmp_unreach ? "destination unreachable" : "time exceeded",
			home->icmp_code, nm_ip_str(&home->t.src, a, sizeof(a), false),
			home->netns, home->ifname, home->time_ms);
		copy_causes(r);
		return;
	}
	r->verdict = PATH_REACHED;
	r->summary = nm_xasprintf("the reply came back to %s:%s after %.3f ms%s", home->netns,
		home->ifname, home->time_ms,
		error ? " (the destination answered port unreachable)" :
		(home->t.proto == PATH_PROTO_TCP && (home->tcp_flags & 0x04)) ?
		" (the destination answered with a reset: port closed)" : "");
}

static void send_failed(struct trace_result *r)
{
	const struct path_result *sim = r->sim;

	r->summary = nm_xasprintf("the probe could not be sent from %s: %s", r->src_label,
				  strerror(-r->send_error));
	r->verdict = r->send_error == -ENETUNREACH || r->send_error == -EHOSTUNREACH ?
		     PATH_UNREACHABLE : PATH_UNDETERMINED;
	if (sim && (sim->verdict == PATH_DROPPED || sim->verdict == PATH_UNREACHABLE))
		r->verdict = sim->verdict;
}

/* "last seen: ... ; next expected: ..." */
static char *lost_summary(const struct trace_result *r)
{
	const struct trace_hop *last, *nx;
	char *ls, *sum;

	if (r->last_seen < 0)
		return nm_xasprintf("the probe was not seen on any interface within %g s", r->timeout);
	last = &r->hops[r->last_seen];
	ls = hop_str(last);
	if (r->next_expected >= 0) {
		nx = &r->hops[r->next_expected];
		sum = nm_xasprintf("last seen: %s at +%.3f ms; next expected: %s %s %s%s", ls,
				   last->time_ms, nx->netns, nx->ifname, nx->direction,
				   nx->reply ? " (reply)" : "");
	} else {
		sum = nm_xasprintf("last seen: %s at +%.3f ms; no reply within %g s", ls,
				   last->time_ms, r->timeout);
	}
	free(ls);
	return sum;
}

/* What the capture saw on the uplink: its evidence for the simulation's NO_SNAT, or with no
 * cause at all, the probe gone upstream with nothing back. */
static void uplink_evidence(struct trace_result *r, const struct trace_hop *left)
{
	struct diag_kv kv[2];
	char a[64], t[160], *why, *ev;
	size_t i;

	for (i = 0; i < r->n_causes; i++) {
		struct diag_cause *c = &r->causes[i];

		if (c->id != DIAG_NO_SNAT || !path_ip_private(&left->t.src))
			continue;
		ev = nm_xasprintf("%s%scaptured: %s %s out with source %s at +%.3f ms", c->evidence,
				  *c->evidence ? "; " : "", left->netns, left->ifname,
				  nm_ip_str(&left->t.src, a, sizeof(a), false), left->time_ms);
		free(c->evidence);
		c->evidence = ev;
	}
	if (r->n_causes || path_ip_private(&left->t.src))
		return;
	why = nm_xasprintf("the probe left as %s and no reply came back within %g s",
			   trace_tuple_str(&left->t, t, sizeof(t)), r->timeout);
	ev = nm_xasprintf("captured: %s %s out at +%.3f ms, nothing back on it", left->netns,
			  left->ifname, left->time_ms);
	kv[0] = (struct diag_kv){ "ifname", left->ifname };
	kv[1] = (struct diag_kv){ "why", why };
	diag_add(&r->causes, &r->n_causes, DIAG_UPSTREAM_NO_REPLY, left->netns, ev, kv, 2);
	free(why);
	free(ev);
}

void trace_conclude(struct trace_result *r)
{
	const struct path_result *sim = r->sim;
	const struct trace_hop *home, *left;

	landmarks(r, &home, &left);
	if (home) {
		came_home(r, home);
		return;
	}
	copy_causes(r);
	if (r->send_error) {
		send_failed(r);
		return;
	}
	r->summary = lost_summary(r);
	if (left)
		uplink_evidence(r, left);
	if (sim && (sim->verdict == PATH_DROPPED || sim->verdict == PATH_UNREACHABLE ||
		    sim->verdict == PATH_NO_REPLY))
		r->verdict = sim->verdict;
	else if (left || (r->last_seen >= 0 && r->hops[r->last_seen].reply))
		r->verdict = PATH_NO_REPLY;
	else
		r->verdict = PATH_UNDETERMINED;
	if (!r->n_causes)
		nm_warn(&r->notes, &r->n_notes, "the simulation finds no cause on this host for the loss");
}

size_t trace_add_evidence(struct trace_result *r, size_t pick, char *what)
{
	char *ev;

	if (!pick && r->n_causes)
		pick = 1;	/* no cause in that namespace: the first cause is the one explained */
	if (!pick) {
		nm_warn(&r->notes, &r->n_notes, "%s", what);
		free(what);
		return 0;
	}
	ev = nm_xasprintf("%s%s%s", r->causes[pick - 1].evidence,
			  *r->causes[pick - 1].evidence ? "; " : "", what);
	free(r->causes[pick - 1].evidence);
	r->causes[pick - 1].evidence = ev;
	free(what);
	return pick;
}
