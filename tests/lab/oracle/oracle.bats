#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# oracle.bats - the kernel oracle: random labs from fixed seeds, where the kernel (ping, a TCP
# connect, a UDP echo), `nstrace --simulate` and the live `nstrace` must agree, and where the
# fixes nstrace prints for a probe the kernel does not get through must make it get through.
#
# The generator and the driver are tests/lab/oracle/randlab.py (docs/testing.md). Every lab
# is 2-6 namespaces called or<pid>...s<seed>-<name>; nothing is created or changed in the
# namespace the test runs in, and only private and documentation addresses are used.
#
#   ORACLE_SEEDS="1-500"   another seed list (a soak run: `make soak` is not in the Makefile;
#                          run `ORACLE_SEEDS=1-500 bats tests/lab/oracle/oracle.bats`)
#   ORACLE_JOBS=2          labs run at once (default 2; one per core)
#
# A failure lists, per probe: seed, probe, the three verdicts, nstrace's causes, summary and
# diagnosis, the fixes pasted and what they did; `randlab.py script SEED` prints that lab as
# a shell script.

# [ -z "$(grep …)" ] on purpose: `! grep` does not fail a bats test (errexit ignores `!`).
# shellcheck disable=SC2143

load ../lib.bash

# The CI seeds: fixed, about three minutes on two cores. Do not drop a seed because it fails:
# a failing seed is a bug in nstrace (tests/lab/oracle/findings/).
CI_SEEDS="1-24"

setup()
{
	lab_require_root ping python3 iptables-nft iptables-legacy nft || return 1
	NSTRACE=${NSTRACE:-${NSMAP_BUILD:-build}/nstrace}
	lab_require_exec "$NSTRACE" || return 1
	RANDLAB=$BATS_TEST_DIRNAME/randlab.py
	OR_PREFIX=or${BATS_ROOT_PID:-$$}
	LAB_PREFIX=$OR_PREFIX	# lab_cleanup's sweep
	export LAB_PREFIX
}

teardown()
{
	local ns pid
	# randlab.py cleans up on every exit; this is the net under it (a killed run)
	for ns in /run/netns/"$OR_PREFIX"*; do
		[ -e "$ns" ] || continue
		for pid in $(ip netns pids "${ns#/run/netns/}" 2>/dev/null); do
			kill "$pid" 2>/dev/null || true
		done
	done
	lab_cleanup
}

@test "oracle: the generator is deterministic (same seed, same lab; another seed, another lab)" {
	local a b c
	a=$(python3 "$RANDLAB" script 7 --prefix x-)
	b=$(python3 "$RANDLAB" script 7 --prefix x-)
	c=$(python3 "$RANDLAB" script 8 --prefix x-)
	[ "$a" = "$b" ]
	[ "$a" != "$c" ]
	# only lab namespaces are touched: every ip/iptables/nft/sysctl runs with -n or netns exec
	[ -z "$(grep -E '^(ip (link|addr|route|rule)|iptables|nft|sysctl)' <<<"$a")" ]
	[ -z "$(grep -E '(^|[^0-9.])(8\.8\.8\.8|1\.1\.1\.1)' <<<"$a")" ]
	# addresses: private and documentation ranges only
	[ -z "$(python3 "$RANDLAB" script 7 --prefix x- | grep -oE '\b([0-9]{1,3}\.){3}[0-9]{1,3}' |
		grep -vE '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|198\.51\.100\.|203\.0\.113\.|127\.)')" ]
}

@test "oracle: it can fail (an nstrace that always says reached disagrees with the kernel)" {
	local fake=$BATS_TEST_TMPDIR/fake-nstrace
	printf '#!/bin/sh\necho %s\n' "'{\"verdict\": \"reached\", \"diagnosis\": []}'" >"$fake"
	chmod +x "$fake"
	# seed 2 is a two-namespace lab with an INPUT drop: some probe does not get through
	run python3 "$RANDLAB" run --seeds 2 --nstrace "$fake" --prefix "${OR_PREFIX}f" --no-fixes
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"DISAGREE seed 2"* ]]
	[ -z "$(ip netns list | grep "^${OR_PREFIX}f")" ]
}

@test "oracle: kernel, --simulate and live nstrace agree; pasted fixes make the kernel reach" {
	local seeds=${ORACLE_SEEDS:-$CI_SEEDS}
	echo "seeds: $seeds" >&3
	run python3 "$RANDLAB" run --seeds "$seeds" --jobs "${ORACLE_JOBS:-2}" --nstrace "$NSTRACE" \
		--prefix "$OR_PREFIX" --quiet
	# the disagreements and the figures, then the verdict of the test
	echo "$output"
	grep '^summary:' <<<"$output" >&3 || true
	# nothing left behind
	[ -z "$(ip netns list | grep "^${OR_PREFIX}")" ]
	[ "$status" -eq 0 ]
}
