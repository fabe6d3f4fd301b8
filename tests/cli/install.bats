#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# install.bats - `make install` / `make uninstall` with PREFIX and DESTDIR put every file in place and take it back.

setup() {
	T=$(mktemp -d)
}

teardown() {
	rm -rf "$T"
}

@test "make install DESTDIR PREFIX installs binaries, man pages, completion; uninstall removes them" {
	B=${NSMAP_BUILD:-build}
	make -s install BUILD="$B" DESTDIR="$T" PREFIX=/opt/nsmap >/dev/null
	for f in sbin/nsmap sbin/nstrace share/man/man8/nsmap.8 share/man/man8/nstrace.8 \
		 share/bash-completion/completions/nsmap share/bash-completion/completions/nstrace; do
		[ -e "$T/opt/nsmap/$f" ] || { echo "missing $f"; false; }
	done
	[ -x "$T/opt/nsmap/sbin/nsmap" ]
	"$T/opt/nsmap/sbin/nsmap" --version | grep -q '^nsmap '
	make -s uninstall BUILD="$B" DESTDIR="$T" PREFIX=/opt/nsmap >/dev/null
	[ -z "$(find "$T" -type f -o -type l)" ]
}

@test "make and make install only build; deps, check, demo, fuzz, bench and tutorial install the packages first" {
	local t out
	B=${NSMAP_BUILD:-build}
	for t in all install; do
		out=$(make -n "$t" BUILD="$B" DESTDIR="$T" 2>&1)
		if grep -q install-deps <<<"$out"; then
			echo "make $t would run the package installer"
			false
		fi
	done
	for t in deps check demo fuzz bench tutorial; do
		out=$(make -n "$t" BUILD="$B" 2>&1 | head -n 3)
		grep -q 'scripts/install-deps.sh' <<<"$out" || { echo "make $t does not run make deps first: $out"; false; }
	done
}
