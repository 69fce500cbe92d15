/*
 * import.h - `bootyard distro import`: recognise an installer (ISO image,
 * netboot tarball, netboot directory, or an http(s) URL of one), copy its
 * kernel and initrd(s) per architecture under files_dir/NAME/, and say
 * which family it is so that the caller can create the distribution with
 * that family's kernel command line and stock template.
 *
 * Two halves. The pure half (import.c) decides from what the source holds
 * -- the member paths, the ISO volume id, .disk/info, .treeinfo,
 * version.info -- and validates every one of those values: it never
 * touches a file and is what the unit tests and the fuzz target exercise.
 * The I/O half (import_io.c) lists and reads the source with libarchive
 * (ISO 9660/UDF, tar.gz) or the file system, downloads URLs with libcurl,
 * and stages the copy in a temporary directory that is renamed into place
 * at the end or removed on any error.
 */
#ifndef BOOTYARD_IMPORT_H
#define BOOTYARD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMP_PATH_MAX 200    /* a member path we accept */
#define IMP_MAX_ARCHES 4    /* architectures one import keeps */
#define IMP_MAX_INITRDS 2   /* initrds per architecture */
#define IMP_META_MAX 16384  /* .disk/info, .treeinfo, version.info */
#define IMP_MAX_MEMBERS 200000 /* entries in one source */
#define IMP_FILE_MAX (4ULL << 30) /* one kernel or initrd */

enum imp_family {
	IMP_FAMILY_UNKNOWN = 0,
	IMP_FAMILY_DEBIAN,
	IMP_FAMILY_UBUNTU,  /* subiquity (casper) autoinstall */
	IMP_FAMILY_UBUNTU_DI, /* the old Ubuntu debian-installer netboot */
	IMP_FAMILY_FEDORA,  /* anaconda: Fedora, RHEL, Alma, Rocky, CentOS */
};

/* One architecture's boot files: paths inside the source. */
struct imp_boot {
	char arch[16];                 /* Debian name: amd64, arm64, ... */
	char kernel[IMP_PATH_MAX + 1];
	char initrds[IMP_MAX_INITRDS][IMP_PATH_MAX + 1];
	size_t n_initrds;
};

/* What a source was recognised as. */
struct imp_found {
	enum imp_family family;
	char vendor[32];   /* "Debian", "Ubuntu", "Fedora", "AlmaLinux", ... */
	char release[32];  /* "12", "12.5.0", "24.04", "40", "9.4"; "" unknown */
	char layout[32];   /* "netinst ISO", "netboot tree", "treeinfo", ... */
	struct imp_boot boots[IMP_MAX_ARCHES];
	size_t n_boots;
};

/* What the source holds, as the I/O half found it. */
struct imp_listing {
	char **paths;     /* regular files only, normalised (no "./") */
	size_t n_paths;
	const char *volid;       /* ISO volume id or NULL */
	const char *disk_info;   /* .disk/info text or NULL */
	const char *treeinfo;    /* .treeinfo text or NULL */
	const char *version_info; /* version.info (netboot) or NULL */
};

/*
 * imp_member_path - normalise and check one member path from an archive
 * or directory: strip a leading "./" (and one leading "/" that ISO readers
 * report), then require at most IMP_PATH_MAX characters of A-Z a-z 0-9
 * . _ - + ~ / with no empty, "." or ".." component. Returns 0 and the
 * normalised path in out (IMP_PATH_MAX + 1 bytes), -EINVAL when the path
 * climbs out ("..") or has other characters, -ENAMETOOLONG.
 */
int imp_member_path(const char *raw, char *out, size_t outsz);

/*
 * imp_iso_volid - the volume id of an ISO 9660 image from its first
 * 34 KiB (buf, len): the primary volume descriptor at 32768. Trailing
 * spaces are cut; only printable ASCII is accepted. Returns 0 and out,
 * -ENOENT when buf is not an ISO 9660 image, -EINVAL for a bad id.
 */
int imp_iso_volid(const unsigned char *buf, size_t len, char *out,
                  size_t outsz);

/*
 * imp_recognise - decide family, release and the boot files per
 * architecture from what l holds. Returns 0 and *ret; -ENOENT with a
 * description of what was found in why when no kernel + initrd pair is
 * there (not an installer); -EPROTO when boot files were found but the
 * family is unknown (why says what, ret->boots are filled).
 */
int imp_recognise(const struct imp_listing *l, struct imp_found *ret,
                  char *why, size_t whysz);

/*
 * imp_sums_lookup - the SHA-256 that SHA256SUMS text (sha256sum's output:
 * "HEX  NAME" or "HEX *NAME" lines) gives for the file base, as 64
 * lower-case hex digits into hex. Returns 0, -ENOENT when base is not
 * listed, -EINVAL when its line's digest is not 64 hex digits.
 */
int imp_sums_lookup(const char *sums, const char *base, char hex[65]);

/* imp_family_name - "debian", "ubuntu", "fedora", "unknown". */
const char *imp_family_name(enum imp_family f);

/*
 * imp_family_cmdline - the kernel command line a family's installer needs
 * to fetch the stock template from {{install_url}} and call back; NULL
 * for IMP_FAMILY_UNKNOWN. Accepted by tmpl_validate_cmdline().
 */
const char *imp_family_cmdline(enum imp_family f);

/*
 * imp_family_template - the stock template's name (as in http/templates/
 * and /usr/share/bootyard/templates/) and the file name it is served as.
 * Returns 0, or -ENOENT for IMP_FAMILY_UNKNOWN.
 */
int imp_family_template(enum imp_family f, const char **ret_stock,
                        const char **ret_served);

/*
 * imp_stock_template - the text of a stock template compiled into the
 * program (http/templates/NAME), or NULL.
 */
const char *imp_stock_template(const char *name);

/* imp_stock_names - the NULL-terminated list of stock template names. */
const char *const *imp_stock_names(void);

/* ---- import_io.c ---- */

enum imp_phase { IMP_PHASE_DOWNLOAD, IMP_PHASE_SCAN, IMP_PHASE_COPY };

/* Progress: phase, what (a file name), bytes done, total (0 unknown). */
typedef void (*imp_progress_fn)(enum imp_phase phase, const char *what,
                                uint64_t done, uint64_t total, void *opaque);

struct imp_request {
	const char *name;      /* the distribution; files_dir/NAME/ */
	const char *from;      /* path or http(s) URL */
	const char *files_dir;
	const char *cache_dir; /* partial downloads (resume); state_dir */
	imp_progress_fn progress; /* may be NULL */
	void *opaque;
	/* add architectures to an existing distribution: files_dir/NAME
	 * may exist; the architectures in have (Debian names, separated by
	 * a space) are not copied, and each other one goes to
	 * files_dir/NAME/ARCH, which must not exist yet. NULL: a new
	 * distribution (files_dir/NAME must not exist) */
	const char *have;
};

/* What an import copied: paths relative to files_dir. */
struct imp_result {
	struct imp_found found;
	char kernel[IMP_MAX_ARCHES][IMP_PATH_MAX + 40];
	char initrds[IMP_MAX_ARCHES][IMP_MAX_INITRDS][IMP_PATH_MAX + 40];
	char sha256_checked[16]; /* "yes", "no SHA256SUMS", "" (local) */
};

/*
 * imp_run - import req->from into req->files_dir/req->name/. Nothing is
 * left behind on failure: the copy is staged in files_dir/.NAME.import-XXX
 * and renamed at the end. Returns 0 and *ret; -EEXIST when
 * files_dir/NAME exists (with req->have: when files_dir/NAME/ARCH of an
 * architecture to copy exists, or the source has no architecture that
 * is not in req->have); -ENOMEDIUM when imp_recognise finds no
 * installer, -EPROTO as imp_recognise; -ENOEXEC for a source that is no
 * ISO, tarball or directory (or 0 bytes); -EBADMSG for a
 * checksum mismatch; -EIO for an unreadable or truncated source; other
 * -errno. why says what happened in words.
 */
int imp_run(const struct imp_request *req, struct imp_result *ret, char *why,
            size_t whysz);

/*
 * imp_distro_row - the distribution an import makes, into *d (zeroed
 * first; db_distro_free it): a kernel for every architecture found that
 * the database takes (amd64, arm64); the family's command line and stock
 * template. Returns 0, -ENAMETOOLONG, -ENOENT (no stock template, or no
 * architecture the database takes), -ENOMEM.
 */
struct db_distro;
int imp_distro_row(const char *name, const struct imp_result *res,
                   struct db_distro *d);

/*
 * imp_distro_merge - add to d (an existing distribution) the kernels of
 * every architecture res copied that d has none for. Returns how many
 * were added (0: none), or -ENAMETOOLONG.
 */
int imp_distro_merge(struct db_distro *d, const struct imp_result *res);

/*
 * imp_db_add_arches - after imp_run with req->have: read distribution
 * name again, check that res is its installer (the family's template is
 * the one it serves, or it serves none), add the kernels res copied
 * (imp_distro_merge) and store it, into *ret (db_distro_free it). 0;
 * -EMEDIUMTYPE (another family: why says which), -ENOENT (the
 * distribution is gone, or res has no architecture it takes), or a
 * db_* error. The caller removes the copied files on failure
 * (imp_remove_arches).
 */
struct db;
int imp_db_add_arches(struct db *db, const char *name,
                      const struct imp_result *res, struct db_distro *ret,
                      char *why, size_t whysz);

/* imp_remove_arches - remove files_dir/NAME/ARCH of every architecture
 * res copied (after a failed db write of an import that added them). */
int imp_remove_arches(const char *files_dir, const char *name,
                      const struct imp_result *res);

/* imp_remove_tree - remove files_dir/NAME (after a failed db write). */
int imp_remove_tree(const char *files_dir, const char *name);

#endif
