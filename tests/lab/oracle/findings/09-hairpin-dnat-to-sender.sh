#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 09 hairpin: a published port DNATs back to the sender. r1 DNATs 198.51.100.10:8080 to
# c1:80 (no -i); c1 connects to 198.51.100.10:8080; r1 would send the packet back out of the
# interface it came in with source and destination c1: the kernel drops it (c1 sees its own
# address as source: martian). Kernel: not reached; --simulate: reached; live: undetermined.
# Seeds 11, 50, 112, 213, 241, 256.
. "$(dirname "$0")/lib.sh"
base_lab
listen c1 tcp:80
x r1 iptables-nft -w -t nat -A PREROUTING -d 198.51.100.10 -p tcp --dport 8080 -j DNAT --to-destination 10.1.0.1:80
kernel c1 198.51.100.10 tcp 8080
verdicts 198.51.100.10 c1 proto tcp port 8080
