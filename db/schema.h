/*
 * schema.h - the SQLite backend's numbered migrations (see schema.c).
 * Used by db_sqlite.c, and by the tests that build a version-1 database
 * to check the upgrade path.
 */
#ifndef BOOTYARD_SCHEMA_H
#define BOOTYARD_SCHEMA_H

/* The migrations are the SQLite backend's: whoever includes them works
 * on that backend and sees its extras. */
#include "db/db_sqlite.h"

/* schema_count - the number of migrations = the newest schema version. */
int schema_count(void);

/* schema_migration - the SQL that takes version-1 to version; NULL when
 * version is out of range. */
const char *schema_migration(int version);

#endif
