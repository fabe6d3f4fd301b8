/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.c - one libpcap `any` handle per namespace (cooked v2 headers), opened inside it, read in one poll loop. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "collect.h"
#include "trace_int.h"

#define CAP_SNAPLEN 256
#define CAP_BUFFER (512 * 1024)
#define CAP_MAX_PACKETS 4096

struct cap_handle {
	pcap_t *p;
	int fd;
	size_t ns;
};

struct trace_capture {
	struct cap_handle *h;
	size_t n_h;
	struct trace_cap *caps;
	size_t n_caps;
	bool (*done)(const struct trace_cap *c, void *arg);
	void *arg;
	bool finished;
	size_t cur_ns;
};

/* Create and activate the handle inside the namespace: pcap_activate() creates the
 * AF_PACKET socket, and a socket stays in the namespace it was created in. */
static pcap_t *open_in(const struct nm_netns *ns, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = NULL;
	int nsfd, ret;

	nsfd = netns_open(ns);
	if (nsfd < 0) {
		snprintf(err, errlen, "cannot open namespace: %s", strerror(-nsfd));
		return NULL;
	}
	ret = netns_enter_fd(nsfd);
	close(nsfd);
	if (ret < 0) {
		snprintf(err, errlen, "cannot enter namespace: %s", strerror(-ret));
		return NULL;
	}
	p = pcap_create("any", ebuf);
	if (p) {
		pcap_set_snaplen(p, CAP_SNAPLEN);
		pcap_set_immediate_mode(p, 1);
		pcap_set_buffer_size(p, CAP_BUFFER);
		pcap_set_timeout(p, 10);
		pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
		ret = pcap_activate(p);
		if (ret < 0) {
			snprintf(err, errlen, "pcap: %s", pcap_geterr(p));
			pcap_close(p);
			p = NULL;
		}
	} else {
		snprintf(err, errlen, "pcap: %s", ebuf);
	}
	if (netns_return() < 0)
		abort();	/* staying in a foreign namespace would make every answer wrong */
	return p;
}

int trace_capture_open(struct trace_capture **out, const struct trace_nsinfo *nss, size_t n,
		       const char *filter, char ***warn, size_t *n_warn)
{
	struct trace_capture *c = nm_xcalloc(1, sizeof(*c));
	struct bpf_program prog;
	char err[PCAP_ERRBUF_SIZE + 64];
	size_t i;

	for (i = 0; i < n; i++) {
		const char *label = trace_ns_label(nss[i].ns);
		struct cap_handle *h;
		pcap_t *p = open_in(nss[i].ns, err, sizeof(err));

		if (!p) {
			nm_warn(warn, n_warn, "no capture in %s: %s", label, err);
			continue;
		}
		if (pcap_set_datalink(p, DLT_LINUX_SLL2) < 0 ||
		    pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			nm_warn(warn, n_warn, "no capture in %s: %s", label, pcap_geterr(p));
			pcap_close(p);
			continue;
		}
		if (pcap_setfilter(p, &prog) < 0 || pcap_setnonblock(p, 1, err) < 0) {
			nm_warn(warn, n_warn, "no capture in %s: %s", label, pcap_geterr(p));
			pcap_freecode(&prog);
			pcap_close(p);
			continue;
		}
		pcap_freecode(&prog);
		h = NM_PUSH(c->h, c->n_h);
		h->p = p;
		h->fd = pcap_get_selectable_fd(p);
		h->ns = i;
	}
	*out = c;
	return c->n_h ? 0 : -ENODEV;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *hdr, const u_char *bytes)
{
	struct trace_capture *c = (struct trace_capture *)user;
	struct trace_cap *cap;
	struct trace_pkt pkt;

	if (c->n_caps >= CAP_MAX_PACKETS)
		return;
	if (trace_parse_sll2(bytes, hdr->caplen, &pkt) < 0)
		return;
	cap = NM_PUSH(c->caps, c->n_caps);
	cap->ns = c->cur_ns;
	/* Nanosecond precision was asked: tv_usec holds nanoseconds. */
	cap->time_ms = (double)hdr->ts.tv_sec * 1e3 + (double)hdr->ts.tv_usec / 1e6;
	cap->pkt = pkt;
	if (c->done && c->done(cap, c->arg))
		c->finished = true;
}

static void drain(struct trace_capture *c, size_t i)
{
	c->cur_ns = c->h[i].ns;
	while (pcap_dispatch(c->h[i].p, -1, on_packet, (u_char *)c) > 0)
		;
}

int trace_capture_loop(struct trace_capture *c, double deadline_ms,
		       bool (*done)(const struct trace_cap *cap, void *arg), void *arg,
		       volatile int *stop)
{
	struct pollfd *pfd = nm_xcalloc(c->n_h ? c->n_h : 1, sizeof(*pfd));
	double settle = 0;
	size_t i;
	int ret = 0;

	c->done = done;
	c->arg = arg;
	for (i = 0; i < c->n_h; i++) {
		pfd[i].fd = c->h[i].fd;
		pfd[i].events = POLLIN;
	}
	for (;;) {
		double now = trace_now_ms(), end = deadline_ms;
		int wait;

		if (stop && *stop) {
			ret = -EINTR;
			break;
		}
		/* Once the reply is home, a short grace to collect what the other rings hold. */
		if (c->finished && !settle)
			settle = now + 30;
		if (settle && settle < end)
			end = settle;
		if (now >= end)
			break;
		wait = (int)(end - now) + 1;
		if (wait > 50)
			wait = 50;	/* the immediate-mode wakeup is the norm; this only bounds it */
		if (poll(pfd, c->n_h, wait) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		for (i = 0; i < c->n_h; i++) {
			if (pfd[i].revents & POLLIN)
				drain(c, i);
			/* a handle whose namespace went away: stop polling it instead of spinning */
			else if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL))
				pfd[i].fd = -1;
		}
	}
	for (i = 0; i < c->n_h && !ret; i++)
		drain(c, i);
	free(pfd);
	return ret;
}

const struct trace_cap *trace_capture_packets(const struct trace_capture *c, size_t *n)
{
	*n = c->n_caps;
	return c->caps;
}

void trace_capture_close(struct trace_capture *c, unsigned int *drops)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n_h; i++) {
		struct pcap_stat st;

		if (drops && !pcap_stats(c->h[i].p, &st))
			*drops += st.ps_drop;
		pcap_close(c->h[i].p);
	}
	free(c->h);
	free(c->caps);
	free(c);
}
