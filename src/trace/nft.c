/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft.c - --nft-trace: a private nftables table that sets nftrace for the probe in every namespace on the path, NFT_MSG_TRACE events read back and mapped to the snapshot's rules. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/trace.h>

#include "collect.h"
#include "netfilter.h"
#include "trace_int.h"

#define NFT_TRACE_PRIO (-350)		/* before raw (-300) and conntrack (-200) */
#define NFT_TRACE_RCVBUF (1 << 20)

/* ---- parsing ---- */

/* The type each attribute must have, checked before libnftnl sees the message (it reports a
 * bad attribute on stderr). */
static const enum mnl_attr_data_type trace_attr_type[NFTA_TRACE_POLICY + 1] = {
	[NFTA_TRACE_TABLE] = MNL_TYPE_NUL_STRING,
	[NFTA_TRACE_CHAIN] = MNL_TYPE_NUL_STRING,
	[NFTA_TRACE_RULE_HANDLE] = MNL_TYPE_U64,
	[NFTA_TRACE_TYPE] = MNL_TYPE_U32,
	[NFTA_TRACE_VERDICT] = MNL_TYPE_NESTED,
	[NFTA_TRACE_ID] = MNL_TYPE_U32,
	[NFTA_TRACE_LL_HEADER] = MNL_TYPE_BINARY,
	[NFTA_TRACE_NETWORK_HEADER] = MNL_TYPE_BINARY,
	[NFTA_TRACE_TRANSPORT_HEADER] = MNL_TYPE_BINARY,
	[NFTA_TRACE_IIF] = MNL_TYPE_U32,
	[NFTA_TRACE_IIFTYPE] = MNL_TYPE_U16,
	[NFTA_TRACE_OIF] = MNL_TYPE_U32,
	[NFTA_TRACE_OIFTYPE] = MNL_TYPE_U16,
	[NFTA_TRACE_MARK] = MNL_TYPE_U32,
	[NFTA_TRACE_NFPROTO] = MNL_TYPE_U32,
	[NFTA_TRACE_POLICY] = MNL_TYPE_U32,
};

struct check_ctx {
	bool bad;
	bool id, type;
};

static int verdict_check_cb(const struct nlattr *a, void *data)
{
	struct check_ctx *c = data;

	switch (mnl_attr_get_type(a)) {
	case NFTA_VERDICT_CODE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			c->bad = true;
		break;
	case NFTA_VERDICT_CHAIN:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			c->bad = true;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int check_cb(const struct nlattr *a, void *data)
{
	struct check_ctx *c = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type > NFTA_TRACE_POLICY || !trace_attr_type[type])
		return MNL_CB_OK;	/* newer attributes (conntrack info, 6.16+) */
	if (mnl_attr_validate(a, trace_attr_type[type]) < 0) {
		c->bad = true;
		return MNL_CB_OK;
	}
	if (type == NFTA_TRACE_VERDICT && mnl_attr_parse_nested(a, verdict_check_cb, c) < 0)
		c->bad = true;
	if (type == NFTA_TRACE_ID)
		c->id = true;
	if (type == NFTA_TRACE_TYPE)
		c->type = true;
	return MNL_CB_OK;
}

/* Every attribute inside the message must be whole: libmnl's walk stops silently at a
 * broken one, which would hide a truncation. */
static bool attrs_whole(const struct nlmsghdr *nlh)
{
	const char *p = (const char *)mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg));
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	while (p < end) {
		const struct nlattr *a = (const struct nlattr *)(const void *)p;

		if (end - p < (ptrdiff_t)sizeof(*a) || a->nla_len < sizeof(*a) || a->nla_len > end - p)
			return false;
		p += MNL_ALIGN(a->nla_len);
	}
	return true;
}

int trace_nft_parse(const void *buf, size_t len, struct trace_nft_event *ev)
{
	const struct nlmsghdr *nlh = buf;
	struct check_ctx c = { 0 };
	struct nftnl_trace *t;
	const void *nh, *th;
	uint32_t nlen = 0, tlen = 0;
	const char *s;

	memset(ev, 0, sizeof(*ev));
	if (len < sizeof(*nlh) || len > INT32_MAX || !mnl_nlmsg_ok(nlh, (int)len))
		return -EINVAL;
	if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE))
		return -ENOMSG;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    MNL_ALIGN(nlh->nlmsg_len) > len || !attrs_whole(nlh))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), check_cb, &c) < 0 || c.bad || !c.id ||
	    !c.type)
		return -EINVAL;
	t = nftnl_trace_alloc();
	if (!t)
		return -ENOMEM;
	if (nftnl_trace_nlmsg_parse(nlh, t) < 0) {
		nftnl_trace_free(t);
		return -EINVAL;
	}
	ev->id = nftnl_trace_get_u32(t, NFTNL_TRACE_ID);
	ev->type = nftnl_trace_get_u32(t, NFTNL_TRACE_TYPE);
	ev->family = (uint8_t)nftnl_trace_get_u32(t, NFTNL_TRACE_FAMILY);
	s = nftnl_trace_is_set(t, NFTNL_TRACE_TABLE) ? nftnl_trace_get_str(t, NFTNL_TRACE_TABLE) : NULL;
	ev->table = nm_xstrdup(s ? s : "");
	s = nftnl_trace_is_set(t, NFTNL_TRACE_CHAIN) ? nftnl_trace_get_str(t, NFTNL_TRACE_CHAIN) : NULL;
	ev->chain = nm_xstrdup(s ? s : "");
	if (nftnl_trace_is_set(t, NFTNL_TRACE_RULE_HANDLE))
		ev->handle = nftnl_trace_get_u64(t, NFTNL_TRACE_RULE_HANDLE);
	if (nftnl_trace_is_set(t, NFTNL_TRACE_VERDICT)) {
		ev->has_verdict = true;
		ev->verdict = (int32_t)nftnl_trace_get_u32(t, NFTNL_TRACE_VERDICT);
	}
	if (nftnl_trace_is_set(t, NFTNL_TRACE_JUMP_TARGET))
		ev->target = nm_xstrdup(nftnl_trace_get_str(t, NFTNL_TRACE_JUMP_TARGET));
	if (nftnl_trace_is_set(t, NFTNL_TRACE_POLICY)) {
		ev->has_policy = true;
		ev->policy = nftnl_trace_get_u32(t, NFTNL_TRACE_POLICY);
	}
	if (nftnl_trace_is_set(t, NFTNL_TRACE_IIF))
		ev->iif = nftnl_trace_get_u32(t, NFTNL_TRACE_IIF);
	if (nftnl_trace_is_set(t, NFTNL_TRACE_OIF))
		ev->oif = nftnl_trace_get_u32(t, NFTNL_TRACE_OIF);
	nh = nftnl_trace_is_set(t, NFTNL_TRACE_NETWORK_HEADER) ?
	     nftnl_trace_get_data(t, NFTNL_TRACE_NETWORK_HEADER, &nlen) : NULL;
	th = nftnl_trace_is_set(t, NFTNL_TRACE_TRANSPORT_HEADER) ?
	     nftnl_trace_get_data(t, NFTNL_TRACE_TRANSPORT_HEADER, &tlen) : NULL;
	if (nh && nlen) {
		/* The kernel sends the IP header and the start of the transport header apart:
		 * glue them back into one (short) packet for the common parser. */
		uint8_t pkt[256];
		size_t n = nlen < sizeof(pkt) ? nlen : sizeof(pkt);

		memcpy(pkt, nh, n);
		if (th && tlen) {
			size_t m = tlen < sizeof(pkt) - n ? tlen : sizeof(pkt) - n;

			memcpy(pkt + n, th, m);
			n += m;
		}
		if (trace_parse_net(pkt, n, &ev->pkt) == 0)
			ev->has_pkt = true;
	}
	nftnl_trace_free(t);
	return 0;
}

void trace_nft_event_clear(struct trace_nft_event *ev)
{
	free(ev->table);
	free(ev->chain);
	free(ev->target);
	memset(ev, 0, sizeof(*ev));
}

const char *trace_nft_verdict_name(int32_t v)
{
	static const char *const pos[] = {
		[NF_DROP] = "drop", [NF_ACCEPT] = "accept", [NF_STOLEN] = "stolen",
		[NF_QUEUE] = "queue", [NF_REPEAT] = "repeat", [NF_STOP] = "stop",
	};
	static const char *const neg[] = {
		[1] = "continue", [2] = "break", [3] = "jump", [4] = "goto", [5] = "return",
	};

	if (v >= 0) {
		uint32_t code = (uint32_t)v & NF_VERDICT_MASK;

		return code < ARRAY_SIZE(pos) && pos[code] ? pos[code] : "?";
	}
	if (-v < (int32_t)ARRAY_SIZE(neg) && neg[-v])
		return neg[-v];
	return "?";
}

/* ---- the table ---- */

const char *trace_nft_table_name(void)
{
	static char name[32];

	if (!name[0])
		snprintf(name, sizeof(name), "nstrace_%ld", (long)getpid());
	return name;
}

struct nft_ns {
	struct mnl_socket *ctl;		/* owns the table (NFT_TABLE_F_OWNER) */
	struct mnl_socket *mon;		/* NFNLGRP_NFTRACE */
	bool table;
	const char *label;
};

struct trace_nft {
	struct nft_ns *ns;
	size_t n;
	uint32_t seq;
	struct trace_nft_event *ev;
	size_t n_ev;
	bool lost;
};

static int add_expr(struct nftnl_rule *r, const char *name, struct nftnl_expr **e)
{
	*e = nftnl_expr_alloc(name);
	if (!*e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, *e);
	return 0;
}

static int put_meta_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e;

	if (add_expr(r, "meta", &e) < 0)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	return 0;
}

static int put_th_load(struct nftnl_rule *r, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e;

	if (add_expr(r, "payload", &e) < 0)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	return 0;
}

static int put_cmp(struct nftnl_rule *r, const void *data, uint32_t len)
{
	struct nftnl_expr *e;

	if (add_expr(r, "cmp", &e) < 0)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return 0;
}

/* meta nftrace set 1 */
static int put_nftrace(struct nftnl_rule *r)
{
	struct nftnl_expr *e;
	uint8_t one = 1;

	if (add_expr(r, "immediate", &e) < 0)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &one, sizeof(one));
	if (add_expr(r, "meta", &e) < 0)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_NFTRACE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	return 0;
}

/* What a rule of the table matches: meta nfproto (the probe's family) meta l4proto P, then
 * a transport header field (offset, len, value in network order). */
struct nft_match {
	uint8_t nfproto;
	uint8_t l4proto;
	uint32_t off, len;
	uint16_t value;			/* network order for len 2, the byte for len 1 */
};

static int put_rule(struct nlmsghdr *nlh, const char *chain, const struct nft_match *m)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	uint8_t b = (uint8_t)m->value;
	int ret = -ENOMEM;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, trace_nft_table_name());
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	if (put_meta_load(r, NFT_META_NFPROTO) < 0 || put_cmp(r, &m->nfproto, 1) < 0 ||
	    put_meta_load(r, NFT_META_L4PROTO) < 0 || put_cmp(r, &m->l4proto, 1) < 0 ||
	    put_th_load(r, m->off, m->len) < 0 ||
	    put_cmp(r, m->len == 1 ? (const void *)&b : (const void *)&m->value, m->len) < 0 ||
	    put_nftrace(r) < 0)
		goto out;
	nftnl_rule_nlmsg_build_payload(nlh, r);
	ret = 0;
out:
	nftnl_rule_free(r);
	return ret;
}

/* The rules: the probe's ICMP id (both ways) or its port (either side), and ICMP errors. */
static size_t probe_matches(const struct trace_ident *id, struct nft_match *m)
{
	const struct trace_family *f = id->fam;
	size_t n = 0;

	if (id->orig.proto == f->icmp_proto) {
		m[n++] = (struct nft_match){ f->nfproto, f->icmp_proto, 4, 2, htons(id->orig.sport) };
	} else {
		m[n++] = (struct nft_match){ f->nfproto, id->orig.proto, 0, 2, htons(id->orig.sport) };
		m[n++] = (struct nft_match){ f->nfproto, id->orig.proto, 2, 2, htons(id->orig.sport) };
	}
	m[n++] = (struct nft_match){ f->nfproto, f->icmp_proto, 0, 1, f->icmp_unreach };
	m[n++] = (struct nft_match){ f->nfproto, f->icmp_proto, 0, 1, f->icmp_time_exceeded };
	return n;
}

/* Send a batch and wait for the ack of the message with sequence number last. Returns 0 or
 * the first error the kernel reported. */
static int nl_batch(struct mnl_socket *nl, const void *buf, size_t len, uint32_t last)
{
	char rb[MNL_SOCKET_BUFFER_SIZE];
	int first = 0;
	ssize_t n;

	do
		n = mnl_socket_sendto(nl, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *nlh;
		int left;

		n = mnl_socket_recvfrom(nl, rb, sizeof(rb));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)(const void *)rb; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*e))
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error && !first)
				first = e->error;
			if (nlh->nlmsg_seq == last)
				return first;
		}
	}
}

static int add_table(struct trace_nft *t, struct nft_ns *n, const struct trace_ident *id,
		     bool owner)
{
	static const struct { const char *name; uint32_t hook; } chains[] = {
		{ "pre", NF_INET_PRE_ROUTING },
		{ "out", NF_INET_LOCAL_OUT },
	};
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	struct nft_match m[4];
	size_t n_m = probe_matches(id, m), c, k;
	struct nftnl_table *tb;
	struct nlmsghdr *nlh;
	uint32_t last;
	int ret = -ENOMEM;

	if (!b)
		return -ENOMEM;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), t->seq++);
	mnl_nlmsg_batch_next(b);
	tb = nftnl_table_alloc();
	if (!tb)
		goto out;
	nftnl_table_set_str(tb, NFTNL_TABLE_NAME, trace_nft_table_name());
	nftnl_table_set_u32(tb, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	/* Owned by our socket: the kernel removes it when the socket closes, even on SIGKILL. */
	nftnl_table_set_u32(tb, NFTNL_TABLE_FLAGS, owner ? NFT_TABLE_F_OWNER : 0);
	nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWTABLE, NFPROTO_INET,
					  NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, t->seq++);
	nftnl_table_nlmsg_build_payload(nlh, tb);
	nftnl_table_free(tb);
	mnl_nlmsg_batch_next(b);
	for (c = 0; c < 2; c++) {
		struct nftnl_chain *ch = nftnl_chain_alloc();

		if (!ch)
			goto out;
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, trace_nft_table_name());
		nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, chains[c].name);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, chains[c].hook);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, NFT_TRACE_PRIO);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nlh = nftnl_chain_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWCHAIN,
						  NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, t->seq++);
		nftnl_chain_nlmsg_build_payload(nlh, ch);
		nftnl_chain_free(ch);
		mnl_nlmsg_batch_next(b);
		for (k = 0; k < n_m; k++) {
			last = t->seq++;
			nlh = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWRULE,
							 NFPROTO_INET, NLM_F_CREATE | NLM_F_APPEND |
							 NLM_F_ACK, last);
			if (put_rule(nlh, chains[c].name, &m[k]) < 0)
				goto out;
			mnl_nlmsg_batch_next(b);
		}
	}
	nftnl_batch_end(mnl_nlmsg_batch_current(b), t->seq++);
	mnl_nlmsg_batch_next(b);
	ret = nl_batch(n->ctl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b), last);
out:
	mnl_nlmsg_batch_stop(b);
	return ret;
}

static int del_table(struct trace_nft *t, struct nft_ns *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	struct nftnl_table *tb = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	uint32_t last;
	int ret = -ENOMEM;

	if (!b || !tb)
		goto out;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), t->seq++);
	mnl_nlmsg_batch_next(b);
	nftnl_table_set_str(tb, NFTNL_TABLE_NAME, trace_nft_table_name());
	nftnl_table_set_u32(tb, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	last = t->seq++;
	nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_DELTABLE, NFPROTO_INET,
					  NLM_F_ACK, last);
	nftnl_table_nlmsg_build_payload(nlh, tb);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), t->seq++);
	mnl_nlmsg_batch_next(b);
	ret = nl_batch(n->ctl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b), last);
out:
	if (tb)
		nftnl_table_free(tb);
	if (b)
		mnl_nlmsg_batch_stop(b);
	return ret;
}

static void close_ns(struct trace_nft *t, struct nft_ns *n)
{
	if (n->table && n->ctl) {
		/* ENOENT: the namespace (and its table) is gone already. Closing the owning
		 * socket below removes the table in any case. */
		del_table(t, n);
		n->table = false;
	}
	if (n->ctl)
		mnl_socket_close(n->ctl);
	if (n->mon)
		mnl_socket_close(n->mon);
	n->ctl = n->mon = NULL;
}

int trace_nft_start(struct trace_nft **out, const struct trace_nsinfo *nss, size_t n,
		    const struct trace_ident *id, char ***warn, size_t *n_warn)
{
	struct trace_nft *t = nm_xcalloc(1, sizeof(*t));
	size_t i, ok = 0;
	int ret = -ENODEV;

	t->ns = nm_xcalloc(n ? n : 1, sizeof(*t->ns));
	t->n = n;
	t->seq = (uint32_t)time(NULL);
	for (i = 0; i < n; i++) {
		struct nft_ns *x = &t->ns[i];
		int grp = NFNLGRP_NFTRACE, sz = NFT_TRACE_RCVBUF, err = 0;

		x->label = trace_ns_label(nss[i].ns);
		x->mon = netns_mnl_open(nss[i].ns, NETLINK_NETFILTER, 2, &err);
		if (x->mon && mnl_socket_setsockopt(x->mon, NETLINK_ADD_MEMBERSHIP, &grp,
						    sizeof(grp)) < 0)
			err = -errno;
		if (x->mon && !err) {
			int fd = mnl_socket_get_fd(x->mon);

			if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
				setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
			x->ctl = netns_mnl_open(nss[i].ns, NETLINK_NETFILTER, 2, &err);
		}
		if (!err && x->ctl) {
			err = add_table(t, x, id, true);
			if (err == -EOPNOTSUPP || err == -EINVAL)	/* kernel < 5.12: no owner flag */
				err = add_table(t, x, id, false);
			x->table = !err;
		}
		if (err || !x->table) {
			nm_warn(warn, n_warn, "--nft-trace: cannot trace in %s: %s", x->label,
				strerror(err ? -err : EIO));
			close_ns(t, x);
			ret = err ? err : -EIO;
			continue;
		}
		ok++;
	}
	if (!ok) {
		trace_nft_stop(t);
		*out = NULL;
		return ret;
	}
	*out = t;
	return 0;
}

int trace_nft_read(struct trace_nft *t, char ***warn, size_t *n_warn)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	size_t i;

	if (!t)
		return 0;
	for (i = 0; i < t->n; i++) {
		struct nft_ns *x = &t->ns[i];

		while (x->mon) {
			ssize_t n = recv(mnl_socket_get_fd(x->mon), buf, sizeof(buf), MSG_DONTWAIT);
			const struct nlmsghdr *nlh;
			int left;

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == ENOBUFS) {
				if (!t->lost)
					nm_warn(warn, n_warn, "--nft-trace: trace events were lost in %s "
						"(socket buffer full)", x->label);
				t->lost = true;
				continue;
			}
			if (n <= 0)
				break;
			left = (int)n;
			for (nlh = (const struct nlmsghdr *)(const void *)buf; mnl_nlmsg_ok(nlh, left);
			     nlh = mnl_nlmsg_next(nlh, &left)) {
				struct trace_nft_event ev;
				size_t room = (size_t)left;

				if (trace_nft_parse(nlh, room, &ev) < 0)
					continue;
				ev.ns = i;
				*NM_PUSH(t->ev, t->n_ev) = ev;
			}
		}
	}
	return (int)t->n_ev;
}

const struct trace_nft_event *trace_nft_events(const struct trace_nft *t, size_t *n)
{
	*n = t ? t->n_ev : 0;
	return t ? t->ev : NULL;
}

void trace_nft_stop(struct trace_nft *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		close_ns(t, &t->ns[i]);
	NM_FREE_ARRAY(t->ev, t->n_ev, trace_nft_event_clear);
	free(t->ns);
	free(t);
}

/* ---- from events to hops ---- */

void trace_rule_clear(struct trace_rule *r)
{
	free(r->family);
	free(r->table);
	free(r->chain);
	free(r->target);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/* One base chain traversal of the probe in one namespace: the event with the packet's
 * headers and the events with the same id that follow it. */
struct nft_group {
	size_t ns;
	uint32_t id;
	bool keep, reply;
	uint32_t iif, oif;
	size_t *ev;
	size_t n_ev;
};

static const struct nf_chain *model_chain(const struct nm_netns *ns, uint8_t family,
					  const char *table, const char *chain)
{
	const struct nf_table *tb;

	if (!ns || !ns->netfilter)
		return NULL;
	tb = nf_table_find(ns->netfilter, family, table);
	return tb ? nf_chain_find(tb, chain) : NULL;
}

static void fill_rule(struct trace_rule *out, const struct nm_netns *ns,
		      const struct trace_nft_event *e, const char *hook)
{
	const struct nf_chain *ch = model_chain(ns, e->family, e->table, e->chain);
	size_t k;

	out->family = nm_xstrdup(nf_family_name(e->family));
	out->table = nm_xstrdup(e->table);
	out->chain = nm_xstrdup(e->chain);
	out->hook = ch && ch->base ? nf_hook_name(ch->hook) : hook;
	out->handle = e->handle;
	if (e->type == TRACE_NFT_POLICY) {
		out->kind = "policy";
		out->verdict = trace_nft_verdict_name(e->has_policy ? (int32_t)e->policy :
						      e->verdict);
		out->decisive = true;
	} else {
		out->kind = e->type == TRACE_NFT_RETURN ? "return" : "rule";
		out->verdict = e->has_verdict ? trace_nft_verdict_name(e->verdict) : "continue";
		out->decisive = e->has_verdict && e->verdict >= 0 &&
				((uint32_t)e->verdict & NF_VERDICT_MASK) <= NF_ACCEPT;
	}
	if (e->target)
		out->target = nm_xstrdup(e->target);
	for (k = 0; ch && e->handle && k < ch->n_rules; k++)
		if (ch->rules[k].handle == e->handle && ch->rules[k].text) {
			out->text = nm_xstrdup(ch->rules[k].text);
			break;
		}
}

static const char *ifname_of(const struct nm_netns *ns, uint32_t ifindex)
{
	const struct nm_link *l = ifindex ? nm_find_link_index(ns, (int)ifindex) : NULL;

	return l ? l->ifname : NULL;
}

/* The hop a traversal belongs to: the hop it came in on (prerouting, input, forward), or
 * the hop it goes out on (output, postrouting), or the namespace's first hop that way. */
static struct trace_hop *group_hop(struct trace_result *r, const struct nm_netns *ns,
				   const struct nft_group *g, const struct nf_chain *base)
{
	const char *label = trace_ns_label(ns);
	bool egress = base && base->base &&
		      (base->hook == NF_HOOK_OUTPUT || base->hook == NF_HOOK_POSTROUTING);
	const char *in = egress ? NULL : ifname_of(ns, g->iif), *outn = ifname_of(ns, g->oif);
	struct trace_hop *first = NULL;
	size_t i;

	for (i = 0; i < r->n_hops; i++) {
		struct trace_hop *h = &r->hops[i];

		if (strcmp(h->netns_id, ns->id) && strcmp(h->netns, label))
			continue;
		if (h->reply != g->reply)
			continue;
		if (!first)
			first = h;
		if (in && !strcmp(h->ifname, in) && !strcmp(h->direction, "in"))
			return h;
		if (!in && outn && !strcmp(h->ifname, outn) && !strcmp(h->direction, "out"))
			return h;
	}
	return first;
}

static void explain_cause(struct trace_result *r)
{
	const struct trace_rule *d = &r->nft_drop;
	char *what;
	size_t i, pick = 0;

	if (d->handle)
		what = nm_xasprintf("nft trace: %s %s %s %s rule handle %llu: %s", r->nft_drop_netns,
				    d->family, d->table, d->chain, (unsigned long long)d->handle,
				    d->text ? d->text : "(rule not in the snapshot)");
	else
		what = nm_xasprintf("nft trace: %s %s %s %s policy drop", r->nft_drop_netns, d->family,
				    d->table, d->chain);
	for (i = 0; i < r->n_causes; i++)
		if (!strcmp(r->causes[i].netns, r->nft_drop_netns) &&
		    diag_has_flag(r->causes[i].id, DIAG_F_RULE_DROP)) {
			pick = i + 1;
			break;
		}
	r->nft_cause = trace_add_evidence(r, pick, what);
}

/* The events into traversals: a new one at each event that carries the packet, the others
 * added to the latest traversal of their namespace and id. Keeps only the probe's, and
 * neither our own table's events nor a chain's entry event (the packet, not a rule). */
static size_t group_events(const struct trace_result *r, size_t n_ns,
			   const struct trace_nft_event *ev, size_t n_ev, struct nft_group **out)
{
	const char *own = trace_nft_table_name();
	struct nft_group *g = NULL;
	size_t n_g = 0, i, k;

	for (i = 0; i < n_ev; i++) {
		const struct trace_nft_event *e = &ev[i];
		struct nft_group *cur = NULL;

		if (e->ns >= n_ns)
			continue;
		if (e->has_pkt) {
			cur = NM_PUSH(g, n_g);
			cur->ns = e->ns;
			cur->id = e->id;
			cur->keep = trace_match(&r->ident, &e->pkt, &cur->reply);
			cur->iif = e->iif;
			cur->oif = e->oif;
		} else {
			for (k = n_g; k-- > 0;)
				if (g[k].ns == e->ns && g[k].id == e->id) {
					cur = &g[k];
					break;
				}
		}
		if (!cur || !cur->keep || !strcmp(e->table, own))
			continue;
		if (e->type == TRACE_NFT_RULE && !e->handle && (!e->has_verdict || e->verdict == -1) &&
		    !e->target)
			continue;
		cur->ev = realloc(cur->ev, (cur->n_ev + 1) * sizeof(*cur->ev));
		if (!cur->ev)
			abort();
		cur->ev[cur->n_ev++] = i;
	}
	*out = g;
	return n_g;
}

/* The rules of traversal g on its hop; the first decisive drop is the one that dropped it. */
static void attach_group(struct trace_result *r, const struct nm_netns *ns,
			 const struct nft_group *g, const struct trace_nft_event *ev)
{
	const struct trace_nft_event *e0 = &ev[g->ev[0]];
	const struct nf_chain *base;
	struct trace_hop *h;
	const char *hook;
	size_t k;

	r->nft_events += (unsigned int)g->n_ev;
	base = model_chain(ns, e0->family, e0->table, e0->chain);
	h = group_hop(r, ns, g, base);
	if (!h)
		return;
	/* A retransmit traverses the same base chain again: keep the first. */
	for (k = 0; k < h->n_rules; k++)
		if (!strcmp(h->rules[k].table, e0->table) && !strcmp(h->rules[k].chain, e0->chain))
			return;
	hook = base && base->base ? nf_hook_name(base->hook) : NULL;
	for (k = 0; k < g->n_ev; k++) {
		struct trace_rule *tr = NM_PUSH(h->rules, h->n_rules);

		fill_rule(tr, ns, &ev[g->ev[k]], hook);
		if (tr->decisive && !strcmp(tr->verdict, "drop") && !r->nft_drop_netns) {
			r->nft_drop_netns = nm_xstrdup(h->netns);
			r->nft_drop = *tr;
			r->nft_drop.family = nm_xstrdup(tr->family);
			r->nft_drop.table = nm_xstrdup(tr->table);
			r->nft_drop.chain = nm_xstrdup(tr->chain);
			r->nft_drop.target = NULL;
			r->nft_drop.text = tr->text ? nm_xstrdup(tr->text) : NULL;
		}
	}
}

void trace_nft_attach(struct trace_result *r, const struct trace_nsinfo *nss, size_t n_ns,
		      const struct trace_nft_event *ev, size_t n_ev)
{
	struct nft_group *g;
	size_t n_g, i;

	r->nft_trace = true;
	n_g = group_events(r, n_ns, ev, n_ev, &g);
	for (i = 0; i < n_g; i++) {
		if (g[i].keep && g[i].n_ev)
			attach_group(r, nss[g[i].ns].ns, &g[i], ev);
		free(g[i].ev);
	}
	free(g);
	if (r->nft_drop_netns && r->verdict != PATH_REACHED)
		explain_cause(r);
}
