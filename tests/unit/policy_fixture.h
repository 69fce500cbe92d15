/*
 * policy_fixture.h - the site policy the boot tests start from
 * (test_decide.c, test_boot.c, render_fixture.h): base URL
 * http://198.18.0.1, the menu for unknown MACs, 3 install attempts,
 * sanboot on BIOS; each test names its menu timeout (seconds) and its
 * UEFI local boot method, the two values its expectations depend on.
 */
#ifndef BOOTYARD_TESTS_POLICY_FIXTURE_H
#define BOOTYARD_TESTS_POLICY_FIXTURE_H

#include "appliance/core/decide.h"

/* An initializer, so that a test can keep its policy static const. */
#define POLICY_FIXTURE(timeout, efi)                                          \
	{                                                                     \
		.base_url = "http://198.18.0.1", .unknown = UNKNOWN_MENU,     \
		.menu_timeout = (timeout), .install_attempts = 3,             \
		.local_bios = LOCAL_BOOT_SANBOOT, .local_efi = (efi),         \
	}

#endif
