/* SPDX-License-Identifier: GPL-2.0-or-later */
/* baseline.c - the benchmark's floor: open each /run/netns namespace, dump links, addresses and routes, discard them. */

/*
 * Usage: bench-baseline PREFIX
 *
 * For every name in /run/netns starting with PREFIX: open it, setns() into it just long
 * enough to create a NETLINK_ROUTE socket (a socket stays bound to the namespace it was
 * created in), return to the original namespace, then dump RTM_GETLINK, RTM_GETADDR and
 * RTM_GETROUTE (every table, both families) and throw the answers away. Prints the number
 * of namespaces and netlink messages read on stdout. This is the least work any tool that
 * reads the same objects can do, so nsmap is measured against it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BL_BUFSZ (64 * 1024)

static char bl_buf[BL_BUFSZ];

/* Send one dump request of type @type and read the answer to its end; return the message count or -errno. */
static long bl_dump(int fd, int type, unsigned int seq)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
		char pad[3];	/* rtgenmsg is 1 byte; keep the message 4-byte aligned */
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	long count = 0;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg));
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = seq;
	req.g.rtgen_family = AF_UNSPEC;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;

	for (;;) {
		ssize_t n = recv(fd, bl_buf, sizeof(bl_buf), 0);
		struct nlmsghdr *nh;
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (size_t)n;
		for (nh = (struct nlmsghdr *)bl_buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return count;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				return e->error ? e->error : count;
			}
			count++;
		}
	}
}

/* Open a NETLINK_ROUTE socket inside the namespace file @path; return the fd or -errno. */
static int bl_socket_in(int self_fd, const char *path)
{
	int nsfd, fd, err = 0;

	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		err = -errno;
		close(nsfd);
		return err;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		err = -errno;
	/* Back home at once; failing to return would poison every later namespace. */
	if (setns(self_fd, CLONE_NEWNET) < 0) {
		perror("bench-baseline: setns back");
		exit(1);
	}
	close(nsfd);
	return fd < 0 ? err : fd;
}

int main(int argc, char **argv)
{
	static const int types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };
	const char *prefix = argc > 1 ? argv[1] : "";
	size_t plen = strlen(prefix);
	long nns = 0, nmsg = 0, nerr = 0;
	unsigned int seq = 1;
	struct dirent *de;
	int self_fd;
	DIR *d;

	self_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_fd < 0) {
		perror("bench-baseline: /proc/self/ns/net");
		return 1;
	}
	d = opendir("/run/netns");
	if (!d) {
		perror("bench-baseline: /run/netns");
		return 1;
	}
	while ((de = readdir(d))) {
		char path[512];
		size_t i;
		int fd;

		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, plen) != 0)
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		fd = bl_socket_in(self_fd, path);
		if (fd < 0) {
			nerr++;
			continue;
		}
		nns++;
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			long n = bl_dump(fd, types[i], seq++);

			if (n < 0)
				nerr++;
			else
				nmsg += n;
		}
		close(fd);
	}
	closedir(d);
	close(self_fd);
	printf("namespaces %ld messages %ld errors %ld\n", nns, nmsg, nerr);
	return nerr ? 1 : 0;
}
