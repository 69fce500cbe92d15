/*
 * each.h - table-driven checks of a validator: every string of a list
 * must be accepted (or every one refused). Include after <cmocka.h>.
 *
 *   EXPECT_EACH(valid_ipv4, true, "0.0.0.0", "198.18.0.1");
 *   EXPECT_EACH(valid_ipv4, false, NULL, "", "1.2.3");
 *
 * A failure names the string (NULL as "(NULL)") and what was wanted.
 */
#ifndef BOOTYARD_TESTS_EACH_H
#define BOOTYARD_TESTS_EACH_H

#include <stdbool.h>
#include <stddef.h>

static inline void
expect_each(bool (*check)(const char *), const char *name, bool want,
            const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (check(list[i]) != want)
			fail_msg("%s(\"%s\"): want %s", name,
			         list[i] ? list[i] : "(NULL)",
			         want ? "true" : "false");
}

#define EXPECT_EACH(check, want, ...)                                          \
	do {                                                                   \
		static const char *const each_list_[] = {__VA_ARGS__};         \
		expect_each(check, #check, want, each_list_,                   \
		            sizeof(each_list_) / sizeof(each_list_[0]));       \
	} while (0)

#endif
