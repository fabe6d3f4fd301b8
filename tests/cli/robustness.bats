#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# robustness.bats - bad input and failing outputs without root: one line on stderr, the documented exit code, nothing half-written.
#
# Every test here is a row of docs/robustness.md.

load ../helpers

setup() {
	B=${NSMAP_BUILD:-build}
	NSMAP=$B/nsmap
	NSTRACE=$B/nstrace
	FX=tests/fixtures/blog.json
	T=$(mktemp -d)
	chmod 755 "$T"
}

teardown() {
	chmod -R u+w "$T" 2>/dev/null || true
	rm -rf "$T"
}

# both FILE: nsmap --from FILE and nstrace --simulate --from FILE each fail with one line, exit 1.
both_refuse()
{
	run "$NSMAP" --from "$1"
	one_line 1 "nsmap: $1: "
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --simulate --from "$1"
	one_line 1 "nstrace: $1: "
}

# ci_skip REASON: skip here, but fail in CI (CI=true), where every test must run.
ci_skip()
{
	if [ "${CI:-}" = true ]; then
		echo "cannot run: $1" >&2
		return 1
	fi
	skip "$1"
}

# netless: set $netless to a command prefix that runs in a new, empty network namespace
# (a name lookup there cannot leave the machine), or skip the test.
netless()
{
	if [ "$(id -u)" -eq 0 ]; then
		netless=(unshare -n)
	else
		netless=(unshare -rn)
	fi
	"${netless[@]}" true 2>/dev/null || ci_skip "cannot unshare a network namespace here"
}

# as_nobody CMD...: run CMD without root (setpriv when we are root).
as_nobody()
{
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
	else
		"$@"
	fi
}

@test "from-file: empty, truncated, non-JSON and wrong-schema snapshots are refused (both tools)" {
	printf '' >"$T/empty.json"
	printf '   \n\n' >"$T/blank.json"
	head -c 3000 "$FX" >"$T/trunc.json"
	head -c -2 "$FX" >"$T/trunc-end.json"
	printf 'hello' >"$T/text.json"
	printf '\x7fELF\x02\x01\x01\x00' >"$T/binary.json"
	echo null >"$T/null.json"
	echo '[]' >"$T/array.json"
	echo '{}' >"$T/object.json"
	printf '{"schema":"x/2","namespaces":[]}' >"$T/schema.json"
	printf '{"schema":"nsmap.snapshot/1","namespaces":{}}' >"$T/nsobj.json"
	jq '.namespaces[0].links[0].mtu = "big"' "$FX" >"$T/types.json"
	jq 'del(.namespaces[0].id)' "$FX" >"$T/noid.json"
	jq '.namespaces[1].id = .namespaces[0].id' "$FX" >"$T/dupid.json"
	for f in empty blank trunc trunc-end text binary null array object schema nsobj types noid dupid; do
		both_refuse "$T/$f.json"
	done
}

@test "from-file: a missing file, a directory and an unreadable file are refused (both tools)" {
	both_refuse "$T/missing.json"
	both_refuse "$T"
	cp "$FX" "$T/secret.json"
	chmod 000 "$T/secret.json"
	run as_nobody "$NSMAP" --from "$T/secret.json"
	one_line 1 "nsmap: $T/secret.json: "
	[[ "$output" == *"Permission denied"* ]]
}

@test "from-file: hostile JSON (deep nesting, huge numbers, invalid UTF-8, NUL) is refused (both tools)" {
	python3 -c 'print("[" * 100000)' >"$T/deep-array.json"
	python3 -c 'print("{\"a\":" * 100000)' >"$T/deep-object.json"
	# deep nesting inside a valid snapshot, where the netfilter decoder reads
	python3 - "$FX" "$T/deep-inner.json" <<-'EOF'
	import json, sys
	s = open(sys.argv[1]).read()
	j = json.loads(s)
	j["namespaces"][0]["unsupported"] = ["@DEEP@"]
	open(sys.argv[2], "w").write(json.dumps(j).replace('"@DEEP@"', "[" * 5000 + "]" * 5000))
	EOF
	sed '0,/"mtu": [0-9]*/s//"mtu": 99999999999999999999999999999/' "$FX" >"$T/bigint.json"
	sed '0,/"mtu": [0-9]*/s//"mtu": 1e999/' "$FX" >"$T/bigreal.json"
	sed '0,/"mtu": [0-9]*/s//"mtu": 9223372036854775807/' "$FX" >"$T/int64.json"
	sed '0,/"mtu": [0-9]*/s//"mtu": -9223372036854775808/' "$FX" >"$T/negint64.json"
	sed '0,/"inode": [0-9]*/s//"inode": -1/' "$FX" >"$T/neginode.json"
	sed '0,/"prefixlen": [0-9]*/s//"prefixlen": 4294967297/' "$FX" >"$T/plen.json"
	printf '{"schema":"nsmap.snapshot/1","namespaces":[{"id":"\xff\xfe"}]}' >"$T/utf8.json"
	printf '{"schema":"nsmap.snapshot/1","namespaces":[{"id":"\xed\xa0\x80"}]}' >"$T/surrogate.json"
	printf '{"schema":"nsmap.snapshot/1","namespaces":[{"id":"a\\u0000b"}]}' >"$T/nul.json"
	jq '.schema = "nsmap.snapshot/1", .namespaces[0].label = 5' "$FX" >"$T/label.json"
	for f in deep-array deep-object deep-inner bigint bigreal int64 negint64 neginode plen utf8 \
		surrogate nul label; do
		both_refuse "$T/$f.json"
	done
}

@test "from-file: a 100 MB snapshot loads, a 10 MB one of 600 namespaces too, a 600 MB one is refused at once" {
	# 100 MB: the fixture behind 100 MB of whitespace (valid JSON, the size limit is 512 MB)
	{ head -c 100000000 /dev/zero | tr '\0' ' '; cat "$FX"; } >"$T/huge.json"
	[ "$(stat -c %s "$T/huge.json")" -gt 100000000 ]
	run "$NSMAP" --from "$T/huge.json" -T json
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$FX")" ]
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --simulate --from "$T/huge.json"
	[ "$status" -eq 0 ]
	# many namespaces: the structure, not the padding, is big
	python3 - "$FX" "$T/many.json" <<-'EOF'
	import json, sys
	fx = json.load(open(sys.argv[1]))
	ns = fx["namespaces"][0]
	out = []
	for i in range(600):
	    n = json.loads(json.dumps(ns))
	    n.update(id="many%d" % i, label="many-%d" % i, inode=7000000 + i, names=[], self=False)
	    for l in n["links"]:
	        l["peer"] = None
	    out.append(n)
	fx["namespaces"] = out
	json.dump(fx, open(sys.argv[2], "w"))
	EOF
	run "$NSMAP" --from "$T/many.json" -n many-599 -T json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.namespaces[0].label')" = many-599 ]
	# beyond the limit: refused from its size, before reading it (a sparse file)
	truncate -s 600M "$T/toolarge.json"
	SECONDS=0
	both_refuse "$T/toolarge.json"
	[[ "$output" == *"too large"* ]]
	[ "$SECONDS" -lt 5 ]
}

@test "from-file: standard input ('-') gets the same checks" {
	run sh -c "printf 'hello' | '$NSMAP' --from -"
	one_line 1 "nsmap: -: "
	run sh -c "head -c 3000 '$FX' | '$NSTRACE' 203.0.113.8 from blog-ns1 --simulate --from -"
	one_line 1 "nstrace: -: "
	run sh -c "'$NSMAP' --from - -T json < '$FX'"
	[ "$status" -eq 0 ]
}

@test "from: an unknown namespace, container, pid, path or address is one line, exit 1" {
	for src in nosuch nosuch-container 'blog-ns*'; do
		run "$NSTRACE" 203.0.113.8 from "$src" --simulate --from "$FX"
		one_line 1 "nstrace: no namespace or container named '$src'"
	done
	for src in 99999 /run/netns/nosuch 10.9.9.9; do
		run "$NSTRACE" 203.0.113.8 from "$src" --simulate --from "$FX"
		one_line 1 "nstrace: $src: "
	done
	run "$NSMAP" --from "$FX" -n nosuch
	one_line 1 "nsmap: no namespace matches 'nosuch'"
}

@test "[robust-4] destination: not an address (prefix, out of range, empty, multicast, broadcast, unspecified) is a usage error, never resolved" {
	netless	# without the fix some of these went to the resolver
	for d in 999.1.1.1 10.0.0.0/24 '' 0.0.0.0 255.255.255.255 224.0.0.1 :: ff02::1 '::zz'; do
		run "${netless[@]}" "$NSTRACE" "$d" from blog-ns1 --simulate --from "$FX"
		one_line 2 "nstrace: '$d' is not a unicast address or a host name"
	done
}

@test "destination: a name nobody can resolve is one line, exit 1 (no network: own namespace)" {
	netless
	run "${netless[@]}" "$NSTRACE" no-such-host.invalid from blog-ns1 --simulate --from "$FX"
	one_line 1 "nstrace: cannot resolve 'no-such-host.invalid'"
}

@test "[robust-4] nstrace usage errors are one line, exit 2" {
	run "$NSTRACE" --bogus
	one_line 2 "nstrace: "
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --timeout
	one_line 2 "nstrace: "
	run "$NSTRACE" 203.0.113.8
	one_line 2 "nstrace: need DEST"
	run "$NSTRACE" 203.0.113.8 from blog-ns1 proto sctp
	one_line 2 "nstrace: unknown protocol"
	run "$NSTRACE" 203.0.113.8 from blog-ns1 proto tcp port 70000
	one_line 2 "nstrace: bad port"
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --timeout -1
	one_line 2 "nstrace: bad timeout"
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --from "$FX" --nft-trace
	one_line 2 "nstrace: --nft-trace is for a live trace; --from FILE only simulates"
	# two namespaces answer to the same name: the user must say which
	jq '.namespaces[1].label = .namespaces[2].label | .namespaces[1].names = .namespaces[2].names' \
		"$FX" >"$T/twins.json"
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --simulate --from "$T/twins.json"
	one_line 2 "nstrace: blog-ns1: more than one namespace matches"
}

@test "nstrace's words: options anywhere, keyword values taken as given, -- ends the options" {
	local want
	want=$("$NSTRACE" 203.0.113.8 from blog-ns1 --simulate --from "$FX" -j)
	[ -n "$want" ]
	run "$NSTRACE" --simulate 203.0.113.8 -j from blog-ns1 --from "$FX"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run "$NSTRACE" --simulate -j --from "$FX" -- 203.0.113.8 from blog-ns1
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run "$NSTRACE" 203.0.113.8 --simulate --from "$FX" from blog-ns1 -j -- proto icmp
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	# a keyword's value is the next word even when it starts with '-'
	run "$NSTRACE" 203.0.113.8 from -j --simulate --from "$FX"
	one_line 1 "nstrace: no namespace or container named '-j'"
	run "$NSTRACE" 203.0.113.8 from blog-ns1 proto tcp port -1 --simulate --from "$FX"
	one_line 2 "nstrace: bad port '-1'"
	run "$NSTRACE" 203.0.113.8 from blog-ns1 from blog-ns2 --simulate --from "$FX"
	one_line 2 "nstrace: unexpected 'from'"
	run "$NSTRACE" 203.0.113.8 from blog-ns1 proto
	one_line 2 "nstrace: unexpected 'proto'"
}

@test "-V and --version: both tools print their name and version" {
	local t
	for t in "$NSMAP" "$NSTRACE"; do
		run "$t" -V
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^ns(map|trace)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
		[ "$output" = "$("$t" --version)" ]
		[[ "$output" == "$(basename "$t") "* ]]
	done
}

@test "nsmap usage errors are one line, exit 2" {
	run "$NSMAP" --from "$FX" -T xml
	one_line 2 "nsmap: unknown format 'xml'"
	run "$NSMAP" --from "$FX" --color sometimes
	one_line 2 "nsmap: --color takes"
	run "$NSMAP" --from "$FX" extra
	one_line 2 "nsmap: unexpected argument"
	run "$NSMAP" --from "$FX" -o "$T/map.weird"
	one_line 2 "nsmap: cannot tell the format"
	[ -z "$(ls -A "$T")" ]
}

@test "output: a missing directory, for every format, is one line, exit 1, nothing created" {
	for fmt in text json dot svg png pdf; do
		run "$NSMAP" --from "$FX" -T "$fmt" -o "$T/missing/dir/map.$fmt"
		one_line 1 "nsmap: cannot write $T/missing/dir/map.$fmt: "
	done
	[ -z "$(ls -A "$T")" ]
}

@test "output: a read-only directory, for every format, is one line, exit 1, nothing created" {
	cp "$FX" "$T/fx.json"
	mkdir "$T/ro"
	chmod 555 "$T/ro"
	for fmt in text json dot svg png pdf; do
		run as_nobody "$NSMAP" --from "$T/fx.json" -T "$fmt" -o "$T/ro/map.$fmt"
		one_line 1 "nsmap: cannot write $T/ro/map.$fmt: Permission denied"
	done
	[ -z "$(ls -A "$T/ro")" ]
}

@test "output: a directory as the target is one line, exit 1, no temporary file left" {
	mkdir "$T/map.svg"
	run "$NSMAP" --from "$FX" -o "$T/map.svg"
	one_line 1 "nsmap: cannot write $T/map.svg"
	[ -z "$(ls -A "$T/map.svg")" ]
	[ "$(ls -A "$T")" = map.svg ]
}

@test "output: an existing file is replaced whole, never truncated on failure" {
	echo old >"$T/map.json"
	run "$NSMAP" --from "$T/missing.json" -o "$T/map.json"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/map.json")" = old ]
	run "$NSMAP" --from "$FX" -o "$T/map.json"
	[ "$status" -eq 0 ]
	cmp "$FX" "$T/map.json"
	[ "$(ls -A "$T")" = map.json ]
}

@test "[robust-1] output: a symlink to a device is written through, not replaced (-o /dev/null, /dev/stdout)" {
	ln -s /dev/null "$T/null"
	for fmt in text json dot svg png pdf; do
		run "$NSMAP" --from "$FX" -T "$fmt" -o "$T/null"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[ -L "$T/null" ]
	done
	run "$NSMAP" --from "$FX" -T json -o /dev/stdout
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$FX")" ]
}

@test "[robust-1] output: a symlink to a file replaces the file and keeps the link and the file's mode" {
	echo old >"$T/real.json"
	chmod 600 "$T/real.json"
	ln -s real.json "$T/link.json"
	run "$NSMAP" --from "$FX" -o "$T/link.json"
	[ "$status" -eq 0 ]
	[ -L "$T/link.json" ]
	cmp "$FX" "$T/real.json"
	[ "$(stat -c %a "$T/real.json")" = 600 ]
}

@test "[robust-1] [robust-2] output: a full device, for every format, is one line, exit 1" {
	[ -w /dev/full ] || ci_skip "no /dev/full"
	ln -s /dev/full "$T/full"
	for fmt in text json dot svg png pdf; do
		run "$NSMAP" --from "$FX" -T "$fmt" -o "$T/full"
		one_line 1 "nsmap: cannot write "
		[ -L "$T/full" ]
	done
}

@test "[robust-2] output: standard output on a full device, for every format, is one line, exit 1" {
	[ -w /dev/full ] || ci_skip "no /dev/full"
	for fmt in text json dot svg png pdf; do
		run sh -c "'$NSMAP' --from '$FX' -T $fmt >/dev/full"
		one_line 1 "nsmap: cannot write "
	done
}

@test "not root: reading the host and a live trace are one line, exit 1; --simulate names the fix" {
	run as_nobody "$NSMAP"
	one_line 1 "nsmap: cannot enter network namespaces: "
	[[ "$output" == *"run as root"* ]]
	run as_nobody "$NSMAP" -T json -o "$T/x.json"
	one_line 1 "nsmap: cannot enter network namespaces: "
	[ ! -e "$T/x.json" ]
	run as_nobody "$NSTRACE" 203.0.113.8 from blog-ns1
	one_line 1 "nstrace: a live trace needs root"
	run as_nobody "$NSTRACE" 203.0.113.8 from blog-ns1 --simulate
	one_line 1 "nstrace: cannot read this host's namespaces: "
	# --from needs no privilege at all
	cp "$FX" "$T/fx.json"
	run as_nobody "$NSTRACE" 203.0.113.8 from blog-ns1 --simulate --from "$T/fx.json"
	[ "$status" -eq 0 ]
}
