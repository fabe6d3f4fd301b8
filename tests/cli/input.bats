#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# input.bats - nstrace's command line that just works, on recorded snapshots (no root): near-miss names, both word orders, --from alone, names as DEST, hostnames.

load ../helpers

setup() {
	B=${NSMAP_BUILD:-build}
	NSTRACE=$B/nstrace
	FX=tests/fixtures/blog.json		# blog-host, blog-inet, blog-ns1, blog-ns2
	DK=tests/fixtures/render/docker2.json	# host and containers app-001, app-002
	T=$(mktemp -d)
}

teardown() {
	rm -rf "$T"
}

# netless: run the rest of the command in a new, empty network namespace, so that a name
# lookup cannot leave the machine (or skip).
netless()
{
	if [ "$(id -u)" -eq 0 ]; then
		netless=(unshare -n)
	else
		netless=(unshare -rn)
	fi
	"${netless[@]}" true 2>/dev/null || skip "cannot unshare a network namespace here"
}

@test "from: a name that is the end of a label suggests the label" {
	run "$NSTRACE" 203.0.113.8 from ns1 --from "$FX"
	one_line 1 "nstrace: no namespace or container named 'ns1'; did you mean 'blog-ns1'?"
	[ "$output" = "nstrace: no namespace or container named 'ns1'; did you mean 'blog-ns1'?" ]
}

@test "from: a typo suggests the nearest label only" {
	run "$NSTRACE" 203.0.113.8 from blg-ns1 --from "$FX"
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: no namespace or container named 'blg-ns1'; did you mean 'blog-ns1'?" ]
	run "$NSTRACE" 203.0.113.8 from blog-ns3 --from "$FX"
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: no namespace or container named 'blog-ns3'; did you mean 'blog-ns1' or 'blog-ns2'?" ]
	run "$NSTRACE" 203.0.113.8 from BLOG-NS1 --from "$FX"
	[ "$output" = "nstrace: no namespace or container named 'BLOG-NS1'; did you mean 'blog-ns1'?" ]
}

@test "from: at most three suggestions, none when nothing is close" {
	run "$NSTRACE" 203.0.113.8 from blog --from "$FX"
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: no namespace or container named 'blog'; did you mean 'blog-host', 'blog-inet' or 'blog-ns1'?" ]
	run "$NSTRACE" 203.0.113.8 from zzqqx --from "$FX"
	one_line 1 "nstrace: no namespace or container named 'zzqqx'"
	[ "$output" = "nstrace: no namespace or container named 'zzqqx'" ]
}

@test "from: container names are suggested too" {
	run "$NSTRACE" 203.0.113.8 from app-01 --from "$DK"
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: no namespace or container named 'app-01'; did you mean 'app-001'?" ]
	# a container's name is a candidate even when its label differs
	jq '.namespaces[1].label = "ns-a"' "$DK" >"$T/relabel.json"
	run "$NSTRACE" 203.0.113.8 from appp-001 --from "$T/relabel.json"
	[ "$output" = "nstrace: no namespace or container named 'appp-001'; did you mean 'app-001'?" ]
}

@test "from: a pid, a path or an address nobody owns keeps its own message" {
	run "$NSTRACE" 203.0.113.8 from 10.9.9.9 --from "$FX"
	one_line 1 "nstrace: 10.9.9.9: no such namespace or address"
	run "$NSTRACE" 203.0.113.8 from /run/netns/nosuch --from "$FX"
	one_line 1 "nstrace: /run/netns/nosuch: no such namespace or address"
}

@test "DEST: a name nobody has and nobody resolves suggests the near names" {
	netless
	run "${netless[@]}" "$NSTRACE" blg-inet from blog-ns1 --from "$FX"
	one_line 1 "nstrace: cannot resolve 'blg-inet': no namespace or container has that name"
	[[ "$output" == *"; did you mean 'blog-inet'?" ]]
	run "${netless[@]}" "$NSTRACE" zzqqx.invalid from blog-ns1 --from "$FX"
	one_line 1 "nstrace: cannot resolve 'zzqqx.invalid': "
	[[ "$output" != *"did you mean"* ]]
}

@test "word order: 'from SRC DEST' is 'DEST from SRC', with proto and port anywhere" {
	local want
	want=$("$NSTRACE" 203.0.113.8 from blog-ns1 --from "$FX" -j)
	run "$NSTRACE" from blog-ns1 203.0.113.8 --from "$FX" -j
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	want=$("$NSTRACE" 203.0.113.8 from blog-ns1 proto udp port 53 --from "$FX" -j)
	run "$NSTRACE" proto udp from blog-ns1 port 53 203.0.113.8 --from "$FX" -j
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[ "$(jq -r .dport <<<"$output")" = 53 ]
}

@test "word order: a second DEST or a second 'from' is still a usage error" {
	run "$NSTRACE" from blog-ns1 203.0.113.8 203.0.113.9 --from "$FX"
	one_line 2 "nstrace: unexpected '203.0.113.9'"
	run "$NSTRACE" from blog-ns1 from blog-ns2 203.0.113.8 --from "$FX"
	one_line 2 "nstrace: unexpected 'from'"
	run "$NSTRACE" from blog-ns1 --from "$FX"
	one_line 2 "nstrace: need DEST and 'from SRC'"
}

@test "--from FILE implies --simulate" {
	local want
	want=$("$NSTRACE" 203.0.113.8 from blog-ns1 --simulate --from "$FX" -j)
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --from "$FX" -j
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[ "$(jq -r .mode <<<"$output")" = simulate ]
	run "$NSTRACE" 203.0.113.8 from pfixns1 --from tests/fixtures/path/blog-no-masq.json -j
	[ "$status" -eq 3 ]
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --from "$FX" --drop-reason
	one_line 2 "nstrace: --drop-reason is for a live trace; --from FILE only simulates"
}

@test "DEST: a container name is its namespace's first global IPv4 address, and nstrace says so" {
	run "$NSTRACE" app-002 from app-001 --from "$DK" -j
	[ "$status" -eq 0 ]
	[ "$(jq -r .destination <<<"$output")" = 172.17.1.4 ]
	[ "$(jq -r .dest_resolved.name <<<"$output")" = app-002 ]
	[ "$(jq -r .dest_resolved.address <<<"$output")" = 172.17.1.4 ]
	[ "$(jq -r .dest_resolved.by <<<"$output")" = namespace ]
	[ "$(jq -r .dest_resolved.netns <<<"$output")" = app-002 ]
	[ "$(jq -r .dest_resolved.ifname <<<"$output")" = eth0 ]
	[ "$(jq -r .reached_netns <<<"$output")" = app-002 ]
	run "$NSTRACE" app-002 from app-001 --from "$DK"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "nstrace: destination app-002 is 172.17.1.4 (eth0 in app-002)" ]
}

@test "DEST: a namespace label is the address of its first interface other than lo" {
	# blog-inet has 203.0.113.8 on lo and 198.51.100.1 on eth0
	run "$NSTRACE" blog-inet from blog-ns1 --from "$FX" -j
	[ "$status" -eq 0 ]
	[ "$(jq -r .destination <<<"$output")" = 198.51.100.1 ]
	[ "$(jq -r .dest_resolved.ifname <<<"$output")" = eth0 ]
	# dest_resolved sits right after destination
	[ "$(jq -r 'keys_unsorted | index("dest_resolved") - index("destination")' <<<"$output")" = 1 ]
	run "$NSTRACE" from blog-ns1 blog-inet --from "$FX"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "nstrace: destination blog-inet is 198.51.100.1 (eth0 in blog-inet)" ]
}

@test "DEST: a namespace with no global address, and a name two namespaces answer to" {
	jq '(.namespaces[] | select(.label == "blog-ns2") | .links[].addrs) |= map(select(.scope != "global"))' \
		"$FX" >"$T/noaddr.json"
	run "$NSTRACE" blog-ns2 from blog-ns1 --from "$T/noaddr.json"
	one_line 1 "nstrace: destination blog-ns2 is namespace blog-ns2, which has no global address"
	jq '.namespaces[1].label = .namespaces[2].label | .namespaces[1].names = .namespaces[2].names' \
		"$FX" >"$T/twins.json"
	run "$NSTRACE" blog-ns1 from blog-ns2 --from "$T/twins.json"
	one_line 2 "nstrace: blog-ns1: more than one namespace matches"
}

@test "DEST: an address has dest_resolved null" {
	run "$NSTRACE" 203.0.113.8 from blog-ns1 --from "$FX" -j
	[ "$status" -eq 0 ]
	[ "$(jq -c .dest_resolved <<<"$output")" = null ]
}

@test "DEST: a host name is resolved on the host, and nstrace says by whom (no network: own namespace)" {
	netless
	grep -qE '^127\.0\.0\.1[[:space:]].*\blocalhost\b' /etc/hosts || skip "no 127.0.0.1 localhost in /etc/hosts"
	run "${netless[@]}" "$NSTRACE" localhost from blog-ns1 --from "$FX" -j
	[ "$(jq -r .destination <<<"$output")" = 127.0.0.1 ]
	[ "$(jq -r .dest_resolved.name <<<"$output")" = localhost ]
	[ "$(jq -r .dest_resolved.address <<<"$output")" = 127.0.0.1 ]
	[ "$(jq -r .dest_resolved.by <<<"$output")" = "host resolver" ]
	[ "$(jq -r '.notes | map(select(test("resolved on the host by getaddrinfo"))) | length' <<<"$output")" = 1 ]
	run "${netless[@]}" "$NSTRACE" localhost from blog-ns1 --from "$FX"
	[ "${lines[0]}" = "nstrace: destination localhost is 127.0.0.1, resolved on the host by getaddrinfo (the host's /etc/hosts and /etc/resolv.conf, not SRC's)" ]
}
