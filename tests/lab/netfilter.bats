#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# netfilter.bats - nsmap's rule text must equal iptables-save / nft list ruleset, in every backend.
#
# Each test loads a rule set into its own lab namespace (nothing outside the lab is touched):
#
#   ${LAB_PREFIX}iptnft   Docker 20-28 rules (docker0, br-5f2c1a3b4d6e, 8080->172.17.0.2:80)
#                         + extra rules, through iptables-nft-restore
#   ${LAB_PREFIX}legacy   the same, through iptables-legacy-restore
#   ${LAB_PREFIX}native   a hand-written nft ruleset (sets, maps, ct state, nat, jumps)
#   ${LAB_PREFIX}dock29   Docker 29's nftables tables (ip docker-bridges, ip docker-dns)
#   ${LAB_PREFIX}mixed    legacy and nft rules at once
#
# Rules are compared as sets of lines, normalised only for whitespace and counters; every
# rule must match both ways. nsmap must also leave each ruleset byte-identical and create no
# legacy table.

load lib

NSMAP=${NSMAP_BUILD:-build}/nsmap
FIX=${BATS_TEST_DIRNAME}/../fixtures/nf

setup()
{
	lab_require_root iptables-nft-restore iptables-legacy-restore nft jq
}

teardown()
{
	lab_cleanup
}

# normalise: no leading/trailing blanks, "counter packets N bytes M" -> "counter"
nf_norm()
{
	sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//; s/counter packets [0-9]+ bytes [0-9]+/counter/'
}

# rule lines of `nft list ruleset` (inside chains, without the base-chain header)
nft_rule_lines()
{
	awk '/^\tchain /{c=1;next} /^\t}/{c=0} c && !/^\t\ttype / && NF' | nf_norm | sort
}

# nsmap_texts NS BACKEND: the text of every rule of that backend in nsmap's snapshot
nsmap_texts()
{
	"$NSMAP" -T json -n "$1" >"$BATS_TEST_TMPDIR/snap.json"
	jq -r --arg b "$2" '.namespaces[0].netfilter.tables[] | select(.backend == $b)
		| .chains[].rules[].text' "$BATS_TEST_TMPDIR/snap.json" | nf_norm | sort
}

# state NS: everything nsmap must not change
nf_state()
{
	lab_nsenter "$1" nft list ruleset 2>&1
	# iptables-legacy-save only reads the tables /proc/net/ip_tables_names lists
	lab_nsenter "$1" iptables-legacy-save 2>/dev/null | grep -v '^#' || true
	lab_nsenter "$1" cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null || true
}

# check_xt TOOL: Docker's rules (and the extras) loaded with TOOL-restore read back exactly
# as TOOL-save prints them, nsmap changes nothing, and the summary and detail views name
# them.
check_xt()
{
	local tool=$1 ns

	lab_ns "${tool#iptables-}"
	ns=$LAB_LAST_NS
	lab_nsenter "$ns" "$tool-restore" <"$FIX/docker-iptables.rules"
	lab_nsenter "$ns" "$tool-restore" -n <"$FIX/extra-iptables.rules"
	nf_state "$ns" >"$BATS_TEST_TMPDIR/before"
	lab_nsenter "$ns" "$tool-save" | grep '^-A' | nf_norm | sort >"$BATS_TEST_TMPDIR/expected"
	nsmap_texts "$ns" "$tool" >"$BATS_TEST_TMPDIR/actual"
	nf_state "$ns" >"$BATS_TEST_TMPDIR/after"
	lab_check_lines "$tool rule" "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/actual"
	lab_check "ruleset unchanged by nsmap" "$(cat "$BATS_TEST_TMPDIR/before")" \
		"$(cat "$BATS_TEST_TMPDIR/after")"
	if [ "$tool" = iptables-nft ]; then
		lab_check "no legacy table created" "" \
			"$(lab_nsenter "$ns" cat /proc/net/ip_tables_names 2>/dev/null)"
	fi
	lab_check "rule count" "$(wc -l <"$BATS_TEST_TMPDIR/expected")" \
		"$(wc -l <"$BATS_TEST_TMPDIR/actual")"
	lab_check "summary names the MASQUERADE" "1" \
		"$("$NSMAP" -n "$ns" | grep -c 'MASQUERADE 172.17.0.0/16 → out via not-docker0')"
	lab_check "summary names the DNAT" "1" \
		"$("$NSMAP" -n "$ns" | grep -c 'DNAT tcp :8080 → 172.17.0.2:80')"
	lab_check "detail view shows every rule" "$(wc -l <"$BATS_TEST_TMPDIR/expected")" \
		"$("$NSMAP" -d -n "$ns" | grep -c -- '^ *-A ')"
	lab_check_done
}

@test "iptables-nft: Docker rules read back exactly as iptables-save prints them" {
	check_xt iptables-nft
}

@test "iptables-legacy: Docker rules read back exactly as iptables-legacy-save prints them" {
	check_xt iptables-legacy
}

@test "native nft: a hand-written ruleset reads back as nft list ruleset prints it" {
	lab_ns native
	ns=$LAB_LAST_NS
	lab_nsenter "$ns" nft -f "$FIX/native.nft"
	nf_state "$ns" >"$BATS_TEST_TMPDIR/before"
	lab_nsenter "$ns" nft list ruleset | nft_rule_lines >"$BATS_TEST_TMPDIR/expected"
	nsmap_texts "$ns" nft >"$BATS_TEST_TMPDIR/actual"
	nf_state "$ns" >"$BATS_TEST_TMPDIR/after"
	lab_check_lines "nft rule" "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/actual"
	lab_check "ruleset unchanged by nsmap" "$(cat "$BATS_TEST_TMPDIR/before")" \
		"$(cat "$BATS_TEST_TMPDIR/after")"
	lab_check "no legacy table created" "" \
		"$(lab_nsenter "$ns" cat /proc/net/ip_tables_names 2>/dev/null)"
	lab_check "sets carry their elements" "3" \
		"$(jq '[.namespaces[0].netfilter.tables[].sets[] | select(.name == "allowed_v4")
			| .elements[]] | length' "$BATS_TEST_TMPDIR/snap.json")"
	lab_check_done
}

@test "Docker 29 nftables tables decode and read back as nft prints them" {
	lab_ns dock29
	ns=$LAB_LAST_NS
	lab_nsenter "$ns" nft -f "$FIX/docker29.nft"
	lab_nsenter "$ns" nft list ruleset | nft_rule_lines >"$BATS_TEST_TMPDIR/expected"
	nsmap_texts "$ns" nft >"$BATS_TEST_TMPDIR/actual"
	lab_check_lines "docker29 rule" "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/actual"
	lab_check "vmap is structured" "filter-forward-in-jumps" \
		"$(jq -r '.namespaces[0].netfilter.tables[] | select(.name == "docker-bridges")
			| .chains[] | select(.name == "filter-FORWARD") | .rules[0].action.set' \
			"$BATS_TEST_TMPDIR/snap.json")"
	lab_check_done
}

@test "legacy and nft rules in one namespace: both shown, flagged as mixed" {
	lab_ns mixed
	ns=$LAB_LAST_NS
	lab_nsenter "$ns" iptables-legacy-restore <"$FIX/docker-iptables.rules"
	lab_nsenter "$ns" nft -f "$FIX/docker29.nft"
	"$NSMAP" -T json -n "$ns" >"$BATS_TEST_TMPDIR/snap.json"
	lab_check "mixed flag" "true" "$(jq '.namespaces[0].netfilter.mixed' "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "both backends" '["nft","iptables-legacy"]' \
		"$(jq -c '.namespaces[0].netfilter.backends' "$BATS_TEST_TMPDIR/snap.json")"
	lab_check "a warning says so" "1" \
		"$(jq '[.. | strings | select(test("both are active"))] | length > 0 | if . then 1 else 0 end' \
			"$BATS_TEST_TMPDIR/snap.json")"
	lab_check_done
}
