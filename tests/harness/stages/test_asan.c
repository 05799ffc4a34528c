/* test_asan.c: tests of harness/stages/asan.c, from real gradings of small learner files
 * (tests/harness/data/src/) with `kata run --stage asan`. Run from the repository root. */
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

TestSuite(stage_asan, .init = setup, .timeout = 300);

/* A division by zero: UBSan reports it, then ASan stops the program on the SIGFPE. UBSan,
 * starting at that first report, moves ASan's report to stderr (gcc 12), so nothing reaches
 * the channel; ASan's exit code still fails the stage, at the learner's line. */
Test(stage_asan, a_division_by_zero_fails_at_the_learners_line)
{
    const char *args[] = {"kata",
                          "run",
                          "pipe_messages",
                          "--src",
                          "tests/harness/data/src/pipe_divide_by_zero.c",
                          "--stage",
                          "asan",
                          NULL};
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
    sb_init(&sb);
    char buf[4096];
    size_t got;
    FILE *f = cr_get_redirected_stdout();
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        sb_add(&sb, buf, got);
    cr_assert_eq(rc, 1, "exit %d, not 1 (failed):\n%s", rc, sb.buf);
    cr_assert(strstr(sb.buf, "asan      FAILED"), "%s", sb.buf);
    cr_assert(strstr(sb.buf, "pipe_divide_by_zero.c:11 in pipe_messages_run"), "%s", sb.buf);
    sb_release(&sb);
}
