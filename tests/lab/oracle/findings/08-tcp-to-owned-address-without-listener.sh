#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 08 TCP to a router's own address where nothing listens: r1 publishes 198.51.100.10:8080 with
# a DNAT restricted to '-i eth0'; from the LAN the packet is not DNATed and is delivered locally
# to r1, which answers RST. Kernel: connection refused. --simulate: reached (it owns the
# address; a listening socket is not modelled, nor said to be). Live: reached (the RST is taken
# for a reply). Seeds 10, 40, 42, 66, 79, 126, 198, 201, 220, 280 (a published port probed
# from the LAN).
. "$(dirname "$0")/lib.sh"
base_lab
ns s
veth r1 dmz s eth0 172.20.1.1/24 172.20.1.2/24
x s ip route add default via 172.20.1.1
listen s tcp:80
x r1 iptables-nft -w -t nat -A PREROUTING -i eth0 -d 198.51.100.10 -p tcp --dport 8080 -j DNAT --to-destination 172.20.1.2:80
kernel inet 198.51.100.10 tcp 8080   # from the uplink: reached (DNAT)
kernel c1 198.51.100.10 tcp 8080     # from the LAN: refused
verdicts 198.51.100.10 c1 proto tcp port 8080
