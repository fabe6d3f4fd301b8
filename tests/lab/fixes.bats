#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# fixes.bats - fixes you can paste: the right tool (nft, iptables-legacy), the right kind of
# change (delete a targeted drop, insert before a catch-all, append after a policy), the
# right order; each proven by nstrace before it is printed and, pasted, the kernel reaches.
#
# Every test breaks the blog's lab (lib.bash) in its own namespaces, then checks:
#   1. the fixes nstrace --simulate prints have the expected form;
#   2. each is "verified" (nstrace applied them to a copy of its snapshot and walked again);
#   3. the ping fails before, and works after pasting the fixes in order;
#   4. nstrace then exits 0.

load lib.bash

setup()
{
	lab_require_root nft iptables-legacy jq
	NSTRACE=${NSMAP_BUILD:-build}/nstrace
	lab_require_exec "$NSTRACE" || return 1
}

teardown()
{
	lab_cleanup
}

DEST=203.0.113.8

trace()
{
	TRACE_RC=0
	TRACE=$("$NSTRACE" "$DEST" from "$LAB_NS1" --simulate -j 2>/dev/null) || TRACE_RC=$?
}

ping_ok()
{
	lab_ping ns1 "$DEST" >/dev/null 2>&1
}

ping_gw()
{
	lab_ping ns1 10.0.0.254 >/dev/null 2>&1
}

# fixes: every printed fix, in order, one command per line
fixes()
{
	jq -r '.diagnosis[] | select(.fix != "") | .fix' <<<"$TRACE"
}

# check_pasted WHAT: every fix verified; the kernel drops before, reaches after the paste.
check_pasted()
{
	local what=$1 line

	lab_check "$what: every fix verified" "" \
		"$(jq -r '.diagnosis[] | select(.fix != "") | select(.verified != true)
			| "\(.code): \(.unverified_why)"' <<<"$TRACE")"
	lab_check "$what: ping fails in the broken lab" 1 "$(ping_ok && echo 0 || echo 1)"
	while IFS= read -r line; do
		echo "paste: $line"
		eval "$line" || lab_check "$what: pasted fix runs" 0 1
	done < <(fixes)
	lab_check "$what: ping works after the fixes" 0 \
		"$(lab_wait_for -t 3 ping_ok && echo 0 || echo 1)"
	trace
	lab_check "$what: nstrace exit 0 after the fixes" 0 "$TRACE_RC"
	lab_check_done
}

@test "a native nftables forward chain drops: the fix is nft, in that table and chain" {
	lab_blog_topology --no-fwd-drop
	lab_nsenter "$LAB_HOST" nft -f - <<-'EOF'
		table inet fw {
			chain forward { type filter hook forward priority 0; policy drop; }
		}
	EOF
	trace
	fixes
	lab_check "first cause" FORWARD_DROP "$(jq -r '.diagnosis[0].code' <<<"$TRACE")"
	lab_check "out: nft add rule in inet fw forward" 1 \
		"$(fixes | grep -c 'nft add rule inet fw forward iifname "br0" oifname "eth0" accept$')"
	lab_check "reply: established accept in nft" 1 \
		"$(fixes | grep -c 'nft add rule inet fw forward iifname "eth0" oifname "br0" ct state established,related accept$')"
	lab_check "no iptables fix" 0 "$(fixes | grep -c iptables)"
	check_pasted "native nft"
}

@test "an iptables-legacy FORWARD policy drops: the evidence says legacy, the fix is iptables-legacy" {
	lab_blog_topology --no-fwd-drop
	lab_nsenter "$LAB_HOST" iptables-legacy -P FORWARD DROP
	trace
	fixes
	lab_check "evidence names the legacy table" 1 \
		"$(jq -r '.diagnosis[0].evidence' <<<"$TRACE" | grep -c 'iptables-legacy')"
	lab_check "out: iptables-legacy append" 1 \
		"$(fixes | grep -c 'iptables-legacy -t filter -A FORWARD -i br0 -o eth0 -j ACCEPT$')"
	lab_check "every fix is iptables-legacy" 0 "$(fixes | grep -c ' iptables -')"
	check_pasted "legacy"
}

@test "an explicit DROP of the source: the rule is deleted, no ACCEPT above it" {
	lab_blog_topology
	lab_nsenter "$LAB_HOST" iptables -I FORWARD -s 10.0.0.1/32 -j DROP
	trace
	fixes
	lab_check "the fix deletes that rule" 1 \
		"$(fixes | grep -c 'iptables -t filter -D FORWARD -s 10.0.0.1/32 -j DROP$')"
	lab_check "no ACCEPT inserted" 0 "$(fixes | grep -c 'ACCEPT')"
	check_pasted "explicit drop"
}

@test "a catch-all DROP in DOCKER-USER: an accept for this traffic is inserted before it" {
	lab_blog_topology
	lab_nsenter "$LAB_HOST" iptables -N DOCKER-USER
	lab_nsenter "$LAB_HOST" iptables -I FORWARD -j DOCKER-USER
	lab_nsenter "$LAB_HOST" iptables -A DOCKER-USER -m comment --comment "admin: no traffic" -j DROP
	trace
	fixes
	lab_check "out: inserted at the DROP's place" 1 \
		"$(fixes | grep -c 'iptables -t filter -I DOCKER-USER 1 -i br0 -o eth0 -j ACCEPT$')"
	lab_check "the catch-all is not deleted" 0 "$(fixes | grep -c -- ' -D ')"
	check_pasted "DOCKER-USER catch-all"
}

@test "the uplink is down: LINK_DOWN comes before NO_ROUTE, whose fix then works" {
	lab_blog_topology
	lab_nsenter "$LAB_HOST" ip link set eth0 down
	trace
	fixes
	lab_check "first cause" LINK_DOWN "$(jq -r '.diagnosis[0].code' <<<"$TRACE")"
	lab_check "second cause" NO_ROUTE "$(jq -r '.diagnosis[1].code' <<<"$TRACE")"
	lab_check "the summary does not say it leaves the host" "" \
		"$(jq -r '.summary' <<<"$TRACE" | grep '^leaves the host')"
	check_pasted "uplink down"
}

@test "a fix nsmap cannot prove says so: lo only, the veth it would create is unverified" {
	lab_ns bare
	TRACE_RC=0
	TRACE=$("$NSTRACE" "$DEST" from "$LAB_LAST_NS" --simulate -j 2>/dev/null) || TRACE_RC=$?
	lab_check "cause" PEER_MISSING "$(jq -r '.diagnosis[0].code' <<<"$TRACE")"
	lab_check "verified" false "$(jq -r '.diagnosis[0].verified' <<<"$TRACE")"
	lab_check "says why" 1 \
		"$(jq -r '.diagnosis[0].unverified_why' <<<"$TRACE" | grep -c 'not checked')"
	lab_check "text view says unverified" 1 \
		"$("$NSTRACE" "$DEST" from "$LAB_LAST_NS" --simulate 2>/dev/null | grep -c '^     unverified: ')"
	lab_check_done
}

@test "no SNAT where the host's NAT is native nftables: the MASQUERADE is an nft rule in that chain" {
	lab_blog_topology --no-masq
	lab_nsenter "$LAB_HOST" nft -f - <<-'EOF'
		table ip mynat {
			chain post { type nat hook postrouting priority srcnat; policy accept; }
		}
	EOF
	trace
	fixes
	lab_check "first cause" NO_SNAT "$(jq -r '.diagnosis[0].code' <<<"$TRACE")"
	lab_check "nft masquerade in ip mynat post" 1 \
		"$(fixes | grep -c 'nft add rule ip mynat post ip saddr 10.0.0.0/24 oifname "eth0" masquerade$')"
	check_pasted "native nat"
}

@test "a Docker bridge with no DOCKER chain: dockerd is not managing the firewall, no hand-written MASQUERADE" {
	lab_blog_topology --no-masq --no-fwd-drop
	ip -n "$LAB_HOST" link set br0 down
	ip -n "$LAB_HOST" link set br0 name docker0
	ip -n "$LAB_HOST" link set docker0 up
	lab_wait_for -t 3 ping_gw
	trace
	fixes
	lab_check "first cause" NO_SNAT "$(jq -r '.diagnosis[0].code' <<<"$TRACE")"
	lab_check "the fix names dockerd's setting" 1 "$(fixes | grep -c '"iptables": false')"
	lab_check "no MASQUERADE written behind dockerd's back" 0 "$(fixes | grep -c MASQUERADE)"
	lab_check "unverified, and says why" false "$(jq -r '.diagnosis[0].verified' <<<"$TRACE")"
	lab_check_done
}
