#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 14 rp_filter on the reply ignores policy rules: r1 (rp_filter=2, loose) routes the LAN through
# table 100 ('ip rule add from 10.1.0.0/24 lookup 100'; main has no default) and MASQUERADEs.
# The reply from 203.0.113.8 arrives on eth0; the kernel's reverse-path lookup (from the
# de-NATed destination 10.1.0.1 to 203.0.113.8) matches the rule and finds table 100's default:
# it passes, the kernel reaches. --simulate: no-reply, RP_FILTER 'the route back to 203.0.113.8
# does not exist' (its reverse lookup sees main only). Seeds 359, 430, 443 (4 probes).
. "$(dirname "$0")/lib.sh"
base_lab
ip -n ${P}r1 route del default
ip -n ${P}r1 route add default via 198.51.100.1 table 100
ip -n ${P}r1 rule add from 10.1.0.0/24 lookup 100 pref 1000
x r1 sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.eth0.rp_filter=2
x r1 iptables-nft -w -t nat -A POSTROUTING -o eth0 -j MASQUERADE
listen inet tcp:80
kernel c1 203.0.113.8 tcp 80
verdicts 203.0.113.8 c1 proto tcp port 80
