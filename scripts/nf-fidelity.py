#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nf-fidelity.py - how exactly nsmap reads back the rules of the nftables and iptables test suites.

usage: nf-fidelity.py [--nsmap PATH] [--out DIR] [--only nft|ipt] [--modes file,pair,host]
                      [--jobs N] [--files REGEX] NFT_SUITE IPT_SUITE

NFT_SUITE is an nftables source tree (or bare git repository) with tests/py/<family>/*.t;
IPT_SUITE an iptables one with extensions/*.t. The suites are read, never copied. Root is
needed: every load happens in lab namespaces of this run's own (prefix nsmfid<pid>_), removed
on every exit path; the namespace the script runs in is never changed.

Every line of every test file is tried, whatever result the file expects (`;ok`, `;fail`,
`;OK`, `;FAIL`, variant-scoped results, nftables' "- " lines that nft-test.py runs only with
-e, iptables' `! ...` lines): what loads here is a rule the system's tool lists, so nsmap must
read it back. What does not load is counted as "did not load" and is not nsmap's business.
The files' set (`!`), element (`?`) and object (`%`) lines of tests/py, and the external
commands (`@nfct`, `@nfacct`, `%iptables ...`) of extensions/*.t are run as their own test
runners run them.

  nftables tests/py   one namespace per file, every `*family;table;chains` table of the file
                      (ip, ip6, inet, arp, bridge, netdev); each rule added to every chain of
                      every table; compared with `nft -s -a list ruleset` by rule handle.
  iptables extensions libipt_*.t (IPv4), libip6t_*.t (IPv6), libxt_*.t and iptables.t (both),
                      on the nft and legacy backends, in three modes:
                        file  one namespace per file and family (as iptables-test.py runs)
                        pair  one namespace per file, IPv4 and IPv6 rules together
                        host  one namespace per backend holding every file's IPv4 and IPv6
                              rules (as a real host with iptables and ip6tables rules has)
                      compared with iptables-save / ip6tables-save, chain by chain, in order.
  ebtables/arptables  libebt_*.t and libarpt_*.t (nft backend only, as iptables-test.py runs
                      them); nsmap's text is compared by handle with nft's listing of the
                      rule, and with ebtables-save/arptables-save's line: either is exact.

Categories of each rule (counters are left out of both texts):

  exact            the same text, no marker
  exact-marked     the same text, but nsmap marks the rule unsupported, so the walk does not
                   evaluate it ("exact but not evaluated")
  marked           a different text, and nsmap marks the rule unsupported
  WRONG            a different text WITHOUT a marker: must be zero
  missing          the tool lists a rule nsmap does not have (tool-only), or nsmap lists one
                   the tool does not (nsmap-only): must be zero

The summary table goes to standard output and DIR/summary.txt; DIR/findings.txt lists every
WRONG, missing and marked rule (suite file, the rule as loaded, the tool's line, nsmap's line,
nsmap's why), DIR/findings.jsonl the same as JSON lines, DIR/classes.txt the classes of the
marked rules (their why, numbers folded) with counts and an example each. The text view
(`nsmap -d`) is checked to mark as many rules as the JSON does. Exit status 1 when anything is
WRONG or missing, or a harness step failed.
"""
import argparse
import atexit
import collections
import concurrent.futures
import difflib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

PREFIX = "nsmfid%d_" % os.getpid()
made = set()
made_lock = threading.Lock()
stopping = threading.Event()
counter = [0]
TIMEOUT = 120


# ---- processes and namespaces ----

def sh(args, ns=None, inp=None, timeout=TIMEOUT):
    if ns:
        args = ["nsenter", "--net=/run/netns/" + ns] + args
    try:
        return subprocess.run(args, input=inp, capture_output=True, text=True, timeout=timeout,
                              errors="replace")
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "", "timeout")
    except OSError as e:
        return subprocess.CompletedProcess(args, 127, "", str(e))


def ns_new(tag):
    if stopping.is_set():
        raise RuntimeError("stopping")
    with made_lock:
        counter[0] += 1
        name = "%s%s%d" % (PREFIX, tag, counter[0])
        made.add(name)
    p = sh(["ip", "netns", "add", name])
    if p.returncode:
        raise RuntimeError("ip netns add %s: %s" % (name, p.stderr.strip()))
    sh(["ip", "link", "set", "lo", "up"], ns=name)
    return name


def ns_del(name):
    sh(["ip", "netns", "del", name])
    with made_lock:
        made.discard(name)


def cleanup():
    with made_lock:
        names = list(made)
    for n in names:
        ns_del(n)


def on_signal(signum, frame):
    stopping.set()
    raise SystemExit(128 + signum)


class Suite:
    """Files of a source tree or of a bare git repository."""

    def __init__(self, path):
        self.path = path
        self.git = not os.path.isdir(os.path.join(path, "tests")) and \
            not os.path.isdir(os.path.join(path, "extensions"))

    def files(self, pattern):
        rx = re.compile(pattern)
        if self.git:
            p = sh(["git", "--git-dir=" + self.path, "ls-tree", "-r", "--name-only", "HEAD"])
            if p.returncode:
                raise RuntimeError("%s: %s" % (self.path, p.stderr.strip()))
            out = p.stdout.split("\n")
        else:
            out = []
            for d, _, fs in os.walk(self.path):
                out += [os.path.relpath(os.path.join(d, f), self.path) for f in fs]
        return sorted(f for f in out if rx.fullmatch(f))

    def read(self, f):
        if self.git:
            p = sh(["git", "--git-dir=" + self.path, "show", "HEAD:" + f])
            if p.returncode:
                raise RuntimeError("%s: %s" % (f, p.stderr.strip()))
            return p.stdout
        with open(os.path.join(self.path, f), encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def describe(self):
        if self.git:
            p = sh(["git", "--git-dir=" + self.path, "log", "-1", "--format=%H %cs"])
            return p.stdout.strip()
        return self.path


def snapshot(nsmap, ns):
    last = ""
    for _ in range(3):
        p = sh([nsmap, "-T", "json", "-d", "-n", ns], timeout=300)
        if p.returncode == 0:
            try:
                for n in json.loads(p.stdout).get("namespaces", []):
                    return n.get("netfilter") or {}
                last = "namespace not in the snapshot"
            except ValueError as e:
                last = "bad JSON: %s" % e
        else:
            last = p.stderr.strip()
        time.sleep(0.5)
    raise RuntimeError("nsmap failed on %s: %s" % (ns, last))


def check_text_view(nsmap, ns, nf, res, where):
    """The text view marks exactly the rules the JSON marks ("  # unsupported: why")."""
    n_json = sum(1 for t in nf.get("tables", []) for c in t.get("chains", [])
                 for r in c.get("rules", []) if r.get("unsupported"))
    for _ in range(3):
        p = sh([nsmap, "-d", "--color", "never", "-n", ns], timeout=300)
        n_text = p.stdout.count("  # unsupported: ")
        if p.returncode == 0:
            break
        time.sleep(0.5)
    if p.returncode or n_text != n_json:
        res.errors.append("%s: text view marks %d rules, JSON %d (exit %d)" % (
            where, n_text, n_json, p.returncode))


def nsmap_rules(nf):
    """(family, table, chain) -> list of rules, and the backend of each table."""
    out, backend = {}, {}
    for t in nf.get("tables", []):
        backend[(t.get("family"), t.get("name"))] = t.get("backend")
        for c in t.get("chains", []):
            out.setdefault((t.get("family"), t.get("name"), c.get("name")), []).extend(
                c.get("rules", []))
    return out, backend


_counter_rx = re.compile(r"\bcounter packets \d+ bytes \d+")
_used_rx = re.compile(r" used \d+ [kmg]?bytes\b")


def norm(s):
    s = _counter_rx.sub("counter", (s or "").strip())
    return _used_rx.sub("", s)


# ---- results ----

class Result:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = collections.Counter()      # (suite, backend, mode, family, what) -> n
        self.rows = []
        self.errors = []
        self.exact = set()      # (backend, family, tool text) with exact text in file mode

    def count(self, key, what, n=1):
        with self.lock:
            self.c[key + (what,)] += n

    def rule(self, key, where, loaded, tool, rule, alt=None):
        """One rule the tool lists; rule is nsmap's (None: nsmap has none)."""
        if rule is None:
            cls = "missing"
        else:
            got = norm(rule.get("text"))
            marked = bool(rule.get("unsupported"))
            same = got == norm(tool) or (alt is not None and got == norm(alt))
            cls = ("exact-marked" if marked else "exact") if same else \
                ("marked" if marked else "WRONG")
        self.count(key, cls)
        self.count(key, "listed")
        if cls in ("exact", "exact-marked") and key[2] == "file":
            with self.lock:
                self.exact.add((key[1], key[3], norm(tool)))
        if cls != "exact":
            self.add_row(key, cls, where, loaded, tool if alt is None else
                         "nft: %s   | save: %s" % (tool, alt), rule)

    def extra(self, key, where, rule):
        """A rule nsmap lists that the tool does not."""
        self.count(key, "nsmap-only")
        self.add_row(key, "nsmap-only", where, "?", "<not listed by the tool>", rule)

    def add_row(self, key, cls, where, loaded, tool, rule):
        with self.lock:
            self.rows.append({
                "class": cls, "suite": key[0], "backend": key[1], "mode": key[2],
                "family": key[3], "file": where, "loaded": loaded, "tool": tool,
                "nsmap": "<missing>" if rule is None else rule.get("text", ""),
                "unsupported": bool(rule and rule.get("unsupported")),
                "why": (rule or {}).get("why", "") or "",
            })


# ---- nftables tests/py ----

def nft_set_cmd(fam, tab, body):
    """The `add set` command nft-test.py makes of a `!name type T [. T] [timeout X] [flags F]`
    line."""
    tokens = body.split(" ")
    name, typ = tokens[0], tokens[2] if len(tokens) > 2 else ""
    timeout = flags = ""
    i = 3
    while len(tokens) > i + 1 and tokens[i] == ".":
        typ += " . " + tokens[i + 1]
        i += 2
    if len(tokens) == i + 2 and tokens[i] == "timeout":
        timeout = "timeout " + tokens[i + 1] + ";"
        i += 2
    if len(tokens) == i + 2 and tokens[i] == "flags":
        flags = "flags %s; " % tokens[i + 1]
    return "add set %s %s %s { type %s;%s %s}" % (fam, tab, name, typ, timeout, flags)


def nft_obj_cmd(fam, tab, line):
    brace = line.rfind("}")
    body = line[1:].rstrip().split(";")[0] if brace < 0 else line[1:brace + 1]
    tokens = body.split(" ")
    name, typ = tokens[0], tokens[2] if len(tokens) > 2 else ""
    if typ == "ct" and len(tokens) > 3 and tokens[3] in ("helper", "timeout", "expectation"):
        typ = "ct " + tokens[3]
        tokens[3] = ""
    spec = " ".join(tokens[3:]) if len(tokens) > 3 else ""
    return "add %s %s %s %s %s" % (typ, fam, tab, name, spec)


def nft_file_job(suite, f, nsmap, res):
    text = suite.read(f)
    fams = collections.Counter()
    chains, tables = {}, []
    loaded = {}     # (family, table, handle) -> rule as loaded
    ns = ns_new("n")
    key = lambda fam: ("nftables tests/py", "nft", "file", fam)
    try:
        for line in text.splitlines():
            if stopping.is_set():
                return
            if not line.strip() or line[0] == "#":
                continue
            if line[0] == ":":
                name, _, spec = line.rstrip()[1:].partition(";")
                chains[name] = spec
            elif line[0] == "*":
                fam, tab, chs = (line.rstrip()[1:].split(";") + ["", ""])[:3]
                p = sh(["nft", "add", "table", fam, tab], ns=ns)
                if p.returncode:
                    res.count(key(fam), "table did not load")
                    continue
                good = []
                for ch in chs.split(","):
                    spec = chains.get(ch)
                    cmd = "add chain %s %s %s" % (fam, tab, ch)
                    if spec:
                        cmd += " { %s; }" % spec
                    if sh(["nft", cmd], ns=ns).returncode == 0:
                        good.append(ch)
                    else:
                        res.count(key(fam), "chain did not load")
                tables.append((fam, tab, good))
            elif line[0] == "!":
                for fam, tab, _ in tables:
                    sh(["nft", nft_set_cmd(fam, tab, line.rstrip()[1:].split(";")[0])], ns=ns)
            elif line[0] == "?":
                body = line.rstrip()[1:].split(";")[0]
                name, _, elems = body.partition(" ")
                for fam, tab, _ in tables:
                    sh(["nft", "add element %s %s %s { %s }" % (
                        fam, tab, name, ", ".join(elems.split(",")))], ns=ns)
            elif line[0] == "%":
                for fam, tab, _ in tables:
                    sh(["nft", nft_obj_cmd(fam, tab, line)], ns=ns)
            else:
                rule = line.split(";")[0].rstrip()
                if line[0] == "-":
                    rule = rule[1:].strip()
                for fam, tab, chs in tables:
                    for ch in chs:
                        res.count(key(fam), "tried")
                        cmd = "add rule %s %s %s %s" % (fam, tab, ch, rule)
                        p = sh(["nft", "-e", "-a", cmd], ns=ns)
                        m = re.findall(r"# handle (\d+)", p.stdout)
                        if p.returncode or not m:
                            res.count(key(fam), "did not load")
                            continue
                        loaded[(fam, tab, int(m[-1]))] = "nft " + cmd
        compare_nft(ns, nsmap, res, f, loaded, key)
    finally:
        ns_del(ns)


def nft_listing(ns):
    """(family, table, chain) -> [(handle, text)] from `nft -s -a list ruleset`."""
    p = sh(["nft", "-s", "-a", "list", "ruleset"], ns=ns)
    out, odd = collections.OrderedDict(), []
    fam = tab = ch = None
    for line in p.stdout.splitlines():
        m = re.match(r"table (\S+) (\S+) \{", line)
        if m:
            fam, tab, ch = m.group(1), m.group(2), None
            continue
        m = re.match(r"\tchain (\S+) \{", line)
        if m:
            ch = m.group(1)
            out.setdefault((fam, tab, ch), [])
            continue
        if line == "\t}":
            ch = None
            continue
        if ch and line.startswith("\t\t"):
            m = re.search(r" # handle (\d+)$", line)
            if m:
                out[(fam, tab, ch)].append((int(m.group(1)), line[2:m.start()]))
            elif not re.match(r"\t\t(type |policy |devices? )", line):
                odd.append(line)
    return out, odd


def compare_nft(ns, nsmap, res, where, loaded, key):
    want, odd = nft_listing(ns)
    for line in odd:
        res.errors.append("%s: unparsed listing line %r" % (where, line))
    nf = snapshot(nsmap, ns)
    check_text_view(nsmap, ns, nf, res, where)
    have, _ = nsmap_rules(nf)
    seen = set()
    for (fam, tab, ch), rules in want.items():
        byh = {r.get("handle"): r for r in have.get((fam, tab, ch), [])}
        for h, text in rules:
            seen.add((fam, tab, ch, h))
            res.rule(key(fam), where, loaded.get((fam, tab, h), "?"), text, byh.get(h))
    for (fam, tab, ch), rules in have.items():
        for r in rules:
            if (fam, tab, ch, r.get("handle")) not in seen:
                res.extra(key(fam), where, r)


# ---- iptables extensions/*.t ----

XT_FAMS = {"ip": "iptables", "ip6": "ip6tables", "bridge": "ebtables", "arp": "arptables"}


def ipt_families(base):
    if base.startswith("libipt_"):
        return ["ip"]
    if base.startswith("libip6t_"):
        return ["ip6"]
    if base.startswith("libebt_"):
        return ["bridge"]
    if base.startswith("libarpt_"):
        return ["arp"]
    return ["ip", "ip6"]     # libxt_*.t, iptables.t


def ipt_suite_name(fam):
    return "ebtables/arptables extensions" if fam in ("bridge", "arp") else "iptables extensions"


def exe(fam, backend):
    tool = XT_FAMS[fam] + "-" + backend
    return [tool] if fam in ("bridge", "arp") else [tool, "-w"]


def split_rule(r):
    try:
        return shlex.split(r)
    except ValueError:
        return r.split()


class IptLab:
    """One namespace that files are loaded into, for one backend; remembers which loaded rule
    each chain position holds."""

    def __init__(self, backend, mode, nsmap, res):
        self.backend, self.mode, self.nsmap, self.res = backend, mode, nsmap, res
        self.ns = ns_new("l" if backend == "legacy" else "i")
        self.slots = collections.defaultdict(list)   # (fam, table, chain) -> [(file, loaded)]
        self.fams = set()

    def key(self, fam):
        return (ipt_suite_name(fam), "iptables-" + self.backend if fam in ("ip", "ip6")
                else XT_FAMS[fam] + "-nft", self.mode, fam)

    def external(self, f, fam, cmd):
        argv = split_rule(cmd)
        if not argv:
            return
        xt = {"iptables": "ip", "ip6tables": "ip6", "ebtables": "bridge", "arptables": "arp"}
        if argv[0] in xt:
            xfam = xt[argv[0]]
            argv = exe(xfam, self.backend) + argv[1:]
            if sh(argv, ns=self.ns).returncode:
                return
            table, chain, op = "filter", None, None
            rest = []
            i = 1
            while i < len(argv):
                if argv[i] == "-t" and i + 1 < len(argv):
                    table = argv[i + 1]
                    i += 2
                    continue
                if argv[i] in ("-A", "-I", "-D") and i + 1 < len(argv) and op is None:
                    op, chain = argv[i], argv[i + 1]
                    i += 2
                    continue
                if argv[i] != "-w":
                    rest.append(argv[i])
                i += 1
            slot = self.slots[(xfam, table, chain)]
            text = "%s %s %s" % (XT_FAMS[xfam], op, cmd.split(None, 1)[1])
            if op == "-A":
                slot.append((f, text))
            elif op == "-I":
                slot.insert(0, (f, text))
            elif op == "-D":
                spec = " ".join(rest)
                for j, (_, t) in enumerate(slot):
                    if t.endswith(spec):
                        del slot[j]
                        break
                else:
                    if slot:
                        del slot[0]
        else:
            sh(argv, ns=self.ns)

    def load(self, suite, f, fams):
        table, chains = "filter", []
        for line in suite.read(f).splitlines():
            if stopping.is_set():
                return
            if not line.strip() or line[0] == "#":
                continue
            if line[0] == ":":
                chains = line.rstrip()[1:].split(",")
                continue
            if line[0] == "*":
                table = line.rstrip()[1:].strip()
                continue
            if line[0] in "@%":
                self.external(f, fams[0], line.rstrip()[1:])
                continue
            rule = line.split(";")[0].rstrip()
            for fam in fams:
                self.fams.add(fam)
                for ch in chains:
                    self.res.count(self.key(fam), "tried")
                    a = exe(fam, self.backend) + ["-t", table, "-A", ch] + split_rule(rule)
                    if sh(a, ns=self.ns).returncode:
                        self.res.count(self.key(fam), "did not load")
                        continue
                    self.slots[(fam, table, ch)].append(
                        (f, "%s -t %s -A %s %s" % (XT_FAMS[fam], table, ch, rule)))

    def save(self, fam, where):
        """(table, chain) -> list of -A lines of the family's save tool."""
        tool = XT_FAMS[fam] + "-" + ("nft" if fam in ("bridge", "arp") else self.backend) + \
            "-save"
        lines = collections.OrderedDict()
        table = None
        p = sh([tool], ns=self.ns)
        if p.returncode:
            self.res.errors.append("%s: %s exits %d (%s)" % (
                where, tool, p.returncode, "crash" if p.returncode < 0 else p.stderr.strip()))
            return None
        for line in p.stdout.splitlines():
            if line.startswith("*"):
                table = line[1:].strip()
            elif line.startswith("-A "):
                lines.setdefault((table, line.split()[1]), []).append(line)
        return lines

    def compare_nftfam(self, fam, where, have, nftl):
        """ebtables-nft and arptables-nft: by handle against nft's listing, the save tool's
        line (where it has one per rule) as the other accepted text."""
        key = self.key(fam)
        save = self.save(fam, where) or {}
        seen = set()
        for (f, table, chain), rules in nftl.items():
            if f != fam:
                continue
            byh = {r.get("handle"): r for r in have.get((fam, table, chain), [])}
            sl = save.get((table, chain), [])
            slot = self.slots.get((fam, table, chain), [])
            for i, (h, text) in enumerate(rules):
                seen.add((table, chain, h))
                alt = sl[i] if len(sl) == len(rules) else None
                fl = slot[i] if len(slot) == len(rules) else (where, "?")
                self.res.rule(key, fl[0], fl[1], text, byh.get(h), alt)
        for (f, table, chain), rules in have.items():
            if f == fam:
                for r in rules:
                    if (table, chain, r.get("handle")) not in seen:
                        self.res.extra(key, where, r)

    def compare(self, where):
        nf = snapshot(self.nsmap, self.ns)
        check_text_view(self.nsmap, self.ns, nf, self.res, where)
        have, backend = nsmap_rules(nf)
        nftl = nft_listing(self.ns)[0] if self.fams & {"bridge", "arp"} else {}
        want_be = "iptables-" + self.backend
        for fam in sorted(self.fams):
            key = self.key(fam)
            if fam in ("bridge", "arp"):
                self.compare_nftfam(fam, where, have, nftl)
                continue
            want = self.save(fam, where)
            if want is None:
                continue
            chains = list(want)
            for (hf, ht, hc) in have:
                if hf == fam and (ht, hc) not in want:
                    chains.append((ht, hc))
            for table, chain in chains:
                tool = want.get((table, chain), [])
                got = [r for r in have.get((fam, table, chain), [])
                       if backend.get((fam, table)) == want_be]
                self.pair(key, where, tool, got, self.slots.get((fam, table, chain), []))
        # rules nsmap places in a table of a backend that was not loaded here
        for (hf, ht, hc), rules in have.items():
            be = backend.get((hf, ht))
            if hf in ("ip", "ip6") and be != want_be:
                for r in rules:
                    self.res.extra(self.key(hf), "%s (nsmap backend %s)" % (where, be), r)

    def pair(self, key, where, tool, got, slot):
        def loaded(i):
            if len(slot) == len(tool) and i < len(slot):
                return slot[i]
            return (where, "?")

        def one(i, j):
            f, l = loaded(i)
            self.res.rule(key, f, l, tool[i], got[j])

        if len(tool) == len(got):
            for i in range(len(tool)):
                one(i, i)
            return
        sm = difflib.SequenceMatcher(None, [norm(t) for t in tool],
                                     [norm(r.get("text")) for r in got], autojunk=False)
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            n = min(i2 - i1, j2 - j1) if op in ("equal", "replace") else 0
            for k in range(n):
                one(i1 + k, j1 + k)
            for i in range(i1 + n, i2):
                f, l = loaded(i)
                self.res.rule(key, f, l, tool[i], None)
            for j in range(j1 + n, j2):
                self.res.extra(key, where, got[j])

    def close(self):
        ns_del(self.ns)


def ipt_job(suite, loads, backend, mode, nsmap, res, where):
    lab = IptLab(backend, mode, nsmap, res)
    try:
        for f, fams in loads:
            lab.load(suite, f, fams)
        if not stopping.is_set():
            lab.compare(where)
    finally:
        lab.close()


def ipt_jobs(suite, modes, files_rx):
    files = [f for f in suite.files(r"extensions/(lib(xt|ipt|ip6t|ebt|arpt)_[^/]+|iptables)\.t")
             if re.search(files_rx, f)]
    jobs = []
    for backend in ("nft", "legacy"):
        xt = [(f, ipt_families(os.path.basename(f))) for f in files]
        if backend == "legacy":
            xt = [(f, fams) for f, fams in xt if fams[0] in ("ip", "ip6")]
        if "host" in modes:
            host = [(f, fams) for f, fams in xt if fams[0] in ("ip", "ip6")]
            jobs.append((host, backend, "host", "host (%d files)" % len(host)))
        for f, fams in xt:
            if "file" in modes or fams[0] in ("bridge", "arp"):
                for fam in fams:
                    jobs.append(([(f, [fam])], backend, "file", f))
            if "pair" in modes and len(fams) > 1:
                jobs.append(([(f, fams)], backend, "pair", f))
    return jobs


# ---- report ----

COLS = [("tried", "tried"), ("did not load", "no load"), ("listed", "listed"),
        ("exact", "exact"), ("exact-marked", "exact+mk"), ("marked", "marked"),
        ("WRONG", "WRONG"), ("missing", "missing"), ("nsmap-only", "nsmap-only")]


def table_rows(res, depth):
    agg = collections.OrderedDict()
    for k, v in res.c.items():
        agg.setdefault(k[:depth], collections.Counter())[k[-1]] += v
    return sorted(agg.items())


def summary(res):
    out = []
    for depth, title in ((3, "suite / backend / mode"), (4, "... by family")):
        out.append("")
        out.append("%-32s %-17s %-5s %-6s" % ("suite", "backend", "mode",
                                             "family" if depth == 4 else "") +
                   "".join("%11s" % c[1] for c in COLS) + "%9s" % "exact%")
        tot = collections.Counter()
        for k, c in table_rows(res, depth):
            fam = k[3] if depth == 4 else ""
            listed = c["listed"]
            ex = c["exact"] + c["exact-marked"]
            out.append("%-32s %-17s %-5s %-6s" % (k[0], k[1], k[2], fam) +
                       "".join("%11d" % c[x[0]] for x in COLS) +
                       "%8.1f%%" % (100.0 * ex / listed if listed else 0))
            tot.update(c)
        if depth == 3:
            listed = tot["listed"]
            ex = tot["exact"] + tot["exact-marked"]
            out.append("%-32s %-17s %-5s %-6s" % ("total", "", "", "") +
                       "".join("%11d" % tot[x[0]] for x in COLS) +
                       "%8.1f%%" % (100.0 * ex / listed if listed else 0))
    out.append("")
    out.append("exact = same text, unmarked; exact+mk = same text but marked unsupported (not "
               "evaluated); marked = text differs, marked; WRONG = text differs, NOT marked; "
               "missing = listed by the tool, absent in nsmap; nsmap-only = in nsmap, not "
               "listed by the tool; exact% = (exact + exact+mk) / listed")
    return "\n".join(out)


def why_class(why):
    """A marked rule's why with names, numbers and hex folded: its class."""
    if not why:
        return "(no why)"
    w = re.sub(r"@__(set|map)\d+", r"@__\1N", why)
    w = re.sub(r"0x[0-9a-fA-F]+|\b[0-9a-fA-F]{6,}\b", "HEX", w)
    w = re.sub(r"\b\d+\b", "N", w)
    w = re.sub(r"(unsupported: )+", "", w.split(";")[0]).strip()
    return w[:90]


def write_findings(res, out):
    order = {"WRONG": 0, "missing": 1, "nsmap-only": 2, "marked": 3, "exact-marked": 4}
    rows = sorted(res.rows, key=lambda r: (order.get(r["class"], 9), r["suite"], r["backend"],
                                          r["mode"], r["family"], r["file"]))
    with open(os.path.join(out, "findings.jsonl"), "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, sort_keys=True) + "\n")
    with open(os.path.join(out, "findings.txt"), "w") as fh:
        titles = {"WRONG": "WRONG UNMARKED (text differs, no marker)",
                  "missing": "MISSING in nsmap (the tool lists it)",
                  "nsmap-only": "ONLY IN NSMAP (the tool does not list it)",
                  "marked": "MARKED, text differs",
                  "exact-marked": "MARKED, text exact (not evaluated)"}
        for cls in order:
            sel = [r for r in rows if r["class"] == cls]
            fh.write("==== %s: %d\n\n" % (titles[cls], len(sel)))
            if cls in ("marked", "exact-marked"):
                classes = collections.Counter(why_class(r["why"]) for r in sel)
                fh.write("  classes (why, numbers and hex folded):\n")
                for w, n in classes.most_common():
                    fh.write("  %6d  %s\n" % (n, w))
                fh.write("\n")
            for r in sel:
                fh.write("[%s | %s | %s | %s] %s\n" % (r["suite"], r["backend"], r["mode"],
                                                      r["family"], r["file"]))
                fh.write("  loaded: %s\n  tool:   %s\n  nsmap:  %s\n" % (
                    r["loaded"], r["tool"], r["nsmap"]))
                if r["why"] or r["unsupported"]:
                    fh.write("  why:    %s\n" % r["why"])
                fh.write("\n")
        dep = [r for r in rows if r["mode"] != "file" and r["class"] in ("marked", "WRONG") and
               (r["backend"], r["family"], norm(r["tool"])) in res.exact]
        fh.write("==== MODE-DEPENDENT: exact text in file mode, not when IPv4 and IPv6 (pair) or "
                 "every file (host) share the namespace: %d\n\n" % len(dep))
        for r in dep:
            fh.write("[%s | %s | %s | %s] %s: %s\n  nsmap:  %s\n  why:    %s\n\n" % (
                r["class"], r["backend"], r["mode"], r["family"], r["file"], r["loaded"],
                r["nsmap"], r["why"]))
        if res.errors:
            fh.write("==== harness notes: %d\n" % len(res.errors))
            for e in res.errors:
                fh.write("  %s\n" % e)
    with open(os.path.join(out, "classes.txt"), "w") as fh:
        fh.write("Classes of marked rules (the why with names, numbers and hex folded), per "
                 "suite, with a count by category and mode and one example each.\n")
        groups = collections.OrderedDict()
        for r in rows:
            if r["class"] in ("marked", "exact-marked"):
                groups.setdefault((r["suite"], why_class(r["why"])), []).append(r)
        for suite in sorted({k[0] for k in groups}):
            sel = sorted(((k, v) for k, v in groups.items() if k[0] == suite),
                         key=lambda kv: -len(kv[1]))
            fh.write("\n==== %s: %d marked rules in %d classes\n" % (
                suite, sum(len(v) for _, v in sel), len(sel)))
            for (_, w), v in sel:
                c = collections.Counter("%s/%s/%s" % (r["class"], r["backend"], r["mode"])
                                        for r in v)
                e = v[0]
                fh.write("\n%6d  %s\n        %s\n" % (len(v), w, ", ".join(
                    "%s %d" % kv for kv in sorted(c.items()))))
                fh.write("        e.g. %s: %s\n        tool:  %s\n        nsmap: %s\n"
                         "        why:   %s\n" % (e["file"], e["loaded"], e["tool"],
                                                   e["nsmap"], e["why"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nsmap", default="build/nsmap")
    ap.add_argument("--out", help="directory for summary.txt and findings (default: a new "
                    "directory under /tmp)")
    ap.add_argument("--only", choices=["nft", "ipt"])
    ap.add_argument("--modes", default="file,pair,host",
                    help="iptables modes: file, pair, host (comma-separated)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                    help="namespaces loaded at once")
    ap.add_argument("--files", default="", help="only test files whose path matches this")
    ap.add_argument("nft_suite")
    ap.add_argument("ipt_suite")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("nf-fidelity.py: needs root (it makes lab namespaces)")
    modes = set(a.modes.split(","))
    out = a.out or "/tmp/nf-fidelity-%s" % time.strftime("%Y%m%d-%H%M%S")
    os.makedirs(out, exist_ok=True)
    nsmap = os.path.abspath(a.nsmap)
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, on_signal)
    atexit.register(cleanup)
    res = Result()
    t0 = time.time()
    work = []
    nft_suite, ipt_suite = Suite(a.nft_suite), Suite(a.ipt_suite)
    if a.only != "ipt":
        for f in nft_suite.files(r"tests/py/[^/]+/[^/]+\.t"):
            if re.search(a.files, f):
                work.append((nft_file_job, (nft_suite, f, nsmap, res), f))
    if a.only != "nft":
        # the long host loads first, so that they run beside the short ones
        for loads, backend, mode, where in ipt_jobs(ipt_suite, modes, a.files):
            w = (ipt_job, (ipt_suite, loads, backend, mode, nsmap, res, where), where)
            if mode == "host":
                work.insert(0, w)
            else:
                work.append(w)
    ex = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs))
    try:
        futs = {ex.submit(fn, *args): where for fn, args, where in work}
        for fu in concurrent.futures.as_completed(futs):
            try:
                fu.result()
            except Exception as e:      # a harness failure: reported, never silent
                res.errors.append("%s: %s" % (futs[fu], e))
    except BaseException:
        stopping.set()
        raise
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
        cleanup()
    text = summary(res)
    head = ["nf-fidelity: nsmap %s; nft suite %s; ipt suite %s; %s; %.0f s" % (
        nsmap, nft_suite.describe(), ipt_suite.describe(),
        sh(["nft", "--version"]).stdout.strip() + ", " +
        sh(["iptables", "--version"]).stdout.strip(), time.time() - t0)]
    if res.errors:
        head.append("harness errors: %d (see findings.txt)" % len(res.errors))
    text = "\n".join(head) + "\n" + text
    print(text)
    with open(os.path.join(out, "summary.txt"), "w") as fh:
        fh.write(text + "\n")
    write_findings(res, out)
    print("\nfindings: %s\nclasses of marked rules: %s" % (
        os.path.join(out, "findings.txt"), os.path.join(out, "classes.txt")))
    bad = sum(v for k, v in res.c.items() if k[-1] in ("WRONG", "missing", "nsmap-only"))
    return 1 if bad or res.errors else 0


if __name__ == "__main__":
    sys.exit(main())
