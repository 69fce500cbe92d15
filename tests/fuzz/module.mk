# tests/fuzz/module.mk - sources of fuzz targets beyond http/module.mk's
# FUZZ_LIB_SRC (read after it: */module.mk come before */*/module.mk).
#   fuzz_grub: the grub renderer (appliance/core/render_grub.c)
FUZZ_LIB_SRC += appliance/core/render_grub.c
#   fuzz_doctor: the rogue DHCP probe's reply parser (appliance/dhcp/doctor.c)
FUZZ_LIB_SRC += appliance/dhcp/doctor.c
#   fuzz_admin_json: the admin API's JSON bodies (http/admin_json.c; the
#   action names come from db/db_sqlite.c, hence the database module and SQLite)
FUZZ_LIB_SRC += http/admin_json.c db/db.c db/db_sqlite.c db/db_pg.c db/db_check.c db/schema.c db/schema_pg.c appliance/core/hostcheck.c
#   fuzz_relay: relay agent information (lease.c, from tests/tools) and
#   [dhcp] range lines rendered by appliance/dhcp/dnsmasq.c
FUZZ_LIB_SRC += appliance/dhcp/dnsmasq.c
# A rule's prerequisites expand when it is read: http/module.mk's saw only
# its own FUZZ_LIB_SRC, so a change to a source added here (or by a later
# module.mk) must rebuild the targets too.
$(FUZZ_BINS): $(FUZZ_LIB_SRC)

# make fuzz-long: every target for FUZZ_RUNS executions (default 10
# million) from its corpus, one after the other, and a summary line per
# target: executions, crashes (libFuzzer stops at the first; its input is
# BUILD/fuzz/NAME-crash-*), seconds. Exit 1 when any target crashed.
# CPU-heavy: run it under `nice -n 19 flock /work/qemu.lock`.
# FUZZ_LONG_ONLY=fuzz_a\ fuzz_b limits it to those targets.
FUZZ_RUNS ?= 10000000
FUZZ_LONG_BINS = $(if $(FUZZ_LONG_ONLY),$(FUZZ_LONG_ONLY:%=$(BUILD)/fuzz/%),$(FUZZ_BINS))

.PHONY: fuzz-long
fuzz-long: $(FUZZ_LONG_BINS)
	@bad=0; for f in $(FUZZ_LONG_BINS); do \
		n=$$(basename $$f); c=$(BUILD)/fuzz/corpus-$$n; \
		log=$(BUILD)/fuzz/$$n.long.log; \
		mkdir -p $$c; \
		if [ -d tests/fuzz/seeds/$$n ]; then cp -n tests/fuzz/seeds/$$n/* $$c/ 2>/dev/null || true; fi; \
		echo "fuzz-long: $$n for $(FUZZ_RUNS) executions"; \
		t0=$$(date +%s); \
		$$f -runs=$(FUZZ_RUNS) -max_len=4096 -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/$$n- $$c >$$log 2>&1; rc=$$?; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
		[ -n "$$runs" ] || runs=$$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' $$log | tail -n 1); \
		crashes=0; \
		if [ $$rc -ne 0 ]; then crashes=1; bad=1; \
			grep -m1 -E 'ERROR|Sanitizer|deadly signal|runtime error' $$log; \
			grep -m1 'Test unit written to' $$log; fi; \
		echo "fuzz-long: $$n executions=$${runs:-0} crashes=$$crashes seconds=$$(( $$(date +%s) - t0 ))"; \
	done; exit $$bad
