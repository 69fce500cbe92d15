/*
 * render_grub.h - turn a struct decision into a grub configuration, for
 * UEFI machines that boot through shim and Debian's signed grub
 * (uefi_loader = shim; Secure Boot on or off). docs/secureboot.md.
 *
 * Debian 12's signed grub has no http module, so it cannot ask the HTTP
 * service: the decision is rendered ahead of time into files of the TFTP
 * tree (appliance/build/grubcfg.c writes them):
 *   grub/grub.cfg          the dispatcher: the per-MAC file, else default
 *   grub/mac/<mac>.cfg     one host's decision
 *   grub/default.cfg       the decision for machines without a file
 * Kernels and initrds are read over TFTP from the "files" directory of
 * the TFTP root (a link to [http] files_dir).
 *
 * No decisions here: the renderer only writes what the decision says.
 * Every value placed into a file is checked and then written inside grub
 * single quotes, where grub expands nothing ($, ;, {, }, |, & and # are
 * plain characters there); a value that grub could still read
 * differently (a quote, a backslash, a control character), or that grub
 * cannot fetch (an http URL), is refused with -EINVAL, never rewritten.
 */
#ifndef BOOTYARD_HTTP_RENDER_GRUB_H
#define BOOTYARD_HTTP_RENDER_GRUB_H

#include <stdbool.h>
#include <stddef.h>

#include "appliance/core/decide.h"

#define GRUB_FETCH_TRIES 3     /* attempts to load a kernel before local boot */
#define GRUB_RETRY_SLEEP 2     /* seconds between them */
#define GRUB_FILES_DIR "files" /* under the TFTP root: [http] files_dir */
#define GRUB_CHOICE_DIR "grub/choice" /* menu choices, asked over TFTP */

/*
 * grub_render - the configuration for decision d, for a grub that reads
 * its files from the TFTP server at server (IPv4). With an empty d->mac
 * the result is the default file (grub/default.cfg). Returns 0 and a
 * malloc'd NUL-terminated *ret (caller frees) with *ret_len (may be
 * NULL), -EINVAL when a value is not safe to place into a file or is a
 * URL grub cannot fetch, -ENOMEM.
 */
int grub_render(const struct decision *d, const char *server, char **ret,
                size_t *ret_len);

/*
 * grub_render_dispatch - grub/grub.cfg: load grub/mac/${net_default_mac}.cfg
 * from server, fall through to grub/default.cfg when it is missing, and
 * leave (firmware's next boot entry) when neither can be read. Same
 * returns as grub_render.
 */
int grub_render_dispatch(const char *server, char **ret, size_t *ret_len);

/*
 * grub_quote - s inside grub single quotes into out (outsz bytes):
 * 'it'\''s' for it's. Refuses control characters and bytes >= 0x7f
 * (-EINVAL) and output that does not fit (-ENOSPC). Returns the length.
 */
int grub_quote(const char *s, char *out, size_t outsz);

/*
 * grub_safe_arg - s may be a kernel argument in a grub "linux" line:
 * printable ASCII without space, quote, double quote or backslash (grub
 * would escape those before the kernel sees them).
 */
bool grub_safe_arg(const char *s, size_t max);

/*
 * grub_safe_path - s may be a file under the TFTP root: non-empty,
 * relative, no "..", no "//", characters as grub_safe_arg, no "(" first;
 * not a URL.
 */
bool grub_safe_path(const char *s, size_t max);

/*
 * grub_choice_parse - the TFTP path a grub menu asks for to choose an
 * install: "grub/choice/<mac>/install/<distro>.cfg" (relative to the TFTP
 * root). Returns 0 with the canonical MAC in ret_mac and the distribution
 * in ret_distro (NAME_MAX_LEN + 1 bytes), -ENOENT for any other path,
 * -EINVAL for a malformed one.
 */
int grub_choice_parse(const char *path, char ret_mac[MAC_STR_LEN],
                      char *ret_distro);

#endif
