#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 04 OUTPUT drop in a native table: 'table inet fw' chain output drops icmp to 203.0.113.8; the
# fix is 'iptables -t fw -I output -d 203.0.113.8 -j ACCEPT': the nft table and chain names used
# as an iptables table and chain, which fails ('table fw does not exist'). Seeds e.g. 89, 97.
. "$(dirname "$0")/lib.sh"
base_lab
x r1 iptables-nft -w -t nat -A POSTROUTING -o eth0 -j MASQUERADE
x c1 nft -f - <<'NFT'
table inet fw {
	chain output { type filter hook output priority filter; policy accept;
		ip daddr 203.0.113.8 meta l4proto icmp drop
	}
}
NFT
kernel c1 203.0.113.8
verdicts 203.0.113.8 c1
paste_fixes 203.0.113.8 c1
kernel c1 203.0.113.8
