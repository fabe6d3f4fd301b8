#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# robustness.bats - faults on a live host (root): missing capabilities, a silent Docker socket, full and read-only disks, vanishing namespaces, signals mid-trace.
#
# Every test is a row of docs/robustness.md.
# Everything happens in lab namespaces and private mount namespaces; the whole file runs
# in well under 60 s.

load lib
load ../helpers

setup() {
	lab_require_root capsh unshare python3
	B=${NSMAP_BUILD:-build}
	NSMAP=$B/nsmap
	NSTRACE=$B/nstrace
	T=$(mktemp -d)
}

teardown() {
	lab_cleanup
	rm -rf "$T"
}

# lab_state: everything a trace could change in the lab, without counters and timers.
lab_state()
{
	local ns

	for ns in "$LAB_HOST" "$LAB_NS1" "$LAB_NS2" "$LAB_INET"; do
		echo "== $ns"
		ip -n "$ns" -br link
		ip -n "$ns" -br addr
		ip -n "$ns" route show table all
		ip -n "$ns" rule
		lab_nsenter "$ns" nft list ruleset | sed 's/counter packets [0-9]* bytes [0-9]*/counter/'
		lab_nsenter "$ns" sysctl -n net.ipv4.ip_forward
	done
	ls /run/netns | grep "^$LAB_PREFIX" || true
}

# lab_procs: processes living in the lab namespaces (a stray prober or capture would be one).
lab_procs()
{
	local ns

	for ns in "$LAB_HOST" "$LAB_NS1" "$LAB_NS2" "$LAB_INET"; do
		ip netns pids "$ns" 2>/dev/null
	done | wc -l
}

@test "missing capabilities: no CAP_SYS_ADMIN is one line, exit 1; no CAP_NET_ADMIN is a warning; no CAP_NET_RAW stops a live trace" {
	lab_ns solo
	run capsh --drop=cap_sys_admin -- -c "'$NSMAP' -n '$LAB_LAST_NS'"
	one_line 1 "nsmap: cannot enter network namespaces: "
	run capsh --drop=cap_sys_admin -- -c "'$NSTRACE' 127.0.0.1 from '$LAB_LAST_NS'"
	one_line 1 "nstrace: a live trace needs root"
	# without CAP_NET_ADMIN the firewall cannot be read: said in the output, not fatal
	run capsh --drop=cap_net_admin -- -c "'$NSMAP' -n '$LAB_LAST_NS' -T json 2>&1 >'$T/s.json'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	jq -e '[.namespaces[].warnings[]] | any(test("Operation not permitted"))' "$T/s.json"
	# a live trace inside the lab's own loopback (nothing leaves the namespace)
	run capsh --drop=cap_net_raw -- -c "'$NSTRACE' 127.0.0.1 from '$LAB_LAST_NS' --timeout 1"
	one_line 1 "nstrace: "
}

@test "from: an unknown namespace or address on a live host is one line, exit 1" {
	lab_ns solo
	src=${LAB_PREFIX}nosuch
	run "$NSTRACE" 127.0.0.1 from "$src" --simulate
	one_line 1 "nstrace: no namespace or container named '$src'"
	run "$NSTRACE" 127.0.0.1 from "$src" --timeout 1
	one_line 1 "nstrace: no namespace or container named '$src'"
	for src in "/run/netns/${LAB_PREFIX}nosuch" 192.0.2.77 999999999; do
		run "$NSTRACE" 127.0.0.1 from "$src" --simulate
		one_line 1 "nstrace: $src: "
		run "$NSTRACE" 127.0.0.1 from "$src" --timeout 1
		one_line 1 "nstrace: $src: "
	done
}

# A unix socket that accepts every connection and never answers.
silent_socket()
{
	exec python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(16); held = []
while True:
    held.append(s.accept()[0])' "$1"
}

@test "[robust-3] a Docker socket that accepts and never answers: one warning, no hang" {
	lab_ns solo
	lab_bg silent_socket "$T/docker.sock"
	lab_wait_for test -S "$T/docker.sock"
	# the budget: the engine's 2 s timeout, once, on top of a run that does not ask it
	SECONDS=0
	"$NSMAP" -n "$LAB_LAST_NS" --no-docker >/dev/null
	budget=$((SECONDS + 3))
	SECONDS=0
	DOCKER_HOST="unix://$T/docker.sock" run "$NSMAP" -n "$LAB_LAST_NS" -T json
	echo "took ${SECONDS}s (budget ${budget}s)"
	[ "$status" -eq 0 ]
	[ "$SECONDS" -le "$budget" ]
	[ "$(echo "$output" | jq '[.warnings[] | select(test("did not answer"))] | length')" -eq 1 ]
	SECONDS=0
	DOCKER_HOST="unix://$T/docker.sock" run "$NSMAP" -n "$LAB_LAST_NS" --color never
	[ "$status" -eq 0 ]
	[ "$SECONDS" -le "$budget" ]
	[[ "$output" == *"warning: container engine at $T/docker.sock did not answer"* ]]
	SECONDS=0
	DOCKER_HOST="unix://$T/docker.sock" run "$NSTRACE" 127.0.0.1 from "$LAB_LAST_NS" --simulate
	[ "$SECONDS" -le $((budget + 2)) ]
	[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
	# not a unix socket at all: said, never connected to
	DOCKER_HOST=tcp://192.0.2.1:2375 run "$NSMAP" -n "$LAB_LAST_NS" --color never
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: DOCKER_HOST=tcp://192.0.2.1:2375 is not a unix:// socket"* ]]
}

@test "[robust-2] output on a full or read-only file system, every format: one line, exit 1, nothing left" {
	mkdir "$T/full" "$T/ro"
	cp tests/fixtures/blog.json "$T/fx.json"
	cat >"$T/run.sh" <<-EOF
	set -u
	mount -t tmpfs -o size=64k nsmap-full "$T/full" || exit 99
	head -c 1M /dev/zero >"$T/full/filler" 2>/dev/null	# now full to the last byte
	mount -t tmpfs -o ro nsmap-ro "$T/ro" || exit 99
	for fmt in text json dot svg png pdf; do
		"$NSMAP" --from "$T/fx.json" -d -T \$fmt -o "$T/full/map.\$fmt" 2>"$T/full.\$fmt.err"
		echo "full \$fmt \$? \$(wc -l <"$T/full.\$fmt.err")"
		"$NSMAP" --from "$T/fx.json" -T \$fmt -o "$T/ro/map.\$fmt" 2>"$T/ro.\$fmt.err"
		echo "ro \$fmt \$? \$(wc -l <"$T/ro.\$fmt.err")"
	done
	rm "$T/full/filler"
	echo "left: \$(ls -A "$T/full" "$T/ro" | grep -v ':\$' | grep -c .)"
	EOF
	# a private mount namespace: the tmpfs mounts vanish with it
	run unshare -m --propagation private sh "$T/run.sh"
	echo "$output"
	cat "$T"/*.err
	[ "$status" -eq 0 ]
	for fmt in text json dot svg png pdf; do
		[[ "$output" == *"full $fmt 1 1"* ]]
		[[ "$output" == *"ro $fmt 1 1"* ]]
		grep -q "^nsmap: cannot write" "$T/full.$fmt.err"
		grep -q "Read-only file system" "$T/ro.$fmt.err"
	done
	[[ "$output" == *"left: 0"* ]]
}

# Namespaces that appear and disappear as fast as ip can make them, each with a veth.
churn()
{
	local k
	trap 'exit 0' TERM
	while :; do
		for k in 1 2 3 4 5 6 7 8 9 10; do
			ip netns add "${LAB_PREFIX}c$k" 2>/dev/null
			ip -n "${LAB_PREFIX}c$k" link add v0 type veth peer name v1 2>/dev/null
		done
		for k in 1 2 3 4 5 6 7 8 9 10; do
			ip netns del "${LAB_PREFIX}c$k" 2>/dev/null
		done
	done
}

@test "namespaces vanishing during collection: exit 0, nothing on stderr, warnings in the output" {
	lab_ns solo
	lab_bg churn
	for k in $(seq 8); do
		"$NSMAP" -T json -n "${LAB_PREFIX}*" >"$T/s.json" 2>"$T/err" || { cat "$T/err"; false; }
		[ ! -s "$T/err" ] || { cat "$T/err"; false; }
		jq -e '.schema' "$T/s.json" >/dev/null
		# a verdict (0 or 3: see the note on local destinations in docs/robustness.md)
		"$NSTRACE" 127.0.0.1 from "$LAB_PREFIX"solo --simulate >/dev/null 2>"$T/err" && st=0 || st=$?
		[ "$st" -eq 0 ] || [ "$st" -eq 3 ] || { cat "$T/err"; false; }
		[ ! -s "$T/err" ]
	done
}

@test "a namespace vanishing during a live trace: a verdict (exit 3), no crash, at most one line on stderr" {
	lab_blog_topology --no-inet-host
	"$NSTRACE" 203.0.113.8 from "$LAB_NS1" --timeout 2 >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 0.4
	ip netns del "$LAB_INET"
	wait "$pid" && status=0 || status=$?
	cat "$T/out" "$T/err"
	# not reached (3), or the vanished namespace as a one-line runtime error (1)
	if [ "$status" -eq 1 ]; then
		[ "$(wc -l <"$T/err")" -eq 1 ]
		grep -q '^nstrace: ' "$T/err"
	else
		[ "$status" -eq 3 ]
		[ "$(wc -l <"$T/err")" -le 1 ]
	fi
	[ "$(lab_procs)" -eq 0 ]
}

@test "SIGINT/SIGTERM at any moment of a live trace: exit 130/143, at most one line, no lab change, no stray process" {
	lab_blog_topology --no-inet-host	# no reply: the trace waits for its timeout
	lab_state >"$T/before"
	# --nft-trace adds a table in each namespace: it must go on every exit path too
	extra=()
	"$NSTRACE" -h | grep -q -- --nft-trace && extra=(--nft-trace)
	for d in 0.01 0.2 0.8; do
		for sig in INT TERM; do
			# a background job of a script ignores SIGINT; a terminal's does not
			env --default-signal=INT "$NSTRACE" 203.0.113.8 from "$LAB_NS1" --timeout 2 \
				"${extra[@]}" >"$T/out" 2>"$T/err" &
			pid=$!
			sleep "$d"
			kill -s "$sig" "$pid" 2>/dev/null || true
			wait "$pid" && status=0 || status=$?
			echo "$sig after ${d}s: exit $status, stderr: $(cat "$T/err")"
			if [ "$sig" = INT ]; then
				[ "$status" -eq 130 ]
			else
				[ "$status" -eq 143 ]
			fi
			[ "$(wc -l <"$T/err")" -le 1 ]
			[ ! -s "$T/err" ] || grep -qx "nstrace: interrupted" "$T/err"
			[ "$(lab_procs)" -eq 0 ]
		done
	done
	lab_state >"$T/after"
	diff "$T/before" "$T/after"
}
