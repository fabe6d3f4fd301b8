#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 10 the missing route back is in the NAT router, the fix goes upstream: c1 - r1 - r2 - inet,
# r2 MASQUERADEs but has no route to c1's subnet (only its default via inet). The reply is
# un-NATed in r2 and routed back out to inet. --simulate says NO_ROUTE in inet (plus
# FORWARDING_DISABLED in inet) and prints 'ip route add default via 198.51.100.10' and
# 'sysctl ip_forward=1' for inet: pasted, the kernel still fails (a loop); the fix is
# 'ip route add 10.1.0.0/24 via 10.254.0.1' in r2. With rp_filter=1 in r2 the first cause is
# RP_FILTER and the printed fix (rp_filter=0) is not enough either. After the paste --simulate
# says reached (KERNEL_DISAGREES) although r2 and inet now bounce the reply between them (a
# routing loop the walk does not see). Seeds 4, 8.
. "$(dirname "$0")/lib.sh"
ns c1; ns r1; ns r2; ns inet
veth r1 vc1 c1 eth0 10.1.0.254/24 10.1.0.1/24
veth r1 eth0 r2 eth1 10.254.0.1/24 10.254.0.2/24
veth r2 eth0 inet eth0 198.51.100.10/24 198.51.100.1/24
ip -n ${P}inet addr add 203.0.113.8/32 dev lo
ip -n ${P}c1 route add default via 10.1.0.254
ip -n ${P}r1 route add default via 10.254.0.2
ip -n ${P}r2 route add default via 198.51.100.1
x r1 sysctl -qw net.ipv4.ip_forward=1
x r2 sysctl -qw net.ipv4.ip_forward=1
x r2 iptables-nft -w -t nat -A POSTROUTING -o eth0 -j MASQUERADE
sleep 0.2
kernel c1 203.0.113.8
verdicts 203.0.113.8 c1
paste_fixes 203.0.113.8 c1
kernel c1 203.0.113.8
