#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nf-fidelity.py - how exactly nsmap reads back the rules of the nftables and iptables test suites.

usage: nf-fidelity.py [--nsmap PATH] [--out DIR] [--only nft|ipt] NFT_SUITE IPT_SUITE

NFT_SUITE is an nftables source tree (or bare git repository) with tests/py/<family>/*.t;
IPT_SUITE an iptables one with extensions/*.t. The suites are read, never copied. Each test
file is loaded into a lab namespace of its own (root needed; removed on every exit), every
rule that loads here is listed by the system's tool (`nft -s -a list ruleset`,
`iptables-save`, `ip6tables-save`, legacy and nft backends) and compared with the text in
nsmap's snapshot of that namespace:

  exact   the same text (leading/trailing blanks aside)
  marked  a different text, and nsmap marks the rule unsupported
  wrong   a different text without a marker: must be zero

Rules that are exact but marked (nsmap's structure not proven or a part not modelled, so the
walk does not evaluate them) are counted apart. Details of every marked and wrong rule go to
DIR/*.tsv.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

PREFIX = "nsmfid%d_" % os.getpid()
made = []


def sh(args, ns=None, check=False, inp=None):
    if ns:
        args = ["nsenter", "--net=/run/netns/" + ns] + args
    p = subprocess.run(args, input=inp, capture_output=True, text=True)
    if check and p.returncode:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr.strip()))
    return p


def ns_new(tag):
    name = PREFIX + tag
    sh(["ip", "netns", "add", name], check=True)
    made.append(name)
    sh(["ip", "link", "set", "lo", "up"], ns=name)
    return name


def ns_del(name):
    sh(["ip", "netns", "del", name])
    if name in made:
        made.remove(name)


class Suite:
    """Files of a source tree or of a bare git repository."""

    def __init__(self, path):
        self.path = path
        self.git = not os.path.isdir(os.path.join(path, "tests")) and \
            not os.path.isdir(os.path.join(path, "extensions"))

    def files(self, pattern):
        rx = re.compile(pattern)
        if self.git:
            out = sh(["git", "-C", self.path, "ls-tree", "-r", "--name-only", "HEAD"],
                     check=True).stdout.split()
        else:
            out = []
            for d, _, fs in os.walk(self.path):
                out += [os.path.relpath(os.path.join(d, f), self.path) for f in fs]
        return sorted(f for f in out if rx.fullmatch(f))

    def read(self, f):
        if self.git:
            return sh(["git", "-C", self.path, "show", "HEAD:" + f], check=True).stdout
        with open(os.path.join(self.path, f), encoding="utf-8", errors="replace") as fh:
            return fh.read()


def snapshot(nsmap, ns):
    p = sh([nsmap, "-T", "json", "-n", ns])
    if p.returncode:
        raise RuntimeError("nsmap failed on %s: %s" % (ns, p.stderr.strip()))
    return json.loads(p.stdout)["namespaces"][0].get("netfilter") or {}


class Tally:
    def __init__(self):
        self.c = collections.Counter()
        self.rows = collections.defaultdict(list)

    def add(self, key, want, rule, where):
        got = (rule or {}).get("text")
        marked = bool((rule or {}).get("unsupported"))
        if rule is None:
            cls = "wrong"
            got = "<missing>"
        elif got.strip() == want.strip():
            cls = "exact"
            if marked:
                self.c[key + (" exact-marked",)] += 1
        elif marked:
            cls = "marked"
        else:
            cls = "wrong"
        self.c[key + (cls,)] += 1
        self.c[key + ("loaded",)] += 1
        if cls != "exact":
            self.rows[cls].append((" ".join(key), where, want, got, (rule or {}).get("why", "")))


# ---- nftables tests/py ----

def nft_blocks(text):
    chains, tables, sets, rules = {}, [], [], []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("- "):
            continue
        if line.startswith(":"):
            name, _, spec = line[1:].partition(";")
            chains[name] = spec
        elif line.startswith("*"):
            fam, tab, chs = (line[1:].split(";") + ["", ""])[:3]
            tables.append((fam, tab, chs.split(",")))
        elif line[0] in "!%":
            body, _, res = line[1:].rpartition(";")
            if res.strip() == "ok":
                sets.append((line[0], body))
        elif line[0] in "?":
            continue
        else:
            parts = line.split(";")
            if len(parts) >= 2 and parts[1].strip() == "ok":
                rules.append(parts[0])
    return chains, tables, sets, rules


def set_decl(kind, body):
    name, _, rest = body.partition(" ")
    rest = rest.strip()
    for kw in (" flags ", " timeout ", " size ", " policy "):
        rest = rest.replace(kw, ";" + kw)
    return "%s %s { %s; }" % ("map" if kind == "%" else "set", name, rest)


def run_nft(args, suite, nsmap, tally):
    for f in suite.files(r"tests/py/[^/]+/[^/]+\.t"):
        chains, tables, sets, rules = nft_blocks(suite.read(f))
        for fam, tab, chs in tables:
            ns = ns_new("n")
            try:
                ok = sh(["nft", "add", "table", fam, tab], ns=ns).returncode == 0
                for ch in chs:
                    spec = chains.get(ch, "")
                    if ok:
                        ok = sh(["nft", "add", "chain", fam, tab, ch, "{ %s; }" % spec],
                                ns=ns).returncode == 0
                if not ok:
                    tally.c[("nft", fam, "table does not load")] += 1
                    continue
                for kind, body in sets:
                    sh(["nft", "add", fam, tab] + [set_decl(kind, body)], ns=ns)
                for r in rules:
                    for ch in chs:
                        if sh(["nft", "add", "rule", fam, tab, ch, r], ns=ns).returncode:
                            tally.c[("nft", fam, "does not load")] += 1
                compare_nft(ns, fam, tab, nsmap, tally, f)
            finally:
                ns_del(ns)


def compare_nft(ns, fam, tab, nsmap, tally, where):
    listing = sh(["nft", "-s", "-a", "list", "table", fam, tab], ns=ns).stdout
    want = {}
    depth_chain = False
    for line in listing.splitlines():
        if line.startswith("\tchain "):
            depth_chain = True
        elif line == "\t}":
            depth_chain = False
        elif depth_chain and line.startswith("\t\t"):
            m = re.search(r" # handle (\d+)$", line)
            if m:
                want[int(m.group(1))] = line[2:m.start()]
    nf = snapshot(nsmap, ns)
    have = {}
    for t in nf.get("tables", []):
        if t.get("name") == tab and t.get("family") == fam:
            for c in t.get("chains", []):
                for r in c.get("rules", []):
                    have[r.get("handle")] = r
    for h, text in want.items():
        tally.add(("nft", fam), text, have.get(h), where)


# ---- iptables extensions/*.t ----

def ipt_blocks(text):
    chains, table, out = ["INPUT"], "filter", []
    for line in text.splitlines():
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if line.startswith(":"):
            chains = line[1:].split(",")
        elif line.startswith("*"):
            table = line[1:].strip()
        elif line.startswith("-"):
            parts = line.split(";")
            if len(parts) >= 3 and parts[2].strip().upper() == "OK":
                out.append((table, list(chains), parts[0]))
    return out


def run_ipt(args, suite, nsmap, tally):
    tools = [("iptables", "iptables-nft", "iptables-nft-save", "iptables-nft"),
             ("ip6tables", "ip6tables-nft", "ip6tables-nft-save", "iptables-nft"),
             ("iptables", "iptables-legacy", "iptables-legacy-save", "iptables-legacy"),
             ("ip6tables", "ip6tables-legacy", "ip6tables-legacy-save", "iptables-legacy")]
    for f in suite.files(r"extensions/lib(xt|ipt|ip6t)_[^/]+\.t"):
        base = os.path.basename(f)
        rules = ipt_blocks(suite.read(f))
        if not rules:
            continue
        for fam, cmd, save, backend in tools:
            if base.startswith("libipt_") and fam == "ip6tables":
                continue
            if base.startswith("libip6t_") and fam == "iptables":
                continue
            ns = ns_new("i")
            try:
                for table, chains, r in rules:
                    for ch in chains:
                        a = [cmd, "-t", table, "-A", ch] + split_rule(r)
                        if sh(a, ns=ns).returncode:
                            tally.c[(backend, fam, "does not load")] += 1
                compare_ipt(ns, fam, save, backend, nsmap, tally, f)
            finally:
                ns_del(ns)


def split_rule(r):
    import shlex
    try:
        return shlex.split(r)
    except ValueError:
        return r.split()


def compare_ipt(ns, fam, save, backend, nsmap, tally, where):
    lines = collections.defaultdict(list)
    table = None
    for line in sh([save], ns=ns).stdout.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith("-A "):
            lines[(table, line.split()[1])].append(line)
    nf = snapshot(nsmap, ns)
    nfam = "ip" if fam == "iptables" else "ip6"
    for t in nf.get("tables", []):
        if t.get("backend") != backend or t.get("family") != nfam:
            continue
        for c in t.get("chains", []):
            want = lines.get((t.get("name"), c.get("name")), [])
            got = c.get("rules", [])
            for i, w in enumerate(want):
                tally.add((backend, nfam), w, got[i] if i < len(got) else None, where)


def report(tally, out):
    keys = sorted({k[:-1] for k in tally.c})
    print("%-18s %-6s %8s %8s %8s %8s %8s %12s" % ("suite", "family", "loaded", "exact",
                                                   "exact%", "marked", "wrong", "exact+marked"))
    tot = collections.Counter()
    for k in keys:
        if len(k) != 2:
            continue
        n = tally.c[k + ("loaded",)]
        if not n:
            continue
        e, m, w = (tally.c[k + (x,)] for x in ("exact", "marked", "wrong"))
        em = tally.c[k + (" exact-marked",)]
        for x, v in (("loaded", n), ("exact", e), ("marked", m), ("wrong", w), ("em", em)):
            tot[x] += v
        print("%-18s %-6s %8d %8d %7.1f%% %8d %8d %12d" % (k[0], k[1], n, e, 100.0 * e / n, m,
                                                            w, em))
    if tot["loaded"]:
        print("%-18s %-6s %8d %8d %7.1f%% %8d %8d %12d" % (
            "total", "", tot["loaded"], tot["exact"], 100.0 * tot["exact"] / tot["loaded"],
            tot["marked"], tot["wrong"], tot["em"]))
    for k in keys:
        if len(k) == 3:
            print("%s %s: %d %s" % (k[0], k[1], tally.c[k + ()], k[2]) if False else "", end="")
    notload = sum(v for k, v in tally.c.items() if k[-1] in ("does not load", "table does not load"))
    print("not loaded here (rule x chain): %d" % notload)
    if out:
        os.makedirs(out, exist_ok=True)
        for cls, rows in tally.rows.items():
            with open(os.path.join(out, cls + ".tsv"), "w") as fh:
                for row in rows:
                    fh.write("\t".join(x.replace("\t", " ") for x in row) + "\n")
    return tot["wrong"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nsmap", default="build/nsmap")
    ap.add_argument("--out")
    ap.add_argument("--only", choices=["nft", "ipt"])
    ap.add_argument("nft_suite")
    ap.add_argument("ipt_suite")
    a = ap.parse_args()
    tally = Tally()
    try:
        if a.only != "ipt":
            run_nft(a, Suite(a.nft_suite), a.nsmap, tally)
        if a.only != "nft":
            run_ipt(a, Suite(a.ipt_suite), a.nsmap, tally)
    finally:
        for n in list(made):
            ns_del(n)
    return 1 if report(tally, a.out) else 0


if __name__ == "__main__":
    sys.exit(main())
