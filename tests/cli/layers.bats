#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# layers.bats - `make layers` passes on the tree and refuses each kind of wrong include (no root).

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	T=$(mktemp -d)
	cp -r "$TOP/src" "$TOP/include" "$TOP/render" "$T/"
}

teardown() {
	rm -rf "$T"
}

# inject INCLUDE-LINE FOLDER: add the line to the first .c file of FOLDER (in the copy);
# FILE is that file, relative to the copy.
inject() {
	FILE=$(cd "$T" && ls "$2"/*.c | head -n 1)
	sed -i "3i $1" "$T/$FILE"
}

refused() {
	run "$TOP/scripts/check-layers.sh" "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$FILE"* ]]
	[[ "$output" == *"$1"* ]]
}

@test "make layers: the tree keeps its layers" {
	run make -C "$TOP" --no-print-directory layers
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$TOP/scripts/check-layers.sh" "$T"
	[ "$status" -eq 0 ]
}

@test "libpcap outside the capture file is refused" {
	inject '#include <pcap/pcap.h>' src/path
	refused "libpcap"
}

@test "libnl outside src/collect, libmnl in the walk, graphviz outside render/ are refused" {
	inject '#include <netlink/netlink.h>' src/core
	refused "libnl"
	cp "$TOP/$FILE" "$T/$FILE"
	inject '#include <libmnl/libmnl.h>' src/path
	refused "libmnl"
	cp "$TOP/$FILE" "$T/$FILE"
	inject '#include <graphviz/cgraph.h>' src/cli
	refused "graphviz"
}

@test "an upward include is refused: the model may not include the tracer or the walk" {
	inject '#include "trace.h"' src/core
	refused "trace.h"
	cp "$TOP/$FILE" "$T/$FILE"
	inject '#include "path.h"' src/netfilter
	refused "path.h"
	cp "$TOP/$FILE" "$T/$FILE"
	inject '#include "collect.h"' src/path
	refused "collect.h"
	cp "$TOP/$FILE" "$T/$FILE"
	inject '#include "nfcollect.h"' src/path
	refused "nfcollect.h"
}

@test "a project header written as a system header is refused" {
	inject '#include <trace.h>' src/core
	refused "<trace.h>"
}

@test "another folder's private header is refused" {
	inject '#include "../collect/collect_int.h"' src/trace
	refused "private header"
}

@test "a source file outside every layer is refused" {
	mkdir "$T/src/misc"
	printf '/* x */\n' >"$T/src/misc/x.c"
	FILE=src/misc/x.c
	refused "not in a layer"
}
