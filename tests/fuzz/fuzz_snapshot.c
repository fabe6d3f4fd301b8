/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_snapshot.c - libFuzzer entry: the snapshot loader must reject, never crash, on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "snapshot.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nm_snapshot *s = NULL;
	json_error_t je;
	char err[256];
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);

	if (!j)
		return 0;
	if (snap_from_json(j, &s, err, sizeof(err)) == 0) {
		/* whatever loads must print and serialise again */
		struct text_opts o = { .details = true, .all = true };
		FILE *null = fopen("/dev/null", "w");
		json_t *again = snap_to_json(s);

		text_snapshot(null, s, &o);
		fclose(null);
		json_decref(again);
		nm_snapshot_free(s);
	}
	json_decref(j);
	return 0;
}
