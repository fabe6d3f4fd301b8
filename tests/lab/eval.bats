#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# eval.bats - the walk never evaluates what it does not model; a kube-proxy Service is a choice among endpoints.
#
#   cli eth0 10.1.0.1 --- c0 10.1.0.254 ┐
#                                      node (ip_forward; nat: 10.96.0.10:80 -> KUBE-SVC-EV,
#   ep1 eth0 10.2.1.2 --- e1 10.2.1.1 ──┤       statistic 1/3, 1/2, rest -> KUBE-SEP-EV1..3 DNAT :8080)
#   ep2 eth0 10.2.2.2 --- e2 10.2.2.1 ──┤
#   ep3 eth0 10.2.3.2 --- e3 10.2.3.1 ──┘   each endpoint: busybox httpd on 8080 answering "epN"

load lib.bash

VIP=10.96.0.10

setup()
{
	lab_require_root
	NSTRACE=${NSTRACE:-${NSMAP_BUILD:-build}/nstrace}
	lab_require_exec "$NSTRACE" || return 1
	lab_require_exec "$(command -v iptables-nft-restore)" || return 1
	lab_require_exec "$(command -v busybox)" || return 1
	LAB_PREFIX=ev$$x
}

teardown()
{
	# the listeners run under nsenter: the recorded pid is not always theirs
	pkill -f "busybox httpd -f -p 8080 -h $BATS_TEST_TMPDIR/" 2>/dev/null || true
	lab_cleanup
}

# veth NS_A IF_A NS_B IF_B ADDR_A/24 ADDR_B/24
veth()
{
	ip link add "$2" netns "$LAB_PREFIX$1" type veth peer name "$4" netns "$LAB_PREFIX$3"
	ip -n "$LAB_PREFIX$1" addr add "$5" dev "$2"
	ip -n "$LAB_PREFIX$3" addr add "$6" dev "$4"
	ip -n "$LAB_PREFIX$1" link set "$2" up
	ip -n "$LAB_PREFIX$3" link set "$4" up
}

topology()
{
	local i
	lab_ns node
	lab_ns cli
	veth cli eth0 node c0 10.1.0.1/24 10.1.0.254/24
	ip -n "${LAB_PREFIX}cli" route add default via 10.1.0.254
	for i in 1 2 3; do
		lab_ns "ep$i"
		veth "ep$i" eth0 node "e$i" "10.2.$i.2/24" "10.2.$i.1/24"
		ip -n "${LAB_PREFIX}ep$i" route add default via "10.2.$i.1"
		mkdir -p "$BATS_TEST_TMPDIR/ep$i"
		echo "ep$i" >"$BATS_TEST_TMPDIR/ep$i/index.html"
		lab_bg lab_nsenter "ep$i" busybox httpd -f -p 8080 -h "$BATS_TEST_TMPDIR/ep$i"
	done
	lab_sysctl node net.ipv4.ip_forward 1
}

# kube-proxy's iptables shape (iptables-nft), written by this test.
service_rules()
{
	lab_nsenter node iptables-nft-restore <<-RULES
	*nat
	:PREROUTING ACCEPT [0:0]
	:KUBE-SVC-EV - [0:0]
	:KUBE-SEP-EV1 - [0:0]
	:KUBE-SEP-EV2 - [0:0]
	:KUBE-SEP-EV3 - [0:0]
	-A PREROUTING -d $VIP/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-EV
	-A KUBE-SVC-EV -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-EV1
	-A KUBE-SVC-EV -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-EV2
	-A KUBE-SVC-EV -j KUBE-SEP-EV3
	-A KUBE-SEP-EV1 -p tcp -m tcp -j DNAT --to-destination 10.2.1.2:8080
	-A KUBE-SEP-EV2 -p tcp -m tcp -j DNAT --to-destination 10.2.2.2:8080
	-A KUBE-SEP-EV3 -p tcp -m tcp -j DNAT --to-destination 10.2.3.2:8080
	COMMIT
	RULES
}

# http NS ADDR PORT: the body of one HTTP GET (busybox nc; its wget is not needed).
http()
{
	printf 'GET / HTTP/1.0\r\n\r\n' | lab_nsenter "$1" busybox nc -w 2 "$2" "$3" 2>/dev/null |
		tail -n 1
}

get()
{
	http cli "$VIP" 80
}

@test "a Service VIP: --simulate lists its 3 endpoints, the kernel reaches only those, at least 2" {
	local out seen i r
	topology
	service_rules
	for i in 1 2 3; do
		lab_wait_for http "ep$i" 127.0.0.1 8080
	done
	out=$("$NSTRACE" "$VIP" from "${LAB_PREFIX}cli" proto tcp port 80 --simulate -j) || true
	echo "$out" >&2
	[ "$(jq '[.hops[].nat.alternatives // empty | .[]] | length' <<<"$out")" -eq 3 ]
	for i in 1 2 3; do
		jq -e --arg a "10.2.$i.2" '[.hops[].nat.alternatives // empty | .[] |
			select(.addr == $a and .port == 8080 and .probability > 0.33 and
			       .probability < 0.34)] | length == 1' <<<"$out"
	done
	out=$("$NSTRACE" "$VIP" from "${LAB_PREFIX}cli" proto tcp port 80 --simulate)
	[[ "$out" == *"DNAT to one of 3 endpoints: 10.2.1.2:8080 (33.3 %)"* ]]
	# The kernel: 30 connections reach at least two endpoints and nothing else.
	seen=""
	for i in $(seq 30); do
		r=$(get) || true
		echo "got: $r" >&2
		[[ "$r" =~ ^ep[123]$ ]]
		[[ " $seen " == *" $r "* ]] || seen="$seen $r"
	done
	[ "$(wc -w <<<"$seen")" -ge 2 ]
	# A live trace reaches one endpoint and says which the kernel picked.
	out=$("$NSTRACE" "$VIP" from "${LAB_PREFIX}cli" proto tcp port 80 -j --timeout 3) || true
	echo "$out" >&2
	jq -e '[.hops[].nat.rule // empty |
		select(test("^the kernel picked 10[.]2[.][123][.]2:8080 [(]33[.]3 %[)], one of 3"))] |
		length >= 1' <<<"$out"
}

@test "a rule nsmap does not model (-m limit) before a DROP policy: --simulate says undetermined, names it, no fix" {
	local out
	topology
	lab_nsenter node iptables-nft-restore <<-RULES
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD DROP [0:0]
	:OUTPUT ACCEPT [0:0]
	-A FORWARD -m limit --limit 1/hour --limit-burst 1 -j ACCEPT
	COMMIT
	RULES
	out=$("$NSTRACE" 10.2.1.2 from "${LAB_PREFIX}cli" proto tcp port 8080 --simulate -j) || true
	echo "$out" >&2
	[ "$(jq -r .verdict <<<"$out")" = undetermined ]
	[ "$(jq -r '.diagnosis[0].code' <<<"$out")" = RULE_UNDETERMINED ]
	[[ "$(jq -r '.diagnosis[0].evidence' <<<"$out")" == *limit*1/hour* ]]
	[ "$(jq -r '.diagnosis[0].fix' <<<"$out")" = "" ]
	# The kernel decides by the rule's own state: its one token goes to the echo request,
	# the reply meets the DROP policy; the same rule without the limit lets the ping through.
	run lab_ping cli 10.2.1.2
	[ "$status" -ne 0 ]
	lab_nsenter node iptables-nft -R FORWARD 1 -j ACCEPT
	lab_ping cli 10.2.1.2
}
