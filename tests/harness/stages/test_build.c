/* test_build.c: tests of harness/stages/build.c, from real gradings of small learner files
 * (tests/harness/data/src/) with `kata run --stage build`. Run from the repository root. */
#include "support/grading.h"

#include <criterion/criterion.h>
#include <stdlib.h>

TestSuite(stage_build, .init = grading_setup, .timeout = 300);

/* A rwlock without _POSIX_C_SOURCE: the compiler says only "unknown type name"; the verdict
 * also says why, and what to write. */
Test(stage_build, a_posix_name_hidden_by_c11_gets_the_feature_macro_hint)
{
    char *v = grade_failing("race_counter", "tests/harness/data/src/race_rwlock_without_posix.c",
                            "build");
    verdict_says(v, "unknown type name 'pthread_rwlock_t'");
    verdict_says(v, "hint: `pthread_rwlock_t` is POSIX, not ISO C");
    verdict_says(v, "#define _POSIX_C_SOURCE 200809L");
    free(v);
}

/* A compile error about a name of the learner's own gets no such hint. */
Test(stage_build, a_misspelt_name_of_ones_own_gets_no_hint)
{
    char *v =
        grade_failing("race_counter", "tests/harness/data/src/race_undeclared_own_name.c", "build");
    verdict_says(v, "'killed_count' undeclared");
    verdict_lacks(v, "hint:");
    free(v);
}
