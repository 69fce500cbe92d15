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
PKGS      = libmicrohttpd libnl-route-3.0 libnl-3.0 sqlite3 inih jansson gnutls \
            libarchive libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

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
LIB_SRC   = $(wildcard common/*.c db/*.c http/*.c) \
            $(filter-out appliance/main.c, $(wildcard appliance/*.c))
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB       = $(BUILD)/libbootyard.a

BINS      = $(BUILD)/bootyard $(BUILD)/bootyard-lease
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.SECONDARY:
.PHONY: all check check-quick check-san unit deps demo demo-stop bench clean format
all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bootyard: $(BUILD)/appliance/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bootyard-lease: $(BUILD)/dhcp-hooks/bootyard-lease.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)

-include $(LIB_OBJ:.o=.d) $(BUILD)/appliance/main.d $(BUILD)/dhcp-hooks/bootyard-lease.d \
         $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d)

deps:
	@./tests/lib/deps.sh

# Every test, then the unit and CLI tests again under ASan + UBSan.
check: deps
	$(MAKE) all unit
	$(MAKE) SANITIZER=address,undefined all unit
	./tests/run.sh

# The same without re-checking packages or the sanitizer build.
check-quick: all unit
	BOOTYARD_NO_SAN=1 ./tests/run.sh $(SUITES)

format:
	clang-format -i $(wildcard */*.c */*.h tests/*/*.c)

clean:
	rm -rf build build-san

-include $(wildcard */module.mk */*/module.mk)
