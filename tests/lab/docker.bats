#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# docker.bats - a real Docker engine in a lab namespace: nsmap must name every container and wire it right.
#
# dockerd runs inside ${LAB_PREFIX}dk (drawing in docker_lib.bash) with private dirs, so
# docker0 and its iptables rules live in the lab namespace, never in the host's. Two
# containers on docker0 (web publishes 8080->80 with busybox httpd, db sleeps), one (api)
# on the user-defined network "appnet". nsmap's JSON is compared with `docker inspect`
# and `ip -j`, one line per check.

load lib
load docker_lib

NSMAP=${NSMAP_BUILD:-build}/nsmap

setup_file()
{
	lab_require_root dockerd docker iptables-nft busybox setsid
	[ -x "$NSMAP" ] || { echo "no $NSMAP: run make" >&2; return 1; }
	lab_ns dk
	DK_NS=$LAB_LAST_NS
	lab_ns up
	UP_NS=$LAB_LAST_NS
	export DK_NS UP_NS
	ip link add up0 netns "$DK_NS" type veth peer name up1 netns "$UP_NS" || return 1
	ip -n "$DK_NS" addr add 198.51.100.10/24 dev up0
	ip -n "$UP_NS" addr add 198.51.100.1/24 dev up1
	ip -n "$DK_NS" link set up0 up
	ip -n "$UP_NS" link set up1 up
	ip -n "$DK_NS" route add default via 198.51.100.1

	dk_start dk || return 1
	dk_image || return 1
	dk network create appnet >/dev/null || return 1
	dk run -d --name web -p 8080:80 "$DK_IMAGE" /bin/httpd -f -p 80 >/dev/null || return 1
	dk run -d --name db "$DK_IMAGE" /bin/sleep 600 >/dev/null || return 1
	dk run -d --name api --network appnet "$DK_IMAGE" /bin/sleep 600 >/dev/null || return 1

	# the lab namespace and the three containers' namespaces, by inode
	local sel c pid
	sel=$(stat -L -c %i "/run/netns/$DK_NS")
	for c in web db api; do
		pid=$(dk inspect -f '{{.State.Pid}}' "$c")
		sel="$sel,$(stat -L -c %i "/proc/$pid/ns/net")"
	done
	echo "$sel" >"$BATS_FILE_TMPDIR/sel"
	"$NSMAP" -T json -n "$sel" >"$BATS_FILE_TMPDIR/snap.json" 2>"$BATS_FILE_TMPDIR/snap.err"
	echo $? >"$BATS_FILE_TMPDIR/snap.rc"
}

teardown_file()
{
	lab_cleanup
}

SNAP() { echo "$BATS_FILE_TMPDIR/snap.json"; }
SEL() { cat "$BATS_FILE_TMPDIR/sel"; }

# cj NAME FILTER: jq FILTER on the namespace whose container is NAME.
cj()
{
	jq -r --arg n "$1" ".namespaces[] | select(.container.name == \$n) | $2" "$(SNAP)"
}

# hj FILTER: jq FILTER on dockerd's lab namespace.
hj()
{
	jq -r --arg n "$DK_NS" ".namespaces[] | select((.names // []) | index(\$n)) | $1" "$(SNAP)"
}

@test "nsmap reads the Docker lab" {
	cat "$BATS_FILE_TMPDIR/snap.err" >&2
	[ "$(cat "$BATS_FILE_TMPDIR/snap.rc")" = 0 ]
	jq -e '.namespaces | length == 4' "$(SNAP)" >/dev/null
}

@test "every container is found and named like docker inspect says" {
	local c pid id image ino
	for c in web db api; do
		read -r pid id image < <(dk inspect -f '{{.State.Pid}} {{.Id}} {{.Config.Image}}' "$c")
		ino=$(stat -L -c %i "/proc/$pid/ns/net")
		lab_check "$c: namespace inode" "$ino" "$(cj "$c" .inode)"
		lab_check "$c: label" "$c" "$(cj "$c" .label)"
		lab_check "$c: id" "$id" "$(cj "$c" .container.id)"
		lab_check "$c: image" "$image" "$(cj "$c" .container.image)"
		lab_check "$c: runtime" docker "$(cj "$c" .container.runtime)"
	done
	lab_check_done
}

@test "each container's eth0 is paired with the right host veth on the right bridge" {
	local c pid net ip idx peer host_if master want_master netid
	for c in web db api; do
		pid=$(dk inspect -f '{{.State.Pid}}' "$c")
		net=$(dk inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' "$c")
		ip=$(dk inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$c")
		netid=$(dk network inspect -f '{{.Id}}' "$net")
		if [ "$net" = bridge ]; then want_master=docker0; else want_master=br-${netid:0:12}; fi
		# the kernel's view, read with iproute2 inside the container and in dockerd's ns
		peer=$(nsenter --net="/proc/$pid/ns/net" ip -j link show eth0 | jq -r '.[0].link_index')
		host_if=$(ip -n "$DK_NS" -j link show | jq -r --argjson i "$peer" '.[] | select(.ifindex == $i) | .ifname')
		master=$(ip -n "$DK_NS" -j link show "$host_if" | jq -r '.[0].master')
		lab_check "$c: ip says its veth is on $want_master" "$want_master" "$master"

		lab_check "$c: eth0 address" "$ip/16" \
			"$(cj "$c" '.links[] | select(.ifname == "eth0") | .addrs[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')"
		lab_check "$c: eth0 peer namespace" "$(hj .id)" "$(cj "$c" '.links[] | select(.ifname == "eth0") | .peer.netns')"
		lab_check "$c: eth0 peer ifname" "$host_if" "$(cj "$c" '.links[] | select(.ifname == "eth0") | .peer.ifname')"
		lab_check "$c: host veth master" "$want_master" \
			"$(hj ".links[] | select(.ifname == \"$host_if\") | .master")"
		lab_check "$c: host veth peer is $c" "$(cj "$c" .id)" \
			"$(hj ".links[] | select(.ifname == \"$host_if\") | .peer.netns")"
	done
	lab_check_done
}

@test "bridges carry their Docker network names" {
	local netid
	netid=$(dk network inspect -f '{{.Id}}' appnet)
	lab_check "docker0 network" bridge "$(hj '.links[] | select(.ifname == "docker0") | .network')"
	lab_check "br-${netid:0:12} network" appnet \
		"$(hj ".links[] | select(.ifname == \"br-${netid:0:12}\") | .network")"
	lab_check_done
}

@test "published ports match docker inspect" {
	lab_check "web publishes tcp 0.0.0.0:8080 -> 80" "tcp 0.0.0.0 8080 80" \
		"$(cj web '.container.ports[] | select(.host_ip == "0.0.0.0") | "\(.proto) \(.host_ip) \(.host_port) \(.container_port)"')"
	lab_check "db publishes nothing" 0 "$(cj db '.container.ports | length')"
	lab_check_done
}

@test "the picture shows MASQUERADE on the way out and the published port" {
	local dot=$BATS_FILE_TMPDIR/lab.dot
	"$NSMAP" -T dot -n "$(SEL)" >"$dot"
	grep -q -- '172.17.0.0/16 → masquerade via up0' "$dot"
	grep -q -- 'tcp 0.0.0.0:8080 → web:80' "$dot"
	grep -q -- 'uplink (default route)' "$dot"
}

@test "SVG and PNG of the lab are well formed and name every container and interface" {
	local svg=$BATS_FILE_TMPDIR/lab.svg png=$BATS_FILE_TMPDIR/lab.png name
	"$NSMAP" -n "$(SEL)" -o "$svg"
	"$NSMAP" -n "$(SEL)" -o "$png"
	xmllint --noout "$svg"
	[ "$(head -c 4 "$png" | od -An -c | tr -d ' ')" = '211PNG' ]
	for name in web db api docker0 up0 $(jq -r '.namespaces[].links[].ifname' "$(SNAP)" | grep -vx lo); do
		grep -q -- "$(printf '%s' "$name" | sed 's/-/\&#45;/g')" "$svg" || { echo "missing $name" >&2; return 1; }
	done
	if [ -n "${NSMAP_DOCKER_PNG:-}" ]; then
		cp "$png" "$NSMAP_DOCKER_PNG"
	fi
}

@test "the engine does not answer: containers are still found, named from cgroups, within 3 s" {
	local start end
	start=$SECONDS
	DOCKER_HOST=unix:///nonexistent/nsmap.sock "$NSMAP" -T json -n "$(SEL)" >"$BATS_FILE_TMPDIR/nodk.json"
	end=$SECONDS
	[ $((end - start)) -le 3 ]
	# cgroupfs driver: the container id is in /proc/PID/cgroup
	lab_check "web id from the cgroup" "$(dk inspect -f '{{.Id}}' web)" \
		"$(jq -r --arg i "$(cj web .inode)" '.namespaces[] | select((.inode | tostring) == $i) | .container.id' "$BATS_FILE_TMPDIR/nodk.json")"
	lab_check_done
}
