# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - builds build/nsmap and build/nstrace, runs the tests, the demo and the benchmark.
#
# `make` and `make install` only build and install. `make deps` installs the Debian
# packages the build and the tests need; `make check`, `make demo`, `make fuzz`,
# `make bench` and `make tutorial` run it first, so that the README's two commands set up
# a fresh machine by themselves.

PKGS      := libnl-3.0 libnl-route-3.0 libmnl libnftnl libnftables xtables libpcap libcgraph libgvc jansson libcurl
PREFIX    ?= /usr/local
DESTDIR   ?=
SANITIZE  ?=

ifeq ($(SANITIZE),1)
BUILD     ?= build-san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD     ?= build
SANFLAGS  :=
endif

CC        ?= cc
AR        ?= ar
PKGCFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation \
             -D_GNU_SOURCE -Iinclude $(PKGCFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS   += $(SANFLAGS)
LDLIBS    += $(PKGLIBS) -lpthread

# One folder per stage of the data flow (docs/architecture.md): the two commands' main()
# files are the only sources outside the library.
LAYERS    := core collect names netfilter path trace cli
MAINS     := src/cli/nsmap.c src/cli/nstrace.c
LIB_SRC   := $(filter-out $(MAINS),$(foreach d,$(LAYERS),$(wildcard src/$(d)/*.c)) $(wildcard render/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(MAINS:%.c=$(BUILD)/obj/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
BENCH_BIN := $(BUILD)/bench-baseline

.PHONY: all deps pkgcheck layers check check-run unit cli lab demo tutorial bench clean install \
	uninstall fuzz fuzz-run tools

all: $(BUILD)/nsmap $(BUILD)/nstrace

# Install missing Debian packages (a no-op when everything is present).
deps:
	@scripts/install-deps.sh

# A clear message instead of a page of missing-header errors when a library is absent.
pkgcheck:
	@pkg-config --exists $(PKGS) || { \
		echo "pkg-config cannot find: $$(for p in $(PKGS); do pkg-config --exists $$p || printf '%s ' $$p; done)" >&2; \
		echo "run 'make deps' (as root) to install the Debian packages nsmap needs" >&2; exit 1; }

$(LIB_OBJ) $(MAIN_OBJ): | pkgcheck

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# 'q' appends: several folders have a file of the same name (collect.c, model.c, ...),
# which 'r' would replace member by member.
$(BUILD)/libnsmap.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) qcs $@ $^

$(BUILD)/nsmap: $(BUILD)/obj/src/cli/nsmap.o $(BUILD)/libnsmap.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/nstrace: $(BUILD)/obj/src/cli/nstrace.o $(BUILD)/libnsmap.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libnsmap.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libnsmap.a $(LDLIBS) -lcmocka

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libnsmap.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libnsmap.a $(LDLIBS)

tools: $(TOOL_BIN)

$(BENCH_BIN): bench/baseline.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# Which library and which project header each file may include (scripts/check-layers.sh).
layers:
	@scripts/check-layers.sh .

# Leaks inside graphviz/pango/fontconfig/glib are theirs, not ours.
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp print_suppressions=0
export ASAN_OPTIONS := detect_leaks=1
export UBSAN_OPTIONS := print_stacktrace=1 halt_on_error=1

# Unit tests: cmocka on recorded snapshots, no root needed.
unit: all $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; \
		NSMAP_FIXTURES=tests/fixtures $$t; done

# CLI tests: the binaries on recorded snapshots, no root needed.
cli: all
	NSMAP_BUILD=$(BUILD) bats tests/cli

# Lab tests: real namespaces, root.
lab: all
	NSMAP_BUILD=$(BUILD) bats tests/lab

# The packages first, in their own make: what pkg-config answers is read after them.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: layers tools unit cli lab

# libFuzzer targets (clang): every tests/fuzz/fuzz_*.c against the library sources,
# each run for FUZZ_TIME seconds on its seed corpus in tests/fuzz/corpus/NAME.
FUZZ_TIME ?= 60
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)

build-fuzz/%: tests/fuzz/%.c $(LIB_SRC) | pkgcheck
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude $(PKGCFLAGS) -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(LIB_SRC) $(PKGLIBS) -lpthread

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
		echo "== $$n ($(FUZZ_TIME)s)"; \
		$$f -max_total_time=$(FUZZ_TIME) -max_len=65536 build-fuzz/corpus-$$n \
			$$(test -d tests/fuzz/corpus/$$n && echo tests/fuzz/corpus/$$n); done

demo: deps
	@$(MAKE) --no-print-directory all
	@NSMAP_BUILD=$(BUILD) scripts/demo.sh

# Regenerate docs/tutorial.md from scripts/tutorial.md.in with the tools' real output.
tutorial: deps
	@$(MAKE) --no-print-directory all
	NSMAP_BUILD=$(BUILD) scripts/gen-tutorial.sh

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@NSMAP_BUILD=$(BUILD) bench/run.sh

MANDIR    ?= $(PREFIX)/share/man/man8
COMPDIR   ?= $(PREFIX)/share/bash-completion/completions

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPDIR)
	install -m 0755 $(BUILD)/nsmap $(BUILD)/nstrace $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 docs/nsmap.8 docs/nstrace.8 $(DESTDIR)$(MANDIR)/
	install -m 0644 scripts/bash-completion/nsmap $(DESTDIR)$(COMPDIR)/nsmap
	ln -sf nsmap $(DESTDIR)$(COMPDIR)/nstrace

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/nsmap $(DESTDIR)$(PREFIX)/sbin/nstrace
	rm -f $(DESTDIR)$(MANDIR)/nsmap.8 $(DESTDIR)$(MANDIR)/nstrace.8
	rm -f $(DESTDIR)$(COMPDIR)/nsmap $(DESTDIR)$(COMPDIR)/nstrace

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
