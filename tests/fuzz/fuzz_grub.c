/*
 * fuzz_grub.c - libFuzzer target for the grub renderer (and the menu
 * choice paths the daemon reads from dnsmasq's TFTP log): host fields,
 * distro fields and menu names come from the input.
 *
 * Property: whatever the values, a file that renders has, outside single
 * quotes, no variable but the renderer's own, and every line begins with
 * a command the renderer writes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "tests/fuzz/fuzz_take.h"
#include "appliance/core/decide.h"
#include "appliance/core/render_grub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The file's commands and unquoted variables are the renderer's own. */
static void
check_file(const char *s)
{
	static const char *const vars[] = {"${net_default_mac}",
	                                   "$bootyard_disk", "$lockdown",
	                                   "$bootyard_try"};
	static const char *const cmds[] = {
	    "#",          "echo ",  "for ",        "if ",          "linux ",
	    "initrd ",    "boot\n", "fi\n",        "else\n",       "done\n",
	    "sleep ",     "exit ",  "search ",     "chainloader ", "set ",
	    "menuentry ", "}\n",    "configfile ", "reboot\n",
	};
	bool squote = false, line_start = true;
	const char *p;
	size_t i;

	for (p = s; *p; p++) {
		if (line_start) {
			bool ok = false;

			while (*p == '\t')
				p++;
			for (i = 0; i < ARRAY_SIZE(cmds); i++)
				ok |= !strncmp(p, cmds[i], strlen(cmds[i]));
			if (!ok)
				abort();
			line_start = false;
			if (*p == '#') { /* a comment: to the end of the line */
				p = strchr(p, '\n');
				if (!p)
					return;
				line_start = true;
				continue;
			}
		}
		if (*p == '\'') {
			squote = !squote;
		} else if (!squote && *p == '\\') {
			p++; /* the escaped quote of '\'' */
			if (*p != '\'')
				abort();
		} else if (!squote && *p == '$') {
			bool ok = false;

			for (i = 0; i < ARRAY_SIZE(vars); i++)
				ok |= !strncmp(p, vars[i], strlen(vars[i]));
			if (!ok)
				abort();
		} else if (*p == '\n') {
			if (squote)
				abort(); /* a value never spans lines */
			line_start = true;
		}
	}
	if (squote)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	static const char *names[4];
	char hostname[HOSTNAME_MAX + 1], n0[64], n1[64], path[300];
	char mac[MAC_STR_LEN], dn[NAME_MAX_LEN + 1];
	struct db_distro dist;
	struct db_host h;
	struct boot_request req;
	struct decide_policy pol;
	struct decide_input in;
	struct decision d;
	char *out = NULL;

	if (size < 2)
		return 0;
	memset(&dist, 0, sizeof(dist));
	memset(&h, 0, sizeof(h));
	memset(&req, 0, sizeof(req));
	take(&p, end, path, sizeof(path));
	grub_choice_parse(path, mac, dn);
	dist.n_kernels = 1;
	strcpy(dist.kernels[0].arch, "amd64");
	take(&p, end, dist.kernels[0].kernel, sizeof(dist.kernels[0].kernel));
	take(&p, end, dist.kernels[0].initrd, sizeof(dist.kernels[0].initrd));
	take(&p, end, dist.cmdline, sizeof(dist.cmdline));
	take(&p, end, h.attrs[0].value, sizeof(h.attrs[0].value));
	take(&p, end, hostname, sizeof(hostname));
	take(&p, end, n0, sizeof(n0));
	take(&p, end, n1, sizeof(n1));
	strcpy(dist.name, "debian12");
	strcpy(h.distro, "debian12");
	strcpy(h.attrs[0].key, "rack");
	h.n_attrs = 1;
	h.n_macs = 1;
	strcpy(h.macs[0], "52:54:00:12:34:56");
	h.action = (enum db_action)(data[0] % 3);
	strcpy(req.mac, data[1] & 1 ? "52:54:00:12:34:56" : "");
	req.platform = BOOT_PLATFORM_EFI;
	names[0] = n0;
	names[1] = n1;
	memset(&pol, 0, sizeof(pol));
	pol.base_url = "http://198.18.0.1";
	pol.menu_timeout = 10;
	pol.install_attempts = 3;
	pol.local_efi = (data[1] & 2) ? LOCAL_BOOT_GRUB : LOCAL_BOOT_EXIT1;
	pol.distros = names;
	pol.n_distros = 2;
	memset(&in, 0, sizeof(in));
	in.req = &req;
	in.policy = &pol;
	in.host = (data[1] & 4) ? NULL : &h;
	if (in.host)
		str_copy(h.hostname, sizeof(h.hostname), hostname);
	if (h.action == DB_ACTION_INSTALL && in.host) {
		in.install = INSTALL_ISSUED;
		in.distro = &dist;
		in.token = "0123456789abcdef0123456789abcdef";
	}
	if (decide(&in, &d) == 0 &&
	    grub_render(&d, "198.18.0.1", &out, NULL) == 0) {
		check_file(out);
		free(out);
	}
	return 0;
}
