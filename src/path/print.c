/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print.c - a simulated path as packet-tracer phases (text) and as nstrace's JSON contract. */
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "path_int.h"

/* The probe's protocol: icmp, udp or tcp. */
static const char *proto_name(uint8_t p)
{
	return nm_proto_name(p) ? nm_proto_name(p) : "?";
}

static void addr_pair(char *buf, size_t len, const struct nm_ip *s, const struct nm_ip *d,
		      uint16_t sp, uint16_t dp)
{
	char a[64], b[64];

	nm_ip_str(s, a, sizeof(a), false);
	nm_ip_str(d, b, sizeof(b), false);
	if (sp || dp)
		snprintf(buf, len, "%s:%u -> %s:%u", a, sp, b, dp);
	else
		snprintf(buf, len, "%s -> %s", a, b);
}

void path_print_text(FILE *f, const struct path_result *r)
{
	char a[64], b[64], pair[160], npair[160];
	size_t i;
	bool reply = false;

	fprintf(f, "nstrace: simulated %s %s -> %s from %s (no packet sent)\n\n", proto_name(r->proto),
		nm_ip_str(&r->src, a, sizeof(a), false), nm_ip_str(&r->dst, b, sizeof(b), false),
		r->src_label);
	fprintf(f, "%-4s %-14s %-12s %-11s %-8s %-34s %s\n", "hop", "namespace", "interface",
		"direction", "result", "packet", "decided by");
	for (i = 0; i < r->n_hops; i++) {
		const struct path_hop *h = &r->hops[i];

		if (h->reply && !reply) {
			fprintf(f, "  -- reply --\n");
			reply = true;
		}
		addr_pair(pair, sizeof(pair), &h->src, &h->dst, h->nat ? 0 : h->sport,
			  h->nat ? 0 : h->dport);
		if (h->nat) {
			addr_pair(npair, sizeof(npair), &h->nsrc, &h->ndst, 0, 0);
			strncat(pair, " => ", sizeof(pair) - strlen(pair) - 1);
			strncat(pair, npair, sizeof(pair) - strlen(pair) - 1);
		}
		fprintf(f, "%-4d %-14s %-12s %-11s %-8s %-34s %s\n", h->n, h->netns,
			h->ifname ? h->ifname : "-", h->direction ? h->direction : "-", h->result, pair,
			h->decided ? h->decided : "");
	}
	fprintf(f, "\nverdict: %s", path_verdict_name(r->verdict));
	if (r->summary)
		fprintf(f, " - %s", r->summary);
	fprintf(f, "\n");
	if (r->reply_checked)
		fprintf(f, "reply path: %s\n", !r->reply_ok ? "broken" :
			r->n_causes ? "open once the causes below are fixed" : "open");
	path_print_diagnosis(f, r->causes, r->n_causes, r->notes, r->n_notes);
}

/* All fixes in order, to paste as a whole (only when there are several). */
static void print_fix_block(FILE *f, const struct diag_cause *causes, size_t n_causes)
{
	size_t i, n = 0, ok = 0;

	for (i = 0; i < n_causes; i++) {
		if (causes[i].fix && *causes[i].fix) {
			n++;
			ok += causes[i].check == DIAG_FIX_VERIFIED;
		}
	}
	if (n < 2)
		return;
	fprintf(f, "\nall fixes, in order (%zu of %zu verified):\n", ok, n);
	for (i = 0; i < n_causes; i++) {
		const char *p = causes[i].fix;

		while (p && *p) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);

			fprintf(f, "  %.*s\n", len, p);
			p += len + (nl ? 1 : 0);
		}
	}
}

/* The diagnosis and notes, shared by the simulation's and the live tracer's text. */
void path_print_diagnosis(FILE *f, const struct diag_cause *causes, size_t n_causes,
			  char *const *notes, size_t n_notes)
{
	size_t i, last = 0;

	for (i = 0; i < n_causes; i++)
		if (causes[i].fix && *causes[i].fix)
			last = i + 1;
	if (n_causes) {
		fprintf(f, "\ndiagnosis:\n");
		for (i = 0; i < n_causes; i++) {
			const struct diag_cause *c = &causes[i];

			fprintf(f, "  %zu. %s in %s%s: %s\n", i + 1, c->code, c->netns,
				c->reply ? " (reply)" : "", c->message);
			if (c->evidence && *c->evidence)
				fprintf(f, "     evidence: %s\n", c->evidence);
			if (c->fix && *c->fix) {
				const char *p = c->fix;

				/* a fix of several commands: one per line, aligned */
				fprintf(f, "     fix:");
				while (*p) {
					const char *nl = strchr(p, '\n');
					int n = nl ? (int)(nl - p) : (int)strlen(p);

					fprintf(f, " %.*s\n", n, p);
					p += n + (nl ? 1 : 0);
					if (*p)
						fprintf(f, "         ");
				}
				if (c->check == DIAG_FIX_VERIFIED)
					fprintf(f, "     verified: %s\n", i + 1 == last ?
						"with the fixes above, the path opens out and back" :
						"with the fixes above, the walk gets past this step");
				else if (c->check == DIAG_FIX_UNVERIFIED)
					fprintf(f, "     unverified: %s\n",
						c->check_note ? c->check_note : "not checked");
			}
		}
		print_fix_block(f, causes, n_causes);
	}
	for (i = 0; i < n_notes; i++)
		fprintf(f, "note: %s\n", notes[i]);
}

/* An address, null when there is none. */
static json_t *ip_json(const struct nm_ip *ip)
{
	char a[64];

	return nm_json_str(ip->family ? nm_ip_str(ip, a, sizeof(a), false) : NULL);
}

/* One hop of nstrace -j: the packet after the hop, and the NAT it did. */
/* Every endpoint a NAT chosen per packet may pick: address, port, probability, rule. */
static json_t *alts_json(const struct path_hop *h)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < h->n_alts; i++) {
		const struct path_alt *x = &h->alts[i];

		json_array_append_new(a, json_pack("{s:o, s:i, s:f, s:s}", "addr", ip_json(&x->addr),
						   "port", (int)x->port, "probability", x->prob,
						   "rule", x->rule ? x->rule : ""));
	}
	return a;
}

static json_t *hop_json(const struct path_hop *h)
{
	json_t *hj = json_object();

	json_object_set_new(hj, "n", json_integer(h->n));
	json_object_set_new(hj, "reply", json_boolean(h->reply));
	json_object_set_new(hj, "kind", json_string(path_hop_kind_name(h->kind)));
	json_object_set_new(hj, "netns", json_string(h->netns));
	json_object_set_new(hj, "netns_id", json_string(h->netns_id));
	json_object_set_new(hj, "ifname", h->ifname ? json_string(h->ifname) : json_null());
	json_object_set_new(hj, "direction", json_string(h->direction ? h->direction : ""));
	json_object_set_new(hj, "src", ip_json(&h->nsrc));
	json_object_set_new(hj, "dst", ip_json(&h->ndst));
	if (h->sport || h->dport) {
		json_object_set_new(hj, "sport", json_integer(h->sport));
		json_object_set_new(hj, "dport", json_integer(h->dport));
	}
	json_object_set_new(hj, "observed", json_false());
	json_object_set_new(hj, "time", json_null());
	if (h->nat) {
		json_t *nat = json_pack("{s:o, s:o, s:o, s:o, s:s}",
			"old_src", ip_json(&h->src), "old_dst", ip_json(&h->dst),
			"new_src", ip_json(&h->nsrc), "new_dst", ip_json(&h->ndst),
			"rule", h->decided ? h->decided : "");

		if (h->n_alts > 1)
			json_object_set_new(nat, "alternatives", alts_json(h));
		json_object_set_new(hj, "nat", nat);
	} else
		json_object_set_new(hj, "nat", json_null());
	json_object_set_new(hj, "decided", json_string(h->decided ? h->decided : ""));
	json_object_set_new(hj, "result", json_string(h->result));
	json_object_set_new(hj, "ok", json_boolean(h->ok));
	if (h->iif)
		json_object_set_new(hj, "iif", json_string(h->iif));
	if (h->kernel)
		json_object_set_new(hj, "kernel", json_pack("{s:b, s:s}", "agrees", h->kernel > 0,
			"route", h->kernel_route ? h->kernel_route : ""));
	return hj;
}

json_t *path_result_to_json(const struct path_result *r)
{
	json_t *o = json_object(), *hops = json_array(), *diag = json_array(), *notes = json_array();
	size_t i;

	json_object_set_new(o, "mode", json_string("simulate"));
	json_object_set_new(o, "verdict", json_string(path_verdict_name(r->verdict)));
	json_object_set_new(o, "summary", json_string(r->summary ? r->summary : ""));
	json_object_set_new(o, "source", json_pack("{s:s, s:o}", "netns", r->src_label, "address",
						   ip_json(&r->src)));
	json_object_set_new(o, "destination", ip_json(&r->dst));
	json_object_set_new(o, "proto", json_string(proto_name(r->proto)));
	if (r->sport || r->dport) {
		json_object_set_new(o, "sport", json_integer(r->sport));
		json_object_set_new(o, "dport", json_integer(r->dport));
	}
	if (r->left_host)
		json_object_set_new(o, "leaves_host", json_pack("{s:s, s:s, s:o}",
			"netns", r->leave_netns, "ifname", r->leave_ifname, "src", ip_json(&r->leave_src)));
	else
		json_object_set_new(o, "leaves_host", json_null());
	json_object_set_new(o, "reached_netns", r->reached_netns ? json_string(r->reached_netns) :
			    json_null());
	json_object_set_new(o, "reply_checked", json_boolean(r->reply_checked));
	json_object_set_new(o, "reply_ok", json_boolean(r->reply_ok));
	for (i = 0; i < r->n_hops; i++)
		json_array_append_new(hops, hop_json(&r->hops[i]));
	json_object_set_new(o, "hops", hops);
	for (i = 0; i < r->n_causes; i++) {
		const struct diag_cause *c = &r->causes[i];

		json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i}",
			"code", c->code, "netns", c->netns, "message", c->message,
			"evidence", c->evidence ? c->evidence : "", "fix", c->fix ? c->fix : "",
			"reply", c->reply, "hop", c->hop);

		if (c->check != DIAG_FIX_UNCHECKED) {
			json_object_set_new(d, "verified", json_boolean(c->check == DIAG_FIX_VERIFIED));
			json_object_set_new(d, "unverified_why", c->check_note ?
					    nm_json_str(c->check_note) : json_null());
		}
		json_array_append_new(diag, d);
	}
	json_object_set_new(o, "diagnosis", diag);
	for (i = 0; i < r->n_notes; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	json_object_set_new(o, "notes", notes);
	return o;
}
