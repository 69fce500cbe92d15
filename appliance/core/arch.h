/*
 * arch.h - the client architectures bootyard serves, as one table
 * (arch.c): one row per architecture, with its DHCP option 93 codes, its
 * firmware family, the file each loader choice hands out, the iPXE and
 * grub build targets, and the local-boot methods its firmware allows.
 *
 * The dnsmasq renderer, the TFTP tree builder, the iPXE builder, the
 * request parser and the boot decision all read it: a new architecture
 * is a new row (plus building its loaders). See docs/arches.md.
 */
#ifndef BOOTYARD_ARCH_H
#define BOOTYARD_ARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "appliance/core/config.h"

#define ARCH_PXE_CODES_MAX 4 /* option 93 codes of one row's PXE firmware */
#define ARCH_IPXE_MAX 2      /* iPXE images built for one row */

/* Firmware families: what iPXE calls ${platform}. */
enum arch_fw {
	ARCH_FW_BIOS,
	ARCH_FW_UEFI,
};

/*
 * The loader choices ([dhcp] bios_loader and uefi_loader, one namespace):
 * which first-stage file a client gets by DHCP.
 */
enum arch_loader {
	ARCH_LOADER_PXELINUX,
	ARCH_LOADER_UNDIONLY,
	ARCH_LOADER_SNPONLY,
	ARCH_LOADER_IPXE,
	ARCH_LOADER_GRUB,
	ARCH_LOADER_SHIM,
	ARCH_N_LOADERS,
};

/* One iPXE image: its name in the output directory and its make target
 * (relative to iPXE's src/). */
struct arch_ipxe_image {
	const char *name;
	const char *target;
};

/* A file copied from a Debian package. */
struct arch_src {
	const char *path;
	const char *pkg;
};

/* A cross compiler for iPXE: make's CROSS= prefix and its Debian
 * package; used unless this machine is machine (uname -m). */
struct arch_cross {
	const char *prefix; /* "aarch64-linux-gnu-"; NULL = native only */
	const char *pkg;
	const char *machine;
};

struct arch {
	const char *name;     /* grub's platform name: "x86_64-efi" */
	enum arch_fw fw;
	/* the distribution kernels it boots, by Debian's name: "amd64",
	 * "arm64" (db_distro_kernel) */
	const char *kernel_arch;
	const char *buildarch;   /* iPXE's ${buildarch}: "x86_64", "arm64" */
	/* DHCP option 93 (RFC 4578, IANA "Processor Architecture Types"):
	 * the PXE codes, which all get dnsmasq tag pxe_tag, and the UEFI
	 * HTTP Boot code (0 = none), tag http_tag */
	unsigned pxe_codes[ARCH_PXE_CODES_MAX];
	size_t n_pxe_codes;
	const char *pxe_tag;
	unsigned http_code;
	const char *http_tag;
	/* where its loaders are, under the TFTP root and /files/tftp/:
	 * "" or "arm64/" */
	const char *dir;
	/* the file each loader choice hands out (below dir); NULL: that
	 * loader is not offered on this architecture */
	const char *loader_file[ARCH_N_LOADERS];
	struct arch_ipxe_image ipxe[ARCH_IPXE_MAX]; /* name NULL = none */
	struct arch_cross ipxe_cross; /* how its iPXE images are compiled */
	const char *grub_target;  /* grub-mkimage -O; NULL = no grub */
	const char *grub_pkg;     /* the Debian package with its modules */
	/* uefi_loader = shim: Debian's signed shim (handed out as
	 * loader_file[ARCH_LOADER_SHIM]) and the signed netboot grub it
	 * fetches (as loader_file[ARCH_LOADER_GRUB]) */
	struct arch_src shim_src, shim_grub_src;
	/* local boot: the methods its firmware can use (1u << method),
	 * what a default or "nofile" host gets once it reached iPXE, and
	 * what replaces a method the firmware cannot use */
	unsigned local_allowed;
	enum cfg_local_boot local_fallback;
	enum cfg_local_boot local_instead[LOCAL_BOOT_NOFILE + 1];
};

/*
 * An option 93 code that dnsmasq tags but bootyard has no row for yet
 * (RFC 4578 names; such a client gets no boot file, except an HTTP Boot
 * code with a placeholder: a URL under /files/tftp/ that the operator
 * may fill). A row serving the same code takes precedence.
 */
struct arch_code {
	unsigned code;
	const char *tag;
	bool http;
	const char *placeholder; /* NULL, or a file under /files/tftp/ */
};

/* arch_count / arch_at - the rows, in table order; NULL past the end. */
size_t arch_count(void);
const struct arch *arch_at(size_t i);

/* arch_by_code - the row serving option 93 value code (PXE or HTTP Boot),
 * NULL for a code no row serves (any value, negative included). */
const struct arch *arch_by_code(long code);

/* arch_by_name - the row named name ("x86_64-efi"); NULL when unknown or
 * name is NULL. */
const struct arch *arch_by_name(const char *name);

/* arch_by_buildarch - the row of firmware family fw whose iPXE reports
 * ${buildarch} buildarch ("arm64"); NULL when none (or NULL). */
const struct arch *arch_by_buildarch(enum arch_fw fw, const char *buildarch);

/* arch_primary - the first row of firmware family fw (the one the
 * [boot] local_bios / local_efi keys and the status page speak of);
 * NULL for a family not in the table. */
const struct arch *arch_primary(enum arch_fw fw);

/*
 * arch_code_tag - the dnsmasq class tag of option 93 value code, whether
 * a row serves it or it is only tagged (struct arch_code); *ret_http
 * (may be NULL) tells a UEFI HTTP Boot code. NULL for a code not known.
 */
const char *arch_code_tag(long code, bool *ret_http);

/* arch_code_next - the smallest known option 93 code (served or only
 * tagged) above prev; pass -1 for the first. -1 after the last. */
long arch_code_next(long prev);

/* arch_unserved_count / arch_unserved_at - the codes only tagged. */
size_t arch_unserved_count(void);
const struct arch_code *arch_unserved_at(size_t i);

/*
 * arch_client_kernel_arch - the kernel architecture (Debian's name) of a
 * client, from what it told: iPXE's ${buildarch} (i386 and x86_64 boot
 * amd64 kernels, others by kernel_arch_parse, else "unknown": no
 * distribution has a kernel for it), else its option 93 code's row, else
 * its firmware family (pcbios: x86). buildarch may be NULL or "", code
 * -1, bios false when not known. With nothing known: the first row's
 * (x86, what every client was before more arches were served). A static
 * string, never NULL.
 */
const char *arch_client_kernel_arch(const char *buildarch, long code,
				    bool bios);

/* arch_has_memtest - whether the memory test (memtest86+, x86 only) runs
 * on clients of kernel architecture karch. */
bool arch_has_memtest(const char *karch);

/* arch_fw_platform - iPXE's ${platform} for fw: "pcbios" or "efi";
 * arch_fw_parse - the reverse, 0 or -EINVAL (NULL or unknown name). */
const char *arch_fw_platform(enum arch_fw fw);
int arch_fw_parse(const char *platform, enum arch_fw *ret);

/* arch_loader_of - the loader choice cfg makes for a's firmware family;
 * snponly where a does not offer the UEFI loader chosen. */
enum arch_loader arch_loader_of(const struct arch *a,
				const struct by_config *cfg);

/* arch_loader_file - the file loader l hands out on a, below a->dir;
 * NULL when a does not offer l (or l is out of range). */
const char *arch_loader_file(const struct arch *a, enum arch_loader l);

/*
 * arch_local_method - the local boot a client of a gets for method m
 * (a host's own, else the site's): "default" and "nofile" become the
 * row's fallback, a method its firmware cannot use its replacement.
 * Never LOCAL_BOOT_DEFAULT or LOCAL_BOOT_NOFILE.
 */
enum cfg_local_boot arch_local_method(const struct arch *a,
				      enum cfg_local_boot m);

/* arch_ipxe_count / arch_ipxe_at - every iPXE image of every row, in
 * table order (index i is the IPXE_IMG_* bit 1 << i); NULL past the
 * end. */
size_t arch_ipxe_count(void);
const struct arch_ipxe_image *arch_ipxe_at(size_t i);

/* arch_ipxe_row - the row iPXE image i belongs to; NULL past the end. */
const struct arch *arch_ipxe_row(size_t i);

#endif
