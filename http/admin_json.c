/*
 * admin_json.c - the admin API's JSON bodies turned into hosts and
 * distributions (see admin_json.h). No MHD and no database here: the
 * fuzz target tests/fuzz/fuzz_admin_json.c feeds it arbitrary bytes.
 */
#include "http/admin_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "appliance/core/config.h"
#include "appliance/core/hostcheck.h"
#include "common/util.h"
#include "common/valid.h"
#include "appliance/core/template.h"

json_t *
http_admin_json_parse(const char *body, size_t len)
{
	json_error_t e;

	if (!body)
		return NULL;
	return json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
}

/* Refuse the body: msg into err (esz bytes), -EINVAL. */
#define BAD(msg)                                                               \
	do {                                                                   \
		snprintf(err, esz, "%s", msg);                                 \
		return -EINVAL;                                                \
	} while (0)

/* A string member, or NULL when absent; *bad when present but no string. */
static const char *
member_str(json_t *o, const char *key, bool *bad)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

/* member_str for a host field, where null is "" (unset): the host JSON
 * shows an unset field as null, and what GET shows can be sent back. */
static const char *
host_member(json_t *o, const char *key, bool *bad)
{
	return json_is_null(json_object_get(o, key)) ? ""
	                                             : member_str(o, key, bad);
}

/* The host's text members after hostname (whose error says why), in the
 * order they are checked, with the error each gives. */
static const struct host_field_member {
	const char *member;
	enum host_field field;
	const char *why;
} host_fields[] = {
    {"ip", HOST_FIELD_IP, "invalid ip"},
    {"action", HOST_FIELD_ACTION, "action must be local, install or menu"},
    {"distro", HOST_FIELD_DISTRO, "invalid distro name"},
    {"local_boot", HOST_FIELD_LOCAL_BOOT, "invalid local_boot"},
};

int
http_admin_host_apply(json_t *o, struct db_host *h, bool create, char *err,
                      size_t esz)
{
	const struct host_field_member *f;
	bool bad = false;
	const char *s;
	json_t *v;

	if (!json_is_object(o))
		BAD("body must be a JSON object");
	if (create) {
		json_t *macs = json_object_get(o, "macs");
		size_t i;

		s = member_str(o, "mac", &bad);
		if (s) {
			if (mac_parse(s, h->macs[0]) < 0)
				BAD("invalid mac");
			h->n_macs = 1;
		}
		if (macs) {
			if (!json_is_array(macs) ||
			    json_array_size(macs) > DB_MAX_MACS)
				BAD("macs must be an array of up to 8 MACs");
			for (i = 0; i < json_array_size(macs); i++) {
				json_t *m = json_array_get(macs, i);

				/* Counted before the write: "mac" and eight
				 * "macs" are nine, and macs[] holds eight. */
				if (h->n_macs >= DB_MAX_MACS)
					BAD("too many macs");
				if (!json_is_string(m) ||
				    mac_parse(json_string_value(m),
				              h->macs[h->n_macs]) < 0)
					BAD("invalid mac");
				h->n_macs++;
			}
		}
		if (h->n_macs == 0)
			BAD("a host needs a mac");
	}
	s = host_member(o, "hostname", &bad);
	if (s && host_field_set(h, HOST_FIELD_HOSTNAME, s) < 0) {
		snprintf(err, esz, "invalid hostname: %s",
		         valid_hostname_why(s));
		return -EINVAL;
	}
	for (f = host_fields; f < host_fields + ARRAY_SIZE(host_fields); f++) {
		s = host_member(o, f->member, &bad);
		if (s && host_field_set(h, f->field, s) < 0)
			BAD(f->why);
	}
	v = json_object_get(o, "attrs");
	if (v) {
		const char *k;
		json_t *av;

		if (!json_is_object(v) || json_object_size(v) > DB_MAX_ATTRS)
			BAD("attrs must be an object of up to 32 strings");
		h->n_attrs = 0;
		json_object_foreach(v, k, av)
		{
			if (!json_is_string(av) ||
			    host_attr_set(h, k, json_string_value(av)) < 0)
				BAD("invalid attribute");
		}
	}
	if (bad)
		BAD("members must be strings");
	if (host_check(h) < 0)
		BAD("action install needs a distro");
	return 0;
}

#define DISTRO_INITRDS 4

/* Add arch's kernel from o's "kernel" and "initrd" (a string or 1..4
 * strings) to d. 0, or -EINVAL with a message in err. */
static int
distro_kernel_apply(json_t *o, const char *arch, struct db_distro *d,
                    char *err, size_t esz)
{
	struct db_distro_kernel *k;
	bool bad = false;
	const char *s;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		BAD("a kernel is an object with kernel and initrd");
	if (db_distro_kernel(d, arch))
		BAD("an architecture is given twice");
	if (d->n_kernels >= DB_DISTRO_ARCHES)
		BAD("too many architectures");
	k = &d->kernels[d->n_kernels];
	memset(k, 0, sizeof(*k));
	str_copy(k->arch, sizeof(k->arch), arch);
	s = member_str(o, "kernel", &bad);
	if (!s || !valid_path_or_url(s))
		BAD("invalid or missing kernel");
	str_copy(k->kernel, sizeof(k->kernel), s);
	v = json_object_get(o, "initrd");
	if (json_is_string(v))
		v = json_pack("[O]", v);
	else
		json_incref(v);
	if (!json_is_array(v) || json_array_size(v) < 1 ||
	    json_array_size(v) > DISTRO_INITRDS) {
		json_decref(v);
		BAD("initrd must be a string or 1..4 strings");
	}
	for (i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_string(e) ||
		    !valid_path_or_url(json_string_value(e))) {
			json_decref(v);
			BAD("invalid initrd");
		}
		if (i)
			strcat(k->initrd, " ");
		strcat(k->initrd, json_string_value(e));
	}
	json_decref(v);
	d->n_kernels++;
	return 0;
}

int
http_admin_distro_apply(json_t *o, struct db_distro *d, char *err, size_t esz)
{
	bool bad = false;
	const char *s;
	json_t *v;

	if (!json_is_object(o))
		BAD("body must be a JSON object");
	s = member_str(o, "name", &bad);
	if (!s || !valid_name(s))
		BAD("invalid or missing name");
	str_copy(d->name, sizeof(d->name), s);
	/* "kernel" + "initrd": the kernel of "arch" (default amd64);
	 * "kernels": {"ARCH": {"kernel", "initrd"}, ...}; one or both */
	d->n_kernels = 0;
	if (json_object_get(o, "kernel") || json_object_get(o, "initrd")) {
		const char *arch = "amd64";

		s = member_str(o, "arch", &bad);
		if (s && !(arch = kernel_arch_parse(s)))
			BAD("arch must be amd64 or arm64 (or x86_64, aarch64)");
		if (distro_kernel_apply(o, arch, d, err, esz) < 0)
			return -EINVAL;
	}
	v = json_object_get(o, "kernels");
	if (v) {
		const char *key;
		json_t *kv;

		if (!json_is_object(v))
			BAD("kernels must be an object of architectures");
		json_object_foreach(v, key, kv)
		{
			const char *arch = kernel_arch_parse(key);

			if (!arch)
				BAD("kernels: an architecture is amd64 or "
				    "arm64 (or x86_64, aarch64)");
			if (distro_kernel_apply(kv, arch, d, err, esz) < 0)
				return -EINVAL;
		}
	}
	if (!d->n_kernels)
		BAD("invalid or missing kernel");
	s = member_str(o, "cmdline", &bad);
	if (s) {
		char cerr[160];

		if (tmpl_validate_cmdline(s, DB_CMDLINE_MAX - 1, cerr,
		                          sizeof(cerr)) < 0) {
			snprintf(err, esz, "invalid cmdline: %s", cerr);
			return -EINVAL;
		}
		str_copy(d->cmdline, sizeof(d->cmdline), s);
	}
	s = member_str(o, "template", &bad);
	if (s) {
		char terr[160];

		if (tmpl_validate(s, terr, sizeof(terr)) < 0) {
			snprintf(err, esz, "template: %s", terr);
			return -EINVAL;
		}
		d->template_text = (char *)s;
		s = member_str(o, "template_name", &bad);
		if (!s || !valid_name(s))
			BAD("a template needs a valid template_name");
		str_copy(d->template_name, sizeof(d->template_name), s);
	}
	if (bad)
		BAD("members must be strings");
	return 0;
}
