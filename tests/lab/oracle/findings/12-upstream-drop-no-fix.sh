#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 12 a drop in a namespace beyond the uplink gets no fix: inet's INPUT drops tcp 443; the probe
# from c1 (MASQUERADE in r1) is UPSTREAM_NO_REPLY with an empty fix, although inet is a
# namespace of the snapshot and the drop is an ordinary INPUT_DROP there. Live: reached when
# the drop is a REJECT (finding 06). Oracle: 45 failing probes with no fix printed; seeds 7,
# 113 (inet INPUT policy drop / tcp443).
. "$(dirname "$0")/lib.sh"
base_lab
x r1 iptables-nft -w -t nat -A POSTROUTING -o eth0 -j MASQUERADE
listen inet tcp:80 tcp:443
x inet iptables-nft -w -A INPUT -p tcp --dport 443 -j DROP
kernel c1 203.0.113.8 tcp 443
verdicts 203.0.113.8 c1 proto tcp port 443
