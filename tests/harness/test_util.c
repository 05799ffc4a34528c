/* test_util.c: tests of harness/util.c: the plural every verdict's counts go through. */
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>

/* "%d %s", n, plural(n, ...) as the verdicts write it. */
static void assert_count(long n, const char *want)
{
    char got[64];
    snprintf(got, sizeof got, "median of %ld %s", n, plural(n, "pair", "pairs"));
    cr_assert_str_eq(got, want);
}

Test(util, a_count_of_one_is_singular_and_any_other_plural)
{
    assert_count(1, "median of 1 pair");
    assert_count(0, "median of 0 pairs");
    assert_count(2, "median of 2 pairs");
    assert_count(-1, "median of -1 pairs");
    cr_assert_str_eq(plural(1, "process", "processes"), "process");
    cr_assert_str_eq(plural(11, "process", "processes"), "processes");
}
