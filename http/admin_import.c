/*
 * admin_import.c - `distro import` over the admin API (appliance/build/import.h
 * does the work):
 *
 *   POST /api/v1/distros/import {"name": N, "from": SOURCE}
 *        202 and the job's status: the import runs in its own thread,
 *        one at a time (409 while one runs, or when N is taken).
 *        SOURCE is an http(s) URL, or a path under files_dir (the API
 *        never reads other files of the appliance's host).
 *   GET  /api/v1/imports
 *        the last job: {"state": "idle|running|done|failed", "name",
 *        "from", "phase", "file", "done", "total", "error",
 *        "distro": {...} when done}.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/build/import.h"
#include "common/util.h"
#include "common/valid.h"
#include "http/internal.h"

#define JSON "application/json"

/* The one import job of this process. */
static struct {
	pthread_mutex_t lock;
	const char *state; /* "idle", "running", "done", "failed" */
	char name[NAME_MAX_LEN + 1];
	char from[2048];
	char file[IMP_PATH_MAX + 1];
	const char *phase;
	uint64_t done, total;
	char error[1024];
	char files_dir[CFG_PATH_MAX], cache_dir[CFG_PATH_MAX];
	char db_path[CFG_PATH_MAX + 16];
	char kernel[DB_REF_MAX], cmdline[DB_CMDLINE_MAX], family[16];
	/* importing into an existing distribution: the architectures it
	 * has (imp_request.have), "" for a new one */
	char have[DB_DISTRO_ARCHES * KERNEL_ARCH_MAX];
	char arches[DB_DISTRO_ARCHES * KERNEL_ARCH_MAX]; /* when done */
} job = {.lock = PTHREAD_MUTEX_INITIALIZER, .state = "idle"};

/* The job as JSON; call with job.lock held. */
static json_t *
job_json(void)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "state",
	                      job.state, "name", job.name, "from", job.from,
	                      "phase", job.phase ? job.phase : "", "file",
	                      job.file, "done", (json_int_t)job.done, "total",
	                      (json_int_t)job.total);

	if (!o)
		return NULL;
	if (job.error[0])
		json_object_set_new(o, "error", json_string(job.error));
	if (!strcmp(job.state, "done"))
		json_object_set_new(o, "distro",
		                    json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "name",
		                              job.name, "kernel", job.kernel,
		                              "cmdline", job.cmdline, "family",
		                              job.family, "arches", job.arches,
		                              "added", job.have[0] != '\0'));
	return o;
}

static void
job_progress(enum imp_phase phase, const char *what, uint64_t done,
             uint64_t total, void *opaque)
{
	(void)opaque;
	pthread_mutex_lock(&job.lock);
	job.phase = phase == IMP_PHASE_DOWNLOAD ? "download"
	            : phase == IMP_PHASE_SCAN   ? "scan"
	                                        : "copy";
	str_copy(job.file, sizeof(job.file), what);
	job.done = done;
	job.total = total;
	pthread_mutex_unlock(&job.lock);
}

/* The import thread: the copy, then the distribution row. */
static void *
job_run(void *arg)
{
	struct imp_request req = {0};
	struct imp_result res;
	struct db_distro d;
	struct db *db = NULL;
	char why[1024] = "";
	int r;

	(void)arg;
	req.name = job.name;
	req.from = job.from;
	req.files_dir = job.files_dir;
	req.cache_dir = job.cache_dir;
	req.progress = job_progress;
	req.have = job.have[0] ? job.have : NULL;
	memset(&res, 0, sizeof(res));
	memset(&d, 0, sizeof(d));
	r = imp_run(&req, &res, why, sizeof(why));
	if (r == 0 && req.have) {
		/* the architectures an existing distribution lacks */
		r = db_open(job.db_path, 0, &db);
		if (r == 0)
			r = imp_db_add_arches(db, job.name, &res, &d, why,
			                      sizeof(why));
		if (r < 0) {
			if (!why[0])
				snprintf(why, sizeof(why),
				         "adding to distro %s: %s", job.name,
				         strerror(-r));
			imp_remove_arches(job.files_dir, job.name, &res);
		}
		db_close(db);
	} else if (r == 0) {
		r = imp_distro_row(job.name, &res, &d);
		if (r == 0)
			r = db_open(job.db_path, 0, &db);
		if (r == 0)
			r = db_distro_add(db, &d);
		if (r < 0) {
			snprintf(why, sizeof(why), "adding distro %s: %s",
			         job.name,
			         r == -EEXIST ? "the name is taken"
			                      : strerror(-r));
			imp_remove_tree(job.files_dir, job.name);
		}
		db_close(db);
	} else if (r == -ENOMEDIUM || r == -EPROTO) {
		char tmp[1024];

		snprintf(tmp, sizeof(tmp), "%s: %s; add it by hand "
		         "(POST /api/v1/distros)",
		         r == -EPROTO ? "found boot files but not which "
		                        "installer"
		                      : "not an installer we know",
		         why);
		str_copy(why, sizeof(why), tmp);
	}
	pthread_mutex_lock(&job.lock);
	job.state = r == 0 ? "done" : "failed";
	str_copy(job.error, sizeof(job.error),
	         r == 0 ? "" : why[0] ? why : strerror(-r));
	if (r == 0) {
		size_t i;

		str_copy(job.kernel, sizeof(job.kernel), d.kernels[0].kernel);
		job.arches[0] = '\0';
		for (i = 0; i < d.n_kernels; i++) {
			if (i)
				strcat(job.arches, " ");
			strcat(job.arches, d.kernels[i].arch);
		}
		str_copy(job.cmdline, sizeof(job.cmdline), d.cmdline);
		str_copy(job.family, sizeof(job.family),
		         imp_family_name(res.found.family));
	}
	pthread_mutex_unlock(&job.lock);
	db_distro_free(&d);
	return NULL;
}

/*
 * import_source_ok - from is an http(s) URL, or a path that resolves
 * (symlinks followed) to files_dir or below it.
 */
static bool
import_source_ok(const char *from, const char *files_dir)
{
	char real[PATH_MAX], base[PATH_MAX];
	size_t n;

	if (!strncmp(from, "http://", 7) || !strncmp(from, "https://", 8))
		return valid_path_or_url(from);
	if (from[0] != '/' || !valid_text(from, 2000) ||
	    !realpath(from, real) || !realpath(files_dir, base))
		return false;
	n = strlen(base);
	return !strncmp(real, base, n) && (real[n] == '/' || real[n] == '\0');
}

enum MHD_Result
admin_import_post(struct MHD_Connection *c, struct http_req *r,
                  struct db *db)
{
	struct http_server *srv = r->l->srv;
	const char *name, *from, *slash;
	char have[DB_DISTRO_ARCHES * KERNEL_ARCH_MAX];
	struct db_distro d;
	json_error_t e;
	size_t i;
	pthread_t t;
	json_t *body;
	enum MHD_Result ret;

	body = r->body ? json_loadb(r->body, r->body_len,
	                            JSON_REJECT_DUPLICATES, &e)
	               : NULL;
	if (!body)
		return http_admin_error(c, r, 400, "malformed JSON");
	name = json_string_value(json_object_get(body, "name"));
	from = json_string_value(json_object_get(body, "from"));
	if (!name || !valid_name(name) || json_object_size(body) != 2) {
		json_decref(body);
		return http_admin_error(c, r, 422,
		                        "takes {\"name\": NAME, \"from\": "
		                        "SOURCE}; NAME: a-z 0-9 . _ -");
	}
	if (!from || strlen(from) >= sizeof(job.from) ||
	    !import_source_ok(from, srv->files_dir)) {
		json_decref(body);
		return http_admin_error(c, r, 422,
		                        "from: an http(s) URL, or a path "
		                        "under files_dir that exists");
	}
	/* an existing distribution gets the architectures it lacks */
	have[0] = '\0';
	if (db_distro_get(db, name, &d) == 0) {
		for (i = 0; i < d.n_kernels; i++) {
			if (i)
				strcat(have, " ");
			strcat(have, d.kernels[i].arch);
		}
		db_distro_free(&d);
	}
	pthread_mutex_lock(&job.lock);
	if (!strcmp(job.state, "running")) {
		pthread_mutex_unlock(&job.lock);
		json_decref(body);
		return http_admin_error(c, r, 409,
		                        "an import is running "
		                        "(GET /api/v1/imports)");
	}
	str_copy(job.have, sizeof(job.have), have);
	job.state = "running";
	str_copy(job.name, sizeof(job.name), name);
	str_copy(job.from, sizeof(job.from), from);
	json_decref(body);
	job.file[0] = job.error[0] = '\0';
	job.phase = NULL;
	job.done = job.total = 0;
	str_copy(job.files_dir, sizeof(job.files_dir), srv->files_dir);
	str_copy(job.db_path, sizeof(job.db_path), srv->db_path);
	/* partial downloads beside the database: the state directory */
	str_copy(job.cache_dir, sizeof(job.cache_dir), srv->db_path);
	slash = strrchr(job.cache_dir, '/');
	if (slash)
		job.cache_dir[slash - job.cache_dir] = '\0';
	else
		str_copy(job.cache_dir, sizeof(job.cache_dir), ".");
	if (pthread_create(&t, NULL, job_run, NULL) != 0) {
		job.state = "failed";
		str_copy(job.error, sizeof(job.error), "cannot start a thread");
		pthread_mutex_unlock(&job.lock);
		return http_admin_error(c, r, 503, "cannot start the import");
	}
	pthread_detach(t);
	ret = http_admin_reply(c, r, 202, job_json());
	pthread_mutex_unlock(&job.lock);
	return ret;
}

enum MHD_Result
admin_import_get(struct MHD_Connection *c, struct http_req *r,
                 const char *method)
{
	json_t *o;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return http_admin_error(c, r, 405, "method not allowed");
	pthread_mutex_lock(&job.lock);
	o = job_json();
	pthread_mutex_unlock(&job.lock);
	return http_admin_reply(c, r, 200, o);
}
