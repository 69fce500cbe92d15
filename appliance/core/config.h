/*
 * config.h - bootyard.conf, the one configuration file of every command.
 *
 * INI format (parsed with libinih). Every key has a default (see
 * cfg_defaults() and docs/config.md); an unknown section or key, or a bad
 * value, is an error that names file, line and key.
 */
#ifndef BOOTYARD_CONFIG_H
#define BOOTYARD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/valid.h"
#include "db/db.h"

#define CFG_DEFAULT_PATH "/etc/bootyard/bootyard.conf"
#define CFG_PATH_MAX 1024
#define CFG_ADDR_MAX 64

enum cfg_dhcp_mode { DHCP_MODE_DHCP, DHCP_MODE_PROXY, DHCP_MODE_OFF };
enum cfg_bios_loader { BIOS_LOADER_PXELINUX, BIOS_LOADER_UNDIONLY };
enum cfg_uefi_loader {
	UEFI_LOADER_SNPONLY,
	UEFI_LOADER_IPXE,
	UEFI_LOADER_GRUB,
	UEFI_LOADER_SHIM,
};
enum cfg_unknown { UNKNOWN_MENU, UNKNOWN_LOCAL };
/* [boot] menu_install: may a menu choice install (that boot only)?
 * auto: in dhcp mode, from the machine's leased address; never in proxy
 * or off mode (no leases seen there). yes: in proxy and off mode too,
 * from any address. no: menus offer no install. */
enum cfg_menu_install { MENU_INSTALL_AUTO, MENU_INSTALL_YES, MENU_INSTALL_NO };

/*
 * How a host in "local" state is handed to its disk, per platform:
 *   sanboot  iPXE "sanboot --no-describe --drive 0x80" (BIOS default)
 *   exit     iPXE "exit" (back to the firmware's boot order)
 *   exit1    iPXE "exit 1" (UEFI default: firmware tries its next entry)
 *   grub     chain the appliance's disk-finding grub (UEFI default:
 *            "exit 1" makes OVMF walk its PXEv6/HTTP entries first)
 *   nofile   dnsmasq gives the host no boot file while it is in local
 *            state: its firmware goes on to the disk without iPXE (a
 *            client that reaches iPXE anyway gets the platform's
 *            working method: sanboot on BIOS, grub on UEFI)
 */
enum cfg_local_boot {
	LOCAL_BOOT_DEFAULT = 0, /* per host: use the site's platform default */
	LOCAL_BOOT_SANBOOT,
	LOCAL_BOOT_EXIT,
	LOCAL_BOOT_EXIT1,
	LOCAL_BOOT_GRUB,
	LOCAL_BOOT_NOFILE,
};

/*
 * One [dhcp] range line: a pool of one subnet, served on the appliance's
 * own segment or, when outside it, through a DHCP relay (giaddr):
 *
 *   range = auto
 *   range = START,END [prefix=N] [router=ADDR|none] [dns=ADDR[,ADDR...]]
 *           [domain=NAME]
 *
 * e.g. "range = 198.18.1.100,198.18.1.200 prefix=24 router=198.18.1.1".
 * prefix is required for a subnet the appliance has no interface on (it
 * is checked against the interface when dnsmasq's config is rendered).
 */
#define CFG_RANGES_MAX 32
#define CFG_RANGE_DNS_MAX 3
#define CFG_RANGE_TEXT_MAX 256
struct cfg_range {
	bool is_auto;     /* "auto": the interface's subnet, derived */
	char start[16];   /* IPv4, START <= END */
	char end[16];
	unsigned prefix;  /* 0 = not given (the interface's), else 8..30 */
	char router[16];  /* "" = dnsmasq's default (itself, or the relay
			     for a relayed subnet), "none" = no router */
	char dns[CFG_RANGE_DNS_MAX][16]; /* n_dns of them */
	unsigned n_dns;
	char domain[64];  /* "" = none */
};

struct cfg_ranges {
	unsigned n;
	bool off;  /* range = off: no DHCPv4 pool (IPv6 only); n is 0 */
	struct cfg_range r[CFG_RANGES_MAX];
};

/*
 * cfg_range_parse - one [dhcp] range value (see struct cfg_range) into
 * *ret: the one validator of its syntax. Checks every address (IPv4),
 * START <= END, with prefix= both inside one subnet and neither its
 * network nor its broadcast address, the router inside it, each option
 * at most once, at most CFG_RANGE_DNS_MAX DNS servers, the domain a
 * valid host name, the text at most CFG_RANGE_TEXT_MAX bytes. Returns 0,
 * or -EINVAL with a reason in why (whysz bytes); *ret is untouched on
 * error.
 */
int cfg_range_parse(const char *text, struct cfg_range *ret, char *why,
		    size_t whysz);

/*
 * cfg_range_format - a range back in the file's syntax into out. 0 or
 * -ENAMETOOLONG.
 */
int cfg_range_format(const struct cfg_range *r, char *out, size_t outsz);

struct by_config {
	char path[CFG_PATH_MAX]; /* the file this was loaded from, or "" */

	/* [appliance] */
	char state_dir[CFG_PATH_MAX];      /* /var/lib/bootyard */
	char run_dir[CFG_PATH_MAX];        /* "" = <state_dir>/run */
	char interface[64];                /* "auto" or a name */
	char server_address[CFG_ADDR_MAX]; /* "auto" or an IPv4 address */
	char user[64];                     /* unprivileged user: bootyard */
	char name[DB_APPLIANCE_MAX];       /* this appliance's name in the
					      events it records; the host
					      name (cfg_default_name) */
	unsigned events_keep;              /* newest events kept, 0 = all;
					      500000 */
	unsigned leases_keep;              /* seconds a lease row is kept
					      after it was last seen and
					      its lease ended; 30d */

	/* [dhcp] */
	enum cfg_dhcp_mode dhcp_mode;     /* dhcp */
	struct cfg_ranges ranges;         /* [dhcp] range, one line per
					     subnet; default: one "auto" */
	char range6[2 * CFG_ADDR_MAX + 8]; /* "auto" (DHCPv6 + RA when the
					      interface holds an IPv6
					      prefix), "off", or
					      START,END[,PREFIXLEN] */
	unsigned lease_time;              /* seconds; "1h" in the file */
	enum cfg_bios_loader bios_loader; /* pxelinux */
	enum cfg_uefi_loader uefi_loader; /* snponly */
	bool ipxe_detect;                 /* yes */
	bool http_boot_tls;               /* no: UEFI HTTP Boot URLs are
					     https:// ([http] tls_listen);
					     the firmware must trust the
					     appliance CA */
	char tftp_root[CFG_PATH_MAX];     /* "" = <state_dir>/tftp */
	char dnsmasq[CFG_PATH_MAX];       /* /usr/sbin/dnsmasq */
	bool tftp_single_port;            /* no: replies from port 69 only */
	unsigned tftp_max;                /* 1000 concurrent transfers */
	unsigned tftp_mtu;                /* 0 = auto (the interface MTU) */
	bool allow_other_servers;         /* no: serve refuses to start in
					     dhcp mode beside another DHCP
					     server */
	unsigned probe_wait;              /* seconds a rogue DHCP probe
					     listens, 0 = no probes; 4 */
	unsigned probe_interval;          /* seconds between rogue DHCP
					     probes while serving, 0 = off;
					     300 */

	/* [http] */
	char listen[CFG_ADDR_MAX];     /* 0.0.0.0:80 */
	char listen6[CFG_ADDR_MAX];    /* "auto" ([::] on listen's port,
					  skipped where the host has no
					  IPv6), "off", or [ADDRESS]:PORT */
	char files_dir[CFG_PATH_MAX];  /* /var/lib/bootyard/files */
	char tls_listen[CFG_ADDR_MAX]; /* "off" or ADDRESS:PORT */
	char tls_cert[CFG_PATH_MAX];   /* "" = <state_dir>/tls/server.crt */
	char tls_key[CFG_PATH_MAX];    /* "" = <state_dir>/tls/server.key */
	unsigned max_connections;      /* 1024 */
	unsigned connection_timeout;   /* seconds, 10 */
	unsigned connections_per_address; /* 64 */
	unsigned header_timeout;       /* seconds to send a request's
					  headers, 10 */
	unsigned threads;              /* 0 = number of CPUs */
	char access_log[CFG_PATH_MAX]; /* "" = stderr, "off" */

	/* [ipxe] */
	char ipxe_source[CFG_PATH_MAX]; /* "auto" = Debian's prebuilt iPXE */
	char ipxe_build_config[64];     /* "default" */

	/* [admin] */
	char admin_listen[CFG_ADDR_MAX];  /* 127.0.0.1:9080, or "off" */
	char admin_token_file[CFG_PATH_MAX]; /* /etc/bootyard/admin.token */
	bool admin_tls; /* [admin] tls: HTTPS with the appliance's certificate
			 * ([http] tls_listen must be on); default no */

	/* [db] */
	char db_url[CFG_PATH_MAX];           /* "" = SQLite in state_dir;
						"sqlite:PATH", a path, or
						"postgresql://..." */
	char db_password_file[CFG_PATH_MAX]; /* "" = libpq's own (PGPASSFILE,
						~/.pgpass, service file) */

	/* [boot] */
	enum cfg_unknown unknown;        /* menu */
	enum cfg_menu_install menu_install; /* auto */
	unsigned menu_timeout;           /* seconds, 10 */
	unsigned install_attempts;       /* 3 */
	enum cfg_local_boot local_bios;  /* sanboot */
	enum cfg_local_boot local_efi;   /* grub */
	unsigned unknown_keep;           /* unknown MACs recorded, oldest
					    dropped beyond; 10000 */
	unsigned unknown_rate;           /* new unknown MACs one client
					    address may have recorded a
					    minute; 10 */
	unsigned token_lifetime;         /* seconds an install token lives;
					    1d */
};

/*
 * cfg_defaults - fill cfg with every key's default value.
 */
void cfg_defaults(struct by_config *cfg);

/*
 * cfg_default_name - [appliance] name's default into out: the host name
 * (gethostname), its first label when the whole does not fit or is not a
 * valid host name, else "" (events then carry no appliance).
 */
void cfg_default_name(char *out, size_t outsz);

/* Defaults of the keys the policy below is made of. */
#define CFG_INSTALL_ATTEMPTS 3
#define CFG_UNKNOWN_KEEP 10000
#define CFG_UNKNOWN_RATE 10
#define CFG_LEASES_KEEP (30 * 86400)
#define CFG_TOKEN_LIFETIME 86400

/*
 * The policy the keys add up to, for every path that applies it (the
 * boot core, the HTTP service's retention and rate limit): derived from
 * the keys here once (cfg_policy), not again where it is used.
 */
struct cfg_policy {
	unsigned install_attempts; /* [boot] install_attempts */
	/* dhcp mode: the leases table says which address each MAC holds,
	 * so a change of state needs a request from the host's address */
	bool leases_known;
	/* menus offer no install: [boot] menu_install = no, or auto where
	 * leases are not known */
	bool menu_install_off;
	unsigned unknown_rate;   /* [boot] unknown_rate */
	unsigned unknown_keep;   /* [boot] unknown_keep */
	unsigned leases_keep;    /* [appliance] leases_keep, seconds */
	unsigned token_lifetime; /* [boot] token_lifetime, seconds */
};

/*
 * cfg_policy - the policy of cfg into *ret. A key left 0 (a config not
 * made by cfg_defaults) counts as its default.
 */
void cfg_policy(const struct by_config *cfg, struct cfg_policy *ret);

/*
 * cfg_load - load path over the defaults into cfg. On error, returns
 * -EINVAL (or -errno when the file cannot be read) and writes a one-line
 * message "FILE:LINE: [section] key: reason" into err (errsz bytes).
 * A missing file at CFG_DEFAULT_PATH is not an error when allow_missing.
 */
int cfg_load(struct by_config *cfg, const char *path, bool allow_missing,
	     char *err, size_t errsz);

/*
 * cfg_db_path - the database's location for db_open into out: [db] url
 * when set (a PostgreSQL URL gets "password_file=" [db] password_file
 * added to its query), else "<state_dir>/db/bootyard.db"; an
 * appliance of the old layout whose database is still
 * "<state_dir>/bootyard.db" (serve moves it into db/ at its next start)
 * gets that one. 0 or -ENAMETOOLONG.
 */
int cfg_db_path(const struct by_config *cfg, char *out, size_t outsz);

/* cfg_db_remote - [db] url names a database server (PostgreSQL), not a
 * file of this machine. */
bool cfg_db_remote(const struct by_config *cfg);

/* cfg_db_dir - the database's own directory, "<state_dir>/db". */
int cfg_db_dir(const struct by_config *cfg, char *out, size_t outsz);

/* cfg_lease_spool - where lease hook runs wait for the database,
 * "<state_dir>/db/spool" (the service user's, beside the database). */
int cfg_lease_spool(const struct by_config *cfg, char *out, size_t outsz);

/*
 * cfg_db_cache - with a database server (cfg_db_remote): the read cache
 * the supervisor writes and the HTTP child reads while the server is
 * unavailable (db_set_cache), "<state_dir>/cache/boot.db", and its
 * directory (root's, the service group may read) into dir (may be
 * NULL). -ENOENT without a server (SQLite needs none), -ENAMETOOLONG.
 */
#define CFG_DB_CACHE_DIR "cache"
int cfg_db_cache(const struct by_config *cfg, char *out, size_t outsz,
		 char *dir, size_t dirsz);

/* Names of enum values, as written in the file ("pxelinux", "exit1"...). */
const char *cfg_dhcp_mode_name(enum cfg_dhcp_mode m);
const char *cfg_bios_loader_name(enum cfg_bios_loader l);
const char *cfg_uefi_loader_name(enum cfg_uefi_loader l);
const char *cfg_local_boot_name(enum cfg_local_boot l);

/* cfg_local_boot_parse - name -> value; -EINVAL for an unknown name. */
int cfg_local_boot_parse(const char *s, enum cfg_local_boot *ret);

/*
 * cfg_range6_split - the parts of an explicit [dhcp] range6
 * ("START,END[,PREFIXLEN]"): START and END (valid_ipv6 text) and the
 * prefix length (64 when not given). 0, or -EINVAL with a reason in why.
 */
int cfg_range6_split(const char *value, char start[ADDR_STRLEN],
		     char end[ADDR_STRLEN], unsigned *ret_prefix, char *why,
		     size_t whysz);

#endif
