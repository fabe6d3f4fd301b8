#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 07 live says reached when the reply reaches the source's interface but the source's INPUT
# drops it (INPUT policy drop, only lo accepted): the kernel's ping fails, --simulate says
# RETURN_DROPPED, live says reached (the reply was captured on c1:eth0 in, never delivered to
# the socket). Seeds 33, 88, 97, 134, 139, 154, 281, 291, 292 (20 probes).
. "$(dirname "$0")/lib.sh"
base_lab
x c1 iptables-nft -w -P INPUT DROP
x c1 iptables-nft -w -A INPUT -i lo -j ACCEPT
kernel c1 10.1.0.254
verdicts 10.1.0.254 c1
