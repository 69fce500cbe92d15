/*
 * db_check.c - the checks of a row every backend makes before it writes
 * (db_backend.h), and the rows both build alike: one copy for SQLite and
 * PostgreSQL, so both refuse the same values and answer the same rows.
 */
#include "db/db_backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "common/valid.h"

static bool
initrds_ok(const char *list)
{
	char buf[4 * DB_REF_MAX];
	char *save, *tok;
	int n = 0;

	if (str_copy(buf, sizeof(buf), list) < 0)
		return false;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!valid_path_or_url(tok))
			return false;
		n++;
	}
	return n > 0;
}

int
db_distro_check(const struct db_distro *d)
{
	size_t i, j;

	if (!valid_name(d->name) || !valid_text(d->cmdline, DB_CMDLINE_MAX - 1))
		return -EINVAL;
	if (d->n_kernels < 1 || d->n_kernels > DB_DISTRO_ARCHES)
		return -EINVAL;
	for (i = 0; i < d->n_kernels; i++) {
		const struct db_distro_kernel *k = &d->kernels[i];

		if (!valid_kernel_arch(k->arch) ||
		    !valid_path_or_url(k->kernel) || !initrds_ok(k->initrd))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(d->kernels[j].arch, k->arch))
				return -EINVAL;
	}
	if (d->template_name[0] && !valid_name(d->template_name))
		return -EINVAL;
	if (d->template_text && strlen(d->template_text) > DB_TEMPLATE_MAX)
		return -E2BIG;
	return 0;
}

/* Every field of h the way db.h promises (defence in depth); the MACs
 * too when check_macs (a new host: 1 to DB_MAX_MACS canonical MACs). */
int
db_host_check(const struct db_host *h, bool check_macs)
{
	size_t i, j;

	if (h->hostname[0] && !valid_hostname(h->hostname))
		return -EINVAL;
	if (h->ip[0] && !valid_ip(h->ip))
		return -EINVAL;
	if ((unsigned)h->action > DB_ACTION_MENU)
		return -EINVAL;
	if (h->distro[0] && !valid_name(h->distro))
		return -EINVAL;
	if (h->action == DB_ACTION_INSTALL && !h->distro[0])
		return -EINVAL;
	if (!db_local_boot_ok(h->local_boot))
		return -EINVAL;
	if (h->n_attrs > DB_MAX_ATTRS)
		return -EINVAL;
	for (i = 0; i < h->n_attrs; i++) {
		if (!valid_name(h->attrs[i].key) ||
		    !valid_text(h->attrs[i].value, DB_ATTR_VALUE_MAX - 1))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(h->attrs[i].key, h->attrs[j].key))
				return -EINVAL;
	}
	if (!check_macs)
		return 0;
	if (h->n_macs < 1 || h->n_macs > DB_MAX_MACS)
		return -EINVAL;
	for (i = 0; i < h->n_macs; i++)
		if (!db_mac_canonical(h->macs[i]))
			return -EINVAL;
	return 0;
}

/* The host a one-boot token of an unknown MAC installs (a menu choice
 * where unknown MACs get the menu): a menu host of that one MAC and no
 * id, with the distribution chosen. -ENOENT when mac is not canonical. */
int
db_once_host(const char *mac, const char *distro, struct db_host *ret)
{
	if (!db_mac_canonical(mac))
		return -ENOENT;
	memset(ret, 0, sizeof(*ret));
	ret->action = DB_ACTION_MENU;
	ret->n_macs = 1;
	memcpy(ret->macs[0], mac, MAC_STR_LEN);
	str_copy(ret->distro, sizeof(ret->distro), distro);
	return 0;
}

bool
db_lease_check(const struct db_lease *l)
{
	return db_mac_canonical(l->mac) && (!l->ip[0] || valid_ipv4(l->ip)) &&
	       (!l->ip6[0] || valid_ipv6(l->ip6)) && !(l->ip[0] && l->ip6[0]) &&
	       (!l->hostname[0] || valid_hostname(l->hostname)) &&
	       valid_text(l->vendor_class, sizeof(l->vendor_class) - 1) &&
	       valid_text(l->user_class, sizeof(l->user_class) - 1) &&
	       (!strcmp(l->state, "add") || !strcmp(l->state, "old") ||
		!strcmp(l->state, "del")) &&
	       l->arch >= -1 && l->arch <= 65535;
}

bool
db_kind_ok(const char *k)
{
	size_t i;

	if (!k || !*k || strlen(k) >= sizeof(((struct db_event *)0)->kind))
		return false;
	for (i = 0; k[i]; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '-'))
			return false;
	return true;
}

bool
db_local_boot_ok(const char *s)
{
	static const char *const ok[] = { "", "sanboot", "exit", "exit1",
					  "grub", "nofile" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(s, ok[i]))
			return true;
	return false;
}

bool
db_mac_canonical(const char *mac)
{
	char canon[MAC_STR_LEN];

	return mac_parse(mac, canon) == 0 && !strcmp(canon, mac);
}

/*
 * The "done" event of an install with a current token: its text into
 * detail (detailsz bytes; the distribution, and whether the host was
 * set local or was a menu choice's one boot and stays as it is).
 * Returns the MAC the event is about: once_mac for a one-boot token,
 * else h's first MAC ("" when it has none).
 */
const char *
db_done_event(bool once, const char *once_mac, const struct db_host *h,
	      char *detail, size_t detailsz)
{
	if (once)
		snprintf(detail, detailsz,
			 "install of %s (menu choice, one boot) done; host "
			 "unchanged",
			 h->distro);
	else
		snprintf(detail, detailsz,
			 "install of %s done; host set to local", h->distro);
	return once ? once_mac : h->n_macs ? h->macs[0] : "";
}

/* h as a done install left it in the database: a flagged install's
 * host boots locally with no token and no attempts; a one-boot
 * token's host is unchanged. */
void
db_done_host(bool once, struct db_host *h)
{
	if (once)
		return;
	h->action = DB_ACTION_LOCAL;
	h->token[0] = '\0';
	h->attempts = 0;
}

/*
 * Call fn on each host of ids[0..n-1] as get reads it into one buffer
 * (fn must not keep it), passing over the ones removed meanwhile; the
 * ids were collected first because fn may call back into the database.
 * Returns 0, get's -errno, or fn's first nonzero value (which stops).
 */
int
db_hosts_each(struct db *db, const int64_t *ids, size_t n,
	      int (*get)(struct db *, int64_t, struct db_host *),
	      db_host_fn fn, void *ctx)
{
	struct db_host *h = malloc(sizeof(*h));
	size_t i;
	int r = 0;

	if (!h)
		return -ENOMEM;
	for (i = 0; i < n && r == 0; i++) {
		int g = get(db, ids[i], h);

		if (g == -ENOENT)
			continue; /* removed meanwhile */
		if (g < 0) {
			r = g;
			break;
		}
		r = fn(h, ctx);
	}
	free(h);
	return r;
}

/* The wall clock, seconds since the epoch. */
int64_t
db_now_s(void)
{
	return (int64_t)time(NULL);
}

/* The wall clock, milliseconds since the epoch (event times). */
int64_t
db_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the steps of a write, alike in both backends ------------------ */

int
db_write_open(struct db *db, int r)
{
	return r < 0 ? r : ((struct db_head *)db)->ops->tx_begin(db);
}

int
db_write_end(struct db *db, int r)
{
	const struct db_ops *ops = ((struct db_head *)db)->ops;

	if (r >= 0)
		return ops->tx_commit(db);
	ops->tx_rollback(db);
	return r;
}

int
db_changed_or(int r, int err)
{
	return r == 0 ? err : r;
}

int
db_cas_won(int r)
{
	return r < 0 || r == 1 ? r : -ESTALE;
}

size_t
db_args(struct db_arg *out, size_t max, const char *fmt, va_list ap)
{
	size_t n;

	for (n = 0; n < max && fmt[n]; n++) {
		struct db_arg *a = &out[n];

		memset(a, 0, sizeof(*a));
		a->is_int = strchr("iI", fmt[n]) != NULL;
		if (fmt[n] == 'i')
			a->i = va_arg(ap, int);
		else if (fmt[n] == 'I')
			a->i = va_arg(ap, int64_t);
		else if (fmt[n] == 'k')
			a->is_int = (a->i = va_arg(ap, int64_t)) != 0;
		else
			a->s = va_arg(ap, const char *);
		if (fmt[n] == 't' && !a->s)
			a->s = "";
		if (fmt[n] == 'o' && a->s && !*a->s)
			a->s = NULL;
	}
	return n;
}

int
db_table_sql(const struct db_table *t, bool insert, char mark, char *out,
	     size_t outsz)
{
	struct strbuf b = { 0 };
	size_t i;
	int r;

	strbuf_printf(&b, insert ? "INSERT INTO %s (" : "SELECT ", t->name);
	for (i = 0; i < t->n_cols; i++)
		strbuf_printf(&b, "%s%s", i ? ", " : "", t->cols[i]);
	if (insert) {
		strbuf_printf(&b, ") VALUES (");
		for (i = 0; i < t->n_cols; i++)
			strbuf_printf(&b, "%s%c%zu", i ? ", " : "", mark, i + 1);
		strbuf_printf(&b, ")");
	} else {
		strbuf_printf(&b, " FROM %s ORDER BY %s", t->name, t->order);
	}
	r = b.err ? b.err : str_copy(out, outsz, b.p);
	free(b.p);
	return r;
}

int
db_token_host(struct db *db, int r, const struct db_token *t,
	      struct db_host *ret)
{
	if (r == 0 && !t->current)
		r = -ESTALE;
	if (r < 0)
		return r;
	if (!t->host_id)
		return t->once ? db_once_host(t->mac, t->distro, ret) : -ENOENT;
	r = ((struct db_head *)db)->ops->host_get(db, t->host_id, ret);
	if (r == 0 && t->once)
		str_copy(ret->distro, sizeof(ret->distro), t->distro);
	return r;
}

bool
db_event_check(int64_t ts_ms, const char *mac, const char *kind)
{
	return db_kind_ok(kind) && (!mac || !*mac || db_mac_canonical(mac)) &&
	       ts_ms >= 0;
}

bool
db_power_check(const struct db_power *p)
{
	if (strcmp(p->method, "none") && strcmp(p->method, "ipmi") &&
	    strcmp(p->method, "wol"))
		return false;
	return valid_text(p->bmc, sizeof(p->bmc) - 1) || !p->bmc[0];
}
