/*
 * schema_pg.c - the PostgreSQL backend's numbered migrations: the same
 * versions, with the same meaning, as schema.c's SQLite ones (migration N
 * here makes the tables migration N there makes), in PostgreSQL's words:
 * bigserial ids, bigint times, a case-insensitive unique hostname through
 * a unique index on lower(hostname), "C" ordering where SQLite compares
 * bytes. The version is the largest row of bootyard_schema (db_pg.c).
 *
 * Every table but events (since migration 8) notifies "bootyard" on each
 * change (bootyard_notify, a statement trigger): that is db_changes and
 * db_change_fd on PostgreSQL. A new table gets
 * its trigger in the migration that creates it:
 *   CREATE TRIGGER t_notify AFTER INSERT OR UPDATE OR DELETE ON t
 *     FOR EACH STATEMENT EXECUTE FUNCTION bootyard_notify();
 *
 * A migration added to schema.c gets its equivalent here, at the same
 * number (a static assertion below keeps the counts together).
 */
#include "db/db_backend.h"

#include <stddef.h>

#define NOTIFY_ON(t)                                                          \
	"CREATE TRIGGER " t "_notify AFTER INSERT OR UPDATE OR DELETE ON " t \
	" FOR EACH STATEMENT EXECUTE FUNCTION bootyard_notify();"

static const char *const migrations[] = {
	/* 1: hosts (several MACs each), attributes, distributions, every
	 * lease ever seen, the per-MAC event timeline; the notifications. */
	"CREATE FUNCTION bootyard_notify() RETURNS trigger"
	" LANGUAGE plpgsql AS $$ BEGIN"
	"  PERFORM pg_notify('bootyard', TG_TABLE_NAME); RETURN NULL;"
	" END $$;"
	"CREATE TABLE distros ("
	"  name text PRIMARY KEY,"
	"  kernel text NOT NULL,"
	"  initrd text NOT NULL,"
	"  cmdline text NOT NULL DEFAULT '',"
	"  template text,"
	"  template_name text NOT NULL DEFAULT '',"
	"  created bigint NOT NULL,"
	"  updated bigint NOT NULL);"
	"CREATE TABLE hosts ("
	"  id bigserial PRIMARY KEY,"
	"  hostname text,"
	"  ip text UNIQUE,"
	"  action text NOT NULL DEFAULT 'local'"
	"    CHECK (action IN ('local', 'install', 'menu')),"
	"  distro text REFERENCES distros(name) ON DELETE RESTRICT,"
	"  token text UNIQUE,"
	"  created bigint NOT NULL,"
	"  updated bigint NOT NULL);"
	"CREATE UNIQUE INDEX hosts_hostname ON hosts (lower(hostname));"
	"CREATE TABLE host_macs ("
	"  mac text PRIMARY KEY,"
	"  host_id bigint NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  pos integer NOT NULL);"
	"CREATE INDEX host_macs_host ON host_macs(host_id, pos);"
	"CREATE TABLE host_attrs ("
	"  host_id bigint NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  key text NOT NULL,"
	"  value text NOT NULL,"
	"  PRIMARY KEY (host_id, key));"
	"CREATE TABLE leases ("
	"  mac text PRIMARY KEY,"
	"  ip text NOT NULL DEFAULT '',"
	"  hostname text NOT NULL DEFAULT '',"
	"  arch integer NOT NULL DEFAULT -1,"
	"  vendor_class text NOT NULL DEFAULT '',"
	"  user_class text NOT NULL DEFAULT '',"
	"  state text NOT NULL DEFAULT '',"
	"  expires bigint NOT NULL DEFAULT 0,"
	"  first_seen bigint NOT NULL,"
	"  last_seen bigint NOT NULL);"
	"CREATE TABLE events ("
	"  id bigserial PRIMARY KEY,"
	"  ts_ms bigint NOT NULL,"
	"  mac text NOT NULL DEFAULT '',"
	"  kind text NOT NULL,"
	"  detail text NOT NULL DEFAULT '');"
	"CREATE INDEX events_mac ON events(mac, id);"
	NOTIFY_ON("distros") NOTIFY_ON("hosts") NOTIFY_ON("host_macs")
	NOTIFY_ON("host_attrs") NOTIFY_ON("leases") NOTIFY_ON("events"),

	/* 2: install once, fail safe: attempts, every token ever issued, a
	 * per-host local boot method. */
	"ALTER TABLE hosts ADD COLUMN attempts integer NOT NULL DEFAULT 0;"
	"ALTER TABLE hosts ADD COLUMN local_boot text NOT NULL DEFAULT '';"
	"CREATE TABLE install_tokens ("
	"  token text PRIMARY KEY,"
	"  host_id bigint NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  issued bigint NOT NULL,"
	"  used bigint);"
	"CREATE INDEX install_tokens_host ON install_tokens(host_id);"
	"CREATE INDEX leases_last_seen ON leases(last_seen);"
	NOTIFY_ON("install_tokens"),

	/* 3: no per-MAC index on events (see schema.c). */
	"DROP INDEX IF EXISTS events_mac;",

	/* 4: one-boot tokens (once = 1; an unknown MAC's has no host), and
	 * leases by address. */
	"ALTER TABLE install_tokens ALTER COLUMN host_id DROP NOT NULL;"
	"ALTER TABLE install_tokens ADD COLUMN once integer NOT NULL DEFAULT 0;"
	"ALTER TABLE install_tokens ADD COLUMN mac text NOT NULL DEFAULT '';"
	"ALTER TABLE install_tokens ADD COLUMN distro text NOT NULL DEFAULT '';"
	"CREATE INDEX install_tokens_mac ON install_tokens(mac) WHERE once = 1;"
	"CREATE INDEX leases_ip ON leases(ip);",

	/* 5: power control (see schema.c). */
	"CREATE TABLE host_power ("
	"  host_id bigint PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,"
	"  method text NOT NULL DEFAULT 'none'"
	"    CHECK (method IN ('none', 'ipmi', 'wol')),"
	"  bmc text NOT NULL DEFAULT '',"
	"  bmc_user text NOT NULL DEFAULT '',"
	"  bmc_password text NOT NULL DEFAULT '',"
	"  updated bigint NOT NULL);"
	NOTIFY_ON("host_power"),

	/* 6: a kernel and initrd(s) per architecture (see schema.c): every
	 * distribution's one kernel becomes its amd64 kernel. */
	"CREATE TABLE distro_kernels ("
	"  distro text NOT NULL REFERENCES distros(name) ON DELETE CASCADE,"
	"  arch text NOT NULL,"
	"  kernel text NOT NULL,"
	"  initrd text NOT NULL,"
	"  PRIMARY KEY (distro, arch));"
	"INSERT INTO distro_kernels (distro, arch, kernel, initrd)"
	"  SELECT name, 'amd64', kernel, initrd FROM distros;"
	"ALTER TABLE distros DROP COLUMN kernel;"
	"ALTER TABLE distros DROP COLUMN initrd;"
	NOTIFY_ON("distro_kernels"),

	/* 7: IPv6 leases (see schema.c), by address as leases_ip. */
	"ALTER TABLE leases ADD COLUMN ip6 text NOT NULL DEFAULT '';"
	"CREATE INDEX leases_ip6 ON leases(ip6);",

	/* 8: an event carries the appliance that recorded it (see
	 * schema.c). And events no longer notify: the watchers (the
	 * supervisors, woken by the notification since db_change_fd) care
	 * for hosts and distributions, and an appliance under load writes
	 * events many times a second (each notification also takes the
	 * server's commit-time notify lock). */
	"ALTER TABLE events ADD COLUMN appliance text NOT NULL DEFAULT '';"
	"DROP TRIGGER IF EXISTS events_notify ON events;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
		       DB_SCHEMA_VERSION,
	       "schema_pg.c: one PostgreSQL migration per schema.c migration");

int
schema_pg_count(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *
schema_pg_migration(int version)
{
	if (version < 1 || version > schema_pg_count())
		return NULL;
	return migrations[version - 1];
}
