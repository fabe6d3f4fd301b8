#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 03 ROUTE_REJECT from a policy rule: 'ip rule add to 203.0.113.8 prohibit pref 500'; the fix
# printed is 'ip route del rule 500: prohibit', which ip rejects ('any valid prefix is expected
# rather than "rule"'); it should be 'ip rule del pref 500' (oracle: 47 failed fixes, every
# prohibit/blackhole/unreachable rule). Seeds e.g. 34, 201, 220, 256.
. "$(dirname "$0")/lib.sh"
base_lab
x r1 iptables-nft -w -t nat -A POSTROUTING -o eth0 -j MASQUERADE
x r1 ip rule add to 203.0.113.8 prohibit pref 500
kernel c1 203.0.113.8
verdicts 203.0.113.8 c1
paste_fixes 203.0.113.8 c1
kernel c1 203.0.113.8
