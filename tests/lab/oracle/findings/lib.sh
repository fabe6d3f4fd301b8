# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - shared by the oracle's findings (NN-*.sh): a throwaway lab and the three verdicts.
#
# Source it from a finding, then: ns NAME; veth A IFA B IFB [ADDR_A/LEN ADDR_B/LEN];
# x NS CMD... (ip netns exec); base_lab (c1 -- r1 -- inet, below); listen NS tcp:80 udp:5300;
# kernel SRC DST [tcp|udp PORT]; verdicts DST SRC [proto P port N]; paste_fixes DST SRC [...].
#
#   c1 eth0 10.1.0.1/24 --- vc1 10.1.0.254/24  r1  eth0 198.51.100.10/24 --- eth0 198.51.100.1/24  inet
#   default via 10.1.0.254                         default via 198.51.100.1      lo 203.0.113.8/32
#                                                  ip_forward=1                  no route to 10.0.0.0/8
#
# Everything lives in namespaces called orf<pid>-NAME, deleted (with the processes in them)
# on every exit. Nothing is changed in the namespace the script runs in.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NSTRACE=${NSTRACE:-$HERE/../../../../${NSMAP_BUILD:-build-dev}/nstrace}
P=orf$$-
NSS=()
cleanup() {
	local n p
	for n in "${NSS[@]}"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	rm -f "/tmp/orf$$.sim" "/tmp/orf$$.live"
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM
ns() { ip netns add "$P$1" && NSS+=("$P$1") && ip -n "$P$1" link set lo up; }
x() { local n=$1; shift; ip netns exec "$P$n" "$@"; }
veth() {
	ip -n "$P$1" link add "$2" type veth peer name "$4" netns "$P$3"
	[ -z "${5:-}" ] || ip -n "$P$1" addr add "$5" dev "$2"
	[ -z "${6:-}" ] || ip -n "$P$3" addr add "$6" dev "$4"
	ip -n "$P$1" link set "$2" up
	ip -n "$P$3" link set "$4" up
}
base_lab() {
	ns c1; ns r1; ns inet
	veth r1 vc1 c1 eth0 10.1.0.254/24 10.1.0.1/24
	veth r1 eth0 inet eth0 198.51.100.10/24 198.51.100.1/24
	ip -n "${P}inet" addr add 203.0.113.8/32 dev lo
	ip -n "${P}c1" route add default via 10.1.0.254
	ip -n "${P}r1" route add default via 198.51.100.1
	x r1 sysctl -qw net.ipv4.ip_forward=1
	sleep 0.2
}
listen() {
	local n=$1; shift
	nsenter --net="/run/netns/$P$n" python3 "$HERE/../listen.py" "$@" >/dev/null 2>&1 &
	sleep 0.3
}
# kernel SRC DST [tcp|udp PORT]: the kernel's verdict (ping -c1 -W1, a TCP connect, a UDP echo)
kernel() {
	local r
	if [ -z "${3:-}" ]; then
		nsenter --net="/run/netns/$P$1" ping -n -q -c1 -W1 "$2" >/dev/null 2>&1 && r=reached || r="not reached"
	else
		r=$(nsenter --net="/run/netns/$P$1" python3 -c '
import socket, sys
p, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    if p == "tcp":
        socket.create_connection((d, n), timeout=1).close()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
        s.connect((d, n)); s.send(b"x"); s.recv(9)
    print("reached")
except OSError as e:
    print("not reached (%s)" % type(e).__name__)' "$3" "$2" "$4")
	fi
	echo "kernel:   $r"
}
# verdicts DST SRC [nstrace args]: --simulate and live, verdict, causes, fixes
verdicts() {
	local dst=$1 src=$2; shift 2
	"$NSTRACE" "$dst" from "$P$src" "$@" --simulate -j 2>/dev/null >"/tmp/orf$$.sim" || true
	"$NSTRACE" "$dst" from "$P$src" "$@" -j --timeout 1 2>/dev/null >"/tmp/orf$$.live" || true
	jq -r '"simulate: \(.verdict)  \([.diagnosis[].code])\n          \(.summary)", (.diagnosis[] | "          fix: \(.fix)")' "/tmp/orf$$.sim" | sed "s/$P//g"
	jq -r '"live:     \(.verdict)  \([.diagnosis[].code])\n          \(.summary)"' "/tmp/orf$$.live" | sed "s/$P//g"
	rm -f "/tmp/orf$$.sim" "/tmp/orf$$.live"
}
# paste_fixes DST SRC [nstrace args]: run every fix --simulate prints (in the lab)
paste_fixes() {
	local dst=$1 src=$2 line; shift 2
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		case "$line" in "ip netns exec $P"*) ;; *) echo "not pasted (outside the lab): $line"; continue ;; esac
		echo "paste:    ${line//$P/}"
		bash -c "$line" 2>&1 | sed 's/^/          /' || true
	done < <("$NSTRACE" "$dst" from "$P$src" "$@" --simulate -j 2>/dev/null |
		jq -r '.diagnosis[] | select(.code != "KERNEL_DISAGREES") | .fix // empty')
}
