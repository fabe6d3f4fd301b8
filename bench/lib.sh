# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib.sh - shared by bench/run.sh and bench/profile.sh: build and remove the benchmark's N namespaces.
#
# The sourcing script sets P (name prefix of its namespaces, e.g. "nsmb<pid>x") and TMP
# (a private temporary directory) first.
#   bench_build N    a namespace ${P}h with a bridge br0 (10.200.255.254/16) and N namespaces
#                    ${P}<i>, each with a veth eth0 (10.200.x.y/16, default route via br0)
#                    whose peer v<i> is a port of br0
#   bench_destroy    delete every ${P}* namespace

die() { echo "bench: $*" >&2; exit 1; }
calc() { awk "BEGIN { print $* }"; }

# bench_destroy: delete every ${P}* namespace with one `ip -batch`.
bench_destroy()
{
	local f
	for f in /run/netns/"$P"*; do
		[ -e "$f" ] && echo "netns del ${f#/run/netns/}"
	done | ip -force -batch - 2>/dev/null
	return 0
}

# bench_build N: the host namespace ${P}h with br0 and N namespaces ${P}<i>.
bench_build()
{
	local n=$1 i

	{
		echo "netns add ${P}h"
		for ((i = 1; i <= n; i++)); do
			echo "netns add ${P}$i"
		done
	} | ip -batch - || return 1
	{
		echo "link set lo up"
		echo "link add br0 type bridge"
		echo "link set br0 up"
		echo "addr add 10.200.255.254/16 dev br0"
		for ((i = 1; i <= n; i++)); do
			echo "link add v$i type veth peer name eth0 netns ${P}$i"
			echo "link set v$i master br0"
			echo "link set v$i up"
		done
	} | ip -n "${P}h" -batch - || return 1
	# Addresses and routes need one `ip` per namespace (batch lines cannot switch
	# namespace, and moving a device flushes them, so they cannot be set before):
	# write one batch file each and run them on every CPU.
	mkdir -p "$TMP/b"
	for ((i = 1; i <= n; i++)); do
		printf 'link set lo up\nlink set eth0 up\naddr add 10.200.%d.%d/16 dev eth0\nroute add default via 10.200.255.254 dev eth0\n' \
			$((i / 250)) $((i % 250 + 1)) >"$TMP/b/$i"
	done
	seq 1 "$n" | xargs -P "$(($(nproc) * 2))" -I{} ip -n "${P}{}" -batch "$TMP/b/{}" || return 1
	rm -rf "$TMP/b"
}
