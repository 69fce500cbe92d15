/*
 * test_ipxe_build.c - the pure parts of the iPXE image builder
 * (appliance/build/ipxe_build.h): the boot URL base from the configuration, the
 * --images list, and the "is there a complete build" check. The build
 * itself is tested with the real iPXE source in
 * tests/integration/ipxe_build.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "appliance/core/config.h"
#include "appliance/build/ipxe_build.h"
#include "common/util.h"
#include "tmpdir.h"
#include "unit_main.h"

/* cfg gives the boot script's base URL want. */
static void
base_url_is(const struct by_config *cfg, const char *want)
{
	char url[128];

	assert_int_equal(ipxe_build_base_url(cfg, url, sizeof(url)), 0);
	assert_string_equal(url, want);
}

static void
test_base_url(void **state)
{
	struct by_config cfg;
	char url[128];

	cfg_defaults(&cfg);
	/* Defaults: server_address auto, listen 0.0.0.0:80: no address. */
	assert_int_equal(ipxe_build_base_url(&cfg, url, sizeof(url)),
			 -EADDRNOTAVAIL);

	strcpy(cfg.server_address, "198.18.0.1");
	base_url_is(&cfg, "http://198.18.0.1");

	strcpy(cfg.listen, "0.0.0.0:8080");
	base_url_is(&cfg, "http://198.18.0.1:8080");

	/* TLS on: https from tls_listen, default port left out. */
	strcpy(cfg.tls_listen, "0.0.0.0:443");
	base_url_is(&cfg, "https://198.18.0.1");
	strcpy(cfg.tls_listen, "198.18.0.1:8443");
	base_url_is(&cfg, "https://198.18.0.1:8443");

	/* server_address auto: the listener's own address. */
	strcpy(cfg.server_address, "auto");
	strcpy(cfg.tls_listen, "198.18.0.5:443");
	base_url_is(&cfg, "https://198.18.0.5");
	strcpy(cfg.tls_listen, "off");
	strcpy(cfg.listen, "198.18.0.6:80");
	base_url_is(&cfg, "http://198.18.0.6");

	/* Too small a buffer. */
	assert_int_equal(ipxe_build_base_url(&cfg, url, 8), -ENAMETOOLONG);
}

static void
test_base_url_hostile(void **state)
{
	static const char *const bad_listen[] = {
		"",     ":80",	   "198.18.0.1",      "198.18.0.1:",
		"x:80", "198.18.0.1:0", "198.18.0.1:65536", "198.18.0.1:8x",
		"198.18.0.1:80;reboot", "[::1]:80",
	};
	struct by_config cfg;
	char url[128];
	size_t i;

	for (i = 0; i < sizeof(bad_listen) / sizeof(bad_listen[0]); i++) {
		cfg_defaults(&cfg);
		strcpy(cfg.server_address, "198.18.0.1");
		strcpy(cfg.tls_listen, bad_listen[i]);
		if (!bad_listen[i][0])
			continue; /* "" is "off" */
		assert_int_equal(ipxe_build_base_url(&cfg, url, sizeof(url)),
				 -EINVAL);
	}
	cfg_defaults(&cfg);
	strcpy(cfg.server_address, "198.18.0.1 && shell");
	assert_int_equal(ipxe_build_base_url(&cfg, url, sizeof(url)),
			 -EINVAL);
}

static void
test_parse_images(void **state)
{
	static const char *const bad[] = {
		"",
		",",
		"ipxe.lkrn,",
		",ipxe.lkrn",
		"ipxe.lkrn,,ipxe.efi",
		"ipxe.lkrn,ipxe.lkrn",
		"IPXE.LKRN",
		"ipxe.lkrn ",
		"../ipxe.lkrn",
		"bin/ipxe.lkrn",
		"ipxe",
		"all,ipxe.efi",
	};
	unsigned bits = 0;
	size_t i;

	assert_int_equal(ipxe_build_parse_images("all", &bits), 0);
	assert_int_equal(bits, IPXE_IMG_ALL);
	assert_int_equal(ipxe_build_parse_images("ipxe.lkrn", &bits), 0);
	assert_int_equal(bits, IPXE_IMG_LKRN);
	assert_int_equal(
		ipxe_build_parse_images("snponly.efi,undionly.kpxe", &bits), 0);
	assert_int_equal(bits, IPXE_IMG_SNPONLY | IPXE_IMG_UNDIONLY);
	assert_int_equal(ipxe_build_parse_images("ipxe.lkrn,undionly.kpxe,"
						 "ipxe.efi,snponly.efi,"
						 "arm64/ipxe.efi,"
						 "arm64/snponly.efi",
						 &bits),
			 0);
	assert_int_equal(bits, IPXE_IMG_ALL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bits = 12345;
		assert_int_equal(ipxe_build_parse_images(bad[i], &bits),
				 -EINVAL);
		assert_int_equal(bits, 12345); /* untouched */
	}
	assert_int_equal(ipxe_build_parse_images(NULL, &bits), -EINVAL);
	assert_string_equal(ipxe_image_name(0), "ipxe.lkrn");
	assert_string_equal(ipxe_image_name(3), "snponly.efi");
	assert_string_equal(ipxe_image_name(5), "arm64/snponly.efi");
	assert_null(ipxe_image_name(6));
}

static void
put(const char *dir, const char *name, const char *text)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
}

static void
test_present(void **state)
{
	char dir[64];
	static const char key[] = "key=0123456789abcdef0123456789abcdef"
				  "0123456789abcdef0123456789abcdef\n";
	char info[512];
	unsigned bits = 0;

	tmpdir_make(dir, sizeof(dir));
	assert_false(ipxe_build_present(dir, &bits));
	put(dir, "ipxe.lkrn", "x");
	put(dir, "snponly.efi", "x");
	/* No build.info: not a build. */
	assert_false(ipxe_build_present(dir, &bits));
	snprintf(info, sizeof(info), "%simages=ipxe.lkrn,snponly.efi\n", key);
	put(dir, "build.info", info);
	assert_true(ipxe_build_present(dir, &bits));
	assert_int_equal(bits, IPXE_IMG_LKRN | IPXE_IMG_SNPONLY);
	/* An image it lists is missing or empty: incomplete. */
	put(dir, "snponly.efi", "");
	assert_false(ipxe_build_present(dir, NULL));
	/* A hostile or broken build.info. */
	snprintf(info, sizeof(info), "%simages=ipxe.lkrn,../../etc/passwd\n",
		 key);
	put(dir, "build.info", info);
	assert_false(ipxe_build_present(dir, NULL));
	put(dir, "build.info", "key=short\nimages=ipxe.lkrn\n");
	assert_false(ipxe_build_present(dir, NULL));
	put(dir, "build.info", "images=ipxe.lkrn\n");
	assert_false(ipxe_build_present(dir, NULL));
	tmpdir_remove(dir);
}

int
main(void)
{
	return UNIT_RUN(test_base_url, test_base_url_hostile, test_parse_images,
	                test_present);
}
