/*
 * render_ipxe.h - turn a struct decision into an iPXE script.
 *
 * No decisions here: the renderer only writes what the decision says.
 * Every value it places into the script is checked first against the
 * characters iPXE would treat as syntax (settings expansion "${", the
 * "||", "&&", ";" terminators, "#" comments, quotes, backslashes, line
 * breaks); a value that fails is refused (-EINVAL), never escaped into
 * something iPXE might read differently.
 *
 * Every script retries a failed fetch a bounded number of times with a
 * short sleep and then falls back to the local disk.
 */
#ifndef BOOTYARD_HTTP_RENDER_IPXE_H
#define BOOTYARD_HTTP_RENDER_IPXE_H

#include <stdbool.h>
#include <stddef.h>

#include "appliance/core/decide.h"

#define IPXE_FETCH_TRIES 3 /* attempts of one fetch before local boot */
#define IPXE_RETRY_SLEEP 2 /* seconds between them */
/* the disk-finding grub on UEFI, in the TFTP tree (appliance/build/tftproot.c) */
#define IPXE_LOCALBOOT_EFI "bootyard-localboot.efi"

/*
 * ipxe_render - the script for decision d. Returns 0 and a malloc'd
 * NUL-terminated *ret (caller frees) with *ret_len, -EINVAL when a value
 * is not safe to place into a script, -ENOMEM.
 */
int ipxe_render(const struct decision *d, char **ret, size_t *ret_len);

/*
 * ipxe_render_local_fallback - a script that boots the local disk of any
 * platform (the answer when no decision could be made). Static string.
 */
const char *ipxe_render_local_fallback(void);

/*
 * ipxe_render_error - a script that prints msg (letters, digits and
 * " .,:-=_/" only; other characters are dropped) and then boots the
 * local disk: the body of a 4xx/5xx answer to iPXE, so that a confused
 * client neither stops nor executes anything from the request.
 * Returns the length written into buf, or -ENOSPC.
 */
int ipxe_render_error(const char *msg, char *buf, size_t bufsz);

/* ipxe_safe_word - s may be placed into a script as one argument. */
bool ipxe_safe_word(const char *s, size_t max);

/* ipxe_safe_args - s may be placed as the rest of a command line (a
 * kernel command line: several arguments separated by single spaces). */
bool ipxe_safe_args(const char *s, size_t max);

#endif
