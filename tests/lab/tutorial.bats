#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# tutorial.bats - scripts/gen-tutorial.sh regenerates docs/tutorial.md from the real tools, and the key outputs are in it.
#
# The generator builds the blog's lab step by step in its own throwaway namespaces and
# fails by itself when a trace does not end as the template says (reached, or the cause
# code named there). The Docker section (a private dockerd) is skipped with
# TUTORIAL_DOCKER=0; it is on by default and skipped by the generator itself, with a
# note in the output, when dockerd cannot run; this test then fails unless TUTORIAL_DOCKER=0.

load lib.bash

# One run of the generator for the whole file (it takes ~40 s with Docker); the tests
# read its output. setup_file cannot skip (bats 1.8), so it records why it did not run.
setup_file()
{
	NSMAP_BUILD=${NSMAP_BUILD:-build}
	export NSMAP_BUILD
	T=$BATS_FILE_TMPDIR/tutorial.md
	export T
	if ! lab_can_run || [ ! -x "$NSMAP_BUILD/nsmap" ] || [ ! -x "$NSMAP_BUILD/nstrace" ]; then
		echo "${LAB_WHY:-no $NSMAP_BUILD/nsmap or nstrace (run make all)}" >"$BATS_FILE_TMPDIR/why"
		return 0
	fi
	local start=$SECONDS rc=0
	TUTORIAL_PREFIX=$(printf 'tt%06x-' $(($$ & 0xffffff)))
	export TUTORIAL_PREFIX
	scripts/gen-tutorial.sh "$T" >"$BATS_FILE_TMPDIR/log" 2>&1 || rc=$?
	echo $rc >"$BATS_FILE_TMPDIR/rc"
	echo $((SECONDS - start)) >"$BATS_FILE_TMPDIR/took"
	ls /run/netns 2>/dev/null | grep "^$TUTORIAL_PREFIX" >"$BATS_FILE_TMPDIR/left" || true
	return 0
}

setup()
{
	if [ -f "$BATS_FILE_TMPDIR/why" ]; then
		lab_cannot_run "$(cat "$BATS_FILE_TMPDIR/why")" || return 1
	fi
}

@test "gen-tutorial.sh succeeds in under 90 s and leaves nothing behind" {
	cat "$BATS_FILE_TMPDIR/log"
	echo "took $(cat "$BATS_FILE_TMPDIR/took")s"
	[ "$(cat "$BATS_FILE_TMPDIR/rc")" = 0 ]
	[ -s "$T" ]
	[ "$(cat "$BATS_FILE_TMPDIR/took")" -lt 90 ]
	# no namespace and no temporary file next to the output is left
	cat "$BATS_FILE_TMPDIR/left"
	[ ! -s "$BATS_FILE_TMPDIR/left" ]
	[ -z "$(ls "$(dirname "$T")" | grep '^tutorial\.md\.')" ]
}

@test "the tutorial holds the real output, in the blog's names" {
	[ -s "$T" ]
	# every directive was replaced, every lab block ran
	! grep -E '^@(nsmap|nstrace|docker)' "$T" || false
	! grep -F '```sh lab' "$T" || false
	# the lab prefix never shows: the tutorial reads like the blog
	! grep -F "$TUTORIAL_PREFIX" "$T" || false
	grep -qE '^ns1  \(net:[0-9]+\)$' "$T"
	grep -qF 'veth1              veth      UP       10.0.0.1/24 ⇄ ns2:veth2' "$T"
	grep -qF '├─ veth1-br        veth      UP       ⇄ ns1:veth1' "$T"
	grep -qF 'MASQUERADE 10.0.0.0/24 → out via eth0' "$T"
	# live traces that get through, and the SNAT seen on the host's uplink
	grep -q '^verdict: reached - the reply came back to ns1:veth1' "$T"
	grep -qF 'SNAT 10.0.0.1 → 198.51.100.10 by -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE' "$T"
	# the hop tables stay aligned after the prefix is removed
	grep -qE '^1    \+[0-9.]+ms +ns1            veth1        out  10\.0\.0\.1 -> ' "$T"
}

@test "the broken steps show their cause codes and fixes" {
	[ -s "$T" ]
	grep -q '^  1\. PEER_MISSING in ns1' "$T"
	grep -q '^  1\. LINK_DOWN in ns1' "$T"
	grep -q '^  1\. NO_ADDRESS in ns1' "$T"
	grep -q '^  1\. NO_ROUTE in ns1' "$T"
	grep -q '^  1\. FORWARD_DROP in host' "$T"
	grep -q '^  2\. NO_SNAT in host' "$T"
	grep -qF 'fix: ip netns exec host iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE' "$T"
	grep -qF 'fix: ip netns exec ns1 ip route add default via 10.0.0.254' "$T"
}

@test "the Docker section: container, docker0, MASQUERADE, DNAT, both directions" {
	if [ "${TUTORIAL_DOCKER:-1}" = 0 ]; then
		skip "TUTORIAL_DOCKER=0"
	fi
	[ -s "$T" ]
	! grep 'Docker part was not generated' "$T" || false
	grep -qE '^web  \(net:[0-9]+, container [0-9a-f]+ image nsmaplab/busybox:1' "$T"
	grep -qE '└─ veth[0-9a-f]+ +veth +UP +⇄ web:eth0' "$T"
	grep -qF 'MASQUERADE 172.17.0.0/16 → out via not-docker0' "$T"
	grep -qF 'DNAT tcp :8080 → 172.17.0.2:80' "$T"
	grep -qF 'SNAT 172.17.0.2 → 198.51.100.10' "$T"
	grep -qF 'DNAT 198.51.100.10:8080 → 172.17.0.2:80' "$T"
	# out of the container (named, or by pid while nstrace cannot name containers) and in
	grep -qE '^verdict: reached - the reply came back to (web|httpd\[[0-9]+\]):eth0' "$T"
	grep -q '^verdict: reached - the reply came back to inet:eth0' "$T"
}
