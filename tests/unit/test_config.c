/*
 * test_config.c - appliance/core/config.c: defaults, a file that sets every
 * key, and each kind of error with its "FILE:LINE: [section] key: reason"
 * message (unknown section, unknown key, a bad value of every type, bad
 * durations, syntax, duplicates, over-long lines, NUL bytes, a missing
 * file).
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

#include "appliance/core/config.h"
#include "unit_main.h"

static char tmpdir[64];
static char path[128];

static int
setup(void **state)
{
	strcpy(tmpdir, "/tmp/bootyard-cfgtest.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/bootyard.conf", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* write_conf - put len bytes of text into path. */
static void
write_conf_len(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
write_conf(const char *text)
{
	write_conf_len(text, strlen(text));
}

/* What load_refused saw: the error, and the error it should be. */
struct refusal {
	char err[512];
	char full[768];
};

/*
 * load_refused - load text, expect -EINVAL; its error in r->err, and in
 * r->full the error it should be, "PATH:LINE: want".
 */
static void
load_refused(const char *text, int line, const char *want, struct refusal *r)
{
	struct by_config cfg;

	write_conf(text);
	assert_int_equal(cfg_load(&cfg, path, false, r->err, sizeof(r->err)),
			 -EINVAL);
	snprintf(r->full, sizeof(r->full), "%s:%d: %s", path, line, want);
}

/* load_err - load text, expect -EINVAL and an error that is exactly
 * "PATH:LINE: want". */
static void
load_err(const char *text, int line, const char *want)
{
	struct refusal r;

	load_refused(text, line, want, &r);
	assert_string_equal(r.err, r.full);
}

/* load_err_prefix - like load_err, but only the start of the reason. */
static void
load_err_prefix(const char *text, int line, const char *want)
{
	struct refusal r;

	load_refused(text, line, want, &r);
	if (strncmp(r.err, r.full, strlen(r.full)))
		fail_msg("error '%s' does not start with '%s'", r.err, r.full);
}

/*
 * The fields that defaults and every_key both check: each with its
 * default and the value that every_key's file sets. S(field, default,
 * set) is a string, N(field, default, set) a number, an enum or a bool.
 */
#define CFG_FIELDS(S, N)                                                       \
	S(path, "", path)                                                      \
	S(state_dir, "/var/lib/bootyard", "/srv/by/state")                     \
	S(run_dir, "", "/run/by")                                              \
	S(interface, "auto", "br-lab0")                                        \
	S(server_address, "auto", "198.18.0.1")                                \
	S(user, "bootyard", "_bootyard")                                       \
	N(dhcp_mode, DHCP_MODE_DHCP, DHCP_MODE_PROXY)                          \
	S(range6, "auto", "fd00:b007::100,fd00:b007::1ff,80")                  \
	N(lease_time, 3600, 5400)                                              \
	N(bios_loader, BIOS_LOADER_PXELINUX, BIOS_LOADER_UNDIONLY)             \
	N(uefi_loader, UEFI_LOADER_SNPONLY, UEFI_LOADER_SHIM)                  \
	N(ipxe_detect, true, false)                                            \
	N(http_boot_tls, false, true)                                          \
	S(tftp_root, "", "/srv/by/tftp")                                       \
	S(dnsmasq, "/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq")             \
	S(listen, "0.0.0.0:80", "198.18.0.1:8080")                             \
	S(files_dir, "/var/lib/bootyard/files", "/srv/by/files")               \
	S(tls_listen, "off", "198.18.0.1:443")                                 \
	S(tls_cert, "", "/etc/by/server.crt")                                  \
	S(tls_key, "", "/etc/by/server.key")                                   \
	N(max_connections, 1024, 4096)                                         \
	N(connection_timeout, 10, 30)                                          \
	N(connections_per_address, 64, 8)                                      \
	N(header_timeout, 10, 5)                                               \
	N(threads, 0, 8)                                                       \
	S(access_log, "", "off")                                               \
	S(ipxe_source, "auto", "/srv/ipxe/ipxe-0ab2277c4.tar.xz")              \
	S(ipxe_build_config, "default", "serial-console")                      \
	S(admin_listen, "127.0.0.1:9080", "off")                               \
	S(admin_token_file, "/etc/bootyard/admin.token",                       \
	  "/etc/by/admin.token")                                               \
	N(unknown, UNKNOWN_MENU, UNKNOWN_LOCAL)                                \
	N(menu_install, MENU_INSTALL_AUTO, MENU_INSTALL_YES)                   \
	N(menu_timeout, 10, 0)                                                 \
	N(install_attempts, 3, 5)                                              \
	N(local_bios, LOCAL_BOOT_SANBOOT, LOCAL_BOOT_NOFILE)                   \
	N(local_efi, LOCAL_BOOT_GRUB, LOCAL_BOOT_GRUB)                         \
	N(tftp_single_port, false, true)                                       \
	N(tftp_max, 1000, 2000)                                                \
	N(unknown_keep, 10000, 500)                                            \
	N(unknown_rate, 10, 3)                                                 \
	N(token_lifetime, 86400, 7200)                                         \
	N(tftp_mtu, 0, 1400)                                                   \
	N(allow_other_servers, false, true)                                    \
	N(probe_interval, 300, 60)                                             \
	N(probe_wait, 4, 0)

/* Check cfg's field against its default, or against every_key's value. */
#define DEFAULT_S(field, def, set) assert_string_equal(cfg.field, def);
#define DEFAULT_N(field, def, set) assert_int_equal(cfg.field, def);
#define SET_S(field, def, set) assert_string_equal(cfg.field, set);
#define SET_N(field, def, set) assert_int_equal(cfg.field, set);

static void
defaults(void **state)
{
	struct by_config cfg;
	char db[CFG_PATH_MAX + 16];

	cfg_defaults(&cfg);
	CFG_FIELDS(DEFAULT_S, DEFAULT_N)
	assert_int_equal(cfg.ranges.n, 1);
	assert_true(cfg.ranges.r[0].is_auto);
	assert_string_equal(cfg.listen6, "auto");
	assert_int_equal(cfg.events_keep, 500000);
	assert_int_equal(cfg.leases_keep, 30 * 86400);
	{
		/* [appliance] name: the host name (or its first label) */
		char host[256] = "", *dot;

		gethostname(host, sizeof(host) - 1);
		if (strcmp(cfg.name, host)) {
			dot = strchr(host, '.');
			if (dot)
				*dot = '\0';
			if (valid_hostname(host) && strlen(host) < 64)
				assert_string_equal(cfg.name, host);
			else
				assert_string_equal(cfg.name, "");
		}
	}
	assert_int_equal(cfg_db_dir(&cfg, db, sizeof(db)), 0);
	assert_string_equal(db, "/var/lib/bootyard/db");
	/* (a state_dir that does not exist: no old-layout database there) */
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "/nonexistent-by/st");
	assert_int_equal(cfg_db_path(&cfg, db, sizeof(db)), 0);
	assert_string_equal(db, "/nonexistent-by/st/db/bootyard.db");
	assert_int_equal(cfg_db_path(&cfg, db, 10), -ENAMETOOLONG);
}

/* The old layout's <state_dir>/bootyard.db is found until serve moved it
 * into <state_dir>/db/. */
static void
db_path_old_layout(void **state)
{
	struct by_config cfg;
	char dir[] = "/tmp/by-cfgdb-XXXXXX", db[512], p[512];
	FILE *f;

	(void)state;
	cfg_defaults(&cfg);
	assert_non_null(mkdtemp(dir));
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", dir);
	assert_int_equal(cfg_db_path(&cfg, db, sizeof(db)), 0);
	snprintf(p, sizeof(p), "%s/db/bootyard.db", dir);
	assert_string_equal(db, p);
	snprintf(p, sizeof(p), "%s/bootyard.db", dir);
	assert_non_null(f = fopen(p, "w"));
	fclose(f);
	assert_int_equal(cfg_db_path(&cfg, db, sizeof(db)), 0);
	assert_string_equal(db, p);
	snprintf(p, sizeof(p), "%s/db", dir);
	assert_int_equal(mkdir(p, 0750), 0);
	snprintf(p, sizeof(p), "%s/db/bootyard.db", dir);
	assert_non_null(f = fopen(p, "w"));
	fclose(f);
	assert_int_equal(cfg_db_path(&cfg, db, sizeof(db)), 0);
	assert_string_equal(db, p);
	unlink(p);
	snprintf(p, sizeof(p), "%s/bootyard.db", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/db", dir);
	rmdir(p);
	rmdir(dir);
}

static void
every_key(void **state)
{
	struct by_config cfg;
	char err[512] = "unset";

	write_conf("; bootyard test configuration\n"
		   "# both comment styles\n"
		   "\n"
		   "[appliance]\n"
		   "state_dir = /srv/by/state   ; inline comment\n"
		   "run_dir = /run/by\n"
		   "interface = br-lab0\n"
		   "server_address = 198.18.0.1\n"
		   "name = boot-a.example.org\n"
		   "user = _bootyard\n"
		   "[dhcp]\n"
		   "mode = proxy\n"
		   "range = 198.18.0.100,198.18.0.200\n"
		   "range6 = fd00:b007::100,fd00:b007::1ff,80\n"
		   "lease_time = 1h30m\n"
		   "bios_loader = undionly\n"
		   "uefi_loader = shim\n"
		   "ipxe_detect = no\n"
		   "http_boot_tls = yes\n"
		   "tftp_root = /srv/by/tftp\n"
		   "dnsmasq = /usr/local/sbin/dnsmasq\n"
		   "tftp_single_port = yes\n"
		   "tftp_max = 2000\n"
		   "tftp_mtu = 1400\n"
		   "allow_other_servers = yes\n"
		   "probe_interval = 1m\n"
		   "probe_wait = 0\n"
		   "[http]\n"
		   "listen = 198.18.0.1:8080\n"
		   "files_dir = /srv/by/files\n"
		   "tls_listen = 198.18.0.1:443\n"
		   "tls_cert = /etc/by/server.crt\n"
		   "tls_key = /etc/by/server.key\n"
		   "max_connections = 4096\n"
		   "connection_timeout = 30s\n"
		   "connections_per_address = 8\n"
		   "header_timeout = 5s\n"
		   "threads = 8\n"
		   "access_log = off\n"
		   "[ipxe]\n"
		   "source = /srv/ipxe/ipxe-0ab2277c4.tar.xz\n"
		   "build_config = serial-console\n"
		   "[admin]\n"
		   "listen = off\n"
		   "token_file = /etc/by/admin.token\n"
		   "[boot]\n"
		   "unknown = local\n"
		   "menu_install = yes\n"
		   "menu_timeout = 0\n"
		   "install_attempts = 5\n"
		   "local_bios = nofile\n"
		   "local_efi = grub\n"
		   "unknown_keep = 500\n"
		   "unknown_rate = 3\n"
		   "token_lifetime = 2h\n");
	assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	CFG_FIELDS(SET_S, SET_N)
	assert_string_equal(cfg.name, "boot-a.example.org");
	assert_int_equal(cfg.ranges.n, 1);
	assert_false(cfg.ranges.r[0].is_auto);
	assert_string_equal(cfg.ranges.r[0].start, "198.18.0.100");
	assert_string_equal(cfg.ranges.r[0].end, "198.18.0.200");
}

static void
empty_and_partial_files(void **state)
{
	struct by_config cfg;
	char err[512];

	write_conf("");
	assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)), 0);
	assert_string_equal(cfg.state_dir, "/var/lib/bootyard");
	/* empty sections are fine; CRLF line ends too */
	write_conf("[appliance]\r\n[dhcp]\r\nmode = off\r\n[boot]\r\n");
	assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)), 0);
	assert_int_equal(cfg.dhcp_mode, DHCP_MODE_OFF);
	assert_int_equal(cfg.lease_time, 3600); /* others keep defaults */
	/* words that mean "the default" */
	write_conf("[appliance]\nrun_dir =\n[http]\ntls_cert =\n"
		   "access_log = /var/log/by.log\n");
	assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)), 0);
	assert_string_equal(cfg.run_dir, "");
	assert_string_equal(cfg.tls_cert, "");
	assert_string_equal(cfg.access_log, "/var/log/by.log");
}

static void
durations(void **state)
{
	static const struct {
		const char *text;
		unsigned secs;
	} good[] = {
		{ "3600", 3600 }, { "120s", 120 },   { "30m", 1800 },
		{ "1h", 3600 },	  { "2d", 172800 },  { "1h30m", 5400 },
		{ "1d1s", 86401 }, { "365d", 31536000 },
	};
	static const char *const bad[] = {
		"", "h", "1x", "1.5h", "-1h", "1 h", "1H", "h1", "1hh",
		"30m10", "0x10", "+5m", "1h-", "${lease}", "\"1h\"",
	};
	struct by_config cfg;
	char text[256], err[512];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[dhcp]\nlease_time = %s\n",
			 good[i].text);
		write_conf(text);
		assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)),
				 0);
		assert_int_equal(cfg.lease_time, good[i].secs);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[dhcp]\nlease_time = %s\n",
			 bad[i]);
		load_err(text, 2,
			 "[dhcp] lease_time: not a duration (like 3600, 45s, "
			 "30m, 1h, 2d or 1h30m)");
	}
	/* out of range: too short for dnsmasq, too long, overflow */
	load_err("[dhcp]\nlease_time = 1m\n", 2,
		 "[dhcp] lease_time: out of range (120 to 31536000 seconds)");
	load_err("[dhcp]\nlease_time = 366d\n", 2,
		 "[dhcp] lease_time: out of range (120 to 31536000 seconds)");
	load_err("[dhcp]\nlease_time = 99999999999999999999\n", 2,
		 "[dhcp] lease_time: out of range (120 to 31536000 seconds)");
	load_err("[dhcp]\nlease_time = 999999999d\n", 2,
		 "[dhcp] lease_time: out of range (120 to 31536000 seconds)");
	load_err("[http]\nconnection_timeout = 0\n", 2,
		 "[http] connection_timeout: out of range (1 to 3600 "
		 "seconds)");
	write_conf("[boot]\nmenu_timeout = 1m\n[http]\n"
		   "connection_timeout = 1m\n");
	assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)), 0);
	assert_int_equal(cfg.menu_timeout, 60);
	assert_int_equal(cfg.connection_timeout, 60);
}

static void
unknown_section_and_key(void **state)
{
	load_err("[appliance]\nstate_dir = /x\n\n[dchp]\nmode = dhcp\n", 4,
		 "[dchp]: unknown section (known: appliance, dhcp, http, "
		 "ipxe, admin, boot, db)");
	/* an empty unknown section is an error too */
	load_err("[boot]\n[extra]\n", 2,
		 "[extra]: unknown section (known: appliance, dhcp, http, "
		 "ipxe, admin, boot, db)");
	load_err("[dhcp]\nmode = dhcp\nlease = 1h\n", 3,
		 "[dhcp] lease: unknown key");
	/* a key of another section */
	load_err("[http]\nstate_dir = /x\n", 2,
		 "[http] state_dir: unknown key");
	/* keys are case-sensitive */
	load_err("[dhcp]\nMode = dhcp\n", 2, "[dhcp] Mode: unknown key");
	load_err("state_dir = /x\n", 1,
		 "state_dir: key outside a section (put it under "
		 "[appliance], [dhcp], ...)");
}

static void
bad_values_per_type(void **state)
{
	/* path */
	load_err("[appliance]\nstate_dir = var/lib\n", 2,
		 "[appliance] state_dir: not an absolute path");
	load_err("[appliance]\nstate_dir =\n", 2,
		 "[appliance] state_dir: not an absolute path");
	load_err("[appliance]\nrun_dir = run\n", 2,
		 "[appliance] run_dir: not an absolute path (or empty for "
		 "the default)");
	load_err("[appliance]\nstate_dir = /var/lib/boot yard\n", 2,
		 "[appliance] state_dir: character 0x20 not allowed in a "
		 "path (only A-Z a-z 0-9 . _ / + @ ~ -)");
	load_err("[dhcp]\ntftp_root = /a,b\n", 2,
		 "[dhcp] tftp_root: character 0x2c not allowed in a path "
		 "(only A-Z a-z 0-9 . _ / + @ ~ -)");
	load_err("[ipxe]\nsource = /a/${x}\n", 2,
		 "[ipxe] source: character 0x24 not allowed in a path "
		 "(only A-Z a-z 0-9 . _ / + @ ~ -)");
	load_err("[ipxe]\nsource = ipxe.tar.xz\n", 2,
		 "[ipxe] source: not an absolute path or 'auto'");
	load_err("[http]\naccess_log = log.txt\n", 2,
		 "[http] access_log: not an absolute path or 'off'");
	/* interface */
	load_err("[appliance]\ninterface = a-very-long-interface\n", 2,
		 "[appliance] interface: not an interface name (1 to 15 "
		 "characters) or 'auto'");
	load_err("[appliance]\ninterface = eth0/1\n", 2,
		 "[appliance] interface: not an interface name (only "
		 "A-Z a-z 0-9 . _ -) or 'auto'");
	/* IPv4 */
	load_err("[appliance]\nserver_address = 198.18.0.256\n", 2,
		 "[appliance] server_address: not an IPv4 address (like "
		 "198.18.0.1) or 'auto'");
	load_err("[appliance]\nserver_address = example.org\n", 2,
		 "[appliance] server_address: not an IPv4 address (like "
		 "198.18.0.1) or 'auto'");
	/* user */
	load_err("[appliance]\nuser = Boot\n", 2,
		 "[appliance] user: not a user name ([a-z_][a-z0-9_-]*, at "
		 "most 32 characters)");
	load_err("[appliance]\nuser = root;reboot\n", 2,
		 "[appliance] user: not a user name ([a-z_][a-z0-9_-]*, at "
		 "most 32 characters)");
	/* enums */
	load_err("[dhcp]\nmode = relay\n", 2,
		 "[dhcp] mode: expected one of dhcp, proxy, off");
	load_err("[dhcp]\nmode = DHCP\n", 2,
		 "[dhcp] mode: expected one of dhcp, proxy, off");
	load_err("[dhcp]\nbios_loader = grub\n", 2,
		 "[dhcp] bios_loader: expected one of pxelinux, undionly");
	load_err("[dhcp]\nuefi_loader = pxelinux\n", 2,
		 "[dhcp] uefi_loader: expected one of snponly, ipxe, grub, "
		 "shim");
	load_err("[boot]\nunknown = install\n", 2,
		 "[boot] unknown: expected one of menu, local");
	load_err("[boot]\nlocal_bios = grub\n", 2,
		 "[boot] local_bios: expected one of sanboot, exit, exit1, "
		 "nofile");
	/* issue #9 keys: hostile and out-of-range values */
	load_err("[dhcp]\ntftp_mtu = 100\n", 2,
		 "[dhcp] tftp_mtu: not 'auto' or an MTU from 576 to 65535");
	load_err("[dhcp]\ntftp_mtu = 1400;x\n", 2,
		 "[dhcp] tftp_mtu: not 'auto' or an MTU from 576 to 65535");
	load_err("[dhcp]\ntftp_mtu = -1\n", 2,
		 "[dhcp] tftp_mtu: not 'auto' or an MTU from 576 to 65535");
	load_err_prefix("[appliance]\nname = two words\n", 2,
			"[appliance] name: not a host name: ");
	load_err_prefix("[appliance]\nname = -lead\n", 2,
			"[appliance] name: not a host name: ");
	load_err_prefix("[appliance]\nname = a;b\n", 2,
			"[appliance] name: not a host name: ");
	load_err_prefix("[appliance]\nname = 1.2.3.4\n", 2,
			"[appliance] name: not a host name: ");
	load_err("[appliance]\nname = "
		 "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.0.1.2.3.4.5.6"
		 "\n", 2, "[appliance] name: too long (at most 63 characters)");
	load_err("[appliance]\nevents_keep = -1\n", 2,
		 "[appliance] events_keep: not a number");
	load_err("[appliance]\nevents_keep = 1000000001\n", 2,
		 "[appliance] events_keep: out of range (0 to 1000000000)");
	load_err("[dhcp]\ntftp_max = 0\n", 2,
		 "[dhcp] tftp_max: out of range (1 to 65535)");
	load_err("[dhcp]\ntftp_max = 99999999999999999999\n", 2,
		 "[dhcp] tftp_max: out of range (1 to 65535)");
	load_err("[dhcp]\ntftp_single_port = maybe\n", 2,
		 "[dhcp] tftp_single_port: not yes or no");
	load_err("[dhcp]\nallow_other_servers = \n", 2,
		 "[dhcp] allow_other_servers: not yes or no");
	load_err("[dhcp]\nprobe_interval = 2d\n", 2,
		 "[dhcp] probe_interval: out of range (0 to 86400 seconds)");
	load_err("[dhcp]\nprobe_wait = 1m\n", 2,
		 "[dhcp] probe_wait: out of range (0 to 30 seconds)");
	load_err("[boot]\nlocal_efi = default\n", 2,
		 "[boot] local_efi: expected one of exit1, grub, nofile");
	/* BIOS methods that cannot reach the disk on UEFI, with the reason */
	load_err("[boot]\nlocal_efi = sanboot\n", 2,
		 "[boot] local_efi: iPXE on UEFI cannot sanboot a local drive "
		 "(\"No such device\"): use grub or exit1");
	load_err("[boot]\nlocal_efi = exit\n", 2,
		 "[boot] local_efi: a plain exit makes UEFI firmware stop in "
		 "its boot menu: use exit1 or grub");
	/* range */
	load_err_prefix("[dhcp]\nrange = 198.18.0.100\n", 2,
			"[dhcp] range: not 'auto' or START,END [OPTIONS] (like "
			"198.18.0.100,198.18.0.200");
	load_err_prefix("[dhcp]\nrange = 198.18.0.100,198.18.0.300\n", 2,
			"[dhcp] range: not 'auto' or START,END [OPTIONS]");
	load_err("[dhcp]\nrange = 198.18.0.200,198.18.0.100\n", 2,
		 "[dhcp] range: START is after END");
	/* several lines: auto twice, overlap, a bad later line */
	load_err("[dhcp]\nrange = auto\nrange = auto\n", 3,
		 "[dhcp] range: 'auto' given twice");
	load_err("[dhcp]\nrange = 198.18.0.10,198.18.0.20\n"
		 "range = 198.18.0.20,198.18.0.30\n", 3,
		 "[dhcp] range: overlaps the range 198.18.0.10,198.18.0.20");
	load_err("[dhcp]\nrange = auto\nrange = 198.18.1.10,198.18.1.20 "
		 "prefix=33\n", 3,
		 "[dhcp] range: prefix= must be a prefix length from 8 to 30");
	/* range6, listen6: IPv6 in its one canonical text */
	load_err("[dhcp]\nrange6 = fd00::100\n", 2,
		 "[dhcp] range6: not 'auto', 'off' or START,END[,PREFIXLEN] "
		 "(like fd00:b007::100,fd00:b007::1ff,64)");
	load_err("[dhcp]\nrange6 = FD00::100,fd00::1ff\n", 2,
		 "[dhcp] range6: START,END must be two IPv6 addresses in "
		 "canonical form (like fd00:b007::100,fd00:b007::1ff)");
	load_err("[dhcp]\nrange6 = 198.18.0.1,198.18.0.2\n", 2,
		 "[dhcp] range6: START,END must be two IPv6 addresses in "
		 "canonical form (like fd00:b007::100,fd00:b007::1ff)");
	load_err("[dhcp]\nrange6 = fd00::100,fd00::1ff,48\n", 2,
		 "[dhcp] range6: PREFIXLEN must be a number from 64 to 128");
	load_err("[dhcp]\nrange6 = fd00::100,fd00::1ff,64,1\n", 2,
		 "[dhcp] range6: PREFIXLEN must be a number from 64 to 128");
	load_err("[dhcp]\nrange6 = fd00::1ff,fd00::100\n", 2,
		 "[dhcp] range6: START is after END");
	load_err("[http]\nlisten6 = ::80\n", 2,
		 "[http] listen6: not 'auto', 'off' or [ADDRESS]:PORT (like "
		 "[::]:80)");
	load_err("[http]\nlisten6 = [fd00::1%eth0]:80\n", 2,
		 "[http] listen6: not an IPv6 address in brackets "
		 "([ADDRESS]:PORT, like [::]:80)");
	load_err("[http]\nlisten6 = [::]:0\n", 2,
		 "[http] listen6: port must be a number from 1 to 65535");
	/* bool */
	load_err("[dhcp]\nipxe_detect = maybe\n", 2,
		 "[dhcp] ipxe_detect: not yes or no");
	/* HTTPS HTTP Boot needs the TLS listener */
	load_err("[dhcp]\nhttp_boot_tls = yes\n", 2,
		 "[dhcp] http_boot_tls: needs [http] tls_listen (the HTTPS "
		 "URL is the TLS boot listener's)");
	/* numbers */
	load_err("[http]\nmax_connections = many\n", 2,
		 "[http] max_connections: not a number");
	load_err("[http]\nmax_connections = 0\n", 2,
		 "[http] max_connections: out of range (1 to 65536)");
	load_err("[http]\nthreads = -1\n", 2, "[http] threads: not a number");
	load_err("[http]\nconnections_per_address = 0\n", 2,
		 "[http] connections_per_address: out of range (1 to 65536)");
	load_err("[http]\nconnections_per_address = 65537\n", 2,
		 "[http] connections_per_address: out of range (1 to 65536)");
	load_err("[http]\nconnections_per_address = 8 per host\n", 2,
		 "[http] connections_per_address: not a number");
	load_err("[http]\nheader_timeout = 0\n", 2,
		 "[http] header_timeout: out of range (1 to 3600 seconds)");
	load_err("[http]\nheader_timeout = 2h\n", 2,
		 "[http] header_timeout: out of range (1 to 3600 seconds)");
	load_err("[http]\nheader_timeout = soon\n", 2,
		 "[http] header_timeout: not a duration (like 3600, 45s, 30m, "
		 "1h, 2d or 1h30m)");
	load_err("[http]\nthreads = 257\n", 2,
		 "[http] threads: out of range (0 to 256)");
	load_err("[boot]\ninstall_attempts = 0\n", 2,
		 "[boot] install_attempts: out of range (1 to 100)");
	load_err("[boot]\ninstall_attempts = 3 # three\n", 2,
		 "[boot] install_attempts: not a number");
	/* what is kept of what clients send */
	load_err("[boot]\nunknown_keep = 0\n", 2,
		 "[boot] unknown_keep: out of range (1 to 10000000)");
	load_err("[boot]\nunknown_keep = 10000001\n", 2,
		 "[boot] unknown_keep: out of range (1 to 10000000)");
	load_err("[boot]\nunknown_keep = 1e4\n", 2,
		 "[boot] unknown_keep: not a number");
	load_err("[boot]\nunknown_rate = 0\n", 2,
		 "[boot] unknown_rate: out of range (1 to 1000000)");
	load_err("[boot]\nunknown_rate = -5\n", 2,
		 "[boot] unknown_rate: not a number");
	load_err("[boot]\nunknown_rate = 10/m\n", 2,
		 "[boot] unknown_rate: not a number");
	load_err("[boot]\ntoken_lifetime = 59\n", 2,
		 "[boot] token_lifetime: out of range (60 to 2592000 seconds)");
	load_err("[boot]\ntoken_lifetime = 31d\n", 2,
		 "[boot] token_lifetime: out of range (60 to 2592000 seconds)");
	load_err("[boot]\ntoken_lifetime = forever\n", 2,
		 "[boot] token_lifetime: not a duration (like 3600, 45s, 30m, "
		 "1h, 2d or 1h30m)");
	load_err("[appliance]\nleases_keep = 59m\n", 2,
		 "[appliance] leases_keep: out of range (3600 to 315360000 "
		 "seconds)");
	load_err("[appliance]\nleases_keep = 3651d\n", 2,
		 "[appliance] leases_keep: out of range (3600 to 315360000 "
		 "seconds)");
	load_err("[appliance]\nleases_keep = 0\n", 2,
		 "[appliance] leases_keep: out of range (3600 to 315360000 "
		 "seconds)");
	/* listen addresses */
	load_err("[http]\nlisten = 80\n", 2,
		 "[http] listen: not ADDRESS:PORT (like 0.0.0.0:80)");
	load_err("[http]\nlisten = off\n", 2,
		 "[http] listen: not ADDRESS:PORT (like 0.0.0.0:80)");
	load_err("[http]\nlisten = 0.0.0.0:0\n", 2,
		 "[http] listen: port must be a number from 1 to 65535");
	load_err("[http]\nlisten = 0.0.0.0:65536\n", 2,
		 "[http] listen: port must be a number from 1 to 65535");
	load_err("[http]\nlisten = 0.0.0.0:\n", 2,
		 "[http] listen: port must be a number from 1 to 65535");
	load_err("[http]\nlisten = localhost:80\n", 2,
		 "[http] listen: 'localhost' is not an IPv4 address "
		 "(ADDRESS:PORT, like 0.0.0.0:80)");
	load_err("[http]\ntls_listen = :443\n", 2,
		 "[http] tls_listen: '' is not an IPv4 address "
		 "(ADDRESS:PORT, like 0.0.0.0:80)");
	load_err("[admin]\nlisten = 127.0.0.1:http\n", 2,
		 "[admin] listen: port must be a number from 1 to 65535");
	/* names */
	load_err("[ipxe]\nbuild_config = ../x\n", 2,
		 "[ipxe] build_config: not a name ([a-z0-9][a-z0-9._-]*, "
		 "at most 63 characters)");
}

static void
line_numbers_and_syntax(void **state)
{
	/* the error names the line of the bad key, after comments */
	load_err("; comment\n"
		 "\n"
		 "[appliance]\n"
		 "; another\n"
		 "state_dir = /srv\n"
		 "\n"
		 "[dhcp]\n"
		 "mode = dhcp\n"
		 "lease_time = soon\n"
		 "mode = bad\n",
		 9,
		 "[dhcp] lease_time: not a duration (like 3600, 45s, 30m, "
		 "1h, 2d or 1h30m)");
	/* only the first error is reported */
	load_err("[dhcp]\nmode = x\n[nope]\n", 2,
		 "[dhcp] mode: expected one of dhcp, proxy, off");
	load_err("[dhcp]\nmode = dhcp\njust words\n", 3,
		 "syntax error (expected [section], key = value or a "
		 "comment)");
	load_err("[dhcp\nmode = dhcp\n", 1,
		 "syntax error (expected [section], key = value or a "
		 "comment)");
	/* a syntax error before a bad value wins */
	load_err("[dhcp]\nwhat\nmode = x\n", 2,
		 "syntax error (expected [section], key = value or a "
		 "comment)");
	load_err("[dhcp]\nmode = dhcp\n\nmode = proxy\n", 4,
		 "[dhcp] mode: set twice (first on line 2)");
	/* an indented line continues the previous value: refused */
	load_err("[dhcp]\nmode = dhcp\n  proxy\n", 3,
		 "[dhcp] mode: set twice (first on line 2)");
	load_err("[http]\nlisten = 0.0.0.0:80\n= 5\n", 3,
		 "[http] : unknown key");
}

static void
hostile_files(void **state)
{
	struct by_config cfg;
	char text[12000], err[512];
	int n;

	/* a line longer than the parser's buffer is refused, not split */
	n = snprintf(text, sizeof(text), "[appliance]\nstate_dir = /");
	memset(text + n, 'a', 300);
	strcpy(text + n + 300, "\n");
	load_err_prefix(text, 2, "line too long (at most ");
	/* 10 KB in one line */
	n = snprintf(text, sizeof(text), "[dhcp]\nmode = dhcp\nrange = ");
	memset(text + n, '1', 10240);
	strcpy(text + n + 10240, "\n");
	load_err_prefix(text, 3, "line too long (at most ");
	/* a NUL byte */
	write_conf_len("[dhcp]\nmode = dh\0cp\n", 20);
	assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)),
			 -EINVAL);
	snprintf(text, sizeof(text), "%s:2: NUL byte in the line", path);
	assert_string_equal(err, text);
	/* control characters in a value */
	load_err("[dhcp]\nmode = d\x1b[2Jhcp\n", 2,
		 "[dhcp] mode: control character in the value");
	/* an unprintable key name is not echoed */
	load_err("[dhcp]\nmo\x1b" "de = dhcp\n", 2,
		 "[dhcp] (unprintable or too long): unknown key");
	/* a value with quotes is just a bad value */
	load_err("[appliance]\nstate_dir = \"/var/lib\"\n", 2,
		 "[appliance] state_dir: not an absolute path");
	/* a small error buffer is truncated, never overrun */
	write_conf("[dhcp]\nmode = x\n");
	assert_int_equal(cfg_load(&cfg, path, false, err, 8), -EINVAL);
	assert_int_equal(strlen(err), 7);
}

static void
missing_file(void **state)
{
	struct by_config cfg;
	char err[512], want[600], missing[160];

	snprintf(missing, sizeof(missing), "%s/nope.conf", tmpdir);
	assert_int_equal(cfg_load(&cfg, missing, false, err, sizeof(err)),
			 -ENOENT);
	snprintf(want, sizeof(want),
		 "%s: cannot read: No such file or directory", missing);
	assert_string_equal(err, want);
	/* allowed to be missing: defaults, no error, no path */
	err[0] = 'x';
	assert_int_equal(cfg_load(&cfg, missing, true, err, sizeof(err)), 0);
	assert_string_equal(cfg.path, "");
	assert_string_equal(cfg.state_dir, "/var/lib/bootyard");
	/* a directory is not a config file */
	assert_int_equal(cfg_load(&cfg, tmpdir, true, err, sizeof(err)),
			 -EISDIR);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory",
		 tmpdir);
	assert_string_equal(err, want);
}

static void
enum_names(void **state)
{
	enum cfg_local_boot lb = LOCAL_BOOT_GRUB;

	assert_string_equal(cfg_dhcp_mode_name(DHCP_MODE_PROXY), "proxy");
	assert_string_equal(cfg_dhcp_mode_name(DHCP_MODE_OFF), "off");
	assert_string_equal(cfg_bios_loader_name(BIOS_LOADER_UNDIONLY),
			    "undionly");
	assert_string_equal(cfg_uefi_loader_name(UEFI_LOADER_SHIM), "shim");
	assert_string_equal(cfg_uefi_loader_name(UEFI_LOADER_SNPONLY),
			    "snponly");
	assert_string_equal(cfg_local_boot_name(LOCAL_BOOT_DEFAULT),
			    "default");
	assert_string_equal(cfg_local_boot_name(LOCAL_BOOT_EXIT1), "exit1");
	assert_string_equal(cfg_uefi_loader_name((enum cfg_uefi_loader)99),
			    "?");
	assert_string_equal(cfg_local_boot_name((enum cfg_local_boot)-1),
			    "?");

	assert_int_equal(cfg_local_boot_parse("sanboot", &lb), 0);
	assert_int_equal(lb, LOCAL_BOOT_SANBOOT);
	assert_int_equal(cfg_local_boot_parse("exit", &lb), 0);
	assert_int_equal(lb, LOCAL_BOOT_EXIT);
	assert_int_equal(cfg_local_boot_parse("exit1", &lb), 0);
	assert_int_equal(lb, LOCAL_BOOT_EXIT1);
	assert_int_equal(cfg_local_boot_parse("grub", &lb), 0);
	assert_int_equal(lb, LOCAL_BOOT_GRUB);
	assert_int_equal(cfg_local_boot_parse("default", &lb), 0);
	assert_int_equal(lb, LOCAL_BOOT_DEFAULT);
	lb = LOCAL_BOOT_GRUB;
	assert_int_equal(cfg_local_boot_parse("EXIT", &lb), -EINVAL);
	assert_int_equal(cfg_local_boot_parse("", &lb), -EINVAL);
	assert_int_equal(cfg_local_boot_parse("exit2", &lb), -EINVAL);
	assert_int_equal(cfg_local_boot_parse(NULL, &lb), -EINVAL);
	assert_int_equal(lb, LOCAL_BOOT_GRUB);
}

/* range_ok - cfg_range_parse accepts text and formats it back as want. */
static void
range_ok(const char *text, const char *want)
{
	struct cfg_range r;
	char why[256], out[CFG_RANGE_TEXT_MAX];

	if (cfg_range_parse(text, &r, why, sizeof(why)) < 0)
		fail_msg("'%s' refused: %s", text, why);
	assert_int_equal(cfg_range_format(&r, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	/* what is formatted parses to the same range */
	{
		struct cfg_range r2;

		assert_int_equal(cfg_range_parse(out, &r2, why, sizeof(why)),
				 0);
		assert_memory_equal(&r, &r2, sizeof(r));
	}
}

/* range_bad - cfg_range_parse refuses text with a reason starting with
 * want, and leaves *ret untouched. */
static void
range_bad(const char *text, const char *want)
{
	struct cfg_range r, before;
	char why[256] = "";

	memset(&r, 0x5a, sizeof(r));
	before = r;
	if (cfg_range_parse(text, &r, why, sizeof(why)) != -EINVAL)
		fail_msg("'%s' accepted", text);
	if (strncmp(why, want, strlen(want)))
		fail_msg("'%s': reason '%s' does not start with '%s'", text,
			 why, want);
	assert_memory_equal(&r, &before, sizeof(r));
}

/* [dhcp] range lines: the syntax for several subnets and relays, and
 * hostile values (issue #17). */
static void
ranges(void **state)
{
	struct by_config cfg;
	char err[512], big[600];

	range_ok("auto", "auto");
	range_ok("  auto\t", "auto");
	range_ok("auto router=none", "auto router=none");
	range_ok("198.18.0.100,198.18.0.200", "198.18.0.100,198.18.0.200");
	range_ok("198.18.1.100,198.18.1.200   prefix=24 router=198.18.1.1",
		 "198.18.1.100,198.18.1.200 prefix=24 router=198.18.1.1");
	range_ok("198.18.2.10,198.18.2.10 domain=lab2.example "
		 "dns=198.18.0.53,198.18.0.54 prefix=28 router=none",
		 "198.18.2.10,198.18.2.10 prefix=28 router=none "
		 "dns=198.18.0.53,198.18.0.54 domain=lab2.example");

	range_bad(NULL, "longer than");
	range_bad("", "empty");
	range_bad("   ", "empty");
	range_bad("198.18.0.1", "not 'auto' or START,END");
	range_bad("198.18.0.1,", "not 'auto' or START,END");
	range_bad(",198.18.0.1", "not 'auto' or START,END");
	range_bad("198.18.0.1,198.18.0.2,198.18.0.3", "not 'auto'");
	range_bad("198.18.0.01,198.18.0.2", "not 'auto'");
	range_bad("198.18.0.1,198.18.0.256", "not 'auto'");
	range_bad("198.18.0.1-198.18.0.9", "not 'auto'");
	range_bad("AUTO", "not 'auto'");
	range_bad("198.18.0.9,198.18.0.1", "START is after END");
	range_bad("auto prefix=24", "prefix= does not go with auto");
	range_bad("198.18.1.1,198.18.1.9 prefix", "expected NAME=VALUE");
	range_bad("198.18.1.1,198.18.1.9 gateway=198.18.1.254",
		  "unknown range option");
	range_bad("198.18.1.1,198.18.1.9 prefix=", "prefix= needs a value");
	range_bad("198.18.1.1,198.18.1.9 prefix=24 prefix=24",
		  "prefix= given twice");
	range_bad("198.18.1.1,198.18.1.9 prefix=7", "prefix= must be");
	range_bad("198.18.1.1,198.18.1.9 prefix=31", "prefix= must be");
	range_bad("198.18.1.1,198.18.1.9 prefix=-24", "prefix= must be");
	range_bad("198.18.1.1,198.18.1.9 prefix=0x18", "prefix= must be");
	range_bad("198.18.1.1,198.18.1.9 prefix=99999999999999999999",
		  "prefix= must be");
	range_bad("198.18.1.1,198.18.2.9 prefix=24", "START and END are not");
	range_bad("198.18.1.0,198.18.1.9 prefix=24", "the range holds");
	range_bad("198.18.1.9,198.18.1.255 prefix=24", "the range holds");
	range_bad("198.18.1.1,198.18.1.9 prefix=24 router=198.18.2.1",
		  "router= is outside");
	range_bad("198.18.1.1,198.18.1.9 router=gw", "router= must be");
	range_bad("198.18.1.1,198.18.1.9 router=198.18.1.1,198.18.1.2",
		  "router= must be");
	range_bad("198.18.1.1,198.18.1.9 dns=1.1.1.1,", "dns= ends with");
	range_bad("198.18.1.1,198.18.1.9 dns=,1.1.1.1", "dns= must be");
	range_bad("198.18.1.1,198.18.1.9 dns=1.1.1.1,,2.2.2.2",
		  "dns= must be");
	range_bad("198.18.1.1,198.18.1.9 dns=1.1.1.1,2.2.2.2,3.3.3.3,"
		  "4.4.4.4",
		  "dns= takes at most 3");
	range_bad("198.18.1.1,198.18.1.9 domain=a..b", "domain= must be");
	range_bad("198.18.1.1,198.18.1.9 domain=x;reboot", "domain= must be");
	range_bad("198.18.1.1,198.18.1.9 domain=-x", "domain= must be");
	range_bad("198.18.1.1,198.18.1.9 =x", "unknown range option");
	/* a value that would smuggle a dnsmasq line or option */
	range_bad("198.18.1.1,198.18.1.9 router=1.2.3.4\ndhcp-script=/x",
		  "router= must be");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	range_bad(big, "longer than");

	/* several lines in a file: the first replaces the default auto */
	write_conf("[dhcp]\n"
		   "range = 198.18.0.100,198.18.0.200\n"
		   "range = 198.18.1.100,198.18.1.200 prefix=24 "
		   "router=198.18.1.1\n"
		   "range = auto dns=198.18.0.53\n");
	assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)), 0);
	assert_int_equal(cfg.ranges.n, 3);
	assert_false(cfg.ranges.r[0].is_auto);
	assert_string_equal(cfg.ranges.r[1].router, "198.18.1.1");
	assert_int_equal(cfg.ranges.r[1].prefix, 24);
	assert_true(cfg.ranges.r[2].is_auto);
	assert_string_equal(cfg.ranges.r[2].dns[0], "198.18.0.53");
	/* at most CFG_RANGES_MAX lines */
	{
		char *text = malloc(64 * (CFG_RANGES_MAX + 2));
		size_t off;
		int i;

		assert_non_null(text);
		off = (size_t)sprintf(text, "[dhcp]\n");
		for (i = 0; i <= CFG_RANGES_MAX; i++)
			off += (size_t)sprintf(text + off,
					       "range = 10.%d.0.1,10.%d.0.9 "
					       "prefix=24\n", i, i);
		write_conf(text);
		free(text);
		assert_int_equal(cfg_load(&cfg, path, false, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "more than 32 range lines"));
	}
}

int
main(void)
{
	return unit_run(UNIT_LIST(defaults, db_path_old_layout, every_key,
	                          empty_and_partial_files, durations,
	                          unknown_section_and_key, bad_values_per_type,
	                          line_numbers_and_syntax, hostile_files,
	                          missing_file, enum_names, ranges),
	                setup, teardown);
}
