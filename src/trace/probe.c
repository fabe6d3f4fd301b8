/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace_probe.c - the probe: an ICMP echo, a UDP datagram or a TCP SYN sent from a socket made inside the source namespace. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "collect.h"
#include "trace.h"

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

static void sin_of(const struct nm_ip *ip, uint16_t port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	if (ip && ip->family == AF_INET)
		memcpy(&sa->sin_addr, ip->addr, 4);
}

static void ip_of(const struct sockaddr_in *sa, struct nm_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET;
	ip->plen = 32;
	memcpy(ip->addr, &sa->sin_addr, 4);
}

/* Bind to a random high port (so that two runs never share one), the source address if given. */
static int bind_random(int fd, const struct nm_ip *src, uint16_t *port)
{
	struct sockaddr_in sa;
	int tries;

	for (tries = 0; tries < 32; tries++) {
		uint16_t p;

		rnd(&p, sizeof(p));
		p = (uint16_t)(33000 + p % 28000);
		sin_of(src, p, &sa);
		if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			*port = p;
			return 0;
		}
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

int trace_probe_open(const struct nm_netns *ns, const struct path_query *q,
		     const struct nm_ip *sim_src, struct trace_probe *pr)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, ret;

	memset(pr, 0, sizeof(*pr));
	pr->fd = -1;
	pr->t.proto = q->proto ? q->proto : PATH_PROTO_ICMP;
	pr->t.dst = q->dst;
	pr->t.src = q->src.family ? q->src : *sim_src;
	rnd(pr->cookie, sizeof(pr->cookie));
	pr->cookie[0] = (uint8_t)(TRACE_MAGIC >> 24);
	pr->cookie[1] = (uint8_t)(TRACE_MAGIC >> 16);
	pr->cookie[2] = (uint8_t)(TRACE_MAGIC >> 8);
	pr->cookie[3] = (uint8_t)TRACE_MAGIC;

	switch (pr->t.proto) {
	case PATH_PROTO_ICMP:
		/* A raw socket: ping sockets need ping_group_range, which new namespaces leave empty. */
		fd = netns_socket(ns, AF_INET, SOCK_RAW, IPPROTO_ICMP);
		if (fd < 0)
			return fd;
		rnd(&pr->t.sport, sizeof(pr->t.sport));
		if (!pr->t.sport)
			pr->t.sport = 1;
		pr->t.dport = pr->t.sport;
		if (q->src.family) {
			sin_of(&q->src, 0, &sa);
			if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
				ret = -errno;
				close(fd);
				return ret;
			}
		}
		break;
	case PATH_PROTO_UDP:
	case PATH_PROTO_TCP:
		fd = netns_socket(ns, AF_INET, pr->t.proto == PATH_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM, 0);
		if (fd < 0)
			return fd;
		pr->t.dport = q->dport ? q->dport : (pr->t.proto == PATH_PROTO_TCP ? 80 : 53);
		ret = bind_random(fd, q->src.family ? &q->src : NULL, &pr->t.sport);
		if (ret < 0) {
			close(fd);
			return ret;
		}
		if (pr->t.proto == PATH_PROTO_TCP) {
			/* Close with a reset, leaving no connection state behind in the namespace. */
			struct linger lg = { 1, 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		}
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	pr->fd = fd;
	/* The kernel's source address selection, when the route exists (raw and UDP sockets
	 * pick it at connect time; TCP's connect is the send itself). */
	if (pr->t.proto != PATH_PROTO_TCP) {
		sin_of(&pr->t.dst, pr->t.proto == PATH_PROTO_UDP ? pr->t.dport : 0, &sa);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			pr->err = -errno;
		else if (!getsockname(fd, (struct sockaddr *)&sa, &sl) && sa.sin_addr.s_addr)
			ip_of(&sa, &pr->t.src);
	}
	return 0;
}

double trace_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int trace_probe_send(struct trace_probe *pr)
{
	uint8_t pkt[8 + 2 * TRACE_COOKIE_LEN];
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	ssize_t n;

	if (pr->err)
		return pr->err;
	pr->sent_ms = trace_now_ms();
	switch (pr->t.proto) {
	case PATH_PROTO_ICMP:
		memset(pkt, 0, sizeof(pkt));
		pkt[0] = 8;
		pkt[4] = (uint8_t)(pr->t.sport >> 8);
		pkt[5] = (uint8_t)pr->t.sport;
		pkt[7] = 1;	/* sequence 1 */
		memcpy(pkt + 8, pr->cookie, TRACE_COOKIE_LEN);
		memcpy(pkt + 8 + TRACE_COOKIE_LEN, "nstrace probe...", TRACE_COOKIE_LEN);
		{
			uint16_t c = csum(pkt, sizeof(pkt));

			pkt[2] = (uint8_t)(c >> 8);
			pkt[3] = (uint8_t)c;
		}
		n = send(pr->fd, pkt, sizeof(pkt), 0);
		break;
	case PATH_PROTO_UDP:
		memcpy(pkt, pr->cookie, TRACE_COOKIE_LEN);
		memcpy(pkt + TRACE_COOKIE_LEN, "nstrace probe...", TRACE_COOKIE_LEN);
		n = send(pr->fd, pkt, 2 * TRACE_COOKIE_LEN, 0);
		break;
	default:
		sin_of(&pr->t.dst, pr->t.dport, &sa);
		n = connect(pr->fd, (struct sockaddr *)&sa, sizeof(sa));
		if (n < 0 && errno == EINPROGRESS)
			n = 0;
		if (n == 0 && !getsockname(pr->fd, (struct sockaddr *)&sa, &sl) && sa.sin_addr.s_addr)
			ip_of(&sa, &pr->t.src);
		break;
	}
	if (n < 0) {
		pr->err = -errno;
		return pr->err;
	}
	pr->sent = true;
	return 0;
}

void trace_probe_close(struct trace_probe *pr)
{
	if (pr->fd >= 0)
		close(pr->fd);
	pr->fd = -1;
}
