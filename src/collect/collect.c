/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collect.c - collection of every namespace on the host: sockets created inside each, dumps on every CPU, then the peers. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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
	int fd, err;

	fd = netns_open(ns);
	if (fd < 0)
		return fd;
	err = netns_enter_fd(fd);
	close(fd);
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
	atomic_size_t next;
};

static void collect_one(struct worker *w, size_t i)
{
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

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	size_t i;

	/* setns() switches only the calling thread: each worker visits namespaces on its own */
	while ((i = atomic_fetch_add(&w->next, 1)) < w->s->n_netns)
		collect_one(w, i);
	return NULL;
}

/* Namespaces are independent: visit them on every CPU (a namespace's data is only ever
 * written by the thread that took it). */
static void collect_parallel(struct nm_snapshot *s, struct ns_socks *socks, const bool *keep,
			     const struct collect_opts *o)
{
	struct worker w = { .s = s, .socks = socks, .keep = keep, .o = o };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = ncpu > 1 ? (size_t)(ncpu > 4 ? 4 : ncpu) : 1, i, started = 0;
	pthread_t tids[4];

	atomic_init(&w.next, 0);
	if (s->n_netns < 16)
		nthreads = 1;
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&tids[started], NULL, worker_main, &w) == 0)
			started++;
	worker_main(&w);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < s->n_netns; i++)
		if (!s->netns[i].ino)
			nm_warn(&s->warnings, &s->n_warnings,
				"namespace %s (%s) vanished during the scan", s->netns[i].id,
				s->netns[i].label);
}

int collect_netns(struct nm_snapshot *s, bool *keep, const struct collect_opts *o)
{
	struct ns_socks *socks;
	size_t i;
	int err;

	raise_nofile();
	err = netns_return();	/* opens the way home before any worker thread needs it */
	if (err)
		return err;
	socks = nm_xcalloc(s->n_netns, sizeof(*socks));
	collect_parallel(s, socks, keep, o);
	collect_resolve_peers(s, socks);
	for (i = 0; i < s->n_netns; i++) {
		close_socks(&socks[i]);
		if (!s->netns[i].ino)
			keep[i] = false;	/* vanished */
	}
	free(socks);
	return 0;
}
