/*
 * db.c - db.h's calls, dispatched to the backend that opened the
 * connection (see db_backend.h): SQLite (db_sqlite.c) or PostgreSQL
 * (db_pg.c), picked by db_open from the location's form.
 */
#include "db/db_backend.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/valid.h"

#define OPS(db) (((struct db_head *)(void *)(db))->ops)

static char origin[DB_APPLIANCE_MAX];
static __thread char open_error[256];

const char *
db_open_error(void)
{
	return open_error;
}

void
db_open_error_set(const char *msg)
{
	size_t i;

	str_copy(open_error, sizeof(open_error), msg ? msg : "");
	for (i = 0; open_error[i]; i++)
		if (open_error[i] == '\n' || open_error[i] == '\r' ||
		    open_error[i] == '\t')
			open_error[i] = open_error[i + 1] ? ';' : '\0';
}

int
db_set_origin(const char *name)
{
	if (!name || (*name && (strlen(name) >= sizeof(origin) ||
				!valid_hostname(name))))
		return -EINVAL;
	str_copy(origin, sizeof(origin), name);
	return 0;
}

const char *
db_origin(void)
{
	return origin;
}

bool
db_location_is_pg(const char *location)
{
	return location && (!strncasecmp(location, "postgresql://", 13) ||
			    !strncasecmp(location, "postgres://", 11));
}

int
db_open(const char *location, int flags, struct db **ret)
{
	open_error[0] = '\0';
	if (!location || !*location)
		return -EINVAL;
	if (db_location_is_pg(location))
		return db_pg_ops.open(location, flags, ret);
	if (!strncmp(location, "sqlite:", 7))
		location += 7;
	return db_sqlite_ops.open(location, flags, ret);
}

void
db_close(struct db *db)
{
	if (db)
		OPS(db)->close(db);
}

void
db_snapshot_end(struct db *db)
{
	if (db)
		OPS(db)->snapshot_end(db);
}

void
db_tx_rollback(struct db *db)
{
	OPS(db)->tx_rollback(db);
}

const char *
db_errmsg(struct db *db)
{
	return db ? OPS(db)->errmsg(db) : "no database";
}

int
db_set_cache(struct db *db, const char *path)
{
	return OPS(db)->set_cache ? OPS(db)->set_cache(db, path) : 0;
}

int
db_cache_synced(struct db *db, int64_t *ret)
{
	return db && OPS(db)->cache_synced ? OPS(db)->cache_synced(db, ret)
					   : -ENOENT;
}

const char *
db_backend_name(struct db *db)
{
	return OPS(db)->name;
}

#define DB_DISPATCH(type, name, params, args)                                 \
	type db_##name params                                                 \
	{                                                                     \
		return OPS(db)->name args;                                    \
	}
DB_BACKEND_CALLS(DB_DISPATCH)
#undef DB_DISPATCH
