/* criterion_sample.c: one passing, one failing and one crashing Criterion test. */
#include <criterion/criterion.h>
#include <stddef.h>

Test(sample, passes)
{
    cr_assert_eq(1 + 1, 2);
}

Test(sample, fails)
{
    cr_assert_eq(1 + 1, 3, "one and one make %d, not 3", 1 + 1);
}

Test(sample, crashes)
{
    volatile int *p = NULL;
    cr_assert_eq(*p, 0);
}
