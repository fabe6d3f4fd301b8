/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe.c - the probe: an ICMP echo, a UDP datagram or a TCP SYN sent from a socket made inside the source namespace. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "collect.h"
#include "trace_int.h"

static void rnd(void *buf, size_t len)
{
	if (getrandom(buf, len, 0) != (ssize_t)len) {
		/* Never happens for small requests; keep the run distinct anyway. */
		uint8_t *b = buf;
		size_t i;

		srandom((unsigned int)(getpid() ^ time(NULL)));
		for (i = 0; i < len; i++)
			b[i] = (uint8_t)random();
	}
}

static uint16_t csum(const uint8_t *b, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)((b[i] << 8) | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Bind to a random high port (so that two runs never share one), the source address if given. */
static int bind_random(const struct trace_family *fam, int fd, const struct nm_ip *src,
		       uint16_t *port)
{
	struct sockaddr_storage sa;
	int tries;

	for (tries = 0; tries < 32; tries++) {
		uint16_t p;
		socklen_t sl;

		rnd(&p, sizeof(p));
		p = (uint16_t)(33000 + p % 28000);
		sl = fam->to_sockaddr(src, p, &sa);
		if (!bind(fd, (struct sockaddr *)&sa, sl)) {
			*port = p;
			return 0;
		}
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

/* A raw socket: ping sockets need ping_group_range, which new namespaces leave empty. */
static int open_echo(struct trace_probe *pr, const struct nm_netns *ns, const struct path_query *q)
{
	struct sockaddr_storage sa;
	socklen_t sl;
	int fd, ret;

	fd = netns_socket(ns, pr->fam->af, SOCK_RAW, pr->fam->icmp_proto);
	if (fd < 0)
		return fd;
	rnd(&pr->t.sport, sizeof(pr->t.sport));
	if (!pr->t.sport)
		pr->t.sport = 1;
	pr->t.dport = pr->t.sport;
	if (q->src.family) {
		sl = pr->fam->to_sockaddr(&q->src, 0, &sa);
		if (bind(fd, (struct sockaddr *)&sa, sl) < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
	}
	return fd;
}

/* A UDP or TCP socket bound to a random port. */
static int open_port(struct trace_probe *pr, const struct nm_netns *ns, const struct path_query *q)
{
	bool tcp = pr->t.proto == PATH_PROTO_TCP;
	int fd, ret;

	fd = netns_socket(ns, pr->fam->af, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	pr->t.dport = q->dport ? q->dport : (tcp ? 80 : 53);
	ret = bind_random(pr->fam, fd, q->src.family ? &q->src : NULL, &pr->t.sport);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	if (tcp) {
		/* Close with a reset, leaving no connection state behind in the namespace. */
		struct linger lg = { 1, 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	return fd;
}

/* connect() to the destination (a TCP connect in progress is fine), then read back the
 * source address the kernel selected. 0 or -errno. */
static int connect_dst(struct trace_probe *pr, uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t sl = pr->fam->to_sockaddr(&pr->t.dst, port, &sa);

	if (connect(pr->fd, (struct sockaddr *)&sa, sl) < 0 && errno != EINPROGRESS)
		return -errno;
	sl = sizeof(sa);
	if (!getsockname(pr->fd, (struct sockaddr *)&sa, &sl))
		pr->fam->from_sockaddr(&sa, &pr->t.src);
	return 0;
}

int trace_probe_open(const struct trace_family *fam, const struct nm_netns *ns,
		     const struct path_query *q, const struct nm_ip *sim_src, struct trace_probe *pr)
{
	int fd;

	memset(pr, 0, sizeof(*pr));
	pr->fam = fam;
	pr->fd = -1;
	pr->t.proto = q->proto && q->proto != PATH_PROTO_ICMP ? q->proto : fam->icmp_proto;
	pr->t.dst = q->dst;
	pr->t.src = q->src.family ? q->src : *sim_src;
	rnd(pr->cookie, sizeof(pr->cookie));
	pr->cookie[0] = (uint8_t)(TRACE_MAGIC >> 24);
	pr->cookie[1] = (uint8_t)(TRACE_MAGIC >> 16);
	pr->cookie[2] = (uint8_t)(TRACE_MAGIC >> 8);
	pr->cookie[3] = (uint8_t)TRACE_MAGIC;

	if (pr->t.proto == fam->icmp_proto)
		fd = open_echo(pr, ns, q);
	else if (pr->t.proto == PATH_PROTO_UDP || pr->t.proto == PATH_PROTO_TCP)
		fd = open_port(pr, ns, q);
	else
		return -EPROTONOSUPPORT;
	if (fd < 0)
		return fd;
	pr->fd = fd;
	/* The kernel's source address selection, when the route exists (raw and UDP sockets
	 * pick it at connect time; TCP's connect is the send itself). */
	if (pr->t.proto != PATH_PROTO_TCP)
		pr->err = connect_dst(pr, pr->t.proto == PATH_PROTO_UDP ? pr->t.dport : 0);
	return 0;
}

double trace_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* An echo request with the cookie (sequence 1). */
static ssize_t send_echo(const struct trace_probe *pr)
{
	uint8_t pkt[8 + 2 * TRACE_COOKIE_LEN] = { 0 };
	uint16_t c;

	pkt[0] = pr->fam->echo_request;
	pkt[4] = (uint8_t)(pr->t.sport >> 8);
	pkt[5] = (uint8_t)pr->t.sport;
	pkt[7] = 1;
	memcpy(pkt + 8, pr->cookie, TRACE_COOKIE_LEN);
	memcpy(pkt + 8 + TRACE_COOKIE_LEN, "nstrace probe...", TRACE_COOKIE_LEN);
	c = csum(pkt, sizeof(pkt));
	pkt[2] = (uint8_t)(c >> 8);
	pkt[3] = (uint8_t)c;
	return send(pr->fd, pkt, sizeof(pkt), 0);
}

int trace_probe_send(struct trace_probe *pr)
{
	uint8_t pkt[2 * TRACE_COOKIE_LEN];
	int ret;

	if (pr->err)
		return pr->err;
	pr->sent_ms = trace_now_ms();
	if (pr->t.proto == PATH_PROTO_TCP) {
		ret = connect_dst(pr, pr->t.dport);
		if (ret < 0) {
			pr->err = ret;
			return ret;
		}
	} else {
		ssize_t n;

		if (pr->t.proto == pr->fam->icmp_proto) {
			n = send_echo(pr);
		} else {
			memcpy(pkt, pr->cookie, TRACE_COOKIE_LEN);
			memcpy(pkt + TRACE_COOKIE_LEN, "nstrace probe...", TRACE_COOKIE_LEN);
			n = send(pr->fd, pkt, sizeof(pkt), 0);
		}
		if (n < 0) {
			pr->err = -errno;
			return pr->err;
		}
	}
	pr->sent = true;
	return 0;
}

/* An ICMP message read from the raw socket (IPv4: with its IP header): ours? */
static int echo_answer(const struct trace_probe *pr, const uint8_t *b, size_t n)
{
	const uint8_t *ic = b;
	size_t left = n;
	uint8_t type;

	if (pr->fam->af == AF_INET) {
		size_t ihl;

		if (n < 20 || (b[0] >> 4) != 4)
			return 0;
		ihl = (size_t)(b[0] & 0x0f) * 4;
		if (ihl < 20 || ihl > n)
			return 0;
		ic = b + ihl;
		left = n - ihl;
	}
	if (left < 8)
		return 0;
	type = ic[0];
	if (type == pr->fam->echo_reply)
		return (ic[4] << 8 | ic[5]) == pr->t.sport && ic[7] == 1 ? 1 : 0;
	if (type == pr->fam->icmp_unreach || type == pr->fam->icmp_time_exceeded) {
		/* the quoted echo request: (IPv4 header +) 8 bytes of ICMP */
		const uint8_t *q = ic + 8;
		size_t ql = left - 8, qh = pr->fam->af == AF_INET ? (size_t)(q[0] & 0x0f) * 4 : 40;

		if (ql < qh + 8 || (pr->fam->af == AF_INET && ql < 20))
			return 0;
		if (q[qh] == pr->fam->echo_request && (q[qh + 4] << 8 | q[qh + 5]) == pr->t.sport)
			return type == pr->fam->icmp_unreach ? -EHOSTUNREACH : -ETIMEDOUT;
	}
	return 0;
}

int trace_probe_delivered(struct trace_probe *pr, int wait_ms)
{
	uint8_t buf[1500];
	int ret = 0, waited;

	if (pr->fd < 0 || !pr->sent)
		return 0;
	for (waited = 0; ; waited += 10) {
		if (pr->t.proto == PATH_PROTO_TCP) {
			struct sockaddr_storage sa;
			socklen_t sl = sizeof(sa);
			int err = 0;
			socklen_t el = sizeof(err);

			getsockopt(pr->fd, SOL_SOCKET, SO_ERROR, &err, &el);
			if (!err && !getpeername(pr->fd, (struct sockaddr *)&sa, &sl))
				return 1;	/* SYN-ACK: connected */
			if (err == ECONNREFUSED)
				return 1;	/* a reset: the destination answered */
			if (err)
				return -err;
		} else if (pr->t.proto == PATH_PROTO_UDP) {
			ssize_t n = recv(pr->fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (n >= 0 || errno == ECONNREFUSED)
				return 1;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
		} else {
			ssize_t n;

			while ((n = recv(pr->fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
				ret = echo_answer(pr, buf, (size_t)n);
				if (ret)
					return ret;
			}
		}
		if (waited >= wait_ms)
			return 0;
		usleep(10000);
	}
}

void trace_probe_close(struct trace_probe *pr)
{
	if (pr->fd >= 0)
		close(pr->fd);
	pr->fd = -1;
}
