#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 13 a reply routing loop is 'reached': c1 sends from 10.200.0.1 (on its lo, 'default via
# 10.1.0.254 src 10.200.0.1'); r1 MASQUERADEs but has no route to 10.200.0.0/24, and the next hop
# routes 10.200.0.0/24 back to r1. The un-NATed reply bounces between r1 and inet until its TTL
# runs out. Kernel: not reached; --simulate: reached; live: no-reply / UPSTREAM_NO_REPLY
# (its predicted hops repeat r1/inet dozens of times). Seed 191 (4 probes), also behind the
# 'reached after the fixes' of finding 10.
. "$(dirname "$0")/lib.sh"
base_lab
x c1 ip addr add 10.200.0.1/32 dev lo
x c1 ip route replace default via 10.1.0.254 src 10.200.0.1
x r1 iptables-nft -w -t nat -A POSTROUTING -o eth0 -j MASQUERADE
x inet ip route add 10.200.0.0/24 via 198.51.100.10
x inet sysctl -qw net.ipv4.ip_forward=1   # without it: FORWARDING_DISABLED in inet, again the wrong place (finding 10)
kernel c1 203.0.113.8
verdicts 203.0.113.8 c1
