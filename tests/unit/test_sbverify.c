/*
 * test_sbverify.c - Secure Boot signatures of kernels: the parser of
 * `sbverify --list` output, and the real sbverify on a signed kernel and
 * an unsigned EFI image where they are installed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "appliance/build/sbverify.h"
#include "unit_main.h"

static void
test_parse(void **state)
{
	struct sb_result r;

	(void)state;
	assert_int_equal(
	    sb_parse_list("signature 1\n"
	                  "image signature issuers:\n"
	                  " - /CN=Debian Secure Boot CA\n"
	                  "image signature certificates:\n"
	                  " - subject: /CN=Debian Secure Boot Signer\n",
	                  0, &r),
	    0);
	assert_true(r.is_signed);
	assert_string_equal(r.issuer, "/CN=Debian Secure Boot CA");
	assert_int_equal(sb_parse_list("No signature table present\n", 0, &r),
	                 0);
	assert_false(r.is_signed);
	assert_string_equal(r.issuer, "");
	assert_int_equal(sb_parse_list("file is too small for DOS header\n"
	                               "Can't open image x\n",
	                               1, &r),
	                 -EINVAL);
	assert_int_equal(sb_parse_list("", 0, &r), 0);
	assert_false(r.is_signed);
	assert_int_equal(sb_parse_list(NULL, 0, &r), -EINVAL);
}

static void
test_real(void **state)
{
	struct sb_result r;
	int rc;

	(void)state;
	assert_int_equal(sb_check_kernel("/nonexistent", "vmlinuz", &r),
	                 -ENOENT);
	assert_int_equal(sb_check_kernel("/x", "http://198.18.0.1/k", &r),
	                 -EPROTONOSUPPORT);
	rc = sb_check_image("/usr/lib/ipxe/ipxe.efi", &r);
	if (rc == -ENOEXEC || rc == -ENOENT)
		skip();
	assert_int_equal(rc, 0);
	assert_false(r.is_signed);
	if (access("/usr/lib/shim/shimx64.efi.signed", R_OK) == 0) {
		assert_int_equal(
		    sb_check_image("/usr/lib/shim/shimx64.efi.signed", &r), 0);
		assert_true(r.is_signed);
		assert_non_null(strstr(r.issuer, "Microsoft"));
		assert_null(strstr(r.issuer, "warning"));
	}
	assert_int_equal(sb_check_image("/etc/hostname", &r), -EINVAL);
}

int
main(void)
{
	return UNIT_RUN(test_parse, test_real);
}
