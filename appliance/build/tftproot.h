/*
 * tftproot.h - assemble the TFTP tree that dnsmasq serves, from Debian's
 * boot loader packages, bootyard's templates (tftp-root/ in the source,
 * /usr/share/bootyard/tftp-root installed) and, when the iPXE builder has
 * made them, the images in <state_dir>/ipxe/.
 *
 * Idempotent: a file already equal to what it would become is left alone,
 * so calling it at every serve start is cheap; grub images are rebuilt
 * only when their grub-mkimage command line or grub's modules changed.
 */
#ifndef BOOTYARD_TFTPROOT_H
#define BOOTYARD_TFTPROOT_H

#include <stdbool.h>
#include <stddef.h>

#include "appliance/core/config.h"

struct tftproot_report {
	unsigned written;   /* files (re)written */
	unsigned unchanged; /* files already up to date */
	bool ipxe_built;    /* iPXE images from <state_dir>/ipxe/ */
	char ipxe_from[CFG_PATH_MAX]; /* where the iPXE images came from */
	/* images no source has (not built, no Debian package: the ARM64
	 * ones without `build-ipxe`), comma-separated; "" = none */
	char ipxe_missing[128];
};

/*
 * tftproot_dir - the TFTP root of cfg ([dhcp] tftp_root, default
 * <state_dir>/tftp) into out. 0 or -ENAMETOOLONG.
 */
int tftproot_dir(const struct by_config *cfg, char *out, size_t outsz);

/*
 * tftproot_assemble - create or refresh every file of the TFTP root dir
 * for an appliance at server (IPv4) whose boot URLs start with http_base.
 * state_dir is where built iPXE images are looked for. With shim
 * (uefi_loader = shim) bootx64.efi and grubx64.efi are Debian's signed
 * shim and netboot grub, and grub/grub.cfg is left to grubcfg.h. Returns 0 and
 * fills *rep (may be NULL), or -errno with a reason in err naming the
 * missing Debian package or the failing step.
 */
int tftproot_assemble(const char *dir, const char *state_dir,
		      const char *server, const char *http_base, bool shim,
		      struct tftproot_report *rep, char *err, size_t errsz);

#endif
