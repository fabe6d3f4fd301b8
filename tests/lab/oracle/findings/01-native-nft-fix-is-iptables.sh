#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 01 native nftables drop, iptables fix: a 'table inet fw' forward chain with policy drop; the
# fix is 'iptables -I FORWARD ... -j ACCEPT', an accept in another base chain, which cannot
# override the native chain's drop. Pasted, nothing changes (oracle: 121 of 424 failed fixes,
# FORWARD_DROP and INPUT_DROP). Seeds e.g. 9, 26, 66.
. "$(dirname "$0")/lib.sh"
base_lab
x inet ip route add 10.1.0.0/24 via 198.51.100.10
x r1 nft -f - <<'NFT'
table inet fw {
	chain forward { type filter hook forward priority filter; policy drop;
		ct state established,related accept
	}
}
NFT
kernel c1 203.0.113.8
verdicts 203.0.113.8 c1
paste_fixes 203.0.113.8 c1
kernel c1 203.0.113.8   # still not reached: the fix should be an nft rule in table inet fw
