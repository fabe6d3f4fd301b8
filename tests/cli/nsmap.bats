#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsmap.bats - the nsmap binary on recorded snapshots: formats, selection, bad input (no root needed).

setup() {
	B=${NSMAP_BUILD:-build}
	NSMAP=$B/nsmap
	FX=tests/fixtures/blog.json
	T=$(mktemp -d)
}

teardown() {
	rm -rf "$T"
}

@test "--help documents every long option the parser accepts" {
	run "$NSMAP" --help
	[ "$status" -eq 0 ]
	for opt in $(grep -o '{ "[a-z-]*"' src/cli/nsmap.c | tr -d '{ "'); do
		[ "$opt" = colour ] && continue
		echo "$output" | grep -q -- "--$opt" || { echo "--$opt missing from --help"; false; }
	done
}

@test "unknown option and bad format are usage errors (exit 2, one line)" {
	run "$NSMAP" --bogus
	[ "$status" -eq 2 ]
	run "$NSMAP" --from "$FX" -T xml
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"unknown format 'xml'"* ]]
	run "$NSMAP" --from "$FX" -o "$T/map.weird"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot tell the format"* ]]
}

@test "--from FILE -T json is byte-identical to FILE" {
	run "$NSMAP" --from "$FX" -T json -o "$T/again.json"
	[ "$status" -eq 0 ]
	cmp "$FX" "$T/again.json"
	"$NSMAP" --from "$FX" -j | cmp - "$FX"
}

@test "-o infers the format from the extension" {
	"$NSMAP" --from "$FX" -o "$T/s.json"
	cmp "$FX" "$T/s.json"
	"$NSMAP" --from "$FX" -o "$T/s.txt"
	grep -q '⇄ blog-ns1:veth1' "$T/s.txt"
}

@test "text view shows bridge ports, peers, routes and ip_forward" {
	run "$NSMAP" --from "$FX" --color never
	[ "$status" -eq 0 ]
	[[ "$output" == *"4 network namespaces"* ]]
	[[ "$output" == *"├─ veth1-br"* ]]
	[[ "$output" == *"└─ veth2-br"* ]]
	[[ "$output" == *"eth0               veth      UP       198.51.100.10/24 ⇄ blog-inet:eth0"* ]]
	[[ "$output" == *"default via 198.51.100.1 dev eth0"* ]]
	[[ "$output" == *"ip_forward=1"* ]]
	run "$NSMAP" --from "$FX" --color always
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\033['* ]]
}

@test "-n selects by label, glob, inode; unknown pattern is one line, exit 1" {
	run "$NSMAP" --from "$FX" -n 'blog-ns*' -j
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq '.namespaces | length')" -eq 2 ]
	ino=$(jq '.namespaces[0].inode' "$FX")
	[ "$("$NSMAP" --from "$FX" -n "$ino" -j | jq -r '.namespaces[0].inode')" = "$ino" ]
	run "$NSMAP" --from "$FX" -n nosuch
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"no namespace matches 'nosuch'"* ]]
}

@test "bad --from files: one line naming the file, exit 1, never a crash" {
	printf '' > "$T/empty.json"
	printf 'hello' > "$T/text.json"
	printf '{"schema":"x/2","namespaces":[]}' > "$T/schema.json"
	head -c 3000 "$FX" > "$T/trunc.json"
	jq '.namespaces[0].links[0].mtu = "big"' "$FX" > "$T/types.json"
	python3 -c 'print("["*100000)' > "$T/deep.json"
	printf '{"schema":"nsmap.snapshot/1","namespaces":[{"id":"\xff\xfe"}]}' > "$T/utf8.json"
	for f in empty text schema trunc types deep utf8 missing; do
		run "$NSMAP" --from "$T/$f.json"
		echo "$f: $status $output"
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "nsmap: $T/$f.json: "* ]]
	done
	run "$NSMAP" --from "$T"
	[ "$status" -eq 1 ]
}

@test "an output path that cannot be written leaves nothing behind" {
	run "$NSMAP" --from "$FX" -o "$T/missing/dir/x.json"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$T/missing" ]
	mkdir "$T/ro"
	chmod 555 "$T/ro"
	chmod 755 "$T"
	cp "$FX" "$T/fx.json"
	chmod 644 "$T/fx.json"
	# root writes anywhere: check the read-only directory as nobody
	if [ "$(id -u)" -eq 0 ]; then
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$NSMAP" --from "$T/fx.json" -o "$T/ro/x.json"
	else
		run "$NSMAP" --from "$T/fx.json" -o "$T/ro/x.json"
	fi
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$(ls -A "$T/ro")" ]
}

@test "reading the host without privileges: one line, exit 1" {
	if [ "$(id -u)" -eq 0 ]; then
		run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NSMAP"
	else
		run "$NSMAP"
	fi
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"run as root"* ]]
}
