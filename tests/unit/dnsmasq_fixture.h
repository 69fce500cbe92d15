/*
 * dnsmasq_fixture.h - the facts of a running appliance that the
 * dnsmasq config is rendered from, as the golden files of
 * tests/golden/dnsmasq/ were written (test_dnsmasq.c) and as the
 * relay fuzz target renders its ranges (tests/fuzz/fuzz_relay.c).
 */
#ifndef BOOTYARD_TESTS_DNSMASQ_FIXTURE_H
#define BOOTYARD_TESTS_DNSMASQ_FIXTURE_H

#include "appliance/dhcp/dnsmasq.h"

/* An initializer, so that a test can keep its facts static const. */
#define DNSMASQ_FACTS_FIXTURE                                                 \
	{                                                                     \
		.iface = "eth0", .addr = "198.18.0.1", .prefix = 24,          \
		.http_base = "http://198.18.0.1",                             \
		.tftp_root = "/var/lib/bootyard/tftp",                        \
		.hostsfile = "/var/lib/bootyard/run/dnsmasq.hosts",           \
		.script = "/usr/lib/bootyard/bootyard-lease",                 \
		.user = "bootyard",                                           \
	}

#endif
