# scelle — one GNU Makefile.  `make demo`, `make check`, `make check-asan`, `make bench`.
VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
B         := build
# Where the message catalogs are looked up: first the build directory, so that an
# uninstalled build speaks every language, then where `make install` puts them.
LOCALEDIR ?= $(abspath $(B))/locale
INSTALL_LOCALEDIR ?= $(PREFIX)/share/locale
PKGS      := openssl libarchive libxml-2.0 zlib libdeflate libmicrohttpd xmlsec1-openssl

WARN      := -Wall -Wextra -Wformat=2 -Wformat-security -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wpointer-arith -Wvla -Wwrite-strings -Wno-unused-parameter
CFLAGS    ?= -O2 -g
ifeq ($(WERROR),1)
WARN      += -Werror
endif
# The sanitizer flags go into ALL_CFLAGS, not CFLAGS: check-asan and fuzz pass CFLAGS on
# the command line, which overrides a `CFLAGS +=` here (the library was then built without
# instrumentation, only linked with the runtime).
ifneq ($(SANITIZE),)
SAN_CFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=$(SANITIZE)
endif
# The packages' flags, asked once and only when a rule needs them (a recursive variable that
# replaces itself): `make deps`, `demo` and `check` install the packages before the make they
# start compiles, so a machine without them must get that far.  A package pkg-config does
# not know stops the build here, named, instead of a compiler error about a missing header.
PKG_MISSING = $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists '$(p)' && echo y),,$(p))))
pkg_config  = $(if $(PKG_MISSING),$(error pkg-config does not know: $(PKG_MISSING) (install the \
              development package or run `make deps`)),$(shell pkg-config $(1) $(PKGS)))
PKG_CFLAGS  = $(eval PKG_CFLAGS := $$(call pkg_config,--cflags))$(PKG_CFLAGS)
PKG_LIBS    = $(eval PKG_LIBS := $$(call pkg_config,--libs))$(PKG_LIBS)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DSCELLE_VERSION='"$(VERSION)"' -DLOCALEDIR='"$(LOCALEDIR)"' \
             -DINSTALL_LOCALEDIR='"$(INSTALL_LOCALEDIR)"' \
             -Iinclude $(LIB_DIRS:%=-I%) \
             $(WARN) $(PKG_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) -fPIC -pthread
LIBS       = $(PKG_LIBS) -lmagic -lunistring -pthread

# src/lib in its layers, lowest first (doc/design.md §8, tests/layers.py).
LIB_DIRS  := src/lib/base src/lib/container src/lib/crypto src/lib/evidence src/lib/ops
LIB_SRC   := $(sort $(wildcard $(LIB_DIRS:%=%/*.c)))
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
PO        := $(sort $(wildcard src/cli/po/*.po))
MO        := $(PO:src/cli/po/%.po=$(B)/locale/%/LC_MESSAGES/scelle.mo)
UNIT_BIN  := $(UNIT_SRC:%.c=$(B)/%) $(B)/tests/unit/tsa_tool

# `make V=1` shows each command in full; by default one line says what is made.
ifeq ($(V),1)
Q   :=
say  = @:
else
Q   := @
say  = @printf '  %-7s %s\n'
endif

.PHONY: all deps demo check check-asan bench mutate fuzz fuzz-run install uninstall clean
all: $(B)/scelle $(B)/libscelle.a $(MO)

# Each object depends on the headers it includes, as the compiler found them (-MMD writes
# x.d beside x.o; -MP adds an empty rule per header, so that a header removed is no error).
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

DEPS := $(wildcard $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d))
-include $(DEPS)
# An object made before its .d existed (a build dir older than -MMD) depends on every
# header, so that it is rebuilt once and gets its .d.
$(filter-out $(DEPS:.d=.o),$(LIB_OBJ) $(CLI_OBJ)): include/scelle.h $(wildcard $(LIB_DIRS:%=%/*.h) src/cli/*.h)

$(B)/libscelle.a: $(LIB_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/scelle: $(CLI_OBJ) $(B)/libscelle.a
	$(say) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libscelle.a $(LIBS)

$(B)/tests/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libscelle.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(B)/libscelle.a $(LIBS)

$(B)/locale/%/LC_MESSAGES/scelle.mo: src/cli/po/%.po
	@mkdir -p $(dir $@)
	$(say) MSGFMT $<
	$(Q)msgfmt --check -o $@ $<

# Installs the Debian packages the build and the tests need (apt-get; sudo when not root).
deps:
	@sh tests/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(FUZZ_BIN)
	@sh tests/run.sh

check-asan: deps
	@$(MAKE) --no-print-directory B=build-asan CC=clang SANITIZE=address,undefined CFLAGS='-O1 -g' \
		all $(UNIT_BIN:$(B)/%=build-asan/%) $(FUZZ_BIN:$(B)/%=build-asan/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		B=build-asan sh tests/run.sh

# Timing against sha256sum, openssl dgst and bsdtar on a generated corpus (build/bench,
# ~8 GB of input; see tests/bench.py).  Not a test: no threshold fails it.
bench: all
	@python3 tests/bench.py

# Mutation testing of the verifier (tests/mutate/mutate.py): each mutant of the verification
# sources is built in a scratch copy (build/mutate/) and judged by replaying the calls the
# verification tests make (recorded once).  Not part of .ci/run: 10-20 s a killed mutant,
# 1-2 min a survivor on two busy cores.  MUTATE_MAX mutants per file, 50 by default;
# MUTATE_ARGS="--budget 60" stops after an hour and summarises what ran; --scripts runs the
# test scripts on what the replay leaves alive.
mutate: deps
	@python3 tests/mutate/mutate.py $(MUTATE_ARGS)

clean:
	rm -rf build build-asan build-fuzz

# ---- fuzzing (issue 7) -----------------------------------------------------------------
# Each tests/fuzz/fuzz_*.c is a libFuzzer target.  Built as an ordinary program with
# tests/fuzz/replay.c it replays files instead: make check runs the seed corpora and every
# kept crash input (tests/fuzz/regress/) through it (t62).  `make fuzz` builds the libFuzzer
# binaries into build-fuzz/fuzz/; `make fuzz-run` runs each for FUZZ_TIME seconds.
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:%.c=$(B)/%)
FUZZ_TIME ?= 60

$(B)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(B)/libscelle.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(B)/libscelle.a $(LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang SANITIZE=address,undefined \
		CFLAGS='-O1 -g -fsanitize=fuzzer-no-link' $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)

build-fuzz/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h build-fuzz/libscelle.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -fsanitize=fuzzer $(LDFLAGS) -o $@ $< build-fuzz/libscelle.a $(LIBS)

fuzz-run: fuzz
	@sh tests/fuzz/run.sh $(FUZZ_TIME)

# ---- shared library, pkg-config, install (issue 9) -------------------------------------
# libscelle.so exports only the public API: the library objects are compiled with hidden
# visibility and scelle.h marks each API function SCELLE_API (default visibility).
SOMAJOR    := 0
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
$(LIB_OBJ): ALL_CFLAGS += -fvisibility=hidden

.PHONY: shared
shared: $(B)/libscelle.so $(B)/scelle.pc

$(B)/libscelle.so.$(VERSION): $(LIB_OBJ)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libscelle.so.$(SOMAJOR) -Wl,--no-undefined \
		-o $@ $(LIB_OBJ) $(LIBS)

$(B)/libscelle.so: $(B)/libscelle.so.$(VERSION)
	ln -sf libscelle.so.$(VERSION) $(B)/libscelle.so.$(SOMAJOR)
	ln -sf libscelle.so.$(VERSION) $@

# libdir and includedir stay relative to ${prefix}, so that pkg-config --define-prefix works
# on a tree installed with DESTDIR.
PC_LIBDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
$(B)/scelle.pc: src/lib/scelle.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PC_LIBDIR)|' -e 's|@INCLUDEDIR@|$(PC_INCDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(PKGS)|' \
		-e 's|@LIBS_PRIVATE@|$(filter-out $(PKG_LIBS),$(LIBS))|' src/lib/scelle.pc.in >$@

install: all shared
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(B)/scelle $(DESTDIR)$(BINDIR)/scelle
	install -m 755 $(B)/libscelle.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libscelle.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libscelle.so.$(SOMAJOR)
	ln -sf libscelle.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libscelle.so
	install -m 644 $(B)/libscelle.a $(DESTDIR)$(LIBDIR)/libscelle.a
	install -m 644 $(B)/scelle.pc $(DESTDIR)$(LIBDIR)/pkgconfig/scelle.pc
	install -m 644 include/scelle.h $(DESTDIR)$(INCLUDEDIR)/scelle.h
	install -m 644 src/cli/scelle.1 $(DESTDIR)$(MANDIR)/man1/scelle.1
	install -m 644 src/lib/libscelle.3 $(DESTDIR)$(MANDIR)/man3/libscelle.3
	install -m 644 src/cli/scelle.bash-completion $(DESTDIR)$(BASHCOMPDIR)/scelle
	for mo in $(MO); do l=$${mo#$(B)/locale/}; l=$${l%%/*}; \
		install -d $(DESTDIR)$(INSTALL_LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 644 $$mo $(DESTDIR)$(INSTALL_LOCALEDIR)/$$l/LC_MESSAGES/scelle.mo || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/scelle $(DESTDIR)$(LIBDIR)/libscelle.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libscelle.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libscelle.so \
		$(DESTDIR)$(LIBDIR)/libscelle.a $(DESTDIR)$(LIBDIR)/pkgconfig/scelle.pc \
		$(DESTDIR)$(INCLUDEDIR)/scelle.h $(DESTDIR)$(MANDIR)/man1/scelle.1 \
		$(DESTDIR)$(MANDIR)/man3/libscelle.3 $(DESTDIR)$(BASHCOMPDIR)/scelle \
		$(PO:src/cli/po/%.po=$(DESTDIR)$(INSTALL_LOCALEDIR)/%/LC_MESSAGES/scelle.mo)
