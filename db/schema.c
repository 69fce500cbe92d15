/*
 * schema.c - the numbered migrations of the host database.
 *
 * Migration N brings a database from PRAGMA user_version N-1 to N. A
 * migration is never edited once released: a change is a new migration.
 */
#include "db/schema.h"

#include <stddef.h>

static const char *const migrations[] = {
	/* 1: hosts (several MACs each), attributes, distributions, every
	 * lease ever seen, the per-MAC event timeline. */
	"CREATE TABLE distros ("
	"  name TEXT PRIMARY KEY,"
	"  kernel TEXT NOT NULL,"
	"  initrd TEXT NOT NULL,"
	"  cmdline TEXT NOT NULL DEFAULT '',"
	"  template TEXT,"
	"  template_name TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE hosts ("
	"  id INTEGER PRIMARY KEY,"
	"  hostname TEXT UNIQUE COLLATE NOCASE,"
	"  ip TEXT UNIQUE,"
	"  action TEXT NOT NULL DEFAULT 'local'"
	"    CHECK (action IN ('local', 'install', 'menu')),"
	"  distro TEXT REFERENCES distros(name) ON DELETE RESTRICT,"
	"  token TEXT UNIQUE,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE host_macs ("
	"  mac TEXT PRIMARY KEY,"
	"  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL);"
	"CREATE INDEX host_macs_host ON host_macs(host_id, pos);"
	"CREATE TABLE host_attrs ("
	"  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (host_id, key));"
	"CREATE TABLE leases ("
	"  mac TEXT PRIMARY KEY,"
	"  ip TEXT NOT NULL DEFAULT '',"
	"  hostname TEXT NOT NULL DEFAULT '',"
	"  arch INTEGER NOT NULL DEFAULT -1,"
	"  vendor_class TEXT NOT NULL DEFAULT '',"
	"  user_class TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL DEFAULT '',"
	"  expires INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  ts_ms INTEGER NOT NULL,"
	"  mac TEXT NOT NULL DEFAULT '',"
	"  kind TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX events_mac ON events(mac, id);",

	/* 2: install once, fail safe: attempts spent per flagged install,
	 * every token ever issued (so a used token is told apart from an
	 * unknown one), and a per-host local boot method. */
	"ALTER TABLE hosts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE hosts ADD COLUMN local_boot TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE install_tokens ("
	"  token TEXT PRIMARY KEY,"
	"  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  issued INTEGER NOT NULL,"
	"  used INTEGER);"
	"CREATE INDEX install_tokens_host ON install_tokens(host_id);"
	"CREATE INDEX leases_last_seen ON leases(last_seen);",

	/* 3: no per-MAC index on events. Every config answer appends an
	 * event, and that index put each append on a random page (the
	 * MACs): at 40,000 answers a second the index writes cost a third
	 * of the HTTP service's time and made the host lookups' page cache
	 * stale. A per-MAC listing now scans the newest rows, which the
	 * retention (db_event_prune) bounds. */
	"DROP INDEX IF EXISTS events_mac;",

	/* 4: a menu choice installs that boot only. Its token is a
	 * one-boot token (once = 1): it names the MAC and the distribution
	 * chosen and leaves the host as it was; an unknown MAC's has no
	 * host (host_id NULL), so the table is rebuilt without NOT NULL
	 * there. And leases by address: a request that would change what
	 * a machine boots is checked against the lease of the address it
	 * came from. */
	"CREATE TABLE install_tokens_v4 ("
	"  token TEXT PRIMARY KEY,"
	"  host_id INTEGER REFERENCES hosts(id) ON DELETE CASCADE,"
	"  issued INTEGER NOT NULL,"
	"  used INTEGER,"
	"  once INTEGER NOT NULL DEFAULT 0,"
	"  mac TEXT NOT NULL DEFAULT '',"
	"  distro TEXT NOT NULL DEFAULT '');"
	"INSERT INTO install_tokens_v4 (token, host_id, issued, used)"
	"  SELECT token, host_id, issued, used FROM install_tokens;"
	"DROP TABLE install_tokens;"
	"ALTER TABLE install_tokens_v4 RENAME TO install_tokens;"
	"CREATE INDEX install_tokens_host ON install_tokens(host_id);"
	"CREATE INDEX install_tokens_mac ON install_tokens(mac) WHERE once = 1;"
	"CREATE INDEX leases_ip ON leases(ip);",

	/* 5: power control. One row per host with a power method; the BMC
	 * password is a column of its own that only db_power_get(...,
	 * true) reads: the admin API never returns it, and the database
	 * directory is root:bootyard 2770 (only root and the appliance
	 * group read it). */
	"CREATE TABLE host_power ("
	"  host_id INTEGER PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,"
	"  method TEXT NOT NULL DEFAULT 'none'"
	"    CHECK (method IN ('none', 'ipmi', 'wol')),"
	"  bmc TEXT NOT NULL DEFAULT '',"
	"  bmc_user TEXT NOT NULL DEFAULT '',"
	"  bmc_password TEXT NOT NULL DEFAULT '',"
	"  updated INTEGER NOT NULL);",

	/* 6: a kernel and initrd(s) per architecture (Debian's names:
	 * amd64, arm64). Every distribution had one kernel, an x86 one:
	 * it becomes its amd64 kernel. */
	"CREATE TABLE distro_kernels ("
	"  distro TEXT NOT NULL REFERENCES distros(name) ON DELETE CASCADE,"
	"  arch TEXT NOT NULL,"
	"  kernel TEXT NOT NULL,"
	"  initrd TEXT NOT NULL,"
	"  PRIMARY KEY (distro, arch));"
	"INSERT INTO distro_kernels (distro, arch, kernel, initrd)"
	"  SELECT name, 'amd64', kernel, initrd FROM distros;"
	"ALTER TABLE distros DROP COLUMN kernel;"
	"ALTER TABLE distros DROP COLUMN initrd;",

	/* 7: IPv6 leases. DHCPv6 carries no MAC: the lease hook records a
	 * v6 lease under the MAC dnsmasq found (DNSMASQ_MAC, or the DUID's)
	 * in a column of its own, so that a dual stack client keeps its
	 * IPv4 address beside it; by address, as leases_ip. */
	"ALTER TABLE leases ADD COLUMN ip6 TEXT NOT NULL DEFAULT '';"
	"CREATE INDEX leases_ip6 ON leases(ip6);",

	/* 8: several appliances, one database: an event carries the
	 * appliance that recorded it ([appliance] name); older rows ''. */
	"ALTER TABLE events ADD COLUMN appliance TEXT NOT NULL DEFAULT '';",
};

int
schema_count(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *
schema_migration(int version)
{
	if (version < 1 || version > schema_count())
		return NULL;
	return migrations[version - 1];
}
