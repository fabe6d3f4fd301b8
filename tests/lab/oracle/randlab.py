#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# randlab.py - the kernel oracle: random labs from a seed, where the kernel, nstrace --simulate
# and the live nstrace must agree, and where nstrace's printed fixes must make the kernel reach.
#
#   randlab.py script SEED [--prefix P]      the lab of SEED as a standalone shell script
#   randlab.py describe SEED                 its features and probes (JSON)
#   randlab.py run --seeds 1-20,33 [--nstrace build-dev/nstrace] [--prefix P]
#                  [--jsonl FILE] [--no-fixes] [--no-live] [--quiet]
#
# A lab is 2-6 namespaces called PREFIX<name> (c1, c2 clients, r1, r2 routers, s a server,
# inet the lab's "internet" with 203.0.113.8 on lo and 198.51.100.1 on its uplink), linked
# by veth pairs and sometimes a bridge, with forwarding, rp_filter, routes, policy rules,
# filter and NAT rules (iptables-nft, native nft, iptables-legacy), published ports (DNAT)
# drawn from random.Random(SEED): the same seed always gives the same lab.  Only private and
# documentation addresses are used, every packet stays inside the lab's namespaces, and
# nothing is changed in the namespace this runs in: namespaces are made with `ip netns add`
# and configured with `ip -n NS`, `ip netns exec NS ...` (sysctl, iptables, nft).
#
# For each probe (ICMP echo, TCP connect, UDP echo) three verdicts are compared:
#   kernel    ping -c1 -W1 / a TCP connect / a UDP echo, from the source namespace
#   simulate  nstrace DEST from SRC [proto P port N] --simulate -j   (.verdict)
#   live      nstrace DEST from SRC [proto P port N] -j --timeout 1   (.verdict)
# "reached" against anything else.  When the kernel does not reach, the lab is rebuilt from
# its seed, the fixes --simulate printed (.diagnosis[].fix) are run in order, and the kernel
# must then reach.  A fix is only run when every command in it is prefixed with
# `ip netns exec PREFIX...` or `nsenter --net=/run/netns/PREFIX...` (anything else would run
# in this namespace: that is reported as a failed fix, never executed).
#
# Cleanup on every exit path (normal, exception, SIGINT, SIGTERM): listeners killed by the
# pid recorded at start and every pid `ip netns pids` still lists in a lab namespace, then
# every namespace of the run deleted.  Standard library only.
import argparse
import ipaddress
import json
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LISTEN = os.path.join(HERE, "listen.py")
PUBLIC = "203.0.113.8"
UPLINK_R = "198.51.100.10"
UPLINK_I = "198.51.100.1"
TCP_PORTS = (80, 443)
UDP_PORT = 5300
PUB_PORT = 8080


# ---------------------------------------------------------------------------------------
# The lab model


class Lab:
    """The lab of one seed: steps (argv, stdin) to build it, listeners, probes, features."""

    def __init__(self, seed, prefix):
        self.seed = seed
        self.prefix = prefix
        self.rng = random.Random(seed)
        self.nodes = []  # short names, in creation order
        self.steps = []  # (comment, argv, stdin)
        self.listeners = {}  # short name -> ["tcp:80", ...]
        self.probes = []  # dicts: src, dst, proto, port, why
        self.features = []
        self.addr = {}  # short name -> main address
        self.links = {}  # short name -> [ifname, ...] (to wait for)
        self.fw = {}  # short name -> Firewall

    def ns(self, short):
        return self.prefix + short

    def step(self, comment, argv, stdin=None):
        self.steps.append((comment, [str(a) for a in argv], stdin))

    def ip(self, short, *args):
        self.step(None, ["ip", "-n", self.ns(short)] + list(args))

    def sysctl(self, short, key, val):
        self.step(None, ["ip", "netns", "exec", self.ns(short), "sysctl", "-qw", f"{key}={val}"])

    def feature(self, text):
        self.features.append(text)

    def add_node(self, short):
        self.nodes.append(short)
        self.links[short] = []
        self.step(f"namespace {short}", ["ip", "netns", "add", self.ns(short)])
        self.ip(short, "link", "set", "lo", "up")

    def veth(self, a, ifa, b, ifb):
        self.ip(a, "link", "add", ifa, "type", "veth", "peer", "name", ifb, "netns", self.ns(b))
        self.links[a].append(ifa)
        self.links[b].append(ifb)

    def firewall(self, short, backend):
        if short not in self.fw:
            self.fw[short] = Firewall(self, short, backend)
        return self.fw[short]


class Firewall:
    """Abstract filter and NAT rules of one namespace, rendered for one backend at the end:
    iptables-nft ("nft"), native nftables ("native", table inet fw / ip nat) or
    iptables-legacy ("legacy")."""

    def __init__(self, lab, short, backend):
        self.lab = lab
        self.short = short
        self.backend = backend
        self.policy = {"INPUT": "ACCEPT", "FORWARD": "ACCEPT", "OUTPUT": "ACCEPT"}
        self.rules = {"INPUT": [], "FORWARD": [], "OUTPUT": []}
        self.nat = {"PREROUTING": [], "POSTROUTING": []}
        self.state_syntax = lab.rng.choice(["state", "conntrack"])
        self.extra_native = []  # raw native nft rules in an extra table (mixed backends)

    def add(self, chain, target, **m):
        self.rules[chain].append((target, m))

    def add_nat(self, chain, target, **m):
        self.nat[chain].append((target, m))

    # -- iptables ---------------------------------------------------------------------
    def _ipt_match(self, m):
        a = []
        if m.get("iif"):
            a += ["-i", m["iif"]]
        if m.get("oif"):
            a += ["-o", m["oif"]]
        if m.get("src"):
            a += ["-s", m["src"]]
        if m.get("dst"):
            a += ["-d", m["dst"]]
        if m.get("proto"):
            a += ["-p", m["proto"]]
            if m.get("dport"):
                a += ["--dport", str(m["dport"])]
        if m.get("state"):
            if self.state_syntax == "state":
                a += ["-m", "state", "--state", m["state"]]
            else:
                a += ["-m", "conntrack", "--ctstate", m["state"]]
        return a

    def _ipt_target(self, target, m):
        if target == "REJECT" and m.get("proto") == "tcp" and m.get("reset"):
            return ["-j", "REJECT", "--reject-with", "tcp-reset"]
        if target == "DNAT":
            return ["-j", "DNAT", "--to-destination", m["to"]]
        if target == "SNAT":
            return ["-j", "SNAT", "--to-source", m["to"]]
        return ["-j", target]

    def render(self):
        lab = self.lab
        ns = lab.ns(self.short)
        if self.backend in ("nft", "legacy"):
            ipt = "iptables-nft" if self.backend == "nft" else "iptables-legacy"
            base = ["ip", "netns", "exec", ns, ipt, "-w"]
            for chain in ("INPUT", "FORWARD", "OUTPUT"):
                if self.policy[chain] != "ACCEPT":
                    lab.step(None, base + ["-P", chain, self.policy[chain]])
                for target, m in self.rules[chain]:
                    lab.step(None, base + ["-A", chain] + self._ipt_match(m) + self._ipt_target(target, m))
            for chain in ("PREROUTING", "POSTROUTING"):
                for target, m in self.nat[chain]:
                    lab.step(None, base + ["-t", "nat", "-A", chain] + self._ipt_match(m)
                             + self._ipt_target(target, m))
        else:
            lab.step(f"native nftables in {self.short}", ["ip", "netns", "exec", ns, "nft", "-f", "-"],
                     self._nft_text())
        if self.extra_native:
            text = "table inet extra {\n\tchain forward {\n\t\ttype filter hook forward priority 10; policy accept;\n"
            text += "".join(f"\t\t{r}\n" for r in self.extra_native)
            text += "\t}\n}\n"
            lab.step(f"an extra native nftables table in {self.short}",
                     ["ip", "netns", "exec", ns, "nft", "-f", "-"], text)

    def _nft_match(self, m):
        a = []
        if m.get("iif"):
            a.append(f'iifname "{m["iif"]}"')
        if m.get("oif"):
            a.append(f'oifname "{m["oif"]}"')
        if m.get("src"):
            a.append(f"ip saddr {m['src']}")
        if m.get("dst"):
            a.append(f"ip daddr {m['dst']}")
        if m.get("proto"):
            if m.get("dport"):
                a.append(f"{m['proto']} dport {m['dport']}")
            else:
                a.append(f"meta l4proto {m['proto']}")
        if m.get("state"):
            a.append("ct state " + m["state"].lower().replace("related,established", "established,related"))
        return a

    def _nft_verdict(self, target, m):
        if target == "REJECT":
            if m.get("proto") == "tcp" and m.get("reset"):
                return "reject with tcp reset"
            return "reject"
        if target == "DNAT":
            return f"dnat to {m['to']}"
        if target == "SNAT":
            return f"snat to {m['to']}"
        if target == "MASQUERADE":
            return "masquerade"
        return target.lower()

    def _nft_text(self):
        out = ["table inet fw {"]
        for chain, hook in (("INPUT", "input"), ("FORWARD", "forward"), ("OUTPUT", "output")):
            if self.policy[chain] == "ACCEPT" and not self.rules[chain]:
                continue
            out.append(f"\tchain {hook} {{")
            out.append(f"\t\ttype filter hook {hook} priority filter; policy {self.policy[chain].lower()};")
            for target, m in self.rules[chain]:
                out.append("\t\t" + " ".join(self._nft_match(m) + [self._nft_verdict(target, m)]))
            out.append("\t}")
        out.append("}")
        if self.nat["PREROUTING"] or self.nat["POSTROUTING"]:
            out.append("table ip nat {")
            for chain, hook, prio in (("PREROUTING", "prerouting", "dstnat"),
                                      ("POSTROUTING", "postrouting", "srcnat")):
                if not self.nat[chain]:
                    continue
                out.append(f"\tchain {hook} {{")
                out.append(f"\t\ttype nat hook {hook} priority {prio}; policy accept;")
                for target, m in self.nat[chain]:
                    out.append("\t\t" + " ".join(self._nft_match(m) + [self._nft_verdict(target, m)]))
                out.append("\t}")
            out.append("}")
        return "\n".join(out) + "\n"


def weighted(rng, pairs):
    """pairs: [(value, weight), ...]"""
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


def generate(seed, prefix):
    lab = Lab(seed, prefix)
    rng = lab.rng
    k = 1 + seed % 200  # a per-seed third octet, only for readability

    has_r1 = rng.random() < 0.85
    if not has_r1:
        return generate_pair(lab, k)
    has_c2 = rng.random() < 0.5
    has_s = rng.random() < 0.5
    has_inet = rng.random() < 0.8 or not (has_c2 or has_s)
    has_r2 = has_inet and rng.random() < 0.25
    nodes = ["c1", "r1"] + (["c2"] if has_c2 else []) + (["s"] if has_s else []) \
        + (["r2"] if has_r2 else []) + (["inet"] if has_inet else [])
    for n in nodes:
        lab.add_node(n)

    backend = {n: weighted(rng, [("nft", 5), ("native", 3), ("legacy", 2)]) for n in nodes}

    # rp_filter on the routers (before any link exists, so that "default" is inherited)
    for r in [n for n in nodes if n.startswith("r")]:
        rp = weighted(rng, [(0, 4), (1, 3), (2, 2)])
        lab.sysctl(r, "net.ipv4.conf.all.rp_filter", rp)
        lab.sysctl(r, "net.ipv4.conf.default.rp_filter", rp)
        if rp:
            lab.feature(f"{r} rp_filter={rp}")
    for n in nodes:
        if not n.startswith("r"):
            lab.sysctl(n, "net.ipv4.conf.all.rp_filter", 0)
            lab.sysctl(n, "net.ipv4.conf.default.rp_filter", 0)

    # --- the clients' LAN
    lan_net = rng.choice([f"10.{k}.0", f"172.16.{k}", f"192.168.{k}"])
    clients = ["c1"] + (["c2"] if has_c2 else [])
    use_bridge = rng.random() < (0.6 if has_c2 else 0.3)
    lan_if = {}  # client -> r1's interface facing it
    client_gw = {}
    client_net = {}
    if use_bridge:
        lab.feature("bridge br0 in r1")
        lab.ip("r1", "link", "add", "br0", "type", "bridge")
        lab.links["r1"].append("br0")
        for i, c in enumerate(clients, 1):
            lab.veth("r1", f"v{c}", c, "eth0")
            lab.ip("r1", "link", "set", f"v{c}", "master", "br0")
            lab.ip("r1", "link", "set", f"v{c}", "up")
            lab.ip(c, "addr", "add", f"{lan_net}.{i}/24", "dev", "eth0")
            lab.addr[c] = f"{lan_net}.{i}"
            lan_if[c] = "br0"
            client_gw[c] = f"{lan_net}.254"
            client_net[c] = f"{lan_net}.0/24"
        lab.ip("r1", "addr", "add", f"{lan_net}.254/24", "dev", "br0")
        lab.ip("r1", "link", "set", "br0", "up")
        lab.addr["r1"] = f"{lan_net}.254"
    else:
        base = ipaddress.ip_network(f"{lan_net}.0/24")
        for i, c in enumerate(clients, 1):
            net = base if i == 1 else ipaddress.ip_network(f"10.{(k + 100) % 250 + 1}.{i}.0/24")
            p = str(net.network_address)[:-2]
            lab.veth("r1", f"v{c}", c, "eth0")
            lab.ip("r1", "addr", "add", f"{p}.254/24", "dev", f"v{c}")
            lab.ip("r1", "link", "set", f"v{c}", "up")
            lab.ip(c, "addr", "add", f"{p}.1/24", "dev", "eth0")
            lab.addr[c] = f"{p}.1"
            lan_if[c] = f"v{c}"
            client_gw[c] = f"{p}.254"
            client_net[c] = str(net)
        lab.addr["r1"] = client_gw["c1"]
    for c in clients:
        lab.ip(c, "link", "set", "eth0", "up")

    # a client that sources from a secondary address (the rp_filter case)
    alias = {}
    if rng.random() < 0.15:
        alias["c1"] = f"10.200.{k}.1"
        lab.ip("c1", "addr", "add", f"10.200.{k}.1/32", "dev", "lo")
        lab.feature("c1 sources from 10.200.%d.1 (on lo)" % k)

    # client routes
    for c in clients:
        gw = client_gw[c]
        src = ["src", alias[c]] if c in alias else []
        mode = weighted(rng, [("default", 8), ("specific", 1.5), ("none", 0.7)])
        if mode == "default":
            lab.ip(c, "route", "add", "default", "via", gw, *src)
        elif mode == "specific":
            lab.feature(f"{c} has specific routes only")
            for dst in ("203.0.113.0/24", "198.51.100.0/24", "192.168.0.0/16", "10.0.0.0/8"):
                if rng.random() < 0.6 and not ipaddress.ip_network(dst).overlaps(
                        ipaddress.ip_network(client_net[c])):
                    lab.ip(c, "route", "add", dst, "via", gw, *src)
        else:
            lab.feature(f"{c} has no route beyond its subnet")

    # --- the server behind r1 (a DMZ)
    if has_s:
        dmz = f"192.168.{(k + 50) % 250 + 1}" if not lan_net.startswith("192.168") else f"172.20.{k}"
        lab.veth("r1", "dmz", "s", "eth0")
        lab.ip("r1", "addr", "add", f"{dmz}.1/24", "dev", "dmz")
        lab.ip("r1", "link", "set", "dmz", "up")
        lab.ip("s", "addr", "add", f"{dmz}.2/24", "dev", "eth0")
        lab.ip("s", "link", "set", "eth0", "up")
        lab.addr["s"] = f"{dmz}.2"
        if rng.random() < 0.88:
            lab.ip("s", "route", "add", "default", "via", f"{dmz}.1")
        else:
            lab.feature("s has no default route")
        lab.listeners["s"] = ["tcp:80", "tcp:443", f"udp:{UDP_PORT}"]

    # --- the uplink: r1 -> (r2 ->) inet
    edge = "r2" if has_r2 else "r1"  # the router holding 198.51.100.10
    if has_r2:
        tr = f"10.254.{k}"
        lab.veth("r1", "eth0", "r2", "eth1")
        lab.ip("r1", "addr", "add", f"{tr}.1/24", "dev", "eth0")
        lab.ip("r2", "addr", "add", f"{tr}.2/24", "dev", "eth1")
        lab.ip("r1", "link", "set", "eth0", "up")
        lab.ip("r2", "link", "set", "eth1", "up")
        up_gw_r1 = f"{tr}.2"
    if has_inet:
        lab.veth(edge, "eth0", "inet", "eth0")
        lab.ip(edge, "addr", "add", f"{UPLINK_R}/24", "dev", "eth0")
        lab.ip(edge, "link", "set", "eth0", "up")
        lab.ip("inet", "addr", "add", f"{UPLINK_I}/24", "dev", "eth0")
        lab.ip("inet", "addr", "add", f"{PUBLIC}/32", "dev", "lo")
        lab.ip("inet", "link", "set", "eth0", "up")
        lab.addr["inet"] = PUBLIC
        lab.listeners["inet"] = ["tcp:80", "tcp:443", f"udp:{UDP_PORT}"]
        if not has_r2:
            up_gw_r1 = UPLINK_I

    # r1's routes, maybe through a policy rule
    lan_nets = sorted(set(client_net.values()))
    if has_inet:
        mode = weighted(rng, [("default", 7), ("pbr", 1.5), ("specific", 0.7), ("none", 0.8)])
        if mode == "default":
            lab.ip("r1", "route", "add", "default", "via", up_gw_r1)
        elif mode == "pbr":
            lab.feature("r1 routes the LAN through policy table 100")
            lab.ip("r1", "route", "add", "default", "via", up_gw_r1, "table", "100")
            for net in lan_nets:
                lab.ip("r1", "rule", "add", "from", net, "lookup", "100", "pref", "1000")
            if alias:
                if rng.random() < 0.5:
                    lab.ip("r1", "rule", "add", "from", alias["c1"], "lookup", "100", "pref", "1001")
        elif mode == "specific":
            lab.feature("r1 routes only 203.0.113.0/24 upstream")
            lab.ip("r1", "route", "add", "203.0.113.0/24", "via", up_gw_r1)
        else:
            lab.feature("r1 has no route upstream")
        if rng.random() < 0.08:
            what = rng.choice(["prohibit", "blackhole", "unreachable"])
            lab.feature(f"r1: ip rule to {PUBLIC} {what}")
            lab.ip("r1", "rule", "add", "to", PUBLIC, what, "pref", "500")
    if "c1" in alias:
        r = weighted(rng, [("lan", 5), ("up", 2), ("none", 3)])
        if r == "lan":
            lab.ip("r1", "route", "add", f"10.200.{k}.0/24", "via", lab.addr["c1"])
        elif r == "up" and has_inet:
            lab.feature("r1 routes 10.200.%d.0/24 upstream (asymmetric)" % k)
            lab.ip("r1", "route", "add", f"10.200.{k}.0/24", "via", up_gw_r1)
    if has_r2:
        if rng.random() < 0.85:
            lab.ip("r2", "route", "add", "default", "via", UPLINK_I)
        back = rng.random() < 0.7
        if back:
            for net in lan_nets + ([f"10.200.{k}.0/24"] if alias else []):
                lab.ip("r2", "route", "add", net, "via", f"{tr}.1")
            if has_s:
                lab.ip("r2", "route", "add", f"{lab.addr['s'].rsplit('.', 1)[0]}.0/24", "via", f"{tr}.1")
        else:
            lab.feature("r2 has no route back to the LAN")

    # the internet's way back to the private ranges (usually none: NAT is needed)
    if has_inet and rng.random() < 0.3:
        lab.feature("inet routes the private ranges back")
        for net in lan_nets + ([f"10.200.{k}.0/24"] if alias else []):
            lab.ip("inet", "route", "add", net, "via", UPLINK_R)
        if has_s:
            lab.ip("inet", "route", "add", f"{lab.addr['s'].rsplit('.', 1)[0]}.0/24", "via", UPLINK_R)

    # forwarding
    for r in [n for n in nodes if n.startswith("r")]:
        on = rng.random() < 0.85
        lab.sysctl(r, "net.ipv4.ip_forward", 1 if on else 0)
        if not on:
            lab.feature(f"{r} ip_forward=0")
        elif r == "r1" and rng.random() < 0.05:
            lab.feature(f"r1 forwarding=0 on {lan_if['c1']}")
            lab.sysctl(r, f"net.ipv4.conf.{lan_if['c1']}.forwarding", 0)

    # --- firewalls
    r1fw = lab.firewall("r1", backend["r1"])
    lab.feature(f"r1 firewall {backend['r1']}")
    up_if = "eth0"
    strict = rng.random() < 0.55
    if strict:
        r1fw.policy["FORWARD"] = "DROP"
        lab.feature("r1 FORWARD policy drop")
        for lif in sorted(set(lan_if.values())):
            if has_inet and rng.random() < 0.85:
                r1fw.add("FORWARD", "ACCEPT", iif=lif, oif=up_if)
            if has_s and rng.random() < 0.7:
                r1fw.add("FORWARD", "ACCEPT", iif=lif, oif="dmz")
        if rng.random() < 0.8:
            r1fw.add("FORWARD", "ACCEPT", state="RELATED,ESTABLISHED")
        else:
            lab.feature("r1 no ESTABLISHED accept")
        if use_bridge and has_c2 and rng.random() < 0.5:
            r1fw.add("FORWARD", "ACCEPT", iif="br0", oif="br0")
    if rng.random() < 0.25:
        # an explicit drop of something specific, before everything else
        kind = rng.choice(["tcp443", "icmp", "c1", "udp"])
        tgt = rng.choice(["DROP", "REJECT"])
        lab.feature(f"r1 FORWARD explicit {tgt} {kind}")
        if kind == "tcp443":
            r1fw.rules["FORWARD"].insert(0, (tgt, dict(proto="tcp", dport=443, reset=rng.random() < 0.5)))
        elif kind == "icmp":
            r1fw.rules["FORWARD"].insert(0, (tgt, dict(proto="icmp", dst=PUBLIC if has_inet else None)))
        elif kind == "c1":
            r1fw.rules["FORWARD"].insert(0, (tgt, dict(src=lab.addr["c1"] + "/32")))
        else:
            r1fw.rules["FORWARD"].insert(0, (tgt, dict(proto="udp", dport=UDP_PORT)))
    if rng.random() < 0.15:
        lab.feature("r1 INPUT drops icmp from the LAN")
        r1fw.add("INPUT", rng.choice(["DROP", "REJECT"]), proto="icmp", iif=lan_if["c1"])
    # NAT on the edge router
    edgefw = r1fw if edge == "r1" else lab.firewall("r2", backend["r2"])
    if has_inet:
        nat = weighted(rng, [("masq", 5), ("snat", 2), ("none", 3)])
        natsrc = rng.choice([None] + lan_nets[:1]) if edge == "r1" else None
        if nat == "masq":
            edgefw.add_nat("POSTROUTING", "MASQUERADE", oif="eth0", src=natsrc)
        elif nat == "snat":
            edgefw.add_nat("POSTROUTING", "SNAT", oif="eth0", src=natsrc, to=UPLINK_R)
        if nat != "none":
            lab.feature(f"{edge} {nat} on eth0" + (f" for {natsrc}" if natsrc else ""))
        else:
            lab.feature(f"{edge} no SNAT")
    if has_r2:
        r2fw = edgefw
        lab.feature(f"r2 firewall {backend['r2']}")
        if rng.random() < 0.4:
            r2fw.policy["FORWARD"] = "DROP"
            r2fw.add("FORWARD", "ACCEPT", iif="eth1", oif="eth0")
            if rng.random() < 0.75:
                r2fw.add("FORWARD", "ACCEPT", state="RELATED,ESTABLISHED")
            lab.feature("r2 FORWARD policy drop")
    # published port: PUBLIC side 198.51.100.10:8080 -> s:80 (or, rarely, back to c1)
    published = None
    if has_inet and edge == "r1" and (has_s or rng.random() < 0.1) and rng.random() < 0.6:
        target = "s" if has_s and rng.random() < 0.9 else "c1"
        published = target
        only_uplink = rng.random() < 0.4
        r1fw.add_nat("PREROUTING", "DNAT", iif="eth0" if only_uplink else None, dst=UPLINK_R,
                     proto="tcp", dport=PUB_PORT, to=f"{lab.addr[target]}:80")
        lab.feature(f"r1 publishes {UPLINK_R}:{PUB_PORT} -> {target}:80"
                    + (" (-i eth0)" if only_uplink else ""))
        if strict and rng.random() < 0.8:
            r1fw.add("FORWARD", "ACCEPT", dst=lab.addr[target], proto="tcp", dport=80)
        if target == "c1":
            lab.listeners["c1"] = ["tcp:80"]
    # a native nftables drop next to the iptables rules (the "wrong backend" case)
    if backend["r1"] != "native" and rng.random() < 0.12:
        what = rng.choice([f"ip daddr {PUBLIC} tcp dport 80 drop", "meta l4proto icmp drop",
                           f"ip saddr {lab.addr['c1']} drop"])
        r1fw.extra_native.append(what)
        lab.feature(f"r1 also has native nft: {what}")

    # endpoint firewalls
    for n in [x for x in ("s", "inet", "c2") if x in nodes]:
        if rng.random() < 0.25:
            fw = lab.firewall(n, backend[n])
            kind = rng.choice(["tcp443", "icmp", "policy", "udp"])
            lab.feature(f"{n} INPUT {kind} ({backend[n]})")
            if kind == "tcp443":
                fw.add("INPUT", rng.choice(["DROP", "REJECT"]), proto="tcp", dport=443,
                       reset=rng.random() < 0.5)
            elif kind == "icmp":
                fw.add("INPUT", "DROP", proto="icmp")
            elif kind == "udp":
                fw.add("INPUT", "DROP", proto="udp", dport=UDP_PORT)
            else:
                fw.policy["INPUT"] = "DROP"
                fw.add("INPUT", "ACCEPT", iif="lo")
                fw.add("INPUT", "ACCEPT", state="RELATED,ESTABLISHED")
                fw.add("INPUT", "ACCEPT", proto="tcp", dport=80)
    if rng.random() < 0.12:
        fw = lab.firewall("c1", backend["c1"])
        kind = rng.choice(["out-public", "in-policy"])
        lab.feature(f"c1 {kind} ({backend['c1']})")
        if kind == "out-public" and has_inet:
            fw.add("OUTPUT", rng.choice(["DROP", "REJECT"]), dst=PUBLIC, proto=rng.choice(["icmp", "tcp"]))
        else:
            fw.policy["INPUT"] = "DROP"
            fw.add("INPUT", "ACCEPT", iif="lo")
            if rng.random() < 0.5:
                fw.add("INPUT", "ACCEPT", state="RELATED,ESTABLISHED")
            else:
                lab.feature("c1 INPUT accepts nothing but lo")
    if has_c2:
        lab.listeners.setdefault("c2", ["tcp:80"])

    for short in nodes:
        if short in lab.fw:
            lab.fw[short].render()

    # --- probes
    cand = []
    if has_inet:
        cand += [("c1", PUBLIC, "icmp", None), ("c1", PUBLIC, "tcp", rng.choice(TCP_PORTS)),
                 ("c1", PUBLIC, "udp", UDP_PORT)]
        if has_c2:
            cand.append(("c2", PUBLIC, "icmp", None))
        cand.append(("c1", UPLINK_I, "icmp", None))
    if has_s:
        cand += [("c1", lab.addr["s"], "icmp", None), ("c1", lab.addr["s"], "tcp", rng.choice(TCP_PORTS))]
        if has_inet:
            cand.append(("s", PUBLIC, "tcp", 80))
    if has_c2:
        cand += [("c1", lab.addr["c2"], "icmp", None), ("c1", lab.addr["c2"], "tcp", 80)]
    cand.append(("c1", lab.addr["r1"], "icmp", None))
    if published:
        cand.append(("inet", UPLINK_R, "tcp", PUB_PORT))
        if published == "c1" or rng.random() < 0.5:
            cand.append(("c1", UPLINK_R, "tcp", PUB_PORT))
    must = [p for p in cand if p[2] == "tcp" and p[3] == PUB_PORT]
    rest = [p for p in cand if p not in must]
    rng.shuffle(rest)
    chosen = must + rest[: max(0, 5 - len(must))]
    for src, dst, proto, port in chosen:
        lab.probes.append(dict(src=src, dst=dst, proto=proto, port=port))
    return lab


def generate_pair(lab, k):
    """Two namespaces on one veth: c1 and a server s (the smallest lab)."""
    rng = lab.rng
    for n in ("c1", "s"):
        lab.add_node(n)
        lab.sysctl(n, "net.ipv4.conf.all.rp_filter", 0)
    net = rng.choice([f"10.{k}.9", f"172.17.{k}", f"192.168.{k}"])
    lab.veth("c1", "eth0", "s", "eth0")
    lab.ip("c1", "addr", "add", f"{net}.1/24", "dev", "eth0")
    lab.ip("s", "addr", "add", f"{net}.2/24", "dev", "eth0")
    lab.ip("c1", "link", "set", "eth0", "up")
    if rng.random() < 0.92:
        lab.ip("s", "link", "set", "eth0", "up")
    else:
        lab.feature("s eth0 down")
    lab.addr["c1"] = f"{net}.1"
    lab.addr["s"] = f"{net}.2"
    lab.listeners["s"] = ["tcp:80", "tcp:443", f"udp:{UDP_PORT}"]
    backend = weighted(rng, [("nft", 5), ("native", 3), ("legacy", 2)])
    if rng.random() < 0.6:
        fw = lab.firewall("s", backend)
        kind = rng.choice(["tcp443", "icmp", "policy", "udp", "src"])
        lab.feature(f"s INPUT {kind} ({backend})")
        if kind == "tcp443":
            fw.add("INPUT", rng.choice(["DROP", "REJECT"]), proto="tcp", dport=443, reset=rng.random() < 0.5)
        elif kind == "icmp":
            fw.add("INPUT", rng.choice(["DROP", "REJECT"]), proto="icmp")
        elif kind == "udp":
            fw.add("INPUT", "DROP", proto="udp", dport=UDP_PORT)
        elif kind == "src":
            fw.add("INPUT", "DROP", src=f"{net}.1/32")
        else:
            fw.policy["INPUT"] = "DROP"
            fw.add("INPUT", "ACCEPT", state="RELATED,ESTABLISHED")
            fw.add("INPUT", "ACCEPT", proto="tcp", dport=80)
        if rng.random() < 0.3:
            fw.add("OUTPUT", "DROP", proto="icmp")
            lab.feature("s OUTPUT drops icmp")
        fw.render()
    for proto, port in (("icmp", None), ("tcp", 80), ("tcp", 443), ("udp", UDP_PORT)):
        lab.probes.append(dict(src="c1", dst=lab.addr["s"], proto=proto, port=port))
    return lab


# ---------------------------------------------------------------------------------------
# Shell rendering (for reproductions)


def shell_script(lab):
    out = ["#!/bin/bash",
           f"# randlab.py seed {lab.seed}: " + ("; ".join(lab.features) or "plain"),
           "set -e",
           f"P={shlex.quote(lab.prefix)}",
           "cleanup() { for ns in " + " ".join(f"${{P}}{n}" for n in lab.nodes)
           + "; do for p in $(ip netns pids $ns 2>/dev/null); do kill $p; done;"
           " ip netns del $ns 2>/dev/null; done; }",
           "trap cleanup EXIT"]
    for comment, argv, stdin in lab.steps:
        if comment:
            out.append(f"# {comment}")
        line = " ".join(shlex.quote(a).replace(shlex.quote(lab.prefix), "${P}") if lab.prefix in a
                        else shlex.quote(a) for a in argv)
        line = line.replace(lab.prefix, "${P}")
        if stdin is not None:
            out.append(line + " <<'NFT'")
            out.append(stdin.rstrip("\n").replace(lab.prefix, "${P}"))
            out.append("NFT")
        else:
            out.append(line)
    for short, ports in lab.listeners.items():
        out.append(f"nsenter --net=/run/netns/${{P}}{short} python3 {shlex.quote(LISTEN)} "
                   + " ".join(ports) + " >/dev/null &")
    out.append("sleep 0.5")
    for p in lab.probes:
        out.append(f"# probe: {p['src']} -> {p['dst']} {p['proto']}" + (f" {p['port']}" if p["port"] else ""))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------
# Running


class Runner:
    def __init__(self, nstrace, live=True, fixes=True, quiet=False):
        self.nstrace = nstrace
        self.live = live
        self.fixes = fixes
        self.quiet = quiet
        self.lab = None
        self.procs = []

    # -- building and tearing down ------------------------------------------------------
    def build(self, lab):
        self.lab = lab
        for comment, argv, stdin in lab.steps:
            r = subprocess.run(argv, input=stdin, text=True, capture_output=True)
            if r.returncode != 0:
                raise RuntimeError(f"seed {lab.seed}: build step failed: {' '.join(argv)}: "
                                   f"{r.stderr.strip()}")
        for short, ports in lab.listeners.items():
            p = subprocess.Popen(["nsenter", f"--net=/run/netns/{lab.ns(short)}", sys.executable,
                                  LISTEN] + ports, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 stdin=subprocess.DEVNULL, text=True)
            self.procs.append(p)
            line = p.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"seed {lab.seed}: listener in {short} did not start")
        self.wait_links(lab)

    def wait_links(self, lab):
        end = time.time() + 3
        for short in lab.nodes:
            while time.time() < end:
                r = subprocess.run(["ip", "-j", "-n", lab.ns(short), "link", "show"],
                                   capture_output=True, text=True)
                try:
                    links = json.loads(r.stdout or "[]")
                except ValueError:
                    links = []
                pending = [lk for lk in links if "UP" in lk.get("flags", [])
                           and lk.get("operstate") not in ("UP", "UNKNOWN")
                           and "NO-CARRIER" not in lk.get("flags", [])]
                if not pending:
                    break
                time.sleep(0.05)

    def teardown(self):
        lab = self.lab
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdout:
                p.stdout.close()
        self.procs = []
        if lab is None:
            return
        for short in lab.nodes:
            ns = lab.ns(short)
            if not os.path.exists(f"/run/netns/{ns}"):
                continue
            r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
            for pid in r.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.lab = None

    # -- the three verdicts -----------------------------------------------------------
    def kernel(self, lab, probe, tries=1):
        ns = lab.ns(probe["src"])
        for _ in range(tries):
            if probe["proto"] == "icmp":
                r = subprocess.run(["nsenter", f"--net=/run/netns/{ns}", "ping", "-n", "-q", "-c1",
                                    "-W1", probe["dst"]], capture_output=True, text=True)
                ok = r.returncode == 0
            else:
                r = subprocess.run(["nsenter", f"--net=/run/netns/{ns}", sys.executable, "-c",
                                    KERNEL_CLIENT, probe["proto"], probe["dst"], str(probe["port"])],
                                   capture_output=True, text=True)
                ok = r.stdout.strip() == "reached"
            if ok:
                return "reached"
        return "no"

    def nstrace_args(self, lab, probe):
        a = [self.nstrace, probe["dst"], "from", lab.ns(probe["src"])]
        if probe["proto"] != "icmp":
            a += ["proto", probe["proto"], "port", str(probe["port"])]
        return a

    def run_nstrace(self, args):
        r = subprocess.run(args, capture_output=True, text=True, timeout=30)
        try:
            j = json.loads(r.stdout)
        except ValueError:
            j = {"verdict": f"error(rc={r.returncode})", "stderr": r.stderr[-2000:], "stdout": r.stdout[-2000:]}
        j["_rc"] = r.returncode
        return j

    def simulate(self, lab, probe):
        return self.run_nstrace(self.nstrace_args(lab, probe) + ["--simulate", "-j"])

    def live_trace(self, lab, probe):
        return self.run_nstrace(self.nstrace_args(lab, probe) + ["-j", "--timeout", "1"])

    # -- fixes --------------------------------------------------------------------------
    def fix_lines(self, sim):
        lines = []
        for d in sim.get("diagnosis") or []:
            if d.get("code") == "KERNEL_DISAGREES":
                continue
            fix = d.get("fix") or ""
            for line in fix.splitlines():
                line = line.strip()
                if line and line not in lines:
                    lines.append(line)
        return lines

    def fix_is_safe(self, lab, line):
        ok_prefix = (f"ip netns exec {lab.prefix}", f"nsenter --net=/run/netns/{lab.prefix}")
        for part in re.split(r"&&|\|\||;|\|", line):
            part = part.strip()
            if not part:
                continue
            if "`" in part or "$(" in part or not part.startswith(ok_prefix):
                return False
        return True

    def try_fixes(self, lab, probe, lines):
        """Rebuild the lab, paste the fixes, ask the kernel.  Returns (worked, log)."""
        log = []
        self.teardown()
        self.build(generate(lab.seed, lab.prefix))
        for line in lines:
            if not self.fix_is_safe(lab, line):
                log.append(f"NOT RUN (would not run inside the lab): {line}")
                return False, log
            r = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=20)
            log.append(f"$ {line}  -> rc {r.returncode}" + (f": {r.stderr.strip()}" if r.returncode else ""))
        time.sleep(0.1)
        worked = self.kernel(self.lab, probe, tries=2) == "reached"
        after = self.simulate(self.lab, probe)
        log.append(f"kernel after the fixes: {'reached' if worked else 'not reached'}; "
                   f"--simulate after the fixes: {after.get('verdict')} "
                   f"{[d.get('code') for d in after.get('diagnosis') or []]}")
        return worked, log

    # -- one seed -------------------------------------------------------------------------
    def run_seed(self, seed, prefix, out):
        lab = generate(seed, prefix)
        results = []
        try:
            self.build(lab)
            for idx, probe in enumerate(lab.probes):
                if self.lab is None or self.lab.seed != seed:
                    self.build(generate(seed, prefix))
                cur = self.lab
                k = self.kernel(cur, probe)
                sim = self.simulate(cur, probe)
                live = self.live_trace(cur, probe) if self.live else None
                rec = dict(seed=seed, probe=idx, src=probe["src"], dst=probe["dst"], proto=probe["proto"],
                           port=probe["port"], features=lab.features, kernel=k,
                           simulate=sim.get("verdict"), live=live.get("verdict") if live else None,
                           sim_causes=[d.get("code") for d in sim.get("diagnosis") or []],
                           live_causes=[d.get("code") for d in (live or {}).get("diagnosis") or []],
                           sim_summary=sim.get("summary"), live_summary=(live or {}).get("summary"))
                kr = k == "reached"
                rec["sim_agree"] = (sim.get("verdict") == "reached") == kr
                rec["live_agree"] = None if live is None else (live.get("verdict") == "reached") == kr
                if not rec["sim_agree"] or rec["live_agree"] is False:
                    rec["sim_json"] = sim
                    if live is not None:
                        rec["live_json"] = live
                if not kr and self.fixes:
                    lines = self.fix_lines(sim)
                    rec["fixes"] = lines
                    if not lines:
                        rec["fix_worked"] = None
                    else:
                        worked, log = self.try_fixes(lab, probe, lines)
                        rec["fix_worked"] = worked
                        rec["fix_log"] = log
                        if not worked:
                            rec.setdefault("sim_json", sim)
                        # the lab now carries the fixes: rebuild it for the next probe
                        self.teardown()
                results.append(rec)
                out(rec)
        finally:
            self.teardown()
        return results


KERNEL_CLIENT = r"""
import socket, sys
proto, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    if proto == "tcp":
        s = socket.create_connection((dst, port), timeout=1)
        s.close()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1)
        s.connect((dst, port))
        s.send(b"oracle")
        s.recv(64)
    print("reached")
except (OSError, socket.timeout) as e:
    print("no", type(e).__name__)
"""


def parse_seeds(spec):
    seeds = []
    for part in spec.replace(" ", ",").split(","):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            seeds += list(range(int(a), int(b) + 1))
        else:
            seeds.append(int(part))
    return seeds


def fmt(rec):
    p = f"{rec['src']} -> {rec['dst']} {rec['proto']}" + (f":{rec['port']}" if rec["port"] else "")
    s = f"seed {rec['seed']} probe {rec['probe']} ({p}): kernel={rec['kernel']} " \
        f"simulate={rec['simulate']} live={rec['live']}"
    if "fix_worked" in rec:
        s += f" fixes={'none' if rec['fix_worked'] is None else ('worked' if rec['fix_worked'] else 'FAILED')}"
    return s


def problems(rec):
    p = []
    if not rec["sim_agree"]:
        p.append("simulate disagrees with the kernel")
    if rec["live_agree"] is False:
        p.append("live disagrees with the kernel")
    if rec.get("fix_worked") is False:
        p.append("the pasted fixes did not make the kernel reach")
    if "fix_worked" in rec and rec["fix_worked"] is None:
        p.append("no fix printed for a probe the kernel does not get through")
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s1 = sub.add_parser("script")
    s1.add_argument("seed", type=int)
    s1.add_argument("--prefix", default=None)
    s2 = sub.add_parser("describe")
    s2.add_argument("seed", type=int)
    s3 = sub.add_parser("run")
    s3.add_argument("--seeds", default=os.environ.get("ORACLE_SEEDS", "1-20"))
    s3.add_argument("--nstrace", default=os.path.join(os.environ.get("NSMAP_BUILD", "build"), "nstrace"))
    s3.add_argument("--prefix", default=f"or{os.getpid()}")
    s3.add_argument("--jsonl", default=None)
    s3.add_argument("--no-live", action="store_true")
    s3.add_argument("--no-fixes", action="store_true")
    s3.add_argument("--quiet", action="store_true")
    s3.add_argument("--jobs", type=int, default=int(os.environ.get("ORACLE_JOBS", "1")),
                    help="labs built and probed at once (each worker its own prefix)")
    s3.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.cmd == "script":
        print(shell_script(generate(args.seed, args.prefix or f"ors{args.seed}-")), end="")
        return 0
    if args.cmd == "describe":
        lab = generate(args.seed, f"ors{args.seed}-")
        print(json.dumps(dict(seed=args.seed, nodes=lab.nodes, features=lab.features, probes=lab.probes),
                         indent=1))
        return 0

    if os.geteuid() != 0:
        print("randlab: needs root", file=sys.stderr)
        return 2
    if not os.access(args.nstrace, os.X_OK):
        print(f"randlab: no {args.nstrace} (build it)", file=sys.stderr)
        return 2
    runner = Runner(os.path.abspath(args.nstrace), live=not args.no_live, fixes=not args.no_fixes,
                    quiet=args.quiet)

    def on_signal(signum, _frame):
        runner.teardown()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    jf = open(args.jsonl, "a") if args.jsonl else None
    tot = dict(probes=0, sim_agree=0, live_agree=0, live_probes=0, fail_probes=0, fixes_pasted=0,
               fixes_worked=0, no_fix=0)
    bad = []

    def out(rec):
        tot["probes"] += 1
        tot["sim_agree"] += rec["sim_agree"]
        if rec["live_agree"] is not None:
            tot["live_probes"] += 1
            tot["live_agree"] += rec["live_agree"]
        if rec["kernel"] != "reached":
            tot["fail_probes"] += 1
            if rec.get("fix_worked") is not None:
                tot["fixes_pasted"] += 1
                tot["fixes_worked"] += rec["fix_worked"]
            elif "fix_worked" in rec:
                tot["no_fix"] += 1
        pr = problems(rec)
        if jf:
            jf.write(json.dumps(rec) + "\n")
            jf.flush()
        if pr:
            bad.append(rec)
            print("DISAGREE " + fmt(rec) + ": " + "; ".join(pr), flush=True)
            print("    lab: " + "; ".join(rec["features"]), flush=True)
            print(f"    simulate: {rec['sim_causes']} {rec['sim_summary']}", flush=True)
            if rec["live"] is not None:
                print(f"    live:     {rec['live_causes']} {rec['live_summary']}", flush=True)
            for line in rec.get("fix_log") or []:
                print(f"    fix: {line}", flush=True)
            for what in ("sim_json", "live_json"):
                j = rec.get(what)
                if j:
                    short = dict(verdict=j.get("verdict"), summary=j.get("summary"),
                                 diagnosis=[{k: d.get(k) for k in ("code", "netns", "message", "fix")}
                                            for d in j.get("diagnosis") or []])
                    print(f"    {what[:-5]} output: {json.dumps(short)}", flush=True)
            print(f"    reproduce: {sys.argv[0]} script {rec['seed']}", flush=True)
        elif not args.quiet:
            print("ok       " + fmt(rec), flush=True)

    seeds = parse_seeds(args.seeds)
    if args.worker:
        # one JSON record a line on stdout, for the parent
        def wout(rec):
            print(json.dumps(rec), flush=True)
        try:
            for seed in seeds:
                try:
                    runner.run_seed(seed, f"{args.prefix}s{seed}-", wout)
                except RuntimeError as e:
                    print(json.dumps(dict(seed=seed, error=str(e))), flush=True)
        finally:
            runner.teardown()
        return 0
    children = []

    def on_signal_parent(signum, _frame):
        for c in children:
            if c.poll() is None:
                c.send_signal(signum)
        for c in children:
            c.wait()
        runner.teardown()
        sys.exit(128 + signum)

    def record(rec):
        if "error" in rec:
            print(f"ERROR seed {rec['seed']}: {rec['error']}", flush=True)
            bad.append(rec)
        else:
            out(rec)

    try:
        if args.jobs <= 1:
            for seed in seeds:
                try:
                    runner.run_seed(seed, f"{args.prefix}s{seed}-", out)
                except RuntimeError as e:
                    record(dict(seed=seed, error=str(e)))
        else:
            signal.signal(signal.SIGTERM, on_signal_parent)
            signal.signal(signal.SIGINT, on_signal_parent)
            import selectors
            sel = selectors.DefaultSelector()
            for j in range(args.jobs):
                part = seeds[j::args.jobs]
                if not part:
                    continue
                cmd = [sys.executable, os.path.abspath(__file__), "run", "--worker",
                       "--seeds", ",".join(map(str, part)), "--nstrace", args.nstrace,
                       "--prefix", f"{args.prefix}j{j}"]
                cmd += ["--no-live"] if args.no_live else []
                cmd += ["--no-fixes"] if args.no_fixes else []
                c = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
                children.append(c)
                sel.register(c.stdout, selectors.EVENT_READ, c)
            open_ = len(children)
            while open_:
                for key, _ in sel.select():
                    line = key.fileobj.readline()
                    if not line:
                        sel.unregister(key.fileobj)
                        open_ -= 1
                        continue
                    try:
                        record(json.loads(line))
                    except ValueError:
                        print(line, end="", flush=True)
            for c in children:
                c.wait()
    finally:
        runner.teardown()
        if jf:
            jf.close()
    print(f"summary: probes {tot['probes']}; simulate agrees {tot['sim_agree']}/{tot['probes']}; "
          f"live agrees {tot['live_agree']}/{tot['live_probes']}; kernel fails {tot['fail_probes']}: "
          f"fixes pasted {tot['fixes_pasted']}, worked {tot['fixes_worked']}, no fix printed {tot['no_fix']}",
          flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
