/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_nf.c - libFuzzer target for the netfilter decoders (nf_tables messages, legacy blobs). */
/*
 * Build (clang): make build-fuzz/fuzz_nf; run it on tests/fuzz/corpus/fuzz_nf/, or `make fuzz`
 * (all targets, FUZZ_TIME seconds each). Seeds: the tests/fixtures/nf .nlmsg dumps with a 0
 * byte in front (nf_tables) and legacy.bin with a 1 byte in front (x_tables). libnftnl 1.2.4
 * exit()s ("kernel ABI is broken") or crashes on attributes failing its own validation;
 * src/netfilter/validate.c checks every message strictly, against the policies of the
 * expression table, before libnftnl sees it, so any exit, crash, sanitizer report or leak
 * here is a real finding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "nfcollect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nf_ruleset *rs, *back = NULL;
	char **w = NULL, err[128];
	size_t nw = 0, i;
	json_t *j;

	if (size < 1)
		return 0;
	rs = nf_ruleset_new();
	if (data[0] & 1)
		nf_decode_legacy(data + 1, size - 1, rs, &w, &nw);
	else
		nf_decode_dump(data + 1, size - 1, rs, &w, &nw);
	nf_ruleset_finish(rs, &w, &nw);
	/* whatever was decoded must serialise and load back */
	j = nf_ruleset_to_json(rs);
	if (nf_ruleset_from_json(j, &back, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_nf: JSON round trip failed: %s\n", err);
		abort();
	}
	json_decref(j);
	nf_ruleset_free(back);
	nf_ruleset_free(rs);
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
	return 0;
}
