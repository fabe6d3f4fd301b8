/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_trace.c - libFuzzer target for the live tracer's packet parser, probe matching and conntrack decoder. */
/*
 * Build (separate target, clang; the rest of the library from build/libnsmap.a, not instrumented):
 *   make all
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Iinclude \
 *     tests/fuzz/fuzz_trace.c src/trace_pkt.c src/trace_match.c src/trace_ct.c build/libnsmap.a \
 *     $(pkg-config --cflags --libs libnl-3.0 libnl-route-3.0 libmnl libnftnl libpcap libcgraph \
 *       libgvc jansson libcurl) -lpthread -o build/fuzz_trace
 * The first byte picks the decoder: even = a DLT_LINUX_SLL2 frame, odd = a ctnetlink message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t cookie[TRACE_COOKIE_LEN] = { 0x6e, 0x73, 0x74, 0x72 };
	struct trace_ident id = { 0 };
	struct trace_pkt p;
	struct trace_ct ct;
	uint8_t *copy;
	bool reply;

	if (size < 1)
		return 0;
	/* An exact-size copy, so that a read past the end is caught. */
	copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1) {
		if (trace_ct_parse(copy, size - 1, &ct) == 0) {
			char *s = trace_ct_str(&ct);

			free(s);
		}
	} else if (trace_parse_sll2(copy, size - 1, &p) == 0) {
		id.orig.proto = p.t.proto;
		id.orig.src = p.t.dst;
		id.orig.dst = p.t.src;
		id.orig.sport = p.t.dport;
		id.orig.dport = p.t.sport;
		memcpy(id.cookie, cookie, sizeof(cookie));
		id.has_cookie = true;
		trace_ident_add_form(&id, &p.inner);
		trace_match(&id, &p, &reply);
		free(id.forms);
	}
	free(copy);
	return 0;
}
