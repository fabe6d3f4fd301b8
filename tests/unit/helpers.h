/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helpers.h - what the unit tests share: fixture paths, reading files, addresses, hand-built namespaces. */
#ifndef NSMAP_TEST_HELPERS_H
#define NSMAP_TEST_HELPERS_H

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <net/if.h>

#include "model.h"

/* The path of tests/fixtures/REL (or $NSMAP_FIXTURES/REL), in a static buffer that the next
 * call reuses. */
static inline const char *th_fixture(const char *rel)
{
	static char path[1024];
	const char *top = getenv("NSMAP_FIXTURES");

	snprintf(path, sizeof(path), "%s/%s", top ? top : "tests/fixtures", rel);
	return path;
}

/* The whole file, NUL-terminated (binary files too: *len says how long); NULL if it cannot
 * be opened. */
static inline char *th_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			buf = nm_xrealloc(buf, cap, 1);
		}
		r = fread(buf + n, 1, 65536, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* th_read() of a fixture that must exist. */
static inline char *th_slurp_fixture(const char *rel, size_t *len)
{
	const char *path = th_fixture(rel);
	char *buf = th_read(path, len);

	if (!buf)
		fail_msg("cannot open %s", path);
	return buf;
}

static inline struct nm_ip th_ip(const char *s)
{
	struct nm_ip ip;

	assert_int_equal(nm_ip_parse(s, &ip), 0);
	return ip;
}

/* A namespace added by hand: id net:INO, the label given (NULL: none yet), sysctls unknown
 * but for ip_forward (on in the namespace nsmap runs in). */
static inline struct nm_netns *th_add_ns(struct nm_snapshot *s, unsigned long ino, const char *label,
					 bool self)
{
	struct nm_netns *ns = NM_PUSH(s->netns, s->n_netns);

	ns->id = nm_xasprintf("net:%lu", ino);
	ns->ino = ino;
	ns->dev = 4;
	ns->self = self;
	ns->label = nm_xstrdup(label);
	ns->sysctl.ip_forward = self ? 1 : 0;
	ns->sysctl.bridge_nf_call_iptables = -1;
	return ns;
}

/* A link as `ip link` would show it: up (with carrier) or down, a port of master if given. */
static inline struct nm_link *th_add_link(struct nm_netns *ns, int ifindex, const char *ifname,
					  const char *kind, bool up, const char *master)
{
	struct nm_link *l = NM_PUSH(ns->links, ns->n_links);
	bool lo = !strcmp(kind, "loopback");

	l->ifindex = ifindex;
	l->ifname = nm_xstrdup(ifname);
	l->kind = nm_xstrdup(kind);
	l->state = nm_xstrdup(lo ? "UNKNOWN" : up ? "UP" : "DOWN");
	l->flags = up ? IFF_UP | IFF_BROADCAST | IFF_MULTICAST | 0x10000 /* IFF_LOWER_UP */ :
			IFF_BROADCAST | IFF_MULTICAST;
	if (lo)
		l->flags = IFF_UP | IFF_LOOPBACK | 0x10000;
	l->mtu = lo ? 65536 : 1500;
	l->forwarding = -1;
	l->rp_filter = -1;
	if (master) {
		struct nm_link *m = nm_find_link(ns, master);

		l->master = nm_xstrdup(master);
		l->master_ifindex = m ? m->ifindex : 99;
	}
	return l;
}

#endif
