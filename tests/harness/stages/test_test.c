/* test_test.c: tests of harness/stages/test.c: the words of a test that crashed, from real
 * gradings of small learner files (tests/harness/data/src/) with `kata run --stage test`.
 * Run from the repository root; they grade in the sandbox when it starts here. */
#include "cli.h"
#include "spawn.h"
#include "util.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void setup(void)
{
    spawn_init();
    cr_redirect_stdout();
    cr_redirect_stderr();
    unsetenv("SEED");
    unsetenv("KATA_ROOT");
    setenv("NO_COLOR", "1", 1);
}

TestSuite(stage_test, .init = setup, .timeout = 300);

/* The verdict of `kata run <kata> --src <src> --stage <stage>`, as the learner reads it: a new
 * string. */
static char *grade(const char *kata, const char *src, const char *stage)
{
    const char *args[] = {"kata", "run", kata, "--src", src, "--stage", stage, NULL};
    char *argv[8];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = xstrdup(args[argc]);
    argv[argc] = NULL;
    char *copies[8];
    memcpy(copies, argv, sizeof argv);
    int rc = cli_main(argc, argv);
    for (int i = 0; i < argc; i++)
        free(copies[i]);
    fflush(stdout);
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t got;
    FILE *f = cr_get_redirected_stdout();
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        sb_add(&sb, buf, got);
    cr_assert_eq(rc, 1, "kata run %s --src %s --stage %s: exit %d, not 1 (failed):\n%s", kata, src,
                 stage, rc, sb.buf ? sb.buf : "");
    return sb_detach(&sb);
}

#define SAYS(text, words)                                                                          \
    cr_assert(strstr(text, words), "the verdict does not say \"%s\":\n%s", words, text)
#define NOT_SAYS(text, words)                                                                      \
    cr_assert(!strstr(text, words), "the verdict says \"%s\":\n%s", words, text)

/* A worker the code under test forked inherits the tests' signal handler: its death is its
 * own, and the test's process, which died of SIGPIPE, is not said to have died of SIGSEGV. */
Test(stage_test, a_forked_workers_crash_is_the_workers_and_sigpipe_is_named_sigpipe)
{
    char *v = grade("pipe_messages", "tests/harness/data/src/worker_crash_then_sigpipe.c", "test");
    SAYS(v, "the signal was SIGPIPE");
    SAYS(v, "a process your code forked was killed by SIGSEGV");
    NOT_SAYS(v, "the signal was SIGSEGV");
    free(v);
}

/* A double free: the C library's words before its abort are kept, and a crash that every test
 * repeats is said in full once. */
Test(stage_test, an_abort_keeps_the_c_librarys_message_and_the_line_and_is_said_once)
{
    char *v = grade("race_counter", "tests/harness/data/src/double_free.c", "test");
    SAYS(v, "the signal was SIGABRT (abort: an assertion or the C library gave up), in your code "
            "at tests/harness/data/src/double_free.c:41 (in race_counter_run()); the C library "
            "said: \"free(): double free detected in tcache 2\"");
    SAYS(v, "crashed the same way as ");
    const char *first = strstr(v, "the C library said");
    cr_assert(first && !strstr(first + 1, "the C library said"), "said more than once:\n%s", v);
    free(v);
}

/* A division by zero: SIGFPE, at the learner's line. */
Test(stage_test, a_division_by_zero_is_named_at_the_learners_line)
{
    char *v = grade("race_counter", "tests/harness/data/src/divide_by_zero.c", "test");
    SAYS(v, "the signal was SIGFPE (arithmetic error, such as division by zero), in your code at "
            "tests/harness/data/src/divide_by_zero.c:39 (in race_counter_run())");
    NOT_SAYS(v, "SIGILL");
    free(v);
}
