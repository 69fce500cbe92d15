/*
 * files.c - GET/HEAD /files/...: kernels, initrds, memtest and the TFTP
 * tree, sent with sendfile (MHD_create_response_from_fd_at_offset64),
 * with a single Range, Last-Modified, ETag and If-None-Match.
 *
 * No request can leave its root: the decoded path may not contain empty,
 * "." or ".." components, and the opened file's real path must lie under
 * the root's real path (so a symlink inside the tree may point within it,
 * never outside).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "http/internal.h"

/* A Content-Type from the file name: text for scripts and configs. */
static const char *
content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && (!strcmp(dot, ".ipxe") || !strcmp(dot, ".cfg") ||
	            !strcmp(dot, ".txt") || !strcmp(dot, ".conf")))
		return "text/plain; charset=utf-8";
	return "application/octet-stream";
}

enum MHD_Result
http_files(struct MHD_Connection *c, struct http_req *r, const char *method)
{
	struct http_server *srv = r->l->srv;
	const char *rel = r->path + strlen("/files/"), *root = srv->files_dir;
	char etag[96], lastmod[64];
	const char *inm, *range;
	struct MHD_Response *resp;
	uint64_t first = 0, last = 0, len;
	struct stat st;
	struct tm tm;
	enum MHD_Result ret;
	int fd = -1, rc, rr;

	if (str_has_prefix(rel, "tftp/")) {
		root = srv->tftp_root;
		rel += 5;
	}
	rc = http_files_resolve(root, rel, &fd);
	if (rc == -EACCES)
		return http_reply(c, r, MHD_HTTP_FORBIDDEN, "text/plain",
		                  "forbidden\n", 10);
	if (rc < 0)
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, "text/plain",
		                  "not found\n", 10);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, "text/plain",
		                  "not found\n", 10);
	}
	/* Back to blocking reads for sendfile. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	snprintf(etag, sizeof(etag), "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "\"",
	         (uint64_t)st.st_ino, (uint64_t)st.st_size,
	         (uint64_t)st.st_mtim.tv_sec * 1000000000u +
	             (uint64_t)st.st_mtim.tv_nsec);
	gmtime_r(&st.st_mtime, &tm);
	strftime(lastmod, sizeof(lastmod), "%a, %d %b %Y %H:%M:%S GMT", &tm);

	inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                  MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL,
		                                       MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, resp);
		MHD_destroy_response(resp);
		r->status = MHD_HTTP_NOT_MODIFIED;
		r->answered = true;
		return ret;
	}
	range = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                    MHD_HTTP_HEADER_RANGE);
	rr = http_range_parse(range, (uint64_t)st.st_size, &first, &last);
	if (rr == -ERANGE) {
		char cr[64];

		close(fd);
		snprintf(cr, sizeof(cr), "bytes */%" PRIu64,
		         (uint64_t)st.st_size);
		resp = MHD_create_response_from_buffer(
		    21, (void *)"range not satisfiable",
		    MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
		                        cr);
		ret =
		    MHD_queue_response(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp);
		MHD_destroy_response(resp);
		r->status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
		r->answered = true;
		return ret;
	}
	if (rr == 1)
		len = last - first + 1;
	else
		len = (uint64_t)st.st_size;
	resp = MHD_create_response_from_fd_at_offset64(len, fd,
	                                               rr == 1 ? first : 0);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        content_type(rel));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (rr == 1) {
		char cr[96];

		snprintf(cr, sizeof(cr),
		         "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last,
		         (uint64_t)st.st_size);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
		                        cr);
	}
	r->status = rr == 1 ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK;
	r->bytes = strcmp(method, "HEAD") == 0 ? 0 : len;
	r->answered = true;
	ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}
