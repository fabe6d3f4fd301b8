#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-layers.sh - `make layers`: every file includes only the libraries and project headers its layer may.
#
# Usage: scripts/check-layers.sh [TOP]     (TOP: the tree to check, default .)
#
# The rules are the tables below (docs/architecture.md explains them):
#   - a library's headers only in the files that own that library (libnl in the
#     collectors, libpcap in the capture file, graphviz in render/, ...);
#   - a public header (include/) only where its layer may use it: the model's headers
#     everywhere, a stage's header in that stage and the stages above it, never below;
#   - a private header ("x.h" that is not in include/) only from its own folder;
#   - every source file belongs to a layer.
# One line per violation, then exit 1; silence and exit 0 when the tree keeps the rules.
set -eu

top=${1:-.}
cd "$top"

# file pattern (shell glob, first match wins) -> libraries it may include
LIBS='
src/collect/*			libnl libmnl
src/netfilter/collect.c		libmnl libnftnl
src/netfilter/decode.c		libmnl libnftnl
src/netfilter/validate.c	libmnl
src/netfilter/nfttext.c		libnftables
src/netfilter/xtsave.c		libxtables
src/netfilter/expr*.c		libmnl libnftnl
src/netfilter/json.c		jansson
src/netfilter/*			-
src/names/*			libcurl jansson
src/path/print.c		jansson
src/path/*			-
src/trace/capture.c		libpcap
src/trace/ct.c			libmnl
src/trace/nft.c			libmnl libnftnl
src/trace/print.c		jansson
src/trace/*			-
src/core/*			jansson
src/cli/*			jansson
render/*			graphviz
include/*			jansson
'

# folder (or header) -> project headers (include/) it may include
MODEL='model.h netfilter.h diagnose.h snapshot.h jsonutil.h'
HDRS="
src/core/*		$MODEL
src/netfilter/*		$MODEL nfcollect.h
src/collect/*		$MODEL collect.h nfcollect.h
src/names/*		$MODEL names.h
src/path/*		$MODEL path.h
src/trace/*		$MODEL path.h trace.h collect.h
render/*		$MODEL render.h text.h
src/cli/*		*
include/model.h		-
include/diagnose.h	-
include/jsonutil.h	model.h
include/netfilter.h	model.h
include/nfcollect.h	netfilter.h
include/snapshot.h	model.h jsonutil.h
include/collect.h	model.h
include/names.h		model.h
include/path.h		model.h netfilter.h diagnose.h
include/trace.h		model.h netfilter.h diagnose.h path.h
include/render.h	model.h
include/text.h		model.h
"

# <header> -> library
lib_of() {
	case $1 in
	netlink/*) echo libnl ;;
	libmnl/*) echo libmnl ;;
	libnftnl/*) echo libnftnl ;;
	nftables/*) echo libnftables ;;
	xtables.h | libiptc/*) echo libxtables ;;
	pcap.h | pcap/*) echo libpcap ;;
	graphviz/*) echo graphviz ;;
	curl/*) echo libcurl ;;
	jansson.h) echo jansson ;;
	cmocka.h) echo cmocka ;;
	*) echo - ;;		# libc, POSIX and the kernel's UAPI headers
	esac
}

# The row of TABLE for FILE: what follows the first pattern that matches it.
row() {
	printf '%s\n' "$1" | while read -r pat what; do
		[ -n "$pat" ] || continue
		# shellcheck disable=SC2254
		case $2 in $pat) echo "$what"; return ;; esac
	done
}

owners() {
	printf '%s\n' "$LIBS" | awk -v l="$1" '$0 != "" { for (i = 2; i <= NF; i++) if ($i == l) printf "%s%s", n++ ? ", " : "", $1 }'
}

complain() {
	echo "layers: $*"
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
files=$(find src render include -name '*.[ch]' 2>/dev/null | LC_ALL=C sort)
for f in $files; do
	libs=$(row "$LIBS" "$f")
	hdrs=$(row "$HDRS" "$f")
	case $f in
	include/*) [ -n "$hdrs" ] || { complain "$f: a public header no layer owns (add it to scripts/check-layers.sh)"; continue; } ;;
	*) [ -n "$libs" ] && [ -n "$hdrs" ] || { complain "$f: not in a layer (src/core, src/collect, ... see docs/architecture.md)"; continue; } ;;
	esac
	dir=$(dirname "$f")
	# each include as: LINE <name> or LINE "name"
	grep -n '^[ 	]*#[ 	]*include' "$f" | sed 's/^\([0-9]*\):[ 	]*#[ 	]*include[ 	]*\([<"][^>"]*[>"]\).*/\1 \2/' |
	while read -r line inc; do
		name=$(printf '%s' "$inc" | sed 's/^[<"]//; s/[>"]$//')
		case $inc in
		\<*)
			if [ -f "include/$name" ]; then
				echo "layers: $f:$line: includes the project header <$name> as a system header: write \"$name\""
				continue
			fi
			lib=$(lib_of "$name")
			[ "$lib" = - ] && continue
			case " $libs " in *" $lib "*) continue ;; esac
			who=$(owners "$lib")
			echo "layers: $f:$line: includes <$name> ($lib), which only ${who:-no file} may"
			;;
		\"*)
			case $name in */*) echo "layers: $f:$line: includes \"$name\": a private header from another folder"; continue ;; esac
			if [ -f "include/$name" ]; then
				[ "$hdrs" = "*" ] && continue
				case " $hdrs " in *" $name "*) continue ;; esac
				echo "layers: $f:$line: includes \"$name\", a header of a layer above it or beside it (allowed: $hdrs)"
			elif [ -f "$dir/$name" ]; then
				case $f in include/*) echo "layers: $f:$line: a public header includes the private \"$name\"" ;; esac
			else
				echo "layers: $f:$line: includes \"$name\", which is neither in include/ nor in $dir/"
			fi
			;;
		esac
	done
done >"$out"
if [ -s "$out" ]; then
	cat "$out"
	exit 1
fi
