/*
 * fuzz_render.c - libFuzzer target for the decision and the iPXE
 * renderer: host fields, distro fields (kernel, initrd, command line,
 * itself a template) and the menu's distro names come from the input.
 *
 * Property: whatever the values, a script that renders contains no
 * settings expansion but the renderer's own (${platform},
 * ${bootyard_tries}, ${bootyard_choice}) and no line that begins with a
 * command the renderer does not write.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "tests/fuzz/fuzz_take.h"
#include "appliance/core/decide.h"
#include "appliance/core/render_ipxe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_script(const char *s)
{
	static const char *const own[] = {"${platform}", "${bootyard_tries}",
	                                  "${bootyard_choice}", "${netX/mac}",
	                                  "${buildarch}"};
	static const char *const cmds[] = {
	    "#!ipxe",  "# bootyard", "set ",    "echo ",  ":",     "imgfree ",
	    "kernel ", "initrd ",    "boot ",   "inc ",   "iseq ", "sleep ",
	    "goto ",   "sanboot ",   "exit",    "chain ", "menu ", "item ",
	    "choose ", "shell ",     "reboot ",
	    /* a menu's install item fetches its answer, then runs it */
	    "imgfetch --name bootyard-install ", "imgexec bootyard-install ",
	};
	const char *p = s;
	size_t i;

	while ((p = strstr(p, "${"))) {
		bool ok = false;
		for (i = 0; i < ARRAY_SIZE(own); i++)
			ok |= strncmp(p, own[i], strlen(own[i])) == 0;
		if (!ok)
			abort();
		p += 2;
	}
	for (p = s; *p; p = strchr(p, '\n') + 1) {
		bool ok = false;
		for (i = 0; i < ARRAY_SIZE(cmds); i++)
			ok |= strncmp(p, cmds[i], strlen(cmds[i])) == 0;
		if (!ok)
			abort();
		if (!strchr(p, '\n'))
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	static struct db_host h;
	static struct db_distro dist;
	static char names[2][NAME_MAX_LEN + 1];
	const char *name_ptrs[2] = {names[0], names[1]};
	struct boot_request req;
	struct decide_policy pol = {
	    .base_url = "http://198.18.0.1",
	    .menu_timeout = 3,
	    .local_bios = LOCAL_BOOT_SANBOOT,
	    .local_efi = LOCAL_BOOT_GRUB,
	    .distros = name_ptrs,
	    .n_distros = 2,
	};
	struct decide_input in = {.req = &req, .policy = &pol};
	struct decision d;
	char *out = NULL;
	size_t len;
	uint8_t sel;

	if (size < 2)
		return 0;
	sel = *p++;
	memset(&req, 0, sizeof(req));
	strcpy(req.mac, "52:54:00:12:34:56");
	req.platform = (enum boot_platform)(sel % 3);
	req.choice = (enum boot_choice)((sel / 3) % 6);
	strcpy(req.distro, "x");
	memset(&h, 0, sizeof(h));
	h.action = (enum db_action)((sel / 18) % 3);
	take(&p, end, h.hostname, sizeof(h.hostname));
	take(&p, end, h.local_boot, sizeof(h.local_boot));
	h.n_attrs = 1;
	strcpy(h.attrs[0].key, "k");
	take(&p, end, h.attrs[0].value, sizeof(h.attrs[0].value));
	memset(&dist, 0, sizeof(dist));
	strcpy(dist.name, "d");
	dist.n_kernels = 1;
	strcpy(dist.kernels[0].arch, "amd64");
	take(&p, end, dist.kernels[0].kernel, sizeof(dist.kernels[0].kernel));
	take(&p, end, dist.kernels[0].initrd, sizeof(dist.kernels[0].initrd));
	take(&p, end, dist.cmdline, sizeof(dist.cmdline));
	take(&p, end, names[0], sizeof(names[0]));
	take(&p, end, names[1], sizeof(names[1]));
	/* the last byte: an arm64 client, whose menu offers names[0]
	 * only and whose install needs the arm64 kernel (the same files) */
	if (data[size - 1] & 2) {
		static const char *const arches[] = {"amd64 arm64", "amd64"};

		strcpy(req.buildarch, "arm64");
		pol.distro_arches = arches;
		if (data[size - 1] & 4) {
			dist.kernels[1] = dist.kernels[0];
			strcpy(dist.kernels[1].arch, "arm64");
			dist.n_kernels = 2;
		}
	}
	in.host = (sel & 0x80) ? NULL : &h;
	if (*(p < end ? p : data) & 1) {
		in.install = INSTALL_ISSUED;
		in.distro = &dist;
		in.token = "0123456789abcdef0123456789abcdef";
	}
	if (decide(&in, &d) == 0 && ipxe_render(&d, &out, &len) == 0) {
		if (strlen(out) != len)
			abort();
		check_script(out);
		free(out);
	}
	return 0;
}
