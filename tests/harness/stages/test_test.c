/* test_test.c: tests of harness/stages/test.c: the words of a test that crashed, from real
 * gradings of small learner files (tests/harness/data/src/) with `kata run --stage test`.
 * Run from the repository root. */
#include "support/grading.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

TestSuite(stage_test, .init = grading_setup, .timeout = 300);

/* A worker the code under test forked inherits the tests' signal handler: its death is its
 * own, and the test's process, which died of SIGPIPE, is not said to have died of SIGSEGV. */
Test(stage_test, a_forked_workers_crash_is_the_workers_and_sigpipe_is_named_sigpipe)
{
    char *v = grade_failing("pipe_messages", "tests/harness/data/src/worker_crash_then_sigpipe.c",
                            "test");
    verdict_says(v, "the signal was SIGPIPE");
    verdict_says(v, "a process your code forked was killed by SIGSEGV");
    verdict_lacks(v, "the signal was SIGSEGV");
    free(v);
}

/* A double free: the C library's words before its abort and the learner's line are kept, and
 * a crash that every test repeats is said in full once. */
Test(stage_test, an_abort_keeps_the_c_librarys_message_and_the_line_and_is_said_once)
{
    char *v = grade_failing("race_counter", "tests/harness/data/src/double_free.c", "test");
    verdict_says(v, "the signal was SIGABRT (abort: an assertion or the C library gave up), in "
                    "your code at tests/harness/data/src/double_free.c:41 (in race_counter_run()); "
                    "the C library said: \"free(): double free detected in tcache 2\"");
    verdict_says(v, "crashed the same way as ");
    const char *first = strstr(v, "the C library said");
    cr_assert(first && !strstr(first + 1, "the C library said"), "said more than once:\n%s", v);
    free(v);
}

/* A division by zero: SIGFPE, at the learner's line. */
Test(stage_test, a_division_by_zero_is_named_at_the_learners_line)
{
    char *v = grade_failing("race_counter", "tests/harness/data/src/divide_by_zero.c", "test");
    verdict_says(v, "the signal was SIGFPE (arithmetic error, such as division by zero), in your "
                    "code at tests/harness/data/src/divide_by_zero.c:39 (in race_counter_run())");
    verdict_lacks(v, "SIGILL");
    free(v);
}

/* io_download: a URL the code never fetched, given what the contract gives such a URL, is said
 * to be unfetched, not "error 2 (Failed initialization), it should have downloaded". */
Test(stage_test, a_url_never_fetched_is_said_so)
{
    char *v = grade_failing("io_download", "tests/harness/data/src/io_never_fetched.c", "test");
    verdict_says(v, ": never fetched: out[");
    verdict_lacks(v, "Failed initialization");
    free(v);
}

/* A learner who wrote C11 <threads.h> reads the calls of its own file: the error-path test
 * says thrd_create failed and thrd_create's threads were still running, not pthread_create. */
Test(stage_test, a_c11_file_reads_thrd_create_where_the_tests_say_pthread_create)
{
    char *v = grade_failing("race_counter", "tests/harness/data/src/c11_returns_before_joining.c",
                            "test");
    verdict_says(v, "thrd_create failed after ");
    verdict_lacks(v, "pthread_create");
    free(v);
}
