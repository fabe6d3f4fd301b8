#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh - `make demo`: build the blog's lab in throwaway namespaces, show what nsmap (and nstrace) see, remove it.
#
# Every step is one function listed in DEMO_STEPS; a step that needs a feature the build
# does not have yet (nstrace --simulate, SVG output) says so and is skipped. To add a
# step, write demo_step_NAME and put NAME in DEMO_STEPS. The lab is removed on every exit
# path, Ctrl-C included (lab_trap). Nothing outside the lab namespaces is changed.
set -u

cd "$(dirname "$0")/.." || exit 1
NSMAP_BUILD=${NSMAP_BUILD:-build}
NSMAP=$NSMAP_BUILD/nsmap
NSTRACE=$NSMAP_BUILD/nstrace
LAB_PREFIX="demo$$-"
DEMO_SVG=${DEMO_SVG:-demo.svg}
# shellcheck source=tests/lab/lib.bash
. tests/lab/lib.bash

DEMO_STEPS=(intro build ping nsmap json svg trace broken cleanup)

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

# show CMD...: print a command like a prompt, then run it.
show()
{
	printf '%s# %s%s\n' "$D" "$*" "$N"
	"$@"
}

demo_step_intro()
{
	heading "nsmap demo" \
		"This rebuilds the blog post's lab (the network Docker sets up for a container," \
		"done by hand) in throwaway namespaces named ${LAB_PREFIX}*, shows what nsmap" \
		"sees in it, and removes it again. Nothing outside those namespaces is changed;" \
		"198.51.100.0/24 and 203.0.113.0/24 are documentation ranges that only exist in the lab."
}

demo_step_build()
{
	heading "1. The lab" \
		"ns1 and ns2 are two \"containers\", plugged into the bridge br0 of a \"host\" namespace" \
		"by veth pairs; the host's uplink eth0 leads to an \"internet\" namespace where" \
		"203.0.113.8 stands in for 8.8.8.8. The host forwards and MASQUERADEs, as in the blog:"
	# the drawing at the top of lib.bash, so that it never goes stale
	sed -n '/^# The blog.s topology/,/^# Flags of/p' tests/lab/lib.bash | sed '1,3d;$d;s/^#//'
	lab_blog_topology || { echo "demo: building the lab failed" >&2; return 1; }
	echo "built namespaces: $LAB_NS1 $LAB_NS2 $LAB_HOST $LAB_INET"
}

demo_step_ping()
{
	heading "2. It works" "ns1 pings the stand-in for 8.8.8.8, through br0, the host's NAT and its uplink:"
	printf '%s# ip netns exec %s ping -c1 203.0.113.8%s\n' "$D" "$LAB_NS1" "$N"
	lab_ping "$LAB_NS1" 203.0.113.8 | grep -E 'transmitted|received' ||
		echo "(no reply: the lab is not working on this machine)"
}

demo_step_nsmap()
{
	heading "3. What nsmap sees" \
		"nsmap enters every namespace (here only the lab's, with -n) and shows its links," \
		"veth peers (⇄ namespace:ifname), bridge ports under their bridge, addresses," \
		"routes, ip_forward and the firewall rules that matter:"
	show "$NSMAP" -n "${LAB_PREFIX}*"
}

demo_step_json()
{
	heading "4. The same as a JSON snapshot" \
		"nsmap -T json writes everything it read; nsmap --from FILE draws it again anywhere," \
		"without root. A few fields of it:"
	"$NSMAP" -T json -n "${LAB_PREFIX}*" -o "$DEMO_TMP/snap.json" || return 0
	show jq -r '.namespaces[] | "\(.label): \([.links[] | .ifname + (if .peer then " ⇄ " + (.peer.ifname // "?") else "" end)] | join(", "))"' \
		"$DEMO_TMP/snap.json"
}

demo_step_svg()
{
	heading "5. A picture" "nsmap -o FILE.svg draws the same map with graphviz:"
	if "$NSMAP" -n "${LAB_PREFIX}*" -o "$DEMO_SVG" 2>"$DEMO_TMP/svg.err"; then
		echo "wrote $DEMO_SVG (open it in a browser)"
	else
		echo "(not available in this build: $(head -1 "$DEMO_TMP/svg.err"))"
	fi
}

demo_trace_supported()
{
	[ -x "$NSTRACE" ] && "$NSTRACE" --help 2>&1 | grep -q simulate
}

demo_step_trace()
{
	heading "6. Where does a packet go?" \
		"nstrace follows a packet from ns1 to 203.0.113.8 hop by hop, and shows where" \
		"MASQUERADE rewrites its source address and how the reply comes back:"
	if ! demo_trace_supported; then
		echo "(nstrace --simulate is not in this build yet)"
		return 0
	fi
	show "$NSTRACE" 203.0.113.8 from "$LAB_NS1" --simulate
}

demo_step_broken()
{
	heading "7. Why can't it reach the Internet?" \
		"Undo one step of the blog: delete the MASQUERADE rule. nstrace names what is" \
		"missing and the command that fixes it:"
	if ! demo_trace_supported; then
		echo "(nstrace --simulate is not in this build yet)"
		return 0
	fi
	printf '%s# ip netns exec %s iptables -t nat -D POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE%s\n' \
		"$D" "$LAB_HOST" "$N"
	lab_nsenter "$LAB_HOST" iptables -t nat -D POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
	show "$NSTRACE" 203.0.113.8 from "$LAB_NS1" --simulate
	lab_nsenter "$LAB_HOST" iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
}

demo_step_cleanup()
{
	heading "Cleaning up" "Removing the lab's namespaces (this also happens on Ctrl-C)."
	lab_cleanup
	rm -rf "$DEMO_TMP"
	echo "done. Next: 'make check' runs the tests; '$NSMAP' alone shows this host."
}

lab_require_root
[ -x "$NSMAP" ] || { echo "demo: $NSMAP missing: run 'make all'" >&2; exit 1; }
DEMO_TMP=$(mktemp -d /tmp/nsmap-demo.XXXXXX)
lab_defer rm -rf "$DEMO_TMP"
lab_trap
for step in "${DEMO_STEPS[@]}"; do
	"demo_step_$step" || exit 1
done
exit 0
