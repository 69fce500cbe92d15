/*
 * hostjson.c - the one JSON form of a host (see hostjson.h).
 */
#include "appliance/core/hostjson.h"

#include <stdlib.h>
#include <string.h>

json_t *
json_text(const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *copy;
	size_t i;

	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (i = 0; copy[i]; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *
json_text_or_null(const char *s)
{
	return s && *s ? json_text(s) : json_null();
}

json_t *
host_json(const struct db_host *h)
{
	json_t *o = json_object(), *macs = json_array(), *attrs = json_object();
	size_t i;

	if (!o || !macs || !attrs) {
		json_decref(o);
		json_decref(macs);
		json_decref(attrs);
		return NULL;
	}
	for (i = 0; i < h->n_macs; i++)
		json_array_append_new(macs, json_string(h->macs[i]));
	for (i = 0; i < h->n_attrs; i++)
		json_object_set_new(attrs, h->attrs[i].key,
				    json_text(h->attrs[i].value));
	json_object_set_new(o, "id", json_integer(h->id));
	json_object_set_new(o, "macs", macs);
	json_object_set_new(o, "hostname", json_text_or_null(h->hostname));
	json_object_set_new(o, "ip", json_text_or_null(h->ip));
	json_object_set_new(o, "action",
			    json_string(db_action_name(h->action)));
	json_object_set_new(o, "distro", json_text_or_null(h->distro));
	json_object_set_new(o, "local_boot", json_text_or_null(h->local_boot));
	json_object_set_new(o, "attempts", json_integer(h->attempts));
	json_object_set_new(o, "attrs", attrs);
	json_object_set_new(o, "created", json_integer(h->created));
	json_object_set_new(o, "updated", json_integer(h->updated));
	return o;
}
