/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print.c - a live trace as a hop table with the translations where they happen (text) and as nstrace's JSON contract. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "trace_int.h"

/* The probe's protocol: icmp, udp or tcp. */
static const char *proto_name(uint8_t p)
{
	return nm_proto_name(p) ? nm_proto_name(p) : "?";
}

static void pair(char *buf, size_t len, const struct trace_tuple *t)
{
	char a[64], b[64];

	nm_ip_str(&t->src, a, sizeof(a), false);
	nm_ip_str(&t->dst, b, sizeof(b), false);
	if (t->proto == PATH_PROTO_TCP || t->proto == PATH_PROTO_UDP)
		snprintf(buf, len, "%s:%u -> %s:%u", a, t->sport, b, t->dport);
	else
		snprintf(buf, len, "%s -> %s", a, b);
}

/* The ICMP message of fam a hop carried. */
static void icmp_what(char *buf, size_t len, const struct trace_family *fam,
		      const struct trace_hop *h)
{
	if (h->icmp_type == fam->echo_request)
		snprintf(buf, len, "echo request id %u", h->t.sport);
	else if (h->icmp_type == fam->echo_reply)
		snprintf(buf, len, "echo reply id %u", h->t.sport);
	else if (h->icmp_type == fam->icmp_unreach)
		snprintf(buf, len, "unreachable code %u", h->icmp_code);
	else if (h->icmp_type == fam->icmp_time_exceeded)
		snprintf(buf, len, "time exceeded");
	else
		snprintf(buf, len, "icmp type %u", h->icmp_type);
}

static const char *what(const struct trace_result *r, const struct trace_hop *h, char *buf,
			size_t len)
{
	if (!h->observed) {
		snprintf(buf, len, "(%s)", h->status ? h->status : "missing");
		return buf;
	}
	buf[0] = 0;
	if (trace_is_icmp(h->t.proto)) {
		icmp_what(buf, len, r->ident.fam, h);
	} else if (h->t.proto == PATH_PROTO_TCP) {
		static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK" };
		size_t i;

		for (i = 0; i < 5; i++)
			if (h->tcp_flags & (1u << i))
				snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "",
					 names[i]);
	} else if (h->t.proto == PATH_PROTO_UDP) {
		snprintf(buf, len, "udp");
	}
	if (!h->predicted)
		snprintf(buf + strlen(buf), len - strlen(buf), " (not predicted)");
	return buf;
}

/* "SNAT 10.0.0.1 → 198.51.100.10": the part of the tuple that changed. */
static void nat_line(char *buf, size_t len, const struct trace_hop *h)
{
	char a[64], b[64];
	const struct nm_ip *o, *n;
	uint16_t op, np;
	bool src = !strcmp(h->nat_kind, "SNAT") || !strcmp(h->nat_kind, "un-DNAT");

	o = src ? &h->old.src : &h->old.dst;
	n = src ? &h->t.src : &h->t.dst;
	op = src ? h->old.sport : h->old.dport;
	np = src ? h->t.sport : h->t.dport;
	nm_ip_str(o, a, sizeof(a), false);
	nm_ip_str(n, b, sizeof(b), false);
	if (!trace_is_icmp(h->t.proto) && op != np)
		snprintf(buf, len, "%s %s:%u \u2192 %s:%u", h->nat_kind, a, op, b, np);
	else if (strchr(h->nat_kind, '+')) {
		char c[160], d[160];

		pair(c, sizeof(c), &h->old);
		pair(d, sizeof(d), &h->t);
		snprintf(buf, len, "%s %s \u2192 %s", h->nat_kind, c, d);
	} else
		snprintf(buf, len, "%s %s \u2192 %s", h->nat_kind, a, b);
}

/* "nft ip filter FORWARD (forward) policy drop", "nft ip nat POSTROUTING rule 4 -> accept: -A ..." */
static void rule_line(FILE *f, const char *indent, const struct trace_rule *t)
{
	fprintf(f, "%snft %s %s %s", indent, t->family, t->table, t->chain);
	if (t->hook)
		fprintf(f, " (%s)", t->hook);
	if (!strcmp(t->kind, "policy"))
		fprintf(f, " policy %s", t->verdict);
	else if (!strcmp(t->kind, "return"))
		fprintf(f, " return");
	else
		fprintf(f, " rule %llu -> %s%s%s", (unsigned long long)t->handle, t->verdict,
			t->target ? " " : "", t->target ? t->target : "");
	if (t->text)
		fprintf(f, ": %s", t->text);
	fputc('\n', f);
}

static char *kdrop_str(const struct trace_kdrop *k)
{
	return nm_xasprintf("%s at %s, +%.3f ms%s%s%s%s (correlated by %s; kernel evidence)",
			    k->reason, k->location, k->time_ms, k->netns ? ", skb last seen on " : "",
			    k->netns ? k->netns : "", k->netns ? ":" : "", k->ifname ? k->ifname : "",
			    k->correlation);
}

void trace_print_text(FILE *f, const struct trace_result *r)
{
	char a[64], b[64], p[160], w[64], nl[256];
	bool reply = false;
	size_t i;

	fprintf(f, "nstrace: live %s %s -> %s from %s, %s %u, timeout %g s\n\n",
		proto_name(r->ident.orig.proto), nm_ip_str(&r->ident.orig.src, a, sizeof(a), false),
		nm_ip_str(&r->ident.orig.dst, b, sizeof(b), false), r->src_label,
		trace_is_icmp(r->ident.orig.proto) ? "icmp id" : "source port",
		r->ident.orig.sport, r->timeout);
	fprintf(f, "%-4s %-10s %-14s %-12s %-4s %-40s %s\n", "hop", "time", "namespace", "interface",
		"dir", "packet", "seen");
	for (i = 0; i < r->n_hops; i++) {
		const struct trace_hop *h = &r->hops[i];
		char tm[32];

		if (h->reply && !reply) {
			fprintf(f, "  -- reply --\n");
			reply = true;
		}
		if (h->observed)
			snprintf(tm, sizeof(tm), "+%.3fms", h->time_ms);
		else
			snprintf(tm, sizeof(tm), "-");
		pair(p, sizeof(p), &h->t);
		fprintf(f, "%-4d %-10s %-14s %-12s %-4s %-40s %s\n", h->n, tm, h->netns, h->ifname,
			h->direction, p, what(r, h, w, sizeof(w)));
		if (h->nat) {
			nat_line(nl, sizeof(nl), h);
			fprintf(f, "     %s%s%s\n", nl, h->nat_rule ? " by " : "",
				h->nat_rule ? h->nat_rule : "");
			if (h->nat_ct)
				fprintf(f, "     conntrack: %s\n", h->nat_ct);
		}
		for (size_t k = 0; k < h->n_rules; k++)
			rule_line(f, "     ", &h->rules[k]);
	}
	if (!r->n_hops)
		fprintf(f, "(no hop)\n");
	fprintf(f, "\nverdict: %s - %s\n", path_verdict_name(r->verdict), r->summary ? r->summary : "");
	if (r->sim)
		fprintf(f, "simulation: %s - %s\n", path_verdict_name(r->sim->verdict),
			r->sim->summary ? r->sim->summary : "");
	if (r->nft_trace) {
		if (r->nft_drop_netns) {
			fprintf(f, "nft trace: dropped in %s by ", r->nft_drop_netns);
			rule_line(f, "", &r->nft_drop);
		} else {
			fprintf(f, "nft trace: %u events of the probe, no rule or policy dropped it\n",
				r->nft_events);
		}
	}
	if (r->drop_asked && !r->drop_unavailable) {
		if (r->kdrop) {
			char *k = kdrop_str(r->kdrop);

			fprintf(f, "kernel drop reason: %s\n", k);
			free(k);
		} else {
			fprintf(f, "kernel drop reason: none seen for the probe\n");
		}
	}
	path_print_diagnosis(f, r->causes, r->n_causes, r->notes, r->n_notes);
}

/* Round to a microsecond (no libm). */
static double round_us(double ms)
{
	double us = ms * 1e3;

	return (double)(long long)(us < 0 ? us - 0.5 : us + 0.5) / 1e3;
}

/* Set each key and value (a NULL key ends the list) on o as json_object_set_new() does: in
 * order, and a NULL value leaves its key out. */
static void obj_set(json_t *o, ...)
{
	const char *k;
	va_list ap;

	va_start(ap, o);
	while ((k = va_arg(ap, const char *)))
		json_object_set_new(o, k, va_arg(ap, json_t *));
	va_end(ap);
}

static json_t *ip_json(const struct nm_ip *ip)
{
	char a[64];

	if (!ip->family)
		return json_null();
	return json_string(nm_ip_str(ip, a, sizeof(a), false));
}

static json_t *rule_json(const struct trace_rule *t)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:o, s:b}",
		"family", t->family, "table", t->table, "chain", t->chain,
		"hook", t->hook ? json_string(t->hook) : json_null(), "type", t->kind,
		"handle", t->handle ? json_integer((json_int_t)t->handle) : json_null(),
		"verdict", t->verdict, "target", t->target ? json_string(t->target) : json_null(),
		"rule", t->text ? json_string(t->text) : json_null(), "decisive", t->decisive);

	return o;
}

static json_t *drop_json(const struct trace_result *r)
{
	const struct trace_kdrop *k = r->kdrop;

	if (!r->drop_asked)
		return json_null();
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
		"available", !r->drop_unavailable,
		"why", r->drop_unavailable ? json_string(r->drop_unavailable) : json_null(),
		"reason", k ? json_string(k->reason) : json_null(),
		"location", k ? json_string(k->location) : json_null(),
		"netns", k && k->netns ? json_string(k->netns) : json_null(),
		"ifname", k && k->ifname ? json_string(k->ifname) : json_null(),
		"time_ms", k ? json_real(round_us(k->time_ms)) : json_null(),
		"correlation", k ? json_string(k->correlation) : json_null(),
		"evidence", "kernel");
}

static json_t *hop_ref(const struct trace_result *r, int i)
{
	const struct trace_hop *h;

	if (i < 0 || (size_t)i >= r->n_hops)
		return json_null();
	h = &r->hops[i];
	return json_pack("{s:i, s:s, s:s, s:s, s:b}", "n", h->n, "netns", h->netns, "ifname",
			 h->ifname, "direction", h->direction, "reply", h->reply);
}

static json_t *probe_json(const struct trace_result *r)
{
	const struct trace_tuple *t = &r->ident.orig;
	char cookie[2 * TRACE_COOKIE_LEN + 1];
	json_t *probe;
	size_t i;

	for (i = 0; i < TRACE_COOKIE_LEN; i++)
		snprintf(cookie + 2 * i, 3, "%02x", r->ident.cookie[i]);
	if (trace_is_icmp(t->proto))
		probe = json_pack("{s:i}", "icmp_id", t->sport);
	else
		probe = json_pack("{s:i, s:i}", "sport", t->sport, "dport", t->dport);
	obj_set(probe, "cookie", json_string(t->proto == PATH_PROTO_TCP ? "" : cookie),
		"sent", json_boolean(!r->send_error),
		"error", r->send_error ? json_string(strerror(-r->send_error)) : json_null(), NULL);
	return probe;
}

static json_t *nat_json(const struct trace_hop *h)
{
	json_t *nj;

	if (!h->nat)
		return json_null();
	nj = json_pack("{s:s, s:o, s:o, s:o, s:o, s:s?, s:s?}", "kind", h->nat_kind,
		       "old_src", ip_json(&h->old.src), "old_dst", ip_json(&h->old.dst),
		       "new_src", ip_json(&h->t.src), "new_dst", ip_json(&h->t.dst),
		       "rule", h->nat_rule, "conntrack", h->nat_ct);
	if (!trace_is_icmp(h->t.proto))
		obj_set(nj, "old_sport", json_integer(h->old.sport),
			"old_dport", json_integer(h->old.dport),
			"new_sport", json_integer(h->t.sport),
			"new_dport", json_integer(h->t.dport), NULL);
	return nj;
}

static json_t *hop_json(const struct trace_result *r, const struct trace_hop *h)
{
	json_t *hj = json_object();

	obj_set(hj, "n", json_integer(h->n), "reply", json_boolean(h->reply),
		"netns", json_string(h->netns), "netns_id", json_string(h->netns_id),
		"ifname", json_string(h->ifname), "direction", json_string(h->direction),
		"proto", json_string(proto_name(h->t.proto)),
		"src", ip_json(&h->t.src), "dst", ip_json(&h->t.dst), NULL);
	if (trace_is_icmp(h->t.proto)) {
		obj_set(hj, "icmp_id", json_integer(h->t.sport), NULL);
		if (h->observed)
			obj_set(hj, "icmp_type", json_integer(h->icmp_type), NULL);
	} else {
		obj_set(hj, "sport", json_integer(h->t.sport), "dport", json_integer(h->t.dport),
			NULL);
		if (h->observed && h->t.proto == PATH_PROTO_TCP)
			obj_set(hj, "tcp_flags", json_integer(h->tcp_flags), NULL);
	}
	/* Microseconds are what the timestamps resolve (times are CLOCK_REALTIME doubles). */
	obj_set(hj, "observed", json_boolean(h->observed),
		"status", json_string(h->observed ? "observed" : h->status),
		"predicted", json_boolean(h->predicted),
		"time", h->observed ? json_real(round_us(h->time_ms) / 1e3) : json_null(),
		"time_ms", h->observed ? json_real(round_us(h->time_ms)) : json_null(),
		"nat", nat_json(h), NULL);
	if (r->nft_trace) {
		json_t *rules = json_array();
		size_t k;

		for (k = 0; k < h->n_rules; k++)
			json_array_append_new(rules, rule_json(&h->rules[k]));
		obj_set(hj, "rules", rules, NULL);
	}
	return hj;
}

/* The rule that dropped the probe, with its namespace. */
static json_t *nft_drop_json(const struct trace_result *r)
{
	json_t *nj = rule_json(&r->nft_drop);

	json_object_set_new(nj, "netns", json_string(r->nft_drop_netns));
	return nj;
}

static json_t *cause_json(const struct trace_result *r, size_t i)
{
	const struct diag_cause *c = &r->causes[i];
	json_t *dj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i}",
		"code", c->code, "netns", c->netns, "message", c->message,
		"evidence", c->evidence ? c->evidence : "", "fix", c->fix ? c->fix : "",
		"reply", c->reply, "hop", c->hop);

	if (c->check != DIAG_FIX_UNCHECKED) {
		json_object_set_new(dj, "verified", json_boolean(c->check == DIAG_FIX_VERIFIED));
		json_object_set_new(dj, "unverified_why", c->check_note ? nm_json_str(c->check_note) :
				    json_null());
	}
	if (r->kdrop && r->kdrop_cause == i + 1)
		json_object_set_new(dj, "drop_reason", json_pack("{s:s, s:s, s:s}",
			"reason", r->kdrop->reason, "location", r->kdrop->location,
			"evidence", "kernel"));
	if (r->nft_drop_netns && r->nft_cause == i + 1)
		json_object_set_new(dj, "nft_rule", nft_drop_json(r));
	return dj;
}

static json_t *ct_json(const struct trace_ct *ct)
{
	char *s = trace_ct_str(ct);
	json_t *j = json_pack("{s:s, s:s, s:i, s:b, s:b}", "netns", ct->netns, "entry", s,
			      "status", (int)ct->status, "snat", !!(ct->status & TRACE_IPS_SRC_NAT),
			      "dnat", !!(ct->status & TRACE_IPS_DST_NAT));

	free(s);
	return j;
}

static json_t *sim_json(const struct trace_result *r)
{
	if (!r->sim)
		return json_null();
	return json_pack("{s:s, s:s}", "verdict", path_verdict_name(r->sim->verdict), "summary",
			 r->sim->summary ? r->sim->summary : "");
}

static json_t *nft_json(const struct trace_result *r)
{
	if (!r->nft_trace)
		return json_null();
	return json_pack("{s:s, s:i, s:o}", "table", trace_nft_table_name(), "events",
			 (int)r->nft_events, "drop", r->nft_drop_netns ? nft_drop_json(r) : json_null());
}

json_t *trace_result_to_json(const struct trace_result *r)
{
	json_t *o = json_object(), *hops = json_array(), *diag = json_array(), *notes = json_array();
	json_t *cts = json_array();
	size_t i;

	obj_set(o, "mode", json_string("live"),
		"verdict", json_string(path_verdict_name(r->verdict)),
		"summary", json_string(r->summary ? r->summary : ""),
		"source", json_pack("{s:s, s:o}", "netns", r->src_label, "address",
				    ip_json(&r->ident.orig.src)),
		"destination", ip_json(&r->ident.orig.dst),
		"proto", json_string(proto_name(r->ident.orig.proto)),
		"probe", probe_json(r),
		"timeout", json_real(r->timeout), NULL);
	for (i = 0; i < r->n_hops; i++)
		json_array_append_new(hops, hop_json(r, &r->hops[i]));
	for (i = 0; i < r->n_causes; i++)
		json_array_append_new(diag, cause_json(r, i));
	for (i = 0; i < r->n_cts; i++)
		json_array_append_new(cts, ct_json(&r->cts[i]));
	for (i = 0; i < r->n_notes; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	obj_set(o, "hops", hops,
		"last_seen", hop_ref(r, r->last_seen),
		"next_expected", hop_ref(r, r->next_expected),
		"diagnosis", diag,
		"conntrack", cts,
		"captured", json_integer(r->captured),
		"socket", !r->delivery_checked ? json_null() :
			  json_string(r->delivered > 0 ? "answered" : r->delivered < 0 ? "icmp-error" :
				      "nothing"),
		"simulation", sim_json(r),
		"nft_trace", nft_json(r),
		"drop_reason", drop_json(r),
		"notes", notes, NULL);
	return o;
}
