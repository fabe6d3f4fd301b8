/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_trace.c - libFuzzer target for the live tracer's packet parser, probe matching and conntrack decoder. */
/*
 * Build and run (clang; the Makefile compiles the library sources with the same sanitizers):
 *   make build-fuzz/fuzz_trace
 *   build-fuzz/fuzz_trace -max_total_time=60 -max_len=65536 CORPUS_DIR
 * The first byte picks the decoder: even = a DLT_LINUX_SLL2 frame, odd = a ctnetlink message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/trace/trace_int.h"

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
		id.fam = p.fam;
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
