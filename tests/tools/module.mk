# tests/tools/module.mk - small programs the lab tests and benchmarks use.
TOOLS = $(BUILD)/tools/dhcp_probe

$(BUILD)/tools/dhcp_probe: tests/tools/dhcp_probe.c | builddeps
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -o $@ $<

all: $(TOOLS)
.PHONY: tools
tools: $(TOOLS)

# The fuzz targets of the lease hook and dnsmasq log parsers (tests/fuzz/
# fuzz_lease.c, fuzz_dnsmasq_log.c; `make fuzz` is in http/module.mk)
# need these pure modules linked in too.
FUZZ_LIB_SRC += appliance/dhcp/lease.c appliance/dhcp/dnsmasq_log.c
