/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c - the "netfilter" object of the snapshot: ruleset <-> JSON, exact round trip. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nf.h"
#include "jsonutil.h"

/* ---- writing: a field is written only when it differs from its zero/default value ---- */

static void put_int(json_t *o, const char *k, long long v)
{
	if (v)
		json_object_set_new(o, k, json_integer(v));
}

static void put_bool(json_t *o, const char *k, bool v)
{
	if (v)
		json_object_set_new(o, k, json_true());
}

static void put_ip(json_t *o, const char *k, const struct nm_ip *ip, bool plen)
{
	char a[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN + 8];

	if (!ip->family)
		return;
	inet_ntop(ip->family, ip->addr, a, sizeof(a));
	if (plen)
		snprintf(s, sizeof(s), "%s/%u", a, ip->plen);
	else
		snprintf(s, sizeof(s), "%s", a);
	json_object_set_new(o, k, json_string(s));
}

static void put_hex(json_t *o, const char *k, const uint8_t *d, size_t len)
{
	char *h;

	if (!d)
		return;
	h = nf_hex(d, len);
	json_object_set_new(o, k, json_string(h));
	free(h);
}

/* o[k] = [fn(&v[0]), ..., fn(&v[n - 1])] for the n elements of size bytes at v */
static void put_array(json_t *o, const char *k, const void *v, size_t n, size_t size,
		      json_t *(*fn)(const void *))
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, fn((const char *)v + i * size));
	json_object_set_new(o, k, a);
}

static json_t *fields_json(const enum nf_field *f, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(nf_field_name(f[i])));
	return a;
}

static const char *const ct_names[] = {
	"invalid", "established", "related", "new", "untracked", "snat", "dnat"
};

static const char *const dir_names[] = { "src", "dst", "either" };

static json_t *match_json(const void *p)
{
	const struct nf_match *m = p;
	json_t *o = json_object();
	size_t i;

	json_object_set_new(o, "kind", json_string(nf_match_kind_name(m->kind)));
	put_bool(o, "invert", m->invert);
	nm_json_set_str(o, "ifname", m->ifname);
	put_bool(o, "ifprefix", m->ifprefix);
	put_ip(o, "prefix", &m->prefix, true);
	put_int(o, "proto", m->proto);
	put_int(o, "port_min", m->port_min);
	put_int(o, "port_max", m->port_max);
	if (m->kind == NF_MATCH_MULTIPORT) {
		json_t *a = json_array();

		for (i = 0; i < m->n_ports; i++)
			json_array_append_new(a, json_pack("[ii]", m->ports[i].min, m->ports[i].max));
		json_object_set_new(o, "ports", a);
		json_object_set_new(o, "port_dir", json_string(dir_names[m->port_dir % 3]));
	}
	if (m->ct_state) {
		json_t *a = json_array();

		for (i = 0; i < 7; i++)
			if (m->ct_state & (1u << i))
				json_array_append_new(a, json_string(ct_names[i]));
		json_object_set_new(o, "ct_state", a);
	}
	if (m->kind == NF_MATCH_ADDRTYPE) {
		json_object_set_new(o, "addr_dir", json_string(dir_names[m->addr_dir % 3]));
		put_int(o, "addrtypes", m->addrtypes);
		put_bool(o, "limit_iface", m->limit_iface);
	}
	put_int(o, "value", m->value);
	put_int(o, "mask", m->mask);
	if (m->icmp_type >= 0)
		json_object_set_new(o, "icmp_type", json_integer(m->icmp_type));
	if (m->icmp_code >= 0)
		json_object_set_new(o, "icmp_code", json_integer(m->icmp_code));
	nm_json_set_str(o, "set", m->set);
	if (m->n_key)
		json_object_set_new(o, "key", fields_json(m->key, m->n_key));
	put_int(o, "numgen_mod", m->numgen_mod);
	put_int(o, "numgen_offset", m->numgen_offset);
	if (m->kind == NF_MATCH_STATISTIC) {
		json_object_set_new(o, "stat_mode", json_string(m->stat_nth ? "nth" : "random"));
		put_int(o, "stat_every", m->stat_every);
		put_int(o, "stat_packet", m->stat_packet);
	}
	nm_json_set_str(o, "text", m->text);
	nm_json_set_str(o, "raw", m->raw);
	return o;
}

static json_t *action_json(const void *p)
{
	const struct nf_action *a = p;
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(nf_action_kind_name(a->kind)));
	nm_json_set_str(o, "chain", a->chain);
	nm_json_set_str(o, "set", a->set);
	if (a->n_key)
		json_object_set_new(o, "key", fields_json(a->key, a->n_key));
	put_int(o, "numgen_mod", a->numgen_mod);
	put_int(o, "numgen_offset", a->numgen_offset);
	put_ip(o, "addr_min", &a->addr_min, false);
	put_ip(o, "addr_max", &a->addr_max, false);
	put_int(o, "port_min", a->port_min);
	put_int(o, "port_max", a->port_max);
	put_int(o, "nat_flags", a->nat_flags);
	nm_json_set_str(o, "reject_with", a->reject_with);
	put_int(o, "value", a->value);
	put_int(o, "mask", a->mask);
	nm_json_set_str(o, "text", a->text);
	nm_json_set_str(o, "raw", a->raw);
	return o;
}

static const char *const text_sources[NF_TEXT_SOURCE_COUNT] = {
	[NF_TEXT_NSMAP] = "nsmap",
	[NF_TEXT_LIBNFTABLES] = "libnftables",
	[NF_TEXT_LIBXTABLES] = "libxtables",
};

static json_t *rule_json(const void *p)
{
	const struct nf_rule *r = p;
	json_t *o = json_object();

	json_object_set_new(o, "handle", json_integer((json_int_t)r->handle));
	put_int(o, "position", (long long)r->position);
	json_object_set_new(o, "text", nm_json_str(r->text ? r->text : ""));
	if (r->has_counter)
		json_object_set_new(o, "counter", json_pack("{s:I,s:I}", "packets", (json_int_t)r->packets,
							    "bytes", (json_int_t)r->bytes));
	nm_json_set_str(o, "comment", r->comment);
	put_array(o, "match", r->matches, r->n_matches, sizeof(*r->matches), match_json);
	if (r->n_effects)
		put_array(o, "effects", r->effects, r->n_effects, sizeof(*r->effects), action_json);
	json_object_set_new(o, "action", action_json(&r->action));
	if (r->text_source != NF_TEXT_NSMAP)
		json_object_set_new(o, "text_source", json_string(text_sources[r->text_source]));
	put_bool(o, "unsupported", r->unsupported);
	nm_json_set_str(o, "why", r->why);
	nm_json_set_str(o, "decoded", r->decoded);
	nm_json_set_str(o, "raw", r->raw);
	return o;
}

static json_t *chain_json(const void *p)
{
	const struct nf_chain *c = p;
	json_t *o = json_object();

	json_object_set_new(o, "name", nm_json_str(c->name));
	put_int(o, "handle", (long long)c->handle);
	json_object_set_new(o, "base", json_boolean(c->base));
	if (c->base) {
		json_object_set_new(o, "hook", json_string(nf_hook_name(c->hook)));
		json_object_set_new(o, "priority", json_integer(c->priority));
		nm_json_set_str(o, "type", c->type);
		nm_json_set_str(o, "device", c->device);
		json_object_set_new(o, "policy", json_string(nf_policy_name(c->policy)));
		put_int(o, "packets", (long long)c->packets);
		put_int(o, "bytes", (long long)c->bytes);
	}
	put_array(o, "rules", c->rules, c->n_rules, sizeof(*c->rules), rule_json);
	return o;
}

static json_t *elem_json(const void *p)
{
	const struct nf_set_elem *e = p;
	json_t *o = json_object();

	put_hex(o, "key", e->key, e->key_len);
	put_hex(o, "key_end", e->key_end, e->key_len);
	nm_json_set_str(o, "text", e->text);
	if (e->verdict.kind != NF_ACT_CONTINUE || e->verdict.chain || e->verdict.text)
		json_object_set_new(o, "verdict", action_json(&e->verdict));
	put_hex(o, "data", e->data, e->data_len);
	nm_json_set_str(o, "data_text", e->data_text);
	return o;
}

static json_t *set_json(const void *p)
{
	const struct nf_set *s = p;
	json_t *o = json_object();

	json_object_set_new(o, "name", nm_json_str(s->name));
	put_int(o, "flags", s->flags);
	nm_json_set_str(o, "key_type", s->key_type);
	put_int(o, "key_len", s->key_len);
	nm_json_set_str(o, "data_type", s->data_type);
	put_int(o, "data_len", s->data_len);
	put_array(o, "elements", s->elems, s->n_elems, sizeof(*s->elems), elem_json);
	return o;
}

static json_t *table_json(const void *p)
{
	const struct nf_table *t = p;
	json_t *o = json_object();

	json_object_set_new(o, "family", json_string(nf_family_name(t->family)));
	json_object_set_new(o, "name", nm_json_str(t->name));
	json_object_set_new(o, "backend", json_string(nf_backend_name(t->backend)));
	put_int(o, "flags", t->flags);
	put_int(o, "handle", (long long)t->handle);
	put_array(o, "sets", t->sets, t->n_sets, sizeof(*t->sets), set_json);
	put_array(o, "chains", t->chains, t->n_chains, sizeof(*t->chains), chain_json);
	return o;
}

json_t *nf_ruleset_to_json(const struct nf_ruleset *rs)
{
	json_t *o, *b;
	size_t i, j;

	if (!rs)
		return json_null();
	o = json_object();
	b = json_array();
	for (i = 0; i < NF_BACKEND_COUNT; i++) {
		for (j = 0; j < rs->n_tables; j++)
			if (rs->tables[j].backend == i)
				break;
		if (j < rs->n_tables)
			json_array_append_new(b, json_string(nf_backend_name((enum nf_backend)i)));
	}
	json_object_set_new(o, "backends", b);
	json_object_set_new(o, "mixed", json_boolean(rs->mixed));
	json_object_set_new(o, "nft_read", json_boolean(rs->nft_read));
	json_object_set_new(o, "legacy_read", json_boolean(rs->legacy_read));
	put_int(o, "genid", rs->genid);
	put_array(o, "tables", rs->tables, rs->n_tables, sizeof(*rs->tables), table_json);
	return o;
}

/* ---- reading: a key of the wrong type is an error, an absent (or null) key keeps its default ----
 *
 * Errors name the path of the offending object ("netfilter.tables[0].chains[2].priority: ...");
 * the snapshot loader puts the namespace in front. Arrays of the wrong type are read as empty,
 * addresses and hex strings of the wrong type as absent (as this section always has).
 */

/* ctx + ".key[i]" into buf */
static const char *at(char *buf, size_t len, const char *ctx, const char *key, size_t i)
{
	snprintf(buf, len, "%s.%s[%zu]", ctx, key, i);
	return buf;
}

static char *get_str(const json_t *o, const char *k, struct nm_jerr *e, const char *ctx)
{
	char *s;

	nm_json_get_str(o, k, &s, false, e, ctx);
	return s;
}

static long long get_int(const json_t *o, const char *k, long long dflt, struct nm_jerr *e,
			 const char *ctx)
{
	long long v = dflt;

	nm_json_get_int(o, k, &v, LLONG_MIN, LLONG_MAX, false, e, ctx);
	return v;
}

static bool get_bool(const json_t *o, const char *k, struct nm_jerr *e, const char *ctx)
{
	bool v = false;

	if (!json_is_null(json_object_get(o, k)))
		nm_json_get_bool(o, k, &v, false, e, ctx);
	return v;
}

static void get_ip(const json_t *o, const char *k, struct nm_ip *ip, struct nm_jerr *e,
		   const char *ctx)
{
	memset(ip, 0, sizeof(*ip));
	if (json_is_string(json_object_get(o, k)))
		nm_json_get_ip(o, k, ip, false, e, ctx);
}

static uint8_t *get_hex(const json_t *o, const char *k, uint32_t *len, struct nm_jerr *e,
			const char *ctx)
{
	const json_t *v = json_object_get(o, k);
	uint8_t *p;
	long n;

	if (!json_is_string(v))
		return NULL;
	n = nf_unhex(json_string_value(v), &p);
	if (n < 0) {
		nm_json_fail(e, "%s.%s: bad hex", ctx, k);
		return NULL;
	}
	if (len)
		*len = (uint32_t)n;
	return p;
}

/* "kind", "family", "backend": a name of one of the model's enums, -1 if unknown */
static int get_name(const json_t *o, const char *k, enum nf_names t)
{
	return nf_parse(t, json_string_value(json_object_get(o, k)));
}

static size_t get_fields(const json_t *o, enum nf_field *f, struct nm_jerr *e, const char *ctx)
{
	const json_t *a = json_object_get(o, "key"), *v;
	size_t i, n = 0;

	if (!json_is_array(a))
		return 0;
	json_array_foreach(a, i, v) {
		int x = nf_parse(NF_NAMES_FIELD, json_string_value(v));

		if (x < 0 || n >= NF_MAX_KEY_FIELDS) {
			nm_json_fail(e, "%s.key: bad key field", ctx);
			break;
		}
		f[n++] = (enum nf_field)x;
	}
	return n;
}

static int dir_parse(const char *s)
{
	int i;

	for (i = 0; s && i < 3; i++)
		if (strcmp(s, dir_names[i]) == 0)
			return i;
	return 0;
}

static void ports_from(const json_t *o, struct nf_match *m)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(o, "ports"), i, v) {
		struct nf_port_range *p = NM_PUSH(m->ports, m->n_ports);

		p->min = (uint16_t)json_integer_value(json_array_get(v, 0));
		p->max = (uint16_t)json_integer_value(json_array_get(v, 1));
	}
}

static uint32_t ct_state_from(const json_t *o)
{
	const json_t *v;
	uint32_t bits = 0;
	size_t i, b;

	json_array_foreach(json_object_get(o, "ct_state"), i, v)
		for (b = 0; b < ARRAY_SIZE(ct_names); b++)
			if (json_is_string(v) && strcmp(json_string_value(v), ct_names[b]) == 0)
				bits |= 1u << b;
	return bits;
}

/* "kind" of a match or an action (what): required, one of the names of t */
static int get_kind(const json_t *o, enum nf_names t, const char *what, int dflt,
		    struct nm_jerr *e, const char *ctx)
{
	int k = get_name(o, "kind", t);

	if (k >= 0)
		return k;
	nm_json_fail(e, "%s.kind: unknown %s kind", ctx, what);
	return dflt;
}

static void match_from(const json_t *o, struct nf_match *m, struct nm_jerr *e, const char *ctx)
{
	m->kind = (enum nf_match_kind)get_kind(o, NF_NAMES_MATCH, "match", NF_MATCH_UNSUPPORTED, e, ctx);
	m->invert = get_bool(o, "invert", e, ctx);
	m->ifname = get_str(o, "ifname", e, ctx);
	m->ifprefix = get_bool(o, "ifprefix", e, ctx);
	get_ip(o, "prefix", &m->prefix, e, ctx);
	m->proto = (uint8_t)get_int(o, "proto", 0, e, ctx);
	m->port_min = (uint16_t)get_int(o, "port_min", 0, e, ctx);
	m->port_max = (uint16_t)get_int(o, "port_max", 0, e, ctx);
	ports_from(o, m);
	m->port_dir = (enum nf_port_dir)dir_parse(json_string_value(json_object_get(o, "port_dir")));
	m->ct_state = ct_state_from(o);
	m->addr_dir = (enum nf_port_dir)dir_parse(json_string_value(json_object_get(o, "addr_dir")));
	m->addrtypes = (uint32_t)get_int(o, "addrtypes", 0, e, ctx);
	m->limit_iface = get_bool(o, "limit_iface", e, ctx);
	m->value = (uint32_t)get_int(o, "value", 0, e, ctx);
	m->mask = (uint32_t)get_int(o, "mask", 0, e, ctx);
	m->icmp_type = (int)get_int(o, "icmp_type", -1, e, ctx);
	m->icmp_code = (int)get_int(o, "icmp_code", -1, e, ctx);
	m->set = get_str(o, "set", e, ctx);
	m->n_key = get_fields(o, m->key, e, ctx);
	m->numgen_mod = (uint32_t)get_int(o, "numgen_mod", 0, e, ctx);
	m->numgen_offset = (uint32_t)get_int(o, "numgen_offset", 0, e, ctx);
	m->stat_nth = json_is_string(json_object_get(o, "stat_mode")) &&
		      !strcmp(json_string_value(json_object_get(o, "stat_mode")), "nth");
	m->stat_every = (uint32_t)get_int(o, "stat_every", 0, e, ctx);
	m->stat_packet = (uint32_t)get_int(o, "stat_packet", 0, e, ctx);
	m->text = get_str(o, "text", e, ctx);
	m->raw = get_str(o, "raw", e, ctx);
}

static void action_from(const json_t *o, struct nf_action *a, struct nm_jerr *e, const char *ctx)
{
	a->kind = (enum nf_action_kind)get_kind(o, NF_NAMES_ACTION, "action", NF_ACT_UNSUPPORTED, e,
						ctx);
	a->chain = get_str(o, "chain", e, ctx);
	a->set = get_str(o, "set", e, ctx);
	a->n_key = get_fields(o, a->key, e, ctx);
	a->numgen_mod = (uint32_t)get_int(o, "numgen_mod", 0, e, ctx);
	a->numgen_offset = (uint32_t)get_int(o, "numgen_offset", 0, e, ctx);
	get_ip(o, "addr_min", &a->addr_min, e, ctx);
	get_ip(o, "addr_max", &a->addr_max, e, ctx);
	a->port_min = (uint16_t)get_int(o, "port_min", 0, e, ctx);
	a->port_max = (uint16_t)get_int(o, "port_max", 0, e, ctx);
	a->nat_flags = (uint32_t)get_int(o, "nat_flags", 0, e, ctx);
	a->reject_with = get_str(o, "reject_with", e, ctx);
	a->value = (uint32_t)get_int(o, "value", 0, e, ctx);
	a->mask = (uint32_t)get_int(o, "mask", 0, e, ctx);
	a->text = get_str(o, "text", e, ctx);
	a->raw = get_str(o, "raw", e, ctx);
}

/* An optional object member read by fn. */
static void object_from(const json_t *o, const char *k, void *out, struct nm_jerr *e,
			const char *ctx,
			void (*fn)(const json_t *, void *, struct nm_jerr *, const char *))
{
	const json_t *v = json_object_get(o, k);
	char c[160];

	if (json_is_object(v)) {
		snprintf(c, sizeof(c), "%s.%s", ctx, k);
		fn(v, out, e, c);
	}
}

static void action_cb(const json_t *o, void *a, struct nm_jerr *e, const char *ctx)
{
	action_from(o, a, e, ctx);
}

static void counter_cb(const json_t *o, void *arg, struct nm_jerr *e, const char *ctx)
{
	struct nf_rule *r = arg;

	r->has_counter = true;
	r->packets = (uint64_t)get_int(o, "packets", 0, e, ctx);
	r->bytes = (uint64_t)get_int(o, "bytes", 0, e, ctx);
}

static void rule_from(const json_t *o, struct nf_rule *r, struct nm_jerr *e, const char *ctx)
{
	const json_t *v;
	char c[160];
	size_t i;

	r->handle = (uint64_t)get_int(o, "handle", 0, e, ctx);
	r->position = (uint64_t)get_int(o, "position", 0, e, ctx);
	r->text = get_str(o, "text", e, ctx);
	object_from(o, "counter", r, e, ctx, counter_cb);
	r->comment = get_str(o, "comment", e, ctx);
	json_array_foreach(json_object_get(o, "match"), i, v)
		match_from(v, NM_PUSH(r->matches, r->n_matches), e, at(c, sizeof(c), ctx, "match", i));
	json_array_foreach(json_object_get(o, "effects"), i, v)
		action_from(v, NM_PUSH(r->effects, r->n_effects), e, at(c, sizeof(c), ctx, "effects", i));
	object_from(o, "action", &r->action, e, ctx, action_cb);
	r->unsupported = get_bool(o, "unsupported", e, ctx);
	r->why = get_str(o, "why", e, ctx);
	r->decoded = get_str(o, "decoded", e, ctx);
	r->raw = get_str(o, "raw", e, ctx);
	v = json_object_get(o, "text_source");
	if (v) {
		for (i = 0; i < NF_TEXT_SOURCE_COUNT; i++)
			if (json_is_string(v) && !strcmp(json_string_value(v), text_sources[i]))
				break;
		if (i == NF_TEXT_SOURCE_COUNT)
			nm_json_fail(e, "%s.text_source: unknown source", ctx);
		else
			r->text_source = (enum nf_text_source)i;
	}
}

/* A base chain's hook and policy: names the writer uses ("none" for a hook or policy the
 * model does not know, such as netdev ingress). */
static void base_chain_from(const json_t *o, struct nf_chain *c, struct nm_jerr *e, const char *ctx)
{
	const char *p = json_string_value(json_object_get(o, "hook"));
	const char *name = c->name ? c->name : "?";
	const json_t *pol = json_object_get(o, "policy");
	int h = p ? nf_parse(NF_NAMES_HOOK, p) : -1;

	if (!p || (h < 0 && strcmp(p, "none")))
		nm_json_fail(e, "%s: base chain %s: no valid \"hook\"", ctx, name);
	c->hook = h < 0 ? NF_HOOK_NONE : (enum nf_hook)h;
	c->priority = (int)get_int(o, "priority", 0, e, ctx);
	c->type = get_str(o, "type", e, ctx);
	c->device = get_str(o, "device", e, ctx);
	p = json_string_value(pol);
	c->policy = p && strcmp(p, "drop") == 0 ? NF_POLICY_DROP :
		    p && strcmp(p, "accept") == 0 ? NF_POLICY_ACCEPT : NF_POLICY_NONE;
	if (pol && c->policy == NF_POLICY_NONE && !json_is_null(pol) && !(p && !strcmp(p, "none")))
		nm_json_fail(e, "%s: base chain %s: unknown \"policy\"", ctx, name);
	c->packets = (uint64_t)get_int(o, "packets", 0, e, ctx);
	c->bytes = (uint64_t)get_int(o, "bytes", 0, e, ctx);
}

static void chain_from(const json_t *o, struct nf_chain *c, struct nm_jerr *e, const char *ctx)
{
	const json_t *v;
	char rc[160];
	size_t i;

	c->name = get_str(o, "name", e, ctx);
	if (!c->name)
		nm_json_fail(e, "%s: chain without name", ctx);
	c->handle = (uint64_t)get_int(o, "handle", 0, e, ctx);
	c->base = get_bool(o, "base", e, ctx);
	c->hook = NF_HOOK_NONE;
	c->policy = NF_POLICY_NONE;
	if (c->base)
		base_chain_from(o, c, e, ctx);
	json_array_foreach(json_object_get(o, "rules"), i, v)
		rule_from(v, NM_PUSH(c->rules, c->n_rules), e, at(rc, sizeof(rc), ctx, "rules", i));
}

static void elem_from(const json_t *o, struct nf_set_elem *el, struct nm_jerr *e, const char *ctx)
{
	el->key = get_hex(o, "key", &el->key_len, e, ctx);
	el->key_end = get_hex(o, "key_end", NULL, e, ctx);
	el->text = get_str(o, "text", e, ctx);
	object_from(o, "verdict", &el->verdict, e, ctx, action_cb);
	el->data = get_hex(o, "data", &el->data_len, e, ctx);
	el->data_text = get_str(o, "data_text", e, ctx);
}

static void set_from(const json_t *o, struct nf_set *s, struct nm_jerr *e, const char *ctx)
{
	const json_t *v;
	char c[160];
	size_t i;

	s->name = get_str(o, "name", e, ctx);
	s->flags = (uint32_t)get_int(o, "flags", 0, e, ctx);
	s->key_type = get_str(o, "key_type", e, ctx);
	s->key_len = (uint32_t)get_int(o, "key_len", 0, e, ctx);
	s->data_type = get_str(o, "data_type", e, ctx);
	s->data_len = (uint32_t)get_int(o, "data_len", 0, e, ctx);
	json_array_foreach(json_object_get(o, "elements"), i, v)
		elem_from(v, NM_PUSH(s->elems, s->n_elems), e, at(c, sizeof(c), ctx, "elements", i));
}

static void table_from(const json_t *o, struct nf_table *t, struct nm_jerr *e, const char *ctx)
{
	int fam = get_name(o, "family", NF_NAMES_FAMILY);
	int be = get_name(o, "backend", NF_NAMES_BACKEND);
	const json_t *v;
	char c[160];
	size_t i;

	if (fam < 0 || be < 0)
		nm_json_fail(e, "%s: table with bad family or backend", ctx);
	t->family = (uint8_t)(fam < 0 ? 0 : fam);
	t->backend = be < 0 ? NF_BACKEND_NFT : (enum nf_backend)be;
	t->name = get_str(o, "name", e, ctx);
	if (!t->name)
		nm_json_fail(e, "%s: table without name", ctx);
	t->flags = (uint32_t)get_int(o, "flags", 0, e, ctx);
	t->handle = (uint64_t)get_int(o, "handle", 0, e, ctx);
	json_array_foreach(json_object_get(o, "sets"), i, v)
		set_from(v, NM_PUSH(t->sets, t->n_sets), e, at(c, sizeof(c), ctx, "sets", i));
	json_array_foreach(json_object_get(o, "chains"), i, v)
		chain_from(v, NM_PUSH(t->chains, t->n_chains), e, at(c, sizeof(c), ctx, "chains", i));
}

int nf_ruleset_from_json(const json_t *j, struct nf_ruleset **out, char *err, size_t errlen)
{
	static const char ctx[] = "netfilter";
	struct nm_jerr e = { .buf = err, .len = errlen };
	struct nf_ruleset *rs;
	const json_t *tables, *t;
	char c[160];
	size_t i;

	*out = NULL;
	if (json_is_null(j))
		return 0;
	if (!json_is_object(j)) {
		nm_json_fail(&e, "%s: not an object", ctx);
		return -EINVAL;
	}
	rs = nf_ruleset_new();
	rs->mixed = get_bool(j, "mixed", &e, ctx);
	rs->nft_read = get_bool(j, "nft_read", &e, ctx);
	rs->legacy_read = get_bool(j, "legacy_read", &e, ctx);
	rs->genid = (uint32_t)get_int(j, "genid", 0, &e, ctx);
	tables = json_object_get(j, "tables");
	if (tables && !json_is_array(tables))	/* null too */
		nm_json_fail(&e, "%s.tables: expected an array", ctx);
	json_array_foreach(tables, i, t)
		table_from(t, NM_PUSH(rs->tables, rs->n_tables), &e, at(c, sizeof(c), ctx, "tables", i));
	if (e.failed) {
		nf_ruleset_free(rs);
		return -EINVAL;
	}
	*out = rs;
	return 0;
}
