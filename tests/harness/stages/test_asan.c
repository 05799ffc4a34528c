/* test_asan.c: tests of harness/stages/asan.c, from real gradings of small learner files
 * (tests/harness/data/src/) with `kata run --stage asan`. Run from the repository root. */
#include "support/grading.h"

#include <criterion/criterion.h>
#include <stdlib.h>

TestSuite(stage_asan, .init = grading_setup, .timeout = 300);

/* A division by zero: UBSan reports it, then ASan stops the program on the SIGFPE. Both
 * reports reach the channel, though UBSan, starting at its first report, closes ASan's
 * descriptor (gcc 12; tests/support/report_fd.c gives ASan another). */
Test(stage_asan, a_division_by_zero_fails_at_the_learners_line)
{
    char *v =
        grade_failing("pipe_messages", "tests/harness/data/src/pipe_divide_by_zero.c", "asan");
    verdict_says(v, "asan      FAILED");
    verdict_says(v, "undefined behaviour: division by zero");
    verdict_says(v, "pipe_divide_by_zero.c:11 (in pipe_messages_run())");
    verdict_says(v, "crashed at tests/harness/data/src/pipe_divide_by_zero.c:11");
    free(v);
}

/* A signed overflow that lets the program go on: UBSan's report is the only evidence, and
 * it must reach the harness (it went to a closed descriptor, and the stage passed). */
Test(stage_asan, a_signed_overflow_that_does_not_stop_the_program_fails)
{
    char *v =
        grade_failing("pipe_messages", "tests/harness/data/src/pipe_signed_overflow.c", "asan");
    verdict_says(v, "asan      FAILED");
    verdict_says(v, "undefined behaviour: signed integer overflow");
    verdict_says(v, "pipe_signed_overflow.c:11 (in pipe_messages_run())");
    free(v);
}

/* ASan's report after UBSan's first one still comes over the channel, with its stacks. */
Test(stage_asan, a_memory_error_after_undefined_behaviour_is_reported_whole)
{
    char *v =
        grade_failing("pipe_messages", "tests/harness/data/src/pipe_overflow_then_freed.c", "asan");
    verdict_says(v, "undefined behaviour: signed integer overflow");
    verdict_says(v, "heap-use-after-free:");
    verdict_says(v, "read at tests/harness/data/src/pipe_overflow_then_freed.c:16");
    verdict_says(v, "freed at tests/harness/data/src/pipe_overflow_then_freed.c:15");
    free(v);
}
