/*
 * render_ipxe.c - iPXE scripts from decisions (see render_ipxe.h).
 *
 * Labels used in every script: "retry" (start of the fetching part),
 * "failed" (count a failure, sleep, retry or give up), "local" (the local
 * boot fallback). A menu adds one label per item.
 */
#include "appliance/core/render_ipxe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

/* Characters allowed in one script argument: what URLs, paths, names and
 * kernel parameters need, and nothing iPXE parses. */
static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("._/:%~+=,@?-[]", c));
}

bool
ipxe_safe_word(const char *s, size_t max)
{
	size_t i;

	if (!s || !*s)
		return false;
	for (i = 0; s[i]; i++)
		if (i >= max || !word_char(s[i]))
			return false;
	return true;
}

bool
ipxe_safe_args(const char *s, size_t max)
{
	size_t i;

	if (!s || strlen(s) > max)
		return false;
	for (i = 0; s[i]; i++) {
		if (s[i] == ' ') {
			if (i == 0 || s[i + 1] == ' ' || s[i + 1] == '\0')
				return false;
			continue;
		}
		if (!word_char(s[i]))
			return false;
	}
	return true;
}

/* A URL for ref: an http(s) URL as is, a path under the files root. */
static int
file_url(FILE *f, const char *base, const char *ref)
{
	if (!ipxe_safe_word(ref, 1024))
		return -EINVAL;
	if (strncmp(ref, "http://", 7) == 0 || strncmp(ref, "https://", 8) == 0)
		fputs(ref, f);
	else
		fprintf(f, "%s/files/%s", base, ref);
	return 0;
}

/* The iPXE command of a local boot method; NULL for grub (a chain). */
static const char *
local_cmd(enum cfg_local_boot m)
{
	switch (m) {
	case LOCAL_BOOT_EXIT:
		return "exit";
	case LOCAL_BOOT_SANBOOT:
		return "sanboot --no-describe --drive 0x80";
	case LOCAL_BOOT_GRUB:
		return NULL; /* chain, with a URL */
	default:
		return "exit 1";
	}
}

/* One platform's local boot, ending the script whatever happens. */
static void
local_platform(FILE *f, const struct decision *d, enum cfg_local_boot m)
{
	const char *cmd = local_cmd(m);

	if (m == LOCAL_BOOT_EXIT1) {
		fputs("exit 1\n", f);
		return;
	}
	if (cmd) {
		fprintf(f, "%s ||\n", cmd);
	} else {
		fprintf(f, "chain %s/files/tftp/" IPXE_LOCALBOOT_EFI " ||\n",
		        d->base_url);
	}
	/* Whatever failed, leave: the firmware tries its next entry. */
	fputs("exit 1\n", f);
}

/* The ":local" section. */
static void
local_section(FILE *f, const struct decision *d)
{
	fputs(":local\n", f);
	switch (d->platform) {
	case BOOT_PLATFORM_PCBIOS:
		local_platform(f, d, d->local_bios);
		break;
	case BOOT_PLATFORM_EFI:
		local_platform(f, d, d->local_efi);
		break;
	default:
		fputs("iseq ${platform} efi && goto local_efi ||\n", f);
		local_platform(f, d, d->local_bios);
		fputs(":local_efi\n", f);
		local_platform(f, d, d->local_efi);
		break;
	}
}

/* The ":failed" section: bounded retries, then local boot. */
static void
failed_section(FILE *f)
{
	fprintf(f,
	        ":failed\n"
	        "inc bootyard_tries\n"
	        "iseq ${bootyard_tries} %d && goto local ||\n"
	        "echo bootyard: fetch failed, retrying (${bootyard_tries}/%d)\n"
	        "sleep %d\n"
	        "goto retry\n",
	        IPXE_FETCH_TRIES, IPXE_FETCH_TRIES, IPXE_RETRY_SLEEP);
}

/* #!ipxe, a comment that names the decision, the retry counter. */
static void
header(FILE *f, const struct decision *d)
{
	char desc[256];

	decision_describe(d, desc, sizeof(desc));
	fprintf(f, "#!ipxe\n# bootyard %s: %s\n", d->mac, desc);
	fputs("set bootyard_tries:int32 0\n", f);
}

/* kernel (with the command line), initrds, boot; each failure goes to
 * :failed. -EINVAL for a value that is not safe. */
static int
render_install(FILE *f, const struct decision *d)
{
	char refs[4 * DB_REF_MAX], *save = NULL, *ref;
	int r;

	if (!ipxe_safe_args(d->cmdline, sizeof(d->cmdline)) ||
	    !ipxe_safe_word(d->distro, NAME_MAX_LEN))
		return -EINVAL;
	fprintf(f, "echo bootyard: installing %s on %s\n", d->distro, d->mac);
	fputs(":retry\nimgfree ||\nkernel ", f);
	r = file_url(f, d->base_url, d->kernel);
	if (r < 0)
		return r;
	if (d->cmdline[0])
		fprintf(f, " %s", d->cmdline);
	fputs(" || goto failed\n", f);
	if (str_copy(refs, sizeof(refs), d->initrd ? d->initrd : "") < 0)
		return -EINVAL;
	for (ref = strtok_r(refs, " ", &save); ref;
	     ref = strtok_r(NULL, " ", &save)) {
		fputs("initrd ", f);
		r = file_url(f, d->base_url, ref);
		if (r < 0)
			return r;
		fputs(" || goto failed\n", f);
	}
	fputs("boot || goto failed\n", f);
	return 0;
}

/* memtest86+ for one platform: a kernel on BIOS, an EFI program on
 * UEFI. */
static void
memtest_platform(FILE *f, const struct decision *d, bool efi)
{
	if (efi)
		fprintf(
		    f, "chain %s/files/tftp/memtest86+x64.efi || goto failed\n",
		    d->base_url);
	else
		fprintf(
		    f,
		    "kernel %s/files/tftp/memtest86+x64.bin || goto failed\n"
		    "boot || goto failed\n",
		    d->base_url);
}

/* The memory test, per platform (decided at run time when unknown). */
static void
render_memtest(FILE *f, const struct decision *d)
{
	fputs(":retry\nimgfree ||\n", f);
	switch (d->platform) {
	case BOOT_PLATFORM_PCBIOS:
		memtest_platform(f, d, false);
		break;
	case BOOT_PLATFORM_EFI:
		memtest_platform(f, d, true);
		break;
	default:
		fputs("iseq ${platform} efi && goto memtest_efi ||\n", f);
		memtest_platform(f, d, false);
		fputs(":memtest_efi\n", f);
		memtest_platform(f, d, true);
		break;
	}
}

/* The URL that carries a menu choice back to the decision. */
static void
choice_url(FILE *f, const struct decision *d, const char *choice,
           const char *distro)
{
	/* buildarch: the choice is decided for the same architecture
	 * (its kernel, its menu) */
	fprintf(f,
	        "%s/ipxe/v1/config?mac=%s&platform=%s&buildarch=${buildarch}"
	        "&choice=%s",
	        d->base_url, d->mac,
	        d->platform == BOOT_PLATFORM_UNKNOWN
	            ? "${platform}"
	            : boot_platform_name(d->platform),
	        choice);
	if (distro)
		fprintf(f, "&distro=%s", distro);
}

/* The menu: local disk (default), one reinstall item per distribution,
 * shell, memory test, reboot. -EINVAL for a name that is not safe. */
static int
render_menu(FILE *f, const struct decision *d)
{
	size_t i;

	if (!decision_menu_valid(d))
		return -EINVAL;
	fputs(":menu\n", f);
	fprintf(f, "menu bootyard: %s%s%s\n", d->mac, d->hostname[0] ? " " : "",
	        d->hostname);
	if (strcmp(d->reason, "install-exhausted") == 0)
		fputs("item --gap -- Install attempts spent without success: "
		      "choose\n",
		      f);
	if (decision_no_kernel(d))
		fprintf(f,
		        "item --gap -- %s has no %s kernel: nothing to install\n",
		        d->distro, d->kernel_arch);
	fputs("item local Boot from the local disk\n", f);
	if (d->n_distros)
		fputs("item --gap -- Install (erases this machine):\n", f);
	for (i = 0; i < d->n_distros && i < DECIDE_MENU_DISTROS; i++)
		fprintf(f, "item install_%zu Reinstall %s\n", i, d->distros[i]);
	fputs("item --gap -- Tools:\n"
	      "item shell iPXE shell\n",
	      f);
	if (!d->no_memtest)
		fputs("item memtest Memory test (memtest86+)\n", f);
	fputs("item reboot Reboot\n", f);
	fprintf(f,
	        "choose --default local --timeout %u bootyard_choice || "
	        "goto local\n"
	        "goto ${bootyard_choice}\n",
	        d->menu_timeout * 1000);
	/* Fetch, then run: a choice issues one install (one attempt);
	 * only a failed fetch is tried again. */
	for (i = 0; i < d->n_distros && i < DECIDE_MENU_DISTROS; i++) {
		fprintf(f,
		        ":install_%zu\nset bootyard_tries:int32 0\n"
		        ":retry_%zu\nimgfetch --name bootyard-install ",
		        i, i);
		choice_url(f, d, "install", d->distros[i]);
		fprintf(f,
		        " && goto run_%zu ||\n"
		        "inc bootyard_tries\n"
		        "iseq ${bootyard_tries} %d && goto menu ||\n"
		        "sleep %d\n"
		        "goto retry_%zu\n"
		        ":run_%zu\n"
		        "imgexec bootyard-install || exit 1\n"
		        "exit 0\n",
		        i, IPXE_FETCH_TRIES, IPXE_RETRY_SLEEP, i, i);
	}
	fputs(":shell\n"
	      "echo Type exit to return to the menu\n"
	      "shell ||\n"
	      "goto menu\n"
	      ":reboot\n"
	      "reboot ||\n"
	      "goto local\n",
	      f);
	if (!d->no_memtest) {
		fputs(":memtest\n", f);
		render_memtest(f, d);
	}
	return 0;
}

int
ipxe_render(const struct decision *d, char **ret, size_t *ret_len)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	if (!d || !ret || !d->reason || !d->hostname ||
	    !ipxe_safe_word(d->base_url, 200) || !ipxe_safe_word(d->mac, 17))
		return -EINVAL;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	header(f, d);
	switch (d->kind) {
	case DECISION_INSTALL:
		r = render_install(f, d);
		break;
	case DECISION_LOCAL:
		fputs("echo bootyard: booting the local disk\n", f);
		break;
	case DECISION_MENU:
		r = render_menu(f, d);
		break;
	case DECISION_MEMTEST:
		render_memtest(f, d);
		break;
	case DECISION_SHELL:
		fputs("echo bootyard: iPXE shell (type exit to boot the "
		      "local disk)\n"
		      "shell ||\n"
		      "goto local\n",
		      f);
		break;
	default:
		r = -EINVAL;
	}
	if (d->kind == DECISION_INSTALL || d->kind == DECISION_MEMTEST ||
	    d->kind == DECISION_MENU)
		failed_section(f);
	else
		fputs("goto local\n", f);
	local_section(f, d);
	return memstream_finish(f, &out, &len, r, ret, ret_len);
}

const char *
ipxe_render_local_fallback(void)
{
	/* UEFI: the disk-finding grub (over TFTP, as the boot script's
	 * own fallback), not "exit 1": OVMF would walk its other network
	 * entries for minutes first */
	return "#!ipxe\n"
	       "echo bootyard: no boot decision, booting the local disk\n"
	       "iseq ${platform} efi && "
	       "chain tftp://${next-server}/" IPXE_LOCALBOOT_EFI " ||\n"
	       "iseq ${platform} efi && exit 1 ||\n"
	       "sanboot --no-describe --drive 0x80 ||\n"
	       "exit 1\n";
}

int
ipxe_render_error(const char *msg, char *buf, size_t bufsz)
{
	char clean[128];
	size_t i, o = 0;
	int n;

	for (i = 0; msg && msg[i] && o + 1 < sizeof(clean); i++) {
		char c = msg[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(" .,:-=_/", c))
			clean[o++] = c;
	}
	clean[o] = '\0';
	n = snprintf(buf, bufsz,
	             "#!ipxe\n"
	             "echo bootyard: request refused: %s\n"
	             "sleep 3\n"
	             "iseq ${platform} efi && exit 1 ||\n"
	             "sanboot --no-describe --drive 0x80 ||\n"
	             "exit 1\n",
	             clean);
	if (n < 0 || (size_t)n >= bufsz)
		return -ENOSPC;
	return n;
}
