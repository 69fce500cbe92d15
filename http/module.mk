# http/module.mk - the HTTP service's extra targets.
#
#   make fuzz         build every tests/fuzz/fuzz_*.c with clang's libFuzzer
#                     (+ ASan, UBSan) into BUILD/fuzz/ and run each for
#                     FUZZ_SECONDS (default 20) from its seed corpus
#   make bench-http   tests/bench/http_bench.sh: bootyard vs nginx with wrk
#                     (results go to BENCHMARKS.md by hand; never fails)

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS   = -g -O1 -std=gnu11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# The pure modules the targets exercise, built with clang + coverage.
FUZZ_LIB_SRC  = $(wildcard common/*.c) appliance/core/arch.c appliance/core/query.c \
                appliance/core/template.c \
                appliance/core/decide.c appliance/core/render_ipxe.c http/filepath.c \
                http/metrics.c appliance/core/config.c appliance/build/import.c \
                $(BUILD)/gen/stock_templates.c
FUZZ_SRC      = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS     = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRC) | builddeps fuzzdeps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) $(LDLIBS)

.PHONY: fuzz fuzz-build fuzzdeps bench-http
# clang and its libFuzzer runtime: the "# fuzz" section of
# debian-packages.txt (make deps installs them).
fuzzdeps:
	$(call deps_guard,fuzz)
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@set -e; for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); c=$(BUILD)/fuzz/corpus-$$n; \
		mkdir -p $$c; \
		if [ -d tests/fuzz/seeds/$$n ]; then cp -n tests/fuzz/seeds/$$n/* $$c/ 2>/dev/null || true; fi; \
		echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-artifact_prefix=$(BUILD)/fuzz/$$n- $$c >$(BUILD)/fuzz/$$n.log 2>&1 \
			|| { tail -n 40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
		tail -n 1 $(BUILD)/fuzz/$$n.log; \
	done

bench-http: all
	-BUILD=$(abspath $(BUILD)) ./tests/bench/http_bench.sh

$(BUILD)/bench/http_seed: tests/bench/http_seed.c $(LIB) | builddeps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench-http: $(BUILD)/bench/http_seed

# `make bench` runs every module's benchmark; this is the HTTP one.
bench: bench-http

# The stock install templates (http/templates/*), compiled into the
# program as C strings so that `distro import` and `template show` need no
# file at run time; the .deb also installs them under
# /usr/share/bootyard/templates/ for users to copy.
STOCK_TEMPLATES = $(sort $(wildcard http/templates/*))
$(BUILD)/gen/stock_templates.c: $(STOCK_TEMPLATES) http/stock_gen.sh
	@mkdir -p $(dir $@)
	sh http/stock_gen.sh $(STOCK_TEMPLATES) >$@.tmp && mv $@.tmp $@

# The web console's assets (http/console/*: HTML, CSS, JavaScript
# modules as written, no build chain), compiled into the program.
CONSOLE_ASSETS = $(sort $(wildcard http/console/*))
$(BUILD)/gen/console_assets.c: $(CONSOLE_ASSETS) http/console_gen.sh
	@mkdir -p $(dir $@)
	sh http/console_gen.sh $(CONSOLE_ASSETS) >$@.tmp && mv $@.tmp $@

# The generated sources, compiled into the library like any other.
GEN_OBJ = $(BUILD)/gen/stock_templates.o $(BUILD)/gen/console_assets.o
$(GEN_OBJ): $(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(GEN_OBJ)
