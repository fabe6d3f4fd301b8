#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab.sh - create or remove the blog's lab (ns1, ns2, host, inet) for tutorials, optionally with one thing broken.
#
# Usage: scripts/lab.sh up [--prefix P] [--break WHAT]...
#        scripts/lab.sh down [--prefix P]
#        scripts/lab.sh status [--prefix P]
#
# The namespaces are ${P}ns1 ${P}ns2 ${P}host ${P}inet (default prefix "lab-"; --prefix ''
# gives the blog's own names). The topology and the address plan are drawn at the top
# of tests/lab/lib.bash. WHAT is one of the breakages below; each undoes one step of the
# blog (the ns1-only ones leave ns2 working, for comparison).
set -u

cd "$(dirname "$0")/.." || exit 1

BREAKS="forward masq fwd-accept return-accept fwd-drop default-route addr link-down bridge-addr bridge-port uplink-route inet-host"

usage()
{
	cat <<EOF
Usage: $0 up [--prefix P] [--break WHAT]...
       $0 down [--prefix P]
       $0 status [--prefix P]

Creates (up) or removes (down) the blog's lab in namespaces \${P}ns1 \${P}ns2 \${P}host
\${P}inet (default P: lab-). 203.0.113.8 in \${P}inet stands in for 8.8.8.8.

--break WHAT (repeatable) leaves one step out:
  forward        host: net.ipv4.ip_forward=0
  masq           host: no MASQUERADE rule
  fwd-accept     host: FORWARD policy DROP without the two ACCEPT rules
  return-accept  host: no RELATED,ESTABLISHED rule for the replies
  fwd-drop       host: FORWARD policy left ACCEPT (not a breakage: a host without Docker)
  default-route  ns1: no default route
  addr           ns1: no address on veth1
  link-down      ns1: veth1 left down
  bridge-addr    host: br0 without 10.0.0.254
  bridge-port    host: veth1-br not a port of br0
  uplink-route   host: no default route
  inet-host      inet: nobody owns 203.0.113.8
EOF
}

cmd=${1:-}
[ $# -gt 0 ] && shift
LAB_PREFIX=lab-
flags=()
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		LAB_PREFIX=$2
		shift
		;;
	--break)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		case " $BREAKS " in
		*" $2 "*) ;;
		*) echo "lab: unknown breakage '$2' (one of: $BREAKS)" >&2; exit 2 ;;
		esac
		if [ "$2" = link-down ]; then
			flags+=(--link-down)
		else
			flags+=("--no-$2")
		fi
		shift
		;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

# Only ever touch the four names of the lab, never "${LAB_PREFIX}*": the prefix may be
# shared with the user's own namespaces.
LAB_SWEEP=0
# shellcheck source=tests/lab/lib.bash
. tests/lab/lib.bash

lab_exists()
{
	local n
	for n in "${LAB_BLOG_NAMES[@]}"; do
		[ -e "/run/netns/$LAB_PREFIX$n" ] && return 0
	done
	return 1
}

case "$cmd" in
up)
	lab_require_root iptables
	if lab_exists; then
		echo "lab: ${LAB_PREFIX}{ns1,ns2,host,inet} already exist; run '$0 down${LAB_PREFIX:+ --prefix $LAB_PREFIX}' first" >&2
		exit 1
	fi
	lab_trap	# a failed or interrupted build leaves nothing behind
	lab_blog_topology "${flags[@]}" || exit 1
	trap - EXIT INT TERM
	echo "lab up: ${LAB_NS1} ${LAB_NS2} ${LAB_HOST} ${LAB_INET}${flags[*]:+ (broken: ${flags[*]})}"
	echo "try:    ip netns exec ${LAB_NS1} ping -c1 203.0.113.8"
	echo "        build/nsmap -n '${LAB_PREFIX}*'"
	echo "        build/nstrace 203.0.113.8 from ${LAB_NS1}"
	echo "remove: $0 down${LAB_PREFIX:+ --prefix $LAB_PREFIX}"
	;;
down)
	lab_require_root
	for n in "${LAB_BLOG_NAMES[@]}"; do
		[ -e "/run/netns/$LAB_PREFIX$n" ] && LAB_NAMESPACES+=("$LAB_PREFIX$n")
	done
	lab_cleanup
	echo "lab down: ${LAB_PREFIX}{ns1,ns2,host,inet} removed"
	;;
status)
	for n in "${LAB_BLOG_NAMES[@]}"; do
		if [ -e "/run/netns/$LAB_PREFIX$n" ]; then
			echo "$LAB_PREFIX$n: up"
		else
			echo "$LAB_PREFIX$n: absent"
		fi
	done
	;;
*)
	usage >&2
	exit 2
	;;
esac
