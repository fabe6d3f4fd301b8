/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace_print.c - a live trace as a hop table with the translations where they happen (text) and as nstrace's JSON contract. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "trace.h"

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

static const char *what(const struct trace_hop *h, char *buf, size_t len)
{
	if (!h->observed) {
		snprintf(buf, len, "(%s)", h->status ? h->status : "missing");
		return buf;
	}
	buf[0] = 0;
	if (h->t.proto == PATH_PROTO_ICMP) {
		switch (h->icmp_type) {
		case 8: snprintf(buf, len, "echo request id %u", h->t.sport); break;
		case 0: snprintf(buf, len, "echo reply id %u", h->t.sport); break;
		case 3: snprintf(buf, len, "unreachable code %u", h->icmp_code); break;
		case 11: snprintf(buf, len, "time exceeded"); break;
		default: snprintf(buf, len, "icmp type %u", h->icmp_type); break;
		}
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
	if (h->t.proto != PATH_PROTO_ICMP && op != np)
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
		r->ident.orig.proto == PATH_PROTO_ICMP ? "icmp id" : "source port",
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
			h->direction, p, what(h, w, sizeof(w)));
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

json_t *trace_result_to_json(const struct trace_result *r)
{
	json_t *o = json_object(), *hops = json_array(), *diag = json_array(), *notes = json_array();
	json_t *cts = json_array(), *probe;
	char cookie[2 * TRACE_COOKIE_LEN + 1];
	size_t i;

	for (i = 0; i < TRACE_COOKIE_LEN; i++)
		snprintf(cookie + 2 * i, 3, "%02x", r->ident.cookie[i]);
	json_object_set_new(o, "mode", json_string("live"));
	json_object_set_new(o, "verdict", json_string(path_verdict_name(r->verdict)));
	json_object_set_new(o, "summary", json_string(r->summary ? r->summary : ""));
	json_object_set_new(o, "source", json_pack("{s:s, s:o}", "netns", r->src_label, "address",
						   ip_json(&r->ident.orig.src)));
	json_object_set_new(o, "destination", ip_json(&r->ident.orig.dst));
	json_object_set_new(o, "proto", json_string(proto_name(r->ident.orig.proto)));
	if (r->ident.orig.proto == PATH_PROTO_ICMP)
		probe = json_pack("{s:i}", "icmp_id", r->ident.orig.sport);
	else
		probe = json_pack("{s:i, s:i}", "sport", r->ident.orig.sport, "dport",
				  r->ident.orig.dport);
	json_object_set_new(probe, "cookie", json_string(r->ident.orig.proto == PATH_PROTO_TCP ?
							  "" : cookie));
	json_object_set_new(probe, "sent", json_boolean(!r->send_error));
	json_object_set_new(probe, "error", r->send_error ? json_string(strerror(-r->send_error)) :
			    json_null());
	json_object_set_new(o, "probe", probe);
	json_object_set_new(o, "timeout", json_real(r->timeout));
	for (i = 0; i < r->n_hops; i++) {
		const struct trace_hop *h = &r->hops[i];
		json_t *hj = json_object();

		json_object_set_new(hj, "n", json_integer(h->n));
		json_object_set_new(hj, "reply", json_boolean(h->reply));
		json_object_set_new(hj, "netns", json_string(h->netns));
		json_object_set_new(hj, "netns_id", json_string(h->netns_id));
		json_object_set_new(hj, "ifname", json_string(h->ifname));
		json_object_set_new(hj, "direction", json_string(h->direction));
		json_object_set_new(hj, "proto", json_string(proto_name(h->t.proto)));
		json_object_set_new(hj, "src", ip_json(&h->t.src));
		json_object_set_new(hj, "dst", ip_json(&h->t.dst));
		if (h->t.proto == PATH_PROTO_ICMP) {
			json_object_set_new(hj, "icmp_id", json_integer(h->t.sport));
			if (h->observed)
				json_object_set_new(hj, "icmp_type", json_integer(h->icmp_type));
		} else {
			json_object_set_new(hj, "sport", json_integer(h->t.sport));
			json_object_set_new(hj, "dport", json_integer(h->t.dport));
			if (h->observed && h->t.proto == PATH_PROTO_TCP)
				json_object_set_new(hj, "tcp_flags", json_integer(h->tcp_flags));
		}
		json_object_set_new(hj, "observed", json_boolean(h->observed));
		json_object_set_new(hj, "status", json_string(h->observed ? "observed" : h->status));
		json_object_set_new(hj, "predicted", json_boolean(h->predicted));
		/* Microseconds are what the timestamps resolve (times are CLOCK_REALTIME doubles). */
		json_object_set_new(hj, "time", h->observed ? json_real(round_us(h->time_ms) / 1e3) :
				    json_null());
		json_object_set_new(hj, "time_ms", h->observed ? json_real(round_us(h->time_ms)) :
				    json_null());
		if (h->nat) {
			json_t *nj = json_pack("{s:s, s:o, s:o, s:o, s:o, s:s?, s:s?}",
				"kind", h->nat_kind,
				"old_src", ip_json(&h->old.src), "old_dst", ip_json(&h->old.dst),
				"new_src", ip_json(&h->t.src), "new_dst", ip_json(&h->t.dst),
				"rule", h->nat_rule, "conntrack", h->nat_ct);

			if (h->t.proto != PATH_PROTO_ICMP) {
				json_object_set_new(nj, "old_sport", json_integer(h->old.sport));
				json_object_set_new(nj, "old_dport", json_integer(h->old.dport));
				json_object_set_new(nj, "new_sport", json_integer(h->t.sport));
				json_object_set_new(nj, "new_dport", json_integer(h->t.dport));
			}
			json_object_set_new(hj, "nat", nj);
		} else {
			json_object_set_new(hj, "nat", json_null());
		}
		if (r->nft_trace) {
			json_t *rules = json_array();
			size_t k;

			for (k = 0; k < h->n_rules; k++)
				json_array_append_new(rules, rule_json(&h->rules[k]));
			json_object_set_new(hj, "rules", rules);
		}
		json_array_append_new(hops, hj);
	}
	json_object_set_new(o, "hops", hops);
	json_object_set_new(o, "last_seen", hop_ref(r, r->last_seen));
	json_object_set_new(o, "next_expected", hop_ref(r, r->next_expected));
	for (i = 0; i < r->n_causes; i++) {
		const struct diag_cause *c = &r->causes[i];

		json_t *dj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i}",
			"code", c->code, "netns", c->netns, "message", c->message,
			"evidence", c->evidence ? c->evidence : "", "fix", c->fix ? c->fix : "",
			"reply", c->reply, "hop", c->hop);

		if (r->kdrop && r->kdrop_cause == i + 1)
			json_object_set_new(dj, "drop_reason", json_pack("{s:s, s:s, s:s}",
				"reason", r->kdrop->reason, "location", r->kdrop->location,
				"evidence", "kernel"));
		if (r->nft_drop_netns && r->nft_cause == i + 1) {
			json_t *nj = rule_json(&r->nft_drop);

			json_object_set_new(nj, "netns", json_string(r->nft_drop_netns));
			json_object_set_new(dj, "nft_rule", nj);
		}
		json_array_append_new(diag, dj);
	}
	json_object_set_new(o, "diagnosis", diag);
	for (i = 0; i < r->n_cts; i++) {
		char *s = trace_ct_str(&r->cts[i]);

		json_array_append_new(cts, json_pack("{s:s, s:s, s:i, s:b, s:b}", "netns", r->cts[i].netns,
			"entry", s, "status", (int)r->cts[i].status,
			"snat", !!(r->cts[i].status & TRACE_IPS_SRC_NAT),
			"dnat", !!(r->cts[i].status & TRACE_IPS_DST_NAT)));
		free(s);
	}
	json_object_set_new(o, "conntrack", cts);
	json_object_set_new(o, "captured", json_integer(r->captured));
	if (r->sim)
		json_object_set_new(o, "simulation", json_pack("{s:s, s:s}", "verdict",
			path_verdict_name(r->sim->verdict), "summary", r->sim->summary ? r->sim->summary : ""));
	else
		json_object_set_new(o, "simulation", json_null());
	if (r->nft_trace) {
		json_t *dj = json_null();

		if (r->nft_drop_netns) {
			dj = rule_json(&r->nft_drop);
			json_object_set_new(dj, "netns", json_string(r->nft_drop_netns));
		}
		json_object_set_new(o, "nft_trace", json_pack("{s:s, s:i, s:o}", "table",
			trace_nft_table_name(), "events", (int)r->nft_events, "drop", dj));
	} else {
		json_object_set_new(o, "nft_trace", json_null());
	}
	json_object_set_new(o, "drop_reason", drop_json(r));
	for (i = 0; i < r->n_notes; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	json_object_set_new(o, "notes", notes);
	return o;
}
