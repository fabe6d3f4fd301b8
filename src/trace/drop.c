/* SPDX-License-Identifier: GPL-2.0-or-later */
/* drop.c - --drop-reason: the kernel's skb:kfree_skb drop reason of the probe, read from a private tracefs instance and tied to the probe by skbaddr or time. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "trace_int.h"

#define DROP_BUF_KB "512"
#define DROP_MAX_RECS 100000
#define DROP_HOP_SLACK_MS 2.0		/* capture vs tracepoint timestamp of the same skb */
#define DROP_WINDOW_MS 20.0		/* time-window correlation after the last hop seen */

static const char *const tracefs_roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

struct trace_dropmon {
	char dir[256];			/* the instance */
	int fd;				/* its trace_pipe */
	double mono_off_ms;		/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct trace_drop_rec *recs;
	size_t n;
	char part[1024];		/* an incomplete line */
	size_t n_part;
};

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Copy the value after "key" up to the next space (or the end) into out. */
static bool field(const char *s, const char *key, char *out, size_t len)
{
	const char *p = strstr(s, key), *e;
	size_t n;

	if (!p)
		return false;
	p += strlen(key);
	e = p + strcspn(p, " \n");
	n = (size_t)(e - p);
	if (!n || n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = 0;
	return true;
}

int trace_drop_parse_line(const char *line, double mono_off_ms, struct trace_drop_rec *rec)
{
	const char *ev, *ts;
	char num[32], proto[16];
	size_t n;
	char *end;
	double sec;

	memset(rec, 0, sizeof(*rec));
	ev = strstr(line, ": kfree_skb: ");
	if (ev) {
		rec->kfree = true;
	} else {
		ev = strstr(line, ": netif_receive_skb: ");
		if (!ev)
			return -EINVAL;
	}
	/* The timestamp is the word before the event name. */
	for (ts = ev; ts > line && ts[-1] != ' '; ts--)
		;
	n = (size_t)(ev - ts);
	if (!n || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, ts, n);
	num[n] = 0;
	sec = strtod(num, &end);
	if (end == num || *end)
		return -EINVAL;
	rec->time_ms = sec * 1e3 + mono_off_ms;
	if (!field(ev, "skbaddr=", rec->skbaddr, sizeof(rec->skbaddr)))
		return -EINVAL;
	if (!rec->kfree)
		return field(ev, "dev=", rec->dev, sizeof(rec->dev)) ? 0 : -EINVAL;
	if (!field(ev, "protocol=", proto, sizeof(proto)) ||
	    !field(ev, "location=", rec->location, sizeof(rec->location)) ||
	    !field(ev, "reason: ", rec->reason, sizeof(rec->reason)))
		return -EINVAL;
	rec->protocol = (unsigned int)strtoul(proto, NULL, 10);
	return 0;
}

static int write_file(const char *dir, const char *rel, const char *val)
{
	char path[512];
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static bool exists(const char *dir, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &st) == 0;
}

static void remove_instance(const char *dir)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY && errno != EINTR)
			return;
		usleep(10000);
	}
}

/* The instance nstrace_<pid> under root (one left by an earlier process with our pid is
 * replaced). 0, or -ENOENT with why. */
static int make_instance(struct trace_dropmon *d, const char *root, char *why, size_t whylen)
{
	int ret;

	snprintf(d->dir, sizeof(d->dir), "%s/instances/nstrace_%ld", root, (long)getpid());
	ret = mkdir(d->dir, 0700) < 0 ? -errno : 0;
	if (ret == -EEXIST) {
		remove_instance(d->dir);
		ret = mkdir(d->dir, 0700) < 0 ? -errno : 0;
	}
	if (ret < 0 || !exists(d->dir, "trace_pipe")) {
		snprintf(why, whylen, "cannot create the tracefs instance %s: %s", d->dir,
			 strerror(ret < 0 ? -ret : EIO));
		if (!ret)
			remove_instance(d->dir);
		return -ENOENT;
	}
	return 0;
}

/* The skb of the probe on the interfaces of the path: its address ties a drop to it. */
static void watch_receive(const struct trace_dropmon *d, const char *const *ifnames, size_t n_if)
{
	char *filter = NULL;
	size_t i;

	if (!n_if || !exists(d->dir, "events/net/netif_receive_skb"))
		return;
	for (i = 0; i < n_if; i++) {
		char *f = nm_xasprintf("%s%sname == \"%s\"", filter ? filter : "",
				       filter ? " || " : "", ifnames[i]);

		free(filter);
		filter = f;
	}
	write_file(d->dir, "events/net/netif_receive_skb/filter", filter);
	write_file(d->dir, "events/net/netif_receive_skb/enable", "1");
	free(filter);
}

int trace_drop_open(struct trace_dropmon **out, const struct trace_family *fam,
		    const char *const *ifnames, size_t n_if, char *why, size_t whylen)
{
	struct trace_dropmon *d;
	const char *root = NULL;
	char buf[512];
	size_t i;
	int ret;

	*out = NULL;
	for (i = 0; i < ARRAY_SIZE(tracefs_roots) && !root; i++)
		if (exists(tracefs_roots[i], "instances"))
			root = tracefs_roots[i];
	if (!root) {
		snprintf(why, whylen, "tracefs is not mounted (/sys/kernel/tracing)");
		return -ENOENT;
	}
	if (!exists(root, "events/skb/kfree_skb")) {
		snprintf(why, whylen, "the kernel has no skb:kfree_skb event in %s", root);
		return -ENOENT;
	}
	d = nm_xcalloc(1, sizeof(*d));
	d->fd = -1;
	if (make_instance(d, root, why, whylen) < 0) {
		free(d);
		return -ENOENT;
	}
	/* Monotonic timestamps: turned into CLOCK_REALTIME like the capture's. */
	write_file(d->dir, "trace_clock", "mono");
	write_file(d->dir, "buffer_size_kb", DROP_BUF_KB);
	/* kfree_skb's protocol is skb->protocol: the family's ethertype */
	snprintf(buf, sizeof(buf), "protocol == %u", fam->ethertype);
	write_file(d->dir, "events/skb/kfree_skb/filter", buf);
	ret = write_file(d->dir, "events/skb/kfree_skb/enable", "1");
	if (ret < 0) {
		snprintf(why, whylen, "cannot enable skb:kfree_skb: %s", strerror(-ret));
		trace_drop_close(d);
		return -ENOENT;
	}
	watch_receive(d, ifnames, n_if);
	write_file(d->dir, "tracing_on", "1");
	snprintf(buf, sizeof(buf), "%s/trace_pipe", d->dir);
	d->fd = open(buf, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(why, whylen, "cannot open %s/trace_pipe: %s", d->dir, strerror(errno));
		trace_drop_close(d);
		return -ENOENT;
	}
	d->mono_off_ms = clock_ms(CLOCK_REALTIME) - clock_ms(CLOCK_MONOTONIC);
	*out = d;
	return 0;
}

static void add_line(struct trace_dropmon *d, const char *line)
{
	struct trace_drop_rec rec;

	if (d->n >= DROP_MAX_RECS || trace_drop_parse_line(line, d->mono_off_ms, &rec) < 0)
		return;
	*NM_PUSH(d->recs, d->n) = rec;
}

int trace_drop_read(struct trace_dropmon *d)
{
	char buf[8192];

	if (!d || d->fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(d->fd, buf, sizeof(buf));
		ssize_t i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (d->n_part < sizeof(d->part) - 1)
					d->part[d->n_part++] = buf[i];
				continue;
			}
			d->part[d->n_part] = 0;
			add_line(d, d->part);
			d->n_part = 0;
		}
	}
	return (int)d->n;
}

void trace_drop_close(struct trace_dropmon *d)
{
	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	write_file(d->dir, "events/skb/kfree_skb/enable", "0");
	write_file(d->dir, "events/net/netif_receive_skb/enable", "0");
	remove_instance(d->dir);
	free(d->recs);
	free(d);
}

void trace_kdrop_free(struct trace_kdrop *k)
{
	if (!k)
		return;
	free(k->reason);
	free(k->location);
	free(k->netns);
	free(k->ifname);
	free(k);
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

/* The first drop of the skb received at recs[c], before the address is reused. */
static const struct trace_drop_rec *drop_of(const struct trace_drop_rec *recs, size_t n, size_t c)
{
	size_t i;

	for (i = c + 1; i < n; i++) {
		if (strcmp(recs[i].skbaddr, recs[c].skbaddr))
			continue;
		if (!recs[i].kfree)
			return NULL;	/* received again: the same skb went on, or a new one */
		return &recs[i];
	}
	return NULL;
}

static void explain(struct trace_result *r)
{
	const struct trace_kdrop *k = r->kdrop;
	char *what;
	size_t i, pick = 0;

	what = nm_xasprintf("kernel: drop reason %s at %s%s%s%s%s (by %s)", k->reason, k->location,
			    k->netns ? ", skb last seen on " : "", k->netns ? k->netns : "",
			    k->netns ? ":" : "", k->ifname ? k->ifname : "", k->correlation);
	for (i = 0; i < r->n_causes && !pick; i++)
		if (k->netns && !strcmp(r->causes[i].netns, k->netns))
			pick = i + 1;
	r->kdrop_cause = trace_add_evidence(r, pick, what);
}

void trace_drop_attach_recs(struct trace_result *r, const struct trace_drop_rec *recs, size_t n,
			    double sent_ms)
{
	const struct trace_drop_rec *hit = NULL;
	const struct trace_hop *where = NULL;
	double t0 = 0;
	size_t i, k;

	r->drop_asked = true;
	if (r->verdict == PATH_REACHED)
		return;
	/* By skbaddr: the probe received on a hop of the path, then freed with a reason. */
	for (i = 0; i < n && !hit; i++) {
		if (recs[i].kfree)
			continue;
		for (k = 0; k < r->n_hops; k++) {
			const struct trace_hop *h = &r->hops[k];

			if (!h->observed || strcmp(h->direction, "in") || strcmp(h->ifname, recs[i].dev) ||
			    absd(recs[i].time_ms - sent_ms - h->time_ms) > DROP_HOP_SLACK_MS)
				continue;
			hit = drop_of(recs, n, i);
			if (hit)
				where = h;
			break;
		}
	}
	/* Else the first drop of the probe's family right after the last hop seen (or the send). */
	if (!hit) {
		if (r->last_seen >= 0)
			t0 = r->hops[r->last_seen].time_ms;
		for (i = 0; i < n && !hit; i++) {
			double t = recs[i].time_ms - sent_ms;

			if (recs[i].kfree && recs[i].protocol == r->ident.fam->ethertype && t >= t0 - 0.05 &&
			    t <= t0 + DROP_WINDOW_MS)
				hit = &recs[i];
		}
	}
	if (!hit)
		return;
	r->kdrop = nm_xcalloc(1, sizeof(*r->kdrop));
	r->kdrop->reason = nm_xstrdup(hit->reason);
	r->kdrop->location = nm_xstrdup(hit->location);
	r->kdrop->time_ms = hit->time_ms - sent_ms;
	r->kdrop->correlation = where ? "skbaddr" : "time window";
	if (where) {
		r->kdrop->netns = nm_xstrdup(where->netns);
		r->kdrop->ifname = nm_xstrdup(where->ifname);
	}
	explain(r);
}

void trace_drop_attach(struct trace_result *r, const struct trace_dropmon *d, double sent_ms)
{
	trace_drop_attach_recs(r, d ? d->recs : NULL, d ? d->n : 0, sent_ms);
}
