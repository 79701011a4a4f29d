# weft — plain Makefile. `make` builds, `make check` installs what is missing and runs every
# test, `make asan` builds and runs the unit and vector tests under ASan+UBSan, `make fuzz`
# runs each libFuzzer target for a bounded time, `make bench` runs the benchmarks.

CC        ?= cc
BUILD     ?= build
VECTORS   ?= $(abspath ../shared/vectors)
FUZZ_SECONDS ?= 20

WARN      := -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes
ifneq ($(CI),)
WERROR    ?= 1
endif
ifeq ($(WERROR),1)
WARN      += -Werror
endif
OPT       ?= -O2 -g
CFLAGS    ?=
CPPFLAGS  += -Iinclude -Icore -Ios -D_GNU_SOURCE
ALLCFLAGS  = -std=c11 $(OPT) $(WARN) $(SANFLAGS) $(CFLAGS)
LIBS_CORE := -lsodium -lcrypto -llz4
LIBS_TEST := -ljansson -lmicrohttpd

ifeq ($(V),1)
Q :=
else
Q := @
endif

CORE_SRC  := $(wildcard core/*.c)
OS_SRC    := $(wildcard os/*.c)
CLI_SRC   := $(wildcard cli/*.c)
SVC_SRC   := $(wildcard service/*.c)
TLIB_SRC  := $(wildcard tests/lib/*.c)
UNIT_SRC  := $(wildcard tests/unit/*.c)
VEC_SRC   := $(wildcard tests/vectors/*.c)
SIM_SRC   := $(wildcard tests/sim/*.c)
BENCH_SRC := $(wildcard bench/*.c)
FUZZ_SRC  := $(wildcard tests/fuzz/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

CORE_LIB  := $(BUILD)/libweftcore.a
OS_LIB    := $(BUILD)/libweftos.a
TLIB      := $(BUILD)/libwefttest.a
# The embedded controller: linked into weftd, its tests and bench/controller.
CTL_LIB   := $(BUILD)/libweftctl.a
CTL_SRC   := $(wildcard controller/*.c)
# The rules language compiler (rulesc/): linked into weft, weftd, tests and benches.
RULESC_LIB := $(BUILD)/librulesc.a
RULESC_SRC := $(wildcard rulesc/*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
VEC_BIN   := $(patsubst tests/vectors/%.c,$(BUILD)/tests/vectors/%,$(VEC_SRC))
SIM_BIN   := $(patsubst tests/sim/%.c,$(BUILD)/tests/sim/%,$(SIM_SRC))
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZ_BIN  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

.PHONY: all check test asan fuzz bench demo deps format format-check clean man install
# Keep test and bench objects between runs (make would delete them as intermediates).
.SECONDARY:
all: $(BUILD)/weft $(BUILD)/weftd

$(BUILD)/obj/tests/%.o $(BUILD)/obj/bench/%.o: CPPFLAGS += -Itests/lib -Icontroller -Irulesc -Iservice

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALLCFLAGS) -MMD -MP -c $< -o $@

$(CORE_LIB): $(call obj,$(CORE_SRC))
$(OS_LIB): $(call obj,$(OS_SRC))
$(TLIB): $(call obj,$(TLIB_SRC))
$(CTL_LIB): $(call obj,$(CTL_SRC))
$(RULESC_LIB): $(call obj,$(RULESC_SRC))
$(CORE_LIB) $(OS_LIB) $(TLIB) $(CTL_LIB) $(RULESC_LIB):
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

# The CLI and the service as libraries (all but their main()): weftd -q / -i run the CLI, and
# tests link the service's modules.
CLI_LIB   := $(BUILD)/libweftcli.a
SVC_LIB   := $(BUILD)/libweftsvc.a
$(CLI_LIB): $(call obj,$(filter-out cli/main.c,$(CLI_SRC)))
$(SVC_LIB): $(call obj,$(filter-out service/weftd.c,$(SVC_SRC)))
$(CLI_LIB) $(SVC_LIB):
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/weft: $(BUILD)/obj/cli/main.o $(CLI_LIB) $(CTL_LIB) $(RULESC_LIB) $(OS_LIB) $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALLCFLAGS) $^ -o $@ $(LIBS_CORE) -ljansson

$(BUILD)/weftd: $(BUILD)/obj/service/weftd.o $(SVC_LIB) $(CLI_LIB) $(CTL_LIB) $(RULESC_LIB) \
		$(OS_LIB) $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALLCFLAGS) $^ -o $@ $(LIBS_CORE) -lmicrohttpd -ljansson

$(BUILD)/obj/service/%.o: CPPFLAGS += -Iservice -Icontroller -Icli
$(BUILD)/obj/controller/%.o: CPPFLAGS += -Icontroller -Irulesc
$(BUILD)/obj/cli/%.o: CPPFLAGS += -Icontroller -Irulesc

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TLIB) $(SVC_LIB) $(CTL_LIB) $(RULESC_LIB) $(OS_LIB) \
		$(CORE_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALLCFLAGS) $^ -o $@ $(LIBS_CORE) $(LIBS_TEST)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(CTL_LIB) $(RULESC_LIB) $(OS_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALLCFLAGS) $^ -o $@ $(LIBS_CORE) -ljansson

# Man pages: Markdown under docs/man, turned into roff by lowdown.
MAN_SRC   := $(wildcard docs/man/*.md)
MAN_OUT   := $(patsubst docs/man/%.md,$(BUILD)/man/%,$(MAN_SRC))
$(BUILD)/man/%: docs/man/%.md
	@mkdir -p $(dir $@)
	$(Q)lowdown -s -Tman $< -o $@
man: $(MAN_OUT)

# `make install` (DESTDIR and PREFIX as usual): the binaries, weft-idtool as a link to weft
# (weft picks the identity tool from its name), the man pages and the systemd unit.
PREFIX    ?= /usr/local
UNITDIR   ?= /lib/systemd/system
install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BUILD)/weft $(DESTDIR)$(PREFIX)/bin/weft
	ln -sf weft $(DESTDIR)$(PREFIX)/bin/weft-idtool
	install -m 0755 $(BUILD)/weftd $(DESTDIR)$(PREFIX)/sbin/weftd
	install -m 0644 $(filter %.1,$(MAN_OUT)) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(filter %.8,$(MAN_OUT)) $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|/usr/sbin/weftd|$(PREFIX)/sbin/weftd|' dist/weftd.service \
		>$(DESTDIR)$(UNITDIR)/weftd.service

# Everything `make check` runs, built first so the runner only runs.
test-bins: all man $(UNIT_BIN) $(VEC_BIN) $(SIM_BIN)
.PHONY: test-bins

# `make check`: install missing packages, build with warnings as errors, run every test
# (plain and sanitized), print the total as `N passed, N failed`.
check: deps
	$(Q)$(MAKE) --no-print-directory WERROR=1 test-bins
	$(Q)$(MAKE) --no-print-directory WERROR=1 BUILD=build-asan SANFLAGS="$(ASAN)" OPT="-O1 -g" test-bins
	$(Q)VECTORS=$(VECTORS) tools/run-tests.sh build build-asan

test: test-bins
	$(Q)VECTORS=$(VECTORS) tools/run-tests.sh $(BUILD)

ASAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan SANFLAGS="$(ASAN)" OPT="-O1 -g" test-bins
	$(Q)VECTORS=$(VECTORS) tools/run-tests.sh build-asan

# libFuzzer targets: clang, core sources compiled in with the fuzzer and sanitizers.
FUZZ_CFLAGS := -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	       $(WARN) -Iinclude -Icore -Ios -Icontroller -D_GNU_SOURCE
# Sources outside core/ a target also needs, and its extra libraries: set per target below,
# each with the same files as prerequisites.
FUZZ_EXTRA :=
FUZZ_LIBS  :=
$(BUILD)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(wildcard core/*.h)
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) $< $(CORE_SRC) $(FUZZ_EXTRA) -o $@ $(LIBS_CORE) $(FUZZ_LIBS)
FUZZ_TAP := os/tap_linux.c os/fs.c os/gso.c
$(BUILD)/fuzz/dev_mcast: FUZZ_EXTRA := $(FUZZ_TAP)
$(BUILD)/fuzz/dev_mcast: $(FUZZ_TAP) $(wildcard os/*.h)
# controller_request brings its own in-memory store.
FUZZ_CTL := $(filter-out controller/store_fs.c,$(CTL_SRC))
$(BUILD)/fuzz/controller_request: FUZZ_EXTRA := $(FUZZ_CTL) $(RULESC_SRC) -Irulesc
$(BUILD)/fuzz/controller_request: FUZZ_LIBS := -ljansson
$(BUILD)/fuzz/controller_request: $(FUZZ_CTL) $(RULESC_SRC) $(wildcard controller/*.h)
$(BUILD)/fuzz/rulesc: FUZZ_EXTRA := $(RULESC_SRC) -Irulesc
$(BUILD)/fuzz/rulesc: FUZZ_LIBS := -ljansson
$(BUILD)/fuzz/rulesc: $(RULESC_SRC) $(wildcard rulesc/*.h)
$(BUILD)/fuzz/localconf: FUZZ_EXTRA := service/localconf.c -Iservice
$(BUILD)/fuzz/localconf: FUZZ_LIBS := -ljansson
$(BUILD)/fuzz/localconf: service/localconf.c service/localconf.h
FUZZ_CSUM := tests/lib/csum_ref.c -Itests/lib
$(BUILD)/fuzz/gso: FUZZ_EXTRA := os/gso.c $(FUZZ_CSUM)
$(BUILD)/fuzz/gso: os/gso.c os/gso.h tests/lib/csum_ref.c tests/lib/csum_ref.h
$(BUILD)/fuzz/gro: FUZZ_EXTRA := os/gro.c os/gso.c $(FUZZ_CSUM)
$(BUILD)/fuzz/gro: os/gro.c os/gro.h os/gso.c os/gso.h tests/lib/csum_ref.c tests/lib/csum_ref.h
fuzz: $(FUZZ_BIN)
	$(Q)tools/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

bench: all $(BENCH_BIN)
	$(Q)for b in $(BENCH_BIN); do echo "== $$b"; WEFT_WEFTD=$(BUILD)/weftd $$b || exit 1; done
	$(Q)for b in bench/*.sh; do echo "== $$b"; bash $$b $(BUILD) || exit 1; done

$(BUILD)/demo-foundation: $(BUILD)/obj/tools/demo_packet.o $(OS_LIB) $(CORE_LIB)
	$(Q)$(CC) $(ALLCFLAGS) $^ -o $@ $(LIBS_CORE)

demo: deps all $(BUILD)/demo-foundation
	$(Q)tools/demo.sh $(BUILD)

deps:
	$(Q)tools/deps.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
