/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c - allocation helpers, address parsing/printing and kernel enum names shared by all modules. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"

static void nm_oom(void)
{
	fputs("nsmap: out of memory\n", stderr);
	abort();
}

void *nm_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		nm_oom();
	return p;
}

void *nm_xrealloc(void *p, size_t n, size_t size)
{
	size_t bytes;
	void *q;

	if (size && n > SIZE_MAX / size)
		nm_oom();
	bytes = n * size;
	q = realloc(p, bytes ? bytes : 1);
	if (!q)
		nm_oom();
	return q;
}

char *nm_xstrdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		nm_oom();
	return p;
}

char *nm_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		nm_oom();
	va_end(ap);
	return s;
}

/* Capacity is the next power of two >= count, so arrays must only ever grow through
 * nm_push(): realloc happens exactly when the count is 0 or a power of two. */
void *nm_push(void *arrp, size_t *n, size_t size)
{
	void **arr = arrp;
	char *elem;

	if (*n == 0 || (*n & (*n - 1)) == 0)
		*arr = nm_xrealloc(*arr, *n ? *n * 2 : 1, size);
	elem = (char *)*arr + *n * size;
	memset(elem, 0, size);
	(*n)++;
	return elem;
}

void nm_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (base && n > 1)
		qsort(base, n, size, cmp);
}

void nm_strv_push(char ***v, size_t *n, const char *s)
{
	char **slot = NM_PUSH(*v, *n);

	*slot = nm_xstrdup(s);
}

void nm_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void nm_warn(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	char *s;
	char **slot;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		nm_oom();
	va_end(ap);
	slot = NM_PUSH(*v, *n);
	*slot = s;
}

int nm_ip_parse(const char *s, struct nm_ip *ip)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	long plen;

	memset(ip, 0, sizeof(*ip));
	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	if (!strcmp(s, "default"))
		return 0;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, ip->addr) == 1) {
		ip->family = AF_INET;
		ip->plen = 32;
	} else if (inet_pton(AF_INET6, buf, ip->addr) == 1) {
		ip->family = AF_INET6;
		ip->plen = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		errno = 0;
		plen = strtol(slash, &end, 10);
		if (errno || *end || end == slash || plen < 0 || plen > ip->plen)
			return -EINVAL;
		ip->plen = (uint8_t)plen;
	}
	return 0;
}

char *nm_ip_str(const struct nm_ip *ip, char *buf, size_t len, bool with_plen)
{
	char a[INET6_ADDRSTRLEN];

	if (!ip->family) {
		snprintf(buf, len, "default");
		return buf;
	}
	inet_ntop(ip->family, ip->addr, a, sizeof(a));
	if (with_plen)
		snprintf(buf, len, "%s/%u", a, ip->plen);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

bool nm_ip_in_prefix(const struct nm_ip *addr, const struct nm_ip *prefix)
{
	unsigned int bits = prefix->plen, i;

	if (!prefix->family)
		return true;
	if (addr->family != prefix->family)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (addr->addr[i] != prefix->addr[i])
			return false;
	if (bits) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((addr->addr[i] & mask) != (prefix->addr[i] & mask))
			return false;
	}
	return true;
}

bool nm_ip_equal(const struct nm_ip *a, const struct nm_ip *b)
{
	if (a->family != b->family)
		return false;
	return !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

const char *nm_proto_name(unsigned int proto)
{
	/* Debian's /etc/protocols names, which both iptables and nft print. */
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case 4: return "ipencap";
	case 6: return "tcp";
	case 17: return "udp";
	case 41: return "ipv6";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "ipv6-icmp";
	case 89: return "ospf";
	case 112: return "vrrp";
	case 132: return "sctp";
	case 136: return "udplite";
	default: return NULL;
	}
}

static const char *const rt_tables[256] = {
	[0] = "unspec",
	[252] = "compat",
	[253] = "default",
	[254] = "main",
	[255] = "local",
};

const char *nm_enum_name(const char *const *names, size_t n, long v)
{
	return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

int nm_enum_parse(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

const char *nm_rt_table_name(uint32_t table, char *buf, size_t len)
{
	const char *name = nm_enum_name(rt_tables, ARRAY_SIZE(rt_tables), table);

	if (name)
		return name;
	snprintf(buf, len, "%u", table);
	return buf;
}

int nm_rt_table_parse(const char *s, uint32_t *table)
{
	int i = nm_enum_parse(rt_tables, ARRAY_SIZE(rt_tables), s);
	unsigned long v;
	char *end;

	if (i >= 0) {
		*table = (uint32_t)i;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > UINT32_MAX)
		return -EINVAL;
	*table = (uint32_t)v;
	return 0;
}
