/*
 * bootscript.h - the iPXE boot script: what every iPXE (embedded in a
 * bootyard-built image, the initrd of ipxe.lkrn, or the body of
 * /ipxe/v1/boot) runs first. One renderer for all three places.
 */
#ifndef BOOTYARD_BOOTSCRIPT_H
#define BOOTYARD_BOOTSCRIPT_H

#include <stddef.h>

/*
 * ipxe_render_boot_script - write the boot script for base_url (e.g.
 * "http://198.18.0.1" or "https://198.18.0.1:8443", no trailing slash;
 * validated: scheme, host and port characters only) into buf.
 * Returns the length written, or -EINVAL (bad base_url) / -ENOSPC.
 */
int ipxe_render_boot_script(const char *base_url, char *buf, size_t bufsz);

#endif
