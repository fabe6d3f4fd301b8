#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# simulate.bats - nstrace --simulate on the blog's lab: each cause code, the kernel agrees, the fix works.
#
# The topology is lab_blog_topology's (tests/lab/lib.bash):
#
#   ns1 veth1 10.0.0.1 --- veth1-br ┐
#                                   br0 10.0.0.254   host   eth0 198.51.100.10 --- eth0 198.51.100.1  inet
#   ns2 veth2 10.0.0.2 --- veth2-br ┘        ip_forward, MASQUERADE, FORWARD DROP + accepts   lo 203.0.113.8
#
# Every test breaks exactly one thing and checks three facts:
#   1. `nstrace 203.0.113.8 from ns1 --simulate -j` names that cause first (exit 3);
#   2. the kernel agrees: a ping from ns1 fails (and works in the whole lab);
#   3. the printed fixes, pasted into the broken lab, make the ping work (and nstrace exit 0).

load lib.bash

setup()
{
	lab_require_root
	NSTRACE=${NSTRACE:-${NSMAP_BUILD:-build}/nstrace}
	lab_require_exec "$NSTRACE" || return 1
}

teardown()
{
	lab_cleanup
}

# trace [DEST]: run the simulation from ns1 (to 203.0.113.8); JSON in $TRACE, exit code in
# $TRACE_RC.
trace()
{
	TRACE_RC=0
	TRACE=$("$NSTRACE" "${1:-$DEST}" from "$LAB_NS1" --simulate -j 2>/dev/null) || TRACE_RC=$?
}

first_code()
{
	jq -r '.diagnosis[0].code // "none"' <<<"$TRACE"
}

first_netns()
{
	jq -r '.diagnosis[0].netns // "none"' <<<"$TRACE"
}

# No route decision of the simulation contradicts the kernel's RTM_GETROUTE.
kernel_agrees()
{
	local n
	n=$(jq '[.diagnosis[] | select(.code == "KERNEL_DISAGREES")] | length' <<<"$TRACE")
	if [ "$n" != 0 ]; then
		jq -r '.diagnosis[] | select(.code == "KERNEL_DISAGREES") | .message' <<<"$TRACE" >&2
		return 1
	fi
}

# apply_fixes: paste every printed fix, one command per line, in order.
apply_fixes()
{
	local line
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		echo "fix: $line"
		eval "$line" || return 1
	done < <(jq -r '.diagnosis[] | select(.code != "KERNEL_DISAGREES") | .fix' <<<"$TRACE")
}

DEST=203.0.113.8

ping_ok()
{
	lab_ping ns1 "$DEST" >/dev/null 2>&1
}

# check_facts WHAT CODE NETNS [nofix]: the three facts for the lab as it is now broken.
check_facts()
{
	local what=$1 code=$2 netns=$3 nofix=${4:-}

	trace
	echo "$TRACE" | jq -c '.diagnosis[] | {code, netns, fix}'
	lab_check "$what: first cause" "$code" "$(first_code)"
	lab_check "$what: namespace" "$netns" "$(first_netns)"
	lab_check "$what: exit code" 3 "$TRACE_RC"
	lab_check "$what: kernel route lookups agree" 0 "$(kernel_agrees && echo 0 || echo 1)"
	lab_check "$what: ping fails in the broken lab" 1 "$(ping_ok && echo 0 || echo 1)"
	if [ -z "$nofix" ]; then
		# nstrace proved every fix on a copy of the snapshot before printing it ...
		lab_check "$what: every fix verified" "" \
			"$(jq -r '.diagnosis[] | select(.fix != "") | select(.verified != true)
				| "\(.code): \(.unverified_why)"' <<<"$TRACE")"
		# ... and the kernel agrees: pasted, they make the ping work
		apply_fixes
		lab_check "$what: ping works after the fix" 0 \
			"$(lab_wait_for -t 3 ping_ok && echo 0 || echo 1)"
		trace
		lab_check "$what: nstrace exit 0 after the fix" 0 "$TRACE_RC"
	fi
	lab_check_done
}

# check_cause FLAG CODE NETNS [nofix]: the three facts for one breakage of lib.bash.
check_cause()
{
	lab_blog_topology "$1"
	check_facts "$@"
}

@test "simulate: the whole lab reaches 203.0.113.8 and the reply comes back" {
	lab_blog_topology
	trace
	lab_check "exit code" 0 "$TRACE_RC"
	lab_check "verdict" reached "$(jq -r .verdict <<<"$TRACE")"
	lab_check "no diagnosis" 0 "$(jq '.diagnosis | length' <<<"$TRACE")"
	lab_check "leaves via eth0" eth0 "$(jq -r .leaves_host.ifname <<<"$TRACE")"
	lab_check "as 198.51.100.10" 198.51.100.10 "$(jq -r .leaves_host.src <<<"$TRACE")"
	lab_check "MASQUERADE hop" 1 "$(jq '[.hops[] | select(.nat != null and .nat.new_src == "198.51.100.10")] | length' <<<"$TRACE")"
	lab_check "reply open" true "$(jq -r .reply_ok <<<"$TRACE")"
	lab_check "kernel agrees" 0 "$(kernel_agrees && echo 0 || echo 1)"
	lab_check "kernel checked the routes" true \
		"$(jq '[.hops[] | select(.kernel != null)] | length > 0' <<<"$TRACE")"
	lab_check "ping works" 0 "$(ping_ok && echo 0 || echo 1)"
	lab_check_done
}

@test "simulate: text output has phases, verdict and exit 0" {
	lab_blog_topology
	run "$NSTRACE" 203.0.113.8 from "$LAB_NS1" --simulate
	[ "$status" -eq 0 ]
	[[ "$output" == *"verdict: reached"* ]]
	[[ "$output" == *"leaves the host via eth0 as 198.51.100.10 -> 203.0.113.8"* ]]
	[[ "$output" == *"MASQUERADE"* ]]
}

@test "simulate: SRC as a namespace path" {
	lab_blog_topology
	run "$NSTRACE" 203.0.113.8 from "/run/netns/$LAB_NS1" --simulate -j
	[ "$status" -eq 0 ]
	[ "$(jq -r .source.netns <<<"$output")" = "$LAB_NS1" ]
}

@test "simulate: usage errors exit 2, --from implies --simulate" {
	run "$NSTRACE"
	[ "$status" -eq 2 ]
	run "$NSTRACE" 203.0.113.8 from x proto sctp --simulate
	[ "$status" -eq 2 ]
	# --from alone simulates: an empty file is a snapshot error (1), not a usage error
	run "$NSTRACE" 203.0.113.8 from x --from /dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == "nstrace: /dev/null: "* ]]
}

@test "cause FORWARDING_DISABLED: ip_forward=0 in host" {
	check_cause --no-forward FORWARDING_DISABLED "$LAB_PREFIX"host
}

@test "cause NO_SNAT: no MASQUERADE" {
	check_cause --no-masq NO_SNAT "$LAB_PREFIX"host
}

@test "cause FORWARD_DROP: FORWARD policy DROP without accepts" {
	check_cause --no-fwd-accept FORWARD_DROP "$LAB_PREFIX"host
}

@test "cause RETURN_DROPPED: no RELATED,ESTABLISHED accept" {
	check_cause --no-return-accept RETURN_DROPPED "$LAB_PREFIX"host
}

@test "cause NO_ROUTE: ns1 has no default route" {
	check_cause --no-default-route NO_ROUTE "$LAB_PREFIX"ns1
}

@test "cause NO_ADDRESS: veth1 has no address" {
	check_cause --no-addr NO_ADDRESS "$LAB_PREFIX"ns1
}

@test "cause LINK_DOWN: veth1 is down" {
	check_cause --link-down LINK_DOWN "$LAB_PREFIX"ns1
}

@test "cause GATEWAY_UNREACHABLE: br0 has no 10.0.0.254" {
	check_cause --no-bridge-addr GATEWAY_UNREACHABLE "$LAB_PREFIX"ns1
}

@test "cause NOT_ON_BRIDGE: veth1-br is not a port of br0" {
	check_cause --no-bridge-port NOT_ON_BRIDGE "$LAB_PREFIX"host
}

@test "cause NO_ROUTE in host: no uplink default route" {
	check_cause --no-uplink-route NO_ROUTE "$LAB_PREFIX"host
}

@test "cause UPSTREAM_NO_REPLY: inet does not own 203.0.113.8" {
	check_cause --no-inet-host UPSTREAM_NO_REPLY "$LAB_PREFIX"inet nofix
}

# Breakages lib.bash has no flag for: the working lab, then one command.

@test "cause INPUT_DROP: host drops ns1's packets to its own address in INPUT" {
	lab_blog_topology
	_lab_ipt "$LAB_HOST" -A INPUT -s 10.0.0.1 -j DROP
	DEST=10.0.0.254
	check_facts "INPUT drop" INPUT_DROP "$LAB_HOST"
}

@test "cause OUTPUT_DROP: ns1 drops what it sends to 203.0.113.8 in OUTPUT" {
	lab_blog_topology
	_lab_ipt "$LAB_NS1" -A OUTPUT -d 203.0.113.8 -j DROP
	check_facts "OUTPUT drop" OUTPUT_DROP "$LAB_NS1"
}

@test "cause PREROUTING_DROP: host drops ns1's packets in the raw table's PREROUTING" {
	lab_blog_topology
	_lab_ipt "$LAB_HOST" -t raw -A PREROUTING -s 10.0.0.1 -j DROP
	check_facts "PREROUTING drop" PREROUTING_DROP "$LAB_HOST"
}

@test "cause ROUTE_REJECT: a blackhole route for 203.0.113.8 in ns1" {
	lab_blog_topology
	ip -n "$LAB_NS1" route add blackhole 203.0.113.8/32
	check_facts "blackhole route" ROUTE_REJECT "$LAB_NS1"
}

@test "cause RP_FILTER: strict rp_filter, the route back leaves another way" {
	# Local breakage (lib.bash has no flag): strict rp_filter in host and a more specific
	# route for ns1's address out of another interface (a veth pair inside host). A strict rp_filter fails exactly when the
	# reply would go another way, so no single fix makes the ping work: check the cause
	# and the kernel only.
	lab_blog_topology
	{
		echo "link add rpf0 type veth peer name rpf1"
		echo "link set rpf0 up"
		echo "link set rpf1 up"
		echo "route add 10.0.0.1/32 dev rpf0"
	} | ip -n "$LAB_HOST" -batch -
	lab_sysctl host net.ipv4.conf.all.rp_filter 1
	trace
	echo "$TRACE" | jq -c '.diagnosis[] | {code, netns, fix}'
	lab_check "first cause" RP_FILTER "$(first_code)"
	lab_check "namespace" "$LAB_HOST" "$(first_netns)"
	lab_check "exit code" 3 "$TRACE_RC"
	lab_check "kernel agrees" 0 "$(kernel_agrees && echo 0 || echo 1)"
	lab_check "ping fails" 1 "$(ping_ok && echo 0 || echo 1)"
	lab_check_done
}

# The blog's order, one step at a time: at each step the first cause is the missing step.
@test "blog order: from bare namespaces to a working lab, one step at a time" {
	local h

	# The host and its uplink exist from the start, with Docker's FORWARD policy DROP.
	lab_ns inet && LAB_INET=$LAB_LAST_NS
	lab_ns host && LAB_HOST=$LAB_LAST_NS && h=$LAB_HOST
	lab_ns ns1 && LAB_NS1=$LAB_LAST_NS
	{
		echo "link add eth0 type veth peer name eth0 netns $LAB_INET"
		echo "link set eth0 up"
		echo "addr add 198.51.100.10/24 dev eth0"
		echo "route add default via 198.51.100.1 dev eth0"
	} | ip -n "$h" -batch -
	lab_internet "$LAB_INET"
	_lab_ipt "$h" -P FORWARD DROP
	lab_wait_for _lab_oper_up "$h" eth0

	step() {
		trace
		echo "step $1: $(jq -c '[.diagnosis[].code]' <<<"$TRACE")"
		lab_check "step $1: first cause" "$2" "$(first_code)"
		lab_check "step $1: ping fails" 1 "$(ping_ok && echo 0 || echo 1)"
	}

	step "bare ns1" PEER_MISSING
	ip -n "$h" link add br0 type bridge
	ip -n "$h" link set br0 up
	ip -n "$h" link add veth1-br type veth peer name veth1 netns "$LAB_NS1"
	ip -n "$h" link set veth1-br master br0
	ip -n "$h" link set veth1-br up
	step "veth pair, ns1 end down" LINK_DOWN
	ip -n "$LAB_NS1" link set veth1 up
	lab_wait_for _lab_oper_up "$h" veth1-br
	step "veth1 up" NO_ADDRESS
	ip -n "$LAB_NS1" addr add 10.0.0.1/24 dev veth1
	step "10.0.0.1 on veth1" NO_ROUTE
	lab_check "fix names the bridge address" 1 \
		"$(jq '[.diagnosis[0].fix | select(contains("10.0.0.254/24 dev br0"))] | length' <<<"$TRACE")"
	ip -n "$h" addr add 10.0.0.254/24 dev br0
	step "br0 10.0.0.254" NO_ROUTE
	ip -n "$LAB_NS1" route add default via 10.0.0.254
	step "default route" FORWARDING_DISABLED
	lab_sysctl host net.ipv4.ip_forward 1
	step "ip_forward" FORWARD_DROP
	lab_check "NO_SNAT listed further along" 1 \
		"$(jq '[.diagnosis[] | select(.code == "NO_SNAT")] | length' <<<"$TRACE")"
	_lab_ipt "$h" -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
	step "MASQUERADE" FORWARD_DROP
	_lab_ipt "$h" -I FORWARD 1 -i br0 -o eth0 -j ACCEPT
	step "FORWARD br0 -> eth0" RETURN_DROPPED
	_lab_ipt "$h" -I FORWARD 1 -i eth0 -o br0 -m state --state RELATED,ESTABLISHED -j ACCEPT
	trace
	lab_check "last step: exit 0" 0 "$TRACE_RC"
	lab_check "last step: no diagnosis" none "$(first_code)"
	lab_check "last step: ping works" 0 "$(lab_wait_for -t 3 ping_ok && echo 0 || echo 1)"
	lab_check_done
}

@test "no MASQUERADE, but the upstream routes 10.0.0.0/24 back: reached, as the kernel says" {
	lab_blog_topology --no-masq
	ip -n "$LAB_INET" route add 10.0.0.0/24 via 198.51.100.10
	lab_check "the kernel: ping works" 0 "$(lab_wait_for -t 3 ping_ok && echo 0 || echo 1)"
	trace
	echo "$TRACE" | jq -c '.diagnosis[] | {code, netns}'
	lab_check "no cause" none "$(first_code)"
	lab_check "exit 0" 0 "$TRACE_RC"
	lab_check "leaves with the private source" 10.0.0.1 "$(jq -r '.leaves_host.src' <<<"$TRACE")"
	lab_check_done
}

@test "cause MARTIAN_SOURCE: a DNAT sends ns1's connection back to ns1, which drops it as a martian" {
	lab_blog_topology --no-fwd-drop
	lab_nsenter "$LAB_HOST" iptables -t nat -A PREROUTING -d 10.0.0.254 -p tcp --dport 8080 \
		-j DNAT --to-destination 10.0.0.1:80
	lab_check "the kernel: the connection fails" 1 \
		"$(lab_nsenter "$LAB_NS1" timeout 2 bash -c 'exec 3<>/dev/tcp/10.0.0.254/8080' >/dev/null 2>&1 && echo 0 || echo 1)"
	TRACE_RC=0
	TRACE=$("$NSTRACE" 10.0.0.254 from "$LAB_NS1" proto tcp port 8080 --simulate -j 2>/dev/null) || TRACE_RC=$?
	echo "$TRACE" | jq -c '.diagnosis[] | {code, netns, message}'
	lab_check "cause" MARTIAN_SOURCE "$(first_code)"
	lab_check "in ns1" "$LAB_NS1" "$(first_netns)"
	lab_check "verdict" "dropped 3" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check_done
}

@test "cause ROUTE_LOOP: host routes 203.0.113.8 to ns2, which forwards it back to host" {
	lab_blog_topology --no-fwd-drop
	lab_sysctl ns2 net.ipv4.ip_forward 1
	ip -n "$LAB_HOST" route add 203.0.113.8/32 via 10.0.0.2
	lab_check "the kernel: ping fails" 1 "$(ping_ok && echo 0 || echo 1)"
	trace
	echo "$TRACE" | jq -c '.diagnosis[] | {code, netns, message, evidence}'
	lab_check "cause" ROUTE_LOOP "$(first_code)"
	lab_check "verdict" "unreachable 3" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check "the loop is named" 1 \
		"$(jq -r '.diagnosis[0].evidence' <<<"$TRACE" | grep -c "$LAB_HOST -> $LAB_NS2 -> $LAB_HOST")"
	lab_check_done
}

@test "a -f DROP in FORWARD never matches the probe: reached, not undetermined, as the kernel says" {
	lab_blog_topology
	_lab_ipt "$LAB_HOST" -I FORWARD -f -j DROP
	lab_check "the kernel: ping works" 0 "$(lab_wait_for -t 3 ping_ok && echo 0 || echo 1)"
	trace
	echo "$TRACE" | jq -c '.diagnosis[] | {code, netns}'
	lab_check "no cause" none "$(first_code)"
	lab_check "verdict" "reached 0" "$(jq -r .verdict <<<"$TRACE") $TRACE_RC"
	lab_check_done
}
