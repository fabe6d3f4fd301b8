/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link.c - the link kinds nsmap knows and what each implies for the topology. */
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/*
 * One row per kind, sorted by name (IFLA_INFO_KIND as the kernel spells it, plus the
 * names collection gives links without one: "loopback", "device", "tun"). What a kind
 * implies is a flag here, never a string comparison at the place that needs it: adding a
 * kind is one row.
 */
static const struct nm_kind_info kinds[] = {
	{ "bond",	NM_KIND_BOND,		NM_KIND_F_MASTER },
	{ "bridge",	NM_KIND_BRIDGE,		NM_KIND_F_MASTER | NM_KIND_F_BRIDGE },
	{ "device",	NM_KIND_DEVICE,		0 },
	{ "dummy",	NM_KIND_DUMMY,		0 },
	{ "geneve",	NM_KIND_GENEVE,		NM_KIND_F_LOWER },
	{ "gre",	NM_KIND_GRE,		NM_KIND_F_LOWER },
	{ "gretap",	NM_KIND_GRETAP,		NM_KIND_F_LOWER },
	{ "ip6gre",	NM_KIND_IP6GRE,		NM_KIND_F_LOWER },
	{ "ip6tnl",	NM_KIND_IP6TNL,		NM_KIND_F_LOWER },
	{ "ipip",	NM_KIND_IPIP,		NM_KIND_F_LOWER },
	{ "ipvlan",	NM_KIND_IPVLAN,		NM_KIND_F_LOWER },
	{ "ipvtap",	NM_KIND_IPVTAP,		NM_KIND_F_LOWER },
	{ "loopback",	NM_KIND_LOOPBACK,	0 },
	{ "macvlan",	NM_KIND_MACVLAN,	NM_KIND_F_LOWER },
	{ "macvtap",	NM_KIND_MACVTAP,	NM_KIND_F_LOWER },
	{ "netkit",	NM_KIND_NETKIT,		NM_KIND_F_PEER },
	{ "sit",	NM_KIND_SIT,		NM_KIND_F_LOWER },
	{ "tun",	NM_KIND_TUN,		0 },
	{ "veth",	NM_KIND_VETH,		NM_KIND_F_PEER },
	{ "vlan",	NM_KIND_VLAN,		NM_KIND_F_LOWER },
	{ "vrf",	NM_KIND_VRF,		NM_KIND_F_MASTER },
	{ "vxlan",	NM_KIND_VXLAN,		NM_KIND_F_LOWER },
	{ "wireguard",	NM_KIND_WIREGUARD,	0 },
};

static int kind_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct nm_kind_info *)elem)->name);
}

const struct nm_kind_info *nm_kind_info(const char *kind)
{
	if (!kind)
		return NULL;
	return bsearch(kind, kinds, ARRAY_SIZE(kinds), sizeof(kinds[0]), kind_cmp);
}

enum nm_kind nm_link_kind(const struct nm_link *l)
{
	const struct nm_kind_info *k = nm_kind_info(l->kind);

	return k ? k->kind : NM_KIND_OTHER;
}

static bool kind_flag(const struct nm_link *l, unsigned int flag)
{
	const struct nm_kind_info *k = nm_kind_info(l->kind);

	return k && (k->flags & flag);
}

bool nm_link_has_peer(const struct nm_link *l)
{
	return kind_flag(l, NM_KIND_F_PEER);
}

bool nm_link_is_bridge(const struct nm_link *l)
{
	return kind_flag(l, NM_KIND_F_BRIDGE);
}

bool nm_link_has_lower(const struct nm_link *l)
{
	return kind_flag(l, NM_KIND_F_LOWER);
}

bool nm_link_is_loopback(const struct nm_link *l)
{
	return nm_link_kind(l) == NM_KIND_LOOPBACK || (l->flags & IFF_LOOPBACK) ||
	       (l->ifname && !strcmp(l->ifname, "lo"));
}
