#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# profile.sh - where nsmap's collection time goes: user/sys time, syscall counts and the top symbols on N namespaces.
#
# Usage: bench/profile.sh [N]       (default 1000; NSMAP_BUILD=build)
#
# Builds the same N namespaces as bench/run.sh (prefix nsmp<pid>x, bench/lib.sh), then runs
#   nsmap -T json -n 'PREFIX*'   under GNU time (user, sys, wall, peak RSS),
#                                 under `strace -f -c` (syscall counts and time), and
#                                 under `perf record -g` (top symbols, self time), if perf exists.
# Not part of `make bench`: strace and perf slow nsmap down several times, so their
# output is for proportions only. Everything is removed on exit, signals included.
set -u

NSMAP_BUILD=${NSMAP_BUILD:-build}
N=${1:-1000}
P="nsmp$$x"
NSMAP=$NSMAP_BUILD/nsmap
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/nsmap-prof.XXXXXX)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

trap 'bench_destroy; rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || die "needs root (it creates network namespaces)"
[ -x "$NSMAP" ] || die "$NSMAP missing: run make all"
[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 1020 ] || die "N must be 1..1020"
command -v strace >/dev/null || die "strace missing"

bench_build "$N" || die "building $N namespaces failed"
echo "== $((N + 1)) namespaces, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$NSMAP" -T json -n "${P}*" >/dev/null	# warm the caches once
for _ in 1 2 3; do
	/usr/bin/time -f '  time: %e s wall, %U s user, %S s sys, %M KB peak RSS' \
		"$NSMAP" -T json -n "${P}*" >/dev/null
done
if [ -x "$NSMAP_BUILD/bench-baseline" ]; then
	/usr/bin/time -f '  baseline: %e s wall, %U s user, %S s sys, %M KB peak RSS' \
		"$NSMAP_BUILD/bench-baseline" "$P" >/dev/null
fi
echo "== strace -f -c (top 12 by time)"
strace -f -c -o "$TMP/strace" "$NSMAP" -T json -n "${P}*" >/dev/null
sed -n '1,14p' "$TMP/strace"
grep -E 'total' "$TMP/strace"
if command -v perf >/dev/null; then
	echo "== perf record -g (top 25 symbols, self time)"
	if perf record -q -g -o "$TMP/perf.data" "$NSMAP" -T json -n "${P}*" >/dev/null 2>"$TMP/perf.err"; then
		perf report -i "$TMP/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -25
		echo "== the same by object"
		perf report -i "$TMP/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -10
	else
		echo "  perf record failed: $(head -1 "$TMP/perf.err")"
	fi
fi
exit 0
