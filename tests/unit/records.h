/*
 * records.h - filling in the records the unit tests hand to the code
 * under test: an attribute of a host, a kernel of a distribution (the
 * three strcpy lines and the count that each test wrote out). Include
 * after <cmocka.h>.
 */
#ifndef BOOTYARD_TESTS_RECORDS_H
#define BOOTYARD_TESTS_RECORDS_H

#include <string.h>

#include "db/db.h"

/* h gets one more attribute, key=value. */
static inline void
host_attr_add(struct db_host *h, const char *key, const char *value)
{
	strcpy(h->attrs[h->n_attrs].key, key);
	strcpy(h->attrs[h->n_attrs].value, value);
	h->n_attrs++;
}

/* d gets one more kernel: for arch, the files kernel and initrd. */
static inline void
distro_kernel_add(struct db_distro *d, const char *arch, const char *kernel,
                  const char *initrd)
{
	strcpy(d->kernels[d->n_kernels].arch, arch);
	strcpy(d->kernels[d->n_kernels].kernel, kernel);
	strcpy(d->kernels[d->n_kernels].initrd, initrd);
	d->n_kernels++;
}

#endif
