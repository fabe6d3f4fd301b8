#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# causes.bats - every cause code of the registry is documented, and produced by a test that checks it (no root).

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

# CODE FLAGS per line: the registry's rows (src/core/diagnose.c), with the flags of each.
registry() {
	awk '
		match($0, /\[DIAG_[A-Z_]+\] = \{ "[A-Z_]+"/) {
			if (code != "") print code, flags
			code = substr($0, RSTART, RLENGTH); sub(/.*\{ "/, "", code); sub(/"$/, "", code)
			flags = ""
		}
		code != "" && /DIAG_F_[A-Z_]+/ {
			while (match($0, /DIAG_F_[A-Z_]+/)) {
				flags = flags " " substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH)
			}
		}
		END { if (code != "") print code, flags }
	' "$TOP/src/core/diagnose.c"
}

# How many ids enum diag_id has (include/diagnose.h), DIAG_COUNT excluded.
enum_count() {
	awk '/^enum diag_id \{/ { on = 1; next } on && /DIAG_COUNT/ { exit } on && /^\tDIAG_[A-Z_]+,/ { n++ }
		END { print n + 0 }' "$TOP/include/diagnose.h"
}

@test "the registry lists every cause code of DESIGN.md, one row per id" {
	local code rows
	run registry
	[ "$status" -eq 0 ]
	rows=$(wc -l <<<"$output")
	[ "$(enum_count)" -ge 18 ]
	[ "$rows" -eq "$(enum_count)" ] || { echo "$rows registry rows, $(enum_count) ids"; false; }
	for code in LINK_DOWN NO_ADDRESS NO_ROUTE GATEWAY_UNREACHABLE NOT_ON_BRIDGE PEER_MISSING \
		FORWARDING_DISABLED FORWARD_DROP INPUT_DROP OUTPUT_DROP NO_SNAT RETURN_DROPPED \
		RP_FILTER STALE_CONNTRACK UPSTREAM_NO_REPLY; do
		[[ "$output" == *"$code"* ]] || { echo "$code is not in the registry"; false; }
	done
}

@test "every cause code is documented in docs/nstrace.md (reserved ones say so)" {
	local code flags row bad=0 n=0
	while read -r code flags; do
		n=$((n + 1))
		row=$(grep -F "| \`$code\` |" "$TOP/docs/nstrace.md" || true)
		if [ -z "$row" ]; then
			echo "$code: no row in the cause table of docs/nstrace.md"
			bad=1
		elif [[ "$flags" == *DIAG_F_RESERVED* && "$row" != *reserved* ]]; then
			echo "$code is reserved (never produced) but its row does not say so"
			bad=1
		fi
	done < <(registry)
	[ "$n" -eq "$(enum_count)" ]
	[ "$bad" -eq 0 ]
}

# The lines of the walk's and the tracer's tests (not the registry's own) that do something:
# no comments, no test titles.
test_code() {
	grep -hvE '^[[:space:]]*(#|//|/?\*|@test)' \
		"$TOP"/tests/lab/*.bats "$TOP"/tests/unit/test_path*.c "$TOP"/tests/unit/test_trace*.c
}

@test "every cause code that is not reserved is produced and checked by a unit or lab test" {
	local code flags bad=0 n=0 body
	body=$(test_code)
	while read -r code flags; do
		[[ "$flags" == *DIAG_F_RESERVED* ]] && continue
		n=$((n + 1))
		if ! grep -qE "(^|[^A-Z_])(DIAG_)?$code([^A-Z_]|\$)" <<<"$body"; then
			echo "$code: no test produces it"
			bad=1
		fi
	done < <(registry)
	[ "$n" -ge 17 ]
	[ "$bad" -eq 0 ]
}
