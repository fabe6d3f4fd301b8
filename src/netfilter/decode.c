/* SPDX-License-Identifier: GPL-2.0-or-later */
/* decode.c - a buffer of nf_tables netlink messages -> tables, chains, sets, elements, rules. */
#include <arpa/inet.h>
#include <errno.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nf.h"

#define KEYMAX 64

struct raw_elem {
	size_t ti, si;
	uint8_t key[KEYMAX];
	uint32_t klen;
	uint8_t key_end[KEYMAX];
	uint32_t kelen;
	uint32_t flags;
	bool has_verdict;
	int32_t verdict;
	char *chain;
	uint8_t data[KEYMAX];
	uint32_t dlen;
};

struct set_types {
	size_t ti, si;
	uint32_t key, data;	/* nft datatype ids (concatenations: 6 bits per part) */
};

/* A rule in dump order: parsed by libnftnl, or rejected (r == NULL) with the reason. */
struct rule_ent {
	struct nftnl_rule *r;
	uint32_t family;
	char *table, *chain;	/* rejected rules: where they belong, if known */
	uint64_t handle;
	char *why;
};

struct dctx {
	struct nf_ruleset *rs;
	char ***w;
	size_t *nw;
	struct rule_ent *rules;
	size_t n_rules;
	struct raw_elem *elems;
	size_t n_elems;
	struct set_types *types;
	size_t n_types;
	size_t n_ok;
};

/* nft's datatypes (nftables src/datatype.h TYPE_*) the decoder names or prints. */
static const struct datatype {
	const char *name;
	int vk;			/* how a value is printed (NF_VK_HEX if 0) */
	uint32_t len;		/* bytes of a value; 0: as long as the key */
} datatypes[] = {
	[1] = { "verdict", NF_VK_HEX, 0 },
	[2] = { "nf_proto", NF_VK_NFPROTO, 1 },
	[4] = { "integer", NF_VK_HEX, 0 },
	[5] = { "string", NF_VK_HEX, 0 },
	[7] = { "ipv4_addr", NF_VK_IPV4, 4 },
	[8] = { "ipv6_addr", NF_VK_IPV6, 16 },
	[9] = { "ether_addr", NF_VK_HEX, 0 },
	[10] = { "ether_type", NF_VK_HEX, 0 },
	[12] = { "inet_proto", NF_VK_PROTO, 1 },
	[13] = { "inet_service", NF_VK_PORT, 2 },
	[14] = { "icmp_type", NF_VK_ICMP, 1 },
	[15] = { "tcp_flag", NF_VK_TCP_FLAG, 1 },
	[19] = { "mark", NF_VK_MARK, 4 },
	[20] = { "iface_index", NF_VK_HEX, 0 },
	[26] = { "ct_state", NF_VK_CT_STATE, 4 },
	[27] = { "ct_dir", NF_VK_CT_DIR, 1 },
	[28] = { "ct_status", NF_VK_CT_STATUS, 4 },
	[29] = { "icmpv6_type", NF_VK_ICMP6, 1 },
	[31] = { "pkt_type", NF_VK_HEX, 0 },
	[38] = { "fib_addrtype", NF_VK_HEX, 0 },
	[41] = { "ifname", NF_VK_IFNAME, 16 },
};

static const struct datatype *datatype(uint32_t t)
{
	static const struct datatype unknown = { NULL, NF_VK_HEX, 0 };

	return t < ARRAY_SIZE(datatypes) ? &datatypes[t] : &unknown;
}

/* Concatenated types: 6 bits per component, first component in the highest bits. */
static size_t split_type(uint32_t type, uint32_t *parts, size_t max)
{
	uint32_t tmp[8];
	size_t n = 0, i;

	if (type == 0 || type == NFT_DATA_VERDICT) {
		parts[0] = type;
		return 1;
	}
	while (type && n < 8) {
		tmp[n++] = type & 0x3f;
		type >>= 6;
	}
	for (i = 0; i < n && i < max; i++)
		parts[i] = tmp[n - 1 - i];
	return n < max ? n : max;
}

static char *type_text(uint32_t type)
{
	uint32_t parts[8];
	size_t n, i;
	struct nf_buf b = { 0 };

	if (type == NFT_DATA_VERDICT)
		return nm_xstrdup("verdict");
	n = split_type(type, parts, 8);
	for (i = 0; i < n; i++) {
		const char *nm = datatype(parts[i])->name;

		if (i)
			nf_buf_puts(&b, " . ");
		if (nm)
			nf_buf_puts(&b, nm);
		else
			nf_buf_printf(&b, "type%u", parts[i]);
	}
	return nf_buf_steal(&b);
}

/* Text of one key (or an inclusive range lo..hi when hi != NULL). */
static void key_text(struct nf_buf *b, uint32_t type, uint32_t key_len, const uint8_t *lo,
		     const uint8_t *hi, uint32_t len)
{
	uint32_t parts[NF_MAX_KEY_FIELDS * 2];
	size_t n = split_type(type, parts, NF_MAX_KEY_FIELDS * 2), i;
	uint32_t off = 0;

	if (n == 1)
		parts[0] = type;
	for (i = 0; i < n; i++) {
		int vk = datatype(parts[i])->vk;
		uint32_t clen = n == 1 ? (key_len ? key_len : len) :
				datatype(parts[i])->len ? datatype(parts[i])->len : 4;
		uint32_t step = n == 1 ? clen : (clen + 3) / 4 * 4;

		if (i)
			nf_buf_puts(b, " . ");
		if (off + clen > len) {
			nf_buf_puts(b, "?");
			return;
		}
		if (hi && memcmp(lo + off, hi + off, clen)) {
			if (vk == NF_VK_IPV4 || vk == NF_VK_IPV6) {
				struct nm_ip a = { 0 }, z = { 0 };

				a.family = z.family = vk == NF_VK_IPV6 ? AF_INET6 : AF_INET;
				memcpy(a.addr, lo + off, clen > 16 ? 16 : clen);
				memcpy(z.addr, hi + off, clen > 16 ? 16 : clen);
				nf_nft_addr_range_text(b, &a, &z);
			} else {
				nf_nft_value_text(b, vk, lo + off, clen, -1);
				nf_buf_puts(b, "-");
				nf_nft_value_text(b, vk, hi + off, clen, -1);
			}
		} else {
			nf_nft_value_text(b, vk, lo + off, clen, -1);
		}
		off += step;
	}
}

/* A verdict map element's verdict. */
static char *verdict_text(int32_t v, const char *chain, struct nf_action *a)
{
	const char *word;

	a->kind = nf_nft_verdict(v, &word);
	if (a->kind == NF_ACT_QUEUE)
		a->kind = NF_ACT_UNSUPPORTED;	/* not modelled in maps */
	if (a->kind == NF_ACT_UNSUPPORTED)
		return nm_xasprintf("verdict %d", v);
	if (a->kind == NF_ACT_JUMP || a->kind == NF_ACT_GOTO) {
		a->chain = nm_xstrdup(chain ? chain : "?");
		return nm_xasprintf("%s %s", word, a->chain);
	}
	return nm_xstrdup(word);
}

static int elem_cmp(const void *a, const void *b)
{
	const struct raw_elem *x = *(const struct raw_elem *const *)a;
	const struct raw_elem *y = *(const struct raw_elem *const *)b;
	uint32_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	/* an interval end sorts before a start with the same key */
	return (int)(y->flags & NFT_SET_ELEM_INTERVAL_END) - (int)(x->flags & NFT_SET_ELEM_INTERVAL_END);
}

/* Elements of a set whose value nft reads as a host-order number: the last byte weighs most. */
static int elem_cmp_host(const void *a, const void *b)
{
	const struct raw_elem *x = *(const struct raw_elem *const *)a;
	const struct raw_elem *y = *(const struct raw_elem *const *)b;
	bool xc = x->flags & NFT_SET_ELEM_CATCHALL, yc = y->flags & NFT_SET_ELEM_CATCHALL;
	uint32_t i;

	if (xc != yc)
		return xc ? 1 : -1;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	for (i = x->klen; i-- > 0;)
		if (x->key[i] != y->key[i])
			return x->key[i] < y->key[i] ? -1 : 1;
	return 0;
}

/*
 * nft lists the elements of a set without intervals sorted by value: a concatenation as one
 * host-order number of its bytes, a host-order type (ifname, mark, ct state, ct status,
 * interface index) likewise; network-order types by their bytes (elem_cmp's order).
 */
static bool sorts_host_order(uint32_t ktype)
{
	uint32_t parts[8];

	if (split_type(ktype, parts, 8) > 1)
		return true;
	return ktype == 19 || ktype == 20 || ktype == 26 || ktype == 28 || ktype == 41;
}

static void be_decrement(uint8_t *k, uint32_t len)
{
	int32_t i;

	for (i = (int32_t)len - 1; i >= 0; i--) {
		if (k[i]--)
			break;
	}
}

static void finish_set(struct dctx *c, size_t ti, size_t si, uint32_t ktype, uint32_t dtype)
{
	struct nf_set *s = &c->rs->tables[ti].sets[si];
	struct raw_elem **v = NULL;
	size_t n = 0, i;
	bool interval = s->flags & NF_SET_F_INTERVAL;

	for (i = 0; i < c->n_elems; i++)
		if (c->elems[i].ti == ti && c->elems[i].si == si)
			*NM_PUSH(v, n) = &c->elems[i];
	if (!n)
		return;
	nm_qsort(v, n, sizeof(*v), !interval && sorts_host_order(ktype) ? elem_cmp_host : elem_cmp);
	for (i = 0; i < n; i++) {
		struct raw_elem *e = v[i];
		struct nf_set_elem *out;
		struct nf_buf b = { 0 };
		uint8_t end[KEYMAX];
		bool have_end = false;

		if (interval && (e->flags & NFT_SET_ELEM_INTERVAL_END))
			continue;
		out = NM_PUSH(s->elems, s->n_elems);
		out->key_len = e->klen;
		out->key = nm_xcalloc(e->klen + 1, 1);
		memcpy(out->key, e->key, e->klen);
		if (e->kelen) {
			memcpy(end, e->key_end, e->kelen < KEYMAX ? e->kelen : KEYMAX);
			have_end = true;
		} else if (interval && !(e->flags & NFT_SET_ELEM_CATCHALL)) {
			if (i + 1 < n) {
				memcpy(end, v[i + 1]->key, e->klen);
				be_decrement(end, e->klen);
			} else {
				memset(end, 0xff, e->klen);
			}
			have_end = true;
		}
		if (have_end && memcmp(end, e->key, e->klen)) {
			out->key_end = nm_xcalloc(e->klen + 1, 1);
			memcpy(out->key_end, end, e->klen);
		}
		if (e->flags & NFT_SET_ELEM_CATCHALL)
			nf_buf_puts(&b, "*");
		else
			key_text(&b, ktype, s->key_len, e->key,
				 out->key_end, e->klen);
		out->text = nf_buf_steal(&b);
		if (e->has_verdict) {
			out->data_text = verdict_text(e->verdict, e->chain, &out->verdict);
		} else if (e->dlen) {
			struct nf_buf d = { 0 };

			out->data = nm_xcalloc(e->dlen + 1, 1);
			memcpy(out->data, e->data, e->dlen);
			out->data_len = e->dlen;
			key_text(&d, dtype, s->data_len, e->data, NULL, e->dlen);
			out->data_text = nf_buf_steal(&d);
		}
	}
	free(v);
}

static struct nf_table *table_of(struct nf_ruleset *rs, uint32_t family, const char *name, size_t *ti)
{
	size_t i;

	for (i = 0; i < rs->n_tables; i++)
		if (rs->tables[i].family == family && strcmp(rs->tables[i].name, name) == 0) {
			if (ti)
				*ti = i;
			return &rs->tables[i];
		}
	return NULL;
}

static void on_table(struct dctx *c, const struct nlmsghdr *nlh)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nf_table *nt;
	const char *name;
	uint32_t family;

	if (nftnl_table_nlmsg_parse(nlh, t) < 0 || !nftnl_table_is_set(t, NFTNL_TABLE_NAME)) {
		nm_warn(c->w, c->nw, "netfilter: malformed table message");
		goto out;
	}
	name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
	family = nftnl_table_is_set(t, NFTNL_TABLE_FAMILY) ? nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) : 0;
	if (strcmp(nf_family_name(family), "?") == 0) {
		nm_warn(c->w, c->nw, "netfilter: table of unknown family %u skipped", family);
		goto out;
	}
	if (table_of(c->rs, family, name, NULL))
		goto out;
	nt = NM_PUSH(c->rs->tables, c->rs->n_tables);
	nt->family = (uint8_t)family;
	nt->name = nm_xstrdup(name);
	nt->flags = nftnl_table_is_set(t, NFTNL_TABLE_FLAGS) ? nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) : 0;
	nt->handle = nftnl_table_is_set(t, NFTNL_TABLE_HANDLE) ? nftnl_table_get_u64(t, NFTNL_TABLE_HANDLE) : 0;
	nt->backend = NF_BACKEND_NFT;
	c->n_ok++;
out:
	nftnl_table_free(t);
}

static void on_chain(struct dctx *c, const struct nlmsghdr *nlh)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct nf_table *t;
	struct nf_chain *nc;

	if (nftnl_chain_nlmsg_parse(nlh, ch) < 0 || !nftnl_chain_is_set(ch, NFTNL_CHAIN_NAME) ||
	    !nftnl_chain_is_set(ch, NFTNL_CHAIN_TABLE)) {
		nm_warn(c->w, c->nw, "netfilter: malformed chain message");
		goto out;
	}
	t = table_of(c->rs, nftnl_chain_is_set(ch, NFTNL_CHAIN_FAMILY) ?
		     nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY) : 0,
		     nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE), NULL);
	if (!t) {
		nm_warn(c->w, c->nw, "netfilter: chain %s of an unknown table",
			nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME));
		goto out;
	}
	if (nf_chain_find(t, nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME)))
		goto out;
	nc = NM_PUSH(t->chains, t->n_chains);
	nc->name = nm_xstrdup(nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME));
	nc->handle = nftnl_chain_is_set(ch, NFTNL_CHAIN_HANDLE) ? nftnl_chain_get_u64(ch, NFTNL_CHAIN_HANDLE) : 0;
	nc->hook = NF_HOOK_NONE;
	nc->policy = NF_POLICY_NONE;
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM)) {
		uint32_t h = nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM);

		nc->base = true;
		nc->hook = h < NF_HOOK_COUNT ? (enum nf_hook)h : NF_HOOK_NONE;
		if (t->family == NF_FAMILY_NETDEV && h == 0)
			nc->hook = NF_HOOK_INGRESS;
		nc->priority = nftnl_chain_is_set(ch, NFTNL_CHAIN_PRIO) ?
			       nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO) : 0;
		nc->policy = NF_POLICY_ACCEPT;
		if (nftnl_chain_is_set(ch, NFTNL_CHAIN_POLICY))
			nc->policy = nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == 0 ?
				     NF_POLICY_DROP : NF_POLICY_ACCEPT;
		nc->type = nm_xstrdup(nftnl_chain_is_set(ch, NFTNL_CHAIN_TYPE) ?
				      nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE) : "filter");
		if (nftnl_chain_is_set(ch, NFTNL_CHAIN_DEV))
			nc->device = nm_xstrdup(nftnl_chain_get_str(ch, NFTNL_CHAIN_DEV));
		if (nftnl_chain_is_set(ch, NFTNL_CHAIN_PACKETS))
			nc->packets = nftnl_chain_get_u64(ch, NFTNL_CHAIN_PACKETS);
		if (nftnl_chain_is_set(ch, NFTNL_CHAIN_BYTES))
			nc->bytes = nftnl_chain_get_u64(ch, NFTNL_CHAIN_BYTES);
	}
	c->n_ok++;
out:
	nftnl_chain_free(ch);
}

static uint32_t set_u32(const struct nftnl_set *s, uint16_t attr)
{
	return nftnl_set_is_set(s, attr) ? nftnl_set_get_u32(s, attr) : 0;
}

/* The table a set or set element message belongs to (its index in *ti), NULL if unknown. */
static struct nf_table *set_table(struct dctx *c, const struct nftnl_set *s, size_t *ti)
{
	return table_of(c->rs, set_u32(s, NFTNL_SET_FAMILY), nftnl_set_get_str(s, NFTNL_SET_TABLE), ti);
}

/* Both name their set and its table, which libnftnl does not check. */
static bool set_msg_ok(struct dctx *c, int parsed, const struct nftnl_set *s, const char *what)
{
	if (parsed >= 0 && nftnl_set_is_set(s, NFTNL_SET_NAME) && nftnl_set_is_set(s, NFTNL_SET_TABLE))
		return true;
	nm_warn(c->w, c->nw, "netfilter: malformed %s message", what);
	return false;
}

static void on_set(struct dctx *c, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nf_table *t;
	struct nf_set *ns;
	struct set_types *st;

	if (!set_msg_ok(c, nftnl_set_nlmsg_parse(nlh, s), s, "set"))
		goto out;
	t = set_table(c, s, NULL);
	if (!t || nf_set_find(t, nftnl_set_get_str(s, NFTNL_SET_NAME)))
		goto out;
	ns = NM_PUSH(t->sets, t->n_sets);
	st = NM_PUSH(c->types, c->n_types);
	st->ti = (size_t)(t - c->rs->tables);
	st->si = t->n_sets - 1;
	ns->name = nm_xstrdup(nftnl_set_get_str(s, NFTNL_SET_NAME));
	ns->flags = set_u32(s, NFTNL_SET_FLAGS);
	st->key = set_u32(s, NFTNL_SET_KEY_TYPE);
	ns->key_type = type_text(st->key);
	ns->key_len = set_u32(s, NFTNL_SET_KEY_LEN);
	if (ns->flags & NF_SET_F_MAP) {
		st->data = set_u32(s, NFTNL_SET_DATA_TYPE);
		ns->data_type = type_text(st->data);
		ns->data_len = set_u32(s, NFTNL_SET_DATA_LEN);
	}
	c->n_ok++;
out:
	nftnl_set_free(s);
}

/* The bytes of an element attribute, at most KEYMAX of them. */
static void elem_bytes(struct nftnl_set_elem *e, uint16_t attr, uint8_t *out, uint32_t *len)
{
	uint32_t l;
	const void *d;

	if (!nftnl_set_elem_is_set(e, attr))
		return;
	d = nftnl_set_elem_get(e, attr, &l);
	*len = l > KEYMAX ? KEYMAX : l;
	memcpy(out, d, *len);
}

static void add_elem(struct dctx *c, size_t ti, size_t si, struct nftnl_set_elem *e)
{
	struct raw_elem *r = NM_PUSH(c->elems, c->n_elems);

	r->ti = ti;
	r->si = si;
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
		r->flags = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS);
	elem_bytes(e, NFTNL_SET_ELEM_KEY, r->key, &r->klen);
	elem_bytes(e, NFTNL_SET_ELEM_KEY_END, r->key_end, &r->kelen);
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT)) {
		r->has_verdict = true;
		r->verdict = (int32_t)nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT);
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
			r->chain = nm_xstrdup(nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN));
	} else {
		elem_bytes(e, NFTNL_SET_ELEM_DATA, r->data, &r->dlen);
	}
}

static void on_setelems(struct dctx *c, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	const struct nf_set *set;
	struct nf_table *t;
	size_t ti;

	if (!set_msg_ok(c, nftnl_set_elems_nlmsg_parse(nlh, s), s, "set element"))
		goto out;
	t = set_table(c, s, &ti);
	set = t ? nf_set_find(t, nftnl_set_get_str(s, NFTNL_SET_NAME)) : NULL;
	if (!set)
		goto out;
	it = nftnl_set_elems_iter_create(s);
	if (!it)
		goto out;
	while ((e = nftnl_set_elems_iter_next(it)))
		add_elem(c, ti, (size_t)(set - t->sets), e);
	nftnl_set_elems_iter_destroy(it);
	c->n_ok++;
out:
	nftnl_set_free(s);
}

struct rule_where {
	const struct nlattr *table, *chain, *handle;
};

static int rule_where_cb(const struct nlattr *a, void *data)
{
	struct rule_where *rw = data;

	switch (mnl_attr_get_type(a)) {
	case NFTA_RULE_TABLE:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			rw->table = a;
		break;
	case NFTA_RULE_CHAIN:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			rw->chain = a;
		break;
	case NFTA_RULE_HANDLE:
		if (mnl_attr_validate(a, MNL_TYPE_U64) == 0)
			rw->handle = a;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

/* A rule libnftnl must not or could not parse: keep its place (table, chain, handle, as far
 * as they are readable) so that it shows up as an unsupported rule instead of vanishing. */
static void reject_rule(struct dctx *c, const struct nlmsghdr *nlh, const char *why)
{
	struct rule_where rw = { 0 };
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct rule_ent *re;

	mnl_attr_parse(nlh, sizeof(*nfg), rule_where_cb, &rw);
	if (!rw.table || !rw.chain) {
		nm_warn(c->w, c->nw, "netfilter: malformed rule message: %s", why);
		return;
	}
	re = NM_PUSH(c->rules, c->n_rules);
	re->family = nfg->nfgen_family;
	re->table = nm_xstrdup(mnl_attr_get_str(rw.table));
	re->chain = nm_xstrdup(mnl_attr_get_str(rw.chain));
	re->handle = rw.handle ? be64toh(mnl_attr_get_u64(rw.handle)) : 0;
	re->why = nm_xstrdup(why);
}

static void on_rule(struct dctx *c, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 || !nftnl_rule_is_set(r, NFTNL_RULE_TABLE) ||
	    !nftnl_rule_is_set(r, NFTNL_RULE_CHAIN)) {
		nftnl_rule_free(r);
		reject_rule(c, nlh, "libnftnl could not parse the rule");
		return;
	}
	NM_PUSH(c->rules, c->n_rules)->r = r;
	c->n_ok++;
}

/* The placeholder for a rule that could not be decoded: its outcome is unknown. */
static void decode_rejected(const struct rule_ent *re, const struct nf_table *t,
			    const struct nf_chain *ch, struct nf_rule *r)
{
	r->handle = re->handle;
	r->action.kind = NF_ACT_UNSUPPORTED;
	r->action.text = nm_xasprintf("undecodable rule: %s", re->why);
	nf_rule_add_unsupported(r, r->action.text, NULL);
	if (t->backend == NF_BACKEND_NFT)
		r->text = nm_xasprintf("unsupported: %s", r->action.text);
	else
		r->text = nm_xasprintf("-A %s unsupported: %s", ch->name, r->action.text);
}

static void on_gen(struct dctx *c, const struct nlmsghdr *nlh)
{
	struct nftnl_gen *g = nftnl_gen_alloc();

	if (nftnl_gen_nlmsg_parse(nlh, g) >= 0 && nftnl_gen_is_set(g, NFTNL_GEN_ID))
		c->rs->genid = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
}

static bool rule_has_xt(struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	bool xt = false;

	if (!it)
		return false;
	while ((e = nftnl_expr_iter_next(it))) {
		const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		if (n && (strcmp(n, "match") == 0 || strcmp(n, "target") == 0))
			xt = true;
	}
	nftnl_expr_iter_destroy(it);
	return xt;
}

/* The messages of a dump the model is built from; other nf_tables messages are skipped. */
static const struct msg_handler {
	uint8_t type;
	const char *name;
	void (*fn)(struct dctx *c, const struct nlmsghdr *nlh);
} msg_handlers[] = {
	{ NFT_MSG_NEWTABLE, "table", on_table },
	{ NFT_MSG_NEWCHAIN, "chain", on_chain },
	{ NFT_MSG_NEWSET, "set", on_set },
	{ NFT_MSG_NEWSETELEM, "set element", on_setelems },
	{ NFT_MSG_NEWRULE, "rule", on_rule },
	{ NFT_MSG_NEWGEN, "generation", on_gen },
};

/* One nf_tables message (nlmsg_len checked against the buffer): validated, then decoded. */
static void decode_msg(struct dctx *c, const uint8_t *p, uint32_t msglen, uint8_t type)
{
	const struct msg_handler *h = NULL;
	char why[256];
	void *copy;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(msg_handlers); i++)
		if (msg_handlers[i].type == type)
			h = &msg_handlers[i];
	if (!h)
		return;
	/* libmnl expects aligned attributes: parse an aligned copy */
	copy = nm_xcalloc(1, NLMSG_ALIGN(msglen) + 16);
	memcpy(copy, p, msglen);
	if (nf_validate_msg(copy, why, sizeof(why)) == 0)
		h->fn(c, copy);
	else if (type == NFT_MSG_NEWRULE)
		reject_rule(c, copy, why);
	else
		nm_warn(c->w, c->nw, "netfilter: malformed %s message: %s", h->name, why);
	free(copy);
}

static void decode_msgs(struct dctx *c, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off + sizeof(struct nlmsghdr) <= len) {
		struct nlmsghdr hdr;

		memcpy(&hdr, p + off, sizeof(hdr));
		if (hdr.nlmsg_len < sizeof(hdr) || hdr.nlmsg_len > len - off) {
			nm_warn(c->w, c->nw, "netfilter: truncated netlink message at offset %zu", off);
			break;
		}
		if ((hdr.nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES &&
		    hdr.nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nfgenmsg))
			decode_msg(c, p + off, hdr.nlmsg_len, hdr.nlmsg_type & 0xff);
		off += NLMSG_ALIGN(hdr.nlmsg_len);
	}
}

/* Sets: their elements, sorted and printed, once all messages are in. */
static void finish_sets(struct dctx *c)
{
	size_t i;

	for (i = 0; i < c->n_types; i++)
		finish_set(c, c->types[i].ti, c->types[i].si, c->types[i].key, c->types[i].data);
	free(c->types);
	for (i = 0; i < c->n_elems; i++)
		free(c->elems[i].chain);
	free(c->elems);
}

/* Which tool made each new table (an xt expression in any rule settles it). */
static void classify_tables(struct dctx *c, size_t first_table)
{
	struct nf_ruleset *rs = c->rs;
	bool *xt = nm_xcalloc(rs->n_tables + 1, sizeof(bool));
	size_t i, ti;

	for (i = 0; i < c->n_rules; i++)
		if (c->rules[i].r &&
		    table_of(rs, nftnl_rule_get_u32(c->rules[i].r, NFTNL_RULE_FAMILY),
			     nftnl_rule_get_str(c->rules[i].r, NFTNL_RULE_TABLE), &ti) &&
		    rule_has_xt(c->rules[i].r))
			xt[ti] = true;
	for (i = first_table; i < rs->n_tables; i++)
		rs->tables[i].backend = nf_classify_table(&rs->tables[i], xt[i]);
	free(xt);
}

/* Rules in dump order, into their chains (in the syntax of their table's tool). */
static void decode_rules(struct dctx *c)
{
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		struct rule_ent *re = &c->rules[i];
		struct nftnl_rule *nr = re->r;
		uint32_t fam = !nr ? re->family : nftnl_rule_is_set(nr, NFTNL_RULE_FAMILY) ?
			       nftnl_rule_get_u32(nr, NFTNL_RULE_FAMILY) : 0;
		const char *tn = nr ? nftnl_rule_get_str(nr, NFTNL_RULE_TABLE) : re->table;
		const char *cn = nr ? nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN) : re->chain;
		struct nf_table *t = table_of(c->rs, fam, tn, NULL);
		struct nf_chain *ch = t ? nf_chain_find(t, cn) : NULL;

		if (!ch) {
			nm_warn(c->w, c->nw, "netfilter: rule in unknown chain %s", cn);
		} else if (nr) {
			nf_nft_decode_rule(nr, t, ch, NM_PUSH(ch->rules, ch->n_rules));
		} else {
			nm_warn(c->w, c->nw, "netfilter: table %s chain %s: rule %llu not decoded: %s",
				tn, cn, (unsigned long long)re->handle, re->why);
			decode_rejected(re, t, ch, NM_PUSH(ch->rules, ch->n_rules));
		}
		if (nr)
			nftnl_rule_free(nr);
		free(re->table);
		free(re->chain);
		free(re->why);
	}
	free(c->rules);
}

int nf_decode_dump(const void *buf, size_t len, struct nf_ruleset *rs, char ***w, size_t *nw)
{
	struct dctx c = { .rs = rs, .w = w, .nw = nw };
	size_t first_table = rs->n_tables;

	decode_msgs(&c, buf, len);
	finish_sets(&c);
	classify_tables(&c, first_table);
	decode_rules(&c);
	rs->nft_read = true;
	return c.n_ok || len == 0 ? 0 : -EINVAL;
}
