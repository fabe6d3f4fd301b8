#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - `make bench`: time nsmap's collection on N namespaces against a raw rtnetlink baseline and `ip -all netns exec`.
#
# Usage: bench/run.sh [N...]        (default: 100 1000; NSMAP_BUILD=build, BENCH_RUNS=3)
#
# For each N it builds, in throwaway namespaces named nsmb<pid>x*, a host namespace with a
# bridge br0 (10.200.255.254/16) and N namespaces, each with a veth eth0 whose peer is a
# port of br0, an address 10.200.x.y/16 and a default route via br0. Then, in the same run:
#   nsmap     $NSMAP_BUILD/nsmap -T json -n 'PREFIX*'     (full collection, N+1 namespaces)
#   baseline  $NSMAP_BUILD/bench-baseline PREFIX           (open, setns, dump link/addr/route)
#   ip -all   ip -all netns exec ip -j link                (EVERY name in /run/netns, not only
#             ours: on a shared box other labs' namespaces are counted too; printed below)
# Wall times are the median of BENCH_RUNS runs; peak RSS comes from GNU time
# (/usr/bin/time, Debian package "time"). Everything is removed on exit, signals included.
set -u

NSMAP_BUILD=${NSMAP_BUILD:-build}
RUNS=${BENCH_RUNS:-3}
P="nsmb$$x"
NSMAP=$NSMAP_BUILD/nsmap
BASE=$NSMAP_BUILD/bench-baseline
TMP=$(mktemp -d /tmp/nsmap-bench.XXXXXX)

die() { echo "bench: $*" >&2; exit 1; }
calc() { awk "BEGIN { print $* }"; }

# bench_destroy: delete every namespace of this run with one `ip -batch`.
bench_destroy()
{
	local f
	for f in /run/netns/"$P"*; do
		[ -e "$f" ] && echo "netns del ${f#/run/netns/}"
	done | ip -force -batch - 2>/dev/null
	return 0
}

bench_cleanup()
{
	bench_destroy
	rm -rf "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || die "needs root (it creates network namespaces)"
[ -x "$NSMAP" ] || die "$NSMAP missing: run make all"
[ -x "$BASE" ] || die "$BASE missing: run make $BASE"
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"
command -v jq >/dev/null || die "jq missing"

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

# bench_time CMD...: run CMD (stdout discarded) RUNS times, print the median wall time in seconds.
bench_time()
{
	local r t0 t1 times=()

	for ((r = 0; r < RUNS; r++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>>"$TMP/stderr" || echo "bench: '$*' failed" >&2
		t1=$EPOCHREALTIME
		times+=("$(calc "$t1 - $t0")")
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

# bench_rss CMD...: peak resident set size of one run of CMD, in MB.
bench_rss()
{
	/usr/bin/time -f '%M' -o "$TMP/rss" "$@" >/dev/null 2>>"$TMP/stderr"
	calc "$(tail -1 "$TMP/rss") / 1024"
}

echo "nsmap benchmark: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
echo "runs per figure: $RUNS (median)"
echo

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)
for n in "${sizes[@]}"; do
	if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 1020 ]; then
		die "N must be 1..1020 (a bridge has at most 1024 ports)"
	fi
	t0=$EPOCHREALTIME
	bench_build "$n" || die "building $n namespaces failed"
	tb=$(calc "$EPOCHREALTIME - $t0")
	seen=$("$NSMAP" -T json -n "${P}*" 2>/dev/null | jq '.namespaces | length')
	all=$(find /run/netns -mindepth 1 -maxdepth 1 | wc -l)

	t_nsmap=$(bench_time "$NSMAP" -T json -n "${P}*")
	t_base=$(bench_time "$BASE" "$P")
	t_ipall=$(RUNS=1 bench_time ip -all netns exec ip -j link)
	m_nsmap=$(bench_rss "$NSMAP" -T json -n "${P}*")
	m_base=$(bench_rss "$BASE" "$P")

	printf '== N=%d: %d lab namespaces (built in %.2f s); nsmap saw %s; /run/netns holds %d\n' \
		"$n" $((n + 1)) "$tb" "${seen:-?}" "$all"
	printf '  %-34s %8.3f s  peak RSS %6.1f MB\n' "nsmap -T json -n '${P}*'" "$t_nsmap" "$m_nsmap"
	printf '  %-34s %8.3f s  peak RSS %6.1f MB\n' "bench-baseline (rtnetlink dumps)" "$t_base" "$m_base"
	printf '  %-34s %8.3f s  (%d namespaces, 1 run)\n' "ip -all netns exec ip -j link" "$t_ipall" "$all"
	printf '  ratio nsmap/baseline %.2fx (target <= 2.5x), nsmap/ip-all %.2fx\n' \
		"$(calc "$t_nsmap / $t_base")" "$(calc "$t_nsmap / $t_ipall")"
	if [ "$n" -ge 1000 ]; then
		ok=$(calc "($t_nsmap < 0.5 && $t_nsmap / $t_base <= 2.5 && $m_nsmap < 100)")
		[ "$ok" = 1 ] && echo "  targets met (< 0.5 s, <= 2.5x baseline, < 100 MB)" ||
			echo "  TARGETS MISSED (< 0.5 s, <= 2.5x baseline, < 100 MB)"
	fi
	echo
	bench_destroy
done
if [ -s "$TMP/stderr" ]; then
	echo "stderr of the measured commands (first lines):"
	sort "$TMP/stderr" | uniq -c | sort -rn | head -5
fi
exit 0
