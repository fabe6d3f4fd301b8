/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xt.c - the iptables view of a rule: xtables matches and targets by (name, revision, family) -> iptables-save text + model. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nf.h"

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- the iptables view ---- */

void nf_ipt_free(struct nf_ipt *ipt)
{
	size_t i;

	for (i = 0; i < ipt->n_items; i++) {
		free(ipt->items[i].info);
		free(ipt->items[i].text);
	}
	free(ipt->items);
	free(ipt->target.info);
	free(ipt->target.text);
	free(ipt->chain);
	free(ipt->extra);
	free(ipt->why);
	memset(ipt, 0, sizeof(*ipt));
}

static void item_set(struct nf_xt_item *it, const char *name, uint8_t rev, const void *info,
		     size_t len)
{
	free(it->info);
	snprintf(it->name, sizeof(it->name), "%s", name);
	it->rev = rev;
	it->info = nm_xcalloc(len + 1, 1);
	if (len)
		memcpy(it->info, info, len);
	it->len = len;
}

struct nf_xt_item *nf_ipt_add_item(struct nf_ipt *ipt, const char *name, uint8_t rev,
				   const void *info, size_t len)
{
	struct nf_xt_item *it = NM_PUSH(ipt->items, ipt->n_items);

	item_set(it, name, rev, info, len);
	return it;
}

void nf_ipt_set_target(struct nf_ipt *ipt, const char *name, uint8_t rev, const void *info,
		       size_t len)
{
	item_set(&ipt->target, name, rev, info, len);
	ipt->verdict = NF_IPT_TARGET;
}

struct xt_ctx {
	struct nf_buf *b;
	struct nf_rule *r;
	uint8_t family;
	uint16_t proto;		/* -p value, for ports */
	bool all_lib;		/* every -m/-j part so far is libxtables' own text */
	struct nf_buf *mine;	/* nsmap's own text of the parts that differ */
};

typedef void (*xt_fn)(struct xt_ctx *c, const uint8_t *info, size_t len);

struct xt_decoder {
	const char *name;
	uint8_t rev;
	uint8_t family;		/* 0 = any */
	size_t len;		/* exact INFO length (XT_ALIGN'ed); 0 = checked by fn */
	xt_fn fn;
};

/* -- conntrack -- */

static void ct_state_text(struct nf_buf *b, uint32_t m)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ 0x01, "INVALID" }, { 0x08, "NEW" }, { 0x04, "RELATED" },
		{ 0x02, "ESTABLISHED" }, { 0x100, "UNTRACKED" }, { 0x40, "SNAT" },
		{ 0x80, "DNAT" },
	};
	const char *sep = " ";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (m & names[i].bit) {
			nf_buf_printf(b, "%s%s", sep, names[i].name);
			sep = ",";
		}
	}
}

static uint32_t ct_state_from_xt(uint32_t m)
{
	return (m & 0x0f) | ((m & 0x40) ? NF_CT_SNAT : 0) | ((m & 0x80) ? NF_CT_DNAT : 0) |
	       ((m & 0x100) ? NF_CT_UNTRACKED : 0);
}

static void addr_mask_text(struct nf_buf *b, uint8_t family, const uint8_t *addr, const uint8_t *mask)
{
	char s[INET6_ADDRSTRLEN];
	size_t alen = family == NF_FAMILY_IP6 ? 16 : 4;
	int plen = nf_mask_plen(mask, alen);

	inet_ntop(family == NF_FAMILY_IP6 ? AF_INET6 : AF_INET, addr, s, sizeof(s));
	nf_buf_puts(b, s);
	if (plen >= 0) {
		nf_buf_printf(b, "/%d", plen);
	} else {
		inet_ntop(family == NF_FAMILY_IP6 ? AF_INET6 : AF_INET, mask, s, sizeof(s));
		nf_buf_printf(b, "/%s", s);
	}
}

static const char *const ct_status_names[] = { "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED" };

static void xt_conntrack(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	unsigned int rev = len == 152 ? 1 : len == 160 ? 2 : 3;
	uint16_t flags = nf_rd16(p + 146), inv = nf_rd16(p + 148);
	uint32_t state = rev == 1 ? p[150] : nf_rd16(p + 150);
	uint32_t status = rev == 1 ? p[151] : nf_rd16(p + 152);
	bool alias = rev >= 1 && (flags & 0x2000);
	struct nf_buf part = { 0 };
	static const struct { uint16_t bit; const char *opt; size_t off; } addrs[] = {
		{ 0x4, "ctorigsrc", 0 }, { 0x8, "ctorigdst", 32 },
		{ 0x10, "ctreplsrc", 64 }, { 0x20, "ctrepldst", 96 },
	};
	static const struct { uint16_t bit; const char *opt; size_t off, hi; } ports[] = {
		{ 0x100, "ctorigsrcport", 138, 154 }, { 0x200, "ctorigdstport", 140, 156 },
		{ 0x400, "ctreplsrcport", 142, 158 }, { 0x800, "ctrepldstport", 144, 160 },
	};
	size_t i;

	if (flags & 0x1) {
		struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_CT_STATE, inv & 0x1);

		m->ct_state = ct_state_from_xt(state);
		nf_buf_printf(c->b, "%s --%s", (inv & 0x1) ? " !" : "", alias ? "state" : "ctstate");
		ct_state_text(c->b, state);
	}
	if (alias)
		return;
	if (flags & 0x2) {
		const char *pn = nm_proto_name(nf_rd16(p + 136));

		nf_buf_printf(&part, "%s --ctproto", (inv & 0x2) ? " !" : "");
		if (pn)
			nf_buf_printf(&part, " %s", pn);
		else
			nf_buf_printf(&part, " %u", nf_rd16(p + 136));
	}
	for (i = 0; i < 4; i++) {
		if (!(flags & addrs[i].bit))
			continue;
		nf_buf_printf(&part, "%s --%s ", (inv & addrs[i].bit) ? " !" : "", addrs[i].opt);
		addr_mask_text(&part, c->family, p + addrs[i].off, p + addrs[i].off + 16);
	}
	for (i = 0; i < 4; i++) {
		uint16_t lo, hi;

		if (!(flags & ports[i].bit))
			continue;
		if (rev == 3) {
			lo = nf_rd16(p + ports[i].off);
			hi = nf_rd16(p + ports[i].hi);
		} else {
			lo = hi = get_be16(p + ports[i].off);
		}
		nf_buf_printf(&part, "%s --%s %u", (inv & ports[i].bit) ? " !" : "", ports[i].opt, lo);
		if (hi != lo)
			nf_buf_printf(&part, ":%u", hi);
	}
	if (flags & 0x40) {
		const char *sep = " ";

		nf_buf_printf(c->b, "%s --ctstatus", (inv & 0x40) ? " !" : "");
		for (i = 0; i < 4; i++) {
			if (status & (1u << i)) {
				nf_buf_printf(c->b, "%s%s", sep, ct_status_names[i]);
				sep = ",";
			}
		}
		if (!status)
			nf_buf_puts(c->b, " NONE");
		struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_CT_STATUS, inv & 0x40);

		m->value = status;
	}
	if (flags & 0x80) {
		uint32_t lo = nf_rd32(p + 128), hi = nf_rd32(p + 132);

		nf_buf_printf(&part, "%s --ctexpire %u", (inv & 0x80) ? " !" : "", lo);
		if (hi != lo)
			nf_buf_printf(&part, ":%u", hi);
	}
	if (part.len) {
		nf_buf_puts(c->b, part.s);
		nf_rule_add_unsupported(c->r, part.s + 1, NULL);
	}
	nf_buf_free(&part);
	if (flags & 0x1000) {
		struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_CT_DIRECTION, false);

		m->value = (inv & 0x1000) ? 1 : 0;
		nf_buf_printf(c->b, " --ctdir %s", (inv & 0x1000) ? "REPLY" : "ORIGINAL");
	}
}

static void xt_state(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	uint32_t m = nf_rd32(p), xt;
	struct nf_match *mm = nf_rule_add_match(c->r, NF_MATCH_CT_STATE, false);

	(void)len;
	mm->ct_state = (m & 0x0f) | ((m & 0x40) ? NF_CT_UNTRACKED : 0);
	xt = (m & 0x0f) | ((m & 0x40) ? 0x100 : 0);
	nf_buf_puts(c->b, " --state");
	ct_state_text(c->b, xt);
}

/* -- addrtype -- */

static const char *const rtn_names[] = {
	"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
	"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
};

static void addrtype_text(struct nf_buf *b, uint16_t m)
{
	const char *sep = " ";
	unsigned int i;

	for (i = 0; i < 12; i++) {
		if (m & (1u << i)) {
			nf_buf_printf(b, "%s%s", sep, rtn_names[i]);
			sep = ",";
		}
	}
}

/* --src-type / --dst-type TYPES */
static void addrtype_dir(struct xt_ctx *c, enum nf_port_dir dir, uint16_t types, bool inv,
			 bool limit)
{
	struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_ADDRTYPE, inv);

	m->addr_dir = dir;
	m->addrtypes = types;
	m->limit_iface = limit;
	nf_buf_printf(c->b, "%s --%s-type", inv ? " !" : "", dir == NF_PORT_SRC ? "src" : "dst");
	addrtype_text(c->b, types);
}

static void addrtype_common(struct xt_ctx *c, uint16_t src, uint16_t dst, bool inv_src,
			    bool inv_dst, bool lim_in, bool lim_out)
{
	if (src)
		addrtype_dir(c, NF_PORT_SRC, src, inv_src, lim_in || lim_out);
	if (dst)
		addrtype_dir(c, NF_PORT_DST, dst, inv_dst, lim_in || lim_out);
	if (lim_in)
		nf_buf_puts(c->b, " --limit-iface-in");
	if (lim_out)
		nf_buf_puts(c->b, " --limit-iface-out");
}

static void xt_addrtype1(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	uint32_t f = nf_rd32(p + 4);

	(void)len;
	addrtype_common(c, nf_rd16(p), nf_rd16(p + 2), f & 1, f & 2, f & 4, f & 8);
}

static void xt_addrtype0(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	(void)len;
	addrtype_common(c, nf_rd16(p), nf_rd16(p + 2), nf_rd32(p + 4), nf_rd32(p + 8), false, false);
}

/* -- comment -- */

static void xt_comment(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	char s[257];
	struct nf_match *m;

	memcpy(s, p, len < 256 ? len : 256);
	s[len < 256 ? len : 256] = '\0';
	nf_buf_puts(c->b, " --comment");
	nf_buf_save_string(c->b, s);
	m = nf_rule_add_match(c->r, NF_MATCH_COMMENT, false);
	m->text = nm_xstrdup(s);
	if (!c->r->comment)
		c->r->comment = nm_xstrdup(s);
}

/* -- tcp / udp -- */

static void ports_text(struct xt_ctx *c, const char *opt, uint16_t lo, uint16_t hi, bool inv,
		       enum nf_match_kind kind, uint8_t proto)
{
	struct nf_match *m;

	if (lo == 0 && hi == 0xffff && !inv)
		return;
	nf_buf_printf(c->b, "%s --%s %u", inv ? " !" : "", opt, lo);
	if (hi != lo)
		nf_buf_printf(c->b, ":%u", hi);
	m = nf_rule_add_match(c->r, kind, inv);
	m->proto = proto;
	m->port_min = lo;
	m->port_max = hi;
}

static void tcp_flags_text(struct nf_buf *b, uint8_t f)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ 0x01, "FIN" }, { 0x02, "SYN" }, { 0x04, "RST" }, { 0x08, "PSH" },
		{ 0x10, "ACK" }, { 0x20, "URG" },
	};
	const char *sep = " ";
	size_t i;

	if ((f & 0x3f) == 0x3f) {
		nf_buf_puts(b, " ALL");
		return;
	}
	if (!f) {
		nf_buf_puts(b, " NONE");
		return;
	}
	for (i = 0; i < 6; i++) {
		if (f & names[i].bit) {
			nf_buf_printf(b, "%s%s", sep, names[i].name);
			sep = ",";
		}
	}
}

static void xt_tcp(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	uint8_t inv = p[11];

	(void)len;
	ports_text(c, "sport", nf_rd16(p), nf_rd16(p + 2), inv & 1, NF_MATCH_SPORT, 6);
	ports_text(c, "dport", nf_rd16(p + 4), nf_rd16(p + 6), inv & 2, NF_MATCH_DPORT, 6);
	if (p[8] || (inv & 8)) {
		char s[48];

		snprintf(s, sizeof(s), "--tcp-option %u", p[8]);
		nf_buf_printf(c->b, "%s %s", (inv & 8) ? " !" : "", s);
		nf_rule_add_unsupported(c->r, s, NULL);
	}
	if (p[9] || (inv & 4)) {
		struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_TCP_FLAGS, inv & 4);

		m->mask = p[9];
		m->value = p[10];
		nf_buf_printf(c->b, "%s --tcp-flags", (inv & 4) ? " !" : "");
		tcp_flags_text(c->b, p[9]);
		tcp_flags_text(c->b, p[10]);
	}
}

static void xt_udp(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	uint8_t inv = p[8];

	(void)len;
	ports_text(c, "sport", nf_rd16(p), nf_rd16(p + 2), inv & 1, NF_MATCH_SPORT, 17);
	ports_text(c, "dport", nf_rd16(p + 4), nf_rd16(p + 6), inv & 2, NF_MATCH_DPORT, 17);
}

/* -- multiport -- */

static void multiport_common(struct xt_ctx *c, const uint8_t *p, bool v1)
{
	uint8_t flags = p[0], count = p[1], i;
	bool inv = v1 ? p[47] : false;
	static const char *const opt[] = { "sports", "dports", "ports" };
	struct nf_match *m;

	if (count > 15)
		count = 15;
	if (flags > 2) {
		nf_rule_add_unsupported(c->r, "multiport with unknown flags", NULL);
		nf_buf_puts(c->b, " unsupported: multiport flags");
		return;
	}
	m = nf_rule_add_match(c->r, NF_MATCH_MULTIPORT, inv);
	m->port_dir = flags;
	m->proto = (uint8_t)c->proto;
	nf_buf_printf(c->b, "%s --%s ", inv ? " !" : "", opt[flags]);
	for (i = 0; i < count; i++) {
		struct nf_port_range *pr = NM_PUSH(m->ports, m->n_ports);

		pr->min = pr->max = nf_rd16(p + 2 + 2 * i);
		nf_buf_printf(c->b, "%s%u", i ? "," : "", pr->min);
		if (v1 && p[32 + i] && i + 1 < count) {
			i++;
			pr->max = nf_rd16(p + 2 + 2 * i);
			nf_buf_printf(c->b, ":%u", pr->max);
		}
	}
}

static void xt_multiport1(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	(void)len;
	multiport_common(c, p, true);
}

static void xt_multiport0(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	(void)len;
	multiport_common(c, p, false);
}

/* -- mark -- */

static void mark_text(struct nf_buf *b, uint32_t v, uint32_t m)
{
	if (m != 0xffffffffu)
		nf_buf_printf(b, " 0x%x/0x%x", v, m);
	else
		nf_buf_printf(b, " 0x%x", v);
}

static void xt_mark1(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_MARK, p[8]);

	(void)len;
	m->value = nf_rd32(p);
	m->mask = nf_rd32(p + 4);
	nf_buf_printf(c->b, "%s --mark", p[8] ? " !" : "");
	mark_text(c->b, m->value, m->mask);
}

/* -- physdev -- */

static void physdev_name(char *dst, const uint8_t *name, const uint8_t *mask, bool *prefix)
{
	size_t i;

	memcpy(dst, name, 16);
	dst[16] = '\0';
	*prefix = false;
	for (i = 0; i < 16; i++) {
		if (mask[i] == 0) {
			/* iptables stores "veth+" literally; the mask stops before the '+' */
			*prefix = i > 0 && name[i - 1] != '\0';
			break;
		}
	}
}

/* --physdev-in / --physdev-out NAME ("veth+" for a prefix) */
static void physdev_port(struct xt_ctx *c, const uint8_t *name, const uint8_t *mask, bool out,
			 bool inv)
{
	char n[17];
	bool prefix;
	size_t len;
	struct nf_match *m;

	physdev_name(n, name, mask, &prefix);
	len = strlen(n);
	m = nf_rule_add_match(c->r, out ? NF_MATCH_PHYSDEV_OUT : NF_MATCH_PHYSDEV_IN, inv);
	m->ifname = nm_xstrdup(n);
	if (prefix && len && n[len - 1] == '+') {
		m->ifname[len - 1] = '\0';
		m->ifprefix = true;
	}
	nf_buf_printf(c->b, "%s --physdev-%s %s", inv ? " !" : "", out ? "out" : "in", n);
}

/* --physdev-is-in / -is-out / -is-bridged */
static void physdev_is(struct xt_ctx *c, enum nf_match_kind kind, const char *what, bool inv)
{
	nf_rule_add_match(c->r, kind, inv);
	nf_buf_printf(c->b, "%s --physdev-is-%s", inv ? " !" : "", what);
}

static void xt_physdev(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	uint8_t inv = p[64], bm = p[65];

	(void)len;
	if (bm & 0x08)
		physdev_is(c, NF_MATCH_PHYSDEV_IS_IN, "in", inv & 0x08);
	if (bm & 0x01)
		physdev_port(c, p, p + 16, false, inv & 0x01);
	if (bm & 0x10)
		physdev_is(c, NF_MATCH_PHYSDEV_IS_OUT, "out", inv & 0x10);
	if (bm & 0x02)
		physdev_port(c, p + 32, p + 48, true, inv & 0x02);
	if (bm & 0x04)
		physdev_is(c, NF_MATCH_PHYSDEV_IS_BRIDGED, "bridged", inv & 0x04);
}

/* -- icmp -- */

static void xt_icmp(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	bool inv = p[3] & 1;
	struct nf_match *m = nf_rule_add_match(c->r, NF_MATCH_ICMP_TYPE, inv);
	bool v6 = c->family == NF_FAMILY_IP6;

	(void)len;
	m->proto = v6 ? 58 : 1;
	nf_buf_printf(c->b, "%s --%s", inv ? " !" : "", v6 ? "icmpv6-type" : "icmp-type");
	if (p[0] == 0xff && !v6) {
		nf_buf_puts(c->b, " any");
		return;
	}
	m->icmp_type = p[0];
	nf_buf_printf(c->b, " %u", p[0]);
	if (p[1] != 0 || p[2] != 0xff) {
		m->icmp_code = p[1];
		nf_buf_printf(c->b, "/%u", p[1]);
	}
}

/* -- statistic (rev 0): u16 mode, u16 flags, union { u32 probability; u32 every, packet,
 * count } u, then the kernel's private pointer -- */

static void xt_statistic(struct xt_ctx *c, const uint8_t *p, size_t len)
{
	uint16_t mode = nf_rd16(p), flags = nf_rd16(p + 2);
	bool inv = flags & 1;
	struct nf_match *m;

	(void)len;
	if (mode > 1 || (flags & ~1u)) {
		char *hex = nf_hex(p, len);
		char *t = nm_xasprintf("-m statistic rev 0 info %s", hex);

		nf_buf_printf(c->b, " unsupported: %s", t);
		nf_rule_add_unsupported(c->r, t, hex);
		free(t);
		free(hex);
		return;
	}
	m = nf_rule_add_match(c->r, NF_MATCH_STATISTIC, inv);
	if (mode == 0) {
		m->value = nf_rd32(p + 4);
		nf_buf_printf(c->b, " --mode random%s --probability %.11f", inv ? " !" : "",
			      m->value / 2147483648.0);
		return;
	}
	m->stat_nth = true;
	/* the kernel keeps every - 1; the model holds the user's N of --every N */
	m->stat_every = nf_rd32(p + 4) + 1;
	m->stat_packet = nf_rd32(p + 8);
	nf_buf_printf(c->b, " --mode nth%s --every %u", inv ? " !" : "", m->stat_every);
	/* iptables-save always prints the packet counter start */
	nf_buf_printf(c->b, " --packet %u", m->stat_packet);
}

static const struct xt_decoder match_decoders[] = {
	{ "conntrack", 1, 0, 152, xt_conntrack },
	{ "conntrack", 2, 0, 160, xt_conntrack },
	{ "conntrack", 3, 0, 168, xt_conntrack },
	{ "state", 0, 0, 8, xt_state },
	{ "addrtype", 1, 0, 8, xt_addrtype1 },
	{ "addrtype", 0, NF_FAMILY_IP, 16, xt_addrtype0 },
	{ "comment", 0, 0, 256, xt_comment },
	{ "tcp", 0, 0, 16, xt_tcp },
	{ "udp", 0, 0, 16, xt_udp },
	{ "multiport", 1, 0, 48, xt_multiport1 },
	{ "multiport", 0, 0, 32, xt_multiport0 },
	{ "mark", 1, 0, 16, xt_mark1 },
	{ "physdev", 0, 0, 72, xt_physdev },
	{ "icmp", 0, NF_FAMILY_IP, 8, xt_icmp },
	{ "icmp6", 0, NF_FAMILY_IP6, 8, xt_icmp },
	{ "statistic", 0, 0, 24, xt_statistic },
};

/* ---- targets ---- */

struct nat_range {
	uint32_t flags;
	struct nm_ip min, max;
	uint16_t pmin, pmax;	/* host order */
	uint16_t base;
	bool has_base;
};

static bool nat_decode(const uint8_t *p, size_t len, uint8_t family, unsigned int rev,
		       struct nat_range *nr)
{
	memset(nr, 0, sizeof(*nr));
	if (family == NF_FAMILY_IP && rev == 0 && len == 24) {
		/* nf_nat_ipv4_multi_range_compat: rangesize, then one nf_nat_ipv4_range */
		if (nf_rd32(p) != 1)
			return false;
		nr->flags = nf_rd32(p + 4);
		nr->min.family = nr->max.family = AF_INET;
		nr->min.plen = nr->max.plen = 32;
		memcpy(nr->min.addr, p + 8, 4);
		memcpy(nr->max.addr, p + 12, 4);
		nr->pmin = get_be16(p + 16);
		nr->pmax = get_be16(p + 18);
		return true;
	}
	if ((rev == 1 && len == 40) || (rev == 2 && len == 48) ||
	    (family == NF_FAMILY_IP6 && rev == 0 && len == 40)) {
		bool v6 = family == NF_FAMILY_IP6;

		nr->flags = nf_rd32(p);
		nr->min.family = nr->max.family = v6 ? AF_INET6 : AF_INET;
		nr->min.plen = nr->max.plen = v6 ? 128 : 32;
		memcpy(nr->min.addr, p + 4, v6 ? 16 : 4);
		memcpy(nr->max.addr, p + 20, v6 ? 16 : 4);
		nr->pmin = get_be16(p + 36);
		nr->pmax = get_be16(p + 38);
		if (rev == 2 && (nr->flags & 0x20)) {
			nr->base = get_be16(p + 40);
			nr->has_base = true;
		}
		return true;
	}
	return false;
}

static void nat_to_action(const struct nat_range *nr, struct nf_action *a)
{
	a->nat_flags = nr->flags;
	if (nr->flags & NF_NAT_F_MAP_IPS) {
		a->addr_min = nr->min;
		a->addr_max = nr->max;
	}
	if (nr->flags & NF_NAT_F_PROTO) {
		a->port_min = nr->pmin;
		a->port_max = nr->pmax;
	}
}

static void nat_range_text(struct nf_buf *b, const struct nat_range *nr)
{
	char s[INET6_ADDRSTRLEN];
	bool v6 = nr->min.family == AF_INET6;

	if (nr->flags & NF_NAT_F_MAP_IPS) {
		if (v6 && (nr->flags & NF_NAT_F_PROTO))
			nf_buf_puts(b, "[");
		inet_ntop(nr->min.family, nr->min.addr, s, sizeof(s));
		nf_buf_puts(b, s);
		if (memcmp(nr->min.addr, nr->max.addr, 16)) {
			inet_ntop(nr->max.family, nr->max.addr, s, sizeof(s));
			nf_buf_printf(b, "-%s", s);
		}
		if (v6 && (nr->flags & NF_NAT_F_PROTO))
			nf_buf_puts(b, "]");
	}
	if (nr->flags & NF_NAT_F_PROTO) {
		nf_buf_printf(b, ":%u", nr->pmin);
		if (nr->pmax != nr->pmin)
			nf_buf_printf(b, "-%u", nr->pmax);
		if (nr->has_base)
			nf_buf_printf(b, "/%u", nr->base);
	}
}

static void nat_flags_text(struct nf_buf *b, uint32_t f, bool persistent)
{
	if (f & NF_NAT_F_RANDOM)
		nf_buf_puts(b, " --random");
	if (f & NF_NAT_F_RANDOM_FULLY)
		nf_buf_puts(b, " --random-fully");
	if (persistent && (f & NF_NAT_F_PERSISTENT))
		nf_buf_puts(b, " --persistent");
}

struct tg_ctx {
	struct nf_buf *b;
	struct nf_rule *r;
	uint8_t family;
	const char *name;
	unsigned int rev;
	struct xt_ctx *xc;
};

typedef bool (*tg_fn)(struct tg_ctx *c, const uint8_t *info, size_t len);

/* MASQUERADE and REDIRECT: no address, only ports (and flags). */
static bool tg_ports_only(struct tg_ctx *c, const uint8_t *p, size_t len, enum nf_action_kind kind,
			  struct nat_range *nr)
{
	if (!nat_decode(p, len, c->family, c->rev, nr))
		return false;
	c->r->action.kind = kind;
	nat_to_action(nr, &c->r->action);
	c->r->action.addr_min.family = c->r->action.addr_max.family = 0;
	if (nr->flags & NF_NAT_F_PROTO) {
		nf_buf_printf(c->b, " --to-ports %u", nr->pmin);
		if (nr->pmax != nr->pmin)
			nf_buf_printf(c->b, "-%u", nr->pmax);
	}
	return true;
}

static bool tg_masquerade(struct tg_ctx *c, const uint8_t *p, size_t len)
{
	struct nat_range nr;

	if (!tg_ports_only(c, p, len, NF_ACT_MASQUERADE, &nr))
		return false;
	nat_flags_text(c->b, nr.flags, false);
	return true;
}

static bool tg_redirect(struct tg_ctx *c, const uint8_t *p, size_t len)
{
	struct nat_range nr;

	if (!tg_ports_only(c, p, len, NF_ACT_REDIRECT, &nr))
		return false;
	if (nr.flags & NF_NAT_F_RANDOM)
		nf_buf_puts(c->b, " --random");
	return true;
}

static bool tg_snat_dnat(struct tg_ctx *c, const uint8_t *p, size_t len)
{
	struct nat_range nr;
	bool snat = strcmp(c->name, "SNAT") == 0;

	if (!nat_decode(p, len, c->family, c->rev, &nr))
		return false;
	c->r->action.kind = snat ? NF_ACT_SNAT : NF_ACT_DNAT;
	nat_to_action(&nr, &c->r->action);
	if (nr.flags & (NF_NAT_F_MAP_IPS | NF_NAT_F_PROTO)) {
		nf_buf_printf(c->b, " --to-%s ", snat ? "source" : "destination");
		nat_range_text(c->b, &nr);
	}
	nat_flags_text(c->b, nr.flags, true);
	return true;
}

static bool tg_reject(struct tg_ctx *c, const uint8_t *p, size_t len)
{
	static const char *const v4[] = {
		"icmp-net-unreachable", "icmp-host-unreachable", "icmp-proto-unreachable",
		"icmp-port-unreachable", "icmp-echo-reply", "icmp-net-prohibited",
		"icmp-host-prohibited", "tcp-reset", "icmp-admin-prohibited",
	};
	static const char *const v6[] = {
		"icmp6-no-route", "icmp6-adm-prohibited", "icmp6-not-neighbour",
		"icmp6-addr-unreachable", "icmp6-port-unreachable", "icmp6-echo-reply",
		"tcp-reset", "icmp6-policy-fail", "icmp6-reject-route",
	};
	uint32_t w = nf_rd32(p);

	(void)len;
	if (w >= 9)
		return false;
	c->r->action.kind = NF_ACT_REJECT;
	c->r->action.reject_with = nm_xstrdup(c->family == NF_FAMILY_IP6 ? v6[w] : v4[w]);
	nf_buf_printf(c->b, " --reject-with %s", c->r->action.reject_with);
	return true;
}

/* LOG and NFLOG: a log effect; the prefix is printed as --OPT "prefix" when there is one. */
static void log_effect(struct tg_ctx *c, uint32_t value, const char *prefix, const char *opt)
{
	struct nf_action *a = NM_PUSH(c->r->effects, c->r->n_effects);

	a->kind = NF_ACT_LOG;
	a->value = value;
	a->text = nm_xstrdup(prefix);
	if (prefix[0]) {
		nf_buf_printf(c->b, " --%s", opt);
		nf_buf_save_string(c->b, prefix);
	}
}

static bool tg_log(struct tg_ctx *c, const uint8_t *p, size_t len)
{
	static const struct { uint8_t bit; const char *opt; } flags[] = {
		{ 0x01, "--log-tcp-sequence" }, { 0x02, "--log-tcp-options" },
		{ 0x04, "--log-ip-options" }, { 0x08, "--log-uid" }, { 0x20, "--log-macdecode" },
	};
	char prefix[31];
	uint8_t level = p[0], fl = p[1];
	size_t i;

	(void)len;
	memcpy(prefix, p + 2, 30);
	prefix[30] = '\0';
	log_effect(c, level, prefix, "log-prefix");
	if (level != 4)
		nf_buf_printf(c->b, " --log-level %u", level);
	for (i = 0; i < ARRAY_SIZE(flags); i++)
		if (fl & flags[i].bit)
			nf_buf_printf(c->b, " %s", flags[i].opt);
	return true;
}

static bool tg_nflog(struct tg_ctx *c, const uint8_t *p, size_t len)
{
	char prefix[65];
	uint32_t snaplen = nf_rd32(p);
	uint16_t group = nf_rd16(p + 4), thr = nf_rd16(p + 6), fl = nf_rd16(p + 8);

	(void)len;
	memcpy(prefix, p + 12, 64);
	prefix[64] = '\0';
	log_effect(c, group, prefix, "nflog-prefix");
	if (group)
		nf_buf_printf(c->b, " --nflog-group %u", group);
	if (fl & 1)
		nf_buf_printf(c->b, " --nflog-size %u", snaplen);
	if (thr > 1)
		nf_buf_printf(c->b, " --nflog-threshold %u", thr);
	return true;
}

static bool tg_mark2(struct tg_ctx *c, const uint8_t *p, size_t len)
{
	struct nf_action *a = NM_PUSH(c->r->effects, c->r->n_effects);

	(void)len;
	a->kind = NF_ACT_MARK_SET;
	a->value = nf_rd32(p);
	a->mask = nf_rd32(p + 4);
	nf_buf_printf(c->b, " --set-xmark 0x%x/0x%x", a->value, a->mask);
	return true;
}

struct tg_decoder {
	const char *name;
	uint8_t rev;
	uint8_t family;
	size_t len;
	tg_fn fn;
};

static const struct tg_decoder target_decoders[] = {
	{ "MASQUERADE", 0, NF_FAMILY_IP, 24, tg_masquerade },
	{ "MASQUERADE", 0, NF_FAMILY_IP6, 40, tg_masquerade },
	{ "REDIRECT", 0, NF_FAMILY_IP, 24, tg_redirect },
	{ "REDIRECT", 0, NF_FAMILY_IP6, 40, tg_redirect },
	{ "SNAT", 0, NF_FAMILY_IP, 24, tg_snat_dnat },
	{ "DNAT", 0, NF_FAMILY_IP, 24, tg_snat_dnat },
	{ "SNAT", 1, 0, 40, tg_snat_dnat },
	{ "DNAT", 1, 0, 40, tg_snat_dnat },
	{ "SNAT", 2, 0, 48, tg_snat_dnat },
	{ "DNAT", 2, 0, 48, tg_snat_dnat },
	{ "REJECT", 0, 0, 8, tg_reject },
	{ "LOG", 0, 0, 32, tg_log },
	{ "NFLOG", 0, 0, 80, tg_nflog },
	{ "MARK", 2, 0, 8, tg_mark2 },
};

/* ---- rendering ---- */

static void iface_header(struct nf_buf *b, struct nf_rule *r, char letter, const char *name,
			 bool inv)
{
	struct nf_match *m;
	size_t n = strlen(name);

	if (!n)
		return;
	nf_buf_printf(b, "%s -%c %s", inv ? " !" : "", letter, name);
	m = nf_rule_add_match(r, letter == 'i' ? NF_MATCH_IIF : NF_MATCH_OIF, inv);
	m->ifname = nm_xstrdup(name);
	if (name[n - 1] == '+') {
		m->ifname[n - 1] = '\0';
		m->ifprefix = true;
	}
}

static void addr_header(struct nf_buf *b, struct nf_rule *r, uint8_t family, char letter,
			const uint8_t *addr, const uint8_t *mask, bool inv)
{
	size_t alen = family == NF_FAMILY_IP6 ? 16 : 4;
	int plen = nf_mask_plen(mask, alen);
	struct nf_match *m;

	nf_buf_printf(b, "%s -%c ", inv ? " !" : "", letter);
	addr_mask_text(b, family, addr, mask);
	if (plen < 0) {
		struct nf_buf t = { 0 };

		nf_buf_printf(&t, "-%c ", letter);
		addr_mask_text(&t, family, addr, mask);
		nf_rule_add_unsupported(r, t.s, NULL);
		nf_buf_free(&t);
		return;
	}
	m = nf_rule_add_match(r, letter == 's' ? NF_MATCH_SADDR : NF_MATCH_DADDR, inv);
	m->prefix.family = family == NF_FAMILY_IP6 ? AF_INET6 : AF_INET;
	m->prefix.plen = (uint8_t)plen;
	memcpy(m->prefix.addr, addr, alen);
}

/*
 * libxtables' save() printers trust their blob: a length check is not enough (libxt_tcp
 * indexes a name table with flag bits). They only see what the kernel accepted from a
 * live namespace, never a recorded or fuzzed dump.
 */
static __thread bool use_lib;

void nf_xt_use_library(bool on)
{
	use_lib = on;
}

/* Mark r: its structure is not proven (reason why), the text stays exact. */
static void not_proven(struct nf_rule *r, const char *why)
{
	if (r->why)
		return;
	r->unsupported = true;
	r->why = nm_xstrdup(why);
}

/*
 * The fragment the decoder wrote at b[mark..] against libxtables' lib: the same, or lib
 * replaces it (nsmap's own text is kept in mine, the rule is no longer proven). With no
 * library text the decoder's stays and the rule's text is not the library's.
 */
static void check_fragment(struct xt_ctx *c, size_t mark, char *lib, const char *name)
{
	char *why;

	if (!lib) {
		c->all_lib = false;
		return;
	}
	if (strcmp(c->b->s + mark, lib)) {
		nf_buf_printf(c->mine, "%s%s", c->mine->len ? " |" : "", c->b->s + mark);
		c->b->len = mark;
		c->b->s[mark] = '\0';
		nf_buf_puts(c->b, lib);
		why = nm_xasprintf("%s: nsmap's decoder disagrees with libxtables", name);
		not_proven(c->r, why);
		free(why);
	}
	free(lib);
}

/* An extension nsmap does not model but libxtables prints: exact text, not evaluated. */
static void unmodelled_match(struct xt_ctx *c, const struct nf_xt_item *it, char *lib)
{
	char *hex = nf_hex(it->info, it->len), *why;

	nf_buf_puts(c->b, lib);
	nf_rule_add_unsupported(c->r, lib + (*lib == ' '), hex);
	why = nm_xasprintf("-m %s: not modelled", it->name);
	if (!c->r->why)
		c->r->why = why;
	else
		free(why);
	free(hex);
	free(lib);
}

static void xt_text_match(struct xt_ctx *c, const struct nf_xt_item *it)
{
	size_t i, mark = c->b->len;
	char *lib;

	if (it->text) {
		nf_buf_printf(c->b, " unsupported: %s", it->text);
		nf_rule_add_unsupported(c->r, it->text, NULL);
		c->all_lib = false;
		return;
	}
	lib = use_lib ? nf_xt_save(c->family, false, it->name, it->rev, it->info, it->len, c->proto,
				   false) : NULL;
	for (i = 0; i < ARRAY_SIZE(match_decoders); i++) {
		const struct xt_decoder *d = &match_decoders[i];
		bool state_alias;

		if (strcmp(d->name, it->name) || d->rev != it->rev)
			continue;
		if (d->family && d->family != c->family)
			continue;
		if (it->len != d->len)
			break;	/* truncated or foreign layout */
		/* "-m state" in iptables >= 1.8 is conntrack with the STATE_ALIAS flag */
		state_alias = strcmp(it->name, "conntrack") == 0 &&
			      (nf_rd16(it->info + 146) & 0x2000);
		nf_buf_printf(c->b, " -m %s", state_alias ? "state" : it->name);
		d->fn(c, it->info, it->len);
		check_fragment(c, mark, lib, it->name);
		return;
	}
	if (lib) {
		unmodelled_match(c, it, lib);
		return;
	}
	c->all_lib = false;
	{
		char *hex = nf_hex(it->info, it->len);
		char *t = nm_xasprintf("-m %s rev %u info %s", it->name, it->rev, hex);

		nf_buf_printf(c->b, " unsupported: %s", t);
		nf_rule_add_unsupported(c->r, t, hex);
		free(t);
		free(hex);
	}
}

/* Targets that always continue (XT_CONTINUE) and change nothing the walk reads. */
static bool continues(const char *name)
{
	static const char *const names[] = {
		"CHECKSUM", "CLASSIFY", "CT", "DSCP", "TOS", "TTL", "HL", "NOTRACK", "TRACE",
		"TCPMSS", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "AUDIT", "RATEEST",
		"NFLOG", "LOG", "ULOG", "TEE",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static void xt_text_target(struct tg_ctx *c, const struct nf_xt_item *it)
{
	size_t i;
	size_t mark = c->b->len;
	char *lib = use_lib ? nf_xt_save(c->family, true, it->name, it->rev, it->info, it->len,
					 c->xc->proto, false) : NULL;

	nf_buf_printf(c->b, " -j %s", it->name);
	for (i = 0; i < ARRAY_SIZE(target_decoders); i++) {
		const struct tg_decoder *d = &target_decoders[i];

		if (strcmp(d->name, it->name) || d->rev != it->rev)
			continue;
		if (d->family && d->family != c->family)
			continue;
		if (it->len != d->len)
			break;
		if (d->fn(c, it->info, it->len)) {
			check_fragment(c->xc, mark, lib, it->name);
			return;
		}
		break;
	}
	/* not understood: keep the raw form, never guess */
	c->b->len = mark;
	c->b->s[mark] = '\0';
	{
		char *hex = nf_hex(it->info, it->len);

		nf_action_clear(&c->r->action);
		c->r->unsupported = true;
		if (lib) {
			/* libxtables' exact text; the walk does not evaluate what it does */
			nf_buf_puts(c->b, lib);
			if (continues(it->name)) {
				c->r->action.kind = NF_ACT_CONTINUE;
			} else {
				c->r->action.kind = NF_ACT_UNSUPPORTED;
				c->r->action.text = nm_xstrdup(lib + (*lib == ' '));
				c->r->action.raw = hex;
				hex = NULL;
			}
			if (!c->r->why)
				c->r->why = nm_xasprintf("-j %s: not modelled", it->name);
			free(lib);
		} else {
			c->xc->all_lib = false;
			c->r->action.kind = NF_ACT_UNSUPPORTED;
			c->r->action.text = nm_xasprintf("-j %s rev %u", it->name, it->rev);
			c->r->action.raw = hex;
			hex = NULL;
			nf_buf_printf(c->b, " -j %s unsupported: rev %u info %s", it->name, it->rev,
				      c->r->action.raw);
		}
		free(hex);
	}
}

/* A standard target: a verdict, or a jump/goto to a chain. */
static void render_standard(struct nf_buf *b, const struct nf_ipt *ipt, struct nf_rule *r)
{
	static const char *const verdicts[NF_ACT_KIND_COUNT] = {
		[NF_ACT_ACCEPT] = "ACCEPT", [NF_ACT_DROP] = "DROP", [NF_ACT_RETURN] = "RETURN",
		[NF_ACT_QUEUE] = "NFQUEUE",
	};
	const char *chain = ipt->chain ? ipt->chain : "?";

	r->action.kind = ipt->std;
	if (ipt->std == NF_ACT_JUMP || ipt->std == NF_ACT_GOTO) {
		nf_buf_printf(b, " -%c %s", ipt->std == NF_ACT_GOTO ? 'g' : 'j', chain);
		r->action.chain = nm_xstrdup(chain);
	} else if ((unsigned int)ipt->std < NF_ACT_KIND_COUNT && verdicts[ipt->std]) {
		nf_buf_printf(b, " -j %s", verdicts[ipt->std]);
	}
}

/* -p as iptables-save prints it: its own names first, then /etc/protocols (dccp, gre). */
static const char *proto_name(uint16_t proto, char *buf, size_t len)
{
	const char *pn = nm_proto_name(proto);
	struct protoent pe, *res = NULL;

	if (pn)
		return pn;
	if (getprotobynumber_r(proto, &pe, buf, len, &res) == 0 && res && res->p_name)
		return res->p_name;
	return NULL;
}

void nf_ipt_render(const struct nf_ipt *ipt, const char *chain, struct nf_rule *r)
{
	struct nf_buf b = { 0 }, mine = { 0 };
	struct xt_ctx xc = { .b = &b, .r = r, .family = ipt->family, .proto = ipt->proto,
			     .all_lib = true, .mine = &mine };
	char pbuf[1024];
	size_t i;

	nf_buf_printf(&b, "-A %s", chain);
	if (ipt->has_src)
		addr_header(&b, r, ipt->family, 's', ipt->src, ipt->smsk, ipt->inv_src);
	if (ipt->has_dst)
		addr_header(&b, r, ipt->family, 'd', ipt->dst, ipt->dmsk, ipt->inv_dst);
	iface_header(&b, r, 'i', ipt->iniface, ipt->inv_in);
	iface_header(&b, r, 'o', ipt->outiface, ipt->inv_out);
	if (ipt->has_proto && (ipt->proto || ipt->inv_proto)) {
		const char *pn = proto_name(ipt->proto, pbuf, sizeof(pbuf));
		struct nf_match *m = nf_rule_add_match(r, NF_MATCH_L4PROTO, ipt->inv_proto);

		m->proto = (uint8_t)ipt->proto;
		if (pn)
			nf_buf_printf(&b, "%s -p %s", ipt->inv_proto ? " !" : "", pn);
		else
			nf_buf_printf(&b, "%s -p %u", ipt->inv_proto ? " !" : "", ipt->proto);
	}
	if (ipt->frag) {
		nf_buf_printf(&b, "%s -f", ipt->inv_frag ? " !" : "");
		nf_rule_add_match(r, NF_MATCH_FRAGMENT, ipt->inv_frag);
	}
	for (i = 0; i < ipt->n_items; i++)
		xt_text_match(&xc, &ipt->items[i]);
	if (ipt->extra) {
		/* the native parts already say "unsupported: ..." */
		bool said = !strncmp(ipt->extra, "unsupported: ", 13);

		nf_buf_printf(&b, "%s %s", said ? "" : " unsupported:", ipt->extra);
		nf_rule_add_unsupported(r, ipt->extra + (said ? 13 : 0), NULL);
	}
	if (ipt->why) {
		nf_rule_add_unsupported(r, ipt->why, NULL);
		if (!r->why)
			r->why = nm_xstrdup(ipt->why);
	}
	switch (ipt->verdict) {
	case NF_IPT_NONE:
		r->action.kind = NF_ACT_CONTINUE;
		break;
	case NF_IPT_STANDARD:
		render_standard(&b, ipt, r);
		break;
	case NF_IPT_TARGET: {
		struct tg_ctx tc = { .b = &b, .r = r, .family = ipt->family,
				     .name = ipt->target.name, .rev = ipt->target.rev, .xc = &xc };

		if (ipt->target.text) {
			nf_buf_printf(&b, " %s", ipt->target.text);
			xc.all_lib = false;
			break;
		}
		xt_text_target(&tc, &ipt->target);
		break;
	}
	}
	free(r->text);
	r->text = nf_buf_steal(&b);
	if (xc.all_lib && !ipt->extra && !ipt->frag)
		r->text_source = NF_TEXT_LIBXTABLES;
	if (mine.len) {
		free(r->decoded);
		r->decoded = nf_buf_steal(&mine);
	}
	nf_buf_free(&mine);
	nf_rule_why(r);
}
