/*
 * bootyard-lease - dnsmasq's --dhcp-script: records every lease event in
 * the bootyard database, and at dnsmasq's start (action "init") prints
 * the stored leases so that the database is the one lease store
 * (dnsmasq runs with --leasefile-ro; see docs/dhcp.md).
 *
 *   bootyard-lease add|old|del MAC IP [HOSTNAME]   (DNSMASQ_* in env;
 *                          a client that came through a DHCP relay gets
 *                          a "dhcp-relay" event after its lease event)
 *   bootyard-lease init                            leases on stdout
 *   bootyard-lease tftp SIZE IP FILE               ignored: the daemon
 *                                                  records TFTP from the log
 * The database is $BOOTYARD_DB (set by `bootyard serve` for dnsmasq), else
 * <state_dir>/bootyard.db of $BOOTYARD_CONFIG or the default config.
 *
 * Exit status: 0 when the event was recorded or deliberately not recorded
 * (an action bootyard ignores, or client data that fails validation: a
 * bad value from the network is not an error of the hook; the reason goes
 * to stderr), or kept in the spool because the database could not take
 * it ($BOOTYARD_SPOOL, else the config's <state_dir>/db/spool: the HTTP
 * service stores it when the database is back; lease_store.h). 1 when it
 * could be neither written nor spooled. dnsmasq only logs a non-zero
 * status; it never retries. For "init" a database that cannot
 * be read yields no leases and status 0: DHCP keeps working.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "appliance/core/config.h"
#include "appliance/dhcp/lease.h"
#include "appliance/dhcp/lease_store.h"
#include "common/log.h"
#include "common/util.h"
#include "db/db.h"

extern char **environ;

/* The config of $BOOTYARD_CONFIG, else the default one (which may be
 * missing): 0 and *cfg, or -EINVAL (logged). */
static int
hook_config(struct by_config *cfg)
{
	const char *p = getenv("BOOTYARD_CONFIG");
	char err[512];

	if (cfg_load(cfg, p && *p ? p : CFG_DEFAULT_PATH, !(p && *p), err,
		     sizeof(err)) < 0) {
		log_warnx("%s", err);
		return -EINVAL;
	}
	return 0;
}

/* Where the database is: $BOOTYARD_DB, or the config's state_dir. */
static int
lease_db_path(char *out, size_t outsz)
{
	const char *p = getenv("BOOTYARD_DB");
	struct by_config cfg;

	if (p && *p) {
		/* the appliance's name as `bootyard serve` set it */
		const char *name = getenv("BOOTYARD_APPLIANCE");

		if (name && db_set_origin(name) < 0)
			log_warnx("BOOTYARD_APPLIANCE: not a host name");
		return (p[0] == '/' || db_location_is_pg(p)) &&
			       strlen(p) < 1024
			       ? str_copy(out, outsz, p)
			       : -EINVAL;
	}
	if (hook_config(&cfg) < 0)
		return -EINVAL;
	db_set_origin(cfg.name);
	return cfg_db_path(&cfg, out, outsz);
}

/*
 * The database could not take ev: keep the run in the spool
 * ($BOOTYARD_SPOOL, else the config's) for the HTTP service to store
 * when it can (lease_store.h). 0 when spooled, else -errno (logged).
 */
static int
lease_spool(int argc, char **argv, const struct lease_event *ev)
{
	const char *dir = getenv("BOOTYARD_SPOOL");
	char buf[1100];
	int r;

	if (!dir || dir[0] != '/' || strlen(dir) >= sizeof(buf)) {
		struct by_config cfg;

		if (hook_config(&cfg) < 0 ||
		    cfg_lease_spool(&cfg, buf, sizeof(buf)) < 0)
			return -EINVAL;
		dir = buf;
	}
	r = lease_spool_write(dir, argc, argv, environ);
	if (r < 0)
		log_warnx("%s %s: not kept in %s either: %s", ev->lease.state,
			  ev->lease.mac, dir, strerror(-r));
	else
		log_info("%s %s: kept in %s until the database takes it",
			 ev->lease.state, ev->lease.mac, dir);
	return r;
}

struct init_ctx {
	long long now;
	unsigned n;
};

/* Print one stored lease in dnsmasq's lease file format. */
static int
lease_print_one(const struct db_lease *l, void *arg)
{
	struct init_ctx *c = arg;
	char line[512];

	if (lease_format_init_line(l, c->now, line, sizeof(line)) == 0) {
		fputs(line, stdout);
		c->n++;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct lease_event ev;
	struct db *db = NULL;
	char err[256], path[1100];
	int r;

	log_init("bootyard-lease", 1);
	r = lease_parse(argc, argv, environ, &ev, err, sizeof(err));
	if (r < 0) {
		log_warnx("ignored: %s", err);
		return 0;
	}
	if (ev.op == LEASE_OP_IGNORE || ev.op == LEASE_OP_TFTP)
		return 0;
	if (lease_db_path(path, sizeof(path)) < 0) {
		log_warnx("no usable database path");
		return ev.op == LEASE_OP_INIT ? 0 : 1;
	}
	if (ev.op == LEASE_OP_INIT) {
		struct init_ctx c = { .now = (long long)time(NULL) };

		r = db_open(path, DB_OPEN_READONLY, &db);
		if (r < 0) {
			log_warnx("init: %s: %s", path, strerror(-r));
			return 0;
		}
		r = db_lease_list(db, false, lease_print_one, &c);
		if (r < 0)
			log_warnx("init: cannot list leases: %s",
				  db_errmsg(db));
		db_close(db);
		fflush(stdout);
		return 0;
	}
	r = db_open(path, DB_OPEN_CREATE, &db);
	if (r < 0)
		log_warnx("%s: %s", db_location_is_pg(path) ? "database" : path,
			  strerror(-r));
	else if ((r = lease_store(db, &ev)) < 0)
		log_warnx("%s %s: %s", ev.lease.state, ev.lease.mac,
			  db_errmsg(db));
	/* -EINVAL: values the database refuses, never storable: not kept */
	if (r < 0 && r != -EINVAL)
		r = lease_spool(argc, argv, &ev);
	if (ev.dropped & LEASE_DROPPED_RELAY)
		log_warnx("%s %s: relay agent information dropped (invalid "
			  "relay address)", ev.lease.state, ev.lease.mac);
	db_close(db);
	return r < 0 ? 1 : 0;
}
