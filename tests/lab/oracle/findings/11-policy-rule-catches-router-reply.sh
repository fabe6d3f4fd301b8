#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 11 a policy rule that also catches the router's own reply: r1 routes the LAN through table
# 100 ('ip rule add from 10.1.0.0/24 lookup 100', table 100: default via inet). A ping from c1
# to r1's 10.1.0.254: the reply has source 10.1.0.254, matches the rule and goes to inet. Kernel:
# not reached. --simulate: no-reply with FORWARDING_DISABLED in inet (fix: ip_forward=1 there;
# pasted, still not reached) or reached with KERNEL_DISAGREES when inet routes the LAN back.
# The cause is the rule's selector in r1. Seeds 1, 26.
. "$(dirname "$0")/lib.sh"
base_lab
ip -n ${P}r1 route del default
ip -n ${P}r1 route add default via 198.51.100.1 table 100
ip -n ${P}r1 rule add from 10.1.0.0/24 lookup 100 pref 1000
kernel c1 10.1.0.254
verdicts 10.1.0.254 c1
paste_fixes 10.1.0.254 c1
kernel c1 10.1.0.254
