/* test_asan.c: tests of harness/stages/asan.c, from real gradings of small learner files
 * (tests/harness/data/src/) with `kata run --stage asan`. Run from the repository root. */
#include "support/grading.h"

#include <criterion/criterion.h>
#include <stdlib.h>

TestSuite(stage_asan, .init = grading_setup, .timeout = 300);

/* A division by zero: UBSan reports it, then ASan stops the program on the SIGFPE. UBSan,
 * starting at that first report, moves ASan's report to stderr (gcc 12), so nothing reaches
 * the channel; ASan's exit code still fails the stage, at the learner's line. */
Test(stage_asan, a_division_by_zero_fails_at_the_learners_line)
{
    char *v =
        grade_failing("pipe_messages", "tests/harness/data/src/pipe_divide_by_zero.c", "asan");
    verdict_says(v, "asan      FAILED");
    verdict_says(v, "pipe_divide_by_zero.c:11 in pipe_messages_run");
    free(v);
}
