/*
 * serve.c - `bootyard serve`: the daemon.
 *
 *   bootyard serve [-c FILE]          the appliance: supervised dnsmasq
 *                                     (DHCP by [dhcp] mode, TFTP) + HTTP
 *   bootyard serve --dhcp=off         the HTTP service alone, no dnsmasq
 *
 * Process layout (OpenBSD-style privilege separation): this process is
 * the supervisor and stays root, because it (re)starts dnsmasq, which
 * must bind ports 67 and 69 before dropping to [appliance] user itself.
 * The HTTP service runs in a child that binds its listeners as root,
 * drops to that user for good, and only then starts the threads that
 * accept connections (http_bind, privdrop_to, http_serve). --dhcp=off
 * is the same supervisor without dnsmasq: it keeps root to bind again
 * and read the TLS key and admin token again on SIGHUP.
 * The supervisor owns the interface watch (libnl), the rendered dnsmasq
 * config and reservations file, the dnsmasq child and its log pipe (log
 * lines become boot events in the database), and a status file in
 * run_dir that `bootyard status` reads.
 *
 * Signals: SIGHUP reloads the config (dnsmasq is restarted only when its
 * rendered config changed; reservations reach it through dhcp-hostsfile
 * and a SIGHUP, no restart); SIGTERM/SIGINT stop dnsmasq, then HTTP, exit
 * 0. dnsmasq dying is answered with a restart after a capped exponential
 * backoff (dnsmasq_backoff_ms), counted in the status file and in the
 * HTTP service's /metrics, and recorded as a dnsmasq-exit event.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "appliance/bootyard.h"
#include "appliance/dhcp/dnsmasq.h"
#include "appliance/dhcp/dnsmasq_log.h"
#include "appliance/dhcp/doctor.h"
#include "appliance/build/grubcfg.h"
#include "appliance/build/ipxe_build.h"
#include "common/netif.h"
#include "appliance/build/pki.h"
#include "appliance/daemon/privdrop.h"
#include "appliance/daemon/sdnotify.h"
#include "appliance/build/tftproot.h"
#include "common/log.h"
#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"
#include "http/http.h"
#include "http/metrics.h"

/* Tell the service manager (Type=notify) where serve is; a failure is
 * logged once per state, since systemd then times the start out. */
static void
serve_notify(const char *state)
{
	int r = sdnotify_send(state);

	if (r < 0) {
		errno = -r;
		log_warn("sd_notify %s", state);
	}
}

/*
 * malloc for the HTTP service: its worker threads get their own glibc
 * arenas, which by default give freed memory back (madvise) as soon as
 * 128 KiB sit free at the top and fault it in again on the next request:
 * a third of the kernel time of a config request under load. Keep up to
 * 2 MiB per arena instead (peak RSS stays far below 32 MiB).
 */
static void
serve_tune_malloc(void)
{
	mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
}

/* ---- the boundary on disk (privdrop.h) ----------------------------- */

/*
 * Every path root reads or writes for cfg must be one no other user can
 * change (privdrop_path_safe): the state directory (the database's
 * parent), the runtime directory (dnsmasq config, hosts file, status),
 * the TFTP tree, the built iPXE images copied into it, and the TLS
 * material. Checked as root only. 0, or -EPERM with the reason in why.
 */
static int
serve_paths_safe(const struct by_config *cfg, char *why, size_t whysz)
{
	char run[CFG_PATH_MAX + 8], tftp[CFG_PATH_MAX], ipxe[CFG_PATH_MAX + 8];
	struct pki_paths pk;
	const char *paths[8];
	size_t n = 0, i;
	int r;

	if (geteuid() != 0)
		return 0;
	if (cfg->run_dir[0])
		str_copy(run, sizeof(run), cfg->run_dir);
	else if (str_printf(run, sizeof(run), "%s/run", cfg->state_dir) < 0)
		return -ENAMETOOLONG;
	if (tftproot_dir(cfg, tftp, sizeof(tftp)) < 0 ||
	    ipxe_build_out_dir(cfg, ipxe, sizeof(ipxe)) < 0 ||
	    pki_paths(cfg, &pk) < 0)
		return -ENAMETOOLONG;
	paths[n++] = cfg->state_dir;
	paths[n++] = run;
	paths[n++] = tftp;
	paths[n++] = ipxe;
	paths[n++] = pk.dir;
	paths[n++] = pk.server_cert;
	paths[n++] = pk.server_key;
	for (i = 0; i < n; i++) {
		r = privdrop_path_safe(paths[i], why, whysz);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Before anything else touches the state directory: its layout
 * (privdrop_layout: taken back from the service user, the database in
 * db/), then serve_paths_safe. Returns 0 or an exit status.
 */
static int
serve_boundary(const struct by_config *cfg)
{
	char why[1024];
	uid_t uid = 0;
	gid_t gid = 0;
	unsigned done = 0;

	if (!privdrop_lookup(cfg->user, &uid, &gid, why, sizeof(why)))
		uid = 0;
	/* Root reaches the database through the service user's group (the
	 * unit gives it no CAP_DAC_OVERRIDE): that group is its only
	 * supplementary group from now on. */
	if (uid != 0 && setgroups(1, &gid) < 0) {
		log_warn("setgroups %u", (unsigned)gid);
		return EXIT_RUNTIME;
	}
	if (privdrop_layout(cfg->state_dir, uid, gid, &done, why,
			    sizeof(why)) < 0) {
		log_warnx("refusing to start: %s", why);
		return EXIT_RUNTIME;
	}
	if (done & PRIVDROP_TOOK_STATE_DIR)
		log_info("state directory %s was user %s's (old layout): it is "
			 "root's now, %s only owns %s/" PRIVDROP_DB_DIR,
			 cfg->state_dir, cfg->user, cfg->user, cfg->state_dir);
	if (done & PRIVDROP_MOVED_DB)
		log_info("database moved (old layout): %s/" PRIVDROP_DB_NAME
			 " -> %s/" PRIVDROP_DB_DIR "/" PRIVDROP_DB_NAME,
			 cfg->state_dir, cfg->state_dir);
	if (done & PRIVDROP_REMOVED_LINK)
		log_warnx("%s/" PRIVDROP_DB_DIR ": removed a link planted at "
			  "the name of the database's WAL or SHM file",
			  cfg->state_dir);
	if (serve_paths_safe(cfg, why, sizeof(why)) < 0) {
		log_warnx("refusing to start: %s. Root must not read or write "
			  "through a directory another user can change "
			  "(docs/deploy.md, \"Trust boundary\"): make each "
			  "one root's and not group/world-writable, or move "
			  "the path",
			  why);
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- the supervisor ------------------------------------------------- */

#define SUP_MAP_SIZE 256

struct sup {
	struct by_config cfg;
	const char *cfg_path;
	bool force;          /* --force: start beside another DHCP server */
	bool http_only;      /* --dhcp=off: no dnsmasq, no interface */
	uint64_t probe_at;   /* next rogue DHCP probe (dhcp mode) */
	struct netif_info nif;
	struct netif_addrs6 nif6; /* its IPv6 addresses: followed, logged;
				     the first global one is served */
	char server6[ADDR_STRLEN]; /* "" = no IPv6 address to serve */
	unsigned prefix6;
	char http_base6[128];
	bool have_nif;
	char server[ADDR_STRLEN];
	char http_base[128];
	char run_dir[CFG_PATH_MAX], conf_path[CFG_PATH_MAX + 32];
	char hosts_path[CFG_PATH_MAX + 32], status_path[CFG_PATH_MAX + 32];
	char db_path[CFG_PATH_MAX + 32], tftp_dir[CFG_PATH_MAX];
	char script[CFG_PATH_MAX];
	char *conf_text, *hosts_text;
	struct db *db;
	struct netif_watch *watch;
	struct tftproot_report tftp;
	/* privilege drop for the HTTP child and dnsmasq */
	bool drop;
	uid_t uid;
	gid_t gid;
	/* dnsmasq */
	pid_t dm_pid;
	int dm_log;
	uint64_t dm_started, dm_restart_at;
	unsigned dm_backoff, dm_restarts;
	char logbuf[8192];
	size_t loglen;
	/* HTTP child */
	pid_t http_pid;
	int http_ctl;
	uint64_t http_restart_at;
	/* recent ip -> mac, from DHCP log lines, for TFTP events */
	struct {
		char ip[ADDR_STRLEN];
		char mac[MAC_STR_LEN];
	} map[SUP_MAP_SIZE];
	unsigned map_next;
	/* database changes rewrite the reservations and (uefi_loader =
	 * shim) re-render the grub files: db_changes' counter as last seen,
	 * looked at at most once a second */
	uint64_t db_seen, db_checked;
	/* the read cache (PostgreSQL): a change seen and not yet written;
	 * the last write tried, and the time to wait before the next (1 s,
	 * or ten times what the last took) */
	bool cache_due;
	uint64_t cache_at, cache_gap;
	/* grub menu choices: files that hold a one-boot install */
	struct grubcfg_once grub_once;
};

/* mkdir that accepts an existing directory. */
static int
sup_mkdir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The lease hook: bootyard-lease next to this binary. */
static void
sup_find_script(struct sup *s)
{
	char exe[CFG_PATH_MAX], *slash;
	ssize_t n;

	s->script[0] = '\0';
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	if (str_printf(s->script, sizeof(s->script), "%s/bootyard-lease",
		       exe) < 0 ||
	    access(s->script, X_OK) < 0) {
		log_warnx("no executable %s: leases will not be recorded",
			  s->script);
		s->script[0] = '\0';
	}
}

/* Paths derived from the config. */
static int
sup_paths(struct sup *s)
{
	const struct by_config *c = &s->cfg;

	/* the events of this process, its HTTP child and (through the
	 * environment dnsmasq passes on) the lease hook carry the name */
	if (db_set_origin(c->name) == 0)
		setenv("BOOTYARD_APPLIANCE", c->name, 1);
	if (c->run_dir[0])
		str_copy(s->run_dir, sizeof(s->run_dir), c->run_dir);
	else if (str_printf(s->run_dir, sizeof(s->run_dir), "%s/run",
			    c->state_dir) < 0)
		return -ENAMETOOLONG;
	if (str_printf(s->conf_path, sizeof(s->conf_path), "%s/dnsmasq.conf",
		       s->run_dir) < 0 ||
	    str_printf(s->hosts_path, sizeof(s->hosts_path),
		       "%s/dnsmasq.hosts", s->run_dir) < 0 ||
	    str_printf(s->status_path, sizeof(s->status_path), "%s/status",
		       s->run_dir) < 0 ||
	    cfg_db_path(c, s->db_path, sizeof(s->db_path)) < 0 ||
	    tftproot_dir(c, s->tftp_dir, sizeof(s->tftp_dir)) < 0)
		return -ENAMETOOLONG;
	return 0;
}

/* Interface facts -> server address and HTTP base URL. */
static int
sup_addresses(struct sup *s, const struct netif_info *nif)
{
	const char *addr = strcmp(s->cfg.server_address, "auto")
				   ? s->cfg.server_address
				   : nif->addr;

	if (str_copy(s->server, sizeof(s->server), addr) < 0)
		return -EINVAL;
	return dnsmasq_http_base(&s->cfg, s->server, s->http_base,
				 sizeof(s->http_base));
}

/*
 * The IPv6 address served (DHCPv6, RA, TFTP, boot URLs): the first
 * global (not link-local) address of the interface, "" for none or
 * when the HTTP service has no IPv6 listener (see http/server.c
 * boot6_bind); its HTTP base on the port of [http] listen6 (auto: that
 * of listen).
 */
static void
sup_addresses6(struct sup *s)
{
	const char *l6 = s->cfg.listen6, *port = NULL;
	size_t i;

	s->server6[0] = '\0';
	s->http_base6[0] = '\0';
	s->prefix6 = 0;
	if (!strcmp(l6, "off") ||
	    (l6[0] != '[' && strncmp(s->cfg.listen, "0.0.0.0:", 8)))
		return; /* no HTTP on IPv6: no IPv6 clients to serve */
	for (i = 0; i < s->nif6.n; i++)
		if (!s->nif6.a[i].link_local)
			break;
	if (i == s->nif6.n)
		return;
	str_copy(s->server6, sizeof(s->server6), s->nif6.a[i].addr);
	s->prefix6 = s->nif6.a[i].prefix;
	if (l6[0] == '[')
		port = strrchr(l6, ':');
	else
		port = strrchr(s->cfg.listen, ':');
	if (port && strcmp(port, ":80"))
		str_printf(s->http_base6, sizeof(s->http_base6),
			   "http://[%s]%s", s->server6, port);
	else
		str_printf(s->http_base6, sizeof(s->http_base6),
			   "http://[%s]", s->server6);
}

/* What a reservation needs of a host (a db_host is ~11 KB). */
struct sup_resv {
	char macs[DB_MAX_MACS][MAC_STR_LEN];
	size_t n_macs;
	char ip[ADDR_STRLEN];
	char hostname[HOSTNAME_MAX + 1];
	const char *tag; /* local-state tag, NULL = none */
};

struct hosts_ctx {
	struct sup_resv *src;
	size_t n, cap;
	bool site_nofile; /* [boot] local_bios or local_efi = nofile */
};

/*
 * Collect hosts with a fixed address, and hosts in local state that get
 * no boot file (their own local_boot = nofile, or the site default).
 */
static int
sup_collect_host(const struct db_host *h, void *arg)
{
	struct hosts_ctx *c = arg;
	struct sup_resv r;
	bool local = h->action == DB_ACTION_LOCAL;
	bool nofile = local && !strcmp(h->local_boot, "nofile");
	bool sitetag = local && !h->local_boot[0] && c->site_nofile;

	if (!h->ip[0] && !nofile && !sitetag)
		return 0;
	r.n_macs = h->n_macs > DB_MAX_MACS ? DB_MAX_MACS : h->n_macs;
	memcpy(r.macs, h->macs, sizeof(r.macs));
	str_copy(r.ip, sizeof(r.ip), h->ip);
	str_copy(r.hostname, sizeof(r.hostname), h->hostname);
	r.tag = nofile	  ? DNSMASQ_TAG_NOFILE
		: sitetag ? DNSMASQ_TAG_LOCAL
			  : NULL;
	return array_push(&c->src, &c->n, &c->cap, 0, &r, sizeof(r));
}

/* Render the reservations file text from the database. */
static int
sup_render_hosts(struct sup *s, char **ret)
{
	struct hosts_ctx c = { 0 };
	struct dnsmasq_host *h;
	size_t i, j, skipped = 0;
	int r;

	c.site_nofile = s->cfg.local_bios == LOCAL_BOOT_NOFILE ||
			s->cfg.local_efi == LOCAL_BOOT_NOFILE;
	r = db_host_list(s->db, sup_collect_host, &c);
	if (r < 0) {
		free(c.src);
		return r;
	}
	h = calloc(c.n ? c.n : 1, sizeof(*h));
	if (!h) {
		free(c.src);
		return -ENOMEM;
	}
	for (i = 0; i < c.n; i++) {
		h[i].n_macs = c.src[i].n_macs > 8 ? 8 : c.src[i].n_macs;
		for (j = 0; j < h[i].n_macs; j++)
			h[i].macs[j] = c.src[i].macs[j];
		h[i].ip = c.src[i].ip;
		h[i].hostname = c.src[i].hostname;
		h[i].tag = c.src[i].tag;
	}
	r = dnsmasq_render_hosts(h, c.n, ret, &skipped);
	if (r == 0 && skipped)
		log_warnx("%zu reservations skipped: invalid values", skipped);
	free(h);
	free(c.src);
	return r;
}

/* Render dnsmasq's config for the current state. */
static int
sup_render_conf(struct sup *s, char **ret, char *err, size_t errsz)
{
	char user[64] = "";
	struct dnsmasq_facts f = {
		.iface = s->nif.name,
		.addr = s->nif.addr,
		.prefix = s->nif.prefix,
		.http_base = s->http_base,
		.addr6 = s->server6,
		.prefix6 = s->prefix6,
		.http_base6 = s->http_base6,
		.tftp_root = s->tftp_dir,
		.hostsfile = s->hosts_path,
		.script = s->script,
		.user = user,
	};

	if (s->drop)
		str_copy(user, sizeof(user), s->cfg.user);
	return dnsmasq_render(&s->cfg, &f, ret, err, errsz);
}

/*
 * The status file's "subnet=" lines, one per DHCP pool: "NET/PREFIX HOW
 * START-END router=ROUTER server=ADDR" (HOW: local, relayed, proxy;
 * START-END "-" in proxy mode; ROUTER an address, "none" or "default":
 * dnsmasq's own address on the local segment, the relay's on a relayed
 * one). Every subnet reaches the boot files and URLs at server.
 */
static int
sup_status_subnets(const struct sup *s, char *buf, size_t bufsz)
{
	struct dnsmasq_subnet sn[DNSMASQ_SUBNETS_MAX];
	char err[256];
	size_t off = 0;
	int n, i;

	buf[0] = '\0';
	if (s->http_only || !s->nif.addr[0])
		return 0;
	n = dnsmasq_subnets(&s->cfg, s->nif.addr, s->nif.prefix, sn,
			    ARRAY_SIZE(sn), err, sizeof(err));
	for (i = 0; i < n; i++) {
		const struct cfg_range *c =
			sn[i].range >= 0 ? &s->cfg.ranges.r[sn[i].range] : NULL;
		int w;

		w = snprintf(buf + off, bufsz - off,
			     "subnet=%s/%u %s %s%s%s router=%s server=%s\n",
			     sn[i].net, sn[i].prefix,
			     dnsmasq_served_name(sn[i].served),
			     sn[i].start[0] ? sn[i].start : "-",
			     sn[i].start[0] ? "-" : "", sn[i].end,
			     sn[i].served == DNSMASQ_SERVED_PROXY ? "-"
			     : c && c->router[0]		  ? c->router
								  : "default",
			     s->server);
		if (w < 0 || (size_t)w >= bufsz - off)
			return -ENAMETOOLONG;
		off += (size_t)w;
	}
	return 0;
}

/* Write the status file `bootyard status` reads. */
static void
sup_write_status(struct sup *s, const char *state)
{
	char buf[16384], subnets[DNSMASQ_SUBNETS_MAX * 128];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "state=%s\n"
		     "pid=%ld\n"
		     "config=%s\n"
		     "interface=%s\n"
		     "address=%s/%u\n"
		     "link=%s\n"
		     "server=%s\n"
		     "http_base=%s\n"
		     "address6=%s\n"
		     "mode=%s\n"
		     "bios_loader=%s\n"
		     "bios_file=%s\n"
		     "uefi_loader=%s\n"
		     "uefi_file=%s\n"
		     "ipxe_detect=%s\n"
		     "ipxe_images=%s\n"
		     "ipxe_from=%s\n"
		     "ipxe_missing=%s\n"
		     "tftp_root=%s\n"
		     "dnsmasq_conf=%s\n"
		     "dnsmasq_pid=%ld\n"
		     "dnsmasq_restarts=%u\n"
		     "http_pid=%ld\n"
		     "lease_hook=%s\n"
		     "%s"
		     "updated=%lld\n",
		     state, (long)getpid(),
		     s->cfg.path[0] ? s->cfg.path : "(defaults)", s->nif.name,
		     s->nif.addr, s->nif.prefix,
		     s->nif.running ? "up" : "down", s->server, s->http_base,
		     s->server6[0] ? s->server6 : "none",
		     cfg_dhcp_mode_name(s->cfg.dhcp_mode),
		     cfg_bios_loader_name(s->cfg.bios_loader),
		     dnsmasq_bios_file(s->cfg.bios_loader),
		     cfg_uefi_loader_name(s->cfg.uefi_loader),
		     dnsmasq_uefi_file(s->cfg.uefi_loader),
		     s->cfg.ipxe_detect ? "yes" : "no",
		     s->tftp.ipxe_built ? "built" : "debian", s->tftp.ipxe_from,
		     s->tftp.ipxe_missing[0]
			     ? s->tftp.ipxe_missing
			     : "none",
		     s->tftp_dir, s->conf_path, (long)s->dm_pid, s->dm_restarts,
		     (long)s->http_pid, s->script[0] ? s->script : "none",
		     sup_status_subnets(s, subnets, sizeof(subnets)) == 0
			     ? subnets
			     : "",
		     (long long)time(NULL));
	if (n > 0 && (size_t)n < sizeof(buf))
		write_file_atomic(s->status_path, buf, (size_t)n, 0644);
}

/* Tell the HTTP child to bump a counter ('r' restarts, 'l' leases). */
static void
sup_http_note(struct sup *s, char what)
{
	if (s->http_ctl >= 0 && write(s->http_ctl, &what, 1) < 0 &&
	    errno != EAGAIN)
		log_debug("http control pipe: %s", strerror(errno));
}

/* ---- the HTTP child ------------------------------------------------- */

/* Body of the HTTP child: never returns. */
static void __attribute__((noreturn))
http_child(struct sup *s, int ready_fd, int ctl_fd)
{
	struct http_server *srv = NULL;
	struct pollfd pfd[2];
	sigset_t mask;
	int sfd, r;
	char why[256];

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	signal(SIGHUP, SIG_IGN);
	serve_tune_malloc();
	/* Bind, drop, then serve: connections that arrive before the drop
	 * wait in the kernel's queue, and the first accept(2) happens in
	 * a thread started unprivileged (this process has no thread before
	 * http_serve). */
	r = http_bind(&s->cfg, s->server, &srv);
	if (r == 0 && s->drop) {
		r = privdrop_to(s->cfg.user, s->uid, s->gid);
		if (r < 0) {
			errno = -r;
			log_warn("http: cannot drop to user %s",
				 s->cfg.user);
		}
	} else if (r == 0 && geteuid() == 0 &&
		   !privdrop_lookup(s->cfg.user, &s->uid, &s->gid, why,
				    sizeof(why)) &&
		   why[0]) {
		log_warnx("http: %s", why);
	}
	if (r == 0)
		r = http_serve(srv); /* the supervisor logs a failure */
	if (write(ready_fd, &r, sizeof(r)) < 0)
		_exit(3);
	close(ready_fd);
	if (r < 0)
		_exit(3);
	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = ctl_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		char buf[64];
		ssize_t k, i;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		if (pfd[1].revents) {
			k = read(ctl_fd, buf, sizeof(buf));
			if (k == 0 || (k < 0 && errno != EINTR &&
				       errno != EAGAIN))
				break; /* the supervisor is gone */
			for (i = 0; i < k; i++) {
				if (buf[i] == 'r')
					metrics_inc_dnsmasq_restarts();
				else if (buf[i] == 'l')
					metrics_inc_lease_events();
			}
		}
	}
	http_stop(srv);
	/* exit, not _exit: under ASan the leak check runs here, where the
	 * HTTP service lives (the supervisor flushed stdio before fork) */
	exit(0);
}

/* Start the HTTP child; wait until its listeners are bound. */
static int
sup_http_start(struct sup *s)
{
	int ready[2], ctl[2], r = -EIO;
	ssize_t k;
	pid_t pid;

	/* The server certificate names the address boot URLs use, which
	 * is known only now when server_address is auto (and may have
	 * changed with the interface): a new one under the same CA needs
	 * no iPXE image rebuild. */
	if (strcmp(s->cfg.tls_listen, "off") && !s->http_only) {
		char why[1024];

		r = pki_ensure(&s->cfg, s->server, NULL, NULL, why,
			       sizeof(why));
		if (r < 0) {
			log_warnx("tls: %s", why);
			return r;
		}
	}
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(ctl, O_CLOEXEC) < 0) {
		r = -errno;
		close(ready[0]);
		close(ready[1]);
		return r;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(ready[0]);
		close(ready[1]);
		close(ctl[0]);
		close(ctl[1]);
		return r;
	}
	if (pid == 0) {
		close(ready[0]);
		close(ctl[1]);
		if (s->dm_log >= 0)
			close(s->dm_log);
		http_child(s, ready[1], ctl[0]);
	}
	close(ready[1]);
	close(ctl[0]);
	do
		k = read(ready[0], &r, sizeof(r));
	while (k < 0 && errno == EINTR);
	close(ready[0]);
	if (k != sizeof(r)) {
		r = -EIO;
	}
	if (r < 0) {
		close(ctl[1]);
		waitpid(pid, NULL, 0);
		return r;
	}
	fcntl(ctl[1], F_SETFL, fcntl(ctl[1], F_GETFL) | O_NONBLOCK);
	s->http_pid = pid;
	s->http_ctl = ctl[1];
	return 0;
}

/* Wait for pid up to ms milliseconds; SIGKILL it after that. */
static void
sup_wait_child(pid_t pid, unsigned ms)
{
	uint64_t end = mono_ms() + ms;

	while (mono_ms() < end) {
		pid_t w = waitpid(pid, NULL, WNOHANG);

		if (w == pid || (w < 0 && errno == ECHILD))
			return;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
sup_http_stop(struct sup *s)
{
	if (s->http_pid <= 0)
		return;
	kill(s->http_pid, SIGTERM);
	sup_wait_child(s->http_pid, 10000);
	s->http_pid = 0;
	if (s->http_ctl >= 0)
		close(s->http_ctl);
	s->http_ctl = -1;
}

/* ---- dnsmasq -------------------------------------------------------- */

/*
 * Start dnsmasq. Its config and reservations are written again first,
 * from the text this process rendered and checked: what dnsmasq reads
 * at each start and restart is ours, whatever happened to the files.
 */
static int
sup_dm_start(struct sup *s)
{
	char spool[CFG_PATH_MAX + 16];
	int r = 0;

	if (s->conf_text)
		r = write_file_atomic(s->conf_path, s->conf_text,
				      strlen(s->conf_text), 0644);
	if (r == 0 && s->hosts_text)
		r = write_file_atomic(s->hosts_path, s->hosts_text,
				      strlen(s->hosts_text), 0644);
	if (r < 0) {
		errno = -r;
		log_warn("cannot write %s: dnsmasq not started, retrying",
			 s->conf_path);
		s->dm_restart_at = mono_ms() + 5000;
		return r;
	}
	if (cfg_lease_spool(&s->cfg, spool, sizeof(spool)) < 0)
		spool[0] = '\0';
	r = dnsmasq_spawn(s->cfg.dnsmasq, s->conf_path,
			  s->script[0] ? s->db_path : NULL,
			  s->script[0] && spool[0] ? spool : NULL, &s->dm_pid,
			  &s->dm_log);
	if (r < 0) {
		errno = -r;
		log_warn("cannot start %s", s->cfg.dnsmasq);
		return r;
	}
	s->dm_started = mono_ms();
	s->dm_restart_at = 0;
	s->loglen = 0;
	log_info("dnsmasq started (pid %ld) on %s %s/%u, mode %s",
		 (long)s->dm_pid, s->nif.name, s->nif.addr, s->nif.prefix,
		 cfg_dhcp_mode_name(s->cfg.dhcp_mode));
	sup_write_status(s, "running");
	return 0;
}

/*
 * A dnsmasq that a killed serve left running on this config (it is not
 * this process's child, and no signal reached it): stopped before ours
 * starts, or two would answer DHCP, the old one with an old config.
 * SIGTERM, SIGKILL after 3 s.
 */
static void
sup_dm_stop_stale(struct sup *s)
{
	pid_t pids[16];
	int n, i, sig = SIGTERM;
	uint64_t end = mono_ms() + 3000;

	n = dnsmasq_stale(s->conf_path, pids, ARRAY_SIZE(pids));
	if (n > 0)
		log_warnx("dnsmasq on %s was left running by an earlier "
			  "serve (pid %ld, %d processes with its helper): "
			  "stopping it", s->conf_path, (long)pids[0], n);
	while (n > 0) {
		for (i = 0; i < n; i++)
			kill(pids[i], sig);
		if (sig == SIGKILL && mono_ms() > end + 2000) {
			log_warnx("dnsmasq (pid %ld) does not stop",
				  (long)pids[0]);
			return;
		}
		usleep(20000);
		if (mono_ms() > end)
			sig = SIGKILL;
		n = dnsmasq_stale(s->conf_path, pids, ARRAY_SIZE(pids));
	}
}

/* Remember which MAC had ip (for TFTP lines, which carry only an IP). */
static void
sup_map_put(struct sup *s, const char *ip, const char *mac)
{
	unsigned i;

	for (i = 0; i < SUP_MAP_SIZE; i++)
		if (!strcmp(s->map[i].ip, ip)) {
			str_copy(s->map[i].mac, MAC_STR_LEN, mac);
			return;
		}
	i = s->map_next++ % SUP_MAP_SIZE;
	str_copy(s->map[i].ip, sizeof(s->map[i].ip), ip);
	str_copy(s->map[i].mac, MAC_STR_LEN, mac);
}

struct find_ip {
	const char *ip;
	char mac[MAC_STR_LEN];
};

static int
sup_find_ip_cb(const struct db_lease *l, void *arg)
{
	struct find_ip *f = arg;

	if (strcmp(l->ip, f->ip) && strcmp(l->ip6, f->ip))
		return 0;
	str_copy(f->mac, sizeof(f->mac), l->mac);
	return 1;
}

/* The MAC that holds ip: recent log lines first, then the leases. */
static void
sup_map_get(struct sup *s, const char *ip, char mac[MAC_STR_LEN])
{
	struct find_ip f = { .ip = ip };
	unsigned i;

	mac[0] = '\0';
	for (i = 0; i < SUP_MAP_SIZE; i++)
		if (!strcmp(s->map[i].ip, ip)) {
			str_copy(mac, MAC_STR_LEN, s->map[i].mac);
			return;
		}
	if (db_lease_list(s->db, false, sup_find_ip_cb, &f) == 1) {
		str_copy(mac, MAC_STR_LEN, f.mac);
		sup_map_put(s, ip, f.mac);
	}
}

/* What grubcfg.h needs of the supervisor. */
static struct grubcfg_site
sup_grub_site(struct sup *s)
{
	return (struct grubcfg_site){ &s->cfg, s->tftp_dir, s->server,
				      s->http_base, &s->grub_once };
}

/* uefi_loader = shim: (re)render every grub file (grubcfg.h). */
static void
sup_grub(struct sup *s)
{
	static char last_err[512];
	struct grubcfg_site site = sup_grub_site(s);
	struct grubcfg_report rep;
	int r;

	if (s->cfg.uefi_loader != UEFI_LOADER_SHIM)
		return;
	r = grubcfg_render_all(s->db, &site, &rep);
	if (r < 0 && !rep.error[0])
		str_copy(rep.error, sizeof(rep.error), strerror(-r));
	if ((r < 0 || rep.failed) && strcmp(rep.error, last_err))
		log_warnx("grub files in %s: %u not rendered, the previous "
			  "ones stay: %s", s->tftp_dir, rep.failed, rep.error);
	str_copy(last_err, sizeof(last_err), rep.error);
	if (rep.written || rep.removed)
		log_info("grub files: %u written, %u removed", rep.written,
			 rep.removed);
}

/* uefi_loader = shim: one-boot installs grub did not fetch in time go
 * back to the menu (grubcfg_once_expire). */
static void
sup_grub_once(struct sup *s)
{
	struct grubcfg_site site = sup_grub_site(s);
	struct grubcfg_report rep;
	int r;

	if (s->cfg.uefi_loader != UEFI_LOADER_SHIM || !s->grub_once.n)
		return;
	r = grubcfg_once_expire(s->db, &site, &rep);
	if (r < 0)
		log_warnx("grub: a one-boot install not fetched in time: %s%s%s",
			  strerror(-r), rep.error[0] ? ": " : "", rep.error);
}

/* uefi_loader = shim: a TFTP transfer may be an install attempt or a
 * grub menu choice (grubcfg_tftp_event). */
static void
sup_grub_tftp(struct sup *s, bool sent, const char *file, const char *mac)
{
	struct grubcfg_site site = sup_grub_site(s);
	struct grubcfg_report rep;
	int r;

	if (s->cfg.uefi_loader != UEFI_LOADER_SHIM)
		return;
	r = grubcfg_tftp_event(s->db, &site, sent, file, mac, &rep);
	if (r < 0)
		log_warnx("grub: %s for %s: %s%s%s", file, mac[0] ? mac : "?",
			  strerror(-r), rep.error[0] ? ": " : "", rep.error);
	else if (rep.written || rep.removed)
		log_info("grub: %s: %u written, %u removed", file, rep.written,
			 rep.removed);
}

/* One dnsmasq log line: log it, and record boot events. */
static void
sup_log_line(struct sup *s, const char *line)
{
	struct dnsmasq_log_event ev;
	char detail[400], mac[MAC_STR_LEN];
	int r;

	if (strstr(line, "LOUD WARNING"))
		log_debug("dnsmasq: %s", line);
	else
		log_info("dnsmasq: %s", line);
	r = dnsmasq_log_parse(line, s->tftp_dir, &ev);
	if (r < 0)
		return;
	str_copy(mac, sizeof(mac), ev.mac);
	switch (ev.kind) {
	case DNSMASQ_LOG_TFTP_SENT:
	case DNSMASQ_LOG_TFTP_NOTFOUND:
		sup_map_get(s, ev.ip, mac);
		snprintf(detail, sizeof(detail), "file=%s ip=%s", ev.file,
			 ev.ip);
		break;
	default:
		if (ev.ip[0] && strcmp(ev.ip, "0.0.0.0"))
			sup_map_put(s, ev.ip, ev.mac);
		if (ev.file[0])
			snprintf(detail, sizeof(detail), "ip=%s file=%s",
				 ev.ip[0] ? ev.ip : "-", ev.file);
		else
			snprintf(detail, sizeof(detail), "ip=%s",
				 ev.ip[0] ? ev.ip : "-");
		break;
	}
	if (ev.kind == DNSMASQ_LOG_DHCP_ACK)
		sup_http_note(s, 'l');
	r = db_event_add(s->db, mac[0] ? mac : NULL,
			 dnsmasq_log_kind_name(ev.kind), detail);
	if (r < 0)
		log_warnx("event %s for %s not recorded: %s",
			  dnsmasq_log_kind_name(ev.kind), mac, db_errmsg(s->db));
	if (ev.kind == DNSMASQ_LOG_TFTP_SENT ||
	    ev.kind == DNSMASQ_LOG_TFTP_NOTFOUND)
		sup_grub_tftp(s, ev.kind == DNSMASQ_LOG_TFTP_SENT, ev.file,
			      mac);
}

/* Read what dnsmasq wrote; split into lines. */
static void
sup_read_log(struct sup *s)
{
	ssize_t k;
	char *nl;

	for (;;) {
		k = read(s->dm_log, s->logbuf + s->loglen,
			 sizeof(s->logbuf) - 1 - s->loglen);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		s->loglen += (size_t)k;
		s->logbuf[s->loglen] = '\0';
		while ((nl = memchr(s->logbuf, '\n', s->loglen))) {
			*nl = '\0';
			sup_log_line(s, s->logbuf);
			s->loglen -= (size_t)(nl + 1 - s->logbuf);
			memmove(s->logbuf, nl + 1, s->loglen);
		}
		if (s->loglen == sizeof(s->logbuf) - 1) {
			/* an overlong line: log what we have, drop it */
			sup_log_line(s, s->logbuf);
			s->loglen = 0;
		}
	}
	if (k == 0) {
		/* EOF: dnsmasq is gone; SIGCHLD tells the rest */
		close(s->dm_log);
		s->dm_log = -1;
	}
}

/* Stop dnsmasq on purpose (reload, address change, shutdown). */
static void
sup_dm_stop(struct sup *s)
{
	if (s->dm_pid > 0) {
		kill(s->dm_pid, SIGTERM);
		sup_wait_child(s->dm_pid, 3000);
		log_info("dnsmasq (pid %ld) stopped", (long)s->dm_pid);
	}
	s->dm_pid = 0;
	if (s->dm_log >= 0) {
		sup_read_log(s);
		if (s->dm_log >= 0)
			close(s->dm_log);
	}
	s->dm_log = -1;
	s->dm_restart_at = 0;
}

/* dnsmasq died: a "dnsmasq-exit" event (one per death: the back-off
 * bounds their rate), for `bootyard events` next to the boots it hit. */
static void
sup_dm_event(struct sup *s, const char *how, uint64_t ran)
{
	char detail[160];

	snprintf(detail, sizeof(detail), "%s after %llu ms; restart %u in "
		 "%u ms", how, (unsigned long long)ran, s->dm_restarts,
		 s->dm_backoff);
	if (db_event_add(s->db, NULL, "dnsmasq-exit", detail) < 0)
		log_warnx("event dnsmasq-exit not recorded: %s",
			  db_errmsg(s->db));
}

/* Reap children; schedule a dnsmasq restart if it died. */
static void
sup_reap(struct sup *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		char how[64];

		if (WIFSIGNALED(status))
			snprintf(how, sizeof(how), "killed by signal %d",
				 WTERMSIG(status));
		else
			snprintf(how, sizeof(how), "exited with status %d",
				 WEXITSTATUS(status));
		if (pid == s->dm_pid) {
			uint64_t ran = mono_ms() - s->dm_started;

			if (s->dm_log >= 0)
				sup_read_log(s);
			s->dm_pid = 0;
			s->dm_backoff = dnsmasq_backoff_ms(s->dm_backoff, ran);
			s->dm_restart_at = mono_ms() + s->dm_backoff;
			s->dm_restarts++;
			sup_http_note(s, 'r');
			log_warnx("dnsmasq (pid %ld) %s after %llu ms; restart "
				  "%u in %u ms", (long)pid, how,
				  (unsigned long long)ran, s->dm_restarts,
				  s->dm_backoff);
			sup_dm_event(s, how, ran);
			sup_write_status(s, "restarting");
		} else if (pid == s->http_pid) {
			log_warnx("http service (pid %ld) %s; restarting it",
				  (long)pid, how);
			s->http_pid = 0;
			if (s->http_ctl >= 0)
				close(s->http_ctl);
			s->http_ctl = -1;
			s->http_restart_at = mono_ms() + 1000;
		}
	}
}

/*
 * Reservations from the database: rewrite the hosts file and SIGHUP
 * dnsmasq (which re-reads it without a restart) when they changed.
 */
static void
sup_hosts_refresh(struct sup *s)
{
	char *hosts = NULL;
	int r;

	if (sup_render_hosts(s, &hosts) < 0) {
		log_warnx("reservations: %s", db_errmsg(s->db));
		return;
	}
	if (s->hosts_text && !strcmp(hosts, s->hosts_text)) {
		free(hosts);
		return;
	}
	r = write_file_atomic(s->hosts_path, hosts, strlen(hosts), 0644);
	if (r < 0) {
		errno = -r;
		log_warn("%s", s->hosts_path);
		free(hosts);
		return;
	}
	free(s->hosts_text);
	s->hosts_text = hosts;
	if (s->dm_pid > 0) {
		log_info("reservations changed: dnsmasq re-reads %s",
			 s->hosts_path);
		kill(s->dm_pid, SIGHUP);
	}
}

/*
 * Render config and reservations; apply what changed: a new config is
 * checked and dnsmasq restarted, new reservations are written and
 * dnsmasq gets SIGHUP. force_restart restarts dnsmasq in any case.
 * Returns 0, or -EINVAL when the new config is refused (the running
 * dnsmasq is left alone).
 */
static int
sup_apply(struct sup *s, bool force_restart)
{
	char err[1024], *conf = NULL, *hosts = NULL;
	bool conf_changed, hosts_changed;
	int r;

	r = sup_render_hosts(s, &hosts);
	if (r < 0) {
		log_warnx("reservations: %s", db_errmsg(s->db));
		hosts = NULL;
	}
	r = sup_render_conf(s, &conf, err, sizeof(err));
	if (r < 0) {
		log_warnx("dnsmasq configuration: %s", err);
		free(hosts);
		return -EINVAL;
	}
	conf_changed = !s->conf_text || strcmp(conf, s->conf_text);
	hosts_changed = hosts && (!s->hosts_text || strcmp(hosts, s->hosts_text));
	if (hosts_changed) {
		r = write_file_atomic(s->hosts_path, hosts, strlen(hosts), 0644);
		if (r < 0) {
			errno = -r;
			log_warn("%s", s->hosts_path);
		}
		free(s->hosts_text);
		s->hosts_text = hosts;
		hosts = NULL;
	}
	free(hosts);
	if (conf_changed) {
		char old[CFG_PATH_MAX + 40];

		/* check the new text before it replaces the running one */
		str_printf(old, sizeof(old), "%s.new", s->conf_path);
		r = write_file_atomic(old, conf, strlen(conf), 0644);
		if (r == 0)
			r = dnsmasq_check(s->cfg.dnsmasq, old, err, sizeof(err));
		if (r < 0) {
			log_warnx("dnsmasq refuses the new configuration: %s",
				  err);
			unlink(old);
			free(conf);
			return -EINVAL;
		}
		if (rename(old, s->conf_path) < 0) {
			log_warn("%s", s->conf_path);
			free(conf);
			return -EIO;
		}
		free(s->conf_text);
		s->conf_text = conf;
		conf = NULL;
	}
	free(conf);
	if (conf_changed || force_restart || s->dm_pid <= 0) {
		if (s->dm_pid > 0)
			log_info("dnsmasq configuration changed: restarting");
		sup_dm_stop(s);
		s->dm_backoff = 0;
		sup_dm_start(s);
	} else if (hosts_changed && s->dm_pid > 0) {
		log_info("reservations changed: dnsmasq re-reads %s",
			 s->hosts_path);
		kill(s->dm_pid, SIGHUP);
	}
	return 0;
}

/* (Re)assemble the TFTP tree for the current server address. */
static int
sup_tftp(struct sup *s)
{
	char err[1024];
	int r;

	r = tftproot_assemble(s->tftp_dir, s->cfg.state_dir, s->server,
			      s->http_base,
			      s->cfg.uefi_loader == UEFI_LOADER_SHIM, &s->tftp,
			      err, sizeof(err));
	if (r < 0)
		log_warnx("TFTP root %s: %s", s->tftp_dir, err);
	else if (s->tftp.written)
		log_info("TFTP root %s: %u files written, iPXE from %s",
			 s->tftp_dir, s->tftp.written, s->tftp.ipxe_from);
	if (r == 0 && s->tftp.ipxe_missing[0] && s->tftp.written)
		log_warnx("TFTP root %s: no %s: ARM64 UEFI clients get no boot "
			  "file (Debian's ipxe has no ARM64 image; run "
			  "`bootyard build-ipxe` with gcc-aarch64-linux-gnu "
			  "installed)",
			  s->tftp_dir, s->tftp.ipxe_missing);
	if (r == 0)
		sup_grub(s);
	return r;
}

/* SIGHUP: reload the config file and apply it. */
static void
sup_reload(struct sup *s)
{
	struct by_config old = s->cfg, ncfg;
	struct netif_info nif;
	char err[1024], server_old[ADDR_STRLEN];
	bool http_changed;

	if (cfg_load(&ncfg, s->cfg_path ? s->cfg_path : CFG_DEFAULT_PATH,
		     s->cfg_path == NULL, err, sizeof(err)) < 0) {
		log_warnx("reload refused: %s", err);
		return;
	}
	if (netif_detect(ncfg.interface, &nif, err, sizeof(err)) < 0) {
		log_warnx("reload refused: %s", err);
		return;
	}
	if (serve_paths_safe(&ncfg, err, sizeof(err)) < 0) {
		log_warnx("reload refused: %s (root must not read or write "
			  "through a directory another user can change)", err);
		return;
	}
	str_copy(server_old, sizeof(server_old), s->server);
	s->cfg = ncfg;
	s->nif = nif;
	if (sup_paths(s) < 0 || sup_addresses(s, &nif) < 0) {
		log_warnx("reload refused: bad paths or addresses");
		s->cfg = old;
		sup_paths(s);
		return;
	}
	sup_addresses6(s);
	sup_tftp(s);
	if (sup_apply(s, false) < 0) {
		log_warnx("reload: keeping the running dnsmasq");
	}
	http_changed = memcmp(&old, &s->cfg, sizeof(old)) != 0 ||
		       strcmp(server_old, s->server);
	if (http_changed) {
		log_info("configuration changed: restarting the HTTP service");
		sup_http_stop(s);
		if (sup_http_start(s) < 0)
			s->http_restart_at = mono_ms() + 1000;
	}
	sup_write_status(s, "running");
	log_info("configuration reloaded");
}

/* Read the interface's IPv6 addresses; log them when they changed.
 * Returns whether the address served over IPv6 changed. */
static bool
sup_follow6(struct sup *s)
{
	struct netif_addrs6 a6;
	char text[512], was[ADDR_STRLEN];
	unsigned wasp = s->prefix6;

	if (netif_list6(s->nif.ifindex, &a6) < 0 || netif_same6(&a6, &s->nif6))
		return false;
	s->nif6 = a6;
	log_info("interface %s IPv6 addresses: %s", s->nif.name,
		 netif_addr6_text(&a6, text, sizeof(text)));
	str_copy(was, sizeof(was), s->server6);
	sup_addresses6(s);
	return strcmp(was, s->server6) || wasp != s->prefix6;
}

/* The interface changed: follow its address; log link changes. */
static void
sup_netif_changed(struct sup *s, int what)
{
	struct netif_info nif;
	struct netif_info all[NETIF_MAX_CANDIDATES];
	char err[1024];
	int n, i;

	n = netif_list(all, ARRAY_SIZE(all));
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].name, s->nif.name))
			continue;
		if (all[i].running != s->nif.running) {
			log_info("link %s is %s", s->nif.name,
				 all[i].running ? "up" : "down");
			s->nif.running = all[i].running;
			s->nif.up = all[i].up;
			sup_write_status(s, "running");
		}
		break;
	}
	if (!(what & NETIF_CHANGED_ADDR))
		return;
	if (netif_detect(s->cfg.interface, &nif, err, sizeof(err)) < 0) {
		log_warnx("%s: waiting for an address", err);
		return;
	}
	if (netif_same(&nif, &s->nif)) {
		/* a new IPv6 address to serve: a new dnsmasq config */
		if (sup_follow6(s) && !s->http_only) {
			log_info("serving IPv6 on %s: %s/%u", s->nif.name,
				 s->server6[0] ? s->server6 : "none",
				 s->prefix6);
			sup_apply(s, false);
			sup_write_status(s, "running");
		}
		return;
	}
	log_info("interface %s is now %s/%u (was %s %s/%u): following",
		 nif.name, nif.addr, nif.prefix, s->nif.name, s->nif.addr,
		 s->nif.prefix);
	s->nif = nif;
	sup_follow6(s);
	if (sup_addresses(s, &nif) < 0) {
		log_warnx("cannot use address %s", nif.addr);
		return;
	}
	sup_tftp(s);
	sup_apply(s, true);
	sup_http_stop(s);
	if (sup_http_start(s) < 0)
		s->http_restart_at = mono_ms() + 1000;
	sup_write_status(s, "running");
}

/*
 * After the first start: give dnsmasq half a second. If it exits in that
 * time (a TFTP root it cannot read, a port in use) serve fails at once
 * with dnsmasq's last words instead of restarting it forever.
 */
static int
sup_dm_settle(struct sup *s)
{
	int i, status;

	for (i = 0; i < 50; i++) {
		if (s->dm_log >= 0)
			sup_read_log(s);
		if (waitpid(s->dm_pid, &status, WNOHANG) == s->dm_pid) {
			if (s->dm_log >= 0)
				sup_read_log(s);
			log_warnx("dnsmasq failed at start (exit status %d): "
				  "see its messages above",
				  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			s->dm_pid = 0;
			return -EIO;
		}
		usleep(10000);
	}
	return 0;
}

static void
sup_free(struct sup *s)
{
	free(s->conf_text);
	free(s->hosts_text);
	netif_watch_close(s->watch);
	db_close(s->db);
}

/*
 * Rogue DHCP: send a DISCOVER on the serving interface (doctor_probe)
 * and log, and record as a "dhcp-foreign" event, every server other than
 * this appliance that answers. Blocks for wait_ms. Returns how many
 * foreign servers answered (0 when the probe could not run: logged).
 */
static size_t
sup_rogue_check(struct sup *s, unsigned wait_ms)
{
	struct doctor_offer o[DOCTOR_MAX_SERVERS];
	char detail[256];
	size_t n = 0, i, others = 0;
	int r;

	r = doctor_probe(s->nif.name, NULL, wait_ms, o, ARRAY_SIZE(o), &n);
	if (r < 0) {
		errno = -r;
		log_warn("DHCP probe on %s", s->nif.name);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(o[i].server, s->nif.addr))
			continue;
		others++;
		snprintf(detail, sizeof(detail), "server=%s yiaddr=%s file=%s",
			 o[i].server, o[i].yiaddr,
			 o[i].file[0] ? o[i].file : "-");
		log_warnx("another DHCP server answers on %s: %s", s->nif.name,
			  detail);
		if (db_event_add(s->db, NULL, "dhcp-foreign", detail) < 0)
			log_warnx("event dhcp-foreign not recorded: %s",
				  db_errmsg(s->db));
	}
	return others;
}

/* Open (create, migrate) the database: 0 and *ret, or -errno, logged
 * with the server's reason when there is one (db_open_error). */
static int
sup_db_open(struct sup *s, struct db **ret)
{
	int r = db_open(s->db_path, DB_OPEN_CREATE, ret);

	if (r < 0) {
		errno = -r;
		if (*db_open_error())
			log_warnx("database %s: %s: %s", s->db_path,
				  db_strerror(r), db_open_error());
		else
			log_warn("database %s", s->db_path);
	}
	return r;
}

/*
 * Whom the children drop to (s->drop, s->uid, s->gid; a user that does
 * not exist is logged and nothing is dropped), and the database
 * directory handed to that user's group: the user writes the database,
 * and only it, through its group.
 */
static void
sup_user(struct sup *s)
{
	char why[256], dbdir[CFG_PATH_MAX + 8];
	int r;

	s->drop = privdrop_lookup(s->cfg.user, &s->uid, &s->gid, why,
				  sizeof(why));
	if (!s->drop && why[0])
		log_warnx("%s", why);
	if (!s->drop)
		return;
	r = cfg_db_dir(&s->cfg, dbdir, sizeof(dbdir));
	if (r == 0)
		r = privdrop_own(dbdir, s->gid);
	if (r < 0) {
		errno = -r;
		log_warn("cannot give %s to the group of user %s", dbdir,
			 s->cfg.user);
	}
}

/*
 * Read the signals queued on sfd: SIGCHLD reaps, SIGHUP calls reload
 * (the supervised mode's or --dhcp=off's), anything else asks to stop.
 * Returns true when the caller should stop.
 */
static bool
sup_signals(struct sup *s, int sfd, void (*reload)(struct sup *))
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			sup_reap(s);
			break;
		case SIGHUP:
			log_info("SIGHUP: reloading %s",
				 s->cfg_path ? s->cfg_path : CFG_DEFAULT_PATH);
			serve_notify("RELOADING=1");
			reload(s);
			serve_notify("READY=1");
			break;
		default:
			log_info("signal %u: stopping", si.ssi_signo);
			serve_notify("STOPPING=1");
			stop = true;
			break;
		}
	}
	return stop;
}

/*
 * Block the signals the supervisor handles and return a signalfd that
 * reads them (SIGPIPE ignored), or -1 (logged).
 */
static int
sup_signalfd(void)
{
	sigset_t mask;
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		log_warn("signalfd");
	return sfd;
}

/*
 * What the supervised mode needs before it starts a child: the serving
 * interface, the paths, the database, the TFTP tree, the interface
 * watch. Returns 0, or the exit status (logged; what it opened is
 * closed again).
 */
static int
sup_prepare(struct sup *s)
{
	char err[1024];
	int r;

	r = netif_detect(s->cfg.interface, &s->nif, err, sizeof(err));
	if (r < 0) {
		log_warnx("%s", err);
		return EXIT_RUNTIME;
	}
	sup_follow6(s);
	if (sup_paths(s) < 0 || sup_addresses(s, &s->nif) < 0) {
		log_warnx("bad [appliance] paths or [http] listen");
		return EXIT_USAGE;
	}
	if (sup_mkdir(s->run_dir, 0755) < 0) {
		log_warn("cannot create %s", s->run_dir);
		return EXIT_RUNTIME;
	}
	sup_dm_stop_stale(s);
	if (sup_db_open(s, &s->db) < 0)
		return EXIT_RUNTIME;
	sup_user(s);
	sup_find_script(s);
	if (sup_tftp(s) < 0) {
		sup_free(s);
		return EXIT_RUNTIME;
	}
	r = netif_watch_open(&s->watch);
	if (r < 0) {
		errno = -r;
		log_warn("cannot watch interfaces");
		sup_free(s);
		return EXIT_RUNTIME;
	}
	return 0;
}

/*
 * A config dnsmasq refuses stops the start, with dnsmasq's words: render
 * it beside the real one and let dnsmasq --test judge. 0 or -errno
 * (logged).
 */
static int
sup_conf_check(struct sup *s)
{
	char err[1024], *conf = NULL, tmp[CFG_PATH_MAX + 40];
	int r;

	r = sup_render_conf(s, &conf, err, sizeof(err));
	if (r == 0) {
		str_printf(tmp, sizeof(tmp), "%s.new", s->conf_path);
		r = write_file_atomic(tmp, conf, strlen(conf), 0644);
		if (r == 0)
			r = dnsmasq_check(s->cfg.dnsmasq, tmp, err, sizeof(err));
		unlink(tmp);
	}
	free(conf);
	if (r < 0)
		log_warnx("dnsmasq configuration refused: %s", err);
	return r;
}

/*
 * Does dnsmasq hand out addresses on the interface's own segment? Not
 * when every [dhcp] range is a subnet reached through a relay: another
 * DHCP server on the segment is then no conflict.
 */
static bool
sup_serves_segment(const struct sup *s)
{
	struct dnsmasq_subnet sn[DNSMASQ_SUBNETS_MAX];
	char err[256];
	int n, i;

	n = dnsmasq_subnets(&s->cfg, s->nif.addr, s->nif.prefix, sn,
			    ARRAY_SIZE(sn), err, sizeof(err));
	if (n < 0)
		return true; /* dnsmasq_render refuses it anyway */
	for (i = 0; i < n; i++)
		if (sn[i].served == DNSMASQ_SERVED_LOCAL)
			return true;
	return false;
}

/*
 * Two authoritative DHCP servers on one network hand out conflicting
 * answers: true (logged) when another one answers and neither
 * allow_other_servers nor --force says to start beside it.
 */
static bool
sup_refuse_rogue(struct sup *s)
{
	if (s->cfg.dhcp_mode != DHCP_MODE_DHCP || !s->cfg.probe_wait ||
	    !sup_serves_segment(s) ||
	    !sup_rogue_check(s, s->cfg.probe_wait * 1000))
		return false;
	if (!s->cfg.allow_other_servers && !s->force) {
		log_warnx("refusing to start: another DHCP server "
			  "answers on %s (see above; `bootyard doctor` "
			  "lists them). Stop it, or run beside it with "
			  "[dhcp] mode = proxy; to start anyway set "
			  "[dhcp] allow_other_servers = yes or run "
			  "`bootyard serve --force`",
			  s->nif.name);
		return true;
	}
	log_warnx("starting beside another DHCP server (%s)",
		  s->force ? "--force" : "allow_other_servers = yes");
	return false;
}

/*
 * Restart a child whose restart is due (true: the caller loops again at
 * once), else lower *timeout to the wait until the next one is.
 */
static bool
sup_restarts_due(struct sup *s, uint64_t t, int *timeout)
{
	if (s->dm_restart_at) {
		if (t >= s->dm_restart_at) {
			s->dm_restart_at = 0;
			sup_dm_start(s);
			return true;
		}
		*timeout = (int)(s->dm_restart_at - t);
	}
	if (s->http_restart_at) {
		if (t >= s->http_restart_at) {
			s->http_restart_at = 0;
			if (sup_http_start(s) < 0)
				s->http_restart_at = t + 5000;
			else
				sup_write_status(s, "running");
			return true;
		}
		if (*timeout < 0 || (uint64_t)*timeout > s->http_restart_at - t)
			*timeout = (int)(s->http_restart_at - t);
	}
	return false;
}

/* The database watch: without a change fd (SQLite), a look once a
 * second; with one (PostgreSQL's LISTEN), at once when it wakes, but not
 * more often than every SUP_DB_DEBOUNCE_MS: a burst of changes (a host
 * import, a script adding hosts) costs one re-render per period, and the
 * last change of the burst is picked up within it. */
#define SUP_DB_LOOK_MS 1000
#define SUP_DB_DEBOUNCE_MS 50

/*
 * The read cache (PostgreSQL, cfg_db_cache): after a change, the tables
 * the boot decision reads are written to a new file that replaces the
 * old one (db_cache_write), root's, group the service group, 0640, in a
 * directory of root's that only root can change: the HTTP child answers
 * known hosts from it while the server is unavailable. At most once a
 * second, and at most a tenth of the time (10,000 hosts took 0.3 s). A
 * write that fails (the server went away)
 * is tried again at the next turn.
 */
static void
sup_cache_sync(struct sup *s)
{
	char path[CFG_PATH_MAX + 32], dir[CFG_PATH_MAX + 16], why[512];
	int r;

	if (!s->cache_due || !s->db ||
	    mono_ms() - s->cache_at < (s->cache_gap ? s->cache_gap : 1000) ||
	    cfg_db_cache(&s->cfg, path, sizeof(path), dir, sizeof(dir)) < 0)
		return;
	s->cache_at = mono_ms();
	if (sup_mkdir(dir, 0750) < 0 ||
	    (s->drop && chown(dir, (uid_t)-1, s->gid) < 0) ||
	    chmod(dir, 0750) < 0) {
		log_warn("read cache: %s", dir);
		return;
	}
	if (geteuid() == 0 && privdrop_path_safe(dir, why, sizeof(why)) < 0) {
		log_warnx("read cache not written: %s", why);
		return;
	}
	r = db_cache_write(s->db, path, s->drop ? s->gid : (gid_t)-1);
	s->cache_gap = (mono_ms() - s->cache_at) * 10;
	if (s->cache_gap < 1000)
		s->cache_gap = 1000;
	if (r == 0)
		s->cache_due = false;
}

/*
 * --dhcp=off with a database server: the database watch of the
 * supervised mode, for the read cache alone (no reservations, no grub
 * files to render). Its own connection, opened when it can be.
 */
static void
sup_cache_watch(struct sup *s)
{
	uint64_t changes;

	if (!cfg_db_remote(&s->cfg) || mono_ms() - s->db_checked < 1000)
		return;
	s->db_checked = mono_ms();
	if (!s->db && db_open(s->db_path, 0, &s->db) < 0)
		return;
	if (db_changes(s->db, &changes) == 0 && changes != s->db_seen) {
		s->db_seen = changes;
		s->cache_due = true;
	}
	sup_cache_sync(s);
}

/*
 * A host added, changed or removed by the CLI or the admin API (of this
 * appliance or another one on the same database) reaches dnsmasq
 * (reservations) and grub (per-MAC files) without a signal: neither
 * writer depends on the daemon, so the daemon looks (the database's
 * change counter) once a second, or when the database's change fd woke
 * it (woken). A counter that cannot be read is looked at again next time.
 */
static void
sup_db_watch(struct sup *s, bool woken)
{
	uint64_t changes;

	if (mono_ms() - s->db_checked <
	    (woken ? SUP_DB_DEBOUNCE_MS : SUP_DB_LOOK_MS))
		return;
	s->db_checked = mono_ms();
	if (db_changes(s->db, &changes) == 0 && changes != s->db_seen) {
		s->db_seen = changes;
		s->cache_due = cfg_db_remote(&s->cfg);
		sup_hosts_refresh(s);
		if (s->cfg.uefi_loader == UEFI_LOADER_SHIM)
			sup_grub(s);
	}
	sup_cache_sync(s);
	sup_grub_once(s);
}

/*
 * The event loop: child restarts, the rogue DHCP probe, the database
 * watch, dnsmasq's log, interface changes and signals, until a signal
 * says stop (0) or poll fails (EXIT_RUNTIME).
 */
static int
sup_loop(struct sup *s, int sfd)
{
	struct pollfd pfd[4];
	int r;

	sup_db_watch(s, false); /* at once: LISTEN, so a change wakes us */
	for (;;) {
		int timeout = -1, nfds = 2, cfd, ci = -1;
		uint64_t t = mono_ms();

		if (sup_restarts_due(s, t, &timeout))
			continue;
		/* look for database changes once a second */
		if (timeout < 0 || timeout > 1000)
			timeout = 1000;
		/* a DHCP server that appears later: probe now and then */
		if (s->cfg.dhcp_mode == DHCP_MODE_DHCP && s->cfg.probe_wait &&
		    s->cfg.probe_interval && t >= s->probe_at) {
			s->probe_at = t + (uint64_t)s->cfg.probe_interval * 1000;
			if (sup_serves_segment(s))
				sup_rogue_check(s, s->cfg.probe_wait * 1000);
		}
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = netif_watch_fd(s->watch);
		pfd[1].events = POLLIN;
		if (s->dm_log >= 0) {
			pfd[2].fd = s->dm_log;
			pfd[2].events = POLLIN;
			nfds = 3;
		}
		/* the database's notifications, outside the debounce */
		cfd = db_change_fd(s->db);
		if (cfd >= 0 && t - s->db_checked < SUP_DB_DEBOUNCE_MS) {
			int left = (int)(SUP_DB_DEBOUNCE_MS - (t - s->db_checked));

			if (timeout < 0 || timeout > left)
				timeout = left;
		} else if (cfd >= 0) {
			ci = nfds++;
			pfd[ci].fd = cfd;
			pfd[ci].events = POLLIN;
			pfd[ci].revents = 0;
		}
		r = poll(pfd, (nfds_t)nfds, timeout);
		if (r < 0 && errno != EINTR) {
			log_warn("poll");
			return EXIT_RUNTIME;
		}
		sup_db_watch(s, r > 0 && ci >= 0 && pfd[ci].revents);
		if (r <= 0)
			continue;
		if (ci != 2 && nfds >= 3 && pfd[2].revents)
			sup_read_log(s);
		if (pfd[1].revents) {
			int what = netif_watch_read(s->watch);

			if (what > 0)
				sup_netif_changed(s, what);
		}
		if (pfd[0].revents && sup_signals(s, sfd, sup_reload))
			return 0;
	}
}

/*
 * Start everything (checks, the HTTP child, dnsmasq), then the event
 * loop; returns the exit status.
 */
static int
serve_supervised(struct by_ctx *ctx, struct sup *s)
{
	int sfd, r, status;

	s->dm_log = -1;
	s->http_ctl = -1;
	s->cfg_path = ctx->config_path;
	status = sup_prepare(s);
	if (status)
		return status;
	sfd = sup_signalfd();
	if (sfd < 0) {
		sup_free(s);
		return EXIT_RUNTIME;
	}
	if (sup_conf_check(s) < 0) {
		close(sfd);
		sup_free(s);
		return EXIT_USAGE;
	}
	if (sup_refuse_rogue(s)) {
		close(sfd);
		sup_free(s);
		return EXIT_RUNTIME;
	}
	s->probe_at = mono_ms() + (uint64_t)s->cfg.probe_interval * 1000;
	r = sup_http_start(s);
	if (r < 0) {
		errno = -r;
		log_warn("http: cannot start on %s", s->cfg.listen);
		close(sfd);
		sup_free(s);
		return EXIT_RUNTIME;
	}
	if (sup_apply(s, true) < 0 || s->dm_pid <= 0 || sup_dm_settle(s) < 0) {
		status = EXIT_RUNTIME;
		goto stop_http;
	}
	log_info("serving: %s %s/%u, HTTP %s (boot URLs %s), DHCP %s",
		 s->nif.name, s->nif.addr, s->nif.prefix, s->cfg.listen,
		 s->http_base, cfg_dhcp_mode_name(s->cfg.dhcp_mode));
	/* dnsmasq runs and the HTTP child's listeners are bound. */
	serve_notify("READY=1");
	status = sup_loop(s, sfd);
	sup_dm_stop(s);
stop_http:
	sup_http_stop(s);
	sup_write_status(s, "stopped");
	close(sfd);
	sup_free(s);
	return status;
}

/* ---- --dhcp=off: the HTTP child alone ------------------------------ */

/* The address boot URLs use without an interface to take it from. */
static void
serve_http_only_address(struct sup *s)
{
	str_copy(s->server, sizeof(s->server),
		 strcmp(s->cfg.server_address, "auto") ? s->cfg.server_address
						       : "127.0.0.1");
}

/*
 * Whom the HTTP child drops to, and the state it must write handed to
 * that user (the database created first, as in the supervised mode).
 * 0, or -errno (logged) when the database cannot be created.
 */
static int
serve_http_only_user(struct sup *s)
{
	struct db *db = NULL;
	int r;

	if (cfg_db_path(&s->cfg, s->db_path, sizeof(s->db_path)) < 0)
		return -ENAMETOOLONG;
	if (sup_mkdir(s->cfg.state_dir, 0755) < 0) {
		r = -errno;
		log_warn("cannot create %s", s->cfg.state_dir);
		return r;
	}
	if ((r = sup_db_open(s, &db)) < 0)
		return r;
	db_close(db);
	sup_user(s);
	return 0;
}

/*
 * SIGHUP with --dhcp=off: read the config file again; a changed one
 * restarts the HTTP child with it (which binds, reads the TLS key and
 * the admin token again as root, then drops). A config that does not
 * load is refused with its file:line, and the running child stays.
 */
static void
serve_http_only_reload(struct sup *s)
{
	struct by_config ncfg, old = s->cfg;
	char err[1024], abuf[CFG_ADDR_MAX];

	if (cfg_load(&ncfg, s->cfg_path ? s->cfg_path : CFG_DEFAULT_PATH,
		     s->cfg_path == NULL, err, sizeof(err)) < 0) {
		log_warnx("reload refused: %s", err);
		return;
	}
	if (!memcmp(&ncfg, &s->cfg, sizeof(ncfg))) {
		log_info("configuration unchanged");
		return;
	}
	s->cfg = ncfg;
	if (strcmp(s->cfg.tls_listen, "off") &&
	    pki_ensure(&s->cfg, pki_cfg_address(&s->cfg, abuf, sizeof(abuf)),
		       NULL, NULL, err, sizeof(err)) < 0) {
		log_warnx("reload refused: tls: %s", err);
		s->cfg = old;
		return;
	}
	if (serve_http_only_user(s) < 0) {
		log_warnx("reload refused: the new state directory or "
			  "database cannot be used");
		s->cfg = old;
		serve_http_only_user(s);
		return;
	}
	serve_http_only_address(s);
	db_close(s->db); /* the database may have changed */
	s->db = NULL;
	s->db_seen = 0;
	log_info("configuration changed: restarting the HTTP service");
	sup_http_stop(s);
	if (sup_http_start(s) < 0)
		s->http_restart_at = mono_ms() + 1000;
	log_info("configuration reloaded");
}

/*
 * --dhcp=off: this process stays root and supervises the HTTP child
 * alone, as in the supervised mode: the child binds, drops to [appliance]
 * user, then serves; SIGHUP reloads; a child that dies is restarted.
 */
static int
serve_http_only(struct by_ctx *ctx, struct sup *s)
{
	struct pollfd pfd;
	int sfd, r;
	bool stop = false;

	s->http_only = true;
	s->dm_log = -1;
	s->http_ctl = -1;
	s->cfg_path = ctx->config_path;
	serve_http_only_address(s);
	if (serve_http_only_user(s) < 0)
		return EXIT_RUNTIME;
	sfd = sup_signalfd();
	if (sfd < 0)
		return EXIT_RUNTIME;
	r = sup_http_start(s);
	if (r < 0) {
		errno = -r;
		log_warn("http: cannot start on %s", s->cfg.listen);
		close(sfd);
		return EXIT_RUNTIME;
	}
	log_info("serving on %s (boot URLs use %s)", s->cfg.listen,
		 s->server);
	if (s->cfg.dhcp_mode == DHCP_MODE_DHCP)
		log_info("[dhcp] mode = dhcp: an install is served only to the "
			 "address leased to the machine, as bootyard-lease "
			 "records it; with another DHCP server set [dhcp] "
			 "mode = off (docs/http.md, \"Who may change what a "
			 "machine boots next\")");
	serve_notify("READY=1");
	while (!stop) {
		int timeout = cfg_db_remote(&s->cfg) ? 1000 : -1;
		uint64_t t = mono_ms();

		if (s->http_restart_at) {
			if (t >= s->http_restart_at) {
				s->http_restart_at = 0;
				if (sup_http_start(s) < 0)
					s->http_restart_at = t + 5000;
				continue;
			}
			if (timeout < 0 ||
			    (uint64_t)timeout > s->http_restart_at - t)
				timeout = (int)(s->http_restart_at - t);
		}
		pfd.fd = sfd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, timeout);
		if (r < 0 && errno != EINTR) {
			log_warn("poll");
			break;
		}
		sup_cache_watch(s);
		if (r <= 0)
			continue;
		stop = sup_signals(s, sfd, serve_http_only_reload);
	}
	sup_http_stop(s);
	close(sfd);
	db_close(s->db);
	s->db = NULL;
	return stop ? 0 : EXIT_RUNTIME;
}

static const struct cli_cmd serve_cmd = {
	.name = "serve",
	.usage = "[-c FILE] [--dhcp=off] [--force]",
	.help = "  --dhcp=off  HTTP service only: no dnsmasq (no DHCP, no "
		"TFTP)\n"
		"  --force     start in dhcp mode even when another DHCP server "
		"answers\n",
};

/*
 * serve_opts - the options of serve (the common ones, --dhcp=off,
 * --force). Returns CLI_CONTINUE, or the exit status (0 after --help).
 */
static int
serve_opts(struct by_ctx *ctx, int argc, char **argv, bool *http_only,
	   bool *force)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "dhcp", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ 0 },
	};
	int c, r = 0;

	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, &serve_cmd, argc, argv, CLI_SHORTOPTS,
				 opts, &r)) >= 0) {
		if (c == 'd' && strcmp(optarg, "off")) {
			cli_err(&serve_cmd, "--dhcp takes only 'off' (no "
					    "dnsmasq at all; [dhcp] mode sets "
					    "the rest)");
			return EXIT_USAGE;
		}
		if (c == 'd')
			*http_only = true;
		else if (c == 'f')
			*force = true;
	}
	return c == CLI_STOP ? r : CLI_CONTINUE;
}

int
cmd_serve(struct by_ctx *ctx, int argc, char **argv)
{
	static struct sup sup;
	bool http_only = false, force = false;
	int r;

	r = serve_opts(ctx, argc, argv, &http_only, &force);
	if (r != CLI_CONTINUE)
		return r;
	/* The other commands run on the defaults when there is no file;
	 * serve on defaults would answer DHCP on the first interface it
	 * finds, on whatever network that is. */
	if (!ctx->config_path && access(CFG_DEFAULT_PATH, F_OK) < 0 &&
	    errno == ENOENT) {
		log_warnx("no configuration file %s: without one serve would "
			  "answer DHCP on the first interface it finds. Write "
			  "one (docs/bootyard.conf: interface, [dhcp] mode) or "
			  "give -c FILE",
			  CFG_DEFAULT_PATH);
		return EXIT_USAGE;
	}
	memset(&sup, 0, sizeof(sup));
	sup.force = force;
	r = cli_load_config(ctx, &sup.cfg);
	if (r)
		return r;
	r = serve_boundary(&sup.cfg);
	if (r)
		return r;
	/* The appliance CA and server certificate (pki.h), at first start. */
	if (strcmp(sup.cfg.tls_listen, "off")) {
		char why[1024], abuf[CFG_ADDR_MAX];

		if (pki_ensure(&sup.cfg, pki_cfg_address(&sup.cfg, abuf,
							  sizeof(abuf)),
			       NULL, NULL, why, sizeof(why)) < 0) {
			log_warnx("tls: %s", why);
			return EXIT_RUNTIME;
		}
	}
	if (http_only)
		return serve_http_only(ctx, &sup);
	return serve_supervised(ctx, &sup);
}
