/* SPDX-License-Identifier: GPL-2.0-or-later */
/* match.c - the probe's identity: which captured packets are ours, across NAT, and the kernel filter for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

static bool in_forms(const struct trace_ident *id, const struct trace_tuple *t)
{
	size_t i;

	for (i = 0; i < id->n_forms; i++)
		if (trace_tuple_equal(&id->forms[i], t))
			return true;
	return false;
}

bool trace_ident_add_form(struct trace_ident *id, const struct trace_tuple *t)
{
	if (in_forms(id, t))
		return false;
	*NM_PUSH(id->forms, id->n_forms) = *t;
	return true;
}

bool trace_ident_knows(const struct trace_ident *id, const struct trace_tuple *t)
{
	return trace_tuple_equal(&id->orig, t) || in_forms(id, t);
}

static bool known_dst(const struct trace_ident *id, const struct nm_ip *dst)
{
	size_t i;

	if (nm_ip_equal(&id->orig.dst, dst))
		return true;
	for (i = 0; i < id->n_forms; i++)
		if (nm_ip_equal(&id->forms[i].dst, dst))
			return true;
	return false;
}

static bool cookie_is(const struct trace_ident *id, bool has, const uint8_t *cookie)
{
	return id->has_cookie && has && !memcmp(id->cookie, cookie, TRACE_COOKIE_LEN);
}

bool trace_match(const struct trace_ident *id, const struct trace_pkt *p, bool *reply)
{
	struct trace_tuple rev;

	*reply = false;
	if (p->icmp_error) {
		/* An error about our probe travels back toward the source. */
		if (p->inner.proto == id->orig.proto &&
		    (trace_ident_knows(id, &p->inner) ||
		     cookie_is(id, p->inner_has_cookie, p->inner_cookie))) {
			*reply = true;
			return true;
		}
		return false;
	}
	if (p->t.proto != id->orig.proto)
		return false;
	trace_tuple_reverse(&p->t, &rev);
	if (p->t.proto == p->fam->icmp_proto) {
		/* Echo request: orig direction; echo reply: reply direction. */
		if (p->icmp_type == p->fam->echo_request && (trace_ident_knows(id, &p->t) ||
					  cookie_is(id, p->has_cookie, p->cookie)))
			return true;
		if (p->icmp_type == p->fam->echo_reply && (trace_ident_knows(id, &rev) ||
					  cookie_is(id, p->has_cookie, p->cookie))) {
			*reply = true;
			return true;
		}
		return false;
	}
	if (trace_ident_knows(id, &p->t))
		return true;
	if (trace_ident_knows(id, &rev)) {
		*reply = true;
		return true;
	}
	if (cookie_is(id, p->has_cookie, p->cookie)) {
		*reply = !known_dst(id, &p->t.dst);
		return true;
	}
	return false;
}

char *trace_bpf_filter(const struct trace_ident *id)
{
	const struct trace_family *f = id->fam;
	const char *icmp = f->pcap_icmp;
	char errors[128], ports[256] = "";
	uint16_t seen[8];
	size_t i, n_seen = 0, k;

	if (id->orig.proto == f->icmp_proto)
		return nm_xasprintf("%s and (%s[0] = %u or %s[0] = %u or %s[4:2] = %u or "
				    "%s[8:4] = 0x%08x)", icmp, icmp, f->icmp_unreach, icmp,
				    f->icmp_time_exceeded, icmp, id->orig.sport, icmp, TRACE_MAGIC);
	snprintf(errors, sizeof(errors), "(%s and (%s[0] = %u or %s[0] = %u))", icmp, icmp,
		 f->icmp_unreach, icmp, f->icmp_time_exceeded);
	/* The probe's source port in every known form (a MASQUERADE may change it). */
	for (i = 0; i <= id->n_forms && n_seen < 8; i++) {
		uint16_t sp = i ? id->forms[i - 1].sport : id->orig.sport;

		for (k = 0; k < n_seen && seen[k] != sp; k++)
			;
		if (k < n_seen)
			continue;
		seen[n_seen++] = sp;
		snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports), "%sport %u",
			 n_seen > 1 ? " or " : "", sp);
	}
	if (id->orig.proto == PATH_PROTO_UDP)
		return nm_xasprintf("(udp and (%s or udp[8:4] = 0x%08x)) or %s", ports, TRACE_MAGIC,
				    errors);
	return nm_xasprintf("(tcp and (%s)) or %s", ports, errors);
}
