/*
 * each.h - table-driven checks of a validator: every string of a list
 * must be accepted (or every one refused). Include after <cmocka.h>.
 *
 *   EXPECT_EACH(valid_ipv4, true, "0.0.0.0", "198.18.0.1");
 *   EXPECT_EACH(valid_ipv4, false, NULL, "", "1.2.3");
 *
 * A failure names the string (NULL as "(NULL)") and what was wanted.
 *
 * EXPECT_EACH_MAX is the same for a check that also takes a maximum
 * length (each string is checked with the same max):
 *
 *   EXPECT_EACH_MAX(grub_safe_arg, 100, false, "", "a b");
 *
 * EXPECT_IN checks that every string of a list is in a text (strstr), or
 * that none is:
 *
 *   EXPECT_IN(out, false, "fd00", "06:02");
 */
#ifndef BOOTYARD_TESTS_EACH_H
#define BOOTYARD_TESTS_EACH_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Check every string of list with check(s) or, when check is NULL, with
 * check_max(s, max). */
static inline void
expect_each_in(bool (*check)(const char *),
               bool (*check_max)(const char *, size_t), size_t max,
               const char *name, bool want, const char *const *list,
               size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((check ? check(list[i]) : check_max(list[i], max)) == want)
			continue;
		if (check)
			fail_msg("%s(\"%s\"): want %s", name,
			         list[i] ? list[i] : "(NULL)",
			         want ? "true" : "false");
		fail_msg("%s(\"%s\", %zu): want %s", name,
		         list[i] ? list[i] : "(NULL)", max,
		         want ? "true" : "false");
	}
}

#define EXPECT_EACH_IN_(name, check, check_max, max, want, ...)                \
	do {                                                                   \
		static const char *const each_list_[] = {__VA_ARGS__};         \
		expect_each_in(check, check_max, max, name, want, each_list_,  \
		               sizeof(each_list_) / sizeof(each_list_[0]));    \
	} while (0)

#define EXPECT_EACH(check, want, ...)                                          \
	EXPECT_EACH_IN_(#check, check, NULL, 0, want, __VA_ARGS__)

#define EXPECT_EACH_MAX(check_max, max, want, ...)                             \
	EXPECT_EACH_IN_(#check_max, NULL, check_max, max, want, __VA_ARGS__)

static inline void
expect_in(const char *text, bool want, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((strstr(text, list[i]) != NULL) != want)
			fail_msg("\"%s\" %s the text", list[i],
			         want ? "is not in" : "is in");
}

#define EXPECT_IN(text, want, ...)                                             \
	do {                                                                   \
		static const char *const in_list_[] = {__VA_ARGS__};           \
		expect_in(text, want, in_list_,                                \
		          sizeof(in_list_) / sizeof(in_list_[0]));             \
	} while (0)

#endif
