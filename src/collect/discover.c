/* SPDX-License-Identifier: GPL-2.0-or-later */
/* discover.c - find every network namespace: ip-netns names, process-held ones and nsfs bind mounts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect_int.h"

#define MAX_PROCS_KEPT 16

/* One sighting of a namespace file, before grouping by (dev, ino). */
struct sighting {
	uint64_t dev, ino;
	enum { SEEN_SELF, SEEN_NAME, SEEN_MOUNT, SEEN_PROC } how;
	char *text;		/* name, mount path or comm */
	pid_t pid;
	uint64_t start;		/* process start time, jiffies since boot */
};

struct sightings {
	struct sighting *v;
	size_t n;
};

static void add_sighting(struct sightings *ss, const struct stat *st, int how,
			 const char *text, pid_t pid, uint64_t start)
{
	struct sighting *s = NM_PUSH(ss->v, ss->n);

	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->how = how;
	s->text = nm_xstrdup(text);
	s->pid = pid;
	s->start = start;
}

static void scan_run_netns(struct sightings *ss, dev_t nsfs_dev, struct nm_snapshot *snap)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *de;

	if (!d)
		return;		/* no ip-netns namespaces at all */
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		if (stat(path, &st) < 0) {
			if (errno != ENOENT)
				nm_warn(&snap->warnings, &snap->n_warnings,
					"%s: %s", path, strerror(errno));
			continue;
		}
		/* A file left behind by a crashed `ip netns add` is not an nsfs mount. */
		if (st.st_dev != nsfs_dev) {
			nm_warn(&snap->warnings, &snap->n_warnings,
				"%s: not a namespace (stale ip-netns entry?)", path);
			continue;
		}
		add_sighting(ss, &st, SEEN_NAME, de->d_name, 0, 0);
	}
	closedir(d);
}

/* /proc/PID/stat: "pid (comm) state ppid ... starttime(22)". comm may hold spaces and ')'. */
static int read_proc_stat(int dirfd, char *comm, size_t commlen, uint64_t *start)
{
	char buf[1024], *open_p, *close_p, *p;
	ssize_t n;
	int fd, field;

	fd = openat(dirfd, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		return -EINVAL;
	snprintf(comm, commlen, "%.*s", (int)(close_p - open_p - 1), open_p + 1);
	/* field 3 starts after ") " */
	p = close_p + 2;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	*start = p ? strtoull(p, NULL, 10) : 0;
	return 0;
}

static void scan_procs(struct sightings *ss)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char comm[64];
		uint64_t start = 0;
		struct stat st;
		char *end;
		long pid;
		int dfd;

		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		dfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;	/* exited meanwhile */
		/* Kernel threads and processes we may not inspect are skipped silently:
		 * the namespaces they hold are seen through other holders or not at all. */
		if (fstatat(dfd, "ns/net", &st, 0) == 0 &&
		    read_proc_stat(dfd, comm, sizeof(comm), &start) == 0)
			add_sighting(ss, &st, SEEN_PROC, comm, (pid_t)pid, start);
		close(dfd);
	}
	closedir(d);
}

/* Undo the octal escapes of /proc/self/mountinfo (\040 for space ...). */
static void unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

static void scan_mounts(struct sightings *ss, dev_t nsfs_dev)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *fields[6], *sep, *fstype, *save = NULL, *p;
		struct stat st;
		int i;

		sep = strstr(line, " - ");
		if (!sep)
			continue;
		fstype = sep + 3;
		if (strncmp(fstype, "nsfs ", 5))
			continue;
		*sep = '\0';
		p = line;
		for (i = 0; i < 6; i++) {
			fields[i] = strtok_r(p, " ", &save);
			p = NULL;
			if (!fields[i])
				break;
		}
		if (i < 5 || strncmp(fields[3], "net:", 4))
			continue;
		unescape(fields[4]);
		if (!strncmp(fields[4], NETNS_RUN_DIR "/", strlen(NETNS_RUN_DIR) + 1))
			continue;	/* seen as a name already */
		if (stat(fields[4], &st) < 0 || st.st_dev != nsfs_dev)
			continue;	/* unmounted meanwhile, or over-mounted */
		add_sighting(ss, &st, SEEN_MOUNT, fields[4], 0, 0);
	}
	free(line);
	fclose(f);
}

static int cmp_sighting(const void *a, const void *b)
{
	const struct sighting *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->how != y->how)
		return (int)x->how - (int)y->how;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pid - y->pid;
}

int discover_netns(struct nm_snapshot *snap)
{
	struct sightings ss = { 0 };
	struct stat self;
	size_t i;

	/* The namespace we run in, from /proc/self: /proc/1 may be unreadable (containers). */
	if (stat("/proc/self/ns/net", &self) < 0)
		return -errno;
	add_sighting(&ss, &self, SEEN_SELF, "self", getpid(), 0);
	scan_run_netns(&ss, self.st_dev, snap);
	scan_mounts(&ss, self.st_dev);
	scan_procs(&ss);

	nm_qsort(ss.v, ss.n, sizeof(*ss.v), cmp_sighting);
	for (i = 0; i < ss.n; i++) {
		struct sighting *s = &ss.v[i];
		struct nm_netns *ns;

		if (i == 0 || s->dev != ss.v[i - 1].dev || s->ino != ss.v[i - 1].ino) {
			ns = NM_PUSH(snap->netns, snap->n_netns);
			ns->dev = s->dev;
			ns->ino = s->ino;
			ns->id = nm_xasprintf("net:%" PRIu64, s->ino);
			ns->sysctl.ip_forward = -1;
			ns->sysctl.ipv6_forwarding = -1;
			ns->sysctl.rp_filter_all = -1;
			ns->sysctl.rp_filter_default = -1;
			ns->sysctl.bridge_nf_call_iptables = -1;
		}
		ns = &snap->netns[snap->n_netns - 1];
		switch (s->how) {
		case SEEN_SELF:
			ns->self = true;
			break;
		case SEEN_NAME:
			nm_strv_push(&ns->names, &ns->n_names, s->text);
			break;
		case SEEN_MOUNT:
			nm_strv_push(&ns->mounts, &ns->n_mounts, s->text);
			break;
		case SEEN_PROC:
			/* sorted by start time: the first ones are the oldest holders */
			ns->n_procs_total++;
			if (ns->n_procs < MAX_PROCS_KEPT) {
				struct nm_proc *p = NM_PUSH(ns->procs, ns->n_procs);

				p->pid = s->pid;
				p->comm = nm_xstrdup(s->text);
			}
			break;
		}
		free(s->text);
	}
	free(ss.v);
	return 0;
}
