/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace_match.c - the probe's identity: which captured packets are ours, across NAT, and the kernel filter for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

bool trace_ident_add_form(struct trace_ident *id, const struct trace_tuple *t)
{
	size_t i;

	for (i = 0; i < id->n_forms; i++)
		if (trace_tuple_equal(&id->forms[i], t))
			return false;
	*NM_PUSH(id->forms, id->n_forms) = *t;
	return true;
}

static bool known_form(const struct trace_ident *id, const struct trace_tuple *t)
{
	size_t i;

	if (trace_tuple_equal(&id->orig, t))
		return true;
	for (i = 0; i < id->n_forms; i++)
		if (trace_tuple_equal(&id->forms[i], t))
			return true;
	return false;
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
		    (known_form(id, &p->inner) ||
		     cookie_is(id, p->inner_has_cookie, p->inner_cookie))) {
			*reply = true;
			return true;
		}
		return false;
	}
	if (p->t.proto != id->orig.proto)
		return false;
	trace_tuple_reverse(&p->t, &rev);
	if (p->t.proto == PATH_PROTO_ICMP) {
		/* Echo request: orig direction; echo reply: reply direction. */
		if (p->icmp_type == 8 && (known_form(id, &p->t) ||
					  cookie_is(id, p->has_cookie, p->cookie)))
			return true;
		if (p->icmp_type == 0 && (known_form(id, &rev) ||
					  cookie_is(id, p->has_cookie, p->cookie))) {
			*reply = true;
			return true;
		}
		return false;
	}
	if (known_form(id, &p->t))
		return true;
	if (known_form(id, &rev)) {
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
	static const char errors[] = "(icmp and (icmp[0] = 3 or icmp[0] = 11))";
	char ports[256] = "";
	uint16_t seen[8];
	size_t i, n_seen = 0, k;

	if (id->orig.proto == PATH_PROTO_ICMP)
		return nm_xasprintf("icmp and (icmp[0] = 3 or icmp[0] = 11 or icmp[4:2] = %u or "
				    "icmp[8:4] = 0x%08x)", id->orig.sport, TRACE_MAGIC);
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
