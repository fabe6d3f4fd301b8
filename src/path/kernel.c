/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path_kernel.c - ask the kernel (RTM_GETROUTE in a namespace) what it would do with a simulated flow. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "path.h"

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

int path_kernel_route(const struct nm_netns *ns, const struct path_flow *fl, char *dev,
		      size_t devlen, struct nm_ip *gateway, int *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct kroute k = { 0 };
	unsigned int seq = (unsigned int)time(NULL), portid;
	size_t alen = fl->dst.family == AF_INET ? 4 : 16;
	int fd, ret;

	*err = 0;
	dev[0] = '\0';
	memset(gateway, 0, sizeof(*gateway));
	fd = netns_socket(ns, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0)
		return fd;
	nl = mnl_socket_fdopen(fd);
	if (!nl) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
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
		*err = -errno;
		ret = 0;
		goto out;
	}
	ret = 0;
	if (k.oif) {
		const struct nm_link *l = nm_find_link_index(ns, k.oif);

		if (l)
			snprintf(dev, devlen, "%s", l->ifname);
		else
			snprintf(dev, devlen, "#%d", k.oif);
	}
	if (k.type == RTN_LOCAL)
		snprintf(dev, devlen, "local");
	*gateway = k.gw;
out:
	mnl_socket_close(nl);
	return ret;
}

static bool ns_has_cause(const struct path_result *r, const char *label, const char *code)
{
	size_t i;

	for (i = 0; i < r->n_causes; i++)
		if (!strcmp(r->causes[i].code, code) && !strcmp(r->causes[i].netns, label))
			return true;
	return false;
}

int path_kernel_check(const struct nm_snapshot *s, struct path_result *r)
{
	size_t i;
	int checked = 0;

	for (i = 0; i < r->n_hops; i++) {
		struct path_hop *h = &r->hops[i];
		const struct nm_netns *ns;
		struct path_flow fl = { 0 };
		struct nm_ip gw;
		char dev[IF_NAMESIZE + 8], g[64];
		int kerr = 0;
		bool agree;

		if (h->kind != PATH_HOP_ROUTE || !h->ok || !h->ifname || !strcmp(h->result, "LOCAL"))
			continue;
		if (h->decided && strstr(h->decided, "(assumed)"))
			continue;
		ns = nm_find_netns(s, h->netns_id);
		if (!ns)
			continue;
		fl.src = h->src;
		fl.dst = h->dst;
		fl.iif = h->iif;
		if (path_kernel_route(ns, &fl, dev, sizeof(dev), &gw, &kerr) < 0)
			continue;
		checked++;
		if (kerr) {
			h->kernel_route = nm_xasprintf("error: %s", strerror(-kerr));
			/* Forwarding off and rp_filter are errors of an input lookup the
			 * simulation reports itself. */
			agree = (kerr == -EHOSTUNREACH &&
				 ns_has_cause(r, h->netns, "FORWARDING_DISABLED")) ||
				((kerr == -EINVAL || kerr == -EXDEV) &&
				 ns_has_cause(r, h->netns, "RP_FILTER"));
		} else {
			h->kernel_route = nm_xasprintf("dev %s%s%s", dev, gw.family ? " via " : "",
						       gw.family ? nm_ip_str(&gw, g, sizeof(g), false) : "");
			agree = !strcmp(dev, h->ifname);
		}
		h->kernel = agree ? 1 : -1;
		if (!agree) {
			struct diag_kv kv[] = {
				{ "ns", h->netns }, { "exec", "" },
				{ "kernel", h->kernel_route }, { "sim", h->decided ? h->decided : "?" },
			};
			struct diag_cause *c;

			nm_warn(&r->notes, &r->n_notes, "%s: the kernel routes %s via %s, the simulation via %s",
				h->netns, nm_ip_str(&h->dst, g, sizeof(g), false), h->kernel_route, h->ifname);
			c = diag_add(&r->causes, &r->n_causes, "KERNEL_DISAGREES", h->netns,
				     h->kernel_route, kv, sizeof(kv) / sizeof(kv[0]));
			if (c)
				c->hop = h->n;
		}
	}
	return checked;
}
