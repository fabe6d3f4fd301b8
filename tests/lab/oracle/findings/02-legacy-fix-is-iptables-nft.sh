#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 02 iptables-legacy drop, iptables (nft backend) fix: an INPUT policy drop written with
# iptables-legacy; the fix is plain 'iptables' (iptables-nft here), which adds an accept in
# another table that the legacy drop still overrides (oracle: 52 failed fixes). Seeds e.g. 4, 33.
. "$(dirname "$0")/lib.sh"
base_lab
x r1 iptables-legacy -w -P INPUT DROP
x r1 iptables-legacy -w -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
kernel c1 10.1.0.254
verdicts 10.1.0.254 c1
paste_fixes 10.1.0.254 c1
kernel c1 10.1.0.254    # still not reached: the fix should be iptables-legacy
