# SPDX-License-Identifier: GPL-2.0-or-later
# docker_lib.bash - a private Docker engine inside a lab namespace, and a busybox image for it.
#
# Source after lib.bash. Nothing touches the host's Docker (if any) or its namespace:
#
#   dk_start NS        start dockerd inside lab namespace NS (nsenter --net=, never
#                      `ip netns exec`) with its own data-root, exec-root, socket, pidfile,
#                      cgroup parent and config, vfs storage and iptables on (its rules
#                      land in NS). dockerd 20.10 starts its own containerd under the
#                      exec-root. Exports DK_DIR, DK_SOCK, DK_PID and DOCKER_HOST and
#                      registers dk_cleanup with lab_defer.
#   dk CMD...          the docker client on that socket.
#   dk_image           import the image "nsmaplab/busybox:1": Debian's static busybox
#                      with sh, httpd and sleep links, from a folder (docker import).
#   dk_cleanup         remove the containers and networks, stop dockerd by its pid,
#                      unmount what it left under DK_DIR, remove DK_DIR and the cgroups.
#
#   ${LAB_PREFIX}dk                        ${LAB_PREFIX}up
#  +---------------------------------+    +----------------------+
#  | docker0 172.17.0.1/16           |    |                      |
#  |   web 172.17.0.x  (8080->80)    |    |                      |
#  |   db  172.17.0.y                |    |                      |
#  | br-<id> 172.18.0.1/16 (appnet)  |    |                      |
#  |   api 172.18.0.x                |    |                      |
#  | up0 198.51.100.10/24 -----------+----+ up1 198.51.100.1/24  |
#  | default via 198.51.100.1        |    |                      |
#  +---------------------------------+    +----------------------+

DK_IMAGE=nsmaplab/busybox:1

dk()
{
	docker -H "unix://$DK_SOCK" "$@"
}

dk_start()
{
	local ns cg
	ns=$(_lab_full "$1")

	DK_DIR=$(mktemp -d /tmp/nsmap-dk.XXXXXX) || return 1
	DK_SOCK=$DK_DIR/docker.sock
	DK_CGROUP=nsmaplab-${DK_DIR##*.}
	export DK_DIR DK_SOCK DK_CGROUP DOCKER_HOST="unix://$DK_SOCK"
	lab_defer dk_cleanup
	echo '{}' >"$DK_DIR/daemon.json"
	# setsid: dockerd gets its own session, so stopping it never signals bats
	nsenter --net="/run/netns/$ns" setsid dockerd \
		--config-file "$DK_DIR/daemon.json" \
		--data-root "$DK_DIR/data" \
		--exec-root "$DK_DIR/exec" \
		--pidfile "$DK_DIR/docker.pid" \
		-H "unix://$DK_SOCK" \
		--iptables=true --ip-forward=true --userland-proxy=false \
		--storage-driver=vfs \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent="/$DK_CGROUP" \
		--log-level=warn \
		</dev/null >"$DK_DIR/dockerd.log" 2>&1 3>&- &
	DK_PID=$!
	export DK_PID
	if ! lab_wait_for -t 60 dk version --format '{{.Server.Version}}'; then
		echo "dockerd did not come up:" >&2
		tail -20 "$DK_DIR/dockerd.log" >&2
		return 1
	fi
}

dk_image()
{
	local root=$DK_DIR/rootfs l
	mkdir -p "$root/bin" || return 1
	cp /bin/busybox "$root/bin/busybox" || return 1
	for l in sh httpd sleep; do
		ln -s busybox "$root/bin/$l"
	done
	tar -C "$root" -cf - . | dk import --change 'CMD ["/bin/sh"]' - "$DK_IMAGE" >/dev/null
}

dk_cleanup()
{
	local c pid m i mounts=()

	[ -n "${DK_DIR:-}" ] && [ -d "$DK_DIR" ] || return 0
	if [ -S "$DK_SOCK" ]; then
		for c in $(dk ps -aq 2>/dev/null); do
			dk rm -f "$c" >/dev/null 2>&1
		done
		dk network prune -f >/dev/null 2>&1
	fi
	pid=$(cat "$DK_DIR/docker.pid" 2>/dev/null || echo "${DK_PID:-}")
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	# containerd and shims started by this dockerd: they run from our private dirs
	for pid in $(pgrep -f -- "$DK_DIR/" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null
	done
	# netns bind mounts, vfs layers, shm: everything mounted below DK_DIR, deepest first
	while read -r m; do
		mounts+=("$m")
	done < <(awk -v d="$DK_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	for m in "${mounts[@]}"; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$DK_DIR"
	for c in /sys/fs/cgroup/*/"$DK_CGROUP" /sys/fs/cgroup/"$DK_CGROUP"; do
		[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	DK_DIR=
	return 0
}

# --- helpers for the path tests (docker_path.bats) ---
#
#   dk_uplink NS INET  wire lab namespace NS (dockerd's) to lab namespace INET, the
#                      "internet": NS up0 198.51.100.10/24 with a default route via
#                      INET eth0 198.51.100.1/24, and 203.0.113.8/32 on INET's lo
#                      (a public host; INET has no route to 172.16.0.0/12, so only
#                      MASQUERADEd packets are answered).
#   dk_ip NAME         the container's IPv4 address on its (first) network.
#   dk_netns NAME      the container's network namespace, /proc/PID/ns/net.
#   dk_host_veth NS NAME
#                      the host end of the container's eth0, read with iproute2 in NS.

dk_uplink()
{
	local ns inet
	ns=$(_lab_full "$1")
	inet=$(_lab_full "$2")
	ip link add up0 netns "$ns" type veth peer name eth0 netns "$inet" || return 1
	{
		echo "addr add 198.51.100.10/24 dev up0"
		echo "link set up0 up"
		echo "route add default via 198.51.100.1 dev up0"
	} | ip -n "$ns" -batch - || return 1
	lab_internet "$inet" || return 1
	lab_wait_for _lab_oper_up "$ns" up0
}

dk_ip()
{
	dk inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1" | awk '{ print $1 }'
}

dk_netns()
{
	local pid
	pid=$(dk inspect -f '{{.State.Pid}}' "$1") || return 1
	[ -n "$pid" ] && [ "$pid" != 0 ] || return 1
	echo "/proc/$pid/ns/net"
}

dk_host_veth()
{
	local ns peer
	ns=$(_lab_full "$1")
	peer=$(nsenter --net="$(dk_netns "$2")" ip -j link show eth0 | jq -r '.[0].link_index') || return 1
	ip -n "$ns" -j link show | jq -r --argjson i "$peer" '.[] | select(.ifindex == $i) | .ifname'
}
