#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# gen-tutorial.sh - run scripts/tutorial.md.in step by step in throwaway namespaces and write docs/tutorial.md with the real output.
#
# Usage: scripts/gen-tutorial.sh [OUT]          (root; default OUT: docs/tutorial.md)
#
# The template is markdown with four kinds of executable lines, run top to bottom:
#
#   ```sh lab          a block of the blog's commands, one per line, in the blog's names.
#   ...                They are run in the lab (below) and copied to OUT as a ```sh block.
#   ```
#   @nsmap [N,...]     `nsmap -n N,...` (default: every lab namespace so far); the command
#                      and its output become a ```console block.
#   @nstrace ARGS => EXPECT
#                      `nstrace ARGS`; EXPECT is "reached" or the first cause code. A
#                      different result is an error: the prose around it would be wrong.
#   @docker            the Docker section starts here: start a private dockerd inside the
#                      lab's host namespace (tests/lab/docker_lib.bash) and import a busybox
#                      image. With TUTORIAL_DOCKER=0, or when dockerd cannot start, the rest
#                      of the template is replaced by a note saying why.
#
# The blog types its commands on the machine itself; the lab runs them inside a namespace
# called ${LAB_PREFIX}host instead, so the machine is never touched:
#   ip netns add X           -> lab_ns X (a throwaway namespace ${LAB_PREFIX}X)
#   ip netns exec X CMD      -> CMD inside ${LAB_PREFIX}X (nsenter --net, no /sys remount)
#   docker CMD               -> the private dockerd's client
#   anything else            -> CMD inside ${LAB_PREFIX}host
# and "netns X" in a command becomes "netns ${LAB_PREFIX}X". In the captured output
# ${LAB_PREFIX} is removed (keeping the tables aligned), so OUT reads like the blog:
# ns1, ns2, host, inet. Everything is removed on every exit path (lab_trap).
# shellcheck disable=SC2119 # lab_require_root and friends take optional arguments
set -u

cd "$(dirname "$0")/.." || exit 1
NSMAP_BUILD=${NSMAP_BUILD:-build}
NSMAP=$NSMAP_BUILD/nsmap
NSTRACE=$NSMAP_BUILD/nstrace
TEMPLATE=${TUTORIAL_TEMPLATE:-scripts/tutorial.md.in}
OUT=${1:-docs/tutorial.md}
# At most 9 characters, so that "PREFIXhost" still fits the 14-column namespace field of
# nstrace's tables and the output can be realigned after the prefix is removed
# (TUTORIAL_PREFIX overrides it, for a test that checks what is left behind).
LAB_PREFIX=${TUTORIAL_PREFIX:-$(printf 'tu%06x-' $(($$ & 0xffffff)))}
case "$LAB_PREFIX" in
????*) [ ${#LAB_PREFIX} -le 9 ] || { echo "gen-tutorial: prefix longer than 9" >&2; exit 2; } ;;
*) echo "gen-tutorial: prefix shorter than 4" >&2; exit 2 ;;
esac
# shellcheck source=tests/lab/lib.bash
. tests/lab/lib.bash
# shellcheck source=tests/lab/docker_lib.bash
. tests/lab/docker_lib.bash

PAD=$(printf '%*s' ${#LAB_PREFIX} '')
KNOWN=()		# the lab namespaces created so far, short names, in order

die()
{
	echo "gen-tutorial: $*" >&2
	if [ "${TUTORIAL_DEBUG:-0}" = 1 ] && [ -f "${TMP:-}/out.md" ]; then
		cp "$TMP/out.md" "$OUT.partial"
		echo "gen-tutorial: what was generated so far: $OUT.partial" >&2
	fi
	exit 1
}

# plain: remove the lab prefix from stdin; in nstrace's hop tables (lines starting with
# a hop number) a name followed by column padding gets the prefix's width back as spaces.
plain()
{
	local s=${DK_DIR:-/nonexistent-dk-dir}
	sed -E -e "/^[0-9]+ /s/${LAB_PREFIX}([a-z0-9]+)( +)/\\1\\2${PAD}/g" \
		-e "s/${LAB_PREFIX}//g" -e "s|$s/exec|/run/docker|g" -e "s|$s|/var/lib/docker|g"
}

# trim: stdin without its trailing empty lines (a code block ends with its last line).
trim()
{
	awk 'NF { while (n > 0) { print ""; n-- } print; next } { n++ }'
}

is_known()
{
	local k
	for k in "${KNOWN[@]}"; do
		[ "$k" = "$1" ] && return 0
	done
	return 1
}

# full NAME: the lab name of a blog name (ns1 -> PREFIXns1), other words unchanged.
full()
{
	if is_known "$1"; then echo "$LAB_PREFIX$1"; else echo "$1"; fi
}

# settle: wait until the link states of every lab namespace stop changing (carriers of
# veths and bridges come up asynchronously), so what nsmap reads is final.
settle()
{
	local prev='' cur k n=0
	while [ $n -lt 40 ]; do
		cur=$(for k in "${KNOWN[@]}"; do
			ip -n "$LAB_PREFIX$k" -o link show 2>/dev/null | sed 's/^[0-9]*: //; s/ qlen.*//'
		done)
		[ -n "$prev" ] && [ "$cur" = "$prev" ] && return 0
		prev=$cur
		n=$((n + 1))
		sleep 0.05
	done
}

# run_line LINE: one command of a ```sh lab block, in the lab.
run_line()
{
	local -a w
	local i

	read -ra w <<<"$1"
	[ ${#w[@]} -gt 0 ] || return 0
	for ((i = 1; i < ${#w[@]}; i++)); do
		[ "${w[i - 1]}" = netns ] && w[i]=$(full "${w[i]}")
	done
	if [ "${w[0]} ${w[1]:-} ${w[2]:-}" = "ip netns add" ]; then
		lab_ns "${w[3]#"$LAB_PREFIX"}" || return 1
		KNOWN+=("${w[3]#"$LAB_PREFIX"}")
	elif [ "${w[0]} ${w[1]:-} ${w[2]:-}" = "ip netns exec" ]; then
		lab_nsenter "${w[3]}" "${w[@]:4}"
	elif [ "${w[0]}" = docker ]; then
		dk "${w[@]:1}"
	else
		lab_nsenter "${LAB_PREFIX}host" "${w[@]}"
	fi
}

# run_block: the lines of a ```sh lab block on stdin; each is echoed to OUT, then run.
run_block()
{
	local line cmd
	echo '```sh'
	while IFS= read -r line; do
		echo "$line"
		cmd=${line%%#*}
		[ -n "${cmd// /}" ] || continue
		if ! run_line "$cmd" >"$TMP/cmd.out" 2>&1; then
			cat "$TMP/cmd.out" >&2
			die "this command failed in the lab: $line"
		fi
	done
	echo '```'
	settle
}

do_nsmap()
{
	local names=$1 sel='' n
	if [ -z "$names" ]; then
		names=$(IFS=,; echo "${KNOWN[*]}")
	fi
	for n in ${names//,/ }; do
		sel="$sel${sel:+,}$(full "$n")"
	done
	echo '```console'
	echo "$ sudo nsmap -n $names"
	"$NSMAP" --color never -n "$sel" 2>&1 | plain | trim
	echo '```'
}

# first_result FILE: "reached" or the first cause code of an nstrace text output.
first_result()
{
	if grep -q '^verdict: reached' "$1"; then
		echo reached
		return
	fi
	sed -nE 's/^  1\. ([A-Z_]+) .*/\1/p' "$1" | head -1
}

do_nstrace()
{
	local spec=$1 args expect got rc=0 i src_at=0 pid rep
	local -a w
	[[ "$spec" == *=\>* ]] || die "@nstrace $spec: no '=> EXPECT'"
	args=${spec%%=>*}
	expect=$(echo "${spec#*=>}" | tr -d ' ')
	read -ra w <<<"$args"
	for ((i = 1; i < ${#w[@]}; i++)); do
		[ "${w[i - 1]}" = from ] || continue
		w[i]=$(full "${w[i]}")
		src_at=$i
	done
	"$NSTRACE" "${w[@]}" >"$TMP/trace.out" 2>&1 || rc=$?
	# An nstrace that cannot name containers yet: a container by its pid, said so.
	if [ $rc = 1 ] && grep -q 'no such namespace' "$TMP/trace.out" &&
		[ -n "${DK_SOCK:-}" ] && pid=$(dk inspect -f '{{.State.Pid}}' "${w[src_at]}" 2>/dev/null); then
		rep="from \$(docker inspect -f '{{.State.Pid}}' ${w[src_at]})"
		args=${args/"from ${w[src_at]}"/"$rep"}
		w[src_at]=$pid
		rc=0
		"$NSTRACE" "${w[@]}" >"$TMP/trace.out" 2>&1 || rc=$?
	fi
	got=$(first_result "$TMP/trace.out")
	if [ "$got" != "$expect" ]; then
		cat "$TMP/trace.out" >&2
		die "nstrace $args: expected '$expect', got '${got:-nothing}' (exit $rc)"
	fi
	echo '```console'
	echo "$ sudo nstrace ${args%"${args##*[! ]}"}"
	plain <"$TMP/trace.out" | trim
	echo '```'
}

# do_docker: start the private dockerd in the lab's host; 1 (and $DOCKER_WHY) if it cannot.
do_docker()
{
	DOCKER_WHY=
	if [ "${TUTORIAL_DOCKER:-1}" = 0 ]; then
		DOCKER_WHY="TUTORIAL_DOCKER=0"
		return 1
	fi
	if ! lab_can_run dockerd docker busybox setsid iptables; then
		DOCKER_WHY=$LAB_WHY
		return 1
	fi
	if ! dk_start host >"$TMP/dk.err" 2>&1; then
		DOCKER_WHY="dockerd did not start: $(tail -1 "$TMP/dk.err")"
		return 1
	fi
	if ! dk_image >"$TMP/dk.err" 2>&1; then
		DOCKER_WHY="the busybox image could not be imported: $(tail -1 "$TMP/dk.err")"
		return 1
	fi
	return 0
}

generate()
{
	local line block='' in_lab=0

	echo "<!-- Generated by scripts/gen-tutorial.sh from scripts/tutorial.md.in: edit those, not this file. -->"
	echo "<!-- $(date -u +%Y-%m-%d), $("$NSMAP" --version 2>/dev/null | head -1), Linux $(uname -r) -->"
	echo
	while IFS= read -r line; do
		if [ $in_lab = 1 ]; then
			if [ "$line" = '```' ]; then
				run_block <<<"${block%$'\n'}" || return 1
				in_lab=0
				block=''
			else
				block+="$line"$'\n'
			fi
			continue
		fi
		case "$line" in
		'```sh lab')
			in_lab=1
			;;
		'@nsmap'*)
			do_nsmap "$(echo "${line#@nsmap}" | tr -d ' ')" || return 1
			;;
		'@nstrace '*)
			do_nstrace "${line#@nstrace }" || return 1
			;;
		'@docker')
			if ! do_docker; then
				echo "gen-tutorial: Docker part skipped: $DOCKER_WHY" >&2
				echo "*(The Docker part was not generated on this machine: $DOCKER_WHY.)*"
				return 0
			fi
			;;
		*)
			echo "$line"
			;;
		esac
	done
	[ $in_lab = 0 ] || die "unterminated \`\`\`sh lab block"
}

lab_require_root
for b in "$NSMAP" "$NSTRACE"; do
	[ -x "$b" ] || die "$b missing: run 'make all'"
done
[ -r "$TEMPLATE" ] || die "no template $TEMPLATE"
TMP=$(mktemp -d /tmp/nsmap-tutorial.XXXXXX) || exit 1
lab_defer rm -rf "$TMP"
lab_trap

generate <"$TEMPLATE" >"$TMP/out.md" || die "generating $OUT failed"
# never half-written: a temporary file next to OUT, then rename
if ! cp "$TMP/out.md" "$OUT.tmp.$$" || ! mv -f "$OUT.tmp.$$" "$OUT"; then
	rm -f "$OUT.tmp.$$"
	die "cannot write $OUT"
fi
echo "gen-tutorial: wrote $OUT" >&2
