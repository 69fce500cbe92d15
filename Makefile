# bootyard — one entry point: build, check, demo, bench, images.
#
#   make            build bootyard and bootyard-lease into build/
#   make check      install deps, build, run every test (also under ASan+UBSan)
#   make demo       the appliance in an isolated lab network (see README)
#   make bench      benchmarks against reference servers (BENCHMARKS.md)
#   make SANITIZER=address,undefined   a sanitizer build into build-san/
#
# Module fragments (*/module.mk) add their own targets; sources are found by
# wildcard so that a new file in a module needs no edit here.

CC       ?= cc
PKGS      = libmicrohttpd libnl-route-3.0 libnl-3.0 sqlite3 libpq inih jansson gnutls \
            libarchive libcurl
# Asked once, when the first recipe needs them, not when the Makefile is
# read: `make demo` and `make check` install the packages (make deps)
# before anything compiles, and the flags must see them.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $$(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $$(PKGS) 2>/dev/null))$(PKG_LIBS)

WARN      = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -D_GNU_SOURCE -I. $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread

ifdef SANITIZER
BUILD    ?= build-san
CFLAGS   += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZER)
else
BUILD    ?= build
endif

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS   += -DBOOTYARD_VERSION='"$(VERSION)"'

# The library: every module but the two programs' main files.
LIB_SRC   = $(wildcard common/*.c db/*.c http/*.c appliance/*/*.c) \
            $(filter-out appliance/main.c, $(wildcard appliance/*.c))
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB       = $(BUILD)/libbootyard.a

BINS      = $(BUILD)/bootyard $(BUILD)/bootyard-lease
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.SECONDARY:
.PHONY: all check check-quick check-san check-layers unit deps builddeps demo demo-stop bench clean format
all: $(BINS)

# builddeps: every rule that compiles runs this first (order-only). With a
# build package missing it stops, before any compiler runs, with one line
# naming the Debian packages and `make deps` (tests/lib/deps.sh --missing
# reads the "# build" section of debian-packages.txt).
# $(call deps_guard,SECTION) does the same for another section.
builddeps:
	$(call deps_guard,build)
deps_guard = $(call deps_stop,$(1),$(shell ./tests/lib/deps.sh --missing $(1)))
deps_stop  = $(if $(2),$(error missing $(1) packages: $(2); run `make deps` (as root) first))

$(BUILD)/%.o: %.c | builddeps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ) | builddeps
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bootyard: $(BUILD)/appliance/main.o $(LIB) | builddeps
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bootyard-lease: $(BUILD)/dhcp-hooks/bootyard-lease.o $(LIB) | builddeps
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB) | builddeps
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)

-include $(LIB_OBJ:.o=.d) $(BUILD)/appliance/main.d $(BUILD)/dhcp-hooks/bootyard-lease.d \
         $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d)

deps:
	@./tests/lib/deps.sh

# Every test, then the unit and CLI tests again under ASan + UBSan.
check: deps check-layers
	$(MAKE) all unit
	$(MAKE) SANITIZER=address,undefined all unit
	./tests/run.sh

# Includes point down the layers (tests/layers/check_layers.sh lists them).
check-layers:
	@./tests/layers/check_layers.sh

# The same without re-checking packages or the sanitizer build.
check-quick: all unit
	BOOTYARD_NO_SAN=1 ./tests/run.sh $(SUITES)

format:
	clang-format -i $(wildcard */*.c */*.h tests/*/*.c)

clean:
	rm -rf build build-san

-include $(wildcard */module.mk */*/module.mk)
