#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# trace.bats - the live nstrace on the blog's lab: the round trip hop by hop, the SNAT/DNAT rewrite, where a lost probe vanished.
#
# The topology is lab_blog_topology's (tests/lab/lib.bash):
#
#   ns1 veth1 10.0.0.1 --- veth1-br ┐
#                                   br0 10.0.0.254   host   eth0 198.51.100.10 --- eth0 198.51.100.1  inet
#   ns2 veth2 10.0.0.2 --- veth2-br ┘        ip_forward, MASQUERADE, FORWARD DROP + accepts   lo 203.0.113.8
#
# Only 203.0.113.8 and 198.51.100.10 (both inside the lab) are ever probed.

load lib.bash

setup()
{
	lab_require_root
	NSTRACE=${NSTRACE:-${NSMAP_BUILD:-build}/nstrace}
	lab_require_exec "$NSTRACE" || return 1
	OUT=$(mktemp -d)
}

teardown()
{
	lab_cleanup
	rm -rf "$OUT"
}

# trace [ARGS...]: live trace to 203.0.113.8 from ns1 (or ARGS); JSON in $TRACE, exit in $TRACE_RC.
trace()
{
	TRACE_RC=0
	if [ $# -eq 0 ]; then
		set -- 203.0.113.8 from "$LAB_NS1"
	fi
	TRACE=$("$NSTRACE" "$@" -j 2>"$OUT/stderr") || TRACE_RC=$?
	[ -n "$TRACE" ] || { cat "$OUT/stderr" >&2; return 1; }
}

# The observed hops as "netns:ifname:direction" with the lab prefix removed, in order.
observed()
{
	jq -r '.hops[] | select(.observed) | "\(.netns):\(.ifname):\(.direction)"' <<<"$TRACE" |
		sed "s/^$LAB_PREFIX//"
}

last_seen()
{
	jq -r '.last_seen | if . == null then "none" else "\(.netns):\(.ifname):\(.direction)" end' \
		<<<"$TRACE" | sed "s/^$LAB_PREFIX//"
}

first_code()
{
	jq -r '.diagnosis[0].code // "none"' <<<"$TRACE"
}

# Timestamps of the observed hops never go back.
times_increase()
{
	jq -e '[.hops[] | select(.observed) | .time] as $t
	       | [range(1; $t | length) | select($t[.] < $t[. - 1])] | length == 0' <<<"$TRACE" >/dev/null
}

# ip -j link/addr/route/rule and the nft ruleset (counters aside) of every lab namespace.
lab_state()
{
	local ns
	for ns in "$LAB_NS1" "$LAB_NS2" "$LAB_HOST" "$LAB_INET"; do
		echo "== $ns"
		ip -j -n "$ns" link show | jq -S 'map(del(.stats64, .stats))'
		ip -j -n "$ns" addr show | jq -S .
		ip -j -n "$ns" route show table all | jq -S .
		ip -j -n "$ns" rule show | jq -S .
		# Counters count the probe: that is the packet passing, not a change.
		lab_nsenter "$ns" nft list ruleset 2>/dev/null |
			sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'
	done
}

@test "working lab: reached, every hop in order, the SNAT on the uplink and the reply de-NATed" {
	lab_blog_topology
	trace
	echo "$TRACE" >"$OUT/trace.json"
	lab_check "exit code" 0 "$TRACE_RC"
	lab_check "verdict" reached "$(jq -r .verdict <<<"$TRACE")"
	# The host's and ns1's hops, in order (the lab's "internet" is captured too).
	observed | grep -E '^(ns1|host):' >"$OUT/got"
	cat >"$OUT/want" <<-'EOF'
	ns1:veth1:out
	host:veth1-br:in
	host:br0:in
	host:eth0:out
	host:eth0:in
	host:br0:out
	host:veth1-br:out
	ns1:veth1:in
	EOF
	lab_check "hop order" "$(cat "$OUT/want")" "$(cat "$OUT/got")"
	lab_check "all predicted hops seen" 0 \
		"$(jq '[.hops[] | select(.observed | not)] | length' <<<"$TRACE")"
	lab_check "source rewritten on eth0" "10.0.0.1 198.51.100.10 SNAT" \
		"$(jq -r '.hops[] | select(.netns | endswith("host")) | select(.ifname == "eth0" and .direction == "out")
			  | "\(.nat.old_src) \(.nat.new_src) \(.nat.kind)"' <<<"$TRACE")"
	lab_check "the rule that did it" 1 \
		"$(jq '[.hops[] | select(.nat.kind == "SNAT") | select(.nat.rule | test("MASQUERADE"))] | length' <<<"$TRACE")"
	lab_check "the conntrack entry" 1 \
		"$(jq '[.conntrack[] | select(.snat)] | length' <<<"$TRACE")"
	lab_check "reply de-NATed on br0" "198.51.100.10 10.0.0.1 un-SNAT" \
		"$(jq -r '.hops[] | select(.netns | endswith("host")) | select(.ifname == "br0" and .direction == "out")
			  | "\(.nat.old_dst) \(.nat.new_dst) \(.nat.kind)"' <<<"$TRACE")"
	lab_check "every hop carries the probe's id" 0 \
		"$(jq '.probe.icmp_id as $id | [.hops[] | select(.icmp_id != $id)] | length' <<<"$TRACE")"
	local inc=0
	times_increase || inc=1
	lab_check "timestamps increase" 0 "$inc"
	lab_check_done
}

@test "text output shows the translation where it happens" {
	lab_blog_topology
	run "$NSTRACE" 203.0.113.8 from "$LAB_NS1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"SNAT 10.0.0.1 → 198.51.100.10 by -A POSTROUTING"*"MASQUERADE"* ]]
	[[ "$output" == *"un-SNAT 198.51.100.10 → 10.0.0.1"* ]]
	[[ "$output" == *"verdict: reached"* ]]
}

@test "udp and tcp probes come back (port unreachable, reset)" {
	lab_blog_topology
	trace 203.0.113.8 from "$LAB_NS1" proto udp port 5353
	lab_check "udp verdict" "reached 0" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check "udp reply is the port unreachable" 3 \
		"$(jq -r '[.hops[] | select(.reply and .observed)][-1].icmp_type' <<<"$TRACE")"
	trace 203.0.113.8 from "$LAB_NS1" proto tcp port 80
	lab_check "tcp verdict" "reached 0" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check "tcp source port kept through SNAT" 1 \
		"$(jq '.probe.sport as $p | [.hops[] | select(.nat.kind == "SNAT" and .sport == $p)] | length' <<<"$TRACE")"
	lab_check_done
}

# check_broken FLAG CODE LAST_SEEN VERDICT
check_broken()
{
	lab_blog_topology "$1"
	trace 203.0.113.8 from "$LAB_NS1" --timeout 1
	echo "$TRACE" >"$OUT/trace.json"
	lab_check "$1: exit code" 3 "$TRACE_RC"
	lab_check "$1: cause" "$2" "$(first_code)"
	lab_check "$1: last hop seen" "$3" "$(last_seen)"
	lab_check "$1: verdict" "$4" "$(jq -r .verdict <<<"$TRACE")"
	lab_check_done
}

@test "--no-masq: leaves eth0 with the private source, NO_SNAT" {
	check_broken --no-masq NO_SNAT inet:eth0:in no-reply
	lab_check "uplink source" 10.0.0.1 \
		"$(jq -r '.hops[] | select(.observed and .ifname == "eth0" and .direction == "out" and (.netns | endswith("host"))) | .src' <"$OUT/trace.json")"
	lab_check_done
}

@test "--no-forward: stops at the bridge, FORWARDING_DISABLED" {
	check_broken --no-forward FORWARDING_DISABLED host:br0:in dropped
	lab_check "next expected" host:eth0:out \
		"$(jq -r '"\(.next_expected.netns):\(.next_expected.ifname):\(.next_expected.direction)"' <"$OUT/trace.json" | sed "s/^$LAB_PREFIX//")"
	lab_check_done
}

@test "--no-fwd-accept: stops at the bridge, FORWARD_DROP" {
	check_broken --no-fwd-accept FORWARD_DROP host:br0:in dropped
}

@test "--no-return-accept: the reply stops on the uplink, RETURN_DROPPED" {
	check_broken --no-return-accept RETURN_DROPPED host:eth0:in no-reply
}

@test "--no-default-route: nothing leaves ns1, NO_ROUTE" {
	check_broken --no-default-route NO_ROUTE none unreachable
}

@test "--link-down: nothing leaves ns1, LINK_DOWN" {
	check_broken --link-down LINK_DOWN none unreachable
}

@test "--no-inet-host: translated and gone upstream, UPSTREAM_NO_REPLY" {
	check_broken --no-inet-host UPSTREAM_NO_REPLY inet:eth0:in no-reply
}

@test "inbound: DNAT at the host's prerouting, delivery to ns1, the reply translated back" {
	lab_blog_topology
	lab_nsenter host iptables -w -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 \
		-j DNAT --to-destination 10.0.0.1:80
	lab_nsenter host iptables -w -A FORWARD -i eth0 -o br0 -p tcp --dport 80 -j ACCEPT
	lab_bg lab_nsenter ns1 busybox nc -l -p 80
	lab_wait_for lab_nsenter ns1 sh -c 'grep -q ":0050 " /proc/net/tcp /proc/net/tcp6'
	trace 198.51.100.10 from "$LAB_INET" proto tcp port 8080
	echo "$TRACE" >"$OUT/trace.json"
	lab_check "verdict" "reached 0" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check "DNAT" "198.51.100.10:8080 10.0.0.1:80" \
		"$(jq -r '.hops[] | select(.nat.kind == "DNAT") | "\(.nat.old_dst):\(.nat.old_dport) \(.nat.new_dst):\(.nat.new_dport)"' <<<"$TRACE")"
	lab_check "delivered to ns1" 1 \
		"$(jq --arg ns "$LAB_NS1" '[.hops[] | select(.netns == $ns and .direction == "in" and (.reply | not) and .observed)] | length' <<<"$TRACE")"
	lab_check "reply translated back" "10.0.0.1:80 198.51.100.10:8080" \
		"$(jq -r '.hops[] | select(.nat.kind == "un-DNAT") | "\(.nat.old_src):\(.nat.old_sport) \(.nat.new_src):\(.nat.new_sport)"' <<<"$TRACE")"
	lab_check_done
}

@test "two runs at once each report only their own probe" {
	lab_blog_topology
	"$NSTRACE" 203.0.113.8 from "$LAB_NS1" -j >"$OUT/a.json" 2>/dev/null &
	local a=$!
	"$NSTRACE" 203.0.113.8 from "$LAB_NS1" -j >"$OUT/b.json" 2>/dev/null &
	local b=$!
	"$NSTRACE" 203.0.113.8 from "$LAB_NS2" -j >"$OUT/c.json" 2>/dev/null || true
	wait "$a" || true
	wait "$b" || true
	local f
	for f in a b c; do
		lab_check "$f: verdict" reached "$(jq -r .verdict "$OUT/$f.json")"
		lab_check "$f: only its own id" 0 \
			"$(jq '.probe.icmp_id as $id | [.hops[] | select(.observed and .icmp_id != $id)] | length' "$OUT/$f.json")"
		lab_check "$f: no hop twice" 0 \
			"$(jq '[.hops[] | select(.observed) | "\(.netns) \(.ifname) \(.direction) \(.reply)"] | (length - (unique | length))' "$OUT/$f.json")"
	done
	lab_check "different ids" 3 \
		"$(jq -s '[.[].probe.icmp_id] | unique | length' "$OUT/a.json" "$OUT/b.json" "$OUT/c.json")"
	lab_check "ns2's run never sees ns1" 0 \
		"$(jq --arg ns "$LAB_NS1" '[.hops[] | select(.observed and .netns == $ns)] | length' "$OUT/c.json")"
	lab_check_done
}

@test "read-only: links, addresses, routes, rules and rulesets unchanged by a trace" {
	lab_blog_topology
	lab_state >"$OUT/before"
	trace
	trace 203.0.113.8 from "$LAB_NS1" proto tcp port 80
	lab_state >"$OUT/after"
	diff -u "$OUT/before" "$OUT/after"
}

@test "SIGTERM and SIGINT stop a trace at once and cleanly" {
	lab_blog_topology --no-masq
	local sig pid rc start
	for sig in TERM INT; do
		start=$SECONDS
		"$NSTRACE" 203.0.113.8 from "$LAB_NS1" --timeout 30 >/dev/null 2>"$OUT/err" &
		pid=$!
		sleep 0.5
		kill -"$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		lab_check "$sig: exit" "$([ "$sig" = TERM ] && echo 143 || echo 130)" "$rc"
		lab_check "$sig: quick" 1 "$((SECONDS - start < 5))"
		lab_check "$sig: says so" 1 "$(grep -c interrupted "$OUT/err")"
	done
	lab_check_done
}

@test "usage: --from cannot be traced live, IPv6 is for the simulation" {
	lab_blog_topology
	run "$NSTRACE" 203.0.113.8 from "$LAB_NS1" --from /dev/null --nft-trace
	[ "$status" -eq 2 ]
	run "$NSTRACE" 2001:db8::1 from "$LAB_NS1"
	[ "$status" -eq 2 ]
}

@test "the reply reaches ns1's veth1 but ns1's INPUT drops it: no-reply, not reached; the socket got nothing" {
	lab_blog_topology
	lab_nsenter "$LAB_NS1" iptables -A INPUT -s 203.0.113.8 -j DROP
	lab_check "the kernel: ping fails" 1 "$(lab_ping ns1 203.0.113.8 >/dev/null 2>&1 && echo 0 || echo 1)"
	trace 203.0.113.8 from "$LAB_NS1" --timeout 1
	lab_check "verdict" "no-reply 3" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check "the reply was seen on veth1" 1 \
		"$(jq '[.hops[] | select(.reply and .observed and .ifname == "veth1")] | length > 0 | if . then 1 else 0 end' <<<"$TRACE")"
	lab_check "the probe's socket got nothing" nothing "$(jq -r .socket <<<"$TRACE")"
	lab_check "the summary says where it was dropped" 1 \
		"$(jq -r .summary <<<"$TRACE" | grep -c 'never got it')"
	lab_check_done
}

@test "the destination REJECTs a TCP probe with ICMP port unreachable: dropped, not reached" {
	lab_blog_topology
	lab_nsenter "$LAB_INET" iptables -A INPUT -p tcp --dport 80 -j REJECT
	lab_check "the kernel: connect fails" 1 \
		"$(lab_nsenter "$LAB_NS1" timeout 2 bash -c 'exec 3<>/dev/tcp/203.0.113.8/80' >/dev/null 2>&1 && echo 0 || echo 1)"
	trace 203.0.113.8 from "$LAB_NS1" proto tcp port 80 --timeout 1
	lab_check "verdict" "dropped 3" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check "the summary says rejected" 1 "$(jq -r .summary <<<"$TRACE" | grep -c 'rejected')"
	# a UDP probe answered by port unreachable is the destination's normal answer
	trace 203.0.113.8 from "$LAB_NS1" proto udp port 5353
	lab_check "udp verdict" "reached 0" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check_done
}
