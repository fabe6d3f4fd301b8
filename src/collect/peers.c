/* SPDX-License-Identifier: GPL-2.0-or-later */
/* peers.c - veth and netkit peers resolved exactly: IFLA_LINK and IFLA_LINK_NETNSID, checked with RTM_GETNSID. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "collect_int.h"

/* RTM_GETNSID with NETNSA_FD: the id the asking namespace gives the one behind fd.
 * Does not allocate ids (unlike link dumps). */
static int query_nsid(struct ns_socks *so, int fd, int32_t *nsid)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	struct nlattr *a;
	uint32_t seq = ++so->seq;
	ssize_t n;

	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	if (mnl_socket_sendto(so->mnl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(so->mnl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		nlh = (struct nlmsghdr *)buf;
		if (!mnl_nlmsg_ok(nlh, (int)n))
			return -EIO;
		if (nlh->nlmsg_seq != seq)
			continue;	/* a late answer to an earlier question */
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			return e->error ? e->error : -EIO;
		}
		if (nlh->nlmsg_type != RTM_NEWNSID)
			return -EIO;
		*nsid = NETNSA_NSID_NOT_ASSIGNED;
		mnl_attr_for_each(a, nlh, sizeof(struct rtgenmsg)) {
			if (mnl_attr_get_type(a) == NETNSA_NSID &&
			    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				*nsid = (int32_t)mnl_attr_get_u32(a);
		}
		return 0;
	}
}

/* veth index: every veth of every namespace, sorted by ifindex, to find peer candidates fast. */
struct veth_ref {
	int ifindex;
	size_t ns, link;
};

static int cmp_veth_ref(const void *a, const void *b)
{
	const struct veth_ref *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static bool nsid_is(struct ns_socks *so, const struct nm_netns *cand, int32_t want)
{
	int32_t got;
	int fd = netns_open(cand);
	bool ok;

	if (fd < 0)
		return false;
	ok = query_nsid(so, fd, &got) == 0 && got == want;
	close(fd);
	return ok;
}

static void set_peer(struct nm_link *l, const struct nm_netns *pns, const struct nm_link *pl)
{
	l->peer.resolved = true;
	l->peer.netns = nm_xstrdup(pns->id);
	l->peer.ifname = nm_xstrdup(pl->ifname);
}

void collect_resolve_peers(struct nm_snapshot *s, struct ns_socks *socks)
{
	struct veth_ref *refs = NULL;
	size_t n_refs = 0, i, j, k;

	for (i = 0; i < s->n_netns; i++)
		for (j = 0; j < s->netns[i].n_links; j++)
			if (s->netns[i].links[j].peer.present) {
				struct veth_ref *r = NM_PUSH(refs, n_refs);

				r->ifindex = s->netns[i].links[j].ifindex;
				r->ns = i;
				r->link = j;
			}
	nm_qsort(refs, n_refs, sizeof(*refs), cmp_veth_ref);

	for (i = 0; i < s->n_netns; i++) {
		struct nm_netns *ns = &s->netns[i];

		for (j = 0; j < ns->n_links; j++) {
			struct nm_link *l = &ns->links[j];
			struct veth_ref key = { .ifindex = l->peer.ifindex }, *lo;

			if (!l->peer.present || l->peer.resolved)
				continue;
			if (l->peer.nsid < 0) {
				/* no IFLA_LINK_NETNSID: the peer lives in the same namespace */
				struct nm_link *pl = nm_find_link_index(ns, l->peer.ifindex);

				if (pl)
					set_peer(l, ns, pl);
				continue;
			}
			/* candidates: veths with the peer's ifindex that point back at us */
			lo = n_refs ? bsearch(&key, refs, n_refs, sizeof(*refs), cmp_veth_ref) : NULL;
			if (!lo || !socks[i].mnl)
				goto unresolved;
			while (lo > refs && lo[-1].ifindex == key.ifindex)
				lo--;
			for (k = (size_t)(lo - refs); k < n_refs && refs[k].ifindex == key.ifindex; k++) {
				struct nm_netns *cns = &s->netns[refs[k].ns];
				struct nm_link *cl = &cns->links[refs[k].link];

				if (refs[k].ns == i || cl->peer.ifindex != l->ifindex)
					continue;
				if (!nsid_is(&socks[i], cns, l->peer.nsid))
					continue;
				set_peer(l, cns, cl);
				/* the relation is symmetric, but the peer's nsid for us is its own
				 * question: verify it from its side too */
				if (!cl->peer.resolved && socks[refs[k].ns].mnl &&
				    nsid_is(&socks[refs[k].ns], ns, cl->peer.nsid))
					set_peer(cl, ns, l);
				break;
			}
unresolved:
			if (!l->peer.resolved)
				nm_warn(&ns->warnings, &ns->n_warnings,
					"%s: veth peer (ifindex %d, nsid %d) is in a namespace nsmap cannot see",
					l->ifname, l->peer.ifindex, l->peer.nsid);
		}
	}
	free(refs);
}

