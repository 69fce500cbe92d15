/*
 * http_seed.c - fill a bootyard database with N hosts for the HTTP
 * benchmark, through db/db.h (no SQL here): MACs 52:54:01:00:HH:LL,
 * even hosts boot locally, odd ones get the menu.
 *
 *   http_seed DBPATH N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

int
main(int argc, char **argv)
{
	struct db *db;
	struct db_host h;
	int64_t id;
	long n, i;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: http_seed DBPATH N\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	rc = db_open(argv[1], DB_OPEN_CREATE, &db);
	if (rc < 0) {
		fprintf(stderr, "http_seed: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	for (i = 0; i < n && i < 65536; i++) {
		memset(&h, 0, sizeof(h));
		h.n_macs = 1;
		snprintf(h.macs[0], sizeof(h.macs[0]),
		         "52:54:01:00:%02lx:%02lx", i / 256, i % 256);
		h.action = i % 2 ? DB_ACTION_MENU : DB_ACTION_LOCAL;
		rc = db_host_add(db, &h, &id);
		if (rc < 0 && rc != -EEXIST) {
			fprintf(stderr, "http_seed: host %ld: %s\n", i,
			        strerror(-rc));
			db_close(db);
			return 1;
		}
	}
	db_close(db);
	return 0;
}
