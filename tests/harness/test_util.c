/* test_util.c: tests of harness/util.c: the plural every verdict's counts go through, and the
 * whole-word replacement that puts a verdict in the learner's words. */
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

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

/* The words a verdict swaps (pthread_create -> thrd_create) are whole identifiers only. */
Test(util, a_word_is_replaced_only_where_it_stands_whole)
{
    char *s = replace_word("pthread_create ran 2 times; my_pthread_create and pthread_created "
                           "stay, (pthread_create) goes",
                           "pthread_create", "thrd_create");
    cr_assert_str_eq(s, "thrd_create ran 2 times; my_pthread_create and pthread_created stay, "
                        "(thrd_create) goes");
    free(s);
    s = replace_word("", "a", "b");
    cr_assert_str_eq(s, "");
    free(s);
    cr_assert(has_word("x = thrd_create(&t, f, 0);", "thrd_create"));
    cr_assert(!has_word("x = my_thrd_create(&t);", "thrd_create"));
    cr_assert(!has_word(NULL, "thrd_create"));
}

/* Only code counts when the verdict asks which calls a file makes. */
Test(util, comments_and_literals_are_blanked_and_code_kept)
{
    char *s = c_code_only("a /* pthread_create */ b // pthread_join\n"
                          "c \"pthread_exit \\\" x\" d 'q' '\\'' e / f");
    cr_assert_str_eq(s, "a   b  \nc   d     e / f");
    free(s);
    s = c_code_only("x /* never closed");
    cr_assert_str_eq(s, "x  ");
    free(s);
}

/* The secrets and tokens the harness hands out: hex of the length asked, new each time. */
Test(util, random_hex_gives_new_digits_of_the_length_asked)
{
    char a[33], b[33];
    cr_assert_eq(random_hex(a, 16), 0);
    cr_assert_eq(random_hex(b, 16), 0);
    cr_assert_eq(strlen(a), 32);
    cr_assert_eq(strspn(a, "0123456789abcdef"), 32, "%s", a);
    cr_assert_str_neq(a, b);
    char big[200];
    cr_assert_eq(random_hex(big, 65), -1, "more than it holds is refused");
}
