/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns.c - namespace primitives: open one by any of its paths, enter it, create sockets inside it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "collect_int.h"

static int open_check(const char *path, const struct nm_netns *ns)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* A pid may have been reused, a name re-created: make sure it is the same namespace. */
	if (fstat(fd, &st) < 0 || st.st_ino != ns->ino || st.st_dev != ns->dev) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

int netns_open(const struct nm_netns *ns)
{
	char path[PATH_MAX];
	int fd, err = -ENOENT;
	size_t i;

	if (ns->self) {
		fd = open_check("/proc/self/ns/net", ns);
		if (fd >= 0)
			return fd;
	}
	for (i = 0; i < ns->n_names; i++) {
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", ns->names[i]);
		fd = open_check(path, ns);
		if (fd >= 0)
			return fd;
		if (err != -EACCES)
			err = fd;
	}
	for (i = 0; i < ns->n_mounts; i++) {
		fd = open_check(ns->mounts[i], ns);
		if (fd >= 0)
			return fd;
		if (err != -EACCES)
			err = fd;
	}
	for (i = 0; i < ns->n_procs; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ns->procs[i].pid);
		fd = open_check(path, ns);
		if (fd >= 0)
			return fd;
		if (err != -EACCES)
			err = fd;
	}
	return err;
}

/* The namespace we started in, opened once whichever thread asks first (every thread
 * asks before it enters another namespace). */
static pthread_once_t home_once = PTHREAD_ONCE_INIT;
static int home_fd = -1, home_errno;

static void home_open(void)
{
	home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	home_errno = errno;
}

static int home(void)
{
	pthread_once(&home_once, home_open);
	if (home_fd < 0)
		errno = home_errno;
	return home_fd;
}

int netns_enter_fd(int fd)
{
	if (home() < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0)
		return -errno;
	return 0;
}

int netns_return(void)
{
	if (setns(home(), CLONE_NEWNET) < 0)
		return -errno;
	return 0;
}

int netns_enter(const struct nm_netns *ns)
{
	int fd = netns_open(ns), err;

	if (fd < 0)
		return fd;
	err = netns_enter_fd(fd);
	close(fd);
	return err;
}

int netns_socket(const struct nm_netns *ns, int domain, int type, int proto)
{
	int fd, err;

	err = netns_enter(ns);
	if (err)
		return err;
	fd = socket(domain, type | SOCK_CLOEXEC, proto);
	err = fd < 0 ? -errno : 0;
	if (netns_return() < 0) {
		/* Staying in a foreign namespace would make every later answer wrong. */
		abort();
	}
	return err ? err : fd;
}

int collect_check_privileges(void)
{
	if (home() < 0)
		return -errno;
	/* setns() into our own namespace needs exactly what we need: CAP_SYS_ADMIN. */
	if (setns(home(), CLONE_NEWNET) < 0)
		return -errno;
	return 0;
}

struct mnl_socket *netns_mnl_open(const struct nm_netns *ns, int bus, unsigned int rcv_timeout_s,
				  int *err)
{
	struct mnl_socket *nl;
	int fd = netns_socket(ns, AF_NETLINK, SOCK_RAW, bus);

	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	nl = mnl_socket_fdopen(fd);
	if (!nl) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = -errno;
		mnl_socket_close(nl);
		return NULL;
	}
	if (rcv_timeout_s) {
		struct timeval tv = { .tv_sec = rcv_timeout_s };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	*err = 0;
	return nl;
}
