/*
 * ipxe_build.h - bootyard's own iPXE images (`bootyard build-ipxe`).
 *
 * From an iPXE source tree or tarball and a named build configuration
 * (image/ipxe/<name>/: general.h, console.h... placed in src/config/local/
 * of the build tree) it builds ipxe.lkrn, undionly.kpxe, ipxe.efi and
 * snponly.efi with the appliance's boot script embedded (EMBED=) and,
 * for an https:// boot URL, the appliance CA as the only trusted root
 * (CERT= and TRUST=: with TRUST= alone iPXE cannot build the chain from a
 * server that sends only its leaf certificate).
 *
 * The source is never built in place: the tarball is extracted (a tree
 * copied) into a build tree in the cache directory, kept per source and
 * configuration so that a new script or CA only relinks. Results are
 * cached by a key, the SHA-256 of source + configuration files + script +
 * CA + image list: an unchanged rebuild is a no-op ("cache hit"). Images
 * are renamed into the output directory only after a successful build, so
 * a missing or broken source leaves the previous images in place.
 */
#ifndef BOOTYARD_IPXE_BUILD_H
#define BOOTYARD_IPXE_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "appliance/core/config.h"

/* The images, by bit (IPXE_IMG_*) in ipxe_build_opts.images. */
#define IPXE_IMG_LKRN 0x1     /* ipxe.lkrn: BIOS, as a Linux kernel */
#define IPXE_IMG_UNDIONLY 0x2 /* undionly.kpxe: BIOS PXE, NIC's UNDI */
#define IPXE_IMG_EFI 0x4      /* ipxe.efi: UEFI, iPXE's own drivers */
#define IPXE_IMG_SNPONLY 0x8  /* snponly.efi: UEFI, firmware's driver */
#define IPXE_IMG_ARM64_EFI 0x10     /* arm64/ipxe.efi (cross-compiled) */
#define IPXE_IMG_ARM64_SNPONLY 0x20 /* arm64/snponly.efi */
#define IPXE_IMG_ALL 0x3f
#define IPXE_N_IMAGES 6

/* ipxe_image_name - "ipxe.lkrn"... for image index i (0..5), or NULL. */
const char *ipxe_image_name(unsigned i);

struct ipxe_build_opts {
	const char *source;     /* iPXE tree (or its src/) or tarball */
	const char *config_dir; /* image/ipxe/<name> */
	const char *base_url;   /* boot script base URL, no trailing '/' */
	const char *ca;         /* PEM CA to embed and trust, or NULL */
	const char *out_dir;    /* where the images go */
	const char *cache_dir;  /* build trees and cached results */
	unsigned images;        /* IPXE_IMG_* bits; 0 = all */
	unsigned jobs;          /* make -j; 0 = number of CPUs */
	bool force;             /* build even when the cache has it */
	/* Progress lines ("extracting...", "building..."); may be NULL. */
	void (*progress)(const char *msg, void *arg);
	void *progress_arg;
};

struct ipxe_build_result {
	char key[65];           /* the cache key, hex SHA-256 */
	bool cache_hit;         /* nothing was built */
	double t_hash;          /* seconds spent hashing the source */
	double t_extract;       /* seconds preparing the build tree */
	double t_make;          /* seconds in make */
	double t_total;
	char log_path[CFG_PATH_MAX]; /* make's output, when it ran */
	/* images of "all" left out: their architecture's cross compiler
	 * is missing (why: which program, which Debian package) */
	unsigned skipped;
	char skipped_why[256];
};

/*
 * ipxe_build - build (or take from the cache) the images described by o
 * and install them into o->out_dir with boot.ipxe, ca.crt (when given)
 * and build.info (key=, images=, base_url=... lines; written last).
 * Runs tar, cp and make as child processes.
 * Returns 0 and fills *ret, or -errno with a one-line reason in err
 * (errsz bytes): -ENOENT for a missing source, -EINVAL for a source,
 * configuration or CA that is not usable, -EIO when make failed (err
 * names the log). On failure the output directory is untouched.
 * Images of another architecture are made with its cross compiler
 * (arch.h, ipxe_cross); when it is missing, "all" (images 0) leaves
 * them out (ret->skipped says which and why), and an explicit list that
 * names them fails with -ENOENT naming the package.
 */
int ipxe_build(const struct ipxe_build_opts *o, struct ipxe_build_result *ret,
	       char *err, size_t errsz);

/*
 * ipxe_build_base_url - the boot URL base the images use for cfg:
 * https://HOST[:PORT] from [http] tls_listen when TLS is on, else
 * http://HOST[:PORT] from [http] listen (default ports left out). HOST is
 * server_address, or the listener's address when server_address is
 * auto. Pure. Returns 0, -EADDRNOTAVAIL when neither names an address
 * (auto and 0.0.0.0), -EINVAL for a malformed listener, -ENAMETOOLONG.
 */
int ipxe_build_base_url(const struct by_config *cfg, char *out,
			size_t outsz);

/*
 * ipxe_build_parse_images - a comma-separated list of image names
 * ("ipxe.lkrn,snponly.efi", or "all") into IPXE_IMG_* bits.
 * Returns 0 and *ret, or -EINVAL (unknown, empty or repeated name).
 */
int ipxe_build_parse_images(const char *list, unsigned *ret);

/*
 * ipxe_build_out_dir - "<state_dir>/ipxe", where the appliance looks for
 * its built images (the TFTP tree uses them when present).
 * Returns 0 or -ENAMETOOLONG.
 */
int ipxe_build_out_dir(const struct by_config *cfg, char *out, size_t outsz);

/*
 * ipxe_build_present - true when dir holds a complete build: build.info
 * and every image it lists. *ret_images (may be NULL) gets the IPXE_IMG_*
 * bits of the images present. For `status` and the TFTP tree.
 */
bool ipxe_build_present(const char *dir, unsigned *ret_images);

#endif
