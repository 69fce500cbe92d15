/*
 * unit_main.h - the list of tests that the main() of every unit test
 * file ran through cmocka, written once: each file wrote out the same
 * array of cmocka_unit_test() lines and the same call. Include after
 * <cmocka.h>.
 *
 *   return UNIT_RUN(test_a, test_b);
 *
 * runs test_a then test_b as cmocka's group "tests" (as
 * cmocka_run_group_tests(tests, NULL, NULL) named it);
 * unit_run(UNIT_LIST(test_a, test_b), setup, teardown) the same with a
 * group setup and teardown; unit_run_each gives every test the setup and
 * teardown instead (cmocka_unit_test_setup_teardown). The names cmocka
 * prints are the function names, as cmocka_unit_test printed them.
 */
#ifndef BOOTYARD_TESTS_UNIT_MAIN_H
#define BOOTYARD_TESTS_UNIT_MAIN_H

#include <stdlib.h>
#include <string.h>

typedef void (*unit_test_fn)(void **state);

/* The test functions, and their names as one string "a, b, c". */
struct unit_list {
	const char *names;
	const unit_test_fn *fns;
	size_t n;
};

#define UNIT_LIST(...)                                                        \
	((struct unit_list){                                                  \
	    #__VA_ARGS__, (const unit_test_fn[]){__VA_ARGS__},                \
	    sizeof((unit_test_fn[]){__VA_ARGS__}) / sizeof(unit_test_fn)})

/*
 * unit_tests - l as cmocka tests, each with setup and teardown (NULL for
 * none); one block with the names in it: the caller frees it.
 */
static inline struct CMUnitTest *
unit_tests(struct unit_list l, CMFixtureFunction setup,
           CMFixtureFunction teardown)
{
	size_t len = strlen(l.names) + 1, i;
	struct CMUnitTest *t = calloc(1, l.n * sizeof(*t) + len);
	char *names, *save = NULL;

	assert_non_null(t);
	names = memcpy(t + l.n, l.names, len);
	for (i = 0; i < l.n; i++) {
		t[i].name = strtok_r(i ? NULL : names, ", \t\n", &save);
		assert_non_null(t[i].name);
		t[i].test_func = l.fns[i];
		t[i].setup_func = setup;
		t[i].teardown_func = teardown;
	}
	assert_null(strtok_r(NULL, ", \t\n", &save));
	return t;
}

/* Run the tests of l, each with setup and teardown, as a group with
 * group_setup and group_teardown; cmocka's answer (the failures). */
static inline int
unit_run_group(struct unit_list l, CMFixtureFunction setup,
               CMFixtureFunction teardown, CMFixtureFunction group_setup,
               CMFixtureFunction group_teardown)
{
	struct CMUnitTest *t = unit_tests(l, setup, teardown);
	int r = _cmocka_run_group_tests("tests", t, l.n, group_setup,
	                                group_teardown);

	free(t);
	return r;
}

/* Run the tests of l with the group's setup and teardown. */
static inline int
unit_run(struct unit_list l, CMFixtureFunction group_setup,
         CMFixtureFunction group_teardown)
{
	return unit_run_group(l, NULL, NULL, group_setup, group_teardown);
}

/* Run the tests of l, each with setup and teardown. */
static inline int
unit_run_each(struct unit_list l, CMFixtureFunction setup,
              CMFixtureFunction teardown)
{
	return unit_run_group(l, setup, teardown, NULL, NULL);
}

/* Run the tests named, without setup or teardown. */
#define UNIT_RUN(...) unit_run(UNIT_LIST(__VA_ARGS__), NULL, NULL)

#endif
