# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - builds build/nsmap and build/nstrace, runs the tests, the demo and the benchmark.

PKGS      := libnl-3.0 libnl-route-3.0 libmnl libnftnl libpcap libcgraph libgvc jansson libcurl
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
PKGCFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation \
             -D_GNU_SOURCE -Iinclude $(PKGCFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS   += $(SANFLAGS)
LDLIBS    += $(PKGLIBS) -lpthread

MAINS     := src/cmd_nsmap.c src/cmd_nstrace.c
LIB_SRC   := $(filter-out $(MAINS) $(EXCLUDE),$(wildcard src/*.c) $(wildcard render/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BUILD)/bench-baseline

.PHONY: all deps check unit cli lab demo tutorial bench clean install uninstall fuzz

all: $(BUILD)/.deps-ok $(BUILD)/nsmap $(BUILD)/nstrace

# Install missing Debian packages (a no-op when everything is present); re-checked
# whenever the list changes.
$(BUILD)/.deps-ok: scripts/install-deps.sh
	@scripts/install-deps.sh
	@mkdir -p $(BUILD) && touch $@

$(LIB_OBJ) $(BUILD)/obj/src/cmd_nsmap.o $(BUILD)/obj/src/cmd_nstrace.o: | $(BUILD)/.deps-ok

deps:
	@scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libnsmap.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/nsmap: $(BUILD)/obj/src/cmd_nsmap.o $(BUILD)/libnsmap.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/nstrace: $(BUILD)/obj/src/cmd_nstrace.o $(BUILD)/libnsmap.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libnsmap.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libnsmap.a $(LDLIBS) -lcmocka

$(BENCH_BIN): bench/baseline.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

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

check: unit cli lab

# libFuzzer targets (clang): every tests/fuzz/fuzz_*.c against the library sources,
# each run for FUZZ_TIME seconds on its seed corpus in tests/fuzz/corpus/NAME.
FUZZ_TIME ?= 60
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_LIB  := $(filter-out render/%,$(LIB_SRC))

build-fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) | $(BUILD)/.deps-ok
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude $(PKGCFLAGS) -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_LIB) $(PKGLIBS) -lpthread

fuzz: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
		echo "== $$n ($(FUZZ_TIME)s)"; \
		$$f -max_total_time=$(FUZZ_TIME) -max_len=65536 build-fuzz/corpus-$$n \
			$$(test -d tests/fuzz/corpus/$$n && echo tests/fuzz/corpus/$$n); done

demo: all
	@NSMAP_BUILD=$(BUILD) scripts/demo.sh

# Regenerate docs/tutorial.md from scripts/tutorial.md.in with the tools' real output.
tutorial: all
	NSMAP_BUILD=$(BUILD) scripts/gen-tutorial.sh

bench: all $(BENCH_BIN)
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

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/src/cmd_nsmap.d $(BUILD)/obj/src/cmd_nstrace.d
