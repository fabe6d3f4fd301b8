#!/usr/bin/env bats
# nf_nft.bats - native nftables rules read back exactly as libnftables prints them.
#
# Each ruleset of tests/lab/nf-corpus/nft/ (one feature family per file, and three realistic
# rulesets: Docker 29's, firewalld's style, kube-proxy's nftables mode) is loaded with
# `nft -f` into a lab namespace. Every rule nsmap reports must carry the text of
# `nft -s -a list ruleset` for its handle (text_source libnftables), nothing more, nothing
# less. The realistic rulesets must also be proven: no rule carries "decoded" (nsmap's own
# text differing from nft's). The count of rules with "decoded" is printed for the others.

load lib

NSMAP=${NSMAP_BUILD:-build}/nsmap
CORPUS=${BATS_TEST_DIRNAME}/nf-corpus/nft
FIX=${BATS_TEST_DIRNAME}/../fixtures/nf

setup()
{
	lab_require_root nft jq
}

teardown()
{
	lab_cleanup
}

# "family table handle<TAB>text" of every rule line of `nft -s -a list ruleset`: two tabs
# deep in a chain block, ending in its handle.
nft_listing()
{
	lab_nsenter "$1" nft -s -a list ruleset | awk '
		/^table / { fam = $2; tab = $3; gsub(/"/, "", tab); next }
		/^\t[a-z]/ { inchain = ($1 == "chain"); next }
		inchain && /^\t\t[^\t]/ && match($0, / # handle [0-9]+$/) {
			text = substr($0, 3, RSTART - 3)
			h = substr($0, RSTART + 10)
			printf "%s %s %s\t%s\n", fam, tab, h, text
		}' | sort
}

# the same from nsmap's snapshot (native tables), written to $BATS_TEST_TMPDIR/snap.json
nsmap_listing()
{
	"$NSMAP" -T json -n "$1" >"$BATS_TEST_TMPDIR/snap.json"
	jq -r '.namespaces[0].netfilter.tables[] | select(.backend == "nft") | . as $t
		| .chains[].rules[] | "\($t.family) \($t.name) \(.handle)\t\(.text)"' \
		"$BATS_TEST_TMPDIR/snap.json" | sort
}

# load FILE into a new namespace and compare; prints the rules carrying "decoded"
check_ruleset()
{
	local file=$1 ns n_decoded n_other

	lab_ns "nft$(basename "$file" .nft)"
	ns=$LAB_LAST_NS
	lab_nsenter "$ns" nft -f "$file"
	nft_listing "$ns" >"$BATS_TEST_TMPDIR/expected"
	nsmap_listing "$ns" >"$BATS_TEST_TMPDIR/actual"
	[ -s "$BATS_TEST_TMPDIR/expected" ]
	diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/actual"
	n_other=$(jq '[.namespaces[0].netfilter.tables[] | select(.backend == "nft")
		| .chains[].rules[] | select(.text_source != "libnftables")] | length' \
		"$BATS_TEST_TMPDIR/snap.json")
	[ "$n_other" -eq 0 ]
	n_decoded=$(jq '[.namespaces[0].netfilter.tables[].chains[].rules[] | select(.decoded)]
		| length' "$BATS_TEST_TMPDIR/snap.json")
	echo "# $(basename "$file"): $(wc -l <"$BATS_TEST_TMPDIR/actual") rules," \
		"$n_decoded with decoded" >&3
	jq -r '.namespaces[0].netfilter.tables[].chains[].rules[] | select(.decoded)
		| "#   nft:    \(.text)\n#   nsmap:  \(.decoded)"' "$BATS_TEST_TMPDIR/snap.json" >&3
	DECODED=$n_decoded
}

@test "Docker 29's nftables tables: exact text, structure proven" {
	check_ruleset "$FIX/docker29.nft"
	[ "$DECODED" -eq 0 ]
}

@test "a zone firewall in firewalld's style: exact text, structure proven" {
	check_ruleset "$CORPUS/firewalld.nft"
	[ "$DECODED" -eq 0 ]
}

@test "kube-proxy's nftables mode: exact text, structure proven" {
	check_ruleset "$CORPUS/kube-proxy.nft"
	[ "$DECODED" -eq 0 ]
}

@test "feature families: every rule has libnftables' exact text" {
	local f

	for f in "$CORPUS"/f-*.nft; do
		check_ruleset "$f"
	done
}

@test "a namespace without nft tables gets no libnftables text and no warning" {
	lab_ns nftempty
	"$NSMAP" -T json -n "$LAB_LAST_NS" >"$BATS_TEST_TMPDIR/snap.json" 2>"$BATS_TEST_TMPDIR/err"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ "$(jq '.namespaces[0].netfilter.tables // [] | length' "$BATS_TEST_TMPDIR/snap.json")" -eq 0 ]
}
