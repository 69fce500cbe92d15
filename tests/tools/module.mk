# tests/tools/module.mk - small programs the lab tests and benchmarks use.
TOOLS = $(BUILD)/tools/dhcp_probe

$(BUILD)/tools/dhcp_probe: tests/tools/dhcp_probe.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -o $@ $<

all: $(TOOLS)
.PHONY: tools
tools: $(TOOLS)
