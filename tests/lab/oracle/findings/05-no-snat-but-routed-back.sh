#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 05 no SNAT, but the upstream routes the private subnet back: the kernel reaches; --simulate
# says NO_SNAT / no-reply (it treats a private source leaving the uplink as lost although the
# next namespace, in the snapshot, has the route back). Live agrees with the kernel. Seeds 26, 61,
# 181, 286 (10 probes).
. "$(dirname "$0")/lib.sh"
base_lab
x inet ip route add 10.1.0.0/24 via 198.51.100.10
kernel c1 203.0.113.8
verdicts 203.0.113.8 c1
