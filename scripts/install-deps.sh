#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install every Debian package that nsmap's build, demo and tests need (no-op when present).
set -eu

PKGS="build-essential pkg-config
libnl-3-dev libnl-route-3-dev libmnl-dev libnftnl-dev libnftables-dev libxtables-dev libpcap-dev
libgraphviz-dev graphviz libjansson-dev libcurl4-openssl-dev libcmocka-dev
bats jq iproute2 nftables iptables libxml2-utils procps util-linux
iputils-ping time busybox-static docker.io mandoc
python3 libcap2-bin
clang libclang-rt-14-dev"

[ -n "${NSMAP_EXTRA_PKGS:-}" ] && PKGS="$PKGS $NSMAP_EXTRA_PKGS"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi

echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
apt-get install -y -qq --no-install-recommends $missing >&2
