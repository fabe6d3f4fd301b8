#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# docs.bats - man pages lint clean, and getopt tables, --help, man pages and bash completion name the same options (no root).

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${NSMAP_BUILD:-build}
	[[ $B == /* ]] || B=$TOP/$B
	COMP=$TOP/scripts/bash-completion/nsmap
	FX=$TOP/tests/fixtures/blog.json
	T=$(mktemp -d)
}

teardown() {
	rm -rf "$T"
}

# The options a command's parser accepts: the names of its `struct option` array and the
# letters of the optstring given to getopt_long, one per line, sorted.
parser_opts() {
	local src=$TOP/src/cli/$1.c

	{
		awk '/struct option [a-z_]+\[\] = \{/ { on = 1; next } on && /^[ \t]*\};/ { on = 0 } on' "$src" |
			grep -oE '\{ *"[a-z][a-z0-9-]*"' | sed -E 's/\{ *"(.*)"/--\1/'
		grep -oE 'getopt_long\([^"]*"[^"]*"' "$src" | sed -E 's/.*"([^"]*)"/\1/' |
			sed -E 's/^[+-]//; s/://g' | grep -oE '[A-Za-z0-9]' | sed 's/^/-/'
	} | sort -u
}

# Every option-looking word of a text: -X alone, or --long-name.
text_opts() {
	perl -ne 'while (/(?<![\w-])(--[a-z][a-z0-9-]*[a-z0-9]|-[A-Za-z0-9](?![\w-]))/g) { print "$1\n" }' | sort -u
}

# Every `Fl` argument of an mdoc page (lines starting with ".It" only when $2 is "It").
man_opts() {
	perl -ne '
		next unless /^\./;
		next if $only && !/^\.It\b/;
		my @w = split;
		for my $i (0 .. $#w - 1) {
			next unless $w[$i] eq "Fl";
			my $a = $w[$i + 1];
			if ($a =~ /^-[a-z][a-z0-9-]*$/) { print "-$a\n" }
			elsif ($a =~ /^[A-Za-z0-9]+$/) { print "-$_\n" for split //, $a }
		}
		BEGIN { $only = (shift(@ARGV) eq "It") }' "${2:-all}" "$TOP/docs/$1.8" | sort -u
}

# What completion offers for the words given (the last one is being completed).
complete_words() {
	COMPREPLY_OUT=$(bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		"_$1"
		printf "%s\n" "${COMPREPLY[@]}"' complete "$COMP" "$@" | sort -u)
}

# Two sorted lists must be equal; show what is only in one of them.
same_set() {
	local what=$1 a=$2 b=$3

	if [[ "$a" != "$b" ]]; then
		echo "$what:"
		diff <(echo "$a") <(echo "$b") || true
		return 1
	fi
}

@test "mandoc -T lint -W warning: both man pages are clean" {
	command -v mandoc >/dev/null || {
		echo "mandoc is not installed (scripts/install-deps.sh installs it)"
		false
	}
	run mandoc -T lint -W warning "$TOP/docs/nsmap.8" "$TOP/docs/nstrace.8"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the getopt tables parse into the options we expect to compare" {
	run parser_opts nsmap
	[[ "$output" == *"--format"* && "$output" == *"-T"* && "$output" == *"--colour"* ]]
	run parser_opts nstrace
	[[ "$output" == *"--simulate"* && "$output" == *"-j"* && "$output" == *"--timeout"* ]]
}

@test "nsmap: --help names exactly the options the parser accepts" {
	run "$B/nsmap" --help
	[ "$status" -eq 0 ]
	same_set "parser (<) vs --help (>)" "$(parser_opts nsmap)" "$(text_opts <<<"$output")"
}

@test "nstrace: --help names exactly the options the parser accepts" {
	run "$B/nstrace" --help
	[ "$status" -eq 0 ]
	same_set "parser (<) vs --help (>)" "$(parser_opts nstrace)" "$(text_opts <<<"$output")"
}

@test "nsmap.8: the option list documents exactly the options the parser accepts" {
	same_set "parser (<) vs nsmap.8 .It (>)" "$(parser_opts nsmap)" "$(man_opts nsmap It)"
	same_set "parser (<) vs every Fl of nsmap.8 (>)" "$(parser_opts nsmap)" "$(man_opts nsmap)"
}

@test "nstrace.8: the option list documents exactly the options the parser accepts" {
	same_set "parser (<) vs nstrace.8 .It (>)" "$(parser_opts nstrace)" "$(man_opts nstrace It)"
	same_set "parser (<) vs every Fl of nstrace.8 (>)" "$(parser_opts nstrace)" "$(man_opts nstrace)"
}

@test "completion offers exactly the options each parser accepts" {
	complete_words nsmap -
	same_set "parser (<) vs completion of 'nsmap -' (>)" "$(parser_opts nsmap)" "$COMPREPLY_OUT"
	complete_words nstrace -
	same_set "parser (<) vs completion of 'nstrace -' (>)" "$(parser_opts nstrace)" "$COMPREPLY_OUT"
}

@test "completion: -T and --format= offer text json dot svg png pdf, and nsmap takes each" {
	local want f

	want=$(printf '%s\n' text json dot svg png pdf | sort)
	complete_words nsmap -T ''
	same_set "-T" "$want" "$COMPREPLY_OUT"
	complete_words nsmap --format = ''
	same_set "--format=" "$want" "$COMPREPLY_OUT"
	complete_words nsmap -T s
	[ "$COMPREPLY_OUT" = svg ]
	for f in $want; do
		run "$B/nsmap" --from "$FX" -T "$f" -o "$T/out"
		[ "$status" -eq 0 ] || { echo "nsmap -T $f: $output"; false; }
	done
}

@test "completion: nstrace 'proto' offers icmp udp tcp, and nstrace takes each" {
	local p

	complete_words nstrace 203.0.113.8 from ns1 proto ''
	same_set "proto" "$(printf '%s\n' icmp tcp udp)" "$COMPREPLY_OUT"
	for p in icmp udp tcp; do
		run "$B/nstrace" --simulate --from "$TOP/tests/fixtures/path/blog-whole.json" \
			203.0.113.8 from pfixns1 proto "$p"
		[ "$status" -ne 2 ] || { echo "proto $p: $output"; false; }
	done
}

@test "completion: nstrace's words come in any order (from, proto, then port for udp/tcp)" {
	mkdir "$T/netns" "$T/bin"
	printf '#!/bin/sh\nexit 0\n' >"$T/bin/docker"
	chmod +x "$T/bin/docker"
	export NSMAP_NETNS_DIR=$T/netns PATH=$T/bin:$PATH

	complete_words nstrace ''
	same_set "first word" "$(printf '%s\n' from proto)" "$COMPREPLY_OUT"
	complete_words nstrace 203.0.113.8 ''
	same_set "after DEST" "$(printf '%s\n' from proto)" "$COMPREPLY_OUT"
	complete_words nstrace 203.0.113.8 from ns1 proto udp ''
	[ "$COMPREPLY_OUT" = port ]
	complete_words nstrace 203.0.113.8 from ns1 proto icmp ''
	[ -z "$COMPREPLY_OUT" ]
}

@test "completion: -n and 'from' offer ip-netns names and container names" {
	mkdir "$T/netns" "$T/bin"
	touch "$T/netns/ns1" "$T/netns/ns2"
	printf '#!/bin/sh\n[ "$1 $2" = "ps --format" ] && printf "web\\ndb\\n"\n' >"$T/bin/docker"
	chmod +x "$T/bin/docker"
	export NSMAP_NETNS_DIR=$T/netns PATH=$T/bin:$PATH

	complete_words nstrace 203.0.113.8 from ''
	same_set "from" "$(printf '%s\n' db ns1 ns2 web)" "$COMPREPLY_OUT"
	# 'from SRC' first: DEST may be a namespace or container name too
	complete_words nstrace from ns1 ''
	same_set "DEST after from SRC" "$(printf '%s\n' db ns1 ns2 proto web)" "$COMPREPLY_OUT"
	complete_words nstrace from ns1 w
	[ "$COMPREPLY_OUT" = web ]
	complete_words nsmap -n 'ns1,w'
	[ "$COMPREPLY_OUT" = ns1,web ]
	complete_words nsmap --netns = ''
	same_set "--netns=" "$(printf '%s\n' db host ns1 ns2 web)" "$COMPREPLY_OUT"
}

@test "completion: a Docker that does not answer costs at most about a second" {
	mkdir "$T/netns" "$T/bin"
	touch "$T/netns/ns1"
	printf '#!/bin/sh\nexec sleep 10\n' >"$T/bin/docker"
	chmod +x "$T/bin/docker"
	export NSMAP_NETNS_DIR=$T/netns PATH=$T/bin:$PATH

	SECONDS=0
	complete_words nstrace 203.0.113.8 from ''
	[ "$SECONDS" -le 3 ]
	[ "$COMPREPLY_OUT" = ns1 ]
}

@test "completion: --from and -o complete file names" {
	touch "$T/snap.json"
	cd "$T"
	complete_words nsmap --from ''
	[[ "$COMPREPLY_OUT" == *snap.json* ]]
	complete_words nstrace --from s
	[[ "$COMPREPLY_OUT" == *snap.json* ]]
	complete_words nsmap -o sn
	[[ "$COMPREPLY_OUT" == *snap.json* ]]
}
