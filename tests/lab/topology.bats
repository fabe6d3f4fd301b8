#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# topology.bats - nsmap's JSON for the blog's lab must match what `ip -j` says in every lab namespace.
#
# The topology (drawing and address plan in lib.bash) is built once for the file, nsmap's
# snapshot of it is taken once, and each test compares one aspect against iproute2, one
# line per link/address/route ("ok ..." / "FAIL ...: expected .., got ..").

load lib

NSMAP=${NSMAP_BUILD:-build}/nsmap

setup_file()
{
	# bats 1.8 cannot skip from setup_file: build only when possible, and let
	# setup() skip (or fail, in CI) every test otherwise.
	lab_can_run iptables-nft || return 0
	lab_blog_topology
	"$NSMAP" -T json -n "${LAB_PREFIX}*" >"$BATS_FILE_TMPDIR/snap.json" \
		2>"$BATS_FILE_TMPDIR/snap.err"
	echo $? >"$BATS_FILE_TMPDIR/snap.rc"
}

setup()
{
	lab_require_root iptables-nft
}

teardown_file()
{
	lab_cleanup
}

SNAP() { echo "$BATS_FILE_TMPDIR/snap.json"; }

# nsj NS FILTER: jq FILTER applied to namespace NS (full name) of the snapshot.
nsj()
{
	jq -r --arg n "$1" ".namespaces[] | select((.names // []) | index(\$n)) | $2" "$(SNAP)"
}

@test "the lab works: ns1 and ns2 reach 203.0.113.8 through MASQUERADE" {
	lab_ping "$LAB_NS1" 203.0.113.8
	lab_ping "$LAB_NS2" 203.0.113.8
	# and only through NAT: the internet has no route back to 10.0.0.0/24
	run ip -n "$LAB_INET" route get 10.0.0.1
	[ "$status" -ne 0 ]
}

@test "nsmap -T json exits 0 and shows exactly the four lab namespaces" {
	cat "$BATS_FILE_TMPDIR/snap.err"
	lab_check "exit status" 0 "$(cat "$BATS_FILE_TMPDIR/snap.rc")"
	lab_check "schema" nsmap.snapshot/1 "$(jq -r .schema "$(SNAP)")"
	lab_check "namespaces" \
		"$(printf '%s\n' "$LAB_HOST" "$LAB_INET" "$LAB_NS1" "$LAB_NS2" | sort | xargs)" \
		"$(jq -r '.namespaces[].names[]' "$(SNAP)" | sort | xargs)"
	for ns in "$LAB_HOST" "$LAB_INET" "$LAB_NS1" "$LAB_NS2"; do
		lab_check "$ns id is net:<inode>" "net:$(stat -L -c %i "/run/netns/$ns")" "$(nsj "$ns" .id)"
		lab_check "$ns label" "$ns" "$(nsj "$ns" .label)"
	done
	lab_check_done
}

@test "links: ifname, kind, state, mtu, mac, master, flags match ip -d -j link" {
	local ns ifn exp
	for ns in "$LAB_HOST" "$LAB_INET" "$LAB_NS1" "$LAB_NS2"; do
		lab_check "$ns link names" \
			"$(ip -j -n "$ns" link show | jq -r '.[].ifname' | sort | xargs)" \
			"$(nsj "$ns" '.links[].ifname' | sort | xargs)"
		while IFS=$'\t' read -r ifn exp; do
			lab_check "$ns $ifn" "$exp" "$(nsj "$ns" ".links[] | select(.ifname == \"$ifn\") |
				[(.kind // \"-\"), .state, .mtu, (.address // \"-\"), (.master // \"-\"),
				 ((.flags // []) | sort | join(\",\"))] | join(\" \")")"
		done < <(ip -d -j -n "$ns" link show | jq -r '.[] | [.ifname,
			([(.linkinfo.info_kind // (if .link_type == "loopback" then "loopback" else "device" end)),
			  .operstate, .mtu, (.address // "-"), (.master // "-"),
			  (.flags | sort | join(","))] | join(" "))] | @tsv')
	done
	lab_check_done
}

# ip_peer NS IFNAME: "PEERNS:PEERIFNAME" of a veth, from ip's link_index/link_netnsid and netns list-id.
ip_peer()
{
	local l idx nsid pns
	l=$(ip -j -n "$1" link show dev "$2")
	idx=$(jq -r '.[0].link_index // empty' <<<"$l")
	nsid=$(jq -r '.[0].link_netnsid // empty' <<<"$l")
	if [ -z "$nsid" ]; then
		echo "$1:$(jq -r '.[0].link' <<<"$l")"
		return
	fi
	pns=$(ip -j -n "$1" netns list-id | jq -r --argjson i "$nsid" '.[] | select(.nsid == $i) | .name')
	echo "$pns:$(ip -j -n "$pns" link show | jq -r --argjson i "$idx" '.[] | select(.ifindex == $i) | .ifname')"
}

@test "veth peers: every pair resolved to the right namespace and ifname" {
	local ns ifn pid
	for ns in "$LAB_HOST" "$LAB_INET" "$LAB_NS1" "$LAB_NS2"; do
		for ifn in $(ip -d -j -n "$ns" link show type veth | jq -r '.[].ifname'); do
			pid=$(nsj "$ns" ".links[] | select(.ifname == \"$ifn\") | .peer.netns // \"-\"")
			lab_check "$ns $ifn peer" "$(ip_peer "$ns" "$ifn")" \
				"$(jq -r --arg id "$pid" '.namespaces[] | select(.id == $id) | .names[0]' "$(SNAP)"):$(nsj "$ns" ".links[] | select(.ifname == \"$ifn\") | .peer.ifname")"
			lab_check "$ns $ifn peer resolved" true \
				"$(nsj "$ns" ".links[] | select(.ifname == \"$ifn\") | .peer.resolved")"
		done
	done
	# the blog's three cables, spelled out
	lab_check "host eth0 cable" "$LAB_INET:eth0" "$(ip_peer "$LAB_HOST" eth0)"
	lab_check "host veth1-br cable" "$LAB_NS1:veth1" "$(ip_peer "$LAB_HOST" veth1-br)"
	lab_check "host veth2-br cable" "$LAB_NS2:veth2" "$(ip_peer "$LAB_HOST" veth2-br)"
	lab_check_done
}

@test "bridge ports: br0 has exactly veth1-br and veth2-br" {
	local ns br
	for ns in "$LAB_HOST" "$LAB_INET" "$LAB_NS1" "$LAB_NS2"; do
		for br in $(ip -d -j -n "$ns" link show type bridge | jq -r '.[].ifname'); do
			lab_check "$ns $br ports" \
				"$(ip -j -n "$ns" link show master "$br" | jq -r '.[].ifname' | sort | xargs)" \
				"$(nsj "$ns" ".links[] | select(.master == \"$br\") | .ifname" | sort | xargs)"
		done
	done
	lab_check "blog: br0 ports" "veth1-br veth2-br" \
		"$(nsj "$LAB_HOST" '.links[] | select(.master == "br0") | .ifname' | sort | xargs)"
	lab_check_done
}

@test "addresses: every address (family, local/prefixlen, scope, label) matches ip -j addr" {
	local ns
	for ns in "$LAB_HOST" "$LAB_INET" "$LAB_NS1" "$LAB_NS2"; do
		ip -j -n "$ns" addr show | jq -r '.[] | .ifname as $i | .addr_info[] |
			[$i, .family, "\(.local)/\(.prefixlen)", .scope, (."label" // "-"), (.address // "-")] | join(" ")' |
			sort >"$BATS_TEST_TMPDIR/exp"
		nsj "$ns" '.links[] | .ifname as $i | (.addrs // [])[] |
			[$i, .family, "\(.local)/\(.prefixlen)", .scope, (."label" // "-"), (.address // "-")] | join(" ")' |
			sort >"$BATS_TEST_TMPDIR/act"
		lab_check_lines "$ns addr" "$BATS_TEST_TMPDIR/exp" "$BATS_TEST_TMPDIR/act"
	done
	lab_check_done
}

@test "routes: every route of every table (dst, gateway, dev, table, type, protocol, scope, metric) matches ip -j route" {
	local ns fam
	# normalise: ip omits table main, type unicast, protocol boot, scope universe, metric 0
	local norm='[.family, (.table // "main" | tostring), (.type // "unicast"), .dst, (.gateway // "-"),
		(.dev // "-"), (.protocol // "boot" | tostring),
		(.scope // "global" | if . == "universe" then "global" else . end), (.metric // 0 | tostring)] | join(" ")'
	for ns in "$LAB_HOST" "$LAB_INET" "$LAB_NS1" "$LAB_NS2"; do
		for fam in inet inet6; do
			ip -j -n "$ns" -f "$fam" route show table all |
				jq -r --arg f "$fam" ".[] | .family = \$f | $norm"
		done | sort >"$BATS_TEST_TMPDIR/exp"
		nsj "$ns" "(.routes // [])[] | select(.family == \"inet\" or .family == \"inet6\") | $norm" |
			sort >"$BATS_TEST_TMPDIR/act"
		lab_check_lines "$ns route" "$BATS_TEST_TMPDIR/exp" "$BATS_TEST_TMPDIR/act"
	done
	lab_check "blog: ns1 default route" "default via 10.0.0.254 dev veth1" \
		"$(nsj "$LAB_NS1" '.routes[] | select(.dst == "default" and .family == "inet") | "default via \(.gateway) dev \(.dev)"')"
	lab_check_done
}

@test "sysctl: ip_forward of every namespace matches /proc/sys" {
	local ns
	for ns in "$LAB_HOST" "$LAB_INET" "$LAB_NS1" "$LAB_NS2"; do
		lab_check "$ns ip_forward" "$(lab_nsenter "$ns" cat /proc/sys/net/ipv4/ip_forward)" \
			"$(nsj "$ns" .sysctl.ip_forward)"
	done
	lab_check "blog: host forwards" 1 "$(nsj "$LAB_HOST" .sysctl.ip_forward)"
	lab_check_done
}
