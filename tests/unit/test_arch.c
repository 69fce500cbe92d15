/*
 * test_arch.c - the table of client architectures (appliance/core/arch.h):
 * every option 93 code it knows, unknown and hostile codes and names, the
 * loader files, the local-boot rules and the iPXE images, and the
 * invariants a new row must keep.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "appliance/build/ipxe_build.h"
#include "appliance/core/arch.h"
#include "common/util.h"
#include "unit_main.h"

/* Every code known today, its tag, HTTP Boot or not, the row serving it. */
static const struct {
	long code;
	const char *tag;
	bool http;
	const char *arch; /* NULL: tagged only */
} known[] = {
	{ 0, "bios", false, "i386-pc" },
	{ 6, "efi32", false, NULL },
	{ 7, "efi64", false, "x86_64-efi" },
	{ 9, "efi64", false, "x86_64-efi" },
	{ 10, "efiarm32", false, NULL },
	{ 11, "efiarm64", false, "arm64-efi" },
	{ 16, "httpx64", true, "x86_64-efi" },
	{ 19, "httparm64", true, "arm64-efi" },
};

static void
test_every_code(void **state)
{
	size_t i;
	long c = -1;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		const struct arch *a = arch_by_code(known[i].code);
		bool http = !known[i].http;

		assert_string_equal(arch_code_tag(known[i].code, &http),
				    known[i].tag);
		assert_int_equal(http, known[i].http);
		if (known[i].arch)
			assert_string_equal(a->name, known[i].arch);
		else
			assert_null(a);
		/* arch_code_next walks the same codes, in order */
		c = arch_code_next(c);
		assert_int_equal(c, known[i].code);
	}
	assert_int_equal(arch_code_next(c), -1);
	/* ret_http may be NULL */
	assert_string_equal(arch_code_tag(16, NULL), "httpx64");
}

static void
test_unknown_codes(void **state)
{
	static const long bad[] = {
		1, 2, 5, 8, 12, 15, 17, 18, 20, 255, 256, 0xffff, 0x10000,
		-1, -7, LONG_MIN, LONG_MAX,
		/* the known codes plus 2^32 and 2^16: no truncation */
		4294967296L, 4294967303L, 0x10007, 0x10010,
	};
	size_t i;
	long c;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bool http = true;

		assert_null(arch_by_code(bad[i]));
		assert_null(arch_code_tag(bad[i], &http));
		assert_true(http); /* untouched */
	}
	/* the whole 16-bit range: exactly the known codes are known */
	for (c = 0, i = 0; c <= 0xffff; c++)
		i += arch_code_tag(c, NULL) != NULL;
	assert_int_equal(i, ARRAY_SIZE(known));
}

static void
test_names(void **state)
{
	static const char *const bad[] = {
		"", "X86_64-EFI", "x86_64-efi ", " x86_64-efi", "x86_64",
		"x86_64-efi\n", "arm64", "ARM64-EFI", "arm64-efi/", "pcbios",
		"efi", "i386-pc/", "bios",
	};
	size_t i;

	assert_int_equal(arch_count(), 3);
	for (i = 0; i < arch_count(); i++)
		assert_ptr_equal(arch_by_name(arch_at(i)->name), arch_at(i));
	assert_null(arch_at(arch_count()));
	assert_null(arch_at((size_t)-1));
	assert_null(arch_by_name(NULL));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_null(arch_by_name(bad[i]));
	assert_string_equal(arch_primary(ARCH_FW_BIOS)->name, "i386-pc");
	assert_string_equal(arch_primary(ARCH_FW_UEFI)->name, "x86_64-efi");
	assert_null(arch_primary((enum arch_fw)7));
}

static void
test_platforms(void **state)
{
	static const char *const bad[] = {
		"", "EFI", "Efi", "efi\n", " efi", "efi64", "pcbios2", "bios",
		"pcbios\xff", "x86_64-efi",
	};
	enum arch_fw fw = ARCH_FW_UEFI;
	size_t i;

	assert_int_equal(arch_fw_parse("pcbios", &fw), 0);
	assert_int_equal(fw, ARCH_FW_BIOS);
	assert_int_equal(arch_fw_parse("efi", &fw), 0);
	assert_int_equal(fw, ARCH_FW_UEFI);
	assert_string_equal(arch_fw_platform(ARCH_FW_BIOS), "pcbios");
	assert_string_equal(arch_fw_platform(ARCH_FW_UEFI), "efi");
	assert_int_equal(arch_fw_parse(NULL, &fw), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fw = ARCH_FW_BIOS;
		assert_int_equal(arch_fw_parse(bad[i], &fw), -EINVAL);
		assert_int_equal(fw, ARCH_FW_BIOS); /* untouched */
	}
}

/* The loader file row a serves under configuration c. */
static const char *
loader(const struct arch *a, const struct by_config *c)
{
	return arch_loader_file(a, arch_loader_of(a, c));
}

static void
test_loaders(void **state)
{
	const struct arch *bios = arch_by_name("i386-pc");
	const struct arch *efi = arch_by_name("x86_64-efi");
	struct by_config c = { .bios_loader = BIOS_LOADER_PXELINUX,
			       .uefi_loader = UEFI_LOADER_SNPONLY };

	assert_string_equal(loader(bios, &c), "pxelinux.0");
	assert_string_equal(loader(efi, &c), "snponly.efi");
	c.bios_loader = BIOS_LOADER_UNDIONLY;
	assert_string_equal(loader(bios, &c), "undionly.kpxe");
	c.uefi_loader = UEFI_LOADER_IPXE;
	assert_string_equal(loader(efi, &c), "ipxe.efi");
	c.uefi_loader = UEFI_LOADER_GRUB;
	assert_string_equal(loader(efi, &c), "grubx64.efi");
	c.uefi_loader = UEFI_LOADER_SHIM;
	assert_string_equal(loader(efi, &c), "bootx64.efi");
	/* a value outside the enum is the default loader, as before */
	c.uefi_loader = (enum cfg_uefi_loader)99;
	assert_int_equal(arch_loader_of(efi, &c), ARCH_LOADER_SNPONLY);
	/* a loader a row does not offer, out of range, no row */
	assert_null(arch_loader_file(bios, ARCH_LOADER_SNPONLY));
	assert_null(arch_loader_file(efi, ARCH_LOADER_PXELINUX));
	assert_null(arch_loader_file(efi, ARCH_N_LOADERS));
	assert_null(arch_loader_file(efi, (enum arch_loader)-1));
	assert_null(arch_loader_file(NULL, ARCH_LOADER_SNPONLY));
	assert_string_equal(efi->grub_target, "x86_64-efi");
	assert_null(bios->grub_target);
}

static void
test_arm64(void **state)
{
	const struct arch *a = arch_by_name("arm64-efi");
	struct by_config c = { .uefi_loader = UEFI_LOADER_SNPONLY };
	static const char *const bad[] = {
		"", "ARM64", "arm64 ", "aarch64", "arm", "arm32", "x86_64\n",
		"i386", NULL,
	};
	size_t i;
	int m;

	assert_non_null(a);
	assert_ptr_equal(arch_by_code(11), a);
	assert_ptr_equal(arch_by_code(19), a);
	assert_int_equal(a->fw, ARCH_FW_UEFI);
	assert_string_equal(a->kernel_arch, "arm64");
	assert_string_equal(arch_by_name("x86_64-efi")->kernel_arch, "amd64");
	assert_string_equal(arch_by_name("i386-pc")->kernel_arch, "amd64");
	assert_string_equal(a->dir, "arm64/");
	assert_string_equal(loader(a, &c), "snponly.efi");
	c.uefi_loader = UEFI_LOADER_IPXE;
	assert_string_equal(loader(a, &c), "ipxe.efi");
	/* no arm64 grub (grub-efi-arm64-bin is not installable on amd64)
	 * and no shim: those loaders are not offered, iPXE is */
	assert_null(arch_loader_file(a, ARCH_LOADER_GRUB));
	assert_null(arch_loader_file(a, ARCH_LOADER_SHIM));
	c.uefi_loader = UEFI_LOADER_GRUB;
	assert_string_equal(loader(a, &c), "snponly.efi");
	c.uefi_loader = UEFI_LOADER_SHIM;
	assert_string_equal(loader(a, &c), "snponly.efi");
	assert_null(a->grub_target);
	/* cross-compiled iPXE */
	assert_string_equal(a->ipxe_cross.prefix, "aarch64-linux-gnu-");
	assert_string_equal(a->ipxe_cross.pkg, "gcc-aarch64-linux-gnu");
	/* local boot: every method is "exit 1" */
	for (m = LOCAL_BOOT_DEFAULT; m <= LOCAL_BOOT_NOFILE; m++)
		assert_int_equal(arch_local_method(a, m), LOCAL_BOOT_EXIT1);
	/* iPXE's ${buildarch} finds the row, per firmware family */
	assert_ptr_equal(arch_by_buildarch(ARCH_FW_UEFI, "arm64"), a);
	assert_ptr_equal(arch_by_buildarch(ARCH_FW_UEFI, "x86_64"),
			 arch_by_name("x86_64-efi"));
	assert_ptr_equal(arch_by_buildarch(ARCH_FW_BIOS, "i386"),
			 arch_by_name("i386-pc"));
	assert_null(arch_by_buildarch(ARCH_FW_BIOS, "arm64"));
	assert_null(arch_by_buildarch(ARCH_FW_UEFI, "i386"));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_null(arch_by_buildarch(ARCH_FW_UEFI, bad[i]));
}

/* What decide.c's local_method did before the table, for one firmware. */
static enum cfg_local_boot
old_local(enum cfg_local_boot m, bool efi)
{
	if (m == LOCAL_BOOT_DEFAULT || m == LOCAL_BOOT_NOFILE)
		m = efi ? LOCAL_BOOT_GRUB : LOCAL_BOOT_SANBOOT;
	if (!efi && m == LOCAL_BOOT_GRUB)
		m = LOCAL_BOOT_SANBOOT;
	if (efi && m == LOCAL_BOOT_SANBOOT)
		m = LOCAL_BOOT_GRUB;
	if (efi && m == LOCAL_BOOT_EXIT)
		m = LOCAL_BOOT_EXIT1;
	return m;
}

static void
test_local_methods(void **state)
{
	const struct arch *bios = arch_primary(ARCH_FW_BIOS);
	const struct arch *efi = arch_primary(ARCH_FW_UEFI);
	int m;

	for (m = LOCAL_BOOT_DEFAULT; m <= LOCAL_BOOT_NOFILE; m++) {
		assert_int_equal(arch_local_method(bios, m), old_local(m, 0));
		assert_int_equal(arch_local_method(efi, m), old_local(m, 1));
	}
	/* hostile: outside the enum gets the fallback */
	assert_int_equal(arch_local_method(bios, (enum cfg_local_boot)99),
			 LOCAL_BOOT_SANBOOT);
	assert_int_equal(arch_local_method(efi, (enum cfg_local_boot)-1),
			 LOCAL_BOOT_GRUB);
}

static void
test_ipxe_images(void **state)
{
	static const char *const names[] = {
		"ipxe.lkrn", "undionly.kpxe", "ipxe.efi", "snponly.efi",
		"arm64/ipxe.efi", "arm64/snponly.efi",
	};
	static const unsigned bits[] = {
		IPXE_IMG_LKRN, IPXE_IMG_UNDIONLY, IPXE_IMG_EFI,
		IPXE_IMG_SNPONLY, IPXE_IMG_ARM64_EFI, IPXE_IMG_ARM64_SNPONLY,
	};
	unsigned all = 0, got;
	size_t i;

	/* ipxe_build.h's IPXE_IMG_* bits follow the table */
	assert_int_equal(arch_ipxe_count(), IPXE_N_IMAGES);
	assert_int_equal(ARRAY_SIZE(names), IPXE_N_IMAGES);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const struct arch_ipxe_image *m = arch_ipxe_at(i);
		const char *base = strrchr(m->name, '/');
		size_t tl = strlen(m->target), nl;

		base = base ? base + 1 : m->name;
		nl = strlen(base);
		assert_string_equal(m->name, names[i]);
		assert_string_equal(ipxe_image_name(i), names[i]);
		/* the target's file is the image's file, in its row's dir */
		assert_true(tl > nl && m->target[tl - nl - 1] == '/' &&
			    !strcmp(m->target + tl - nl, base));
		assert_int_equal(strncmp(m->name, arch_ipxe_row(i)->dir,
					 strlen(arch_ipxe_row(i)->dir)),
				 0);
		assert_int_equal(bits[i], 1u << i);
		assert_int_equal(ipxe_build_parse_images(names[i], &got), 0);
		assert_int_equal(got, bits[i]);
		all |= bits[i];
	}
	assert_int_equal(all, IPXE_IMG_ALL);
	assert_int_equal(ipxe_build_parse_images("arm64/snponly.efi,ipxe.lkrn",
						 &got), 0);
	assert_int_equal(got, IPXE_IMG_ARM64_SNPONLY | IPXE_IMG_LKRN);
	assert_int_equal(ipxe_build_parse_images("snponly.efi/", &got),
			 -EINVAL);
	assert_int_equal(ipxe_build_parse_images("arm64/", &got), -EINVAL);
	assert_int_equal(ipxe_build_parse_images("../snponly.efi", &got),
			 -EINVAL);
	assert_null(arch_ipxe_at(ARRAY_SIZE(names)));
	assert_null(arch_ipxe_row(ARRAY_SIZE(names)));
	assert_null(ipxe_image_name(ARRAY_SIZE(names)));
	assert_null(arch_ipxe_at((size_t)-1));
}

/* What every row must satisfy: a new one too. */
static void
test_rows(void **state)
{
	size_t i, j, l;

	for (i = 0; i < arch_count(); i++) {
		const struct arch *a = arch_at(i);

		assert_true(a->name && *a->name && a->pxe_tag && *a->pxe_tag);
		assert_true(a->n_pxe_codes >= 1 &&
			    a->n_pxe_codes <= ARCH_PXE_CODES_MAX);
		for (j = 0; j < a->n_pxe_codes; j++)
			assert_ptr_equal(arch_by_code(a->pxe_codes[j]), a);
		if (a->http_tag)
			assert_ptr_equal(arch_by_code(a->http_code), a);
		l = strlen(a->dir);
		assert_true(l == 0 || a->dir[l - 1] == '/');
		/* its firmware's loaders only, and at least one */
		for (j = 0, l = 0; j < ARCH_N_LOADERS; j++)
			l += a->loader_file[j] != NULL;
		assert_true(l > 0);
		/* the fallback and every replacement are allowed methods */
		assert_true(a->local_allowed & (1u << a->local_fallback));
		for (j = 0; j <= LOCAL_BOOT_NOFILE; j++)
			assert_true(a->local_allowed &
				    (1u << arch_local_method(a, j)));
		/* shim needs the grub it fetches */
		if (a->loader_file[ARCH_LOADER_SHIM])
			assert_true(a->shim_src.path &&
				    a->shim_grub_src.path &&
				    a->loader_file[ARCH_LOADER_GRUB]);
		if (a->loader_file[ARCH_LOADER_GRUB] && a->fw == ARCH_FW_UEFI)
			assert_non_null(a->grub_target);
		/* its kernels and its iPXE ${buildarch} are named */
		assert_true(a->kernel_arch && *a->kernel_arch);
		assert_true(a->buildarch && *a->buildarch);
		assert_ptr_equal(arch_by_buildarch(a->fw, a->buildarch), a);
		/* a cross compiler names its package */
		if (a->ipxe_cross.prefix)
			assert_true(a->ipxe_cross.pkg && a->ipxe_cross.machine);
	}
	/* a row wins over a tagged-only entry of the same code */
	for (i = 0; i < arch_unserved_count(); i++) {
		const struct arch_code *c = arch_unserved_at(i);
		const struct arch *a = arch_by_code(c->code);

		if (a)
			assert_string_not_equal(arch_code_tag(c->code, NULL),
						c->tag);
	}
	assert_null(arch_unserved_at(arch_unserved_count()));
}

int
main(void)
{
	return UNIT_RUN(test_every_code, test_unknown_codes, test_names,
	                test_platforms, test_loaders, test_arm64,
	                test_local_methods, test_ipxe_images, test_rows);
}
