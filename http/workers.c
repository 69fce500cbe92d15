/*
 * workers.c - the boot listeners' worker threads (see internal.h).
 *
 * Each worker thread runs its own libmicrohttpd daemon on the listener's
 * shared socket, in an event loop of ours instead of libmicrohttpd's
 * internal thread pool, for one reason: the loop knows where one pass
 * over the ready connections begins and ends. The database reads of all
 * requests answered in one pass share one SQLite read transaction
 * (db_snapshot_begin), so that SQLite's per-transaction WAL read lock (a
 * process-wide mutex and two fcntl calls, where two workers collide) is
 * taken once per pass, not once per request. A pass lasts well under a
 * millisecond under load; a write ends the shared snapshot first, and
 * the loop ends it after every pass, so no worker ever reads data older
 * than the pass it is in, and none keeps a snapshot while idle (which
 * would stop SQLite from restarting its WAL).
 *
 * Stopping: a worker wakes on its eventfd, leaves its loop, and the
 * caller stops its daemon after the thread has ended.
 *
 * The loop also bounds the time a client takes to send a request's
 * headers ([http] header_timeout), which libmicrohttpd's idle timeout
 * does not: a client sending a byte a second is never idle. Each worker
 * keeps its open connections in a list (libmicrohttpd's connection
 * notifications, in the worker's own thread: no lock) with the time
 * each began to wait for headers: when it was accepted, or when its
 * previous request ended (so the bound also covers a kept-alive
 * connection's idle time). server.c marks the headers in
 * (http_conn_headers_in). About twice a second the loop shuts down the
 * sockets of those waiting too long; libmicrohttpd then reads the end of
 * the stream and closes them as a client that left.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "http/internal.h"

#define WORKER_SWEEP_MS 500 /* look for slow headers this often */

/* One open connection of a worker (its socket context). */
struct http_conn {
	struct http_conn *prev, *next;
	int fd;
	uint64_t waiting_ms; /* mono_ms() since it waits for headers; 0 =
	                        not waiting (a request is being served) */
};

struct worker {
	struct listener *l;
	struct MHD_Daemon *mhd;
	pthread_t thread;
	bool running;            /* thread started and not joined */
	int epfd;                /* the daemon's epoll fd and stopfd */
	int stopfd;              /* eventfd: leave the loop */
	struct http_conn *conns; /* open connections, newest first */
	uint64_t swept_ms;       /* last worker_sweep */
};

/* libmicrohttpd's connection start and end, in the worker's thread:
 * keep w->conns. */
static void
worker_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                   enum MHD_ConnectionNotificationCode code)
{
	struct worker *w = cls;
	struct http_conn *hc = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		hc = calloc(1, sizeof(*hc));
		if (!hc)
			return; /* untracked: only the idle timeout applies */
		ci = MHD_get_connection_info(c,
		                             MHD_CONNECTION_INFO_CONNECTION_FD);
		hc->fd = ci ? ci->connect_fd : -1;
		hc->waiting_ms = mono_ms();
		hc->next = w->conns;
		if (w->conns)
			w->conns->prev = hc;
		w->conns = hc;
		*socket_context = hc;
		return;
	}
	if (code != MHD_CONNECTION_NOTIFY_CLOSED || !hc)
		return;
	if (hc->prev)
		hc->prev->next = hc->next;
	else
		w->conns = hc->next;
	if (hc->next)
		hc->next->prev = hc->prev;
	free(hc);
	*socket_context = NULL;
}

/* The socket context of c, if its worker tracks it (NULL on the admin
 * listener). */
static struct http_conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

void
http_conn_headers_in(struct MHD_Connection *c)
{
	struct http_conn *hc = conn_of(c);

	if (hc)
		hc->waiting_ms = 0;
}

void
http_conn_request_done(struct MHD_Connection *c)
{
	struct http_conn *hc = conn_of(c);

	if (hc)
		hc->waiting_ms = mono_ms();
}

/* Shut down the connections that have waited for headers longer than
 * the listener's header_timeout (see the top of the file). */
static void
worker_sweep(struct worker *w)
{
	const struct by_config *cfg = w->l->srv->cfg;
	uint64_t now = mono_ms(), limit_ms;
	struct http_conn *hc;

	if (now - w->swept_ms < WORKER_SWEEP_MS)
		return;
	w->swept_ms = now;
	limit_ms =
	    (uint64_t)(cfg->header_timeout ? cfg->header_timeout : 10) * 1000;
	for (hc = w->conns; hc; hc = hc->next) {
		if (!hc->waiting_ms || now - hc->waiting_ms < limit_ms ||
		    hc->fd < 0)
			continue;
		hc->waiting_ms = 0; /* once */
		shutdown(hc->fd, SHUT_RDWR);
		metrics_inc_header_timeouts();
	}
}

/* How long the loop may sleep: libmicrohttpd's next timeout (0 when it
 * has work left over from the last pass), at most a second. */
static int
worker_timeout(struct worker *w)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(w->mhd, &ms) != MHD_YES || ms > 1000)
		return 1000;
	return (int)ms;
}

/* The worker thread: wait for work, run one pass with the database
 * snapshot held, release it, until stopfd is written. */
static void *
worker_loop(void *arg)
{
	struct worker *w = arg;
	struct http_server *srv = w->l->srv;
	sigset_t pipe;

	/* A client gone mid-sendfile must not kill the daemon: with SIGPIPE
	 * blocked here libmicrohttpd may use sendfile (see worker_init). */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	http_db_boot_thread();
	for (;;) {
		struct epoll_event ev[2];
		struct db *db;
		bool stop = false;
		int n, i;

		n = epoll_wait(w->epfd, ev, 2, worker_timeout(w));
		for (i = 0; i < n; i++)
			if (ev[i].data.fd == w->stopfd)
				stop = true;
		if (stop)
			break;
		/* NULL when the database cannot be opened: the handlers
		 * then answer 503 themselves */
		db = http_db(srv);
		if (db)
			db_snapshot_begin(db);
		MHD_run(w->mhd);
		if (db)
			db_snapshot_end(db);
		worker_sweep(w);
	}
	return NULL;
}

/* Undo worker_init: the thread must have ended. */
static void
worker_free(struct worker *w)
{
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	w->mhd = NULL;
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->stopfd >= 0)
		close(w->stopfd);
	w->epfd = w->stopfd = -1;
}

/*
 * Start one worker: its daemon (external event loop, epoll) on the
 * listener's socket with opts, its epoll set (the daemon's epoll fd and
 * the stop eventfd) and its thread. 0 or -errno, w cleaned up.
 */
static int
worker_init(struct worker *w, struct listener *l, unsigned flags,
            MHD_AccessHandlerCallback handler,
            const struct MHD_OptionItem *opts)
{
	const union MHD_DaemonInfo *di;
	struct epoll_event ev;
	int rc;

	memset(w, 0, sizeof(*w));
	w->l = l;
	w->epfd = w->stopfd = -1;
	/* SIGPIPE is blocked in worker_loop: without saying so,
	 * libmicrohttpd copies files through pread and send instead of
	 * sendfile (a third of the throughput) */
	w->mhd = MHD_start_daemon(flags | MHD_USE_EPOLL, 0, NULL, NULL, handler,
	                          l, MHD_OPTION_ARRAY, opts,
	                          MHD_OPTION_SIGPIPE_HANDLED_BY_APP, (int)1,
	                          MHD_OPTION_NOTIFY_CONNECTION,
	                          worker_conn_notify, w, MHD_OPTION_END);
	if (!w->mhd)
		return -EADDRNOTAVAIL;
	di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!di || w->epfd < 0 || w->stopfd < 0) {
		rc = errno ? -errno : -EIO;
		goto err;
	}
	/* level-triggered: a daemon with work left stays readable */
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = di->epoll_fd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, di->epoll_fd, &ev) < 0) {
		rc = -errno;
		goto err;
	}
	ev.data.fd = w->stopfd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->stopfd, &ev) < 0) {
		rc = -errno;
		goto err;
	}
	rc = -pthread_create(&w->thread, NULL, worker_loop, w);
	if (rc < 0)
		goto err;
	w->running = true;
	return 0;
err:
	/* not started: the daemon must not close the shared socket */
	MHD_quiesce_daemon(w->mhd);
	worker_free(w);
	return rc;
}

int
http_workers_start(struct listener *l, unsigned n, unsigned flags,
                   MHD_AccessHandlerCallback handler,
                   const struct MHD_OptionItem *opts)
{
	unsigned i;
	int rc;

	l->workers = calloc(n, sizeof(*l->workers));
	if (!l->workers)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rc = worker_init(&l->workers[i], l, flags, handler, opts);
		if (rc < 0) {
			http_workers_stop(l);
			return rc;
		}
		l->n_workers = i + 1;
	}
	return 0;
}

void
http_workers_quiesce(struct listener *l)
{
	unsigned i;

	for (i = 0; i < l->n_workers; i++)
		if (l->workers[i].mhd)
			MHD_quiesce_daemon(l->workers[i].mhd);
}

unsigned
http_daemon_connections(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di;

	if (!d)
		return 0;
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return di ? di->num_connections : 0;
}

unsigned
http_workers_connections(const struct listener *l)
{
	unsigned i, n = 0;

	for (i = 0; i < l->n_workers; i++)
		n += http_daemon_connections(l->workers[i].mhd);
	return n;
}

void
http_workers_stop(struct listener *l)
{
	const uint64_t one = 1;
	unsigned i;

	/* Quiesced first, every daemon leaves the shared socket to the
	 * listener, which closes it once. */
	http_workers_quiesce(l);
	for (i = 0; i < l->n_workers; i++) {
		struct worker *w = &l->workers[i];

		if (!w->running)
			continue;
		/* an eventfd written once cannot be full */
		if (write(w->stopfd, &one, sizeof(one)) != sizeof(one))
			continue;
		pthread_join(w->thread, NULL);
		w->running = false;
	}
	/* a thread that could not be told to stop is left running, with
	 * its worker leaked: never freed while in use */
	for (i = 0; i < l->n_workers; i++)
		if (!l->workers[i].running)
			worker_free(&l->workers[i]);
	free(l->workers);
	l->workers = NULL;
	l->n_workers = 0;
}
