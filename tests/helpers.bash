# SPDX-License-Identifier: GPL-2.0-or-later
# helpers.bash - what the CLI tests (tests/cli) and the lab tests (tests/lab) share; `load ../helpers` from either.

# A sanitizer build (NSMAP_BUILD=build-san) run outside make: graphviz keeps its caches,
# which are its leaks, not ours.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp print_suppressions=0}

# one_line STATUS PREFIX: the last `run` exited STATUS with exactly one line starting with
# PREFIX.
one_line()
{
	echo "status=$status output=$output"
	[ "$status" -eq "$1" ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "$2"* ]]
}
