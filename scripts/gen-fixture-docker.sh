#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# gen-fixture-docker.sh - write a snapshot (schema nsmap.snapshot/1) of a Docker host with N containers.
#
# Usage: scripts/gen-fixture-docker.sh N > tests/fixtures/render/dockerN.json
# Deterministic: the same N gives the same bytes. Containers alternate between the default
# bridge (docker0, 172.17.0.0/16) and a user-defined network "appnet" (br-5f3a9c1e2b7d,
# 172.18.0.0/16) every fourth one; every tenth publishes a port; every 25th has its veth down.
set -eu
n=${1:?usage: $0 N}
exec python3 - "$n" <<'PY'
import hashlib, json, sys

n = int(sys.argv[1])
UP = ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]
DOWN = ["BROADCAST", "MULTICAST"]
HOST_INO = 4026531840


def hexid(s, k=64):
    return hashlib.sha256(s.encode()).hexdigest()[:k]


def link(ifindex, ifname, kind, up=True, master=None, master_index=0, link_index=0, peer=None, addrs=()):
    l = {"ifindex": ifindex, "ifname": ifname, "kind": kind,
         "state": "UNKNOWN" if kind == "loopback" else ("UP" if up else "DOWN"),
         "flags": ["LOOPBACK", "UP", "LOWER_UP"] if kind == "loopback" else (UP if up else DOWN),
         "mtu": 65536 if kind == "loopback" else 1500,
         "address": None if kind == "loopback" else "02:42:%s" % ":".join(hexid(ifname + str(ifindex))[i:i + 2] for i in range(0, 8, 2)),
         "master": master, "master_index": master_index, "link_index": link_index,
         "forwarding": None, "rp_filter": None, "addrs": []}
    if peer:
        l["peer"] = peer
    for a in addrs:
        ip, plen = a.split("/")
        l["addrs"].append({"family": "inet6" if ":" in ip else "inet", "local": ip, "prefixlen": int(plen),
                           "scope": "link" if ip.startswith("fe80") else ("host" if ip.startswith("127.") else "global"),
                           "flags": 0})
    return l


def route(dst, gw, dev, proto="kernel", scope="global"):
    r = {"family": "inet", "table": "main", "type": "unicast", "dst": dst, "dev": dev, "protocol": proto,
         "scope": scope, "metric": 0}
    if gw:
        r["gateway"] = gw
    return r


def ns(ino, label, self=False, procs=(), container=None, fwd=0):
    return {"id": "net:%d" % ino, "label": label, "inode": ino, "dev": 4, "self": self, "names": [],
            "mounts": [] if self else ["/run/docker/netns/%s" % hexid(label, 12)],
            "processes": [{"pid": p, "comm": c} for p, c in procs], "process_count": len(procs),
            "container": container,
            "sysctl": {"ip_forward": fwd, "ipv6_forwarding": 0, "rp_filter_all": 0, "rp_filter_default": 0,
                       "bridge_nf_call_iptables": 0 if self else None},
            "links": [], "routes": [], "rules": [], "neighbours": [], "netfilter": None,
            "unsupported": [], "warnings": []}


host = ns(HOST_INO, "host", self=True, procs=[(1, "systemd")], fwd=1)
host["links"] = [link(1, "lo", "loopback", addrs=["127.0.0.1/8"]),
                 link(2, "eth0", "device", addrs=["198.51.100.2/24", "fe80::1/64"]),
                 link(3, "docker0", "bridge", addrs=["172.17.0.1/16"]),
                 link(4, "br-5f3a9c1e2b7d", "bridge", addrs=["172.18.0.1/16"])]
host["links"][2]["network"] = "bridge"
host["links"][3]["network"] = "appnet"
host["routes"] = [route("default", "198.51.100.1", "eth0", "static"),
                  route("172.17.0.0/16", None, "docker0", scope="link"),
                  route("172.18.0.0/16", None, "br-5f3a9c1e2b7d", scope="link"),
                  route("198.51.100.0/24", None, "eth0", scope="link")]
spaces = [host]
ifindex = 5
for i in range(1, n + 1):
    name = "app-%03d" % i
    ino = HOST_INO + 1000 + i
    user_net = i % 4 == 0
    bridge, bidx, net = ("br-5f3a9c1e2b7d", 4, "172.18") if user_net else ("docker0", 3, "172.17")
    ip = "%s.%d.%d" % (net, 1 + i // 250, 2 + i % 250)
    gw = net + ".0.1"
    up = i % 25 != 0
    cid = hexid(name)
    c = {"name": name, "id": cid, "image": "busybox-local" if i % 3 else "nginx:1.25", "runtime": "docker",
         "ports": [{"proto": "tcp", "host_ip": "0.0.0.0", "host_port": 8000 + i, "container_port": 80}] if i % 10 == 0 else []}
    cns = ns(ino, name, procs=[(10000 + i, "httpd" if i % 3 else "nginx")], container=c)
    veth = "veth" + hexid("veth" + name, 7)
    cidx, hidx = ifindex, ifindex + 1
    ifindex += 2
    cns["links"] = [link(1, "lo", "loopback", addrs=["127.0.0.1/8"]),
                    link(cidx, "eth0", "veth", up=up, link_index=hidx, addrs=[ip + "/16"],
                         peer={"netns": "net:%d" % HOST_INO, "ifname": veth, "ifindex": hidx, "nsid": 0, "resolved": True})]
    cns["routes"] = [route("default", gw, "eth0", "boot")] if up else []
    spaces.append(cns)
    host["links"].append(link(hidx, veth, "veth", up=up, master=bridge, master_index=bidx, link_index=cidx,
                              peer={"netns": "net:%d" % ino, "ifname": "eth0", "ifindex": cidx, "nsid": i - 1, "resolved": True}))

snap = {"schema": "nsmap.snapshot/1", "hostname": "docker%d" % n, "kernel": "6.18.0",
        "created": "2026-11-29T14:00:00Z", "warnings": [], "namespaces": spaces}
json.dump(snap, sys.stdout, indent=1, sort_keys=False)
sys.stdout.write("\n")
PY
