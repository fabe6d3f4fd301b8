#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# discovery.bats - nsmap finds namespaces held only by a process or a bind mount, survives churn, and refuses non-root.
#
#   sleep[PID]      a namespace held only by `unshare -n sleep` (no /run/netns name)
#   TMP/nsfile      a namespace only bind-mounted on a file outside /run/netns
#   PREFIXchurnN    namespaces created and deleted in a loop while nsmap runs

bats_require_minimum_version 1.5.0
load lib

NSMAP=${NSMAP_BUILD:-build}/nsmap

setup()
{
	lab_require_root unshare setpriv
}

teardown()
{
	lab_cleanup
}

# in_ns PID: the process's network namespace differs from ours (unshare has run).
in_ns()
{
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

@test "a namespace held only by a process is found and labelled comm[pid]" {
	local pid ino
	lab_bg unshare -n sleep 60
	pid=$LAB_LAST_PID
	lab_wait_for in_ns "$pid"
	ino=$(stat -L -c %i "/proc/$pid/ns/net")

	run --separate-stderr "$NSMAP" -T json -n "$pid"
	echo "$stderr"
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/snap.json"
	local sel=".namespaces[] | select(.id == \"net:$ino\")"
	lab_check "found by -n PID" "net:$ino" "$(jq -r "$sel | .id" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "label" "sleep[$pid]" "$(jq -r "$sel | .label" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "holder process" "$pid sleep" \
		"$(jq -r "$sel | .processes[] | select(.pid == $pid) | \"\(.pid) \(.comm)\"" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "no netns name" 0 "$(jq -r "$sel | .names | length" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "inode" "$ino" "$(jq -r "$sel | .inode" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "its lo" lo "$(jq -r "$sel | .links[0].ifname" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check_done
}

@test "a namespace only bind-mounted outside /run/netns is found with its mount" {
	local f="$BATS_TEST_TMPDIR/nsfile" ino
	touch "$f"
	lab_defer rm -f "$f"
	unshare --net="$f" true
	lab_defer umount "$f"
	ino=$(stat -L -c %i "$f")

	run --separate-stderr "$NSMAP" -T json
	echo "$stderr"
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/snap.json"
	local sel=".namespaces[] | select(.id == \"net:$ino\")"
	lab_check "found in the full scan" "net:$ino" "$(jq -r "$sel | .id" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "mount listed" "$f" \
		"$(jq -r "$sel | .mounts[]" "$BATS_TEST_TMPDIR/snap.json" | grep -xF "$f")"
	lab_check "no holder process" 0 "$(jq -r "$sel | .process_count // (.processes | length)" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "no netns name" 0 "$(jq -r "$sel | .names | length" "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "labelled by its inode" 1 \
		"$(jq -r "$sel | .label" "$BATS_TEST_TMPDIR/snap.json" | grep -c "$ino")"

	run --separate-stderr "$NSMAP" -T json -n "$ino"
	[ "$status" -eq 0 ]
	lab_check "selected by -n INODE" "net:$ino" "$(jq -r '.namespaces[].id' <<<"$output" | xargs)"
	lab_check_done
}

# churn_netns: create and delete named namespaces (with a veth pair each) forever.
churn_netns()
{
	local i=0 ns
	trap 'exit 0' TERM	# finish the current step, leave no half-made namespace behind
	while :; do
		ns="${LAB_PREFIX}churn$((i++ % 4))"
		ip netns add "$ns" 2>/dev/null
		ip -n "$ns" link add a type veth peer name b 2>/dev/null
		ip netns del "$ns" 2>/dev/null
		sleep 0.01	# leave the CPUs to nsmap: the suite must stay fast
	done
}

# churn_procs: namespaces held by short-lived processes only.
churn_procs()
{
	trap 'exit 0' TERM
	while :; do
		unshare -n sleep 0.02
		sleep 0.01
	done
}

@test "namespaces vanishing while nsmap runs: 30 runs, exit 0, valid JSON, warnings at most" {
	local n w args warned=0
	lab_ns anchor		# keeps -n PREFIX* matching something at every moment
	lab_bg churn_netns
	lab_bg churn_procs
	for ((n = 0; n < 30; n++)); do  # not $i: bats 1.8 `run` clobbers it
		if ((n % 2)); then args=(-T json); else args=(-T json -n "${LAB_PREFIX}*"); fi
		run --separate-stderr "$NSMAP" "${args[@]}"
		lab_check "run $n ${args[*]}: exit status" 0 "$status"
		# one jq per run: "<schema> <number of warnings>"
		w=$(jq -r '"\(.schema) \([.warnings[]?, .namespaces[]?.warnings[]?] | length)"' \
			<<<"$output" 2>&1) || true
		lab_check "run $n: valid snapshot" nsmap.snapshot/1 "${w% *}"
		if [ -n "$stderr" ]; then
			lab_check "run $n: stderr only warnings" "" "$(grep -vi warn <<<"$stderr")"
		fi
		[[ "${w#* }" =~ ^[0-9]+$ ]] && warned=$((warned + ${w#* }))
	done
	echo "# $warned warning(s) in 30 runs (namespaces did vanish mid-scan when > 0)" >&3
	lab_check "the anchor is still seen" "${LAB_PREFIX}anchor" \
		"$("$NSMAP" -T json -n "${LAB_PREFIX}anchor" | jq -r '.namespaces[].names[]')"
	lab_check_done
}

@test "nsmap as non-root: one line on stderr, exit 1" {
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups "$NSMAP"
	echo "stdout: $output"
	echo "stderr: $stderr"
	lab_check "exit status" 1 "$status"
	lab_check "stderr lines" 1 "${#stderr_lines[@]}"
	lab_check "stdout empty" "" "$output"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups "$NSMAP" -T json
	lab_check "-T json: exit status" 1 "$status"
	lab_check "-T json: stderr lines" 1 "${#stderr_lines[@]}"
	lab_check "-T json: stdout empty" "" "$output"
	lab_check_done
}
