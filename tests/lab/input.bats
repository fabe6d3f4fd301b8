#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# input.bats - nstrace's friendly input on a live host (root): near-miss names, names as DEST, stopped containers, root hints.
#
# Every namespace is ${LAB_PREFIX}NAME with LAB_PREFIX=nsin<pid>- (removed by lab_cleanup in
# teardown, whatever happens); nothing is created or changed in the namespace the test runs
# in. The one name lookup that could reach the host's resolver runs in a fresh, empty
# network namespace (unshare -n), so no packet leaves the lab.
#
#   ${LAB_PREFIX}lab-ns1                ${LAB_PREFIX}lab-web
#  +--------------------+              +--------------------+
#  | veth0 10.77.0.1/24 +--------------+ veth0 10.77.0.2/24 |
#  +--------------------+              | lo (127.0.0.1)     |
#                                      +--------------------+
#
# The stopped-container test starts a private dockerd in ${LAB_PREFIX}dk (docker_lib.bash).

LAB_PREFIX=nsin${BATS_ROOT_PID:-$$}-
load lib
load docker_lib
load ../helpers

setup()
{
	lab_require_root capsh unshare
	NSTRACE=${NSMAP_BUILD:-build}/nstrace
	lab_require_exec "$NSTRACE" || return 1
	P=$LAB_PREFIX
	lab_ns lab-ns1 || return 1
	lab_ns lab-web || return 1
	ip link add veth0 netns "${P}lab-ns1" type veth peer name veth0 netns "${P}lab-web" || return 1
	ip -n "${P}lab-ns1" addr add 10.77.0.1/24 dev veth0
	ip -n "${P}lab-web" addr add 10.77.0.2/24 dev veth0
	ip -n "${P}lab-ns1" link set veth0 up
	ip -n "${P}lab-web" link set veth0 up
	lab_wait_for _lab_oper_up "${P}lab-ns1" veth0
}

teardown()
{
	lab_cleanup
}

@test "near-miss names on a live host: the label is suggested, simulated and live" {
	run "$NSTRACE" 127.0.0.1 from "${P}ns1" --simulate
	one_line 1 "nstrace: no namespace or container named '${P}ns1'"
	[ "$output" = "nstrace: no namespace or container named '${P}ns1'; did you mean '${P}lab-ns1'?" ]
	run "$NSTRACE" 127.0.0.1 from "${P}lab-nz1" --simulate
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: no namespace or container named '${P}lab-nz1'; did you mean '${P}lab-ns1'?" ]
	run "$NSTRACE" from "${P}ns1" 127.0.0.1 --timeout 1
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: no namespace or container named '${P}ns1'; did you mean '${P}lab-ns1'?" ]
}

@test "a namespace name as DEST on a live host: its address, both word orders, and the kernel agrees" {
	lab_ping lab-ns1 10.77.0.2
	run "$NSTRACE" "${P}lab-web" from "${P}lab-ns1" --simulate -j
	[ "$status" -eq 0 ]
	[ "$(jq -r .destination <<<"$output")" = 10.77.0.2 ]
	[ "$(jq -r .dest_resolved.by <<<"$output")" = namespace ]
	[ "$(jq -r .dest_resolved.netns <<<"$output")" = "${P}lab-web" ]
	[ "$(jq -r .dest_resolved.ifname <<<"$output")" = veth0 ]
	[ "$(jq -r .verdict <<<"$output")" = reached ]
	[ "$(jq '[.diagnosis[] | select(.code == "KERNEL_DISAGREES")] | length' <<<"$output")" = 0 ]
	# live, the other word order: the probe really reaches the namespace named
	run "$NSTRACE" from "${P}lab-ns1" "${P}lab-web" -j --timeout 2
	[ "$status" -eq 0 ]
	[ "$(jq -r .mode <<<"$output")" = live ]
	[ "$(jq -r .verdict <<<"$output")" = reached ]
	[ "$(jq -r .dest_resolved.address <<<"$output")" = 10.77.0.2 ]
	run "$NSTRACE" "${P}lab-web" from "${P}lab-ns1" --simulate
	[ "${lines[0]}" = "nstrace: destination ${P}lab-web is 10.77.0.2 (veth0 in ${P}lab-web)" ]
}

@test "a DEST typo on a live host: suggested, and the resolver asked only inside an empty namespace" {
	run unshare -n "$NSTRACE" "${P}lab-wbe" from "${P}lab-ns1" --simulate
	one_line 1 "nstrace: cannot resolve '${P}lab-wbe': no namespace or container has that name"
	[[ "$output" == *"; did you mean '${P}lab-web'?" ]]
}

@test "root hints: without the capabilities, one line names them and --simulate --from" {
	run capsh --drop=cap_sys_admin -- -c "'$NSTRACE' 127.0.0.1 from '${P}lab-ns1'"
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: a live trace needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_NET_RAW); --simulate --from SNAPSHOT.json works without it" ]
	run capsh --drop=cap_sys_admin -- -c "'$NSTRACE' 127.0.0.1 from '${P}lab-ns1' --simulate"
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: cannot read this host's namespaces: Operation not permitted; root (CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_NET_RAW) is needed; --simulate --from SNAPSHOT.json works without it" ]
	# the probe's raw socket inside the lab's own loopback (nothing leaves the namespace)
	run capsh --drop=cap_net_raw -- -c "'$NSTRACE' 127.0.0.1 from '${P}lab-web' --timeout 1"
	[ "$status" -eq 1 ]
	[ "$output" = "nstrace: cannot trace: Operation not permitted; root (CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_NET_RAW) is needed; --simulate --from SNAPSHOT.json works without it" ]
}

@test "containers on a live host: a stopped one is said to be stopped (SRC and DEST), a running one is a DEST" {
	lab_can_run dockerd docker busybox setsid || lab_cannot_run "$LAB_WHY"
	lab_ns dk || return 1
	dk_start dk || return 1
	dk_image || return 1
	dk run --name "${P}old" "$DK_IMAGE" /bin/sh -c true >/dev/null
	dk create --name "${P}new" "$DK_IMAGE" /bin/sleep 600 >/dev/null
	dk run -d --name "${P}run" "$DK_IMAGE" /bin/sleep 600 >/dev/null
	[ "$(dk inspect -f '{{.State.Status}}' "${P}old")" = exited ]

	run "$NSTRACE" 127.0.0.1 from "${P}old" --simulate
	one_line 1 "nstrace: container '${P}old' exists but is stopped (docker start ${P}old)"
	run "$NSTRACE" "${P}old" from "${P}lab-ns1" --simulate
	one_line 1 "nstrace: container '${P}old' exists but is stopped (docker start ${P}old)"
	run "$NSTRACE" 127.0.0.1 from "${P}new" --timeout 1
	one_line 1 "nstrace: container '${P}new' exists but is stopped (created; docker start ${P}new)"
	# a near miss of a stopped container's name suggests it
	run "$NSTRACE" 127.0.0.1 from "${P}oldd" --simulate
	[ "$output" = "nstrace: no namespace or container named '${P}oldd'; did you mean '${P}old'?" ]
	# a running container as DEST: its address as the engine gave it
	run "$NSTRACE" "${P}run" from "${P}dk" --simulate -j
	[ "$(jq -r .destination <<<"$output")" = "$(dk inspect -f '{{.NetworkSettings.IPAddress}}' "${P}run")" ]
	[ "$(jq -r .dest_resolved.netns <<<"$output")" = "${P}run" ]
	[ "$(jq -r .dest_resolved.ifname <<<"$output")" = eth0 ]
	[ "$(jq -r .verdict <<<"$output")" = reached ]
}
