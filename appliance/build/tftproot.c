/*
 * tftproot.c - `bootyard tftp-root` and the TFTP tree (see tftproot.h).
 */
#include "appliance/build/tftproot.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "common/valid.h"
#include "appliance/core/arch.h"
#include "appliance/core/bootscript.h"

#define TFTP_FILE_MAX (64u << 20)

/* Files copied from Debian packages: destination, source, package. */
static const struct {
	const char *dest, *src, *pkg;
	bool ipxe; /* replaced by <state_dir>/ipxe/<dest> when built */
} tftp_copies[] = {
	{ "pxelinux.0", "/usr/lib/PXELINUX/pxelinux.0", "pxelinux", false },
	{ "ldlinux.c32", "/usr/lib/syslinux/modules/bios/ldlinux.c32",
	  "syslinux-common", false },
	{ "ipxe.lkrn", "/usr/lib/ipxe/ipxe.lkrn", "ipxe", true },
	{ "ipxe.efi", "/usr/lib/ipxe/ipxe.efi", "ipxe", true },
	{ "snponly.efi", "/usr/lib/ipxe/snponly.efi", "ipxe", true },
	{ "undionly.kpxe", "/usr/lib/ipxe/undionly.kpxe", "ipxe", true },
	/* Debian's ipxe has no ARM64 image: built ones only (src NULL) */
	{ "arm64/ipxe.efi", NULL, "gcc-aarch64-linux-gnu", true },
	{ "arm64/snponly.efi", NULL, "gcc-aarch64-linux-gnu", true },
	{ "memtest86+x64.bin", "/boot/memtest86+x64.bin", "memtest86+", false },
	{ "memtest86+x64.efi", "/boot/memtest86+x64.efi", "memtest86+", false },
};

/* grub's modules for a platform: GRUB_LIB_DIR/<grub_target> */
#define GRUB_LIB_DIR "/usr/lib/grub"

int
tftproot_dir(const struct by_config *cfg, char *out, size_t outsz)
{
	if (cfg->tftp_root[0])
		return str_copy(out, outsz, cfg->tftp_root);
	return str_printf(out, outsz, "%s/tftp", cfg->state_dir);
}

/* Write data to dir/name unless it already holds exactly that. */
static int
tftp_put(const char *dir, const char *name, const void *data, size_t len,
	 struct tftproot_report *rep)
{
	char path[PATH_MAX], *slash;
	int r;

	if (str_printf(path, sizeof(path), "%s/%s", dir, name) < 0)
		return -ENAMETOOLONG;
	slash = strrchr(path, '/');
	*slash = '\0';
	r = mkdir_p(path, 0755);
	*slash = '/';
	if (r < 0)
		return r;
	return write_file_counted(path, data, len, &rep->written,
				  &rep->unchanged);
}

/* Where the templates are: $BOOTYARD_DATA, next to the binary, or
 * /usr/share/bootyard. */
static int
tftp_template_dir(char *out, size_t outsz)
{
	const char *env = getenv("BOOTYARD_DATA");
	char exe[PATH_MAX], cand[PATH_MAX + 64], *slash;
	static const char *const rel[] = { "/../tftp-root",
					   "/../share/bootyard/tftp-root" };
	struct stat st;
	ssize_t n;
	size_t i;

	if (env && *env) {
		if (str_printf(cand, sizeof(cand), "%s/tftp-root", env) == 0 &&
		    stat(cand, &st) == 0)
			return str_copy(out, outsz, cand);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; i < ARRAY_SIZE(rel); i++)
			if (str_printf(cand, sizeof(cand), "%s%s", exe,
				       rel[i]) == 0 &&
			    stat(cand, &st) == 0 && S_ISDIR(st.st_mode))
				return str_copy(out, outsz, cand);
	}
	if (stat("/usr/share/bootyard/tftp-root", &st) == 0)
		return str_copy(out, outsz, "/usr/share/bootyard/tftp-root");
	return -ENOENT;
}

/*
 * tftproot_render_template - replace @SERVER@ and @HTTP_BASE@ in text.
 * Returns 0 and *ret (malloc'd), or -ENOMEM.
 */
static int
tftp_render(const char *text, const char *server, const char *http_base,
	    char **ret)
{
	size_t cap = strlen(text) * 2 + 1024, len = 0;
	char *out = malloc(cap);
	const char *p = text;

	if (!out)
		return -ENOMEM;
	while (*p) {
		const char *val = NULL;
		size_t skip = 0, vl;

		if (str_has_prefix(p, "@SERVER@"))
			val = server, skip = 8;
		else if (str_has_prefix(p, "@HTTP_BASE@"))
			val = http_base, skip = 11;
		if (val) {
			vl = strlen(val);
			if (len + vl + 1 > cap) {
				free(out);
				return -ENOMEM;
			}
			memcpy(out + len, val, vl);
			len += vl;
			p += skip;
			continue;
		}
		if (len + 2 > cap) {
			free(out);
			return -ENOMEM;
		}
		out[len++] = *p++;
	}
	out[len] = '\0';
	*ret = out;
	return 0;
}

/* Render template tdir/name into dir/name. */
static int
tftp_put_template(const char *tdir, const char *name, const char *dir,
		  const char *server, const char *http_base,
		  struct tftproot_report *rep, char *err, size_t errsz)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *out = NULL;
	size_t len;
	int r;

	if (str_printf(path, sizeof(path), "%s/%s", tdir, name) < 0)
		return -ENAMETOOLONG;
	r = read_file(path, 1 << 20, &text, &len);
	if (r < 0) {
		snprintf(err, errsz, "template %s: %s", path, strerror(-r));
		return r;
	}
	r = tftp_render(text, server, http_base, &out);
	if (r == 0)
		r = tftp_put(dir, name, out, strlen(out), rep);
	if (r < 0)
		snprintf(err, errsz, "%s/%s: %s", dir, name, strerror(-r));
	return r;
}

/* Run argv (a grub-mkimage command); 0 or -EIO with its output in err. */
static int
tftp_run(char *const argv[], char *err, size_t errsz)
{
	int p[2], status, r;
	char out[512];
	size_t len = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	r = child_exit_ok(p, pid, out, sizeof(out), &len, &status);
	if (r <= 0)
		return r;
	snprintf(err, errsz, "%s failed: %s", argv[0], out);
	return -EIO;
}

/*
 * Build a grub EFI image with grub-mkimage unless dir/name exists and its
 * stamp (the command line and grub's kernel.img identity) still matches.
 */
static int
tftp_grub_image(const struct arch *a, const char *dir, const char *name,
		const char *prefix, const char *early_cfg,
		const char *const modules[], struct tftproot_report *rep,
		char *err, size_t errsz)
{
	char out[PATH_MAX], tmp[PATH_MAX + 8], stamp_path[PATH_MAX + 16];
	char stamp[2048], *argv[32], *old = NULL, gdir[PATH_MAX];
	size_t n = 0, oldlen, i, used;
	struct stat st;
	int r;

	if (str_printf(gdir, sizeof(gdir), "%s/%s/kernel.img", GRUB_LIB_DIR,
		       a->grub_target) < 0)
		return -ENAMETOOLONG;
	if (stat(gdir, &st) < 0) {
		*strrchr(gdir, '/') = '\0';
		snprintf(err, errsz, "%s missing: install the Debian package "
				     "%s", gdir, a->grub_pkg);
		return -ENOENT;
	}
	if (str_printf(out, sizeof(out), "%s/%s", dir, name) < 0 ||
	    str_printf(tmp, sizeof(tmp), "%s.tmp", out) < 0 ||
	    str_printf(stamp_path, sizeof(stamp_path), "%s/.%s.stamp", dir,
		       name) < 0)
		return -ENAMETOOLONG;
	used = (size_t)snprintf(stamp, sizeof(stamp), "kernel.img %lld %lld\n"
				"prefix %s\nconfig %s\nmodules",
				(long long)st.st_size, (long long)st.st_mtime,
				prefix, early_cfg ? early_cfg : "-");
	for (i = 0; modules[i] && used < sizeof(stamp); i++)
		used += (size_t)snprintf(stamp + used, sizeof(stamp) - used,
					 " %s", modules[i]);
	if (used < sizeof(stamp))
		snprintf(stamp + used, sizeof(stamp) - used, "\n");
	if (early_cfg) {
		/* the embedded config's content is part of the identity */
		_cleanup_free_ char *cfgtext = NULL;
		size_t cl;

		if (read_file(early_cfg, 1 << 16, &cfgtext, &cl) == 0) {
			used = strlen(stamp);
			snprintf(stamp + used, sizeof(stamp) - used, "%s",
				 cfgtext);
		}
	}
	if (stat(out, &st) == 0 &&
	    read_file(stamp_path, sizeof(stamp), &old, &oldlen) == 0 &&
	    !strcmp(old, stamp)) {
		free(old);
		rep->unchanged++;
		return 0;
	}
	free(old);
	argv[n++] = "grub-mkimage";
	argv[n++] = "-O";
	argv[n++] = (char *)a->grub_target;
	argv[n++] = "-o";
	argv[n++] = tmp;
	argv[n++] = "-p";
	argv[n++] = (char *)prefix;
	if (early_cfg) {
		argv[n++] = "-c";
		argv[n++] = (char *)early_cfg;
	}
	for (i = 0; modules[i] && n < ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = (char *)modules[i];
	argv[n] = NULL;
	r = tftp_run(argv, err, errsz);
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	if (rename(tmp, out) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	rep->written++;
	r = write_file_atomic(stamp_path, stamp, strlen(stamp), 0644);
	return r;
}

/*
 * uefi_loader = shim: the shim file (bootx64.efi) is Debian's signed
 * shim, and the grub file (grubx64.efi, the name shim fetches, from the
 * TFTP root) the signed netboot grub in place of the grub-mkimage one.
 * Its grub/grub.cfg is rendered by grubcfg.c, not from the template.
 */
static int
tftp_shim(const struct arch *a, const char *dir, struct tftproot_report *rep,
	  char *err, size_t errsz)
{
	const struct {
		const char *dest;
		struct arch_src src;
	} signed_files[] = {
		{ arch_loader_file(a, ARCH_LOADER_SHIM), a->shim_src },
		{ arch_loader_file(a, ARCH_LOADER_GRUB), a->shim_grub_src },
	};
	char stamp[PATH_MAX];
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(signed_files); i++) {
		_cleanup_free_ char *data = NULL;
		const char *src = signed_files[i].src.path;
		size_t len;

		r = read_file(src, TFTP_FILE_MAX, &data, &len);
		if (r < 0) {
			snprintf(err, errsz, "%s: %s (install the Debian "
					     "package %s)", src,
				 strerror(-r), signed_files[i].src.pkg);
			return r;
		}
		r = tftp_put(dir, signed_files[i].dest, data, len, rep);
		if (r < 0) {
			snprintf(err, errsz, "%s/%s: %s", dir,
				 signed_files[i].dest, strerror(-r));
			return r;
		}
	}
	/* the grub-mkimage grub file is gone: rebuild it when the loader
	 * changes back */
	if (str_printf(stamp, sizeof(stamp), "%s/.%s.stamp", dir,
		       arch_loader_file(a, ARCH_LOADER_GRUB)) == 0)
		unlink(stamp);
	return 0;
}

/*
 * The grub files of one architecture, in its directory of the TFTP root:
 * the netboot grub (or, with shim, the signed pair) and the disk-finding
 * grub of local boot. tdir holds the templates.
 */
static int
tftp_arch_grub(const struct arch *a, const char *root, const char *tdir,
	       const char *server, bool shim, struct tftproot_report *rep,
	       char *err, size_t errsz)
{
	static const char *const netboot_mods[] = {
		"efinet", "tftp", "http", "normal", "chain", "configfile",
		"linux", "echo", "net", NULL,
	};
	static const char *const localboot_mods[] = {
		"fat", "part_gpt", "part_msdos", "search", "search_fs_file",
		"chain", "echo", "normal", NULL,
	};
	char dir[PATH_MAX], path[PATH_MAX], prefix[64];
	size_t l;
	int r;

	if (str_printf(dir, sizeof(dir), "%s/%s", root, a->dir) < 0)
		return -ENAMETOOLONG;
	l = strlen(dir);
	while (l > 1 && dir[l - 1] == '/')
		dir[--l] = '\0';
	snprintf(prefix, sizeof(prefix), "(tftp,%s)/grub", server);
	if (shim && !a->shim_src.path) {
		snprintf(err, errsz, "%s: no signed shim known (uefi_loader "
				     "= shim)", a->name);
		return -ENOTSUP;
	}
	if (shim)
		r = tftp_shim(a, dir, rep, err, errsz);
	else
		r = tftp_grub_image(a, dir,
				    arch_loader_file(a, ARCH_LOADER_GRUB),
				    prefix, NULL, netboot_mods, rep, err,
				    errsz);
	if (r < 0)
		return r;
	if (str_printf(path, sizeof(path), "%s/localboot-early.cfg", tdir) < 0)
		return -ENAMETOOLONG;
	return tftp_grub_image(a, dir, "bootyard-localboot.efi", "/EFI/BOOT",
			       path, localboot_mods, rep, err, errsz);
}

int
tftproot_assemble(const char *dir, const char *state_dir, const char *server,
		  const char *http_base, bool shim,
		  struct tftproot_report *ret_rep, char *err, size_t errsz)
{
	struct tftproot_report rep = { 0 };
	char tdir[PATH_MAX], script[2048];
	size_t i;
	int r, n;

	if (errsz)
		err[0] = '\0';
	if (!valid_ipv4(server)) {
		snprintf(err, errsz, "server address %s is not IPv4", server);
		return -EINVAL;
	}
	r = mkdir_p(dir, 0755);
	if (r < 0) {
		snprintf(err, errsz, "cannot create %s: %s", dir, strerror(-r));
		return r;
	}
	for (i = 0; i < ARRAY_SIZE(tftp_copies); i++) {
		_cleanup_free_ char *data = NULL;
		const char *src = tftp_copies[i].src;
		char built[PATH_MAX];
		struct stat st;
		size_t len;

		if (tftp_copies[i].ipxe && state_dir &&
		    str_printf(built, sizeof(built), "%s/ipxe/%s", state_dir,
			       tftp_copies[i].dest) == 0 &&
		    stat(built, &st) == 0 && S_ISREG(st.st_mode)) {
			src = built;
			rep.ipxe_built = true;
			snprintf(rep.ipxe_from, sizeof(rep.ipxe_from),
				 "%s/ipxe", state_dir);
		}
		if (!src) {
			/* not built: no file at all rather than a stale one
			 * (or another architecture's) */
			size_t l = strlen(rep.ipxe_missing);

			if (str_printf(built, sizeof(built), "%s/%s", dir,
				       tftp_copies[i].dest) == 0)
				unlink(built);
			snprintf(rep.ipxe_missing + l,
				 sizeof(rep.ipxe_missing) - l, "%s%s",
				 l ? "," : "", tftp_copies[i].dest);
			continue;
		}
		r = read_file(src, TFTP_FILE_MAX, &data, &len);
		if (r < 0) {
			snprintf(err, errsz, "%s: %s (install the Debian "
					     "package %s)", src, strerror(-r),
				 tftp_copies[i].pkg);
			return r;
		}
		r = tftp_put(dir, tftp_copies[i].dest, data, len, &rep);
		if (r < 0) {
			snprintf(err, errsz, "%s/%s: %s", dir,
				 tftp_copies[i].dest, strerror(-r));
			return r;
		}
	}
	if (!rep.ipxe_built)
		str_copy(rep.ipxe_from, sizeof(rep.ipxe_from),
			 "/usr/lib/ipxe (Debian package ipxe)");
	n = ipxe_render_boot_script(http_base, script, sizeof(script));
	if (n < 0) {
		snprintf(err, errsz, "boot script for %s: %s", http_base,
			 strerror(-n));
		return n;
	}
	r = tftp_put(dir, "boot.ipxe", script, (size_t)n, &rep);
	if (r < 0) {
		snprintf(err, errsz, "%s/boot.ipxe: %s", dir, strerror(-r));
		return r;
	}
	r = tftp_template_dir(tdir, sizeof(tdir));
	if (r < 0) {
		snprintf(err, errsz, "bootyard's tftp-root templates not found "
				     "(set BOOTYARD_DATA, or install them in "
				     "/usr/share/bootyard/tftp-root)");
		return r;
	}
	r = tftp_put_template(tdir, "pxelinux.cfg/default", dir, server,
			      http_base, &rep, err, errsz);
	if (r == 0 && !shim)
		r = tftp_put_template(tdir, "grub/grub.cfg", dir, server,
				      http_base, &rep, err, errsz);
	if (r < 0)
		return r;
	for (i = 0; i < arch_count(); i++) {
		if (!arch_at(i)->grub_target)
			continue;
		r = tftp_arch_grub(arch_at(i), dir, tdir, server, shim, &rep,
				   err, errsz);
		if (r < 0)
			return r;
	}
	if (ret_rep)
		*ret_rep = rep;
	return 0;
}

