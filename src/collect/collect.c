/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collect.c - collection of every namespace on the host: sockets created inside each, dumps on every CPU, then the peers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <netlink/netlink.h>

#include "collect_int.h"

static int open_socks(struct nm_netns *ns, struct ns_socks *so, bool light)
{
	int err = netns_enter(ns);

	if (err)
		return err;
	so->nl = nl_socket_alloc();
	if (!so->nl) {
		err = -ENOMEM;
	} else if (nl_connect(so->nl, NETLINK_ROUTE) < 0) {
		err = -EIO;
		nl_socket_free(so->nl);
		so->nl = NULL;
	}
	if (!err) {
		/* one read per message instead of a peek to size the buffer, then the read */
		nl_socket_disable_msg_peek(so->nl);
		nl_socket_set_msg_buf_size(so->nl, 65536);
		so->mnl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
		if (so->mnl && mnl_socket_bind(so->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
			mnl_socket_close(so->mnl);
			so->mnl = NULL;
		}
	}
	if (!err && !light && nf_handle_open(&so->nf) < 0)
		so->nf = NULL;
	if (netns_return() < 0)
		abort();	/* never answer from the wrong namespace */
	return err;
}

static void close_socks(struct ns_socks *so)
{
	if (so->nl)
		nl_socket_free(so->nl);
	if (so->mnl)
		mnl_socket_close(so->mnl);
	if (so->nf)
		nf_handle_close(so->nf);
	memset(so, 0, sizeof(*so));
}

static void raise_nofile(void)
{
	struct rlimit rl;

	/* one route socket per namespace stays open until peers are resolved */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

void collect_meta(struct nm_snapshot *s)
{
	struct utsname u;
	char buf[64];
	time_t now = time(NULL);
	struct tm tm;

	if (uname(&u) == 0) {
		s->hostname = nm_xstrdup(u.nodename);
		s->kernel = nm_xstrdup(u.release);
	}
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	s->created = nm_xstrdup(buf);
}

struct worker {
	struct nm_snapshot *s;
	struct ns_socks *socks;
	const bool *keep;
	const struct collect_opts *o;
};

/* setns() switches only the calling thread: each worker visits namespaces on its own, and a
 * namespace's data is only ever written by the thread that took it. */
static void collect_one(size_t i, void *arg)
{
	struct worker *w = arg;
	struct nm_netns *ns = &w->s->netns[i];
	int err = open_socks(ns, &w->socks[i], !w->keep[i]);

	if (err == -ENOENT || err == -ESTALE) {
		ns->ino = 0;	/* vanished: dropped (with a host-wide warning) by the caller */
		return;
	}
	if (err) {
		nm_warn(&ns->warnings, &ns->n_warnings, "cannot enter: %s", strerror(-err));
		return;
	}
	collect_dump_netns(ns, &w->socks[i], w->o, !w->keep[i]);
	if (w->keep[i] && nm_netns_has_bridge(ns))
		collect_bridge_sysctl(ns);
}

int collect_netns(struct nm_snapshot *s, bool *keep, const struct collect_opts *o)
{
	struct worker w;
	struct ns_socks *socks;
	size_t i;
	int err;

	raise_nofile();
	err = netns_return();	/* opens the way home before any worker thread needs it */
	if (err)
		return err;
	socks = nm_xcalloc(s->n_netns, sizeof(*socks));
	w = (struct worker){ .s = s, .socks = socks, .keep = keep, .o = o };
	nm_parallel(s->n_netns, collect_one, &w);
	collect_resolve_peers(s, socks);
	for (i = 0; i < s->n_netns; i++) {
		close_socks(&socks[i]);
		if (s->netns[i].ino)
			continue;
		keep[i] = false;
		nm_warn(&s->warnings, &s->n_warnings, "namespace %s (%s) vanished during the scan",
			s->netns[i].id, s->netns[i].label);
	}
	free(socks);
	return 0;
}
