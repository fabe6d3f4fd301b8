#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# trace_nft.bats - nstrace --nft-trace names the rule or policy that dropped (or NATed) the probe and leaves no table behind; --drop-reason adds the kernel's drop reason and leaves no tracefs instance.
#
# The topology is lab_blog_topology's (tests/lab/lib.bash). tracefs is mounted only inside a
# private mount namespace (unshare -m) that the test creates, never on the host.

load lib.bash

setup()
{
	lab_require_root nft unshare mount
	NSTRACE=${NSTRACE:-${NSMAP_BUILD:-build}/nstrace}
	[[ $NSTRACE == /* ]] || NSTRACE=$PWD/$NSTRACE
	lab_require_exec "$NSTRACE" || return 1
	OUT=$(mktemp -d)
}

teardown()
{
	lab_cleanup
	rm -rf "$OUT"
}

# The ruleset of every lab namespace, stateless (-s: the probe bumps counters, which is the
# packet passing, not a change).
rulesets()
{
	local ns
	for ns in "$LAB_NS1" "$LAB_NS2" "$LAB_HOST" "$LAB_INET"; do
		echo "== $ns"
		lab_nsenter "$ns" nft -s list ruleset 2>&1
	done
}

# in_tracefs SCRIPT: run the bash SCRIPT in a private mount namespace with tracefs mounted
# on /sys/kernel/tracing (visible to nothing else).
in_tracefs()
{
	if ! grep -qw tracefs /proc/filesystems; then
		if [ "${CI:-}" = true ]; then
			echo "the kernel has no tracefs (CI=true: a lab test that cannot run is a failure)" >&2
			return 1
		fi
		skip "the kernel has no tracefs"
	fi
	unshare -m --propagation private bash -c \
		'mount -t tracefs nodev /sys/kernel/tracing || exit 99; eval "$1"' _ "$1"
}

@test "--nft-trace: a FORWARD policy drop is named with its table and chain; nothing is left" {
	lab_blog_topology --no-fwd-accept
	rulesets >"$OUT/before"
	local rc=0
	"$NSTRACE" 203.0.113.8 from "$LAB_NS1" --timeout 1 --nft-trace -j >"$OUT/t.json" 2>"$OUT/err" ||
		rc=$?
	rulesets >"$OUT/after"
	lab_check "exit" 3 "$rc"
	lab_check "cause" FORWARD_DROP "$(jq -r '.diagnosis[0].code' "$OUT/t.json")"
	lab_check "nft drop" "ip filter FORWARD policy drop forward" \
		"$(jq -r '.nft_trace.drop | "\(.family) \(.table) \(.chain) \(.type) \(.verdict) \(.hook)"' "$OUT/t.json")"
	lab_check "in host" "$LAB_HOST" "$(jq -r '.nft_trace.drop.netns' "$OUT/t.json")"
	lab_check "on the hop it came in on" host:br0:in \
		"$(jq -r '.hops[] | select(.rules | any(.type == "policy" and .verdict == "drop"))
			  | "\(.netns):\(.ifname):\(.direction)"' "$OUT/t.json" | sed "s/^$LAB_PREFIX//")"
	lab_check "in the diagnosis" "filter FORWARD" \
		"$(jq -r '.diagnosis[0].nft_rule | "\(.table) \(.chain)"' "$OUT/t.json")"
	lab_check "evidence names it" 1 \
		"$(jq '[.diagnosis[0].evidence | test("nft trace: .* ip filter FORWARD policy drop")] | map(select(.)) | length' "$OUT/t.json")"
	lab_check "rulesets byte-identical after" "" "$(diff "$OUT/before" "$OUT/after")"
	lab_check "no nstrace table" 0 "$(grep -c nstrace_ "$OUT/after")"
	run "$NSTRACE" 203.0.113.8 from "$LAB_NS1" --timeout 1 --nft-trace
	echo "$output"
	lab_check "text" 1 "$(grep -c '^nft trace: dropped in .*host by nft ip filter FORWARD (forward) policy drop' <<<"$output")"
	lab_check_done
}

@test "--nft-trace: a working lab shows the accept and MASQUERADE rules on their hops" {
	lab_blog_topology
	rulesets >"$OUT/before"
	local rc=0
	"$NSTRACE" 203.0.113.8 from "$LAB_NS1" --nft-trace -j >"$OUT/t.json" 2>"$OUT/err" || rc=$?
	rulesets >"$OUT/after"
	lab_check "reached" "reached 0" "$(jq -r .verdict "$OUT/t.json") $rc"
	lab_check "MASQUERADE on host:eth0:out" 1 \
		"$(jq '[.hops[] | select((.netns | endswith("host")) and .ifname == "eth0" and .direction == "out")
		       | .rules[] | select(.chain == "POSTROUTING" and (.rule | test("MASQUERADE")) and .verdict == "accept")] | length' "$OUT/t.json")"
	lab_check "FORWARD accept on host:br0:in" 1 \
		"$(jq '[.hops[] | select((.netns | endswith("host")) and .ifname == "br0" and .direction == "in")
		       | .rules[] | select(.chain == "FORWARD" and .verdict == "accept" and .handle != null)] | length' "$OUT/t.json")"
	lab_check "reply's accept" 1 \
		"$(jq '[.hops[] | select(.reply) | .rules[] | select(.rule | test("RELATED,ESTABLISHED"))] | length' "$OUT/t.json")"
	lab_check "no drop" null "$(jq -c .nft_trace.drop "$OUT/t.json")"
	lab_check "never our own table" 0 "$(jq '[.hops[].rules[] | select(.table | startswith("nstrace_"))] | length' "$OUT/t.json")"
	lab_check "rulesets byte-identical after" "" "$(diff "$OUT/before" "$OUT/after")"
	lab_check_done
}

@test "SIGINT and SIGTERM mid-trace: the tables and the tracefs instance are removed" {
	lab_blog_topology --no-masq
	rulesets >"$OUT/before"
	local sig
	for sig in INT TERM; do
		in_tracefs "
			'$NSTRACE' 203.0.113.8 from '$LAB_NS1' --timeout 30 --nft-trace --drop-reason \
				>/dev/null 2>'$OUT/err' &
			pid=\$!
			for n in \$(seq 100); do
				nsenter --net=/run/netns/'$LAB_HOST' nft list tables | grep -q nstrace_ && break
				sleep 0.05
			done
			nsenter --net=/run/netns/'$LAB_HOST' nft list tables | grep -c nstrace_ >'$OUT/during'
			ls /sys/kernel/tracing/instances | grep -c nstrace_ >'$OUT/inst-during'
			kill -$sig \$pid
			rc=0
			wait \$pid || rc=\$?
			echo \$rc >'$OUT/rc'
			ls /sys/kernel/tracing/instances | grep -c nstrace_ >'$OUT/inst-after'
			true"
		rulesets >"$OUT/after"
		lab_check "$sig: table present during the trace" 1 "$(cat "$OUT/during")"
		lab_check "$sig: instance present during the trace" 1 "$(cat "$OUT/inst-during")"
		lab_check "$sig: exit" "$([ "$sig" = TERM ] && echo 143 || echo 130)" "$(cat "$OUT/rc")"
		lab_check "$sig: rulesets byte-identical after" "" "$(diff "$OUT/before" "$OUT/after")"
		lab_check "$sig: no instance left" 0 "$(cat "$OUT/inst-after")"
	done
	lab_check_done
}

@test "--drop-reason: IP_INADDRERRORS without forwarding, NETFILTER_DROP with a FORWARD drop" {
	lab_blog_topology --no-forward
	in_tracefs "'$NSTRACE' 203.0.113.8 from '$LAB_NS1' --timeout 1 --drop-reason -j >'$OUT/a.json' 2>/dev/null
		    ls /sys/kernel/tracing/instances | grep -c nstrace_ >'$OUT/inst' ; true"
	lab_check "forwarding: reason" IP_INADDRERRORS "$(jq -r .drop_reason.reason "$OUT/a.json")"
	lab_check "forwarding: kernel evidence" kernel "$(jq -r .drop_reason.evidence "$OUT/a.json")"
	lab_check "forwarding: skb last seen" host:br0 \
		"$(jq -r '"\(.drop_reason.netns):\(.drop_reason.ifname)"' "$OUT/a.json" | sed "s/^$LAB_PREFIX//")"
	lab_check "forwarding: in the diagnosis" "FORWARDING_DISABLED IP_INADDRERRORS" \
		"$(jq -r '.diagnosis[] | select(.drop_reason) | "\(.code) \(.drop_reason.reason)"' "$OUT/a.json")"
	lab_check "forwarding: no instance left" 0 "$(cat "$OUT/inst")"
	lab_cleanup
	lab_blog_topology --no-fwd-accept
	in_tracefs "'$NSTRACE' 203.0.113.8 from '$LAB_NS1' --timeout 1 --drop-reason --nft-trace >'$OUT/b.txt' 2>/dev/null
		    ls /sys/kernel/tracing/instances | grep -c nstrace_ >'$OUT/inst' ; true"
	cat "$OUT/b.txt"
	lab_check "forward drop: text" 1 \
		"$(grep -c '^kernel drop reason: NETFILTER_DROP at .*kernel evidence' "$OUT/b.txt")"
	lab_check "forward drop: both in the evidence" 1 \
		"$(grep -c 'evidence: .*nft trace: .*FORWARD policy drop; kernel: drop reason NETFILTER_DROP' "$OUT/b.txt")"
	lab_check "forward drop: no instance left" 0 "$(cat "$OUT/inst")"
	lab_check_done
}

@test "--drop-reason without tracefs: one line, and the trace goes on" {
	lab_blog_topology --no-forward
	local rc=0
	unshare -m --propagation private bash -c '
		umount -l /sys/kernel/tracing 2>/dev/null
		umount -l /sys/kernel/debug 2>/dev/null
		exec "$@"' _ "$NSTRACE" 203.0.113.8 from "$LAB_NS1" --timeout 1 --drop-reason \
		>"$OUT/t.txt" 2>"$OUT/err" || rc=$?
	cat "$OUT/t.txt"
	lab_check "exit" 3 "$rc"
	lab_check "one line" 1 "$(grep -c 'drop-reason: tracefs is not mounted' "$OUT/t.txt")"
	lab_check "still diagnosed" 1 "$(grep -c 'FORWARDING_DISABLED in' "$OUT/t.txt")"
	lab_check_done
}

@test "usage: --nft-trace and --drop-reason are for a live trace" {
	run "$NSTRACE" --simulate 203.0.113.8 from x --nft-trace
	[ "$status" -eq 2 ]
	run "$NSTRACE" --simulate 203.0.113.8 from x --drop-reason
	[ "$status" -eq 2 ]
}
