/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kroute.c - ask the kernel (RTM_GETROUTE in a namespace) how it would route one flow. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"

struct kroute {
	int oif;
	struct nm_ip gw;
	int type;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct kroute *k = data;
	int t = mnl_attr_get_type(a);

	if (t == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
		k->oif = (int)mnl_attr_get_u32(a);
	} else if (t == RTA_GATEWAY) {
		uint16_t len = mnl_attr_get_payload_len(a);

		if (len == 4 || len == 16) {
			k->gw.family = len == 4 ? AF_INET : AF_INET6;
			k->gw.plen = len == 4 ? 32 : 128;
			memcpy(k->gw.addr, mnl_attr_get_payload(a), len);
		}
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kroute *k = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	k->type = rtm->rtm_type;
	return mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, data);
}

int collect_route_get(const struct nm_netns *ns, const struct nm_flow *fl, struct nm_route_answer *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct kroute k = { 0 };
	unsigned int seq = (unsigned int)time(NULL), portid;
	size_t alen = fl->dst.family == AF_INET ? 4 : 16;
	int ret;

	memset(a, 0, sizeof(*a));
	nl = netns_mnl_open(ns, NETLINK_ROUTE, 0, &ret);
	if (!nl)
		return ret;
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = fl->dst.family;
	rtm->rtm_dst_len = (unsigned char)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, fl->dst.addr);
	if (fl->src.family == fl->dst.family) {
		rtm->rtm_src_len = (unsigned char)(alen * 8);
		mnl_attr_put(nlh, RTA_SRC, alen, fl->src.addr);
	}
	if (fl->iif) {
		const struct nm_link *l = nm_find_link(ns, fl->iif);

		if (!l) {
			ret = -ENODEV;
			goto out;
		}
		/* With an input interface the kernel runs ip_route_input(): the forwarding
		 * check and rp_filter included. */
		mnl_attr_put_u32(nlh, RTA_IIF, (uint32_t)l->ifindex);
	}
	if (fl->mark)
		mnl_attr_put_u32(nlh, RTA_MARK, fl->mark);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_cb_run(buf, (size_t)ret, seq, portid, route_cb, &k);
	if (ret < 0) {
		/* The kernel's answer is an error: that is a result, not a failure to ask. */
		a->err = -errno;
		ret = 0;
		goto out;
	}
	ret = 0;
	if (k.oif) {
		const struct nm_link *l = nm_find_link_index(ns, k.oif);

		if (l)
			snprintf(a->dev, sizeof(a->dev), "%s", l->ifname);
		else
			snprintf(a->dev, sizeof(a->dev), "#%d", k.oif);
	}
	if (k.type == RTN_LOCAL)
		snprintf(a->dev, sizeof(a->dev), "local");
	a->gateway = k.gw;
out:
	mnl_socket_close(nl);
	return ret;
}

