/*
 * test_import.c - the pure half of `distro import` (appliance/build/import.c):
 * member paths (hostile names), ISO volume ids, recognition of each
 * layout, and per family the kernel command line and the stock template,
 * each rendered for a host into a golden file (tests/golden/import/) and
 * checked for its done callback.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "appliance/build/import.h"
#include "common/util.h"
#include "db/db.h"
#include "appliance/core/template.h"
#include "tests/unit/golden.h"
#include "unit_main.h"

#define TOKEN "0123456789abcdef0123456789abcdef"
#define DONE "http://198.18.0.1/ipxe/v1/done?token=" TOKEN

static void
test_member_path(void **state)
{
	static const char *const bad[] = {
	    "..",          "../x",        "a/../b",   "a/..",     "a//b",
	    "a/",          "./",          "",         "/",        "a/./b",
	    "a b",         "a\nb",        "a;b",      "$(x)",     "a\\b",
	    "install.amd/vmlinuz\x01",    "./../etc/passwd",     "/../x",
	    "x/\xc3\xa9",
	};
	char out[IMP_PATH_MAX + 1], longp[IMP_PATH_MAX + 2];
	size_t i;

	assert_int_equal(imp_member_path("./install.amd/vmlinuz", out,
	                                 sizeof(out)),
	                 0);
	assert_string_equal(out, "install.amd/vmlinuz");
	assert_int_equal(imp_member_path("/.disk/info", out, sizeof(out)), 0);
	assert_string_equal(out, ".disk/info");
	assert_int_equal(imp_member_path("a/..b/c...d/e+f~g_h-i", out,
	                                 sizeof(out)),
	                 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(imp_member_path(bad[i], out, sizeof(out)),
		                 -EINVAL);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(imp_member_path(longp, out, sizeof(out)),
	                 -ENAMETOOLONG);
	assert_int_equal(imp_member_path("abc", out, 3), -ENAMETOOLONG);
}

static void
test_iso_volid(void **state)
{
	static unsigned char img[32768 + 2048];
	char id[64];

	memset(img, 0, sizeof(img));
	assert_int_equal(imp_iso_volid(img, sizeof(img), id, sizeof(id)),
	                 -ENOENT);
	assert_int_equal(imp_iso_volid(img, 100, id, sizeof(id)), -ENOENT);
	img[32768] = 1;
	memcpy(img + 32769, "CD001", 5);
	memset(img + 32768 + 40, ' ', 32);
	memcpy(img + 32768 + 40, "Debian 12.8.0 amd64 n", 21);
	assert_int_equal(imp_iso_volid(img, sizeof(img), id, sizeof(id)), 0);
	assert_string_equal(id, "Debian 12.8.0 amd64 n");
	assert_int_equal(imp_iso_volid(img, sizeof(img), id, 8), -EINVAL);
	img[32768 + 41] = '\n';
	assert_int_equal(imp_iso_volid(img, sizeof(img), id, sizeof(id)),
	                 -EINVAL);
}

/* A listing of paths (NULL-terminated) and metadata. */
static struct imp_listing
listing(const char **paths, const char *volid, const char *disk_info,
        const char *treeinfo, const char *version_info)
{
	struct imp_listing l = {.paths = (char **)paths,
	                        .volid = volid,
	                        .disk_info = disk_info,
	                        .treeinfo = treeinfo,
	                        .version_info = version_info};

	while (paths[l.n_paths])
		l.n_paths++;
	return l;
}

static void
test_recognise(void **state)
{
	const char *deb[] = {"install.amd/vmlinuz", "install.amd/initrd.gz",
	                     "install.a64/vmlinuz", "install.a64/initrd.gz",
	                     "install.amd/gtk/initrd.gz", NULL};
	const char *nb[] = {"gtk/debian-installer/amd64/linux",
	                    "gtk/debian-installer/amd64/initrd.gz",
	                    "text/debian-installer/amd64/linux",
	                    "text/debian-installer/amd64/initrd.gz",
	                    "text/debian-installer/evil/linux",
	                    "text/debian-installer/evil/initrd.gz", NULL};
	const char *fed[] = {"images/pxeboot/vmlinuz",
	                     "images/pxeboot/initrd.img", "etc/passwd", NULL};
	const char *ubu[] = {"casper/vmlinuz", "casper/initrd", NULL};
	const char *none[] = {"README", NULL};
	struct imp_listing l;
	struct imp_found f;
	char why[512];

	l = listing(deb, "Debian 12.8.0 amd64 n",
	            "Debian GNU/Linux 12.8.0 \"Bookworm\" - Official amd64 "
	            "NETINST with firmware 20241109-11:05",
	            NULL, NULL);
	assert_int_equal(imp_recognise(&l, &f, why, sizeof(why)), 0);
	assert_int_equal(f.family, IMP_FAMILY_DEBIAN);
	assert_string_equal(f.release, "12.8.0");
	assert_int_equal(f.n_boots, 2);
	assert_string_equal(f.boots[0].arch, "amd64");
	assert_string_equal(f.boots[0].initrds[0], "install.amd/initrd.gz");
	assert_string_equal(f.boots[1].arch, "arm64");

	l = listing(nb, NULL, NULL, NULL, "Debian version:  12 (bookworm)\n");
	assert_int_equal(imp_recognise(&l, &f, why, sizeof(why)), 0);
	assert_int_equal(f.family, IMP_FAMILY_DEBIAN);
	assert_string_equal(f.release, "12");
	assert_int_equal(f.n_boots, 1); /* "evil" is no architecture */
	assert_string_equal(f.boots[0].kernel,
	                    "text/debian-installer/amd64/linux");

	/* .treeinfo: its paths are checked, and must be in the listing */
	l = listing(fed, "Fedora-S-dvd-x86_64-40", NULL,
	            "[general]\nfamily = Fedora\nversion = 40\n"
	            "[images-x86_64]\nkernel = ../../etc/passwd\n"
	            "initrd = images/pxeboot/initrd.img\n"
	            "[images-aarch64]\nkernel = etc/passwd\n"
	            "initrd = images/pxeboot/missing.img\n",
	            NULL);
	/* neither image section is usable; images/pxeboot/ still is */
	assert_int_equal(imp_recognise(&l, &f, why, sizeof(why)), 0);
	assert_string_equal(f.layout, "anaconda images/pxeboot");
	assert_string_equal(f.boots[0].kernel, "images/pxeboot/vmlinuz");
	l.treeinfo = "[release]\nname = AlmaLinux\nversion = 9.4\n"
	             "[images-x86_64]\nkernel = images/pxeboot/vmlinuz\n"
	             "initrd = images/pxeboot/initrd.img\n";
	assert_int_equal(imp_recognise(&l, &f, why, sizeof(why)), 0);
	assert_int_equal(f.family, IMP_FAMILY_FEDORA);
	assert_string_equal(f.vendor, "AlmaLinux");
	assert_string_equal(f.release, "9.4");
	assert_string_equal(f.layout, "anaconda .treeinfo");
	/* a release is a version, not text that a script could read */
	l.treeinfo = "[general]\nfamily = Rocky Linux\nversion = 9;reboot\n"
	             "[images-x86_64]\nkernel = images/pxeboot/vmlinuz\n"
	             "initrd = images/pxeboot/initrd.img\n";
	assert_int_equal(imp_recognise(&l, &f, why, sizeof(why)), 0);
	assert_string_equal(f.release, "9");
	assert_string_equal(f.vendor, "Rocky");

	l = listing(ubu, "Ubuntu-Server 24.04.1 LTS amd64", NULL, NULL, NULL);
	assert_int_equal(imp_recognise(&l, &f, why, sizeof(why)), 0);
	assert_int_equal(f.family, IMP_FAMILY_UBUNTU);
	assert_string_equal(f.release, "24.04.1");

	/* boot files, no family: -EPROTO, and why names what was found */
	l = listing(fed, "MY\nDISTRO", NULL, NULL, NULL);
	assert_int_equal(imp_recognise(&l, &f, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "images/pxeboot/vmlinuz"));
	assert_null(strchr(why, '\n'));

	l = listing(none, "BACKUP", NULL, NULL, NULL);
	assert_int_equal(imp_recognise(&l, &f, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "BACKUP"));
}

/* The distribution an import makes holds every architecture the
 * database takes (i386 stays in files_dir only); merged into an
 * existing one, only those it lacks are added. */
static void
test_distro_row(void **state)
{
	struct imp_result res;
	struct db_distro d;
	size_t i;
	static const char *const arches[] = {"amd64", "i386", "aarch64"};

	memset(&res, 0, sizeof(res));
	res.found.family = IMP_FAMILY_DEBIAN;
	res.found.n_boots = 3;
	for (i = 0; i < 3; i++) {
		strcpy(res.found.boots[i].arch, arches[i]);
		res.found.boots[i].n_initrds = 2;
		snprintf(res.kernel[i], sizeof(res.kernel[i]), "deb/%s/linux",
		         arches[i]);
		snprintf(res.initrds[i][0], sizeof(res.initrds[i][0]),
		         "deb/%s/initrd.gz", arches[i]);
		snprintf(res.initrds[i][1], sizeof(res.initrds[i][1]),
		         "deb/%s/fw.gz", arches[i]);
	}
	assert_int_equal(imp_distro_row("deb", &res, &d), 0);
	assert_int_equal(d.n_kernels, 2);
	assert_string_equal(db_distro_kernel(&d, "amd64")->kernel,
	                    "deb/amd64/linux");
	assert_string_equal(db_distro_kernel(&d, "arm64")->initrd,
	                    "deb/aarch64/initrd.gz deb/aarch64/fw.gz");
	assert_string_equal(d.template_name, "preseed.cfg");
	/* merging the same again adds nothing */
	assert_int_equal(imp_distro_merge(&d, &res), 0);
	assert_int_equal(d.n_kernels, 2);
	db_distro_free(&d);

	/* an existing amd64 distribution gets arm64 only */
	memset(&d, 0, sizeof(d));
	d.n_kernels = 1;
	strcpy(d.kernels[0].arch, "amd64");
	strcpy(d.kernels[0].kernel, "mine/linux");
	assert_int_equal(imp_distro_merge(&d, &res), 1);
	assert_int_equal(d.n_kernels, 2);
	assert_string_equal(d.kernels[0].kernel, "mine/linux");
	assert_string_equal(d.kernels[1].arch, "arm64");

	/* only architectures the database cannot take: none */
	res.found.n_boots = 2;
	strcpy(res.found.boots[0].arch, "i386");
	assert_int_equal(imp_distro_row("deb", &res, &d), -ENOENT);
	db_distro_free(&d);
}

static void
test_sums(void **state)
{
	const char *h = "0123456789abcdef0123456789abcdef"
	                "0123456789abcdef0123456789abcdef";
	char sums[1024], hex[65];

	snprintf(sums, sizeof(sums),
	         "%s  other.iso\n%s *netinst.iso\r\n%s  netinst.iso.bak\n",
	         "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	         "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	         h);
	assert_int_equal(imp_sums_lookup(sums, "netinst.iso", hex), 0);
	assert_string_equal(hex, h);
	assert_int_equal(imp_sums_lookup(sums, "other.iso", hex), 0);
	assert_int_equal(imp_sums_lookup(sums, "netinst", hex), -ENOENT);
	assert_int_equal(imp_sums_lookup(sums, "x.iso", hex), -ENOENT);
	assert_int_equal(imp_sums_lookup("", "x.iso", hex), -ENOENT);
	assert_int_equal(imp_sums_lookup("abc  x.iso\n", "x.iso", hex),
	                 -ENOENT);
	snprintf(sums, sizeof(sums), "%.63sg  x.iso\n", h);
	assert_int_equal(imp_sums_lookup(sums, "x.iso", hex), -EINVAL);
	snprintf(sums, sizeof(sums), "%s\tx.iso\n", h);
	assert_int_equal(imp_sums_lookup(sums, "x.iso", hex), -ENOENT);
}

/* The host every stock template is rendered for. */
static struct db_host
fixture_host(bool attrs)
{
	static const char *const kv[][2] = {
	    {"disk", "/dev/vda"},
	    {"domain", "lab.example"},
	    {"keymap", "de"},
	    {"locale", "de_DE.UTF-8"},
	    {"proxy", "http://198.18.0.1:3128/"},
	    {"repo", "http://198.18.0.1/files/f40/os/"},
	    {"ssh_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBootyardTestKey "
	                "admin@lab"},
	    {"timezone", "Europe/Berlin"},
	};
	struct db_host h;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.id = 7;
	strcpy(h.hostname, "node7");
	strcpy(h.ip, "198.18.0.7");
	h.n_macs = 1;
	strcpy(h.macs[0], "52:54:00:12:34:56");
	for (i = 0; attrs && i < ARRAY_SIZE(kv); i++) {
		strcpy(h.attrs[i].key, kv[i][0]);
		strcpy(h.attrs[i].value, kv[i][1]);
		h.n_attrs++;
	}
	return h;
}

/* Render text for the fixture host of distro d. */
static char *
render(const char *text, bool attrs, const struct db_distro *d)
{
	struct tmpl_var vars[TMPL_HOST_VARS];
	struct db_host h = fixture_host(attrs);
	char *out = NULL;
	size_t n;

	assert_int_equal(tmpl_host_vars(&h, h.macs[0], "http://198.18.0.1",
	                                TOKEN, d, vars, TMPL_HOST_VARS, &n),
	                 0);
	assert_int_equal(tmpl_render(text, vars, n, &out, NULL), 0);
	return out;
}

/* Per family: command line and stock template, golden and checked. */
static void
test_families(void **state)
{
	static const enum imp_family fams[] = {
	    IMP_FAMILY_DEBIAN, IMP_FAMILY_UBUNTU, IMP_FAMILY_FEDORA};
	const char *const *names;
	const char *stock, *served, *cmdline, *text;
	struct db_distro d;
	char err[256], *out;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(fams); i++) {
		const char *fam = imp_family_name(fams[i]);

		cmdline = imp_family_cmdline(fams[i]);
		assert_non_null(cmdline);
		assert_int_equal(tmpl_validate_cmdline(cmdline,
		                                       DB_CMDLINE_MAX - 1, err,
		                                       sizeof(err)),
		                 0);
		assert_int_equal(imp_family_template(fams[i], &stock, &served),
		                 0);
		memset(&d, 0, sizeof(d));
		strcpy(d.name, fam);
		strcpy(d.template_name, served);
		text = imp_stock_template(stock);
		assert_non_null(text);
		assert_int_equal(tmpl_validate(text, err, sizeof(err)), 0);
		assert_true(tmpl_has_callback(text));

		out = render(cmdline, true, &d);
		/* the installer fetches the host's own template */
		assert_non_null(strstr(out, "http://198.18.0.1/ipxe/v1/install/"
		                            TOKEN "/"));
		golden_check(out, "tests/golden/import/cmdline-%s.txt", fam);
		free(out);
		out = render(text, true, &d);
		assert_non_null(strstr(out, DONE));
		assert_null(strstr(out, "{{"));
		golden_check(out, "tests/golden/import/%s", stock);
		free(out);
		out = render(text, false, &d);
		assert_non_null(strstr(out, DONE));
		golden_check(out, "tests/golden/import/%s.no-attrs", stock);
		free(out);
	}
	assert_null(imp_family_cmdline(IMP_FAMILY_UNKNOWN));
	assert_int_equal(imp_family_template(IMP_FAMILY_UNKNOWN, &stock,
	                                     &served),
	                 -ENOENT);
	/* every stock template is valid and calls back */
	for (names = imp_stock_names(), n = 0; *names; names++, n++) {
		text = imp_stock_template(*names);
		assert_int_equal(tmpl_validate(text, err, sizeof(err)), 0);
		assert_true(tmpl_has_callback(text));
	}
	assert_int_equal(n, 3);
	assert_null(imp_stock_template("nope"));
}

int
main(void)
{
	return UNIT_RUN(test_member_path, test_iso_volid, test_recognise,
	                test_sums, test_distro_row, test_families);
}
