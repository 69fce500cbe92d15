/*
 * render_grub.c - grub configurations from decisions (see render_grub.h).
 *
 * Every file is a plain list of commands run by grub's "configfile": a
 * command that fails prints its error and grub goes on with the next
 * line, so each file ends in the local boot, whatever failed before.
 * Values are always written single-quoted (grub_quote); the only
 * double-quoted strings are constant text with ${net_default_mac}, the
 * MAC the firmware booted from (set by grub itself, not by a host field).
 */
#include "appliance/core/render_grub.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

int
grub_quote(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	if (!s || outsz < 3)
		return -ENOSPC;
	out[o++] = '\'';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			return -EINVAL;
		if (c == '\'') {
			/* close, an escaped quote, reopen */
			if (o + 4 >= outsz)
				return -ENOSPC;
			memcpy(out + o, "'\\''", 4);
			o += 4;
			continue;
		}
		if (o + 1 >= outsz)
			return -ENOSPC;
		out[o++] = (char)c;
	}
	if (o + 2 > outsz)
		return -ENOSPC;
	out[o++] = '\'';
	out[o] = '\0';
	return (int)o;
}

bool
grub_safe_arg(const char *s, size_t max)
{
	size_t i;

	if (!s || !*s)
		return false;
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= max || c <= 0x20 || c >= 0x7f || c == '\'' ||
		    c == '"' || c == '\\')
			return false;
	}
	return true;
}

bool
grub_safe_path(const char *s, size_t max)
{
	const char *p;

	if (!grub_safe_arg(s, max) || s[0] == '/' || s[0] == '(' ||
	    strstr(s, "://") || strstr(s, "//"))
		return false;
	/* no ".." component */
	for (p = s; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return false;
	}
	return true;
}

/* Write ' QUOTED' (a space, then s quoted) to f. */
static int
put_quoted(FILE *f, const char *s)
{
	char q[4 * 1024 + 8];
	int n = grub_quote(s, q, sizeof(q));

	if (n < 0)
		return n;
	fputc(' ', f);
	fputs(q, f);
	return 0;
}

/* "echo 'msg'" where msg is built from safe parts. */
static int
put_echo(FILE *f, const char *indent, const char *msg)
{
	fprintf(f, "%secho", indent);
	if (put_quoted(f, msg) < 0)
		return -EINVAL;
	fputc('\n', f);
	return 0;
}

/* A file under the TFTP root, as grub names it: (tftp,SERVER)/path. */
static int
put_tftp_file(FILE *f, const char *server, const char *dir, const char *ref)
{
	char path[DB_REF_MAX + 64];

	if (!grub_safe_path(ref, DB_REF_MAX - 1))
		return -EINVAL;
	if (str_printf(path, sizeof(path), "(tftp,%s)/%s%s%s", server,
	               dir ? dir : "", dir ? "/" : "", ref) < 0)
		return -EINVAL;
	return put_quoted(f, path);
}

/*
 * The local boot: back to the firmware ("exit": it tries its next boot
 * entry), or, with local_efi = grub, find the disk's removable-media EFI
 * loader and chainload it first. grub 2.06 gives a chainloaded image the
 * device path of $root, whatever device its file name names: root must
 * be the disk, or the disk's shim looks for its grubx64.efi on the NIC.
 */
static void
put_local(FILE *f, const struct decision *d, const char *indent)
{
	if (d->local_efi == LOCAL_BOOT_GRUB) {
		fprintf(f,
		        "%ssearch --no-floppy --file /EFI/BOOT/BOOTX64.EFI "
		        "--set=bootyard_disk\n"
		        "%sif [ -n \"$bootyard_disk\" ]; then\n"
		        "%s\tset root=\"$bootyard_disk\"\n"
		        "%s\tchainloader /EFI/BOOT/BOOTX64.EFI\n"
		        "%s\tboot\n"
		        "%sfi\n"
		        "%secho 'bootyard: no EFI loader on a local disk'\n",
		        indent, indent, indent, indent, indent, indent, indent);
	}
	fprintf(f, "%sexit 1\n", indent);
}

/* The header comment: what was decided, for whoever reads the file. */
static void
put_header(FILE *f, const struct decision *d)
{
	char desc[256];
	size_t i;

	decision_describe(d, desc, sizeof(desc));
	/* a comment ends at the line's end: keep it one line */
	for (i = 0; desc[i]; i++)
		if ((unsigned char)desc[i] < 0x20)
			desc[i] = ' ';
	fprintf(f, "# bootyard %s: %s\n",
	        d->mac[0] ? d->mac : "default (machines without a file)", desc);
}

/* The install: kernel with its command line, initrds, boot; bounded
 * retries, then the local disk. */
static int
render_install(FILE *f, const struct decision *d, const char *server)
{
	char args[sizeof(d->cmdline)], refs[4 * DB_REF_MAX], msg[256];
	char *save = NULL, *w;
	int r;

	if (!valid_name(d->distro) || !d->kernel ||
	    str_copy(args, sizeof(args), d->cmdline) < 0)
		return -EINVAL;
	snprintf(msg, sizeof(msg), "bootyard: installing %s on %s", d->distro,
	         d->mac[0] ? d->mac : "this machine");
	if (put_echo(f, "", msg) < 0)
		return -EINVAL;
	fprintf(f, "for bootyard_try in");
	for (int i = 1; i <= GRUB_FETCH_TRIES; i++)
		fprintf(f, " %d", i);
	fputs("; do\n\tif linux", f);
	r = put_tftp_file(f, server, GRUB_FILES_DIR, d->kernel);
	if (r < 0)
		return r;
	for (w = strtok_r(args, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		if (!grub_safe_arg(w, sizeof(args)))
			return -EINVAL;
		if (put_quoted(f, w) < 0)
			return -EINVAL;
	}
	fputs("; then\n", f);
	if (d->initrd && d->initrd[0]) {
		if (str_copy(refs, sizeof(refs), d->initrd) < 0)
			return -EINVAL;
		fputs("\t\tif initrd", f);
		save = NULL;
		for (w = strtok_r(refs, " ", &save); w;
		     w = strtok_r(NULL, " ", &save)) {
			r = put_tftp_file(f, server, GRUB_FILES_DIR, w);
			if (r < 0)
				return r;
		}
		fputs("; then\n\t\t\tboot\n\t\tfi\n", f);
	} else {
		fputs("\t\tboot\n", f);
	}
	fprintf(f,
	        "\tfi\n"
	        "\techo \"bootyard: loading the installer failed "
	        "($bootyard_try/%d)\"\n"
	        "\tsleep %d\n"
	        "done\n",
	        GRUB_FETCH_TRIES, GRUB_RETRY_SLEEP);
	fputs("echo 'bootyard: giving up, booting the local disk'\n", f);
	put_local(f, d, "");
	return 0;
}

/*
 * The memory test: memtest86+ is not signed, so it is offered only where
 * grub is not locked down (Secure Boot off: grub sets $lockdown to "y"
 * when it is on).
 */
static void
put_memtest(FILE *f, const char *server, const char *indent)
{
	fprintf(f,
	        "%sif [ \"$lockdown\" = y ]; then\n"
	        "%s\techo 'bootyard: Secure Boot is on: memtest86+ is not "
	        "signed'\n"
	        "%selse\n"
	        "%s\tchainloader '(tftp,%s)/memtest86+x64.efi'\n"
	        "%s\tboot\n"
	        "%sfi\n",
	        indent, indent, indent, indent, server, indent, indent);
}

/*
 * The menu: local disk (default), one reinstall entry per distribution,
 * memory test (Secure Boot off only), reboot. A reinstall entry asks for
 * its choice over TFTP: it reads grub/choice/<mac>/install/<distro>.cfg,
 * which does not exist; the appliance sees the request in dnsmasq's log,
 * flags the host and renders its file with a token, which the entry then
 * loads.
 */
static int
render_menu(FILE *f, const struct decision *d, const char *server)
{
	char title[256];
	size_t i;

	if (!decision_menu_valid(d))
		return -EINVAL;
	fprintf(f, "set timeout=%u\nset default=0\n", d->menu_timeout);
	if (strcmp(d->reason, "install-exhausted") == 0)
		fputs("echo 'bootyard: install attempts spent without "
		      "success: choose'\n",
		      f);
	if (decision_no_kernel(d))
		fprintf(f,
		        "echo 'bootyard: %s has no %s kernel: no install'\n",
		        d->distro, d->kernel_arch);
	snprintf(title, sizeof(title),
	         "bootyard%s%s%s%s: boot from the local "
	         "disk",
	         d->mac[0] ? " " : "", d->mac, d->hostname[0] ? " " : "",
	         d->hostname);
	fputs("menuentry", f);
	if (put_quoted(f, title) < 0)
		return -EINVAL;
	fputs(" {\n\techo 'bootyard: booting the local disk'\n", f);
	put_local(f, d, "\t");
	fputs("}\n", f);
	for (i = 0; i < d->n_distros && i < DECIDE_MENU_DISTROS; i++) {
		snprintf(title, sizeof(title),
		         "Reinstall %s (erases this machine)", d->distros[i]);
		fputs("menuentry", f);
		if (put_quoted(f, title) < 0)
			return -EINVAL;
		fprintf(f,
		        " {\n"
		        "\techo 'bootyard: asking for an install of %s'\n"
		        "\tconfigfile \"(tftp,%s)/%s/${net_default_mac}/"
		        "install/%s.cfg\"\n"
		        "\tsleep 3\n"
		        "\tconfigfile \"(tftp,%s)/grub/mac/${net_default_mac}"
		        ".cfg\"\n"
		        "}\n",
		        d->distros[i], server, GRUB_CHOICE_DIR, d->distros[i],
		        server);
	}
	if (!d->no_memtest) {
		fputs("if [ \"$lockdown\" != y ]; then\n"
		      "\tmenuentry 'Memory test (memtest86+)' {\n",
		      f);
		put_memtest(f, server, "\t\t");
		fputs("\t}\nfi\n", f);
	}
	fputs("menuentry 'Reboot' {\n"
	      "\treboot\n"
	      "}\n",
	      f);
	return 0;
}

int
grub_render(const struct decision *d, const char *server, char **ret,
            size_t *ret_len)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	if (!d || !ret || !d->reason || !d->hostname || !valid_ipv4(server))
		return -EINVAL;
	if (d->mac[0]) {
		char canon[MAC_STR_LEN];

		if (mac_parse(d->mac, canon) < 0 || strcmp(canon, d->mac))
			return -EINVAL;
	}
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	put_header(f, d);
	switch (d->kind) {
	case DECISION_INSTALL:
		r = render_install(f, d, server);
		break;
	case DECISION_LOCAL:
		fputs("echo 'bootyard: booting the local disk'\n", f);
		put_local(f, d, "");
		break;
	case DECISION_MENU:
		r = render_menu(f, d, server);
		break;
	case DECISION_MEMTEST:
		put_memtest(f, server, "");
		fputs("echo 'bootyard: booting the local disk'\n", f);
		put_local(f, d, "");
		break;
	case DECISION_SHELL:
		/* There is no iPXE here; grub's own command line is one
		 * key ("c") away in its menus. */
		fputs("echo 'bootyard: no iPXE shell under grub: booting the "
		      "local disk'\n",
		      f);
		put_local(f, d, "");
		break;
	default:
		r = -EINVAL;
	}
	return memstream_finish(f, &out, &len, r, ret, ret_len);
}

int
grub_render_dispatch(const char *server, char **ret, size_t *ret_len)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!ret || !valid_ipv4(server))
		return -EINVAL;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f,
	        "# grub/grub.cfg - rendered by bootyard for the signed grub "
	        "that shim loads\n"
	        "# (uefi_loader = shim). A machine's own file holds its boot "
	        "decision;\n"
	        "# when it has none, configfile fails and the default "
	        "follows.\n"
	        "configfile \"(tftp,%s)/grub/mac/${net_default_mac}.cfg\"\n"
	        "configfile '(tftp,%s)/grub/default.cfg'\n"
	        "echo 'bootyard: no boot configuration could be read'\n"
	        "sleep %d\n"
	        "exit 1\n",
	        server, server, GRUB_RETRY_SLEEP);
	return memstream_finish(f, &out, &len, 0, ret, ret_len);
}

int
grub_choice_parse(const char *path, char ret_mac[MAC_STR_LEN], char *ret_distro)
{
	static const char prefix[] = GRUB_CHOICE_DIR "/";
	char mac[MAC_STR_LEN], distro[NAME_MAX_LEN + 1];
	const char *p, *slash, *dot;
	size_t n;

	if (!path || strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return -ENOENT;
	p = path + sizeof(prefix) - 1;
	slash = strchr(p, '/');
	if (!slash || (size_t)(slash - p) != MAC_STR_LEN - 1)
		return -EINVAL;
	memcpy(mac, p, MAC_STR_LEN - 1);
	mac[MAC_STR_LEN - 1] = '\0';
	if (mac_parse(mac, ret_mac) < 0)
		return -EINVAL;
	p = slash + 1;
	if (strncmp(p, "install/", 8) != 0)
		return -EINVAL;
	p += 8;
	dot = strrchr(p, '.');
	if (!dot || strcmp(dot, ".cfg") != 0)
		return -EINVAL;
	n = (size_t)(dot - p);
	if (n == 0 || n > NAME_MAX_LEN)
		return -EINVAL;
	memcpy(distro, p, n);
	distro[n] = '\0';
	if (!valid_name(distro))
		return -EINVAL;
	memcpy(ret_distro, distro, n + 1);
	return 0;
}
