# wisp: one Makefile, pkg-config, no configure step.  V=1 shows commands.
PKG_CONFIG ?= pkg-config
CC         ?= cc
CFLAGS     ?= -O2 -g
PREFIX     ?= /usr/local
WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
              -Wpointer-arith -Wcast-qual -Wwrite-strings -Wformat=2 -Wvla
override CFLAGS += -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. -MMD -MP $(WARN) $(XCFLAGS)
override LDFLAGS += $(XLDFLAGS)
DEPS       := libsodium lmdb libevent libzip libisal gumbo
# objects, test binaries and libwispcore.a go under $(B)/
B          ?= build
BIN        ?= bin

Q := @
ifeq ($(V),1)
Q :=
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(DEPS) 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
override CFLAGS += $(PKG_CFLAGS)
LDLIBS     += $(PKG_LIBS) -lpthread

# core: pure code every program links (no libevent in it): crypto/,
# store/ and the node's pure parts, node/core/ and node/filter/
NODE_PURE  := $(wildcard node/core/*.c node/filter/*.c)
CORE_SRC   := $(wildcard crypto/*.c store/*.c) $(NODE_PURE)
NODE_SRC   := $(filter-out $(NODE_PURE),$(wildcard node/*/*.c))
CLI_SRC    := $(wildcard client/*.c)
UNIT_SRC   := $(wildcard tests/unit/*.c)
BENCH_SRC  := $(wildcard tests/bench/*.c)
SIM_SRC    := $(wildcard tests/sim/*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(B)/%.o,$(1))
CORE_OBJ   := $(call obj,$(CORE_SRC))
ALL_OBJ    := $(call obj,$(CORE_SRC) $(NODE_SRC) $(CLI_SRC) $(UNIT_SRC) $(BENCH_SRC) $(SIM_SRC) $(FUZZ_SRC) tests/fuzz/replay_main.c $(wildcard tests/net/*.c))

.SECONDARY:
.PHONY: all check unit net lab asan clang bench fuzz fuzzers clean install run deps check-layers demo sim
all: $(BIN)/wispd $(BIN)/wisp

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC  $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libwispcore.a: $(CORE_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN)/wispd: $(call obj,$(NODE_SRC)) $(B)/libwispcore.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/wisp: $(call obj,$(CLI_SRC)) $(B)/libwispcore.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/run: $(call obj,$(UNIT_SRC)) $(B)/libwispcore.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

# test-only helpers, one source file each (never installed)
NET_TOOL_NAMES := storetool relay reref forge rogue datakeys seek delay
NET_TOOLS := $(addprefix $(B)/tests/net/,$(NET_TOOL_NAMES))
$(NET_TOOLS): $(B)/tests/net/%: $(B)/tests/net/%.o $(B)/libwispcore.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the simulator links the same router as wispd (libwispcore.a)
$(BIN)/wisp-sim: $(call obj,$(SIM_SRC)) $(B)/libwispcore.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm

$(B)/tests/bench/run: $(call obj,$(BENCH_SRC)) $(B)/libwispcore.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# fuzz targets replayed over their corpora with the normal compiler
$(B)/tests/fuzz/%: $(B)/tests/fuzz/%.o $(B)/tests/fuzz/replay_main.o $(B)/libwispcore.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(B)/tests/fuzz/%,$(FUZZ_SRC))

deps:
	@sh tools/deps.sh

unit: $(B)/tests/unit/run
	$(B)/tests/unit/run

check: deps
	@$(MAKE) --no-print-directory all $(B)/tests/unit/run $(NET_TOOLS) $(FUZZ_BINS) $(BIN)/wisp-sim
	@$(MAKE) --no-print-directory check-layers
	$(B)/tests/unit/run
	sh tests/fuzz/replay.sh $(B)
	sh tests/sim/check.sh $(BIN) $(B)
	sh tests/net/run.sh $(BIN) $(B)
	sh tests/net/run.sh $(BIN) $(B) lab

net: all $(NET_TOOLS)
	sh tests/net/run.sh $(BIN) $(B)

# friends behind NAT routers, in network namespaces (root): tests/lab/
lab: all
	sh tests/net/run.sh $(BIN) $(B) lab

# the parts of node/ use only the parts below them: includes by each
# folder's .may_include (the pure ones reach for no I/O and no clock),
# calls read from the objects, and no two files call each other in a loop
check-layers: $(call obj,$(NODE_SRC) $(NODE_PURE))
	@sh tools/check-layers.sh
	@python3 tools/check-calls.py $(B)

# the same tree must build clean with clang too; its unit tests run
clang:
	$(MAKE) CC=clang B=build-clang BIN=build-clang/bin all build-clang/tests/unit/run build-clang/bin/wisp-sim
	build-clang/tests/unit/run
	sh tests/sim/check.sh build-clang/bin build-clang

asan:
	WISP_ASAN=1 $(MAKE) B=build-asan BIN=build-asan/bin CFLAGS="-O1 -g" \
	  XCFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  XLDFLAGS="-fsanitize=address,undefined" check

bench: deps
	@$(MAKE) --no-print-directory all $(B)/tests/bench/run
	$(B)/tests/bench/run
	sh tests/bench/node.sh $(BIN) $(B)
	sh tests/bench/limit.sh $(BIN) $(B)
	sh tests/bench/chain.sh $(BIN) $(B)
	sh tests/bench/crowd.sh $(BIN) $(B)
	sh tests/bench/shaped.sh $(BIN) $(B)
	sh tests/bench/contention.sh $(BIN) $(B)

# the simulator's experiments (minutes to an hour each); docs/sim.md
sim: $(BIN)/wisp-sim
	sh tests/sim/run.sh $(BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	sh tests/net/demo.sh $(BIN) $(B)

FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) B=build-fuzz CC=clang CFLAGS="-O1 -g" XCFLAGS="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libwispcore.a
	sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

run: deps
	@$(MAKE) --no-print-directory all
	$(BIN)/wispd --foreground

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BIN)/wispd $(BIN)/wisp $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 docs/wisp.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 docs/wispd.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build build-asan build-fuzz bin

-include $(ALL_OBJ:.o=.d)
