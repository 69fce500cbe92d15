/*
 * sbverify.h - is a kernel signed for UEFI Secure Boot? `sbverify --list`
 * (Debian package sbsigntool) lists an image's Authenticode signatures.
 * Used by `bootyard distro add/set/show`: Secure Boot clients
 * (uefi_loader = shim) boot only kernels signed by a key shim trusts.
 */
#ifndef BOOTYARD_SBVERIFY_H
#define BOOTYARD_SBVERIFY_H

#include <stdbool.h>
#include <stddef.h>

#define SB_VERIFY "sbverify"

struct sb_result {
	bool is_signed;
	char issuer[256]; /* the first signature's issuer, "" when unsigned */
};

/*
 * sb_parse_list - interpret the standard output and exit status of
 * `sbverify --list` (which lists signatures on stdout and says "No
 * signature table present" on stderr). Returns 0 and fills *ret, or
 * -EINVAL when sbverify could not read the file as an EFI image.
 */
int sb_parse_list(const char *output, int status, struct sb_result *ret);

/*
 * sb_check_image - run `sbverify --list path` and interpret it. Returns
 * 0 and *ret, -ENOENT (no such file), -ENOEXEC (sbverify is not
 * installed), -EINVAL (not an EFI image), or another -errno.
 */
int sb_check_image(const char *path, struct sb_result *ret);

/*
 * sb_check_kernel - sb_check_image for a distribution's kernel reference:
 * a path under files_dir (an http(s) URL is -EPROTONOSUPPORT: not
 * checked, and not fetchable by grub either).
 */
int sb_check_kernel(const char *files_dir, const char *kernel,
                    struct sb_result *ret);

#endif
