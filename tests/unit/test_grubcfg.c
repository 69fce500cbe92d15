/*
 * test_grubcfg.c - the grub files of the TFTP tree against a real SQLite
 * database in a temporary directory: rendered per host, re-rendered on
 * change, removed with the host; a render failure keeps the old file;
 * install once over grub (token in the file, budget counted in TFTP
 * fetches, done -> local); menu choices asked over TFTP install that
 * boot only (a one-boot token, the host neither flagged nor created, the
 * file back to the menu once grub fetched it); the database change
 * watch.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "appliance/build/grubcfg.h"
#include "common/util.h"
#include "tmpdir.h"
#include "unit_main.h"

#define MAC1 "52:54:00:00:00:01"
#define MAC2 "52:54:00:00:00:02"

struct fix {
	struct tmp_db t; /* dir, path and db */
	char tftp[128], files[128];
	struct by_config cfg;
	struct grubcfg_site site;
	struct grubcfg_once once;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	tmp_db_open(&f->t);
	snprintf(f->tftp, sizeof(f->tftp), "%s/tftp", f->t.dir);
	snprintf(f->files, sizeof(f->files), "%s/files", f->t.dir);
	assert_int_equal(mkdir(f->tftp, 0755), 0);
	assert_int_equal(mkdir(f->files, 0755), 0);
	cfg_defaults(&f->cfg);
	str_copy(f->cfg.files_dir, sizeof(f->cfg.files_dir), f->files);
	f->cfg.install_attempts = 3;
	f->site.cfg = &f->cfg;
	f->site.tftp_dir = f->tftp;
	f->site.server = "198.18.0.1";
	f->site.http_base = "http://198.18.0.1";
	f->site.once = &f->once;
	f->cfg.dhcp_mode = DHCP_MODE_DHCP; /* menu installs: auto = on */
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	tmp_db_close(&f->t);
	free(f);
	return 0;
}

/* The content of the file of mac, or NULL (caller frees). */
static char *
mac_file(struct fix *f, const char *mac)
{
	char path[256], *text = NULL;
	size_t len;

	assert_int_equal(grubcfg_mac_path(f->tftp, mac, path, sizeof(path)), 0);
	if (read_file(path, 1 << 20, &text, &len) < 0)
		return NULL;
	return text;
}

static void
add_distro(struct fix *f, const char *name, const char *kernel)
{
	struct db_distro d;

	memset(&d, 0, sizeof(d));
	str_copy(d.name, sizeof(d.name), name);
	d.n_kernels = 1;
	strcpy(d.kernels[0].arch, "amd64");
	str_copy(d.kernels[0].kernel, sizeof(d.kernels[0].kernel), kernel);
	strcpy(d.kernels[0].initrd, "standin/initrd.gz");
	strcpy(d.cmdline, "console=ttyS0");
	assert_int_equal(db_distro_add(f->t.db, &d), 0);
}

static int64_t
add_host(struct fix *f, const char *mac, const char *name, enum db_action a,
         const char *distro)
{
	struct db_host h;
	int64_t id;

	memset(&h, 0, sizeof(h));
	h.n_macs = 1;
	strcpy(h.macs[0], mac);
	str_copy(h.hostname, sizeof(h.hostname), name);
	h.action = a;
	str_copy(h.distro, sizeof(h.distro), distro);
	assert_int_equal(db_host_add(f->t.db, &h, &id), 0);
	return id;
}

/* The token in an install file, into tok. */
static void
file_token(const char *text, char tok[TOKEN_LEN + 1])
{
	const char *p = strstr(text, "bootyard.token=");

	assert_non_null(p);
	memcpy(tok, p + 15, TOKEN_LEN);
	tok[TOKEN_LEN] = '\0';
	assert_true(valid_token(tok));
}

/* MAC1's file installs the stand-in for reason: its token into tok. */
static void
install_token(struct fix *f, const char *reason, char tok[TOKEN_LEN + 1])
{
	char want[64], *t = mac_file(f, MAC1);

	snprintf(want, sizeof(want), "install reason=%s", reason);
	assert_non_null(t);
	assert_non_null(strstr(t, want));
	assert_non_null(strstr(t, "linux '(tftp,198.18.0.1)/files/standin/"
	                          "vmlinuz'"));
	file_token(t, tok);
	free(t);
}

static void
test_files_follow_hosts(void **state)
{
	struct fix *f = *state;
	struct grubcfg_report rep;
	char path[256], link[256], *t;
	ssize_t n;
	int64_t id;
	struct db_host h;

	add_distro(f, "standin", "standin/vmlinuz");
	id = add_host(f, MAC1, "node1", DB_ACTION_LOCAL, "standin");
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_int_equal(rep.failed, 0);
	assert_int_equal(rep.written, 3); /* grub.cfg, default.cfg, MAC1 */

	snprintf(path, sizeof(path), "%s/grub/grub.cfg", f->tftp);
	assert_int_equal(read_file(path, 1 << 20, &t, NULL), 0);
	assert_non_null(strstr(t, "grub/mac/${net_default_mac}.cfg"));
	free(t);
	snprintf(path, sizeof(path), "%s/grub/default.cfg", f->tftp);
	assert_int_equal(read_file(path, 1 << 20, &t, NULL), 0);
	assert_non_null(strstr(t, "menuentry 'Reinstall standin"));
	free(t);
	snprintf(path, sizeof(path), "%s/files", f->tftp);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, f->files);

	t = mac_file(f, MAC1);
	assert_non_null(t);
	assert_non_null(strstr(t, "bootyard " MAC1 ": local"));
	free(t);

	/* nothing changed: nothing written */
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_int_equal(rep.written, 0);
	assert_int_equal(rep.unchanged, 3);

	/* a change re-renders */
	assert_int_equal(db_host_get(f->t.db, id, &h), 0);
	h.action = DB_ACTION_MENU;
	assert_int_equal(db_host_update(f->t.db, &h), 0);
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_int_equal(rep.written, 1);
	t = mac_file(f, MAC1);
	assert_non_null(strstr(t, "menu reason=host-menu"));
	free(t);

	/* a second MAC of the host gets its own file */
	assert_int_equal(db_host_mac_add(f->t.db, id, MAC2), 0);
	assert_int_equal(grubcfg_render_mac(f->t.db, &f->site, MAC2, &rep), 0);
	t = mac_file(f, MAC2);
	assert_non_null(t);
	free(t);
	/* a MAC taken away: its file goes */
	assert_int_equal(db_host_mac_remove(f->t.db, id, MAC2), 0);
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_int_equal(rep.removed, 1);
	assert_null(mac_file(f, MAC2));

	/* removing the host removes its file */
	assert_int_equal(db_host_delete(f->t.db, id), 0);
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_int_equal(rep.removed, 1);
	assert_null(mac_file(f, MAC1));
}

static void
test_render_failure_keeps_file(void **state)
{
	struct fix *f = *state;
	struct grubcfg_report rep;
	char *before, *after;
	int64_t id;

	add_distro(f, "standin", "standin/vmlinuz");
	add_distro(f, "urlkern", "http://198.18.0.1/files/vmlinuz");
	id = add_host(f, MAC1, "node1", DB_ACTION_LOCAL, "standin");
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	before = mac_file(f, MAC1);
	assert_non_null(before);

	/* grub cannot fetch an http URL: the render fails */
	assert_int_equal(db_host_reinstall(f->t.db, id, "urlkern"), 0);
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_int_equal(rep.failed, 1);
	assert_non_null(strstr(rep.error, MAC1));
	after = mac_file(f, MAC1);
	assert_string_equal(before, after);
	free(after);

	/* so does a write that cannot happen: the old file stays too */
	assert_int_equal(db_host_reinstall(f->t.db, id, "standin"), 0);
	{
		char dir[256];

		snprintf(dir, sizeof(dir), "%s/grub/mac", f->tftp);
		assert_int_equal(chmod(dir, 0555), 0);
		if (access(dir, W_OK) != 0) { /* not as root */
			assert_int_equal(
			    grubcfg_render_all(f->t.db, &f->site, &rep), 0);
			assert_int_equal(rep.failed, 1);
			after = mac_file(f, MAC1);
			assert_string_equal(before, after);
			free(after);
		}
		assert_int_equal(chmod(dir, 0755), 0);
	}
	free(before);
}

/* tftp-sent of mac's file, as dnsmasq's log reports it. */
static void
fetched(struct fix *f, const char *mac)
{
	struct grubcfg_report rep;
	char file[64];

	snprintf(file, sizeof(file), "grub/mac/%s.cfg", mac);
	assert_int_equal(
	    grubcfg_tftp_event(f->t.db, &f->site, true, file, mac, &rep), 0);
}

static void
test_install_once(void **state)
{
	struct fix *f = *state;
	struct grubcfg_report rep;
	char tok[TOKEN_LEN + 1], tok2[TOKEN_LEN + 1], *t;
	struct db_host h;
	int64_t id;
	int i;

	add_distro(f, "standin", "standin/vmlinuz");
	id = add_host(f, MAC1, "node1", DB_ACTION_INSTALL, "standin");
	/* the host's "updated" second must be behind its fetches */
	sleep(1);
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	install_token(f, "flagged", tok);
	/* the token in the file is the host's current one; one issued */
	assert_int_equal(db_install_lookup(f->t.db, tok, &h), 0);
	assert_int_equal(h.attempts, 1);
	/* rendering again issues no other token */
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_int_equal(rep.written, 0);

	/* fetches 1..3 (the budget): the third leaves a menu for the next
	 * fetch, and the token handed out stays valid */
	for (i = 1; i <= 3; i++) {
		fetched(f, MAC1);
		t = mac_file(f, MAC1);
		if (i < 3) {
			assert_non_null(strstr(t, "install reason=flagged"));
			file_token(t, tok2);
			assert_string_equal(tok, tok2);
		} else {
			assert_non_null(strstr(t, "reason=install-exhausted"));
		}
		free(t);
	}
	assert_int_equal(db_install_lookup(f->t.db, tok, &h), 0);
	assert_int_equal(h.action, DB_ACTION_INSTALL);
	/* a fourth fetch (of the menu): the host is set to menu */
	fetched(f, MAC1);
	assert_int_equal(db_host_get(f->t.db, id, &h), 0);
	assert_int_equal(h.action, DB_ACTION_MENU);
	assert_int_equal(db_install_lookup(f->t.db, tok, &h), -ESTALE);

	/* a reinstall: a fresh budget, a new token; done -> local */
	assert_int_equal(db_host_reinstall(f->t.db, id, ""), 0);
	sleep(1);
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	t = mac_file(f, MAC1);
	file_token(t, tok2);
	free(t);
	assert_string_not_equal(tok, tok2);
	fetched(f, MAC1);
	assert_int_equal(db_install_done(f->t.db, tok2, NULL), 0);
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	t = mac_file(f, MAC1);
	assert_non_null(strstr(t, "bootyard " MAC1 ": local"));
	free(t);
	/* fetches of a host that is not installing change nothing */
	fetched(f, MAC1);
	assert_int_equal(db_host_get(f->t.db, id, &h), 0);
	assert_int_equal(h.action, DB_ACTION_LOCAL);
}

/* A grub menu choice of distro by mac, from mac's own address. */
static int
choose(struct fix *f, const char *mac, const char *distro)
{
	struct grubcfg_report rep;
	char file[128];

	snprintf(file, sizeof(file), "grub/choice/%s/install/%s.cfg", mac,
	         distro);
	return grubcfg_tftp_event(f->t.db, &f->site, false, file, mac, &rep);
}

static int64_t
host_count(struct fix *f)
{
	int64_t n = -1;

	assert_int_equal(db_host_count(f->t.db, &n), 0);
	return n;
}

static void
test_menu_choice(void **state)
{
	struct fix *f = *state;
	struct grubcfg_report rep;
	const char *file = "grub/choice/" MAC1 "/install/standin.cfg";
	char tok[TOKEN_LEN + 1], *t;
	struct db_host h;

	add_distro(f, "standin", "standin/vmlinuz");
	/* a choice naming another machine than the one asking: nothing */
	assert_int_equal(
	    grubcfg_tftp_event(f->t.db, &f->site, false, file, MAC2, &rep),
	    -EPERM);
	assert_int_equal(db_host_find_by_mac(f->t.db, MAC1, &h), -ENOENT);
	assert_null(mac_file(f, MAC1));
	assert_int_equal(choose(f, MAC1, "nosuch"), -ENOENT);

	/* an unknown machine's choice, from that machine: that boot
	 * installs, and no host is created */
	assert_int_equal(choose(f, MAC1, "standin"), 0);
	assert_int_equal(db_host_find_by_mac(f->t.db, MAC1, &h), -ENOENT);
	assert_int_equal(host_count(f), 0);
	t = mac_file(f, MAC1);
	assert_non_null(t);
	assert_non_null(strstr(t, "install reason=menu-choice"));
	file_token(t, tok);
	free(t);
	/* a one-boot token of that MAC, no host behind it */
	assert_int_equal(db_install_lookup(f->t.db, tok, &h), 0);
	assert_int_equal(h.id, 0);
	assert_string_equal(h.macs[0], MAC1);
	assert_string_equal(h.distro, "standin");
	/* the daemon's render after the database change keeps the file */
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	t = mac_file(f, MAC1);
	assert_non_null(t);
	assert_non_null(strstr(t, "install reason=menu-choice"));
	free(t);
	/* grub fetched it: the file goes (the default menu again); the
	 * installer's token stays valid until done */
	fetched(f, MAC1);
	assert_null(mac_file(f, MAC1));
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_null(mac_file(f, MAC1));
	assert_int_equal(db_install_lookup(f->t.db, tok, &h), 0);
	assert_int_equal(db_install_done(f->t.db, tok, NULL), 0);
	assert_int_equal(host_count(f), 0);

	/* a host told to boot locally gets no menu, so no choice */
	add_host(f, MAC1, "node1", DB_ACTION_LOCAL, "standin");
	assert_int_equal(choose(f, MAC1, "standin"), -EPERM);
	assert_int_equal(db_host_find_by_mac(f->t.db, MAC1, &h), 0);
	assert_int_equal(h.action, DB_ACTION_LOCAL);
	/* malformed choices and other files */
	assert_int_equal(grubcfg_tftp_event(f->t.db, &f->site, false,
	                                    "grub/choice/x/install/a.cfg", MAC1,
	                                    &rep),
	                 -EINVAL);
	assert_int_equal(grubcfg_tftp_event(f->t.db, &f->site, false,
	                                    "pxelinux.0", MAC1, &rep),
	                 0);
	assert_int_equal(grubcfg_tftp_event(f->t.db, &f->site, true,
	                                    "grub/mac/../../x.cfg", MAC1, &rep),
	                 0);
}

/* Defect 3 over grub: a choice installs that boot only, never flags. */
static void
test_menu_choice_one_boot(void **state)
{
	struct fix *f = *state;
	struct grubcfg_report rep;
	char tok[TOKEN_LEN + 1], *t;
	struct db_host h;
	int64_t id;

	add_distro(f, "standin", "standin/vmlinuz");
	id = add_host(f, MAC1, "node1", DB_ACTION_MENU, "");
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	t = mac_file(f, MAC1);
	assert_non_null(strstr(t, "menu reason=host-menu"));
	assert_non_null(strstr(t, "menuentry 'Reinstall standin"));
	free(t);

	assert_int_equal(choose(f, MAC1, "standin"), 0);
	/* the host is as it was: not flagged, no attempt, no token */
	assert_int_equal(db_host_get(f->t.db, id, &h), 0);
	assert_int_equal(h.action, DB_ACTION_MENU);
	assert_int_equal(h.attempts, 0);
	assert_string_equal(h.token, "");
	/* its file installs, with a one-boot token */
	install_token(f, "menu-choice", tok);
	assert_int_equal(db_install_lookup(f->t.db, tok, &h), 0);
	assert_int_equal(h.id, id);
	assert_string_equal(h.distro, "standin");
	/* the render after the database change keeps it */
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	assert_int_equal(rep.written, 0);
	/* a fetch by another machine does not use it up */
	assert_int_equal(grubcfg_tftp_event(f->t.db, &f->site, true,
	                                    "grub/mac/" MAC1 ".cfg", MAC2, &rep),
	                 0);
	assert_int_equal(grubcfg_tftp_event(f->t.db, &f->site, true,
	                                    "grub/mac/" MAC1 ".cfg", "", &rep),
	                 0);
	t = mac_file(f, MAC1);
	assert_non_null(strstr(t, "install reason=menu-choice"));
	free(t);

	/* grub fetched it: the next boot gets the menu again */
	fetched(f, MAC1);
	t = mac_file(f, MAC1);
	assert_non_null(strstr(t, "menu reason=host-menu"));
	assert_null(strstr(t, "bootyard.token="));
	free(t);
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	t = mac_file(f, MAC1);
	assert_non_null(strstr(t, "menu reason=host-menu"));
	free(t);
	assert_int_equal(db_host_get(f->t.db, id, &h), 0);
	assert_int_equal(h.action, DB_ACTION_MENU);
	/* the installer's done leaves the host as it is */
	assert_int_equal(db_install_done(f->t.db, tok, NULL), 0);
	assert_int_equal(db_host_get(f->t.db, id, &h), 0);
	assert_int_equal(h.action, DB_ACTION_MENU);
	assert_int_equal(host_count(f), 1);
}

/* A one-boot file grub never fetched goes back to the menu. */
static void
test_menu_choice_expires(void **state)
{
	struct fix *f = *state;
	struct grubcfg_report rep;
	char *t;

	add_distro(f, "standin", "standin/vmlinuz");
	add_host(f, MAC1, "node1", DB_ACTION_MENU, "");
	assert_int_equal(choose(f, MAC1, "standin"), 0);
	assert_int_equal(choose(f, MAC2, "standin"), 0);
	assert_int_equal(f->once.n, 2);
	/* not yet: nothing changes */
	assert_int_equal(grubcfg_once_expire(f->t.db, &f->site, &rep), 0);
	t = mac_file(f, MAC1);
	assert_non_null(strstr(t, "install reason=menu-choice"));
	free(t);
	f->once.v[0].until_ms = 0;
	f->once.v[1].until_ms = 0;
	/* expired: a render already gives the menu, expire forgets them */
	assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
	t = mac_file(f, MAC1);
	assert_non_null(strstr(t, "menu reason=host-menu"));
	free(t);
	assert_null(mac_file(f, MAC2));
	assert_int_equal(grubcfg_once_expire(f->t.db, &f->site, &rep), 0);
	assert_int_equal(f->once.n, 0);
}

/* [boot] menu_install off (or auto outside dhcp mode): a choice changes
 * nothing, and menus offer no reinstall. */
static void
test_menu_choice_off(void **state)
{
	struct fix *f = *state;
	struct grubcfg_report rep;
	struct db_host h;
	char *before, *t;
	int64_t id;
	int round;

	add_distro(f, "standin", "standin/vmlinuz");
	id = add_host(f, MAC1, "node1", DB_ACTION_MENU, "");
	for (round = 0; round < 2; round++) {
		if (round == 0) {
			f->cfg.menu_install = MENU_INSTALL_NO;
		} else {
			f->cfg.menu_install = MENU_INSTALL_AUTO;
			f->cfg.dhcp_mode = DHCP_MODE_PROXY;
		}
		assert_int_equal(grubcfg_render_all(f->t.db, &f->site, &rep), 0);
		before = mac_file(f, MAC1);
		assert_non_null(strstr(before, "menu reason=host-menu"));
		assert_null(strstr(before, "Reinstall"));
		assert_int_equal(choose(f, MAC1, "standin"), -EPERM);
		assert_int_equal(choose(f, MAC2, "standin"), -EPERM);
		assert_int_equal(db_host_get(f->t.db, id, &h), 0);
		assert_int_equal(h.action, DB_ACTION_MENU);
		assert_string_equal(h.token, "");
		assert_int_equal(host_count(f), 1);
		assert_int_equal(f->once.n, 0);
		t = mac_file(f, MAC1);
		assert_string_equal(before, t);
		free(t);
		free(before);
		assert_null(mac_file(f, MAC2));
	}
}

static void
test_db_watch(void **state)
{
	struct fix *f = *state;
	struct grubcfg_watch w;

	memset(&w, 0, sizeof(w));
	assert_true(grubcfg_db_changed(&w, f->t.path));
	assert_false(grubcfg_db_changed(&w, f->t.path));
	add_distro(f, "standin", "standin/vmlinuz");
	assert_true(grubcfg_db_changed(&w, f->t.path));
	assert_false(grubcfg_db_changed(&w, f->t.path));
}

int
main(void)
{
	return unit_run_each(
	    UNIT_LIST(test_files_follow_hosts, test_render_failure_keeps_file,
	              test_install_once, test_menu_choice,
	              test_menu_choice_one_boot, test_menu_choice_expires,
	              test_menu_choice_off, test_db_watch),
	    setup, teardown);
}
