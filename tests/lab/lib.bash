# SPDX-License-Identifier: GPL-2.0-or-later
# lib.bash - shared helpers for nsmap's lab tests: throwaway namespaces, cleanup, polling, the blog's topology.
#
# Source it from a bats file (or a script) and use:
#
#   LAB_PREFIX            unique name prefix of this run ("nsm<pid>x"); every namespace
#                         this library creates is called ${LAB_PREFIX}NAME. Set it before
#                         sourcing to override (scripts/lab.sh does).
#   lab_cannot_run REASON skip the test, or FAIL it when CI=true.
#   lab_require_exec FILE lab_cannot_run unless FILE is executable (a build binary).
#   lab_require_root [TOOL...]
#                         skip the test when not root or a tool is missing; FAIL instead
#                         when CI=true (a lab test that cannot run in CI is a failure).
#                         Call it from setup()/the test, not from setup_file(): bats 1.8
#                         cannot skip from setup_file. There, use
#   lab_can_run [TOOL...] the same check without skipping: 0 or 1, reason in $LAB_WHY.
#   lab_ns NAME           create namespace ${LAB_PREFIX}NAME with lo up, register it for
#                         cleanup, and print nothing; the full name is in $LAB_LAST_NS.
#   lab_nsenter NAME CMD...
#                         run CMD in the lab namespace NAME (short or full name) without
#                         `ip netns exec`'s /sys remount.
#   lab_sysctl NAME KEY VALUE
#                         write a sysctl inside the lab namespace NAME (sysctls are per netns).
#   lab_bg CMD...         start CMD (a command or a shell function) in the background
#                         (stdio detached, so bats does not wait for it), register its pid
#                         for cleanup (SIGTERM, then wait); pid in $LAB_LAST_PID. A looping
#                         function should `trap 'exit 0' TERM` so it stops between steps.
#   lab_defer CMD...      register a cleanup command (run in reverse order by lab_cleanup).
#   lab_cleanup           undo everything: deferred commands, background pids, registered
#                         namespaces and any leftover ${LAB_PREFIX}* namespace (unless
#                         LAB_SWEEP=0, for a prefix a user might share). Idempotent.
#                         Call it from teardown/teardown_file; scripts call lab_trap.
#   lab_trap              scripts only: run lab_cleanup on EXIT, INT and TERM.
#   lab_wait_for [-t SEC] CMD...
#                         poll CMD (every 50 ms) until it succeeds; fail after SEC
#                         seconds (default 5). Use it instead of sleep.
#   lab_ping NS ADDR      one ICMP echo from lab namespace NS to ADDR (1 s timeout);
#                         uses ping, or busybox's when iputils-ping is not installed.
#   lab_check DESC EXPECTED ACTUAL
#                         one check, one line: "ok   DESC" or "FAIL DESC: expected .., got ..";
#                         failures are counted; lab_check_done returns 1 if any failed.
#   lab_check_lines DESC EXPECTED_FILE ACTUAL_FILE
#                         one lab_check per line: every expected line must be in ACTUAL
#                         ("ok   DESC: LINE" / "FAIL DESC: LINE missing"), and every
#                         line of ACTUAL not in EXPECTED is a failure ("unexpected").
#   lab_internet INET [--no-host]
#                         make lab namespace INET the lab's internet: eth0 198.51.100.1/24,
#                         the public host 203.0.113.8 on lo, no route back to private ranges.
#   lab_blog_topology [FLAGS]
#                         build the blog's topology (drawing below); exports LAB_HOST,
#                         LAB_NS1, LAB_NS2, LAB_INET (full namespace names).
#
# The blog's topology, built entirely inside lab namespaces (nothing is created or changed
# in the namespace the test runs in); each box is a namespace called ${LAB_PREFIX}<name>:
#
#  +- ns1 ---------+     +- host ----------------------------+     +- inet ------------------+
#  | veth1         |     | veth1-br --+                      |     |                         |
#  | 10.0.0.1/24   +-----+            |   br0 10.0.0.254/24  |     |  eth0 198.51.100.1/24   |
#  | default via   |     |            +-- (bridge)           |     |                         |
#  |   10.0.0.254  |     | veth2-br --+                      |     |  lo     203.0.113.8/32  |
#  +---------------+     |                                   |     |  (stands in for 8.8.8.8)|
#                        |  eth0 198.51.100.10/24 -----------+-----+                         |
#  +- ns2 ---------+     |  default via 198.51.100.1         |     |  no route to 10.0.0.0/24|
#  | veth2         +-----+  ip_forward=1                     |     |  (so NAT is required)   |
#  | 10.0.0.2/24   |     |  nat POSTROUTING -s 10.0.0.0/24   |     +-------------------------+
#  | default via   |     |      -o eth0 -j MASQUERADE        |
#  |   10.0.0.254  |     |  FORWARD policy DROP              |
#  +---------------+     |   -i br0 -o eth0 ACCEPT           |
#                        |   -i eth0 -o br0 -m state         |
#                        |      --state RELATED,ESTABLISHED  |
#                        |      ACCEPT   (iptables-nft)      |
#                        +-----------------------------------+
#
# Flags of lab_blog_topology each skip (or break) exactly one step, so a test can
# "break exactly one thing". Breakages that concern a namespace apply to ns1 only; ns2
# stays a working control.
#   --no-forward         leave net.ipv4.ip_forward=0 in host       (FORWARDING_DISABLED)
#   --no-masq            no MASQUERADE rule                        (NO_SNAT)
#   --no-fwd-accept      FORWARD policy DROP but no accept rules   (FORWARD_DROP)
#   --no-return-accept   only the outgoing accept rule            (RETURN_DROPPED)
#   --no-fwd-drop        keep FORWARD policy ACCEPT (Docker-less host default)
#   --no-default-route   ns1 has no default route                  (NO_ROUTE)
#   --no-addr            ns1's veth1 has no address                (NO_ADDRESS)
#   --link-down          ns1's veth1 stays down                    (LINK_DOWN)
#   --no-bridge-addr     br0 has no 10.0.0.254                     (GATEWAY_UNREACHABLE)
#   --no-bridge-port     veth1-br is not a port of br0             (NOT_ON_BRIDGE)
#   --no-uplink-route    host has no default route                 (NO_ROUTE in host)
#   --no-inet-host       inet does not own 203.0.113.8              (UPSTREAM_NO_REPLY)
#
# Pitfall: bats 1.8's `run` overwrites a global $i; do not use i as a loop variable
# around `run`.
#
# Safety: never send packets outside the lab; 198.51.100.0/24 and 203.0.113.0/24 are
# documentation ranges and only exist inside ${LAB_PREFIX}inet.

LAB_PREFIX=${LAB_PREFIX-nsm${BATS_ROOT_PID:-$$}x}
LAB_NAMESPACES=()
LAB_PIDS=()
LAB_DEFERRED=()
LAB_FAILS=0
LAB_LAST_NS=
LAB_LAST_PID=
# Short names of the blog topology's namespaces (scripts/lab.sh uses them for "down").
# shellcheck disable=SC2034 # used by scripts/lab.sh
LAB_BLOG_NAMES=(inet host ns1 ns2)

# _lab_fatal MSG: print MSG on stderr and return 1 (the caller returns it).
_lab_fatal()
{
	echo "lab: $*" >&2
	return 1
}

lab_can_run()
{
	local t

	LAB_WHY=
	if [ "$(id -u)" -ne 0 ]; then
		LAB_WHY="needs root"
		return 1
	fi
	for t in ip jq nsenter "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			LAB_WHY="needs $t"
			return 1
		fi
	done
	return 0
}

# lab_cannot_run REASON: skip the test, or fail it when CI=true (every lab test must run
# in CI); outside bats, exit 1.
lab_cannot_run()
{
	if [ "${CI:-}" = true ]; then
		echo "lab: $1 (CI=true: a lab test that cannot run is a failure)" >&2
		return 1
	fi
	if declare -F skip >/dev/null; then
		skip "lab: $1"
	fi
	echo "lab: $1" >&2
	exit 1
}

lab_require_root()
{
	lab_can_run "$@" && return 0
	lab_cannot_run "$LAB_WHY"
}

# lab_require_exec FILE: FILE must be an executable (a binary of the build), else
# lab_cannot_run.
lab_require_exec()
{
	[ -x "$1" ] || lab_cannot_run "no $1 (run make all)"
}

_lab_full()
{
	case "$1" in
	"$LAB_PREFIX"*) echo "$1" ;;
	*) echo "$LAB_PREFIX$1" ;;
	esac
}

lab_ns()
{
	local ns
	ns=$(_lab_full "$1")
	ip netns add "$ns" || return 1
	LAB_NAMESPACES+=("$ns")
	LAB_LAST_NS=$ns
	ip -n "$ns" link set lo up || return 1
	# No IPv6 duplicate address detection: link-local addresses are final at once, so
	# what nsmap and `ip` see does not change between two reads.
	nsenter --net="/run/netns/$ns" sh -c \
		'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad;
		 echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad' 2>/dev/null
	return 0
}

lab_nsenter()
{
	local ns
	ns=$(_lab_full "$1")
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

lab_sysctl()
{
	# lab_sysctl NS KEY VALUE: sysctls are per namespace; write it inside NS.
	lab_nsenter "$1" sysctl -q -w "$2=$3"
}

lab_bg()
{
	# A clean subshell: no inherited ERR/EXIT traps or errexit (bats sets them, and a
	# failing command in a background loop would otherwise run bats' own error and
	# exit handling there). Commands are exec'd so that $LAB_LAST_PID is their pid.
	if [ "$(type -t "$1")" = function ]; then
		(
			trap - ERR EXIT INT TERM
			set +eE
			"$@"
		) </dev/null >/dev/null 2>&1 3>&- &
	else
		(
			trap - ERR EXIT INT TERM
			exec "$@"
		) </dev/null >/dev/null 2>&1 3>&- &
	fi
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
}

lab_defer()
{
	local q
	printf -v q '%q ' "$@"
	LAB_DEFERRED+=("$q")
}

lab_cleanup()
{
	local i ns pid

	for ((i = ${#LAB_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${LAB_DEFERRED[i]}" >/dev/null 2>&1 || true
	done
	LAB_DEFERRED=()
	for pid in "${LAB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${LAB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	LAB_PIDS=()
	for ns in "${LAB_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	LAB_NAMESPACES=()
	# Namespaces created in another process of this run (bats' setup_file, a
	# background loop): sweep by prefix, but only a prefix that cannot be a user's.
	if [ "${LAB_SWEEP:-1}" = 1 ] && [ ${#LAB_PREFIX} -ge 4 ] && [ -d /run/netns ]; then
		for ns in /run/netns/"$LAB_PREFIX"*; do
			[ -e "$ns" ] || continue
			ip netns del "${ns#/run/netns/}" 2>/dev/null || true
		done
	fi
	return 0
}

lab_trap()
{
	trap 'lab_cleanup' EXIT
	trap 'lab_cleanup; trap - EXIT; exit 130' INT
	trap 'lab_cleanup; trap - EXIT; exit 143' TERM
}

lab_wait_for()
{
	local timeout=5 end

	if [ "$1" = -t ]; then
		timeout=$2
		shift 2
	fi
	end=$((SECONDS + timeout))
	until "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -gt "$end" ]; then
			echo "lab: timed out after ${timeout}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

lab_ping()
{
	local ns
	ns=$(_lab_full "$1")
	if command -v ping >/dev/null 2>&1; then
		nsenter --net="/run/netns/$ns" ping -n -q -c1 -W1 "$2"
	else
		nsenter --net="/run/netns/$ns" busybox ping -q -c1 -W1 "$2"
	fi
}

lab_check()
{
	if [ "$2" == "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1: expected '$2', got '$3'"
		LAB_FAILS=$((LAB_FAILS + 1))
	fi
	return 0	# never abort a test (bats runs with errexit): lab_check_done decides
}

lab_check_lines()
{
	local line

	while IFS= read -r line; do
		if grep -qxF -- "$line" "$3"; then
			echo "ok   $1: $line"
		else
			echo "FAIL $1: $line missing"
			LAB_FAILS=$((LAB_FAILS + 1))
		fi
	done <"$2"
	while IFS= read -r line; do
		if ! grep -qxF -- "$line" "$2"; then
			echo "FAIL $1: $line unexpected"
			LAB_FAILS=$((LAB_FAILS + 1))
		fi
	done <"$3"
	return 0
}

lab_check_done()
{
	local n=$LAB_FAILS
	LAB_FAILS=0
	if [ "$n" -ne 0 ]; then
		echo "$n check(s) failed"
		return 1
	fi
}

# _lab_ipt NS ARGS...: iptables-nft inside NS (falls back to iptables, which is nft on Debian 12).
_lab_ipt()
{
	local ipt=iptables-nft
	command -v "$ipt" >/dev/null 2>&1 || ipt=iptables
	lab_nsenter "$1" "$ipt" -w "${@:2}"
}

# lab_internet INET [--no-host]: INET is the lab's internet: its eth0 (the far end of an
# uplink veth someone else created) 198.51.100.1/24 and up, and the public host
# 203.0.113.8 on its lo (unless --no-host). It has no route to private ranges, so only
# packets NATed to 198.51.100.0/24 get answers.
lab_internet()
{
	{
		echo "link set eth0 up"
		echo "addr add 198.51.100.1/24 dev eth0"
		# On lo as a /32 (a /24 on lo would make the whole range local); the
		# dummy driver is not available on every kernel.
		[ "${2:-}" = --no-host ] || echo "addr add 203.0.113.8/32 dev lo"
	} | ip -n "$(_lab_full "$1")" -batch -
}

lab_blog_topology()
{
	local forward=1 masq=1 fwd_accept=1 ret_accept=1 fwd_drop=1 defroute=1 addr=1
	local linkup=1 braddr=1 brport=1 uplink_route=1 inet_host=1 h

	while [ $# -gt 0 ]; do
		case "$1" in
		--no-forward) forward=0 ;;
		--no-masq) masq=0 ;;
		--no-fwd-accept) fwd_accept=0 ;;
		--no-return-accept) ret_accept=0 ;;
		--no-fwd-drop) fwd_drop=0 ;;
		--no-default-route) defroute=0 ;;
		--no-addr) addr=0 ;;
		--link-down) linkup=0 ;;
		--no-bridge-addr) braddr=0 ;;
		--no-bridge-port) brport=0 ;;
		--no-uplink-route) uplink_route=0 ;;
		--no-inet-host) inet_host=0 ;;
		*) _lab_fatal "lab_blog_topology: unknown flag $1"; return 1 ;;
		esac
		shift
	done

	lab_ns inet && LAB_INET=$LAB_LAST_NS || return 1
	lab_ns host && LAB_HOST=$LAB_LAST_NS || return 1
	lab_ns ns1 && LAB_NS1=$LAB_LAST_NS || return 1
	lab_ns ns2 && LAB_NS2=$LAB_LAST_NS || return 1
	export LAB_INET LAB_HOST LAB_NS1 LAB_NS2
	h=$LAB_HOST

	# The "internet": the host's uplink peer and a public host 203.0.113.8.
	# It has no route to 10.0.0.0/24, so only MASQUERADEd packets get answers.
	{
		echo "link add eth0 type veth peer name eth0 netns $LAB_INET"
		echo "link set eth0 up"
		echo "addr add 198.51.100.10/24 dev eth0"
		[ $uplink_route = 1 ] && echo "route add default via 198.51.100.1 dev eth0"
		# Step 5 of the blog: a bridge with veth pairs to ns1 and ns2.
		echo "link add br0 type bridge"
		echo "link set br0 up"
		[ $braddr = 1 ] && echo "addr add 10.0.0.254/24 dev br0"
		echo "link add veth1-br type veth peer name veth1 netns $LAB_NS1"
		echo "link add veth2-br type veth peer name veth2 netns $LAB_NS2"
		[ $brport = 1 ] && echo "link set veth1-br master br0"
		echo "link set veth2-br master br0"
		echo "link set veth1-br up"
		echo "link set veth2-br up"
	} | ip -n "$h" -batch - || return 1
	lab_internet "$LAB_INET" $([ $inet_host = 1 ] || echo --no-host) || return 1
	{
		[ $addr = 1 ] && echo "addr add 10.0.0.1/24 dev veth1"
		[ $linkup = 1 ] && echo "link set veth1 up"
		[ $defroute = 1 ] && [ $linkup = 1 ] && [ $addr = 1 ] &&
			echo "route add default via 10.0.0.254 dev veth1"
		true
	} | ip -n "$LAB_NS1" -batch - || return 1
	{
		echo "addr add 10.0.0.2/24 dev veth2"
		echo "link set veth2 up"
		echo "route add default via 10.0.0.254 dev veth2"
	} | ip -n "$LAB_NS2" -batch - || return 1

	# Step 6: forwarding, MASQUERADE and the FORWARD rules, in the lab host only.
	lab_sysctl "$h" net.ipv4.ip_forward "$forward" || return 1
	if [ $masq = 1 ]; then
		_lab_ipt "$h" -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE || return 1
	fi
	if [ $fwd_drop = 1 ]; then
		_lab_ipt "$h" -P FORWARD DROP || return 1
	fi
	if [ $fwd_accept = 1 ]; then
		_lab_ipt "$h" -A FORWARD -i br0 -o eth0 -j ACCEPT || return 1
		if [ $ret_accept = 1 ]; then
			_lab_ipt "$h" -A FORWARD -i eth0 -o br0 -m state \
				--state RELATED,ESTABLISHED -j ACCEPT || return 1
		fi
	fi
	# Wait for carriers so that the first reader sees the final link states.
	lab_wait_for _lab_oper_up "$h" eth0 || return 1
	lab_wait_for _lab_oper_up "$h" veth2-br || return 1
	lab_wait_for _lab_oper_up "$h" br0 || return 1
	if [ $linkup = 1 ]; then
		lab_wait_for _lab_oper_up "$h" veth1-br || return 1
	fi
	return 0
}

# _lab_oper_up NS IFNAME: the link's operstate is UP.
_lab_oper_up()
{
	[ "$(ip -j -n "$1" link show dev "$2" | jq -r '.[0].operstate')" = UP ]
}
