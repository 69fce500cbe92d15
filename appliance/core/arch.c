/*
 * arch.c - the table of client architectures (see arch.h).
 *
 * To serve a new architecture, add its row to arches[]: a row wins over
 * an unserved[] entry of the same code (drop that entry to tidy up).
 * docs/arches.md shows the ARM64 row.
 */
#include "appliance/core/arch.h"

#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "common/valid.h"

#define M(m) (1u << (m))

static const struct arch arches[] = {
	{
		/* x86 BIOS PXE: pxelinux, or iPXE over the NIC's UNDI */
		.name = "i386-pc",
		.fw = ARCH_FW_BIOS,
		.kernel_arch = "amd64",
		.buildarch = "i386",
		.pxe_codes = { 0 },
		.n_pxe_codes = 1,
		.pxe_tag = "bios",
		.dir = "",
		.loader_file = {
			[ARCH_LOADER_PXELINUX] = "pxelinux.0",
			[ARCH_LOADER_UNDIONLY] = "undionly.kpxe",
		},
		.ipxe = { { "ipxe.lkrn", "bin/ipxe.lkrn" },
			  { "undionly.kpxe", "bin/undionly.kpxe" } },
		.local_allowed = M(LOCAL_BOOT_SANBOOT) | M(LOCAL_BOOT_EXIT) |
				 M(LOCAL_BOOT_EXIT1) | M(LOCAL_BOOT_NOFILE),
		.local_fallback = LOCAL_BOOT_SANBOOT,
		/* the disk-finding grub is an EFI program */
		.local_instead = { [LOCAL_BOOT_GRUB] = LOCAL_BOOT_SANBOOT },
	},
	{
		/* x64 UEFI: 7 (EFI BC) and 9 (EFI x86-64), 16 HTTP Boot */
		.name = "x86_64-efi",
		.fw = ARCH_FW_UEFI,
		.kernel_arch = "amd64",
		.buildarch = "x86_64",
		.pxe_codes = { 7, 9 },
		.n_pxe_codes = 2,
		.pxe_tag = "efi64",
		.http_code = 16,
		.http_tag = "httpx64",
		.dir = "",
		.loader_file = {
			[ARCH_LOADER_SNPONLY] = "snponly.efi",
			[ARCH_LOADER_IPXE] = "ipxe.efi",
			[ARCH_LOADER_GRUB] = "grubx64.efi",
			[ARCH_LOADER_SHIM] = "bootx64.efi",
		},
		.ipxe = { { "ipxe.efi", "bin-x86_64-efi/ipxe.efi" },
			  { "snponly.efi", "bin-x86_64-efi/snponly.efi" } },
		.grub_target = "x86_64-efi",
		.grub_pkg = "grub-efi-amd64-bin",
		.shim_src = { "/usr/lib/shim/shimx64.efi.signed",
			      "shim-signed" },
		.shim_grub_src = { "/usr/lib/grub/x86_64-efi-signed/"
				   "grubnetx64.efi.signed",
				   "grub-efi-amd64-signed" },
		.local_allowed = M(LOCAL_BOOT_EXIT1) | M(LOCAL_BOOT_GRUB) |
				 M(LOCAL_BOOT_NOFILE),
		.local_fallback = LOCAL_BOOT_GRUB,
		/* iPXE on UEFI cannot sanboot a local drive ("No such
		 * device"), and a plain "exit" (success) makes edk2 stop in
		 * its boot menu: "exit 1" leaves it to the firmware */
		.local_instead = { [LOCAL_BOOT_SANBOOT] = LOCAL_BOOT_GRUB,
				   [LOCAL_BOOT_EXIT] = LOCAL_BOOT_EXIT1 },
	},
	{
		/* ARM64 UEFI: 11, 19 HTTP Boot; its loaders in arm64/.
		 * Debian's ipxe package has no arm64 image: its iPXE comes
		 * from build-ipxe only (cross-compiled on x86). No grub:
		 * grub-efi-arm64-bin is an arm64 package, not installable
		 * on an amd64 appliance without dpkg multiarch, so local
		 * boot is "exit 1" (measured: docs/arches.md) */
		.name = "arm64-efi",
		.fw = ARCH_FW_UEFI,
		.kernel_arch = "arm64",
		.buildarch = "arm64",
		.pxe_codes = { 11 },
		.n_pxe_codes = 1,
		.pxe_tag = "efiarm64",
		.http_code = 19,
		.http_tag = "httparm64",
		.dir = "arm64/",
		.loader_file = {
			[ARCH_LOADER_SNPONLY] = "snponly.efi",
			[ARCH_LOADER_IPXE] = "ipxe.efi",
		},
		.ipxe = { { "arm64/ipxe.efi", "bin-arm64-efi/ipxe.efi" },
			  { "arm64/snponly.efi", "bin-arm64-efi/snponly.efi" } },
		.ipxe_cross = { "aarch64-linux-gnu-", "gcc-aarch64-linux-gnu",
				"aarch64" },
		.local_allowed = M(LOCAL_BOOT_EXIT1) | M(LOCAL_BOOT_NOFILE),
		.local_fallback = LOCAL_BOOT_EXIT1,
		.local_instead = { [LOCAL_BOOT_SANBOOT] = LOCAL_BOOT_EXIT1,
				   [LOCAL_BOOT_EXIT] = LOCAL_BOOT_EXIT1,
				   [LOCAL_BOOT_GRUB] = LOCAL_BOOT_EXIT1 },
	},
};

/*
 * Codes tagged for the logs and the lease hook but not served yet:
 * 6 x86 UEFI (IA32), 10 ARM 32-bit UEFI.
 */
static const struct arch_code unserved[] = {
	{ 6, "efi32", false, NULL },
	{ 10, "efiarm32", false, NULL },
};

size_t
arch_count(void)
{
	return ARRAY_SIZE(arches);
}

const struct arch *
arch_at(size_t i)
{
	return i < ARRAY_SIZE(arches) ? &arches[i] : NULL;
}

/* Does row a serve code over PXE? */
static bool
arch_has_pxe_code(const struct arch *a, unsigned code)
{
	size_t i;

	for (i = 0; i < a->n_pxe_codes && i < ARCH_PXE_CODES_MAX; i++)
		if (a->pxe_codes[i] == code)
			return true;
	return false;
}

const struct arch *
arch_by_code(long code)
{
	size_t i;

	if (code < 0 || code > 0xffff) /* option 93 is 16 bits */
		return NULL;
	for (i = 0; i < ARRAY_SIZE(arches); i++)
		if (arch_has_pxe_code(&arches[i], (unsigned)code) ||
		    (arches[i].http_tag && arches[i].http_code == code))
			return &arches[i];
	return NULL;
}

const struct arch *
arch_by_name(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(arches); i++)
		if (!strcmp(arches[i].name, name))
			return &arches[i];
	return NULL;
}

const struct arch *
arch_by_buildarch(enum arch_fw fw, const char *buildarch)
{
	size_t i;

	if (!buildarch)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(arches); i++)
		if (arches[i].fw == fw && arches[i].buildarch &&
		    !strcmp(arches[i].buildarch, buildarch))
			return &arches[i];
	return NULL;
}

const struct arch *
arch_primary(enum arch_fw fw)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arches); i++)
		if (arches[i].fw == fw)
			return &arches[i];
	return NULL;
}

const char *
arch_code_tag(long code, bool *ret_http)
{
	const struct arch *a = arch_by_code(code);
	size_t i;

	if (a) {
		bool http = !arch_has_pxe_code(a, (unsigned)code);

		if (ret_http)
			*ret_http = http;
		return http ? a->http_tag : a->pxe_tag;
	}
	for (i = 0; code >= 0 && i < ARRAY_SIZE(unserved); i++)
		if (unserved[i].code == code) {
			if (ret_http)
				*ret_http = unserved[i].http;
			return unserved[i].tag;
		}
	return NULL;
}

/* The smaller of best and c when c > prev. */
static long
code_min_above(long best, long prev, unsigned c)
{
	return (long)c > prev && (best < 0 || (long)c < best) ? (long)c : best;
}

long
arch_code_next(long prev)
{
	long best = -1;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(arches); i++) {
		for (j = 0; j < arches[i].n_pxe_codes &&
			    j < ARCH_PXE_CODES_MAX; j++)
			best = code_min_above(best, prev,
					      arches[i].pxe_codes[j]);
		if (arches[i].http_tag)
			best = code_min_above(best, prev, arches[i].http_code);
	}
	for (i = 0; i < ARRAY_SIZE(unserved); i++)
		best = code_min_above(best, prev, unserved[i].code);
	return best;
}

size_t
arch_unserved_count(void)
{
	return ARRAY_SIZE(unserved);
}

const struct arch_code *
arch_unserved_at(size_t i)
{
	return i < ARRAY_SIZE(unserved) ? &unserved[i] : NULL;
}

const char *
arch_client_kernel_arch(const char *buildarch, long code, bool bios)
{
	const struct arch *a;
	const char *k;

	if (buildarch && *buildarch) {
		if (!strcmp(buildarch, "i386") || !strcmp(buildarch, "x86_64"))
			return "amd64";
		k = kernel_arch_parse(buildarch);
		return k ? k : "unknown";
	}
	a = arch_by_code(code);
	if (a && a->kernel_arch)
		return a->kernel_arch;
	if (bios && (a = arch_primary(ARCH_FW_BIOS)) && a->kernel_arch)
		return a->kernel_arch;
	return arches[0].kernel_arch;
}

bool
arch_has_memtest(const char *karch)
{
	return karch && !strcmp(karch, "amd64");
}

const char *
arch_fw_platform(enum arch_fw fw)
{
	return fw == ARCH_FW_BIOS ? "pcbios" : "efi";
}

int
arch_fw_parse(const char *platform, enum arch_fw *ret)
{
	if (!platform)
		return -EINVAL;
	if (!strcmp(platform, "pcbios"))
		*ret = ARCH_FW_BIOS;
	else if (!strcmp(platform, "efi"))
		*ret = ARCH_FW_UEFI;
	else
		return -EINVAL;
	return 0;
}

enum arch_loader
arch_loader_of(const struct arch *a, const struct by_config *cfg)
{
	enum arch_loader l;

	if (a->fw == ARCH_FW_BIOS)
		return cfg->bios_loader == BIOS_LOADER_UNDIONLY
			       ? ARCH_LOADER_UNDIONLY
			       : ARCH_LOADER_PXELINUX;
	switch (cfg->uefi_loader) {
	case UEFI_LOADER_IPXE:
		l = ARCH_LOADER_IPXE;
		break;
	case UEFI_LOADER_GRUB:
		l = ARCH_LOADER_GRUB;
		break;
	case UEFI_LOADER_SHIM:
		l = ARCH_LOADER_SHIM;
		break;
	case UEFI_LOADER_SNPONLY:
	default:
		l = ARCH_LOADER_SNPONLY;
		break;
	}
	/* a loader this row does not offer (grub, shim on ARM64): its
	 * clients get iPXE rather than nothing */
	return a->loader_file[l] ? l : ARCH_LOADER_SNPONLY;
}

const char *
arch_loader_file(const struct arch *a, enum arch_loader l)
{
	if (!a || (unsigned)l >= ARCH_N_LOADERS)
		return NULL;
	return a->loader_file[l];
}

enum cfg_local_boot
arch_local_method(const struct arch *a, enum cfg_local_boot m)
{
	enum cfg_local_boot r;

	if ((unsigned)m > LOCAL_BOOT_NOFILE || m == LOCAL_BOOT_DEFAULT ||
	    m == LOCAL_BOOT_NOFILE)
		return a->local_fallback;
	if (a->local_allowed & M(m))
		return m;
	r = a->local_instead[m];
	return r == LOCAL_BOOT_DEFAULT ? a->local_fallback : r;
}

size_t
arch_ipxe_count(void)
{
	size_t i, j, n = 0;

	for (i = 0; i < ARRAY_SIZE(arches); i++)
		for (j = 0; j < ARCH_IPXE_MAX; j++)
			n += arches[i].ipxe[j].name != NULL;
	return n;
}

/* ipxe_find - iPXE image k in table order, and its row into *ret_row;
 * NULL (*ret_row untouched) past the end. */
static const struct arch_ipxe_image *
ipxe_find(size_t k, const struct arch **ret_row)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(arches); i++)
		for (j = 0; j < ARCH_IPXE_MAX; j++)
			if (arches[i].ipxe[j].name && k-- == 0) {
				*ret_row = &arches[i];
				return &arches[i].ipxe[j];
			}
	return NULL;
}

const struct arch_ipxe_image *
arch_ipxe_at(size_t k)
{
	const struct arch *row;

	return ipxe_find(k, &row);
}

const struct arch *
arch_ipxe_row(size_t k)
{
	const struct arch *row = NULL;

	ipxe_find(k, &row);
	return row;
}
