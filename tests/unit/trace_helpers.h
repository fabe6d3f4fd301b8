/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trace_helpers.h - what the tracer's unit tests share: the IPv4 row, hand-built IPv4 and ICMP echo headers, exact-size copies for truncation tests. */
#ifndef NSMAP_TEST_TRACE_HELPERS_H
#define NSMAP_TEST_TRACE_HELPERS_H

#include <sys/socket.h>

#include "helpers.h"
#include "../../src/trace/trace_int.h"

/* The tracer's IPv4 row (results and identities built by hand need it). */
static inline const struct trace_family *tt_ipv4(void)
{
	const struct trace_family *f = trace_family_find(TRACE_BY_AF, AF_INET);

	assert_non_null(f);
	return f;
}

/* A 20-byte IPv4 header (TTL 64) of total length tot. */
static inline size_t tt_put_ip4(uint8_t *b, uint8_t proto, const struct nm_ip *src,
				const struct nm_ip *dst, size_t tot)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = (uint8_t)(tot >> 8);
	b[3] = (uint8_t)tot;
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, src->addr, 4);
	memcpy(b + 16, dst->addr, 4);
	return 20;
}

/* An ICMP echo header (type, id, sequence 1) followed by n bytes of payload. Returns its
 * length. */
static inline size_t tt_put_echo(uint8_t *l4, uint8_t type, uint16_t id, const void *payload,
				 size_t n)
{
	memset(l4, 0, 8);
	l4[0] = type;
	l4[4] = (uint8_t)(id >> 8);
	l4[5] = (uint8_t)id;
	l4[7] = 1;
	memcpy(l4 + 8, payload, n);
	return 8 + n;
}

/* The first len bytes of buf in a buffer of exactly that size (ASan catches a read past
 * it). Free it. */
static inline void *tt_cut(const void *buf, size_t len)
{
	void *copy = malloc(len ? len : 1);

	memcpy(copy, buf, len);
	return copy;
}

#endif
