/*
 * grubcfg.c - the grub files of the TFTP tree (see grubcfg.h).
 */
#include "appliance/build/grubcfg.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "common/valid.h"
#include "appliance/core/decide.h"
#include "appliance/core/render_grub.h"

#define GRUB_FETCH_EVENTS 256 /* newest events read to count fetches */

/* Note the first failure in rep. */
static void
rep_fail(struct grubcfg_report *rep, int r, const char *what)
{
	rep->failed++;
	if (!rep->error[0] && str_printf(rep->error, sizeof(rep->error),
	                                 "%s: %s", what, strerror(-r)) < 0)
		str_copy(rep->error, sizeof(rep->error), strerror(-r));
}

int
grubcfg_mac_path(const char *tftp_dir, const char *mac, char *out, size_t outsz)
{
	return str_printf(out, outsz, "%s/grub/mac/%s.cfg", tftp_dir, mac);
}

/* Write text to path unless it holds exactly that (write + rename). */
static int
grub_put(const char *path, const char *text, size_t len,
         struct grubcfg_report *rep)
{
	int r = write_file_if_changed(path, text, len, 0644);

	if (r == 0)
		rep->unchanged++;
	if (r == 1)
		rep->written++;
	return r < 0 ? r : 0;
}

/* The site policy for decide(); names is filled from the database. */
static int
grub_policy(struct db *db, const struct grubcfg_site *site,
            struct db_distro_names *names, struct decide_policy *pol)
{
	const struct by_config *cfg = site->cfg;
	int r;

	r = db_distro_names(db, names);
	if (r < 0)
		return r;
	memset(pol, 0, sizeof(*pol));
	pol->base_url = site->http_base;
	pol->unknown = cfg->unknown;
	pol->menu_timeout = cfg->menu_timeout;
	pol->install_attempts =
	    cfg->install_attempts ? cfg->install_attempts : 3;
	pol->local_bios = cfg->local_bios;
	pol->local_efi = cfg->local_efi;
	pol->distros = names->ptrs;
	pol->n_distros = names->n;
	/* as http/server.c: menu installs only where leases are known,
	 * unless [boot] menu_install says otherwise */
	pol->leases_known = cfg->dhcp_mode == DHCP_MODE_DHCP;
	pol->menu_install_off =
	    cfg->menu_install == MENU_INSTALL_NO ||
	    (cfg->menu_install == MENU_INSTALL_AUTO && !pol->leases_known);
	return 0;
}

/* The live one-boot install waiting in mac's file, or NULL. */
static struct grubcfg_once_entry *
once_find(const struct grubcfg_site *site, const char *mac)
{
	struct grubcfg_once *o = site->once;
	uint64_t now = mono_ms();
	size_t i;

	if (!o || !mac)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].mac, mac) && now < o->v[i].until_ms)
			return &o->v[i];
	return NULL;
}

/* Forget mac's one-boot install (live or expired): true if it had one. */
static bool
once_take(const struct grubcfg_site *site, const char *mac)
{
	struct grubcfg_once *o = site->once;
	size_t i;

	if (!o || !mac)
		return false;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].mac, mac)) {
			o->v[i] = o->v[--o->n];
			return true;
		}
	return false;
}

struct fetch_count {
	int64_t since_ms;
	unsigned n;
};

/* db_event_list callback: count grub-fetch events since since_ms. */
static int
grub_count_fetch(const struct db_event *e, void *ctx)
{
	struct fetch_count *c = ctx;

	if (e->ts_ms >= c->since_ms && !strcmp(e->kind, "grub-fetch"))
		c->n++;
	return 0;
}

/*
 * Fetches of host h's grub files since its install token was issued
 * (its "updated" time: issuing sets it; so does any edit, which starts
 * the count again).
 */
static unsigned
grub_fetches(struct db *db, const struct db_host *h)
{
	struct fetch_count c = {.since_ms = h->updated * 1000, .n = 0};
	size_t i;

	for (i = 0; i < h->n_macs; i++)
		db_event_list(db, h->macs[i], GRUB_FETCH_EVENTS,
		              grub_count_fetch, &c);
	return c.n;
}

/*
 * The install part of a decision for host *h (flagged for install):
 * issue a token when it has none, count its fetches. Fills in (distro,
 * token in tokbuf) and may re-read *h.
 */
static void
grub_install_state(struct db *db, const struct decide_policy *pol,
                   struct db_host *h, struct decide_input *in,
                   struct db_distro *distro, bool *have_distro,
                   char tokbuf[TOKEN_LEN + 1])
{
	char detail[128];
	int r;

	in->install = INSTALL_FAILED;
	r = db_distro_get(db, h->distro, distro);
	if (r == -ENOENT) {
		in->install = INSTALL_NO_DISTRO;
		return;
	}
	if (r < 0)
		return;
	*have_distro = true;
	if (!h->token[0]) {
		if (token_generate(tokbuf) < 0)
			return;
		r = db_install_issue(db, h->id, tokbuf, pol->install_attempts);
		if (r == -EDQUOT) {
			in->install = INSTALL_EXHAUSTED;
			return;
		}
		if (r < 0 || db_host_get(db, h->id, h) < 0)
			return;
		snprintf(detail, sizeof(detail),
		         "install token issued for the grub files of %s",
		         h->distro);
		db_event_add(db, h->macs[0], "grub-token", detail);
	} else {
		str_copy(tokbuf, TOKEN_LEN + 1, h->token);
	}
	if (grub_fetches(db, h) >= pol->install_attempts) {
		/* spent: the next fetch gets the menu; the token handed out
		 * with the last one stays valid for its installer */
		in->install = INSTALL_EXHAUSTED;
		return;
	}
	in->install = INSTALL_ISSUED;
	in->distro = distro;
	in->token = tokbuf;
}

/*
 * The install part of a decision for a MAC whose file holds a one-boot
 * install (a grub menu choice not fetched yet): only while the machine
 * still gets the menu and menu installs are on. Fills in (distro, token
 * in tokbuf, once) and makes *req the choice.
 */
static void
grub_once_state(struct db *db, const struct grubcfg_site *site,
                const struct decide_policy *pol, const struct db_host *h,
                struct boot_request *req, struct decide_input *in,
                struct db_distro *distro, bool *have_distro,
                char tokbuf[TOKEN_LEN + 1])
{
	const struct grubcfg_once_entry *o = once_find(site, req->mac);
	const char *want = NULL;
	int r;

	if (!o || pol->menu_install_off)
		return;
	req->choice = BOOT_CHOICE_INSTALL;
	str_copy(req->distro, sizeof(req->distro), o->distro);
	if (!decide_install_wanted(req, h, pol, &want) || !want ||
	    strcmp(want, o->distro)) {
		req->choice = BOOT_CHOICE_NONE;
		req->distro[0] = '\0';
		return;
	}
	in->install = INSTALL_FAILED;
	r = db_distro_get(db, o->distro, distro);
	if (r == -ENOENT)
		in->install = INSTALL_NO_DISTRO;
	if (r < 0)
		return;
	*have_distro = true;
	str_copy(tokbuf, TOKEN_LEN + 1, o->token);
	in->install = INSTALL_ISSUED;
	in->once = true;
	in->distro = distro;
	in->token = tokbuf;
}

/*
 * Render the file of one MAC: h is its host (NULL: unknown, the default
 * file). Writes dest; on any failure the previous file stays.
 */
static int
grub_render_to(struct db *db, const struct grubcfg_site *site,
               const struct decide_policy *pol, struct db_host *h,
               const char *mac, const char *dest, struct grubcfg_report *rep)
{
	struct boot_request req;
	struct decide_input in;
	struct decision d;
	struct db_distro distro;
	bool have_distro = false;
	char token[TOKEN_LEN + 1];
	char *text = NULL;
	size_t len;
	int r;

	memset(&req, 0, sizeof(req));
	memset(&distro, 0, sizeof(distro));
	if (mac)
		str_copy(req.mac, sizeof(req.mac), mac);
	req.platform = BOOT_PLATFORM_EFI;
	req.arch = 7;
	memset(&in, 0, sizeof(in));
	in.req = &req;
	in.policy = pol;
	if (h && h->action == DB_ACTION_INSTALL)
		grub_install_state(db, pol, h, &in, &distro, &have_distro,
		                   token);
	else if (mac)
		grub_once_state(db, site, pol, h, &req, &in, &distro,
		                &have_distro, token);
	in.host = h;
	r = decide(&in, &d);
	if (r == 0)
		r = grub_render(&d, site->server, &text, &len);
	if (have_distro)
		db_distro_free(&distro);
	if (r == 0)
		r = grub_put(dest, text, len, rep);
	free(text);
	if (r < 0)
		rep_fail(rep, r, dest);
	return r;
}

/* mkdir that accepts an existing directory. */
static int
grub_mkdir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* <tftp>/grub and <tftp>/grub/mac. */
static int
grub_dirs(const struct grubcfg_site *site, struct grubcfg_report *rep)
{
	char path[PATH_MAX];
	int r;

	if (str_printf(path, sizeof(path), "%s/grub", site->tftp_dir) < 0)
		return -ENAMETOOLONG;
	r = grub_mkdir(path);
	if (r == 0 &&
	    str_printf(path, sizeof(path), "%s/grub/mac", site->tftp_dir) < 0)
		r = -ENAMETOOLONG;
	if (r == 0)
		r = grub_mkdir(path);
	if (r < 0)
		rep_fail(rep, r, path);
	return r;
}

/* <tftp>/files -> files_dir, so that grub reads kernels over TFTP. */
static int
grub_files_link(const struct grubcfg_site *site)
{
	char link[PATH_MAX], cur[PATH_MAX];
	ssize_t n;

	if (str_printf(link, sizeof(link), "%s/%s", site->tftp_dir,
	               GRUB_FILES_DIR) < 0)
		return -ENAMETOOLONG;
	n = readlink(link, cur, sizeof(cur) - 1);
	if (n >= 0) {
		cur[n] = '\0';
		if (!strcmp(cur, site->cfg->files_dir))
			return 0;
		if (unlink(link) < 0)
			return -errno;
	} else if (errno != ENOENT) {
		/* a real file or directory: the site's own, leave it */
		return errno == EINVAL ? 0 : -errno;
	}
	if (symlink(site->cfg->files_dir, link) < 0)
		return -errno;
	return 0;
}

/* The files common to every machine: the dispatcher and default.cfg. */
static int
grub_common(struct db *db, const struct grubcfg_site *site,
            const struct decide_policy *pol, struct grubcfg_report *rep)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	int r;

	r = grub_dirs(site, rep);
	if (r < 0)
		return r;
	r = grub_files_link(site);
	if (r < 0)
		rep_fail(rep, r, "the files link of the TFTP root");
	if (str_printf(path, sizeof(path), "%s/grub/grub.cfg", site->tftp_dir) <
	    0)
		return -ENAMETOOLONG;
	r = grub_render_dispatch(site->server, &text, &len);
	if (r == 0)
		r = grub_put(path, text, len, rep);
	free(text);
	if (r < 0) {
		rep_fail(rep, r, path);
		return r;
	}
	if (str_printf(path, sizeof(path), "%s/grub/default.cfg",
	               site->tftp_dir) < 0)
		return -ENAMETOOLONG;
	return grub_render_to(db, site, pol, NULL, NULL, path, rep);
}

/* Render every MAC file of host h. */
static void
grub_host(struct db *db, const struct grubcfg_site *site,
          const struct decide_policy *pol, struct db_host *h,
          struct grubcfg_report *rep)
{
	char path[PATH_MAX], mac[MAC_STR_LEN];
	size_t i;

	for (i = 0; i < h->n_macs; i++) {
		/* rendering may re-read h (a token issued) */
		str_copy(mac, sizeof(mac), h->macs[i]);
		if (grubcfg_mac_path(site->tftp_dir, mac, path, sizeof(path)) <
		    0) {
			rep_fail(rep, -ENAMETOOLONG, mac);
			continue;
		}
		grub_render_to(db, site, pol, h, mac, path, rep);
	}
}

struct ids {
	int64_t *v;
	size_t n, cap;
};

/* db_host_list callback: collect host ids. */
static int
grub_collect_id(const struct db_host *h, void *ctx)
{
	struct ids *ids = ctx;

	if (ids->n == ids->cap) {
		size_t ncap = ids->cap ? ids->cap * 2 : 64;
		int64_t *nv = realloc(ids->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		ids->v = nv;
		ids->cap = ncap;
	}
	ids->v[ids->n++] = h->id;
	return 0;
}

/* Remove grub/mac/<mac>.cfg files whose MAC no host has. */
static void
grub_remove_stale(struct db *db, const struct grubcfg_site *site,
                  struct grubcfg_report *rep)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], mac[MAC_STR_LEN];
	struct db_host h;
	struct dirent *e;
	DIR *d;

	if (str_printf(dir, sizeof(dir), "%s/grub/mac", site->tftp_dir) < 0)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		/* a leftover of an interrupted write + rename */
		if (n > 4 && !strcmp(e->d_name + n - 4, ".tmp")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
			continue;
		}
		if (n != MAC_STR_LEN - 1 + 4 ||
		    strcmp(e->d_name + MAC_STR_LEN - 1, ".cfg"))
			continue;
		memcpy(mac, e->d_name, MAC_STR_LEN - 1);
		mac[MAC_STR_LEN - 1] = '\0';
		if (once_find(site, mac) ||
		    db_host_find_by_mac(db, mac, &h) != -ENOENT)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			rep->removed++;
	}
	closedir(d);
}

int
grubcfg_render_all(struct db *db, const struct grubcfg_site *site,
                   struct grubcfg_report *rep)
{
	struct decide_policy pol;
	struct db_distro_names names;
	struct ids ids = {0};
	struct db_host h;
	size_t i;
	int r;

	memset(rep, 0, sizeof(*rep));
	r = grub_policy(db, site, &names, &pol);
	if (r < 0)
		return r;
	r = grub_common(db, site, &pol, rep);
	if (r < 0)
		return r;
	r = db_host_list(db, grub_collect_id, &ids);
	if (r < 0) {
		free(ids.v);
		return r;
	}
	for (i = 0; i < ids.n; i++)
		if (db_host_get(db, ids.v[i], &h) == 0)
			grub_host(db, site, &pol, &h, rep);
	free(ids.v);
	/* one-boot installs of MACs no host has */
	for (i = 0; site->once && i < site->once->n; i++) {
		char path[PATH_MAX], mac[MAC_STR_LEN];

		str_copy(mac, sizeof(mac), site->once->v[i].mac);
		if (!once_find(site, mac) ||
		    db_host_find_by_mac(db, mac, &h) != -ENOENT ||
		    grubcfg_mac_path(site->tftp_dir, mac, path, sizeof(path)) < 0)
			continue;
		grub_render_to(db, site, &pol, NULL, mac, path, rep);
	}
	grub_remove_stale(db, site, rep);
	return 0;
}

int
grubcfg_render_mac(struct db *db, const struct grubcfg_site *site,
                   const char *mac, struct grubcfg_report *rep)
{
	struct decide_policy pol;
	struct db_distro_names names;
	struct db_host h;
	char path[PATH_MAX];
	bool known;
	int r;

	r = grubcfg_mac_path(site->tftp_dir, mac, path, sizeof(path));
	if (r < 0)
		return r;
	r = db_host_find_by_mac(db, mac, &h);
	if (r == -ENOENT && !once_find(site, mac)) {
		if (unlink(path) == 0)
			rep->removed++;
		return 0;
	}
	if (r < 0 && r != -ENOENT)
		return r;
	known = r == 0;
	r = grub_policy(db, site, &names, &pol);
	if (r == 0)
		r = grub_dirs(site, rep);
	if (r < 0)
		return r;
	if (known)
		grub_host(db, site, &pol, &h, rep);
	else /* an unknown MAC's one-boot install */
		grub_render_to(db, site, &pol, NULL, mac, path, rep);
	return rep->failed ? -EIO : 0;
}

/* db_host_modify callback: an install whose budget is spent -> menu. */
static int
grub_exhaust(struct db_host *h, void *ctx)
{
	(void)ctx;
	if (h->action != DB_ACTION_INSTALL)
		return -ESTALE;
	h->action = DB_ACTION_MENU;
	return 0;
}

/*
 * A fetch of mac's file (own: by mac itself, as its address says): a
 * one-boot install in it is used up by the machine's own fetch only (the
 * file goes back to what the machine normally gets); a flagged install's
 * fetch is counted, a spent one ended; re-render.
 */
static int
grub_fetched(struct db *db, const struct grubcfg_site *site, const char *mac,
             bool own, struct grubcfg_report *rep)
{
	unsigned max =
	    site->cfg->install_attempts ? site->cfg->install_attempts : 3;
	struct db_host h;
	char detail[160];
	bool once;
	unsigned n;
	int r;

	once = own && once_take(site, mac);
	if (once) {
		snprintf(detail, sizeof(detail),
		         "grub/mac/%s.cfg (one-boot install)", mac);
		db_event_add(db, mac, "grub-once-fetched", detail);
	}
	r = db_host_find_by_mac(db, mac, &h);
	if (r == -ENOENT && once)
		return grubcfg_render_mac(db, site, mac, rep);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (h.action != DB_ACTION_INSTALL)
		return once ? grubcfg_render_mac(db, site, mac, rep) : 0;
	snprintf(detail, sizeof(detail), "grub/mac/%s.cfg (install of %s)", mac,
	         h.distro);
	r = db_event_add(db, mac, "grub-fetch", detail);
	if (r < 0)
		return r;
	n = grub_fetches(db, &h);
	if (n > max) {
		r = db_host_modify(db, h.id, grub_exhaust, NULL);
		if (r == 0) {
			snprintf(detail, sizeof(detail),
			         "%u fetches of grub/mac/%s.cfg without done: "
			         "host set to menu",
			         max, mac);
			db_event_add(db, mac, "install-exhausted", detail);
		}
	}
	return grubcfg_render_mac(db, site, mac, rep);
}

/* Remember that mac's file holds a one-boot install; a full table
 * drops its oldest entry (whose file is rendered back). */
static void
once_put(struct db *db, const struct grubcfg_site *site, const char *mac,
         const char *distro, const char *token, struct grubcfg_report *rep)
{
	struct grubcfg_once *o = site->once;
	struct grubcfg_once_entry *e;
	char old[MAC_STR_LEN] = "";
	size_t i, oldest = 0;

	once_take(site, mac);
	if (o->n == GRUBCFG_ONCE_MAX) {
		for (i = 1; i < o->n; i++)
			if (o->v[i].until_ms < o->v[oldest].until_ms)
				oldest = i;
		str_copy(old, sizeof(old), o->v[oldest].mac);
		o->v[oldest] = o->v[--o->n];
	}
	e = &o->v[o->n++];
	str_copy(e->mac, sizeof(e->mac), mac);
	str_copy(e->distro, sizeof(e->distro), distro);
	str_copy(e->token, sizeof(e->token), token);
	e->until_ms = mono_ms() + GRUBCFG_ONCE_WAIT_MS;
	if (old[0])
		grubcfg_render_mac(db, site, old, rep);
}

/*
 * A menu choice over TFTP: install distro on mac's next fetch of its
 * file only (a one-boot token). The host is not flagged, an unknown MAC
 * gets no host; refused (-EPERM, nothing changed) where the machine
 * does not get the menu or menu installs are off.
 */
static int
grub_choice(struct db *db, const struct grubcfg_site *site, const char *mac,
            const char *distro, struct grubcfg_report *rep)
{
	struct decide_policy pol;
	struct decide_plan plan;
	struct boot_request req;
	struct db_distro_names names;
	struct db_host h;
	struct db_distro dd;
	char want[NAME_MAX_LEN + 1], token[TOKEN_LEN + 1];
	bool known;
	int r;

	if (!site->once)
		return -EPERM;
	r = db_host_find_by_mac(db, mac, &h);
	if (r < 0 && r != -ENOENT)
		return r;
	known = r == 0;
	r = grub_policy(db, site, &names, &pol);
	if (r < 0)
		return r;
	memset(&req, 0, sizeof(req));
	str_copy(req.mac, sizeof(req.mac), mac);
	req.platform = BOOT_PLATFORM_EFI;
	req.arch = 7;
	req.choice = BOOT_CHOICE_INSTALL;
	str_copy(req.distro, sizeof(req.distro), distro);
	/* the rule of the iPXE menu (decide_plan); the caller checked that
	 * the request came from the address that MAC holds */
	decide_plan(&req, known ? &h : NULL, &pol, DECIDE_ADDR_LEASED, &plan);
	if (plan.refused || plan.change != DECIDE_CHANGE_ONCE || !plan.distro)
		return -EPERM;
	str_copy(want, sizeof(want), plan.distro);
	r = db_distro_get(db, want, &dd);
	if (r < 0)
		return r;
	db_distro_free(&dd);
	r = token_generate(token);
	if (r == 0)
		r = db_install_once(db, known ? h.id : 0, mac, want, token);
	if (r < 0)
		return r;
	once_put(db, site, mac, want, token, rep);
	db_event_add(db, mac, "grub-choice", distro);
	return grubcfg_render_mac(db, site, mac, rep);
}

int
grubcfg_once_expire(struct db *db, const struct grubcfg_site *site,
                    struct grubcfg_report *rep)
{
	struct grubcfg_once *o = site->once;
	char mac[MAC_STR_LEN];
	uint64_t now = mono_ms();
	size_t i = 0;
	int r, ret = 0;

	memset(rep, 0, sizeof(*rep));
	while (o && i < o->n) {
		if (now < o->v[i].until_ms) {
			i++;
			continue;
		}
		str_copy(mac, sizeof(mac), o->v[i].mac);
		o->v[i] = o->v[--o->n];
		db_event_add(db, mac, "grub-once-expired",
		             "one-boot install not fetched: menu again");
		r = grubcfg_render_mac(db, site, mac, rep);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

int
grubcfg_tftp_event(struct db *db, const struct grubcfg_site *site, bool sent,
                   const char *file, const char *mac,
                   struct grubcfg_report *rep)
{
	char fmac[MAC_STR_LEN], distro[NAME_MAX_LEN + 1];
	size_t n;
	int r;

	memset(rep, 0, sizeof(*rep));
	if (!file)
		return 0;
	if (sent && !strncmp(file, "grub/mac/", 9)) {
		n = strlen(file + 9);
		if (n != MAC_STR_LEN - 1 + 4 ||
		    strcmp(file + 9 + MAC_STR_LEN - 1, ".cfg"))
			return 0;
		memcpy(fmac, file + 9, MAC_STR_LEN - 1);
		fmac[MAC_STR_LEN - 1] = '\0';
		if (mac_parse(fmac, fmac) < 0)
			return 0;
		return grub_fetched(db, site, fmac, mac && !strcmp(mac, fmac),
		                    rep);
	}
	if (sent)
		return 0;
	r = grub_choice_parse(file, fmac, distro);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* a choice counts only from the machine it names */
	if (!mac || strcmp(mac, fmac))
		return -EPERM;
	return grub_choice(db, site, fmac, distro, rep);
}

/* Did path's identity, size or mtime change since *old? Updates it. */
static bool
grub_stat_changed(const char *path, struct stat *old, bool *have)
{
	struct stat st;
	bool now = stat(path, &st) == 0, changed;

	if (!now) {
		changed = *have;
		*have = false;
		return changed;
	}
	changed = !*have || st.st_ino != old->st_ino ||
	          st.st_size != old->st_size ||
	          st.st_mtim.tv_sec != old->st_mtim.tv_sec ||
	          st.st_mtim.tv_nsec != old->st_mtim.tv_nsec;
	*old = st;
	*have = true;
	return changed;
}

bool
grubcfg_db_changed(struct grubcfg_watch *w, const char *db_path)
{
	char wal[PATH_MAX];
	bool a, b;

	if (str_printf(wal, sizeof(wal), "%s-wal", db_path) < 0)
		return true;
	a = grub_stat_changed(db_path, &w->db, &w->have_db);
	b = grub_stat_changed(wal, &w->wal, &w->have_wal);
	if (!w->primed) {
		w->primed = true;
		return true;
	}
	return a || b;
}
