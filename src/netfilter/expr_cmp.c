/* SPDX-License-Identifier: GPL-2.0-or-later */
/* expr_cmp.c - cmp and range: a test on a register -> one match, its nft text and its iptables form, one emitter per field family. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libnftnl/expr.h>
#include <linux/netfilter/nf_tables.h>

#include "expr.h"

/* A comparison being emitted. */
struct cmp {
	struct nf_reg *g;
	enum nf_field field;
	bool inv;
	int vk;			/* NF_VK_*: how the value is printed */
	const uint8_t *d;	/* the value (network order) */
	uint32_t dlen;
	const uint8_t *hi;	/* inclusive upper end of a port range, else NULL */
	struct nf_buf b;	/* the text so far: "lhs " and the operator */
	int plen;		/* a mark under a prefix mask: its length, else -1 */
};

static void cmp_done(struct nf_rctx *c, struct cmp *k)
{
	nf_piece_add(c, nf_buf_steal(&k->b));
}

static uint32_t cmp_u32(const struct cmp *k)
{
	return k->dlen >= 4 ? nf_rd32(k->d) : 0;
}

static uint8_t cmp_u8(const struct cmp *k)
{
	return k->dlen ? k->d[0] : 0;
}

/* ---- the iptables view: what native iptables-nft expressions stand for ---- */

/* The tcp/udp match the ports and flags go into (the last item if it is one). */
static uint8_t *ipt_tcpudp(struct nf_rctx *c, int proto)
{
	const char *name = proto == 6 ? "tcp" : "udp";
	struct nf_xt_item *it;
	uint8_t info[16] = { 0 };
	uint16_t any_hi = 0xffff;

	if (c->ipt->n_items) {
		it = &c->ipt->items[c->ipt->n_items - 1];
		if (it->native && strcmp(it->name, name) == 0)
			return it->info;
	}
	memcpy(info + 2, &any_hi, 2);
	memcpy(info + 6, &any_hi, 2);
	it = nf_ipt_add_item(c->ipt, name, 0, info, 16);
	it->native = true;
	return it->info;
}

static void ipt_ports(struct nf_rctx *c, bool dport, uint16_t lo, uint16_t hi, bool inv)
{
	uint8_t *p;

	if (c->l4 != 6 && c->l4 != 17) {
		c->ipt_bad++;
		return;
	}
	p = ipt_tcpudp(c, c->l4);
	memcpy(p + (dport ? 4 : 0), &lo, 2);
	memcpy(p + (dport ? 6 : 2), &hi, 2);
	if (inv)
		p[c->l4 == 6 ? 11 : 8] |= dport ? 2 : 1;
}

static void ipt_iface(struct nf_rctx *c, bool in, const uint8_t *d, uint32_t len, bool inv)
{
	char *dst = in ? c->ipt->iniface : c->ipt->outiface;
	size_t n = len < 16 ? len : 16;
	bool exact = strnlen((const char *)d, n) < n;

	memcpy(dst, d, n);
	dst[n] = '\0';
	if (!exact && strlen(dst) < 16)
		strcat(dst, "+");
	/* iptables-nft stores "! -i +" as iifname == "INVAL/D" (no name has a '/'): it
	 * matches nothing, and iptables-save prints it back as "! -i +". */
	if (!inv && exact && !strcmp(dst, "INVAL/D")) {
		strcpy(dst, "+");
		inv = true;
	}
	if (in)
		c->ipt->inv_in = inv;
	else
		c->ipt->inv_out = inv;
}

static void ipt_addr(struct nf_rctx *c, bool src, const uint8_t *d, uint32_t len,
		     const uint8_t *mask, bool inv)
{
	uint8_t *a = src ? c->ipt->src : c->ipt->dst;
	uint8_t *m = src ? c->ipt->smsk : c->ipt->dmsk;
	uint32_t i;

	memset(a, 0, 16);
	memset(m, 0, 16);
	for (i = 0; i < len && i < 16; i++) {
		m[i] = mask ? mask[i] : 0xff;
		a[i] = d[i] & m[i];
	}
	if (src) {
		c->ipt->has_src = true;
		c->ipt->inv_src = inv;
	} else {
		c->ipt->has_dst = true;
		c->ipt->inv_dst = inv;
	}
}

/* ---- conntrack, fib, tcp flags: their own operators ---- */

/*
 * ct state / ct status are flags. nft prints a bit test (x & M) != 0 as "M", (x & M) == 0 as
 * "! M", an exact compare as "== V" / "!= V" and any other masked compare as "V / M". The
 * model has the bit tests; a state is one bit, so its exact compare is the same test. An exact
 * or valued compare of the status (several bits at once) is not modelled.
 */
static void cmp_ct_bits(struct nf_rctx *c, const char *lhs, struct cmp *k)
{
	struct nf_reg *g = k->g;
	uint32_t v = cmp_u32(k), bits = v, mk = g->masked ? nf_rd32(g->mask) : 0;
	bool status = g->key == NFT_CT_STATUS, inv = k->inv;
	struct nf_match *m;

	nf_buf_printf(&k->b, "%s ", lhs);
	if (g->masked && v == 0) {
		bits = mk;
		inv = !k->inv;		/* "ct state & M == 0": none of them */
		nf_buf_puts(&k->b, k->inv ? "" : "! ");
	} else if (g->masked) {
		nf_buf_puts(&k->b, k->inv ? "!= " : "");
		nf_nft_ct_bits_text(&k->b, v, status);
		nf_buf_puts(&k->b, " / ");
		bits = mk;
	} else {
		nf_buf_puts(&k->b, k->inv ? "!= " : "== ");
	}
	nf_nft_ct_bits_text(&k->b, bits, status);
	if ((g->masked && v != 0) || (status && !g->masked)) {
		nf_rule_add_unsupported(c->r, k->b.s, NULL);
	} else {
		m = nf_rule_add_match(c->r, status ? NF_MATCH_CT_STATUS : NF_MATCH_CT_STATE, inv);
		if (status)
			m->value = bits;
		else
			m->ct_state = nf_ct_from_nft(bits);
	}
	cmp_done(c, k);
	c->ipt_bad++;
}

static void cmp_ct_direction(struct nf_rctx *c, struct cmp *k)
{
	uint8_t v = cmp_u8(k);

	nf_rule_add_match(c->r, NF_MATCH_CT_DIRECTION, k->inv)->value = v;
	nf_buf_printf(&k->b, "ct direction %s%s", k->inv ? "!= " : "", v ? "reply" : "original");
	cmp_done(c, k);
	c->ipt_bad++;
}

static void cmp_fib(struct nf_rctx *c, const char *lhs, struct cmp *k)
{
	static const char *const rtn_lower[] = {
		"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
		"blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve",
	};
	uint32_t v = cmp_u32(k), flags = k->g->flags;
	struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_ADDRTYPE, k->inv);

	m->addr_dir = (flags & NFTA_FIB_F_SADDR) ? NF_PORT_SRC : NF_PORT_DST;
	m->addrtypes = v < 32 ? 1u << v : 0;
	m->limit_iface = flags & (NFTA_FIB_F_IIF | NFTA_FIB_F_OIF);
	nf_buf_printf(&k->b, "%s %s%s", lhs, k->inv ? "!= " : "", v < 12 ? rtn_lower[v] : "?");
	cmp_done(c, k);
	c->ipt_bad++;
}

/*
 * "fib saddr . mark oif missing" (a reverse path check, firewalld's rpfilter): whether a route
 * back exists. The model has no such match: it stays unsupported, with nft's text. Without
 * the present flag the result is an interface, not modelled either.
 */
static void cmp_fib_oif(struct nf_rctx *c, const char *lhs, struct cmp *k)
{
	bool present = k->g->flags & NFTA_FIB_F_PRESENT;
	uint32_t v = 0;

	memcpy(&v, k->d, k->dlen < 4 ? k->dlen : 4);
	nf_buf_printf(&k->b, "%s %s", lhs, k->inv ? "!= " : "");
	if (present && v <= 1)
		nf_buf_puts(&k->b, v ? "exists" : "missing");
	else if (k->g->key == NFT_FIB_RESULT_OIFNAME)
		nf_nft_value_text(&k->b, NF_VK_IFNAME, k->d, k->dlen, -1);
	else
		nf_buf_printf(&k->b, "%u", v);
	nf_rule_add_unsupported(c->r, k->b.s, NULL);
	cmp_done(c, k);
	c->ipt_bad++;
}

static void tcp_flags_text(struct nf_buf *b, uint8_t v)
{
	static const char *const fl[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < 8; i++)
		if (v & (1u << i)) {
			nf_buf_printf(b, "%s%s", sep, fl[i]);
			sep = ",";
		}
}

/* One flag set. */
static bool one_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

/*
 * tcp flags as nft prints them: a bit test (f & M) != 0 is "M", (f & M) == 0 "! M", an exact
 * compare "== V" / "!= V", (f & M) == V "V / M" ("& M == M" for one flag), "!= V / M".
 */
static void tcp_flags_cmp_text(struct nf_buf *b, bool masked, uint8_t mk, uint8_t v, bool inv)
{
	nf_buf_puts(b, "tcp flags ");
	if (masked && v == 0) {
		nf_buf_puts(b, inv ? "" : "! ");
		tcp_flags_text(b, mk);
		return;
	}
	if (masked && !inv && v == mk && one_bit(mk)) {
		nf_buf_puts(b, "& ");
		tcp_flags_text(b, mk);
		nf_buf_puts(b, " == ");
		tcp_flags_text(b, v);
		return;
	}
	nf_buf_puts(b, inv ? "!= " : masked ? "" : "== ");
	tcp_flags_text(b, v);
	if (!v)
		nf_buf_puts(b, "0x0");
	if (masked) {
		nf_buf_puts(b, " / ");
		tcp_flags_text(b, mk);
	}
}

static void cmp_tcp_flags(struct nf_rctx *c, struct cmp *k)
{
	struct nf_reg *g = k->g;
	uint8_t v = cmp_u8(k), mk = g->masked ? g->mask[0] : 0xff;
	struct nf_match *m;

	tcp_flags_cmp_text(&k->b, g->masked, mk, v, k->inv);
	m = nf_rule_add_match(c->r, NF_MATCH_TCP_FLAGS, k->inv);
	m->mask = mk;
	m->value = v;
	{
		uint8_t *p = ipt_tcpudp(c, 6);

		p[9] = mk;
		p[10] = v;
		if (k->inv)
			p[11] |= 0x04;	/* XT_TCP_INV_FLAGS: "! --tcp-flags" */
	}
	nf_reg_hide_dependency(c, g);
	cmp_done(c, k);
}

/* ---- eq / neq on a field ---- */

static void cmp_iface(struct nf_rctx *c, struct cmp *k)
{
	bool in = k->field == NF_FIELD_IIFNAME;
	size_t n = k->dlen < 16 ? k->dlen : 16;
	char name[17];
	struct nf_match *m;

	memcpy(name, k->d, n);
	name[n] = '\0';
	m = nf_rule_add_match(c->r, in ? NF_MATCH_IIF : NF_MATCH_OIF, k->inv);
	m->ifname = nm_xstrdup(name);
	m->ifprefix = strnlen((const char *)k->d, n) >= n;	/* no NUL: "veth*" */
	ipt_iface(c, in, k->d, k->dlen, k->inv);
	nf_nft_value_text(&k->b, k->vk, k->d, k->dlen, -1);
	cmp_done(c, k);
}

static void cmp_addr(struct nf_rctx *c, struct cmp *k)
{
	struct nf_reg *g = k->g;
	bool src = k->field == NF_FIELD_SADDR, v6 = c->l3 == NF_FAMILY_IP6;
	int plen = g->masked ? nf_mask_plen(g->mask, g->len) : (int)g->len * 8;
	uint32_t alen = v6 ? 16 : 4;
	struct nf_match *m;

	if (plen < 0) {
		/* iptables says it ("-s 10.0.0.0/255.0.255.0"); the model holds prefixes only */
		nf_buf_free(&k->b);
		ipt_addr(c, src, k->d, g->len, g->mask, k->inv);
		nf_piece_add(c, nm_xstrdup("unsupported: address with non-prefix mask"));
		nf_rule_add_unsupported(c->r, "address with non-prefix mask", NULL);
		if (!c->ipt->why)
			c->ipt->why = nm_xstrdup("an address under a non-prefix mask: not modelled");
		nf_reg_hide_dependency(c, g);
		return;
	}
	m = nf_rule_add_match(c->r, src ? NF_MATCH_SADDR : NF_MATCH_DADDR, k->inv);
	m->prefix.family = v6 ? AF_INET6 : AF_INET;
	m->prefix.plen = (uint8_t)plen;
	memcpy(m->prefix.addr, k->d, k->dlen < alen ? k->dlen : alen);
	ipt_addr(c, src, k->d, g->len, g->masked ? g->mask : NULL, k->inv);
	nf_nft_value_text(&k->b, k->vk, k->d, k->dlen, plen);
	nf_reg_hide_dependency(c, g);
	cmp_done(c, k);
}

static void cmp_l4proto(struct nf_rctx *c, struct cmp *k)
{
	uint8_t p = cmp_u8(k);
	size_t piece;

	nf_rule_add_match(c->r, NF_MATCH_L4PROTO, k->inv)->proto = p;
	c->ipt->has_proto = true;
	c->ipt->proto = p;
	c->ipt->inv_proto = k->inv;
	nf_nft_value_text(&k->b, k->vk, k->d, k->dlen, -1);
	if (k->g->kind == NF_SRC_PAYLOAD)
		nf_reg_hide_dependency(c, k->g);
	piece = nf_piece_add(c, nf_buf_steal(&k->b));
	if (!k->inv) {
		/* what follows is about this protocol; nft hides this test behind it */
		c->l4 = p;
		c->l4_piece = (ssize_t)piece;
	}
}

static void cmp_port(struct nf_rctx *c, struct cmp *k)
{
	uint16_t lo = (uint16_t)(k->d[0] << 8 | k->d[1]);
	uint16_t hi = k->hi ? (uint16_t)(k->hi[0] << 8 | k->hi[1]) : lo;
	bool dport = k->field == NF_FIELD_DPORT;
	struct nf_match *m;

	m = nf_rule_add_match(c->r, dport ? NF_MATCH_DPORT : NF_MATCH_SPORT, k->inv);
	m->proto = c->l4 > 0 ? (uint8_t)c->l4 : 0;
	m->port_min = lo;
	m->port_max = hi;
	ipt_ports(c, dport, lo, hi, k->inv);
	nf_nft_value_text(&k->b, k->vk, k->d, 2, -1);
	if (k->hi) {
		nf_buf_puts(&k->b, "-");
		nf_nft_value_text(&k->b, k->vk, k->hi, 2, -1);
	}
	nf_reg_hide_dependency(c, k->g);
	cmp_done(c, k);
}

static void cmp_mark(struct nf_rctx *c, struct cmp *k)
{
	struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_MARK, k->inv);
	uint8_t info[16] = { 0 };

	m->value = cmp_u32(k);
	m->mask = k->g->masked ? nf_rd32(k->g->mask) : 0xffffffffu;
	/* xt_mark_mtinfo1: mark, mask, invert */
	memcpy(info, &m->value, 4);
	memcpy(info + 4, &m->mask, 4);
	info[8] = k->inv;
	nf_ipt_add_item(c->ipt, "mark", 1, info, 16)->native = true;
	nf_nft_value_text(&k->b, k->vk, k->d, k->dlen, -1);
	if (k->plen >= 0)
		nf_buf_printf(&k->b, "/%d", k->plen);
	cmp_done(c, k);
}

static void cmp_icmp_type(struct nf_rctx *c, struct cmp *k)
{
	struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_ICMP_TYPE, k->inv);

	m->proto = (uint8_t)c->l4;
	m->icmp_type = cmp_u8(k);
	nf_nft_value_text(&k->b, k->vk, k->d, k->dlen, -1);
	nf_reg_hide_dependency(c, k->g);
	cmp_done(c, k);
	c->ipt_bad++;
}

/* meta nfproto (inet tables): what follows is about that family */
static void cmp_nfproto(struct nf_rctx *c, struct cmp *k)
{
	size_t piece;

	nf_rule_add_match(c->r, NF_MATCH_NFPROTO, k->inv)->value = cmp_u8(k);
	nf_nft_value_text(&k->b, k->vk, k->d, k->dlen, -1);
	piece = nf_piece_add(c, nf_buf_steal(&k->b));
	if (!k->inv && k->dlen && (k->d[0] == 2 || k->d[0] == 10)) {
		c->l3 = k->d[0];
		c->l3_piece = (ssize_t)piece;
	}
	c->ipt_bad++;
}

/* Fields without a model field: nfproto, iif/oif "lo", or an unsupported test. */
static void cmp_other(struct nf_rctx *c, struct cmp *k)
{
	struct nf_reg *g = k->g;

	if (g->kind == NF_SRC_META && g->key == NFT_META_NFPROTO) {
		cmp_nfproto(c, k);
		return;
	}
	if (g->kind == NF_SRC_META && (g->key == NFT_META_IIF || g->key == NFT_META_OIF) &&
	    cmp_u32(k) == 1 && !g->masked) {
		/* ifindex 1 is "lo" in every namespace */
		nf_rule_add_match(c->r, g->key == NFT_META_IIF ? NF_MATCH_IIF : NF_MATCH_OIF,
				  k->inv)->ifname = nm_xstrdup("lo");
		nf_buf_puts(&k->b, "\"lo\"");
	} else {
		nf_nft_value_text(&k->b, k->vk, k->d, k->dlen, -1);
		if (k->plen >= 0)
			nf_buf_printf(&k->b, "/%d", k->plen);
		nf_rule_add_unsupported(c->r, k->b.s, NULL);
	}
	c->ipt_bad++;
	cmp_done(c, k);
}

static bool is_mark(const struct nf_reg *g)
{
	return (g->kind == NF_SRC_META && g->key == NFT_META_MARK) ||
	       (g->kind == NF_SRC_CT && g->key == NFT_CT_MARK);
}

/* A mark under a mask: "0x00010000/16" when the mask is a prefix, else "& M == V". */
static void mark_mask_text(struct cmp *k, uint32_t mask)
{
	int n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	if (n > 0 && n < 32 && mask == ~0u << (32 - n)) {
		k->plen = n;
		if (k->inv)
			nf_buf_puts(&k->b, "!= ");
		return;
	}
	nf_buf_printf(&k->b, "& 0x%08x %s ", mask, k->inv ? "!=" : "==");
}

static void (*const field_emitters[NF_FIELD_COUNT])(struct nf_rctx *c, struct cmp *k) = {
	[NF_FIELD_IIFNAME] = cmp_iface,
	[NF_FIELD_OIFNAME] = cmp_iface,
	[NF_FIELD_SADDR] = cmp_addr,
	[NF_FIELD_DADDR] = cmp_addr,
	[NF_FIELD_L4PROTO] = cmp_l4proto,
	[NF_FIELD_SPORT] = cmp_port,
	[NF_FIELD_DPORT] = cmp_port,
	[NF_FIELD_MARK] = cmp_mark,
	[NF_FIELD_ICMP_TYPE] = cmp_icmp_type,
};

/* cmp eq/neq (or a gte/lte port range, hi = its upper end) on a register: one condition. */
static void emit_cmp(struct nf_rctx *c, struct nf_reg *g, uint32_t op, const uint8_t *d,
		     uint32_t dlen, const uint8_t *hi)
{
	struct cmp k = { .g = g, .inv = op == NFT_CMP_NEQ, .d = d, .dlen = dlen, .hi = hi,
			 .plen = -1 };
	char lhs[64];

	/* iptables-nft's "-f": ip frag-off & 0x1fff != 0 (== 0 for "! -f") */
	if ((op == NFT_CMP_EQ || op == NFT_CMP_NEQ) && !hi && dlen == 2 && !d[0] && !d[1] &&
	    g->kind == NF_SRC_PAYLOAD && g->base == NFT_PAYLOAD_NETWORK_HEADER && g->masked &&
	    !g->other_op && c->l3 == NF_FAMILY_IP && g->offset == 6 && g->len == 2 &&
	    g->mask[0] == 0x1f && g->mask[1] == 0xff) {
		c->ipt->frag = true;
		c->ipt->inv_frag = op == NFT_CMP_EQ;
		nf_piece_add(c, nm_xasprintf("ip frag-off & 8191 %s 0", op == NFT_CMP_EQ ? "==" : "!="));
		nf_rule_add_match(c->r, NF_MATCH_FRAGMENT, op == NFT_CMP_EQ);
		return;
	}
	/* iptables-nft loads "--sport A --dport B" as one 4-byte compare of both ports; with
	 * both negated it is one "!=" on the pair, which is not what the text says */
	if ((op == NFT_CMP_EQ || op == NFT_CMP_NEQ) && !hi && dlen == 4 && g->kind == NF_SRC_PAYLOAD && !g->masked &&
	    !g->other_op && g->base == NFT_PAYLOAD_TRANSPORT_HEADER && g->offset == 0 &&
	    g->len == 4 && (c->l4 == 6 || c->l4 == 17)) {
		struct nf_reg port = *g;

		port.len = 2;
		emit_cmp(c, &port, op, d, 2, NULL);
		port.offset = 2;
		emit_cmp(c, &port, op, d + 2, 2, NULL);
		if (op == NFT_CMP_NEQ && !c->ipt->why)
			c->ipt->why = nm_xstrdup("iptables-nft stores \"! --sport A ! --dport B\" as one "
						 "compare: the kernel tests (sport, dport) != (A, B)");
		return;
	}
	if ((op != NFT_CMP_EQ && op != NFT_CMP_NEQ && !hi) || !nf_reg_lhs(c, g, lhs, sizeof(lhs), &k.field)) {
		char raw[128];

		snprintf(raw, sizeof(raw), "cmp op %u on unknown source", op);
		nf_piece_unsupported(c, raw);
		return;
	}
	k.vk = nf_reg_value_kind(c, g);
	if (g->kind == NF_SRC_CT && (g->key == NFT_CT_STATE || g->key == NFT_CT_STATUS)) {
		cmp_ct_bits(c, lhs, &k);
	} else if (g->kind == NF_SRC_CT && g->key == NFT_CT_DIRECTION) {
		cmp_ct_direction(c, &k);
	} else if (g->kind == NF_SRC_FIB && g->key == NFT_FIB_RESULT_ADDRTYPE) {
		cmp_fib(c, lhs, &k);
	} else if (g->kind == NF_SRC_FIB) {
		cmp_fib_oif(c, lhs, &k);
	} else if (g->kind == NF_SRC_PAYLOAD && c->l4 == 6 && g->base == NFT_PAYLOAD_TRANSPORT_HEADER &&
		   g->offset == 13) {
		cmp_tcp_flags(c, &k);
	} else {
		nf_buf_printf(&k.b, "%s ", lhs);
		k.plen = -1;
		if (g->masked && is_mark(g))
			mark_mask_text(&k, nf_rd32(g->mask));
		else if (k.inv)
			nf_buf_puts(&k.b, "!= ");
		(field_emitters[k.field] ? field_emitters[k.field] : cmp_other)(c, &k);
	}
}

/* A transport port: iptables-nft writes "--sport :4" as cmp lte, "! --dport :4" as cmp gt,
 * "--dport 4:" (where it does not use a range) as cmp gte alone. */
static bool port_reg(const struct nf_rctx *c, const struct nf_reg *g)
{
	return g->kind == NF_SRC_PAYLOAD && g->base == NFT_PAYLOAD_TRANSPORT_HEADER && !g->masked &&
	       !g->other_op && g->len == 2 && (g->offset == 0 || g->offset == 2) &&
	       (c->l4 == 6 || c->l4 == 17);
}

static void emit_open_range(struct nf_rctx *c, struct nf_reg *g, uint32_t lo, uint32_t hi)
{
	uint8_t a[2] = { (uint8_t)(lo >> 8), (uint8_t)lo }, b[2] = { (uint8_t)(hi >> 8), (uint8_t)hi };

	emit_cmp(c, g, NFT_CMP_EQ, a, 2, b);
}

void nf_cmp_flush(struct nf_rctx *c)
{
	size_t i;

	for (i = 0; i < NF_NREGS; i++) {
		struct nf_reg *g = &c->regs[i];

		if (!g->has_gte)
			continue;
		g->has_gte = false;
		if (port_reg(c, g))
			emit_open_range(c, g, (uint32_t)g->gte[0] << 8 | g->gte[1], 0xffff);
		else
			nf_piece_unsupported(c, "cmp gte without an upper bound");
	}
}

static void decode_cmp(struct nf_rctx *c, const struct nftnl_expr *e)
{
	uint32_t op = nf_expr_u32(e, NFTNL_EXPR_CMP_OP, 0), l;
	const uint8_t *d = nf_expr_data(e, NFTNL_EXPR_CMP_DATA, &l);
	struct nf_reg *g = nf_reg_get(c, nf_expr_u32(e, NFTNL_EXPR_CMP_SREG, 0));

	if (!g || !d) {
		nf_piece_unsupported(c, "cmp on an invalid register");
		return;
	}
	/* nft writes a port range as cmp gte + cmp lte on the same register */
	if (op == NFT_CMP_GTE && l <= 16) {
		g->has_gte = true;
		memset(g->gte, 0, 16);
		memcpy(g->gte, d, l);
		return;
	}
	if (op == NFT_CMP_LTE && g->has_gte && g->kind == NF_SRC_PAYLOAD && l == 2) {
		g->has_gte = false;
		emit_cmp(c, g, NFT_CMP_EQ, g->gte, 2, d);
		return;
	}
	nf_cmp_flush(c);
	if (l == 2 && port_reg(c, g) && (op == NFT_CMP_LTE || op == NFT_CMP_LT || op == NFT_CMP_GT)) {
		uint32_t v = (uint32_t)d[0] << 8 | d[1];

		if (op == NFT_CMP_LTE)
			emit_open_range(c, g, 0, v);
		else if (op == NFT_CMP_LT && v > 0)
			emit_open_range(c, g, 0, v - 1);
		else if (op == NFT_CMP_GT && v < 0xffff)
			emit_open_range(c, g, v + 1, 0xffff);
		else
			nf_piece_unsupported(c, "a port compare no port matches");
		return;
	}
	emit_cmp(c, g, op, d, l, NULL);
}

static void decode_range(struct nf_rctx *c, const struct nftnl_expr *e)
{
	uint32_t op = nf_expr_u32(e, NFTNL_EXPR_RANGE_OP, 0), lf, lt;
	const uint8_t *from = nf_expr_data(e, NFTNL_EXPR_RANGE_FROM_DATA, &lf);
	const uint8_t *to = nf_expr_data(e, NFTNL_EXPR_RANGE_TO_DATA, &lt);
	struct nf_reg *g = nf_reg_get(c, nf_expr_u32(e, NFTNL_EXPR_RANGE_SREG, 0));

	if (!g || !from || !to || lf != 2 || lt != 2 || g->kind != NF_SRC_PAYLOAD) {
		nf_expr_unsupported(c, e);
		return;
	}
	emit_cmp(c, g, op == NFT_RANGE_NEQ ? NFT_CMP_NEQ : NFT_CMP_EQ, from, 2, to);
}

/* ---- ops: name, decoder, the attributes the validator accepts ---- */

const struct nf_expr_ops nf_expr_cmp = NF_EXPR_OPS("cmp", decode_cmp, NF_ATTR(U32, NFTA_CMP_SREG),
	NF_ATTR(U32, NFTA_CMP_OP), NF_ATTR(VALUE, NFTA_CMP_DATA));
const struct nf_expr_ops nf_expr_range = NF_EXPR_OPS("range", decode_range,
	NF_ATTR(U32, NFTA_RANGE_SREG), NF_ATTR(U32, NFTA_RANGE_OP),
	NF_ATTR(VALUE, NFTA_RANGE_FROM_DATA), NF_ATTR(VALUE, NFTA_RANGE_TO_DATA));
