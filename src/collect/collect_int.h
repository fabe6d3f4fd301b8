/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collect_int.h - private to src/collect: what discovery, the namespace primitives and the collectors share. */
#ifndef NSMAP_COLLECT_INT_H
#define NSMAP_COLLECT_INT_H

#include <stdint.h>

#include "collect.h"
#include "nfcollect.h"

/* Where `ip netns` keeps its names (bind mounts of nsfs files). */
#define NETNS_RUN_DIR "/run/netns"

/* Sockets created inside one namespace; they stay bound to it after we return. */
struct nl_sock;
struct ns_socks {
	struct nl_sock *nl;
	struct mnl_socket *mnl;		/* for RTM_GETNSID */
	struct nf_handle *nf;
	uint32_t seq;
};

/* rtnl.c: dump ns through its sockets (light: only the links, enough for the peers). */
void collect_dump_netns(struct nm_netns *ns, struct ns_socks *so, const struct collect_opts *o,
			bool light);
/* bridge-nf-call-iptables, read inside ns (it has no netlink form). */
void collect_bridge_sysctl(struct nm_netns *ns);
/* The ifname of ifindex in ns, "if<N>" when unknown, NULL for 0. Malloc'd. */
char *collect_ifname_of(struct nm_netns *ns, int ifindex);

/* peers.c: resolve every veth/netkit peer of s; socks[i] are the sockets of s->netns[i]. */
void collect_resolve_peers(struct nm_snapshot *s, struct ns_socks *socks);

#endif
