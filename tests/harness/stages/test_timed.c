/* test_timed.c: tests of harness/stages/timed.c and the I/O drivers it runs: a timed run's
 * wrong answer says what is wrong, from real gradings (`kata run --stage perf`) of small
 * io_download files (tests/harness/data/src/). Run from the repository root. */
#include "support/grading.h"

#include <criterion/criterion.h>
#include <stdlib.h>

TestSuite(stage_timed, .init = grading_setup, .timeout = 300);

/* Every body right, the status wrong: the status is named, not "wrong bytes". */
Test(stage_timed, a_wrong_status_is_named_and_not_called_wrong_bytes)
{
    char *v = grade_failing("io_download", "tests/harness/data/src/io_wrong_status.c", "perf");
    verdict_says(v, "the timed workload gave a wrong answer");
    verdict_says(v, ": status 201, want 200 (");
    verdict_lacks(v, "wrong bytes");
    free(v);
}

/* Nothing fetched: each URL is said to be unfetched, not "error 2". */
Test(stage_timed, a_url_never_fetched_is_said_so)
{
    char *v = grade_failing("io_download", "tests/harness/data/src/io_never_fetched.c", "perf");
    verdict_says(v, ": never fetched (error 2, CURLE_FAILED_INIT: what a URL nobody fetched is "
                    "given)");
    free(v);
}
