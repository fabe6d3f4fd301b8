#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 06 live says reached for an ICMP destination-unreachable from the destination: r1's INPUT
# REJECTs icmp (icmp-port-unreachable); the kernel's ping fails, --simulate says INPUT_DROP, live
# says reached ('the destination answered port unreachable'). The same for TCP to a port that
# REJECTs with an ICMP error. Seeds 12, 19, 34, 36, 55, 113, 156, 225, 240 (15 probes).
. "$(dirname "$0")/lib.sh"
base_lab
x r1 iptables-nft -w -A INPUT -i vc1 -p icmp -j REJECT
kernel c1 10.1.0.254
verdicts 10.1.0.254 c1
ns s
veth r1 dmz s eth0 172.20.1.1/24 172.20.1.2/24
x s ip route add default via 172.20.1.1
listen s tcp:80 tcp:443
x s iptables-nft -w -A INPUT -p tcp --dport 443 -j REJECT
kernel c1 172.20.1.2 tcp 443
verdicts 172.20.1.2 c1 proto tcp port 443
