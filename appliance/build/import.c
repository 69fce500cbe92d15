/*
 * import.c - the pure half of `distro import` (see import.h): which
 * installer a source is, from its member paths and the few small files
 * that name it. Every value read from the source is checked here.
 */
#include "appliance/build/import.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "db/db.h"

/* Architecture names we accept, Debian spelling first; others map. */
static const struct {
	const char *name, *debian;
} imp_arches[] = {
    {"amd64", "amd64"},     {"arm64", "arm64"},     {"i386", "i386"},
    {"armhf", "armhf"},     {"ppc64el", "ppc64el"}, {"s390x", "s390x"},
    {"riscv64", "riscv64"}, {"x86_64", "amd64"},    {"aarch64", "arm64"},
    {"ppc64le", "ppc64el"},
};

/* Debian ISO directories: install.amd/ and friends. */
static const struct {
	const char *dir, *arch;
} imp_deb_iso_dirs[] = {
    {"install.amd", "amd64"}, {"install.a64", "arm64"},
    {"install.386", "i386"},  {"install.ahf", "armhf"},
};

int
imp_member_path(const char *raw, char *out, size_t outsz)
{
	const char *p = raw, *c;
	size_t len, comp;

	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (p[0] == '/')
		p++;
	len = strlen(p);
	if (len == 0)
		return -EINVAL;
	if (len > IMP_PATH_MAX || len + 1 > outsz)
		return -ENAMETOOLONG;
	comp = 0;
	for (c = p;; c++) {
		if (*c == '/' || *c == '\0') {
			if (comp == 0)
				return -EINVAL; /* "//" or trailing "/" */
			if ((comp == 1 && c[-1] == '.') ||
			    (comp == 2 && c[-1] == '.' && c[-2] == '.'))
				return -EINVAL;
			if (*c == '\0')
				break;
			comp = 0;
			continue;
		}
		if (!isalnum((unsigned char)*c) && !strchr("._-+~", *c))
			return -EINVAL;
		comp++;
	}
	memcpy(out, p, len + 1);
	return 0;
}

int
imp_iso_volid(const unsigned char *buf, size_t len, char *out, size_t outsz)
{
	const unsigned char *pvd = buf + 32768;
	size_t n, i;

	if (len < 32768 + 72 || pvd[0] != 1 || memcmp(pvd + 1, "CD001", 5))
		return -ENOENT;
	n = 32;
	while (n > 0 && (pvd[40 + n - 1] == ' ' || pvd[40 + n - 1] == '\0'))
		n--;
	if (n + 1 > outsz)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (pvd[40 + i] < 0x20 || pvd[40 + i] > 0x7e)
			return -EINVAL;
		out[i] = (char)pvd[40 + i];
	}
	out[n] = '\0';
	return 0;
}

const char *
imp_family_name(enum imp_family f)
{
	switch (f) {
	case IMP_FAMILY_DEBIAN:
		return "debian";
	case IMP_FAMILY_UBUNTU:
		return "ubuntu";
	case IMP_FAMILY_UBUNTU_DI:
		return "ubuntu-di";
	case IMP_FAMILY_FEDORA:
		return "fedora";
	default:
		return "unknown";
	}
}

const char *
imp_family_cmdline(enum imp_family f)
{
	switch (f) {
	case IMP_FAMILY_DEBIAN:
	case IMP_FAMILY_UBUNTU_DI:
		/* hostname/domain on the command line: netcfg runs before
		 * the preseed is read (DESIGN.md, the real installer). */
		return "auto=true priority=critical url={{install_url}} "
		       "hostname={{hostname}} domain={{attr.domain}} "
		       "interface=auto";
	case IMP_FAMILY_UBUNTU:
		/* "ds=nocloud-net;s=URL" needs a ';', which no command line
		 * here may hold; cloud-config-url makes cloud-init read the
		 * rendered #cloud-config (with its autoinstall: section)
		 * from the install URL instead. */
		return "ip=dhcp autoinstall cloud-config-url={{install_url}}";
	case IMP_FAMILY_FEDORA:
		return "inst.ks={{install_url}} ip=dhcp";
	default:
		return NULL;
	}
}

int
imp_family_template(enum imp_family f, const char **ret_stock,
                    const char **ret_served)
{
	switch (f) {
	case IMP_FAMILY_DEBIAN:
	case IMP_FAMILY_UBUNTU_DI:
		*ret_stock = "debian-preseed.cfg";
		*ret_served = "preseed.cfg";
		return 0;
	case IMP_FAMILY_UBUNTU:
		*ret_stock = "ubuntu-autoinstall.yaml";
		*ret_served = "user-data";
		return 0;
	case IMP_FAMILY_FEDORA:
		*ret_stock = "fedora-kickstart.cfg";
		*ret_served = "ks.cfg";
		return 0;
	default:
		return -ENOENT;
	}
}

/* l holds the regular file path. */
static bool
imp_has(const struct imp_listing *l, const char *path)
{
	size_t i;

	for (i = 0; i < l->n_paths; i++)
		if (strcmp(l->paths[i], path) == 0)
			return true;
	return false;
}

/* The Debian name of arch, or NULL when it is not one we know. */
static const char *
imp_arch(const char *arch)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(imp_arches); i++)
		if (strcmp(arch, imp_arches[i].name) == 0)
			return imp_arches[i].debian;
	return NULL;
}

/* A release string: 1-31 of A-Z a-z 0-9 . _ - ; cut at the first other. */
static void
imp_set_release(struct imp_found *f, const char *s)
{
	size_t n = 0;

	while (s[n] && n < sizeof(f->release) - 1 &&
	       (isalnum((unsigned char)s[n]) || strchr("._-", s[n])))
		n++;
	memcpy(f->release, s, n);
	f->release[n] = '\0';
	/* a release starts with a digit; "-" alone or "Bookworm" is not one */
	if (!isdigit((unsigned char)f->release[0]))
		f->release[0] = '\0';
}

/* The word after prefix (case-insensitive) in text, as the release. */
static bool
imp_release_after(struct imp_found *f, const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!text || strncasecmp(text, prefix, n) != 0)
		return false;
	text += n;
	while (*text == ' ' || *text == '-' || *text == '_')
		text++;
	imp_set_release(f, text);
	return true;
}

/* Add one architecture's kernel and initrd(s) if every file is there. */
static int
imp_add_boot(const struct imp_listing *l, struct imp_found *f,
             const char *arch, const char *kernel, const char *initrd1,
             const char *initrd2)
{
	struct imp_boot *b;
	size_t i;

	if (!imp_has(l, kernel) || !imp_has(l, initrd1) ||
	    (initrd2 && !imp_has(l, initrd2)))
		return 0;
	for (i = 0; i < f->n_boots; i++)
		if (strcmp(f->boots[i].arch, arch) == 0)
			return 0;
	if (f->n_boots == IMP_MAX_ARCHES)
		return 0;
	b = &f->boots[f->n_boots];
	memset(b, 0, sizeof(*b));
	if (str_copy(b->arch, sizeof(b->arch), arch) < 0 ||
	    str_copy(b->kernel, sizeof(b->kernel), kernel) < 0 ||
	    str_copy(b->initrds[0], sizeof(b->initrds[0]), initrd1) < 0 ||
	    (initrd2 &&
	     str_copy(b->initrds[1], sizeof(b->initrds[1]), initrd2) < 0))
		return 0;
	b->n_initrds = initrd2 ? 2 : 1;
	f->n_boots++;
	return 1;
}

/* --- .treeinfo (anaconda trees: Fedora, RHEL, Alma, Rocky) --- */

/* The vendor's short name from a .treeinfo family or a volume id. */
static const char *
imp_rh_vendor(const char *s)
{
	static const struct {
		const char *prefix, *vendor;
	} v[] = {
	    {"Fedora", "Fedora"},
	    {"Red Hat", "RHEL"},
	    {"RHEL", "RHEL"},
	    {"AlmaLinux", "AlmaLinux"},
	    {"Rocky", "Rocky"},
	    {"CentOS", "CentOS"},
	    {"Oracle", "OracleLinux"},
	};
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(v); i++)
		if (strncasecmp(s, v[i].prefix, strlen(v[i].prefix)) == 0)
			return v[i].vendor;
	return NULL;
}

/*
 * imp_treeinfo - parse the INI text: [general]/[release] family or name
 * and version, and each [images-ARCH] section's kernel and initrd. Only
 * boot files that the listing holds are kept.
 */
static void
imp_treeinfo(const struct imp_listing *l, struct imp_found *f)
{
	char section[64] = "", line[512], family[128] = "", version[64] = "";
	char kernel[IMP_MAX_ARCHES + 4][IMP_PATH_MAX + 1];
	char initrd[IMP_MAX_ARCHES + 4][IMP_PATH_MAX + 1];
	char arches[IMP_MAX_ARCHES + 4][16];
	const char *p = l->treeinfo, *vendor;
	size_t n_arch = 0, i;

	memset(kernel, 0, sizeof(kernel));
	memset(initrd, 0, sizeof(initrd));
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *k, *v, *e;

		if (len >= sizeof(line)) {
			p = nl ? nl + 1 : p + len;
			continue;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : p + len;
		for (e = line + strlen(line); e > line && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (line[0] == '[') {
			e = strchr(line, ']');
			if (e && (size_t)(e - line - 1) < sizeof(section)) {
				memcpy(section, line + 1, (size_t)(e - line - 1));
				section[e - line - 1] = '\0';
			} else {
				section[0] = '\0';
			}
			continue;
		}
		v = strchr(line, '=');
		if (!v || line[0] == '#' || line[0] == ';')
			continue;
		*v++ = '\0';
		for (k = line + strlen(line); k > line && k[-1] == ' ';)
			*--k = '\0';
		k = line;
		while (*v == ' ')
			v++;
		if (!strcmp(section, "general") || !strcmp(section, "release")) {
			if ((!strcmp(k, "family") || !strcmp(k, "name")) &&
			    !family[0])
				str_copy(family, sizeof(family), v);
			else if (!strcmp(k, "version") && !version[0])
				str_copy(version, sizeof(version), v);
		} else if (!strncmp(section, "images-", 7)) {
			const char *arch = imp_arch(section + 7);
			char path[IMP_PATH_MAX + 1];

			if (!arch || (strcmp(k, "kernel") && strcmp(k, "initrd")))
				continue;
			if (imp_member_path(v, path, sizeof(path)) < 0)
				continue;
			for (i = 0; i < n_arch; i++)
				if (!strcmp(arches[i], arch))
					break;
			if (i == n_arch) {
				if (n_arch == ARRAY_SIZE(arches))
					continue;
				str_copy(arches[n_arch++], sizeof(arches[0]),
				         arch);
			}
			str_copy(!strcmp(k, "kernel") ? kernel[i] : initrd[i],
			         IMP_PATH_MAX + 1, path);
		}
	}
	vendor = imp_rh_vendor(family);
	if (!vendor)
		vendor = imp_rh_vendor(l->volid);
	for (i = 0; i < n_arch; i++)
		if (kernel[i][0] && initrd[i][0])
			imp_add_boot(l, f, arches[i], kernel[i], initrd[i], NULL);
	if (f->n_boots) {
		str_copy(f->layout, sizeof(f->layout), "anaconda .treeinfo");
		if (vendor) {
			f->family = IMP_FAMILY_FEDORA;
			str_copy(f->vendor, sizeof(f->vendor), vendor);
		}
		imp_set_release(f, version);
	}
}

/* --- Debian and Ubuntu --- */

/* Debian / Ubuntu by .disk/info, else by volume id. */
static void
imp_debian_vendor(const struct imp_listing *l, struct imp_found *f)
{
	if (imp_release_after(f, l->disk_info, "Debian GNU/Linux") ||
	    imp_release_after(f, l->volid, "Debian")) {
		f->family = IMP_FAMILY_DEBIAN;
		str_copy(f->vendor, sizeof(f->vendor), "Debian");
	} else if (imp_release_after(f, l->disk_info, "Ubuntu-Server") ||
	           imp_release_after(f, l->disk_info, "Ubuntu") ||
	           imp_release_after(f, l->volid, "Ubuntu-Server") ||
	           imp_release_after(f, l->volid, "Ubuntu")) {
		f->family = IMP_FAMILY_UBUNTU;
		str_copy(f->vendor, sizeof(f->vendor), "Ubuntu");
	}
}

/*
 * A netboot tree (netboot.tar.gz, debian-installer-12-netboot-*):
 * [PREFIX]debian-installer/ARCH/{linux,initrd.gz}. The shallowest prefix
 * wins, and text/ before gtk/ (the package installs both).
 */
static void
imp_netboot(const struct imp_listing *l, struct imp_found *f)
{
	static const char *const kinds[] = {"debian-installer/",
	                                    "ubuntu-installer/"};
	char best[IMP_PATH_MAX + 1] = "", kind[24] = "", path[2][IMP_PATH_MAX + 64];
	size_t i, k, best_len = (size_t)-1;

	for (i = 0; i < l->n_paths; i++) {
		const char *p = l->paths[i], *m, *slash;
		size_t plen, score;

		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			m = strstr(p, kinds[k]);
			if (!m || (m != p && m[-1] != '/'))
				continue;
			slash = strchr(m + strlen(kinds[k]), '/');
			if (!slash || strcmp(slash, "/linux"))
				continue;
			plen = (size_t)(m - p);
			/* fewest directories first, then not gtk/ */
			score = (strstr(p, "gtk/") ? 1 : 0);
			for (slash = p; slash < m; slash++)
				score += *slash == '/' ? 2 : 0;
			if (score < best_len) {
				best_len = score;
				memcpy(best, p, plen);
				best[plen] = '\0';
				str_copy(kind, sizeof(kind), kinds[k]);
			}
		}
	}
	if (!kind[0])
		return;
	for (i = 0; i < l->n_paths; i++) {
		const char *p = l->paths[i], *rest, *slash;
		char arch[16];

		if (strncmp(p, best, strlen(best)) ||
		    strncmp(p + strlen(best), kind, strlen(kind)))
			continue;
		rest = p + strlen(best) + strlen(kind);
		slash = strchr(rest, '/');
		if (!slash || strcmp(slash, "/linux") ||
		    (size_t)(slash - rest) >= sizeof(arch))
			continue;
		memcpy(arch, rest, (size_t)(slash - rest));
		arch[slash - rest] = '\0';
		if (!imp_arch(arch) || strcmp(imp_arch(arch), arch))
			continue;
		snprintf(path[0], sizeof(path[0]), "%s%s%s/linux", best, kind,
		         arch);
		snprintf(path[1], sizeof(path[1]), "%s%s%s/initrd.gz", best,
		         kind, arch);
		imp_add_boot(l, f, arch, path[0], path[1], NULL);
	}
	if (!f->n_boots)
		return;
	str_copy(f->layout, sizeof(f->layout), "netboot tree");
	if (!strcmp(kind, "ubuntu-installer/")) {
		f->family = IMP_FAMILY_UBUNTU_DI;
		str_copy(f->vendor, sizeof(f->vendor), "Ubuntu");
		return;
	}
	f->family = IMP_FAMILY_DEBIAN;
	str_copy(f->vendor, sizeof(f->vendor), "Debian");
	/* "Debian version:  12 (bookworm)" */
	imp_release_after(f, l->version_info, "Debian version:");
}

/* A Debian installer ISO: install.amd/{vmlinuz,initrd.gz}, ... */
static void
imp_debian_iso(const struct imp_listing *l, struct imp_found *f)
{
	char k[64], i1[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(imp_deb_iso_dirs); i++) {
		snprintf(k, sizeof(k), "%s/vmlinuz", imp_deb_iso_dirs[i].dir);
		snprintf(i1, sizeof(i1), "%s/initrd.gz", imp_deb_iso_dirs[i].dir);
		imp_add_boot(l, f, imp_deb_iso_dirs[i].arch, k, i1, NULL);
	}
	if (!f->n_boots)
		return;
	str_copy(f->layout, sizeof(f->layout), "Debian installer ISO");
	imp_debian_vendor(l, f);
	if (f->family == IMP_FAMILY_UBUNTU)
		f->family = IMP_FAMILY_UBUNTU_DI;
}

/* An Ubuntu live server ISO: casper/vmlinuz + casper/initrd. */
static void
imp_casper(const struct imp_listing *l, struct imp_found *f)
{
	const char *arch = "amd64";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(imp_arches); i++)
		if ((l->disk_info && strstr(l->disk_info, imp_arches[i].name)) ||
		    (l->volid && strstr(l->volid, imp_arches[i].name))) {
			arch = imp_arches[i].debian;
			break;
		}
	if (!imp_add_boot(l, f, arch, "casper/vmlinuz", "casper/initrd", NULL))
		imp_add_boot(l, f, arch, "casper/vmlinuz", "casper/initrd.gz",
		             NULL);
	if (!f->n_boots)
		return;
	str_copy(f->layout, sizeof(f->layout), "Ubuntu live ISO");
	imp_debian_vendor(l, f);
	if (f->family == IMP_FAMILY_DEBIAN) /* a Debian live ISO: unknown */
		f->family = IMP_FAMILY_UNKNOWN;
}

/* Anaconda without .treeinfo: images/pxeboot/{vmlinuz,initrd.img}. */
static void
imp_pxeboot(const struct imp_listing *l, struct imp_found *f)
{
	const char *vendor = imp_rh_vendor(l->volid);
	size_t i;

	if (!imp_add_boot(l, f, "amd64", "images/pxeboot/vmlinuz",
	                  "images/pxeboot/initrd.img", NULL))
		return;
	str_copy(f->layout, sizeof(f->layout), "anaconda images/pxeboot");
	if (!vendor)
		return;
	f->family = IMP_FAMILY_FEDORA;
	str_copy(f->vendor, sizeof(f->vendor), vendor);
	/* "Fedora-S-dvd-x86_64-40", "Rocky-9-4-x86_64-dvd": arch from id */
	for (i = 0; i < ARRAY_SIZE(imp_arches); i++)
		if (strstr(l->volid, imp_arches[i].name))
			str_copy(f->boots[0].arch, sizeof(f->boots[0].arch),
			         imp_arches[i].debian);
}

/* Describe what the source holds, for an error. */
static void
imp_describe(const struct imp_listing *l, const struct imp_found *f,
             char *why, size_t whysz)
{
	size_t i, off;

	off = (size_t)snprintf(why, whysz, "%zu files", l->n_paths);
	if (l->volid && off < whysz)
		off += (size_t)snprintf(why + off, whysz - off,
		                        ", volume id \"%s\"", l->volid);
	if (l->disk_info && off < whysz)
		off += (size_t)snprintf(why + off, whysz - off,
		                        ", .disk/info \"%.60s\"", l->disk_info);
	if (l->treeinfo && off < whysz)
		off += (size_t)snprintf(why + off, whysz - off, ", a .treeinfo");
	for (i = 0; f && i < f->n_boots && off < whysz; i++)
		off += (size_t)snprintf(why + off, whysz - off,
		                        "; %s: kernel %s, initrd %s",
		                        f->boots[i].arch, f->boots[i].kernel,
		                        f->boots[i].initrds[0]);
	for (i = 0; i < whysz && why[i]; i++)
		if ((unsigned char)why[i] < 0x20 || why[i] == 0x7f)
			why[i] = '?';
}

int
imp_recognise(const struct imp_listing *l, struct imp_found *ret, char *why,
              size_t whysz)
{
	struct imp_found f;

	memset(&f, 0, sizeof(f));
	if (l->treeinfo)
		imp_treeinfo(l, &f);
	if (!f.n_boots)
		imp_debian_iso(l, &f);
	if (!f.n_boots)
		imp_netboot(l, &f);
	if (!f.n_boots)
		imp_casper(l, &f);
	if (!f.n_boots)
		imp_pxeboot(l, &f);
	if (!f.n_boots) {
		imp_describe(l, NULL, why, whysz);
		return -ENOENT;
	}
	*ret = f;
	if (f.family == IMP_FAMILY_UNKNOWN) {
		imp_describe(l, &f, why, whysz);
		return -EPROTO;
	}
	return 0;
}

int
imp_distro_row(const char *name, const struct imp_result *res,
               struct db_distro *d)
{
	const struct imp_found *f = &res->found;
	const char *stock, *served, *text;
	int r;

	memset(d, 0, sizeof(*d));
	if (!f->n_boots)
		return -ENOENT;
	if (str_copy(d->name, sizeof(d->name), name) < 0)
		return -ENAMETOOLONG;
	/* every architecture the database takes (kernel_arch_parse); one
	 * it does not (i386, riscv64...) stays in files_dir only */
	r = imp_distro_merge(d, res);
	if (r < 0)
		return r;
	if (!d->n_kernels)
		return -ENOENT;
	if (!imp_family_cmdline(f->family) ||
	    imp_family_template(f->family, &stock, &served) < 0 ||
	    !(text = imp_stock_template(stock)))
		return -ENOENT;
	str_copy(d->cmdline, sizeof(d->cmdline), imp_family_cmdline(f->family));
	d->template_text = strdup(text);
	if (!d->template_text)
		return -ENOMEM;
	str_copy(d->template_name, sizeof(d->template_name), served);
	return 0;
}

/* The kernel of res's architecture i as d's kernel k. */
static int
imp_kernel_of(const struct imp_result *res, size_t i, const char *arch,
              struct db_distro_kernel *k)
{
	size_t j, off = 0;

	memset(k, 0, sizeof(*k));
	str_copy(k->arch, sizeof(k->arch), arch);
	if (str_copy(k->kernel, sizeof(k->kernel), res->kernel[i]) < 0)
		return -ENAMETOOLONG;
	for (j = 0; j < res->found.boots[i].n_initrds; j++) {
		off += (size_t)snprintf(k->initrd + off, sizeof(k->initrd) - off,
		                        "%s%s", j ? " " : "", res->initrds[i][j]);
		if (off >= sizeof(k->initrd))
			return -ENAMETOOLONG;
	}
	return 0;
}

int
imp_distro_merge(struct db_distro *d, const struct imp_result *res)
{
	const struct imp_found *f = &res->found;
	size_t i;
	int n = 0, r;

	for (i = 0; i < f->n_boots && d->n_kernels < DB_DISTRO_ARCHES; i++) {
		const char *arch = kernel_arch_parse(f->boots[i].arch);

		if (!arch || db_distro_kernel(d, arch))
			continue;
		r = imp_kernel_of(res, i, arch, &d->kernels[d->n_kernels]);
		if (r < 0)
			return r;
		d->n_kernels++;
		n++;
	}
	return n;
}

int
imp_sums_lookup(const char *sums, const char *base, char hex[65])
{
	size_t blen = strlen(base), len, i;
	const char *p, *nl, *name;

	for (p = sums; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		while (len && p[len - 1] == '\r')
			len--;
		if (len != 66 + blen || p[64] != ' ' ||
		    (p[65] != ' ' && p[65] != '*'))
			continue;
		name = p + 66;
		if (memcmp(name, base, blen) != 0)
			continue;
		for (i = 0; i < 64; i++) {
			if (!isxdigit((unsigned char)p[i]))
				return -EINVAL;
			hex[i] = (char)tolower((unsigned char)p[i]);
		}
		hex[64] = '\0';
		return 0;
	}
	return -ENOENT;
}
