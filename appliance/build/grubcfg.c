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
#include "appliance/core/boot.h"
#include "appliance/core/render_grub.h"


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
	return write_file_counted(path, text, len, &rep->written,
				  &rep->unchanged);
}

/* The site policy for the boot core; names is filled from the
 * database. */
static int
grub_policy(struct db *db, const struct grubcfg_site *site,
            struct db_distro_names *names, struct decide_policy *pol)
{
	int r;

	r = db_distro_names(db, names);
	if (r < 0)
		return r;
	boot_policy(site->cfg, site->http_base, names, pol);
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

/*
 * The boot core's answer for the file of one MAC (see boot.h, RENDER):
 * a flagged host's token (issued when it has none, then noted in an
 * event), a one-boot install the file holds. 0 and *ret final (its
 * decision points into *applied), or -EINVAL; may re-read *h.
 */
static int
grub_answer(struct db *db, const struct grubcfg_site *site,
            struct boot_input *in, struct db_host *h,
            struct boot_applied *applied, struct boot_answer *ret)
{
	const struct grubcfg_once_entry *o = once_find(site, in->req->mac);
	char detail[128];
	int r;

	if (o && in->req->mac[0]) {
		in->held_distro = o->distro;
		in->held_token = o->token;
	}
	r = boot_decide(in, ret);
	if (r < 0 || !ret->need_apply)
		return r;
	/* -EBUSY: *applied says FAILED, the file says so */
	boot_apply(db, ret, h, applied);
	if (applied->change == BOOT_CHANGE_ISSUE &&
	    applied->install == INSTALL_ISSUED) {
		snprintf(detail, sizeof(detail),
		         "install token issued for the grub files of %s",
		         h->distro);
		db_event_add(db, h->macs[0], "grub-token", detail);
	}
	in->applied = applied;
	return boot_decide(in, ret);
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
	struct boot_input in;
	struct boot_applied applied;
	struct boot_answer ans;
	char *text = NULL;
	size_t len;
	int r;

	memset(&req, 0, sizeof(req));
	if (mac)
		str_copy(req.mac, sizeof(req.mac), mac);
	req.platform = BOOT_PLATFORM_EFI;
	req.arch = 7;
	memset(&in, 0, sizeof(in));
	memset(&applied, 0, sizeof(applied));
	in.event = BOOT_RENDER;
	in.req = &req;
	in.host = h;
	in.policy = pol;
	r = grub_answer(db, site, &in, h, &applied, &ans);
	if (r == 0)
		r = grub_render(&ans.decision, site->server, &text, &len);
	boot_applied_free(&applied);
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

	return array_push(&ids->v, &ids->n, &ids->cap, 0, &h->id,
	                  sizeof(h->id));
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

/*
 * A fetch of mac's file (own: by mac itself, as its address says): a
 * one-boot install in it is used up by the machine's own fetch only (the
 * file goes back to what the machine normally gets); a flagged install's
 * fetch spends an attempt, a spent one is given up (the boot core,
 * FETCHED); re-render.
 */
static int
grub_fetched(struct db *db, const struct grubcfg_site *site, const char *mac,
             bool own, struct grubcfg_report *rep)
{
	struct decide_policy pol;
	struct boot_request req;
	struct boot_input in;
	struct boot_answer ans;
	struct boot_applied applied;
	struct db_host h;
	char detail[160], file[MAC_STR_LEN + 16];
	bool once;
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
	boot_policy(site->cfg, site->http_base, NULL, &pol);
	memset(&req, 0, sizeof(req));
	str_copy(req.mac, sizeof(req.mac), mac);
	snprintf(file, sizeof(file), "grub/mac/%s.cfg", mac);
	memset(&in, 0, sizeof(in));
	in.event = BOOT_FETCHED;
	in.req = &req;
	in.host = &h;
	in.policy = &pol;
	in.file = file;
	/* SPEND, then GIVE_UP when that was one fetch too many */
	for (r = boot_decide(&in, &ans); r == 0 && ans.need_apply;
	     r = boot_decide(&in, &ans)) {
		r = boot_apply(db, &ans, &h, &applied);
		if (r < 0)
			return r;
		in.applied = &applied;
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
	struct boot_request req;
	struct boot_input in;
	struct boot_answer ans;
	struct boot_applied applied;
	struct db_distro_names names;
	struct db_host h;
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
	/* the rule of the iPXE menu (the boot core, ASK); the caller
	 * checked that the request came from the address that MAC holds */
	memset(&in, 0, sizeof(in));
	in.event = BOOT_ASK;
	in.req = &req;
	in.host = known ? &h : NULL;
	in.policy = &pol;
	in.addr = DECIDE_ADDR_LEASED;
	r = boot_decide(&in, &ans);
	if (r < 0)
		return r;
	if (ans.change != BOOT_CHANGE_ONCE || !ans.distro)
		return -EPERM;
	str_copy(want, sizeof(want), ans.distro);
	r = boot_apply(db, &ans, known ? &h : NULL, &applied);
	if (r == 0 && applied.install != INSTALL_ISSUED)
		r = applied.rc < 0 ? applied.rc : -EIO;
	if (r == 0)
		str_copy(token, sizeof(token), applied.token);
	boot_applied_free(&applied);
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
