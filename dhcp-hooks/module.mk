# dhcp-hooks/module.mk - the lease hook's benchmark.
#
#   make bench-dhcp [BENCH_DHCP_N=1000] [BENCH_DHCP_WINDOW=32]
#     DHCP transactions/s against dnsmasq alone and dnsmasq + bootyard-lease
#     (tests/bench/dhcp_bench.sh; needs root for network namespaces)
.PHONY: bench-dhcp
bench-dhcp: all
	BUILD=$(abspath $(BUILD)) BOOTYARD=$(abspath $(BUILD))/bootyard \
	BOOTYARD_LEASE=$(abspath $(BUILD))/bootyard-lease \
	TOP=$(CURDIR) ./tests/bench/dhcp_bench.sh $(BENCH_DHCP_N) $(BENCH_DHCP_WINDOW)
bench: bench-dhcp
