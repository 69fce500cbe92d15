/*
 * decide.c - the boot decision (see decide.h). The rules, in order:
 *   1. a menu choice for local, shell, memtest or menu is granted;
 *   2. a change of state the request may not make (decide_plan) is
 *      refused: a local boot, marked refused;
 *   3. an install that was issued a token installs;
 *   4. an install that could not be issued (attempts spent, distribution
 *      gone, database error) falls back to the menu, saying why;
 *   5. a host flagged "local" boots locally, "menu" gets the menu;
 *   6. an unknown MAC gets the site default (menu or local).
 * Menus offer no install where menu installs are off.
 */
#include "appliance/core/decide.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "appliance/core/arch.h"
#include "appliance/core/template.h"

/* What a request gets before install tokens and menu choices. */
static enum decision_kind
base_kind(const struct db_host *host, const struct decide_policy *pol)
{
	if (!host)
		return pol->unknown == UNKNOWN_LOCAL ? DECISION_LOCAL
		                                     : DECISION_MENU;
	switch (host->action) {
	case DB_ACTION_INSTALL:
		return DECISION_INSTALL;
	case DB_ACTION_LOCAL:
		return DECISION_LOCAL;
	default:
		return DECISION_MENU;
	}
}

bool
decide_install_wanted(const struct boot_request *req,
                      const struct db_host *host,
                      const struct decide_policy *pol, const char **ret_distro)
{
	enum decision_kind k = base_kind(host, pol);

	if (req->choice == BOOT_CHOICE_INSTALL && k == DECISION_MENU) {
		if (ret_distro)
			*ret_distro = req->distro;
		return true;
	}
	if (req->choice != BOOT_CHOICE_NONE &&
	    req->choice != BOOT_CHOICE_INSTALL)
		return false;
	if (k == DECISION_INSTALL) {
		if (ret_distro)
			*ret_distro = host->distro;
		return true;
	}
	return false;
}

void
decide_plan(const struct boot_request *req, const struct db_host *host,
            const struct decide_policy *pol, enum decide_addr addr,
            struct decide_plan *ret)
{
	const char *distro = NULL;
	bool once;

	memset(ret, 0, sizeof(*ret));
	if (!decide_install_wanted(req, host, pol, &distro) || !distro)
		return;
	/* a choice from the menu, not the admin's flag */
	once = req->choice == BOOT_CHOICE_INSTALL &&
	       base_kind(host, pol) == DECISION_MENU;
	if (once && pol->menu_install_off) {
		ret->refused = "menu-install-off";
		return;
	}
	if (pol->leases_known) {
		if (addr == DECIDE_ADDR_UNCHECKED) {
			ret->need_address = true;
			return;
		}
		if (addr != DECIDE_ADDR_LEASED) {
			ret->refused = "address-not-leased";
			return;
		}
	}
	ret->change = once ? DECIDE_CHANGE_ONCE : DECIDE_CHANGE_ISSUE;
	ret->distro = distro;
}

enum decide_addr
decide_addr_check(const struct boot_request *req, const struct db_host *host,
                  const char *holder)
{
	size_t i;

	if (!holder || !holder[0])
		return DECIDE_ADDR_NOT_LEASED;
	if (!host)
		return strcmp(holder, req->mac) == 0 ? DECIDE_ADDR_LEASED
		                                     : DECIDE_ADDR_NOT_LEASED;
	for (i = 0; i < host->n_macs && i < DB_MAX_MACS; i++)
		if (strcmp(holder, host->macs[i]) == 0)
			return DECIDE_ADDR_LEASED;
	return DECIDE_ADDR_NOT_LEASED;
}

/* The local boot method for a platform, host override first; the
 * architecture table (arch.h) says what its firmware can use: the row
 * of the client's iPXE ${buildarch} (arm64), else the family's first. */
static enum cfg_local_boot
local_method(const struct db_host *host, enum cfg_local_boot site, bool efi,
	     const char *buildarch)
{
	enum arch_fw fw = efi ? ARCH_FW_UEFI : ARCH_FW_BIOS;
	const struct arch *a = arch_by_buildarch(fw, buildarch);
	enum cfg_local_boot m = LOCAL_BOOT_DEFAULT;

	if (host && host->local_boot[0] &&
	    cfg_local_boot_parse(host->local_boot, &m) < 0)
		m = LOCAL_BOOT_DEFAULT;
	if (m == LOCAL_BOOT_DEFAULT)
		m = site;
	return arch_local_method(a ? a : arch_primary(fw), m);
}

bool
decision_menu_valid(const struct decision *d)
{
	size_t i;

	for (i = 0; i < d->n_distros; i++)
		if (!valid_name(d->distros[i]))
			return false;
	return !d->hostname[0] || valid_hostname(d->hostname);
}

bool
decision_no_kernel(const struct decision *d)
{
	return strcmp(d->reason, "no-kernel-for-arch") == 0 && d->distro &&
	       valid_name(d->distro) && valid_name(d->kernel_arch);
}

const char *
decide_kernel_arch(const struct boot_request *req)
{
	return arch_client_kernel_arch(req->buildarch, req->arch,
	                               req->platform == BOOT_PLATFORM_PCBIOS);
}

/* The menu's reinstall items: the policy's distributions with a kernel
 * for the client's architecture. */
static void
menu_distros(const struct decide_policy *pol, struct decision *d)
{
	size_t i;

	d->n_distros = 0;
	if (pol->menu_install_off)
		return;
	for (i = 0; i < pol->n_distros && d->n_distros < DECIDE_MENU_DISTROS;
	     i++)
		if (!pol->distro_arches ||
		    str_word_in(d->kernel_arch, pol->distro_arches[i]))
			d->distros[d->n_distros++] = pol->distros[i];
}

/* Expand the distro's command line and append the install token. */
static int
install_cmdline(const struct decide_input *in, struct decision *d)
{
	struct tmpl_var vars[TMPL_HOST_VARS];
	char *text = NULL;
	size_t n, len;
	int r;

	r = tmpl_host_vars(in->host, d->mac, in->policy->base_url, in->token,
	                   in->distro, vars, ARRAY_SIZE(vars), &n);
	if (r < 0)
		return r;
	r = tmpl_render(in->distro->cmdline, vars, n, &text, &len);
	if (r < 0)
		return r;
	r = str_printf(d->cmdline, sizeof(d->cmdline),
	               "%s%sbootyard.token=%s bootyard.server=%s", text,
	               len ? " " : "", in->token, in->policy->base_url);
	free(text);
	return r < 0 ? -EINVAL : 0;
}

/* The install outcomes that give the menu, with the reason it says. */
static const char *const install_menu_reason[] = {
	[INSTALL_EXHAUSTED] = "install-exhausted",
	[INSTALL_NO_DISTRO] = "distro-missing",
	[INSTALL_NO_KERNEL] = "no-kernel-for-arch",
	[INSTALL_FAILED] = "install-unavailable",
};

int
decide(const struct decide_input *in, struct decision *ret)
{
	const struct decide_policy *pol;
	const struct db_host *host;
	const struct db_distro_kernel *k;
	struct decision d;
	int r;

	if (!in || !in->req || !in->policy || !ret)
		return -EINVAL;
	pol = in->policy;
	host = in->host;
	memset(&d, 0, sizeof(d));
	memcpy(d.mac, in->req->mac, sizeof(d.mac));
	d.platform = in->req->platform;
	d.hostname = host ? host->hostname : "";
	d.local_bios = local_method(host, pol->local_bios, false,
	                            in->req->buildarch);
	d.local_efi = local_method(host, pol->local_efi, true,
	                           in->req->buildarch);
	d.base_url = pol->base_url;
	d.menu_timeout = pol->menu_timeout;
	d.kernel_arch = decide_kernel_arch(in->req);
	d.no_memtest = !arch_has_memtest(d.kernel_arch);
	menu_distros(pol, &d);

	switch (in->req->choice) {
	case BOOT_CHOICE_LOCAL:
		d.kind = DECISION_LOCAL;
		d.reason = "menu-choice";
		goto out;
	case BOOT_CHOICE_SHELL:
		d.kind = DECISION_SHELL;
		d.reason = "menu-choice";
		goto out;
	case BOOT_CHOICE_MEMTEST:
		d.kind = d.no_memtest ? DECISION_MENU : DECISION_MEMTEST;
		d.reason = d.no_memtest ? "no-memtest" : "menu-choice";
		goto out;
	case BOOT_CHOICE_MENU:
		d.kind = DECISION_MENU;
		d.reason = "menu-choice";
		goto out;
	default:
		break;
	}

	switch (in->install) {
	case INSTALL_REFUSED:
		/* changes nothing, hands out nothing: the local disk */
		d.kind = DECISION_LOCAL;
		d.reason = in->refused ? in->refused : "refused";
		d.refused = true;
		goto out;
	case INSTALL_ISSUED:
		if (!in->distro || !in->token || !valid_token(in->token))
			return -EINVAL;
		d.distro = in->distro->name;
		k = db_distro_kernel(in->distro, d.kernel_arch);
		if (!k) {
			/* never another architecture's kernel */
			d.kind = DECISION_MENU;
			d.reason = "no-kernel-for-arch";
			goto out;
		}
		d.kind = DECISION_INSTALL;
		d.reason = in->once ? "menu-choice" : "flagged";
		d.token = in->token;
		d.kernel = k->kernel;
		d.initrd = k->initrd;
		r = install_cmdline(in, &d);
		if (r < 0)
			return r;
		goto out;
	case INSTALL_NO_KERNEL:
		d.distro = in->distro ? in->distro->name : NULL;
		/* fall through */
	default:
		if ((size_t)in->install < ARRAY_SIZE(install_menu_reason) &&
		    install_menu_reason[in->install]) {
			d.kind = DECISION_MENU;
			d.reason = install_menu_reason[in->install];
			goto out;
		}
		break;
	}

	d.kind = base_kind(host, pol);
	if (d.kind == DECISION_INSTALL) {
		/* Flagged, but nobody tried to issue a token: never install
		 * without one. */
		d.kind = DECISION_MENU;
		d.reason = "install-unavailable";
	} else if (!host) {
		d.reason = "unknown-mac";
	} else {
		d.reason =
		    d.kind == DECISION_LOCAL ? "host-local" : "host-menu";
	}
out:
	*ret = d;
	return 0;
}

const char *
decision_kind_name(enum decision_kind k)
{
	switch (k) {
	case DECISION_INSTALL:
		return "install";
	case DECISION_LOCAL:
		return "local";
	case DECISION_MENU:
		return "menu";
	case DECISION_MEMTEST:
		return "memtest";
	case DECISION_SHELL:
		return "shell";
	}
	return "?";
}

void
decision_describe(const struct decision *d, char *buf, size_t bufsz)
{
	int n;

	n = snprintf(buf, bufsz, "%s reason=%s platform=%s",
	             decision_kind_name(d->kind), d->reason,
	             boot_platform_name(d->platform));
	if (n < 0 || (size_t)n >= bufsz)
		return;
	if (d->kind == DECISION_INSTALL)
		snprintf(buf + n, bufsz - (size_t)n, " distro=%s", d->distro);
	else if (d->kind == DECISION_MENU && d->distro)
		snprintf(buf + n, bufsz - (size_t)n, " distro=%s arch=%s",
		         d->distro, d->kernel_arch);
	else if (d->kind == DECISION_LOCAL)
		snprintf(buf + n, bufsz - (size_t)n, " method=%s",
		         cfg_local_boot_name(d->platform == BOOT_PLATFORM_EFI
		                                 ? d->local_efi
		                                 : d->local_bios));
}
