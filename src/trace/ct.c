/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ct.c - read the conntrack entries of the probe in a namespace (ctnetlink dump over libmnl). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "collect.h"
#include "trace_int.h"

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	/* Every table below is sized CTA_MAX + 1, the largest of the attribute spaces used. */
	if (type > CTA_MAX)
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static int parse_nested(const struct nlattr *a, const struct nlattr **tb)
{
	memset(tb, 0, sizeof(*tb) * (CTA_MAX + 1));
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	return mnl_attr_parse_nested(a, attr_cb, tb) < 0 ? -EINVAL : 0;
}

static bool get_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return false;
	*v = mnl_attr_get_u8(a);
	return true;
}

static bool get_u16be(const struct nlattr *a, uint16_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return false;
	*v = ntohs(mnl_attr_get_u16(a));
	return true;
}

static bool get_u32be(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*v = ntohl(mnl_attr_get_u32(a));
	return true;
}

/* The row whose address attributes the tuple carries; its addresses into t. NULL when no
 * row's are there (or they have the wrong size). */
static const struct trace_family *parse_addrs(const struct nlattr **ip, struct trace_tuple *t)
{
	size_t i;

	for (i = 0; i < trace_n_families; i++) {
		const struct trace_family *f = &trace_families[i];
		const struct nlattr *src = ip[f->cta_src], *dst = ip[f->cta_dst];

		if (!src || !dst)
			continue;
		if (mnl_attr_validate2(src, MNL_TYPE_BINARY, f->addr_len) < 0 ||
		    mnl_attr_validate2(dst, MNL_TYPE_BINARY, f->addr_len) < 0)
			return NULL;
		t->src.family = t->dst.family = (uint8_t)f->af;
		t->src.plen = t->dst.plen = (uint8_t)(f->addr_len * 8);
		memcpy(t->src.addr, mnl_attr_get_payload(src), f->addr_len);
		memcpy(t->dst.addr, mnl_attr_get_payload(dst), f->addr_len);
		return f;
	}
	return NULL;
}

static int parse_tuple(const struct nlattr *a, struct trace_tuple *t)
{
	const struct nlattr *tb[CTA_MAX + 1], *ip[CTA_MAX + 1], *pr[CTA_MAX + 1];
	const struct trace_family *f;

	memset(t, 0, sizeof(*t));
	if (parse_nested(a, tb) < 0 || !tb[CTA_TUPLE_IP] || !tb[CTA_TUPLE_PROTO])
		return -EINVAL;
	if (parse_nested(tb[CTA_TUPLE_IP], ip) < 0 || parse_nested(tb[CTA_TUPLE_PROTO], pr) < 0)
		return -EINVAL;
	f = parse_addrs(ip, t);
	if (!f)
		return -EINVAL;	/* no family the tracer knows */
	if (!get_u8(pr[CTA_PROTO_NUM], &t->proto))
		return -EINVAL;
	if (t->proto == f->icmp_proto) {
		uint16_t icmp_id = 0;

		get_u16be(pr[f->cta_icmp_id], &icmp_id);
		t->sport = t->dport = icmp_id;
	} else {
		get_u16be(pr[CTA_PROTO_SRC_PORT], &t->sport);
		get_u16be(pr[CTA_PROTO_DST_PORT], &t->dport);
	}
	return 0;
}

int trace_ct_parse(const void *buf, size_t len, struct trace_ct *ct)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlattr *tb[CTA_MAX + 1] = { 0 };

	memset(ct, 0, sizeof(*ct));
	if (len > INT32_MAX || !mnl_nlmsg_ok(nlh, (int)len) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return -EINVAL;
	/* libmnl walks attributes up to the aligned length: it must be there. */
	if (MNL_ALIGN(nlh->nlmsg_len) > len)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb) < 0)
		return -EINVAL;
	if (!tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY])
		return -EINVAL;
	if (parse_tuple(tb[CTA_TUPLE_ORIG], &ct->orig) < 0 ||
	    parse_tuple(tb[CTA_TUPLE_REPLY], &ct->reply) < 0)
		return -EINVAL;
	get_u32be(tb[CTA_STATUS], &ct->status);
	get_u32be(tb[CTA_ID], &ct->id);
	return 0;
}

struct dump_ctx {
	const struct nm_netns *ns;
	struct trace_ct **v;
	size_t *n;
	bool (*keep)(const struct trace_ct *ct, void *arg);
	void *arg;
	int kept;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct trace_ct ct;

	/* The kernel pads every message to the netlink alignment. */
	if (trace_ct_parse(nlh, MNL_ALIGN(nlh->nlmsg_len), &ct) < 0)
		return MNL_CB_OK;
	if (d->keep && !d->keep(&ct, d->arg))
		return MNL_CB_OK;
	ct.netns = nm_xstrdup(trace_ns_label(d->ns));
	*NM_PUSH(*d->v, *d->n) = ct;
	d->kept++;
	return MNL_CB_OK;
}

int trace_ct_dump(const struct nm_netns *ns, const struct trace_family *fam, struct trace_ct **v,
		  size_t *n, bool (*keep)(const struct trace_ct *ct, void *arg), void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_ctx d = { ns, v, n, keep, arg, 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned int seq, portid;
	int ret;

	nl = netns_mnl_open(ns, NETLINK_NETFILTER, 0, &ret);
	if (!nl)
		return ret;
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = fam->nfproto;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		mnl_socket_close(nl);
		return ret;
	}
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (len < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)len, seq, portid, dump_cb, &d);
		if (ret <= MNL_CB_STOP) {
			ret = ret < 0 ? -errno : 0;
			break;
		}
	}
	mnl_socket_close(nl);
	return ret < 0 ? ret : d.kept;
}

char *trace_ct_str(const struct trace_ct *ct)
{
	char a[160], b[160];

	return nm_xasprintf("%s | reply %s%s%s", trace_tuple_str(&ct->orig, a, sizeof(a)),
			    trace_tuple_str(&ct->reply, b, sizeof(b)),
			    ct->status & TRACE_IPS_SRC_NAT ? " [SRC_NAT]" : "",
			    ct->status & TRACE_IPS_DST_NAT ? " [DST_NAT]" : "");
}

void trace_ct_clear(struct trace_ct *ct)
{
	free(ct->netns);
	memset(ct, 0, sizeof(*ct));
}
