/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collect.h - discover every network namespace and read its links, routes, rules and firewall. */
#ifndef NSMAP_COLLECT_H
#define NSMAP_COLLECT_H

#include "model.h"

struct collect_opts {
	bool no_netfilter;	/* skip the firewall (faster) */
	bool no_neighbours;
};

/* discover.c: find every network namespace (/run/netns, /proc/PID/ns/net, nsfs mounts).
 * Fills s->netns with identity only (no links yet). Returns 0 or -errno. */
int discover_netns(struct nm_snapshot *s);

/* Open a namespace of a snapshot (live or loaded) by one of its paths, checking the inode.
 * Returns an fd or -errno. */
int netns_open(const struct nm_netns *ns);

/* Create a socket inside the namespace: setns() in, socket(), setns() back. Returns fd or -errno. */
int netns_socket(const struct nm_netns *ns, int domain, int type, int proto);

/* A bound libmnl socket on netlink bus (NETLINK_ROUTE, NETLINK_NETFILTER, ...) created inside
 * ns; rcv_timeout_s > 0 sets SO_RCVTIMEO. NULL with *err = -errno on failure. */
struct mnl_socket;
struct mnl_socket *netns_mnl_open(const struct nm_netns *ns, int bus, unsigned int rcv_timeout_s,
				  int *err);

/* Enter ns (this thread only) / the namespace behind fd; return to the one we started in. */
int netns_enter(const struct nm_netns *ns);
int netns_enter_fd(int fd);
int netns_return(void);

/* kroute.c: the kernel's route for fl in ns (an nm_route_oracle). Returns 0 when the kernel
 * answered (a refusal is a->err), -errno when it could not be asked. */
int collect_route_get(const struct nm_netns *ns, const struct nm_flow *fl, struct nm_route_answer *a);

/* Check that we may enter namespaces at all (CAP_SYS_ADMIN). 0 or -EPERM. */
int collect_check_privileges(void);

/* collect.c: read what is in every namespace of s (found by discover_netns): everything
 * where keep[i], only the links elsewhere (enough to resolve the veth peers of the kept
 * ones), on every CPU. A namespace that vanished meanwhile gets keep[i] = false and a
 * host-wide warning. Errors that concern one namespace become warnings in it; -errno only
 * for a global failure. */
int collect_netns(struct nm_snapshot *s, bool *keep, const struct collect_opts *o);
/* The host's name, kernel release and the time, for the snapshot's head. */
void collect_meta(struct nm_snapshot *s);

#endif
