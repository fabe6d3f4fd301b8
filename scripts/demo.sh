#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh - `make demo`: build the blog's lab in throwaway namespaces, show what nsmap and nstrace see, break it, fix it, remove it.
#
# Every step is one function listed in DEMO_STEPS; to add a step, write demo_step_NAME
# and put NAME in DEMO_STEPS. The lab is removed on every exit path, Ctrl-C included
# (lab_trap). Nothing outside the lab namespaces is changed, and no packet goes to an
# address outside them. Environment: NSMAP_BUILD (build), DEMO_SVG (demo.svg).
# shellcheck disable=SC2317,SC2119 # steps are called by name; lab_* take optional arguments
set -u

cd "$(dirname "$0")/.." || exit 1
NSMAP_BUILD=${NSMAP_BUILD:-build}
NSMAP=$NSMAP_BUILD/nsmap
NSTRACE=$NSMAP_BUILD/nstrace
# short, so that "PREFIXhost" fits the namespace column of nstrace's tables
LAB_PREFIX=$(printf 'demo%x-' $$)
DEMO_SVG=${DEMO_SVG:-demo.svg}
# shellcheck source=tests/lab/lib.bash
. tests/lab/lib.bash

DEMO_STEPS=(intro build nsmap svg trace broken fix cleanup)

if [ -t 1 ]; then
	C=$'\e[1;36m' D=$'\e[2m' N=$'\e[0m'
else
	C='' D='' N=''
fi

# heading TITLE [EXPLANATION...]: a step's title and what it shows.
heading()
{
	printf '\n%s== %s ==%s\n' "$C" "$1" "$N"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@"
	echo
}

# prompt CMD...: print a command the way a user would type it.
prompt()
{
	printf '%s# %s%s\n' "$D" "$*" "$N"
}

# show CMD...: print a command, then run it; its exit status is returned.
show()
{
	prompt "$@"
	"$@"
}

demo_step_intro()
{
	heading "nsmap demo: the blog's lab, mapped, traced, broken and fixed" \
		"The blog post \"Peeking Under the Hood: Docker Networking with Namespaces\" builds by hand" \
		"what Docker builds for a container: two namespaces on a bridge, a host that forwards and" \
		"MASQUERADEs. This demo builds it in throwaway namespaces named ${LAB_PREFIX}*, and removes" \
		"them at the end (or on Ctrl-C). Nothing else on this machine is changed. 203.0.113.8 stands" \
		"in for 8.8.8.8; it and 198.51.100.0/24 exist only inside the lab."
}

demo_step_build()
{
	heading "1. The lab" \
		"ns1 and ns2 are the \"containers\", plugged into the bridge br0 of a \"host\" namespace" \
		"by veth pairs. The host's uplink eth0 leads to an \"internet\" namespace (inet):"
	# the drawing at the top of lib.bash, so that it never goes stale
	sed -n '/^# The blog.s topology/,/^# Flags of/p' tests/lab/lib.bash | sed '1,3d;$d;s/^#//'
	lab_blog_topology || { echo "demo: building the lab failed" >&2; return 1; }
	echo "built: $LAB_NS1 $LAB_NS2 $LAB_HOST $LAB_INET"
}

demo_step_nsmap()
{
	heading "2. What nsmap sees" \
		"nsmap enters every namespace (here only the lab's, selected with -n) and shows its links," \
		"the veth pairs across namespaces (⇄ namespace:ifname), the bridge's ports under it," \
		"addresses, routes, ip_forward and the firewall rules that matter (the blog's MASQUERADE):"
	show "$NSMAP" -n "${LAB_PREFIX}*"
}

demo_step_svg()
{
	heading "3. The same map as a picture"
	if show "$NSMAP" -n "${LAB_PREFIX}*" -o "$DEMO_SVG"; then
		echo "wrote $(realpath "$DEMO_SVG") (open it in a browser)"
	else
		echo "(no picture: see the message above)"
	fi
}

demo_step_trace()
{
	heading "4. ns1 pings \"8.8.8.8\": every hop of it" \
		"nstrace sends one real ping from ns1 and captures it in every namespace on the way:" \
		"out of ns1, across br0, out of the host's eth0 with the source rewritten by MASQUERADE" \
		"(the rule is named), into the internet, and the reply all the way back:"
	show "$NSTRACE" 203.0.113.8 from "$LAB_NS1"
}

demo_step_broken()
{
	heading "5. Break it: forget the blog's MASQUERADE step" \
		"Without it the ping leaves the host with its private source 10.0.0.1, and the internet" \
		"has no way back to it. nstrace shows where the probe was last seen, names the missing" \
		"piece (a cause code) and prints the command that fixes it:"
	prompt ip netns exec "$LAB_HOST" iptables -t nat -D POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
	lab_nsenter "$LAB_HOST" iptables -t nat -D POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE ||
		return 1
	show "$NSTRACE" 203.0.113.8 from "$LAB_NS1" --timeout 1 | tee "$DEMO_TMP/broken.txt"
}

demo_step_fix()
{
	local fix
	local -a w

	heading "6. Paste the fix" "The first fix of the diagnosis, run as printed:"
	fix=$(sed -n 's/^ *fix: //p' "$DEMO_TMP/broken.txt" | head -1)
	read -ra w <<<"$fix"
	# only ever a command aimed at one of this demo's namespaces
	if [ "${w[0]:-} ${w[1]:-} ${w[2]:-}" != "ip netns exec" ] ||
		[ "${w[3]#"$LAB_PREFIX"}" = "${w[3]}" ] ||
		! [[ "${w[4]:-}" =~ ^(iptables|ip|sysctl)$ ]]; then
		echo "demo: unexpected fix '$fix'" >&2
		return 1
	fi
	show "${w[@]}" || return 1
	echo
	echo "and the same ping again:"
	show "$NSTRACE" 203.0.113.8 from "$LAB_NS1"
}

demo_step_cleanup()
{
	heading "Cleaning up" "Removing the lab's namespaces (this also happens on Ctrl-C)."
	lab_cleanup
	echo "done. Next: docs/tutorial.md walks through the blog step by step with both tools;"
	echo "'$NSMAP' alone maps this host; 'make check' runs the tests."
}

lab_require_root
for b in "$NSMAP" "$NSTRACE"; do
	[ -x "$b" ] || { echo "demo: $b missing: run 'make all'" >&2; exit 1; }
done
DEMO_TMP=$(mktemp -d /tmp/nsmap-demo.XXXXXX)
lab_defer rm -rf "$DEMO_TMP"
lab_trap
for step in "${DEMO_STEPS[@]}"; do
	"demo_step_$step" || exit 1
done
exit 0
