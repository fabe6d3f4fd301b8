#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - `make bench`: time nsmap's collection, rendering and nstrace against baselines measured in the same run.
#
# Usage: bench/run.sh [N...]        (default: 100 1000)
#   NSMAP_BUILD=build   where nsmap, nstrace and bench-baseline are
#   BENCH_RUNS=3        runs per figure (the median is printed)
#   BENCH_RENDER="20 200"   container counts of the rendering figures ('' skips them)
#   BENCH_TRACE=1       nstrace figures on the largest N (0 skips them)
#
# Three parts, each timed against a baseline measured in the same run. Ratios are
# printed, never asserted: on a shared 2-CPU box absolute times carry a lot of noise.
#
# 1. Rendering (no namespaces needed). For each C in BENCH_RENDER a snapshot of a Docker
#    host with C containers (scripts/gen-fixture-docker.sh C), then
#      nsmap --from F -T dot      the DOT text nsmap produces
#      nsmap --from F -o x.svg    parse, layout, SVG      vs  dot -Tsvg on that DOT
#      nsmap --from F -o x.png    parse, layout, PNG      vs  dot -Tpng on that DOT
#    PNG figures at >= 100 containers are run once (each takes several seconds).
# 2. Collection. For each N it builds, in throwaway namespaces named nsmb<pid>x*, a host
#    namespace with a bridge br0 (10.200.255.254/16) and N namespaces, each with a veth
#    eth0 whose peer is a port of br0, an address 10.200.x.y/16 and a default route via
#    br0. Then:
#      nsmap     $NSMAP_BUILD/nsmap -T json -n 'PREFIX*'     (full collection, N+1 namespaces)
#      baseline  $NSMAP_BUILD/bench-baseline PREFIX           (open, setns, dump link/addr/route)
#      ip -all   ip -all netns exec ip -j link                (EVERY name in /run/netns, not only
#                ours: on a shared box other labs' namespaces are counted too; printed below)
# 3. Tracing, on the largest N, before its namespaces are removed: the blog's lab
#    (tests/lab/lib.bash lab_blog_topology, prefix nsmb<pid>l) is added next to the bench
#    namespaces, then
#      nstrace 203.0.113.8 from LAB_NS1 --simulate   vs  nsmap -T json (whole host, same view)
#      nstrace 203.0.113.8 from LAB_NS1 (live)       vs  ping -c1 203.0.113.8 in LAB_NS1
#    Both nstrace and the unfiltered nsmap read every namespace of the host.
# Each run is wrapped in GNU time (/usr/bin/time, Debian package "time") for the peak RSS
# (%M, the largest of the runs) and the CPU time (%U + %S, the median; less sensitive to
# other load than the wall time); the wall time is taken around it (EPOCHREALTIME), so it
# includes ~1 ms of fork+exec of time itself. Everything is removed on exit, signals
# included.
set -u

NSMAP_BUILD=${NSMAP_BUILD:-build}
RUNS=${BENCH_RUNS:-3}
RENDER=${BENCH_RENDER-20 200}
TRACE=${BENCH_TRACE:-1}
P="nsmb$$x"
NSMAP=$NSMAP_BUILD/nsmap
NSTRACE=$NSMAP_BUILD/nstrace
BASE=$NSMAP_BUILD/bench-baseline
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/nsmap-bench.XXXXXX)
DST=203.0.113.8

# The blog lab: its own prefix, which the bench's "${P}*" glob does not match.
# shellcheck disable=SC2034 # read by tests/lab/lib.bash
LAB_PREFIX="nsmb$$l"
# shellcheck source=../tests/lab/lib.bash
. "$HERE/../tests/lab/lib.bash"

# shellcheck source=lib.sh
. "$HERE/lib.sh"

bench_cleanup()
{
	lab_cleanup
	bench_destroy
	rm -rf "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || die "needs root (it creates network namespaces)"
[ -x "$NSMAP" ] || die "$NSMAP missing: run make all"
[ -x "$NSTRACE" ] || die "$NSTRACE missing: run make all"
[ -x "$BASE" ] || die "$BASE missing: run make $BASE"
# Private copies: a concurrent `make` relinking build/ must not break a run halfway.
mkdir -p "$TMP/bin" && cp "$NSMAP" "$NSTRACE" "$BASE" "$TMP/bin/" || die "cannot copy the binaries"
NSMAP=$TMP/bin/nsmap
NSTRACE=$TMP/bin/nstrace
BASE=$TMP/bin/bench-baseline
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"
command -v jq >/dev/null || die "jq missing"
command -v python3 >/dev/null || die "python3 missing (scripts/gen-fixture-docker.sh)"
command -v dot >/dev/null || die "dot missing: apt-get install graphviz"

# bench_run RUNS CMD...: run CMD (stdout discarded) RUNS times under GNU time. Sets
# R_T (median wall time, s), R_C (median user+sys CPU time of CMD and its children, s;
# 10 ms resolution), R_M (largest peak RSS, MB), R_RC (last exit status) and R_FAIL
# (how many runs exited non-zero).
bench_run()
{
	local runs=$1 r t0 t1 m u s mmax=0 times=() cpus=()

	shift
	R_FAIL=0
	for ((r = 0; r < runs; r++)); do
		t0=$EPOCHREALTIME
		/usr/bin/time -f '%M %U %S' -o "$TMP/rss" "$@" >/dev/null 2>>"$TMP/stderr"
		R_RC=$?
		t1=$EPOCHREALTIME
		if [ "$R_RC" -ne 0 ]; then
			echo "bench: '$*' exited with $R_RC" >>"$TMP/stderr"
			R_FAIL=$((R_FAIL + 1))
		fi
		times+=("$(calc "$t1 - $t0")")
		read -r m u s <<<"$(tail -1 "$TMP/rss")"
		cpus+=("$(calc "${u:-0} + ${s:-0}")")
		[[ "$m" =~ ^[0-9]+$ ]] && [ "$m" -gt "$mmax" ] && mmax=$m
	done
	R_T=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
	R_C=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
	R_M=$(calc "$mmax / 1024")
}

# row LABEL [NOTE]: one result line from R_T, R_C and R_M (flagged when a run failed
# where success is expected, i.e. when NOTE does not already show the exit status).
row()
{
	local note=${2:-}

	[ "$R_FAIL" -gt 0 ] && [[ "$note" != *exit* ]] && note+=" [$R_FAIL run(s) FAILED, see below]"
	printf '  %-44s %7.3f s  cpu %6.2f s  peak RSS %6.1f MB%s\n' "$1" "$R_T" "$R_C" "$R_M" \
		"${note:+  $note}"
}

ratio() { calc "$1 / $2"; }

echo "nsmap benchmark: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(free -g | awk '/^Mem:/ { print $2 }') GB RAM"
echo "$(ip -V), $(dot -V 2>&1)"
echo "runs per figure: $RUNS (median); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# --- 1. rendering -------------------------------------------------------------------------
for c in $RENDER; do
	[[ "$c" =~ ^[0-9]+$ ]] && [ "$c" -ge 1 ] || die "BENCH_RENDER: '$c' is not a count"
	f=$TMP/docker$c.json
	"$HERE/../scripts/gen-fixture-docker.sh" "$c" >"$f" || die "gen-fixture-docker.sh $c failed"
	"$NSMAP" --from "$f" -T dot >"$TMP/docker$c.dot" || die "nsmap --from $f -T dot failed"
	pruns=$RUNS
	[ "$c" -ge 100 ] && pruns=1
	printf '== rendering, %d containers (%d namespaces, %d KB snapshot, %d KB DOT)\n' "$c" \
		"$(jq '.namespaces | length' "$f")" $(($(stat -c %s "$f") / 1024)) \
		$(($(stat -c %s "$TMP/docker$c.dot") / 1024))
	bench_run "$RUNS" "$NSMAP" --from "$f" -T dot
	row "nsmap --from F -T dot"
	bench_run "$RUNS" "$NSMAP" --from "$f" -o "$TMP/x.svg"
	t_svg=$R_T
	row "nsmap --from F -o x.svg"
	bench_run "$RUNS" dot -Tsvg "$TMP/docker$c.dot"
	t_dsvg=$R_T
	row "dot -Tsvg (nsmap's DOT)"
	bench_run "$pruns" "$NSMAP" --from "$f" -o "$TMP/x.png"
	t_png=$R_T
	row "nsmap --from F -o x.png" "($pruns run(s))"
	bench_run "$pruns" dot -Tpng "$TMP/docker$c.dot"
	t_dpng=$R_T
	row "dot -Tpng (nsmap's DOT)" "($pruns run(s))"
	printf '  ratio svg nsmap/dot %.2fx, png nsmap/dot %.2fx\n\n' \
		"$(ratio "$t_svg" "$t_dsvg")" "$(ratio "$t_png" "$t_dpng")"
	rm -f "$TMP/x.svg" "$TMP/x.png"
done

# --- 3. tracing (called on the largest N, with its namespaces still present) ---------------
bench_trace()
{
	local n=$1 all t_json t_sim t_live t_ping ping=(ping -n -q -c1 -W1)

	command -v ping >/dev/null || ping=(busybox ping -q -c1 -W1)
	lab_blog_topology || { echo "bench: building the blog lab failed; no trace figures" >&2; return 1; }
	# One probe first, so that ARP and the bridge's FDB are warm for every later run.
	nsenter --net="/run/netns/$LAB_NS1" "${ping[@]}" "$DST" >/dev/null 2>&1 ||
		echo "bench: the blog lab does not answer a ping" >&2
	all=$(find /run/netns -mindepth 1 -maxdepth 1 | wc -l)
	printf '== tracing on the N=%d host: %d bench + 4 lab namespaces; /run/netns holds %d\n' \
		"$n" $((n + 1)) "$all"
	bench_run "$RUNS" "$NSMAP" -T json
	t_json=$R_T
	row "nsmap -T json (whole host)"
	bench_run "$RUNS" "$NSTRACE" "$DST" from "$LAB_NS1" --simulate
	t_sim=$R_T
	row "nstrace $DST from ns1 --simulate" "(exit $R_RC)"
	bench_run "$RUNS" nsenter --net="/run/netns/$LAB_NS1" "${ping[@]}" "$DST"
	t_ping=$R_T
	row "ping -c1 $DST in ns1" "(exit $R_RC)"
	bench_run "$RUNS" "$NSTRACE" "$DST" from "$LAB_NS1"
	t_live=$R_T
	row "nstrace $DST from ns1 (live)" "(exit $R_RC)"
	printf '  ratio simulate/nsmap-json %.2fx, live/simulate %.2fx, live/ping %.1fx\n\n' \
		"$(ratio "$t_sim" "$t_json")" "$(ratio "$t_live" "$t_sim")" "$(ratio "$t_live" "$t_ping")"
	lab_cleanup
}

# --- 2. collection --------------------------------------------------------------------------
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)
nmax=0
for n in "${sizes[@]}"; do
	if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 1020 ]; then
		die "N must be 1..1020 (a bridge has at most 1024 ports)"
	fi
	[ "$n" -gt "$nmax" ] && nmax=$n
done
for n in "${sizes[@]}"; do
	t0=$EPOCHREALTIME
	bench_build "$n" || die "building $n namespaces failed"
	tb=$(calc "$EPOCHREALTIME - $t0")
	seen=$("$NSMAP" -T json -n "${P}*" 2>/dev/null | jq '.namespaces | length')
	all=$(find /run/netns -mindepth 1 -maxdepth 1 | wc -l)

	printf '== collection, N=%d: %d lab namespaces (built in %.2f s); nsmap saw %s; /run/netns holds %d\n' \
		"$n" $((n + 1)) "$tb" "${seen:-?}" "$all"
	bench_run "$RUNS" "$NSMAP" -T json -n "${P}*"
	t_nsmap=$R_T
	c_nsmap=$R_C
	m_nsmap=$R_M
	row "nsmap -T json -n '${P}*'"
	bench_run "$RUNS" "$BASE" "$P"
	t_base=$R_T
	c_base=$R_C
	row "bench-baseline (rtnetlink dumps)"
	bench_run 1 ip -all netns exec ip -j link
	t_ipall=$R_T
	row "ip -all netns exec ip -j link" "($all namespaces, 1 run)"
	printf '  ratio nsmap/baseline %.2fx (target <= 2.5x; cpu %.1fx), nsmap/ip-all %.3fx\n' \
		"$(ratio "$t_nsmap" "$t_base")" "$(calc "$c_nsmap / ($c_base > 0 ? $c_base : 0.01)")" \
		"$(ratio "$t_nsmap" "$t_ipall")"
	if [ "$n" -ge 1000 ]; then
		ok=$(calc "($t_nsmap < 0.5 && $t_nsmap / $t_base <= 2.5 && $m_nsmap < 100)")
		[ "$ok" = 1 ] && echo "  targets met (< 0.5 s, <= 2.5x baseline, < 100 MB)" ||
			echo "  TARGETS MISSED (< 0.5 s, <= 2.5x baseline, < 100 MB)"
	fi
	echo
	if [ "$TRACE" = 1 ] && [ "$n" -eq "$nmax" ]; then
		bench_trace "$n"
		nmax=-1	# once, even if N is given twice
	fi
	bench_destroy
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -s "$TMP/stderr" ]; then
	echo "stderr of the measured commands (first lines):"
	sort "$TMP/stderr" | uniq -c | sort -rn | head -5
fi
exit 0
