/*
 * db_copy.c - db copy and db dump (db_copy.h) over every backend: the
 * tables of the newest schema, read and written as text through the
 * backends' rows_* calls (db_backend.h).
 *
 * A migration that adds a table or a column adds it here too (the
 * static assertion below is a reminder: it fails when the schema
 * version moves).
 */
#include "db/db_copy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_backend.h"

_Static_assert(DB_SCHEMA_VERSION == 8,
	       "db_copy.c: a new migration: add its tables and columns to "
	       "copy_tables, then this number");

/* In an order that satisfies the foreign keys. */
static const struct db_table copy_tables[] = {
	{ "distros", "name", 6,
	  { "name", "cmdline", "template", "template_name", "created",
	    "updated" },
	  NULL },
	{ "distro_kernels", "distro, arch", 4,
	  { "distro", "arch", "kernel", "initrd" },
	  NULL },
	{ "hosts", "id", 10,
	  { "id", "hostname", "ip", "action", "distro", "token", "created",
	    "updated", "attempts", "local_boot" },
	  "id" },
	{ "host_macs", "mac", 3, { "mac", "host_id", "pos" }, NULL },
	{ "host_attrs", "host_id, key", 3, { "host_id", "key", "value" },
	  NULL },
	{ "host_power", "host_id", 6,
	  { "host_id", "method", "bmc", "bmc_user", "bmc_password",
	    "updated" },
	  NULL },
	{ "install_tokens", "token", 7,
	  { "token", "host_id", "issued", "used", "once", "mac", "distro" },
	  NULL },
	{ "leases", "mac", 11,
	  { "mac", "ip", "hostname", "arch", "vendor_class", "user_class",
	    "state", "expires", "first_seen", "last_seen", "ip6" },
	  NULL },
	{ "events", "id", 6,
	  { "id", "ts_ms", "mac", "kind", "detail", "appliance" },
	  "id" },
};

#define N_TABLES (sizeof(copy_tables) / sizeof(copy_tables[0]))

static int
count_row(const struct db_table *t, const char *const *vals, void *ctx)
{
	(*(long *)ctx)++;
	return 1; /* one is enough */
}

struct copy_ctx {
	struct db *to;
	long rows;
};

static int
copy_row(const struct db_table *t, const char *const *vals, void *ctx)
{
	struct copy_ctx *c = ctx;
	int r = db_rows_write(c->to, t, vals);

	if (r == 0)
		c->rows++;
	return r;
}

long
db_copy(struct db *from, struct db *to)
{
	struct copy_ctx c = { .to = to };
	size_t i;
	long n = 0;
	int r;

	for (i = 0; i < N_TABLES; i++) {
		r = db_rows_read(to, &copy_tables[i], count_row, &n);
		if (r < 0)
			return r;
		if (n)
			return -ENOTEMPTY;
	}
	r = db_tx_begin(to);
	if (r < 0)
		return r;
	for (i = 0; i < N_TABLES; i++) {
		r = db_rows_read(from, &copy_tables[i], copy_row, &c);
		if (r == 0)
			r = db_rows_done(to, &copy_tables[i]);
		if (r < 0) {
			db_tx_rollback(to);
			return r;
		}
	}
	r = db_tx_commit(to);
	return r < 0 ? r : c.rows;
}

/* The tables the boot decision reads (db_cache_write): no BMC secrets,
 * no tokens table, no leases, no events. */
static const char *const boot_tables[] = { "distros", "distro_kernels",
					   "hosts", "host_macs",
					   "host_attrs" };

long
db_copy_boot(struct db *from, struct db *to)
{
	struct copy_ctx c = { .to = to };
	size_t i, j;
	int r;

	r = db_tx_begin(to);
	if (r < 0)
		return r;
	db_snapshot_begin(from); /* the five tables as of one instant */
	for (i = 0; i < sizeof(boot_tables) / sizeof(boot_tables[0]); i++) {
		for (j = 0; j < N_TABLES; j++)
			if (!strcmp(copy_tables[j].name, boot_tables[i]))
				break;
		r = j < N_TABLES ? db_rows_read(from, &copy_tables[j],
						copy_row, &c)
				 : -EINVAL;
		if (r < 0)
			break;
	}
	db_snapshot_end(from);
	if (r < 0) {
		db_tx_rollback(to);
		return r;
	}
	r = db_tx_commit(to);
	return r < 0 ? r : c.rows;
}

struct dump_ctx {
	char *line;
	size_t cap;
	char **rows; /* one table's lines, sorted before they go out */
	size_t n, rows_cap;
};

/* Append s to d->line at *len, escaped; 0 or -ENOMEM. */
static int
put(struct dump_ctx *d, size_t *len, const char *s, bool escape)
{
	for (; *s; s++) {
		const char *e = NULL;
		char one[2] = { *s, 0 };

		if (escape)
			e = *s == '\t' ? "\\t" : *s == '\n' ? "\\n"
			    : *s == '\r'		 ? "\\r"
			    : *s == '\\'		 ? "\\\\"
							 : NULL;
		if (!e)
			e = one;
		while (*len + strlen(e) + 1 > d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 1024;
			char *nl = realloc(d->line, cap);

			if (!nl)
				return -ENOMEM;
			d->line = nl;
			d->cap = cap;
		}
		memcpy(d->line + *len, e, strlen(e));
		*len += strlen(e);
		d->line[*len] = '\0';
	}
	return 0;
}

static int
dump_row(const struct db_table *t, const char *const *vals, void *ctx)
{
	struct dump_ctx *d = ctx;
	size_t len = 0, i;
	int r;

	r = put(d, &len, t->name, false);
	for (i = 0; r == 0 && i < t->n_cols; i++) {
		r = put(d, &len, "\t", false);
		if (r == 0)
			r = put(d, &len, t->cols[i], false);
		if (r == 0)
			r = put(d, &len, "=", false);
		if (r == 0)
			r = put(d, &len, vals[i] ? vals[i] : "\\N", !!vals[i]);
	}
	if (r < 0)
		return r;
	if (d->n == d->rows_cap) {
		size_t cap = d->rows_cap ? d->rows_cap * 2 : 256;
		char **nr = realloc(d->rows, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		d->rows = nr;
		d->rows_cap = cap;
	}
	d->rows[d->n] = strdup(d->line);
	if (!d->rows[d->n])
		return -ENOMEM;
	d->n++;
	return 0;
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
db_dump(struct db *db, db_dump_fn fn, void *ctx)
{
	struct dump_ctx d = { 0 };
	size_t i, j;
	int r = 0;

	/* sorted as text: the same order whatever a backend's collation */
	for (i = 0; i < N_TABLES && r == 0; i++) {
		d.n = 0;
		r = db_rows_read(db, &copy_tables[i], dump_row, &d);
		if (r == 0)
			qsort(d.rows, d.n, sizeof(*d.rows), cmp_line);
		for (j = 0; j < d.n; j++) {
			if (r == 0)
				r = fn(d.rows[j], ctx);
			free(d.rows[j]);
		}
	}
	free(d.rows);
	free(d.line);
	return r;
}
