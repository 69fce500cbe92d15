/*
 * config.c - bootyard.conf: defaults, the INI parser (libinih) and the
 * validation of every key.
 *
 * The file is read through our own line reader so that every error can
 * name its line: the reader counts lines, rejects over-long lines and NUL
 * bytes, and checks section headers (inih does not report an empty
 * section to the handler). The handler then validates each key = value
 * with the parser from the key table below. The first error wins; the
 * message is "FILE:LINE: [section] key: reason".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appliance/core/config.h"
#include "appliance/core/arch.h"
#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"

_Static_assert(sizeof(enum cfg_dhcp_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_bios_loader) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_uefi_loader) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_unknown) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_menu_install) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_local_boot) == sizeof(int), "enum size");

/* ---- enum names ---------------------------------------------------- */

static const char *const dhcp_mode_names[] = { "dhcp", "proxy", "off", NULL };
static const char *const bios_loader_names[] = { "pxelinux", "undionly",
						  NULL };
static const char *const uefi_loader_names[] = { "snponly", "ipxe", "grub",
						  "shim", NULL };
static const char *const unknown_names[] = { "menu", "local", NULL };
static const char *const menu_install_names[] = { "auto", "yes", "no",
						   NULL };
static const char *const local_boot_names[] = { "default", "sanboot", "exit",
						 "exit1", "grub", "nofile",
						 NULL };

/* name_of - names[v] when v is in range, else "?". */
static const char *
name_of(const char *const *names, size_t n, int v)
{
	if (v < 0 || (size_t)v >= n || !names[v])
		return "?";
	return names[v];
}

/*
 * cfg_dhcp_mode_name, cfg_bios_loader_name, cfg_uefi_loader_name,
 * cfg_local_boot_name - the name of an enum value as written in the file;
 * "?" for a value out of range. Static strings, never freed.
 */
const char *
cfg_dhcp_mode_name(enum cfg_dhcp_mode m)
{
	return name_of(dhcp_mode_names, ARRAY_SIZE(dhcp_mode_names), (int)m);
}

const char *
cfg_bios_loader_name(enum cfg_bios_loader l)
{
	return name_of(bios_loader_names, ARRAY_SIZE(bios_loader_names),
		       (int)l);
}

const char *
cfg_uefi_loader_name(enum cfg_uefi_loader l)
{
	return name_of(uefi_loader_names, ARRAY_SIZE(uefi_loader_names),
		       (int)l);
}

const char *
cfg_local_boot_name(enum cfg_local_boot l)
{
	return name_of(local_boot_names, ARRAY_SIZE(local_boot_names), (int)l);
}

/*
 * cfg_local_boot_parse - "default", "sanboot", "exit", "exit1" or "grub"
 * to its value in *ret. Returns 0, or -EINVAL (*ret untouched).
 */
int
cfg_local_boot_parse(const char *s, enum cfg_local_boot *ret)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; local_boot_names[i]; i++) {
		if (!strcmp(s, local_boot_names[i])) {
			*ret = (enum cfg_local_boot)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- defaults ------------------------------------------------------ */

/* cfg_default_name - see config.h. */
void
cfg_default_name(char *out, size_t outsz)
{
	char host[256] = "";
	char *dot;

	out[0] = '\0';
	if (gethostname(host, sizeof(host) - 1) < 0)
		return;
	if (strlen(host) >= outsz || !valid_hostname(host)) {
		dot = strchr(host, '.');
		if (dot)
			*dot = '\0';
	}
	if (strlen(host) < outsz && valid_hostname(host))
		str_copy(out, outsz, host);
}

/*
 * cfg_defaults - fill cfg with every key's default (docs/config.md lists
 * the same values). path is left empty.
 */
void
cfg_defaults(struct by_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* Every literal below fits its field: str_copy cannot fail. */
	str_copy(cfg->state_dir, sizeof(cfg->state_dir), "/var/lib/bootyard");
	str_copy(cfg->interface, sizeof(cfg->interface), "auto");
	str_copy(cfg->server_address, sizeof(cfg->server_address), "auto");
	str_copy(cfg->user, sizeof(cfg->user), "bootyard");
	cfg_default_name(cfg->name, sizeof(cfg->name));

	cfg->dhcp_mode = DHCP_MODE_DHCP;
	cfg->ranges.n = 1;
	cfg->ranges.r[0].is_auto = true;
	str_copy(cfg->range6, sizeof(cfg->range6), "auto");
	cfg->lease_time = 3600;
	cfg->bios_loader = BIOS_LOADER_PXELINUX;
	cfg->uefi_loader = UEFI_LOADER_SNPONLY;
	cfg->ipxe_detect = true;
	str_copy(cfg->dnsmasq, sizeof(cfg->dnsmasq), "/usr/sbin/dnsmasq");
	cfg->tftp_single_port = false;
	cfg->tftp_max = 1000;
	cfg->events_keep = 500000;
	cfg->leases_keep = CFG_LEASES_KEEP;
	cfg->tftp_mtu = 0;
	cfg->allow_other_servers = false;
	cfg->probe_wait = 4;
	cfg->probe_interval = 300;

	str_copy(cfg->listen, sizeof(cfg->listen), "0.0.0.0:80");
	str_copy(cfg->files_dir, sizeof(cfg->files_dir),
		 "/var/lib/bootyard/files");
	str_copy(cfg->tls_listen, sizeof(cfg->tls_listen), "off");
	str_copy(cfg->listen6, sizeof(cfg->listen6), "auto");
	cfg->max_connections = 1024;
	cfg->connection_timeout = 10;
	cfg->connections_per_address = 64;
	cfg->header_timeout = 10;
	cfg->threads = 0;

	str_copy(cfg->ipxe_source, sizeof(cfg->ipxe_source), "auto");
	str_copy(cfg->ipxe_build_config, sizeof(cfg->ipxe_build_config),
		 "default");

	str_copy(cfg->admin_listen, sizeof(cfg->admin_listen),
		 "127.0.0.1:9080");
	str_copy(cfg->admin_token_file, sizeof(cfg->admin_token_file),
		 "/etc/bootyard/admin.token");

	cfg->unknown = UNKNOWN_MENU;
	cfg->menu_install = MENU_INSTALL_AUTO;
	cfg->menu_timeout = 10;
	cfg->install_attempts = CFG_INSTALL_ATTEMPTS;
	cfg->local_bios = LOCAL_BOOT_SANBOOT;
	cfg->local_efi = LOCAL_BOOT_GRUB;
	cfg->unknown_keep = CFG_UNKNOWN_KEEP;
	cfg->unknown_rate = CFG_UNKNOWN_RATE;
	cfg->token_lifetime = CFG_TOKEN_LIFETIME;
}

/* cfg_policy - see config.h. */
void
cfg_policy(const struct by_config *cfg, struct cfg_policy *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->install_attempts = cfg->install_attempts ? cfg->install_attempts
						      : CFG_INSTALL_ATTEMPTS;
	ret->leases_known = cfg->dhcp_mode == DHCP_MODE_DHCP;
	ret->menu_install_off =
	    cfg->menu_install == MENU_INSTALL_NO ||
	    (cfg->menu_install == MENU_INSTALL_AUTO && !ret->leases_known);
	ret->unknown_rate =
	    cfg->unknown_rate ? cfg->unknown_rate : CFG_UNKNOWN_RATE;
	ret->unknown_keep =
	    cfg->unknown_keep ? cfg->unknown_keep : CFG_UNKNOWN_KEEP;
	ret->leases_keep = cfg->leases_keep ? cfg->leases_keep : CFG_LEASES_KEEP;
	ret->token_lifetime =
	    cfg->token_lifetime ? cfg->token_lifetime : CFG_TOKEN_LIFETIME;
}

/* cfg_db_remote - see config.h. */
bool
cfg_db_remote(const struct by_config *cfg)
{
	return db_location_is_pg(cfg->db_url);
}

/* cfg_db_cache - see config.h. */
int
cfg_db_cache(const struct by_config *cfg, char *out, size_t outsz, char *dir,
	     size_t dirsz)
{
	if (!cfg_db_remote(cfg))
		return -ENOENT;
	if (dir && str_printf(dir, dirsz, "%s/" CFG_DB_CACHE_DIR,
			      cfg->state_dir) < 0)
		return -ENAMETOOLONG;
	return str_printf(out, outsz, "%s/" CFG_DB_CACHE_DIR "/boot.db",
			  cfg->state_dir) < 0
		       ? -ENAMETOOLONG
		       : 0;
}

/* cfg_db_path - see config.h. */
int
cfg_db_path(const struct by_config *cfg, char *out, size_t outsz)
{
	struct stat st;
	int r;

	if (cfg_db_remote(cfg)) {
		if (!cfg->db_password_file[0])
			return str_copy(out, outsz, cfg->db_url) < 0
				       ? -ENAMETOOLONG
				       : 0;
		return str_printf(out, outsz, "%s%cpassword_file=%s",
				  cfg->db_url,
				  strchr(cfg->db_url, '?') ? '&' : '?',
				  cfg->db_password_file);
	}
	if (!strncmp(cfg->db_url, "sqlite:", 7))
		return str_copy(out, outsz, cfg->db_url + 7) < 0 ? -ENAMETOOLONG
								: 0;
	if (cfg->db_url[0] == '/')
		return str_copy(out, outsz, cfg->db_url) < 0 ? -ENAMETOOLONG : 0;
	r = str_printf(out, outsz, "%s/db/bootyard.db", cfg->state_dir);
	if (r == 0 && lstat(out, &st) < 0 && errno == ENOENT) {
		char old[CFG_PATH_MAX + 16];

		if (str_printf(old, sizeof(old), "%s/bootyard.db",
			       cfg->state_dir) == 0 &&
		    lstat(old, &st) == 0 && S_ISREG(st.st_mode))
			r = str_copy(out, outsz, old);
	}
	return r;
}

/* cfg_db_dir - see config.h. */
int
cfg_db_dir(const struct by_config *cfg, char *out, size_t outsz)
{
	return str_printf(out, outsz, "%s/db", cfg->state_dir);
}

/* cfg_lease_spool - see config.h. */
int
cfg_lease_spool(const struct by_config *cfg, char *out, size_t outsz)
{
	return str_printf(out, outsz, "%s/db/spool", cfg->state_dir);
}

/* ---- value parsers ------------------------------------------------- */

/* Words a string key may take instead of its normal form. */
enum {
	ALLOW_EMPTY = 1 << 0, /* "" = a derived default */
	ALLOW_AUTO = 1 << 1,  /* "auto" */
	ALLOW_OFF = 1 << 2,   /* "off" */
	REPEAT = 1 << 3,      /* may be given on several lines: the first
				 clears the field (the default), then the
				 parser adds each */
};

struct cfg_key;
/*
 * A value parser: check value and store it into field (of size k->size).
 * Returns 0, or -EINVAL with a reason written into why (whysz bytes).
 */
typedef int (*cfg_parse_fn)(const struct cfg_key *k, const char *value,
			    void *field, char *why, size_t whysz);

struct cfg_key {
	const char *section;
	const char *name;
	cfg_parse_fn parse;
	size_t offset, size;
	unsigned flags;                /* ALLOW_* for strings */
	unsigned long long min, max;   /* numbers and durations */
	const char *const *names;      /* enums; "" entries are skipped */
};

/* special_word - true (and copies value) when value is an allowed word. */
static bool
special_word(const struct cfg_key *k, const char *value, void *field)
{
	if (((k->flags & ALLOW_EMPTY) && !*value) ||
	    ((k->flags & ALLOW_AUTO) && !strcmp(value, "auto")) ||
	    ((k->flags & ALLOW_OFF) && !strcmp(value, "off"))) {
		str_copy(field, k->size, value);
		return true;
	}
	return false;
}

/* store_string - copy value into the field, or say it is too long. */
static int
store_string(const struct cfg_key *k, const char *value, void *field,
	     char *why, size_t whysz)
{
	if (str_copy(field, k->size, value) < 0) {
		snprintf(why, whysz, "too long (at most %zu characters)",
			 k->size - 1);
		return -EINVAL;
	}
	return 0;
}

/*
 * parse_path - an absolute path of [A-Za-z0-9._/+@~-] only: these paths
 * end up in dnsmasq's configuration and command line, where spaces,
 * commas and quotes would change the meaning.
 */
static int
parse_path(const struct cfg_key *k, const char *value, void *field,
	   char *why, size_t whysz)
{
	const char *p;

	if (special_word(k, value, field))
		return 0;
	if (value[0] != '/') {
		snprintf(why, whysz, "not an absolute path%s",
			 k->flags & ALLOW_AUTO	 ? " or 'auto'"
			 : k->flags & ALLOW_OFF	 ? " or 'off'"
			 : k->flags & ALLOW_EMPTY ? " (or empty for the default)"
						 : "");
		return -EINVAL;
	}
	for (p = value; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("._/+@~-", c))) {
			snprintf(why, whysz,
				 "character 0x%02x not allowed in a path "
				 "(only A-Z a-z 0-9 . _ / + @ ~ -)",
				 (unsigned char)c);
			return -EINVAL;
		}
	}
	return store_string(k, value, field, why, whysz);
}

/*
 * parse_db_url - "" (SQLite in state_dir), "sqlite:PATH" or an absolute
 * PATH (as parse_path), or a PostgreSQL URL "postgresql://..." /
 * "postgres://..." of URL characters only, without a password: a
 * password in the URL ends up in process listings, logs and the lease
 * hook's environment ([db] password_file instead).
 */
static int
parse_db_url(const struct cfg_key *k, const char *value, void *field,
	     char *why, size_t whysz)
{
	const char *p, *auth, *at, *slash;

	if (!value[0])
		return store_string(k, value, field, why, whysz);
	if (!strncmp(value, "sqlite:", 7) || value[0] == '/') {
		const char *path = value[0] == '/' ? value : value + 7;
		int r = parse_path(k, path, field, why, whysz);

		return r < 0 ? r : store_string(k, value, field, why, whysz);
	}
	if (!db_location_is_pg(value)) {
		snprintf(why, whysz,
			 "not sqlite:PATH, an absolute path or a "
			 "postgresql:// URL");
		return -EINVAL;
	}
	for (p = value; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("._/+@~:?&=%,[]-", c))) {
			snprintf(why, whysz,
				 "character 0x%02x not allowed in a database "
				 "URL",
				 (unsigned char)c);
			return -EINVAL;
		}
	}
	auth = strstr(value, "://") + 3;
	slash = strchr(auth, '/');
	at = strchr(auth, '@');
	if ((at && (!slash || at < slash) && memchr(auth, ':', (size_t)(at - auth))) ||
	    strstr(value, "password=") || strstr(value, "password_file=")) {
		snprintf(why, whysz,
			 "no password in the URL (it would show in process "
			 "lists and logs): use [db] password_file, or "
			 "PGPASSFILE / a service file");
		return -EINVAL;
	}
	return store_string(k, value, field, why, whysz);
}

/* parse_ifname - "auto" or a Linux interface name (1..15 characters). */
static int
parse_ifname(const struct cfg_key *k, const char *value, void *field,
	     char *why, size_t whysz)
{
	size_t n = strlen(value);

	if (special_word(k, value, field))
		return 0;
	if (!valid_ifname(value)) {
		snprintf(why, whysz,
			 n == 0 || n > IFNAME_MAX
				 ? "not an interface name (1 to 15 "
				   "characters) or 'auto'"
				 : "not an interface name (only "
				   "A-Z a-z 0-9 . _ -) or 'auto'");
		return -EINVAL;
	}
	return store_string(k, value, field, why, whysz);
}

/* An address value (and "auto", START,END, ADDRESS:PORT) has room for
 * any address text bootyard stores. */
_Static_assert(CFG_ADDR_MAX >= ADDR_STRLEN, "config address size");

/*
 * parse_ipv4 - "auto" or a dotted-quad IPv4 address. server_address
 * stays IPv4 (valid_ipv4, not valid_ip): it is what DHCPv4 clients are
 * told (next-server, the boot URLs in boot.ipxe, the iPXE build, grub);
 * serving IPv6 clients will need an address of its own.
 */
static int
parse_ipv4(const struct cfg_key *k, const char *value, void *field,
	   char *why, size_t whysz)
{
	if (special_word(k, value, field))
		return 0;
	if (!valid_ipv4(value)) {
		snprintf(why, whysz, "not an IPv4 address (like 198.18.0.1)%s",
			 k->flags & ALLOW_AUTO ? " or 'auto'" : "");
		return -EINVAL;
	}
	return store_string(k, value, field, why, whysz);
}

/* parse_appliance_name - a host name (valid_hostname) that fits. */
static int
parse_appliance_name(const struct cfg_key *k, const char *value,
		     void *field, char *why, size_t whysz)
{
	const char *w = valid_hostname_why(value);

	if (w) {
		snprintf(why, whysz, "not a host name: %s", w);
		return -EINVAL;
	}
	return store_string(k, value, field, why, whysz);
}

/* parse_user - a POSIX-style user name: [a-z_][a-z0-9_-]*, 1..32. */
static int
parse_user(const struct cfg_key *k, const char *value, void *field,
	   char *why, size_t whysz)
{
	size_t i, n = strlen(value);
	bool ok = n > 0 && n <= 32 &&
		  ((value[0] >= 'a' && value[0] <= 'z') || value[0] == '_');

	for (i = 1; ok && i < n; i++) {
		char c = value[i];
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		     c == '_' || c == '-';
	}
	if (!ok) {
		snprintf(why, whysz, "not a user name ([a-z_][a-z0-9_-]*, "
				     "at most 32 characters)");
		return -EINVAL;
	}
	return store_string(k, value, field, why, whysz);
}

/* parse_name - valid_name(): [a-z0-9][a-z0-9._-]*. */
static int
parse_name(const struct cfg_key *k, const char *value, void *field,
	   char *why, size_t whysz)
{
	if (!valid_name(value)) {
		snprintf(why, whysz, "not a name ([a-z0-9][a-z0-9._-]*, at "
				     "most %d characters)",
			 NAME_MAX_LEN);
		return -EINVAL;
	}
	return store_string(k, value, field, why, whysz);
}

/* ipv4_value - the address as a number; s must be valid_ipv4(). */
static uint32_t
ipv4_value(const char *s)
{
	uint32_t v = 0, part = 0;

	for (; *s; s++) {
		if (*s == '.') {
			v = (v << 8) | part;
			part = 0;
		} else {
			part = part * 10 + (uint32_t)(*s - '0');
		}
	}
	return (v << 8) | part;
}

/* in_subnet - is a inside the /prefix network of net? (both valid) */
static bool
in_subnet(const char *a, const char *net, unsigned prefix)
{
	uint32_t mask = prefix ? ~0u << (32 - prefix) : 0;

	return (ipv4_value(a) & mask) == (ipv4_value(net) & mask);
}

/* range_addr - copy an IPv4 address token of n bytes into out (16). */
static bool
range_addr(const char *p, size_t n, char out[16])
{
	if (n == 0 || n >= 16)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return valid_ipv4(out);
}

/* range_option - one NAME=VALUE token of a range line into r. */
static int
range_option(const char *tok, size_t len, struct cfg_range *r,
	     unsigned *seen, char *why, size_t whysz)
{
	static const char *const names[] = { "prefix", "router", "dns",
					     "domain" };
	const char *eq = memchr(tok, '=', len), *v;
	char val[CFG_RANGE_TEXT_MAX];
	unsigned long long u;
	size_t i, n, vl;

	if (!eq) {
		snprintf(why, whysz, "expected NAME=VALUE after START,END "
				     "(prefix=, router=, dns=, domain=)");
		return -EINVAL;
	}
	n = (size_t)(eq - tok);
	v = eq + 1;
	vl = len - n - 1;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == n && !strncmp(tok, names[i], n))
			break;
	if (i == ARRAY_SIZE(names)) {
		snprintf(why, whysz, "unknown range option (known: prefix, "
				     "router, dns, domain)");
		return -EINVAL;
	}
	if (*seen & (1u << i)) {
		snprintf(why, whysz, "%s= given twice", names[i]);
		return -EINVAL;
	}
	*seen |= 1u << i;
	if (!vl || vl >= sizeof(val)) {
		snprintf(why, whysz, "%s= needs a value", names[i]);
		return -EINVAL;
	}
	memcpy(val, v, vl);
	val[vl] = '\0';
	switch (i) {
	case 0:
		if (parse_uint(val, 8, 30, &u) < 0) {
			snprintf(why, whysz, "prefix= must be a prefix length "
					     "from 8 to 30");
			return -EINVAL;
		}
		r->prefix = (unsigned)u;
		return 0;
	case 1:
		if (!strcmp(val, "none") ||
		    range_addr(val, vl, r->router)) {
			str_copy(r->router, sizeof(r->router), val);
			return 0;
		}
		snprintf(why, whysz, "router= must be an IPv4 address or "
				     "'none'");
		return -EINVAL;
	case 2:
		for (v = val; *v;) {
			const char *c = strchr(v, ',');
			size_t al = c ? (size_t)(c - v) : strlen(v);

			if (r->n_dns == CFG_RANGE_DNS_MAX) {
				snprintf(why, whysz, "dns= takes at most %d "
					 "addresses", CFG_RANGE_DNS_MAX);
				return -EINVAL;
			}
			if (!range_addr(v, al, r->dns[r->n_dns])) {
				snprintf(why, whysz, "dns= must be IPv4 "
						     "addresses separated by "
						     "commas");
				return -EINVAL;
			}
			r->n_dns++;
			v = c ? c + 1 : v + al;
			if (c && !*v) {
				snprintf(why, whysz, "dns= ends with a comma");
				return -EINVAL;
			}
		}
		return 0;
	default:
		if (vl >= sizeof(r->domain) || !valid_hostname(val)) {
			snprintf(why, whysz, "domain= must be a DNS name");
			return -EINVAL;
		}
		str_copy(r->domain, sizeof(r->domain), val);
		return 0;
	}
}

/*
 * cfg_range_parse - see config.h. Tokens are separated by blanks: the
 * first is "auto" or START,END, the others NAME=VALUE.
 */
int
cfg_range_parse(const char *text, struct cfg_range *ret, char *why,
		size_t whysz)
{
	struct cfg_range r;
	const char *p, *comma;
	unsigned seen = 0;
	size_t len;
	bool first = true;

	memset(&r, 0, sizeof(r));
	if (!text || strnlen(text, CFG_RANGE_TEXT_MAX + 1) >
			     CFG_RANGE_TEXT_MAX) {
		snprintf(why, whysz, "longer than %d characters",
			 CFG_RANGE_TEXT_MAX);
		return -EINVAL;
	}
	for (p = text;; p += len) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " \t");
		if (!first) {
			if (range_option(p, len, &r, &seen, why, whysz) < 0)
				return -EINVAL;
			continue;
		}
		first = false;
		if (len == 4 && !strncmp(p, "auto", 4)) {
			r.is_auto = true;
			continue;
		}
		comma = memchr(p, ',', len);
		if (!comma || !range_addr(p, (size_t)(comma - p), r.start) ||
		    !range_addr(comma + 1, len - (size_t)(comma - p) - 1,
				r.end)) {
			snprintf(why, whysz,
				 "not 'auto' or START,END [OPTIONS] (like "
				 "198.18.0.100,198.18.0.200 or 198.18.1.100,"
				 "198.18.1.200 prefix=24 router=198.18.1.1)");
			return -EINVAL;
		}
		if (ipv4_value(r.start) > ipv4_value(r.end)) {
			snprintf(why, whysz, "START is after END");
			return -EINVAL;
		}
	}
	if (first) {
		snprintf(why, whysz, "empty (give 'auto' or START,END)");
		return -EINVAL;
	}
	if (r.is_auto && r.prefix) {
		snprintf(why, whysz, "prefix= does not go with auto (the "
				     "interface's prefix is used)");
		return -EINVAL;
	}
	if (r.prefix) {
		uint32_t mask = ~0u << (32 - r.prefix);
		uint32_t s = ipv4_value(r.start), e = ipv4_value(r.end);

		if (!in_subnet(r.end, r.start, r.prefix)) {
			snprintf(why, whysz, "START and END are not in one /%u "
					     "subnet", r.prefix);
			return -EINVAL;
		}
		if ((s & ~mask) == 0 || (e & ~mask) == ~mask) {
			snprintf(why, whysz, "the range holds the subnet's "
					     "network or broadcast address");
			return -EINVAL;
		}
		if (r.router[0] && strcmp(r.router, "none") &&
		    !in_subnet(r.router, r.start, r.prefix)) {
			snprintf(why, whysz, "router= is outside the range's "
					     "/%u subnet", r.prefix);
			return -EINVAL;
		}
	}
	*ret = r;
	return 0;
}

/* cfg_range_format - see config.h. */
int
cfg_range_format(const struct cfg_range *r, char *out, size_t outsz)
{
	size_t off = 0;
	unsigned i;
	int n;

	n = r->is_auto ? snprintf(out, outsz, "auto")
		       : snprintf(out, outsz, "%s,%s", r->start, r->end);
	if (n < 0 || (size_t)n >= outsz)
		return -ENAMETOOLONG;
	off = (size_t)n;
#define RANGE_ADD(...)                                                  \
	do {                                                            \
		n = snprintf(out + off, outsz - off, __VA_ARGS__);      \
		if (n < 0 || (size_t)n >= outsz - off)                  \
			return -ENAMETOOLONG;                           \
		off += (size_t)n;                                       \
	} while (0)
	if (r->prefix)
		RANGE_ADD(" prefix=%u", r->prefix);
	if (r->router[0])
		RANGE_ADD(" router=%s", r->router);
	for (i = 0; i < r->n_dns && i < CFG_RANGE_DNS_MAX; i++)
		RANGE_ADD("%s%s", i ? "," : " dns=", r->dns[i]);
	if (r->domain[0])
		RANGE_ADD(" domain=%s", r->domain);
#undef RANGE_ADD
	return 0;
}

/* ranges_overlap - do two explicit ranges share an address? */
static bool
ranges_overlap(const struct cfg_range *a, const struct cfg_range *b)
{
	return !a->is_auto && !b->is_auto &&
	       ipv4_value(a->start) <= ipv4_value(b->end) &&
	       ipv4_value(b->start) <= ipv4_value(a->end);
}

/*
 * parse_range - one [dhcp] range line (cfg_range_parse) appended to the
 * list; the key may be repeated (the first line replaces the default
 * "auto"). At most CFG_RANGES_MAX lines, one "auto", no two ranges
 * sharing an address; or one line "off": no DHCPv4 pool (IPv6 only).
 */
static int
parse_range(const struct cfg_key *k, const char *value, void *field,
	    char *why, size_t whysz)
{
	struct cfg_ranges *rs = field;
	struct cfg_range r;
	unsigned i;

	(void)k;
	if (!strcmp(value, "off") || rs->off) {
		if (rs->n || rs->off) {
			snprintf(why, whysz, "'off' goes alone (no other range "
					     "line)");
			return -EINVAL;
		}
		rs->off = true;
		return 0;
	}
	if (rs->n >= CFG_RANGES_MAX) {
		snprintf(why, whysz, "more than %d range lines",
			 CFG_RANGES_MAX);
		return -EINVAL;
	}
	if (cfg_range_parse(value, &r, why, whysz) < 0)
		return -EINVAL;
	for (i = 0; i < rs->n; i++) {
		if (r.is_auto && rs->r[i].is_auto) {
			snprintf(why, whysz, "'auto' given twice");
			return -EINVAL;
		}
		if (ranges_overlap(&r, &rs->r[i])) {
			snprintf(why, whysz, "overlaps the range %s,%s",
				 rs->r[i].start, rs->r[i].end);
			return -EINVAL;
		}
	}
	rs->r[rs->n++] = r;
	return 0;
}

/*
 * cfg_range6_split - "START,END[,PREFIXLEN]" into its parts: two IPv6
 * addresses (valid_ipv6), START <= END, PREFIXLEN 64..128 (64 when not
 * given). Returns 0, or -EINVAL with a reason in why.
 */
int
cfg_range6_split(const char *value, char start[ADDR_STRLEN],
		 char end[ADDR_STRLEN], unsigned *ret_prefix, char *why,
		 size_t whysz)
{
	char tmp[2 * CFG_ADDR_MAX + 8], *c1, *c2;
	unsigned long long plen = 64;
	struct in6_addr a, b;

	if (str_copy(tmp, sizeof(tmp), value) < 0 ||
	    !(c1 = strchr(tmp, ','))) {
		snprintf(why, whysz, "not 'auto', 'off' or START,END[,PREFIXLEN] "
				     "(like fd00:b007::100,fd00:b007::1ff,64)");
		return -EINVAL;
	}
	*c1++ = '\0';
	c2 = strchr(c1, ',');
	if (c2)
		*c2++ = '\0';
	if (!valid_ipv6(tmp) || !valid_ipv6(c1)) {
		snprintf(why, whysz, "START,END must be two IPv6 addresses in "
				     "canonical form (like fd00:b007::100,"
				     "fd00:b007::1ff)");
		return -EINVAL;
	}
	if (c2 && parse_uint(c2, 64, 128, &plen) < 0) {
		snprintf(why, whysz, "PREFIXLEN must be a number from 64 to 128");
		return -EINVAL;
	}
	inet_pton(AF_INET6, tmp, &a);
	inet_pton(AF_INET6, c1, &b);
	if (memcmp(&a, &b, sizeof(a)) > 0) {
		snprintf(why, whysz, "START is after END");
		return -EINVAL;
	}
	str_copy(start, ADDR_STRLEN, tmp);
	str_copy(end, ADDR_STRLEN, c1);
	*ret_prefix = (unsigned)plen;
	return 0;
}

/* parse_range6 - "auto", "off" or START,END[,PREFIXLEN] (IPv6). */
static int
parse_range6(const struct cfg_key *k, const char *value, void *field,
	     char *why, size_t whysz)
{
	char s[ADDR_STRLEN], e[ADDR_STRLEN];
	unsigned p;

	if (special_word(k, value, field))
		return 0;
	if (cfg_range6_split(value, s, e, &p, why, whysz) < 0)
		return -EINVAL;
	return store_string(k, value, field, why, whysz);
}

/*
 * store_listen - the end of both listen parsers: port, the text after
 * the address, is a number in 1..65535; then value is stored whole.
 */
static int
store_listen(const struct cfg_key *k, const char *value, const char *port,
	     void *field, char *why, size_t whysz)
{
	unsigned long long n;

	if (parse_uint(port, 1, 65535, &n) < 0) {
		snprintf(why, whysz, "port must be a number from 1 to 65535");
		return -EINVAL;
	}
	return store_string(k, value, field, why, whysz);
}

/* parse_listen6 - "auto", "off" or [ADDRESS]:PORT, ADDRESS IPv6. */
static int
parse_listen6(const struct cfg_key *k, const char *value, void *field,
	      char *why, size_t whysz)
{
	char addr[CFG_ADDR_MAX];
	const char *close;
	size_t n;

	if (special_word(k, value, field))
		return 0;
	close = value[0] == '[' ? strchr(value, ']') : NULL;
	n = close ? (size_t)(close - value - 1) : 0;
	if (!close || close[1] != ':' || n >= sizeof(addr)) {
		snprintf(why, whysz, "not 'auto', 'off' or [ADDRESS]:PORT (like "
				     "[::]:80)");
		return -EINVAL;
	}
	memcpy(addr, value + 1, n);
	addr[n] = '\0';
	if (!valid_ipv6(addr)) {
		snprintf(why, whysz, "not an IPv6 address in brackets "
				     "([ADDRESS]:PORT, like [::]:80)");
		return -EINVAL;
	}
	return store_listen(k, value, close + 2, field, why, whysz);
}

/*
 * parse_listen - ADDRESS:PORT with an IPv4 ADDRESS (0.0.0.0 = every
 * address) and a PORT in 1..65535; "off" where the key allows it.
 */
static int
parse_listen(const struct cfg_key *k, const char *value, void *field,
	     char *why, size_t whysz)
{
	char addr[CFG_ADDR_MAX];
	const char *colon;
	size_t n;

	if (special_word(k, value, field))
		return 0;
	colon = strrchr(value, ':');
	n = colon ? (size_t)(colon - value) : 0;
	if (!colon || n >= sizeof(addr)) {
		snprintf(why, whysz, "not ADDRESS:PORT (like 0.0.0.0:80)%s",
			 k->flags & ALLOW_OFF ? " or 'off'" : "");
		return -EINVAL;
	}
	memcpy(addr, value, n);
	addr[n] = '\0';
	if (!valid_ipv4(addr)) {
		snprintf(why, whysz, "'%s' is not an IPv4 address (ADDRESS:PORT, "
				     "like 0.0.0.0:80)",
			 valid_text(addr, 40) ? addr : "ADDRESS");
		return -EINVAL;
	}
	return store_listen(k, value, colon + 1, field, why, whysz);
}

/*
 * cfg_parse_duration - "3600", "45s", "30m", "1h", "2d" or a sum such as
 * "1h30m" into seconds. Returns 0, -EINVAL or -ERANGE.
 */
static int
cfg_parse_duration(const char *s, unsigned long long *ret)
{
	unsigned long long total = 0;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	while (*p) {
		unsigned long long v = 0, mul;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			if (++digits > 9)
				return -ERANGE;
			v = v * 10 + (unsigned)(*p++ - '0');
		}
		if (!digits)
			return -EINVAL;
		switch (*p) {
		case '\0':
			/* A bare number is seconds, only on its own. */
			if (p - s != digits)
				return -EINVAL;
			mul = 1;
			break;
		case 's':
			mul = 1;
			p++;
			break;
		case 'm':
			mul = 60;
			p++;
			break;
		case 'h':
			mul = 3600;
			p++;
			break;
		case 'd':
			mul = 86400;
			p++;
			break;
		default:
			return -EINVAL;
		}
		total += v * mul;
		if (total > UINT32_MAX)
			return -ERANGE;
	}
	*ret = total;
	return 0;
}

/* parse_duration - a duration in [min, max] seconds into an unsigned. */
static int
parse_duration(const struct cfg_key *k, const char *value, void *field,
	       char *why, size_t whysz)
{
	unsigned long long v;
	unsigned u;
	int r;

	r = cfg_parse_duration(value, &v);
	if (r == -EINVAL) {
		snprintf(why, whysz, "not a duration (like 3600, 45s, 30m, 1h, "
				     "2d or 1h30m)");
		return r;
	}
	if (r < 0 || v < k->min || v > k->max) {
		snprintf(why, whysz, "out of range (%llu to %llu seconds)",
			 k->min, k->max);
		return -EINVAL;
	}
	u = (unsigned)v;
	memcpy(field, &u, sizeof(u));
	return 0;
}

/* parse_number - a decimal number in [min, max] into an unsigned. */
static int
parse_number(const struct cfg_key *k, const char *value, void *field,
	     char *why, size_t whysz)
{
	unsigned long long v;
	unsigned u;
	int r;

	r = parse_uint(value, k->min, k->max, &v);
	if (r == -EINVAL) {
		snprintf(why, whysz, "not a number");
		return r;
	}
	if (r < 0) {
		snprintf(why, whysz, "out of range (%llu to %llu)", k->min,
			 k->max);
		return -EINVAL;
	}
	u = (unsigned)v;
	memcpy(field, &u, sizeof(u));
	return 0;
}

/*
 * parse_mtu - "auto" (0: dnsmasq clamps the TFTP block size to the
 * interface MTU) or a path MTU in [min, max] into an unsigned.
 */
static int
parse_mtu(const struct cfg_key *k, const char *value, void *field,
	  char *why, size_t whysz)
{
	unsigned zero = 0;

	if (!strcmp(value, "auto")) {
		memcpy(field, &zero, sizeof(zero));
		return 0;
	}
	if (parse_number(k, value, field, why, whysz) < 0) {
		snprintf(why, whysz, "not 'auto' or an MTU from %llu to %llu",
			 k->min, k->max);
		return -EINVAL;
	}
	return 0;
}

/* parse_bool - yes/no, true/false, on/off, 1/0. */
static int
parse_bool(const struct cfg_key *k, const char *value, void *field,
	   char *why, size_t whysz)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;
	bool b;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(value, yes[i])) {
			b = true;
			goto store;
		}
		if (!strcmp(value, no[i])) {
			b = false;
			goto store;
		}
	}
	snprintf(why, whysz, "not yes or no");
	return -EINVAL;
store:
	memcpy(field, &b, sizeof(b));
	return 0;
}

/* parse_enum - one of k->names (index = enum value) into an int. */
static int
parse_enum(const struct cfg_key *k, const char *value, void *field,
	   char *why, size_t whysz)
{
	const char *sep;
	size_t i, off;
	int v;

	for (i = 0; k->names[i]; i++) {
		if (k->names[i][0] && !strcmp(value, k->names[i])) {
			v = (int)i;
			memcpy(field, &v, sizeof(v));
			return 0;
		}
	}
	off = (size_t)snprintf(why, whysz, "expected one of");
	sep = " ";
	for (i = 0; k->names[i] && off < whysz; i++) {
		if (!k->names[i][0])
			continue;
		off += (size_t)snprintf(why + off, whysz - off, "%s%s", sep,
					k->names[i]);
		sep = ", ";
	}
	return -EINVAL;
}

/*
 * [boot] local_bios / local_efi: parse_enum over the methods the
 * firmware's architecture row allows (arch.h), a real method, never
 * "default"; the others are "" (skipped).
 */
static int
parse_local(const struct cfg_key *k, enum arch_fw fw, const char *value,
	    void *field, char *why, size_t whysz)
{
	const struct arch *a = arch_primary(fw);
	const char *names[ARRAY_SIZE(local_boot_names)];
	struct cfg_key lk = *k;
	size_t i;

	for (i = 0; local_boot_names[i]; i++)
		names[i] = i != LOCAL_BOOT_DEFAULT && a &&
				   (a->local_allowed & (1u << i))
			       ? local_boot_names[i]
			       : "";
	names[i] = NULL;
	lk.names = names;
	return parse_enum(&lk, value, field, why, whysz);
}

static int
parse_local_bios(const struct cfg_key *k, const char *value, void *field,
		 char *why, size_t whysz)
{
	return parse_local(k, ARCH_FW_BIOS, value, field, why, whysz);
}

/* [boot] local_efi: parse_local, with the reason for the two methods
 * that work on BIOS but not on UEFI (checked in the lab, e2e/local_methods). */
static int
parse_local_efi(const struct cfg_key *k, const char *value, void *field,
		char *why, size_t whysz)
{
	if (!strcmp(value, "sanboot")) {
		snprintf(why, whysz,
			 "iPXE on UEFI cannot sanboot a local drive (\"No such "
			 "device\"): use grub or exit1");
		return -EINVAL;
	}
	if (!strcmp(value, "exit")) {
		snprintf(why, whysz,
			 "a plain exit makes UEFI firmware stop in its boot "
			 "menu: use exit1 or grub");
		return -EINVAL;
	}
	return parse_local(k, ARCH_FW_UEFI, value, field, why, whysz);
}

#define F(field) offsetof(struct by_config, field), \
		 sizeof(((struct by_config *)0)->field)

/* Every key of the file. docs/config.md documents the same list. */
static const struct cfg_key cfg_keys[] = {
	{ "appliance", "state_dir", parse_path, F(state_dir), 0, 0, 0, NULL },
	{ "appliance", "run_dir", parse_path, F(run_dir), ALLOW_EMPTY, 0, 0,
	  NULL },
	{ "appliance", "interface", parse_ifname, F(interface), ALLOW_AUTO, 0,
	  0, NULL },
	{ "appliance", "server_address", parse_ipv4, F(server_address),
	  ALLOW_AUTO, 0, 0, NULL },
	{ "appliance", "user", parse_user, F(user), 0, 0, 0, NULL },
	{ "appliance", "name", parse_appliance_name, F(name), 0, 0, 0, NULL },
	{ "appliance", "events_keep", parse_number, F(events_keep), 0, 0,
	  1000000000, NULL },
	{ "appliance", "leases_keep", parse_duration, F(leases_keep), 0, 3600,
	  3650u * 86400, NULL },

	{ "dhcp", "mode", parse_enum, F(dhcp_mode), 0, 0, 0, dhcp_mode_names },
	{ "dhcp", "range", parse_range, F(ranges), REPEAT, 0, 0, NULL },
	{ "dhcp", "range6", parse_range6, F(range6), ALLOW_AUTO | ALLOW_OFF,
	  0, 0, NULL },
	{ "dhcp", "lease_time", parse_duration, F(lease_time), 0, 120,
	  365 * 86400, NULL },
	{ "dhcp", "bios_loader", parse_enum, F(bios_loader), 0, 0, 0,
	  bios_loader_names },
	{ "dhcp", "uefi_loader", parse_enum, F(uefi_loader), 0, 0, 0,
	  uefi_loader_names },
	{ "dhcp", "ipxe_detect", parse_bool, F(ipxe_detect), 0, 0, 0, NULL },
	{ "dhcp", "http_boot_tls", parse_bool, F(http_boot_tls), 0, 0, 0,
	  NULL },
	{ "dhcp", "tftp_root", parse_path, F(tftp_root), ALLOW_EMPTY, 0, 0,
	  NULL },
	{ "dhcp", "dnsmasq", parse_path, F(dnsmasq), 0, 0, 0, NULL },
	{ "dhcp", "tftp_single_port", parse_bool, F(tftp_single_port), 0, 0, 0,
	  NULL },
	{ "dhcp", "tftp_max", parse_number, F(tftp_max), 0, 1, 65535, NULL },
	{ "dhcp", "tftp_mtu", parse_mtu, F(tftp_mtu), 0, 576, 65535, NULL },
	{ "dhcp", "allow_other_servers", parse_bool, F(allow_other_servers), 0,
	  0, 0, NULL },
	{ "dhcp", "probe_interval", parse_duration, F(probe_interval), 0, 0,
	  86400, NULL },
	{ "dhcp", "probe_wait", parse_duration, F(probe_wait), 0, 0, 30,
	  NULL },

	{ "http", "listen", parse_listen, F(listen), 0, 0, 0, NULL },
	{ "http", "listen6", parse_listen6, F(listen6), ALLOW_AUTO | ALLOW_OFF,
	  0, 0, NULL },
	{ "http", "files_dir", parse_path, F(files_dir), 0, 0, 0, NULL },
	{ "http", "tls_listen", parse_listen, F(tls_listen), ALLOW_OFF, 0, 0,
	  NULL },
	{ "http", "tls_cert", parse_path, F(tls_cert), ALLOW_EMPTY, 0, 0,
	  NULL },
	{ "http", "tls_key", parse_path, F(tls_key), ALLOW_EMPTY, 0, 0, NULL },
	{ "http", "max_connections", parse_number, F(max_connections), 0, 1,
	  65536, NULL },
	{ "http", "connection_timeout", parse_duration,
	  F(connection_timeout), 0, 1, 3600, NULL },
	{ "http", "connections_per_address", parse_number,
	  F(connections_per_address), 0, 1, 65536, NULL },
	{ "http", "header_timeout", parse_duration, F(header_timeout), 0, 1,
	  3600, NULL },
	{ "http", "threads", parse_number, F(threads), 0, 0, 256, NULL },
	{ "http", "access_log", parse_path, F(access_log),
	  ALLOW_EMPTY | ALLOW_OFF, 0, 0, NULL },

	{ "ipxe", "source", parse_path, F(ipxe_source), ALLOW_AUTO, 0, 0,
	  NULL },
	{ "ipxe", "build_config", parse_name, F(ipxe_build_config), 0, 0, 0,
	  NULL },

	{ "admin", "listen", parse_listen, F(admin_listen), ALLOW_OFF, 0, 0,
	  NULL },
	{ "db", "url", parse_db_url, F(db_url), ALLOW_EMPTY, 0, 0, NULL },
	{ "db", "password_file", parse_path, F(db_password_file),
	  ALLOW_EMPTY, 0, 0, NULL },
	{ "admin", "token_file", parse_path, F(admin_token_file), 0, 0, 0,
	  NULL },
	{ "admin", "tls", parse_bool, F(admin_tls), 0, 0, 0, NULL },

	{ "boot", "unknown", parse_enum, F(unknown), 0, 0, 0, unknown_names },
	{ "boot", "menu_install", parse_enum, F(menu_install), 0, 0, 0,
	  menu_install_names },
	{ "boot", "menu_timeout", parse_duration, F(menu_timeout), 0, 0, 3600,
	  NULL },
	{ "boot", "install_attempts", parse_number, F(install_attempts), 0, 1,
	  100, NULL },
	{ "boot", "local_bios", parse_local_bios, F(local_bios), 0, 0, 0,
	  NULL },
	{ "boot", "local_efi", parse_local_efi, F(local_efi), 0, 0, 0,
	  NULL },
	{ "boot", "unknown_keep", parse_number, F(unknown_keep), 0, 1,
	  10000000, NULL },
	{ "boot", "unknown_rate", parse_number, F(unknown_rate), 0, 1,
	  1000000, NULL },
	{ "boot", "token_lifetime", parse_duration, F(token_lifetime), 0, 60,
	  30 * 86400, NULL },
};

#undef F

static const char *const cfg_sections[] = { "appliance", "dhcp", "http",
					     "ipxe", "admin", "boot", "db" };

/* ---- the parser ---------------------------------------------------- */

struct cfg_parser {
	struct by_config *cfg;
	FILE *f;
	const char *path;
	char *line;     /* getline() buffer */
	size_t linecap;
	int lineno;     /* the line the reader handed out last */
	int err_line;   /* 0 = no error yet */
	char *err;
	size_t errsz;
	int seen[ARRAY_SIZE(cfg_keys)]; /* line a key was set on, 0 = not */
};

/* parser_error - record the first error: "FILE:LINE: what". */
static void __attribute__((format(printf, 3, 4)))
parser_error(struct cfg_parser *p, int line, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (p->err_line)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p->err_line = line;
	snprintf(p->err, p->errsz, "%s:%d: %s", p->path, line, what);
}

/* printable - s itself if it is short printable text, else a stand-in. */
static const char *
printable(const char *s)
{
	return valid_text(s, 64) ? s : "(unprintable or too long)";
}

/* known_section - true for a section name of cfg_sections. */
static bool
known_section(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cfg_sections); i++)
		if (!strcmp(name, cfg_sections[i]))
			return true;
	return false;
}

/*
 * cfg_reader - inih's line reader: hand out the next line into buf (num
 * bytes, inih's fixed line buffer), count it, and check what inih cannot:
 * lines longer than its buffer (inih would silently split them), NUL
 * bytes, and unknown section names (even of an empty section). A bad line
 * is recorded as the error and handed to inih as an empty line.
 */
static char *
cfg_reader(char *buf, int num, void *stream)
{
	struct cfg_parser *p = stream;
	ssize_t n;
	char *s, *end;

	n = getline(&p->line, &p->linecap, p->f);
	if (n < 0)
		return NULL;
	p->lineno++;
	if (strlen(p->line) != (size_t)n) {
		parser_error(p, p->lineno, "NUL byte in the line");
		goto blank;
	}
	if (n > 0 && p->line[n - 1] == '\n')
		p->line[--n] = '\0';
	if (n > 0 && p->line[n - 1] == '\r')
		p->line[--n] = '\0';
	if (n > num - 2) {
		parser_error(p, p->lineno,
			     "line too long (at most %d characters)", num - 2);
		goto blank;
	}
	/* A section header: "[name]" with optional blanks and comment. */
	for (s = p->line; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '[') {
		end = strchr(s, ']');
		if (end) {
			*end = '\0';
			if (!known_section(s + 1)) {
				parser_error(p, p->lineno,
					     "[%s]: unknown section (known: "
					     "appliance, dhcp, http, ipxe, "
					     "admin, boot, db)",
					     printable(s + 1));
				goto blank;
			}
			*end = ']';
		}
	}
	memcpy(buf, p->line, (size_t)n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return buf;
blank:
	buf[0] = '\n';
	buf[1] = '\0';
	return buf;
}

/* cfg_handler - inih's callback for each "name = value" in a section. */
static int
cfg_handler(void *user, const char *section, const char *name,
	    const char *value)
{
	struct cfg_parser *p = user;
	char why[256];
	size_t i;

	if (p->err_line)
		return 1; /* the first error is reported; skip the rest */
	if (!*section) {
		parser_error(p, p->lineno,
			     "%s: key outside a section (put it under "
			     "[appliance], [dhcp], ...)",
			     printable(name));
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (strcmp(section, k->section) || strcmp(name, k->name))
			continue;
		if (p->seen[i] && !(k->flags & REPEAT)) {
			parser_error(p, p->lineno,
				     "[%s] %s: set twice (first on line %d)",
				     section, name, p->seen[i]);
			return 0;
		}
		if (!p->seen[i] && (k->flags & REPEAT))
			memset((char *)p->cfg + k->offset, 0, k->size);
		p->seen[i] = p->lineno;
		if (!valid_text(value, 4096)) {
			parser_error(p, p->lineno,
				     "[%s] %s: control character in the value",
				     section, name);
			return 0;
		}
		if (k->parse(k, value, (char *)p->cfg + k->offset, why,
			     sizeof(why)) < 0) {
			parser_error(p, p->lineno, "[%s] %s: %s", section, name,
				     why);
			return 0;
		}
		return 1;
	}
	parser_error(p, p->lineno, "[%s] %s: unknown key", section,
		     printable(name));
	return 0;
}

/*
 * cfg_check_needs_tls - a key that is on (its section and name) and
 * needs the TLS boot listener: without [http] tls_listen, an error at
 * the key's line that says why (because). Returns 0 or -EINVAL.
 */
static int
cfg_check_needs_tls(struct cfg_parser *p, bool on, const char *section,
		    const char *name, const char *because)
{
	size_t i;

	if (!on || strcmp(p->cfg->tls_listen, "off"))
		return 0;
	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++)
		if (!strcmp(cfg_keys[i].section, section) &&
		    !strcmp(cfg_keys[i].name, name))
			break;
	parser_error(p, i < ARRAY_SIZE(cfg_keys) ? p->seen[i] : 0,
		     "[%s] %s: needs [http] tls_listen (%s)", section, name,
		     because);
	return -EINVAL;
}

/*
 * cfg_load - load path over the defaults into cfg (see config.h). On
 * error cfg holds the defaults plus whatever came before the bad line;
 * callers must not use it.
 */
int
cfg_load(struct by_config *cfg, const char *path, bool allow_missing,
	 char *err, size_t errsz)
{
	struct cfg_parser p = {
		.cfg = cfg,
		.path = path,
		.err = err,
		.errsz = errsz,
	};
	int r;

	cfg_defaults(cfg);
	if (errsz)
		err[0] = '\0';
	p.f = fopen(path, "re");
	if (!p.f) {
		r = -errno;
		if (r == -ENOENT && allow_missing)
			return 0;
		snprintf(err, errsz, "%s: cannot read: %s", path,
			 strerror(-r));
		return r;
	}
	errno = 0;
	r = ini_parse_stream(cfg_reader, &p, cfg_handler, &p);
	if (ferror(p.f) && !p.err_line) {
		r = errno ? -errno : -EIO;
		snprintf(err, errsz, "%s: cannot read: %s", path,
			 strerror(-r));
		goto out;
	}
	if (r > 0 && (!p.err_line || r < p.err_line)) {
		/* inih's own complaint: not a section header, not a key. */
		p.err_line = 0;
		parser_error(&p, r, "syntax error (expected [section], "
				    "key = value or a comment)");
	} else if (r < 0) {
		snprintf(err, errsz, "%s: out of memory", path);
		r = -ENOMEM;
		goto out;
	}
	r = p.err_line ? -EINVAL : 0;
	/* [admin] tls serves the console and the API with the certificate
	 * the TLS boot listener uses; [dhcp] http_boot_tls hands UEFI HTTP
	 * Boot clients an https:// URL of that listener. */
	if (!r)
		r = cfg_check_needs_tls(&p, p.cfg->admin_tls, "admin", "tls",
					"the admin listener uses the "
					"appliance's TLS certificate");
	if (!r)
		r = cfg_check_needs_tls(&p, p.cfg->http_boot_tls, "dhcp",
					"http_boot_tls",
					"the HTTPS URL is the TLS boot "
					"listener's");
	if (!r && str_copy(cfg->path, sizeof(cfg->path), path) < 0) {
		snprintf(err, errsz, "%s: path too long", path);
		r = -ENAMETOOLONG;
	}
out:
	free(p.line);
	fclose(p.f);
	return r;
}
