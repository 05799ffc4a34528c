/* test_main_end.c: tests of harness/stages/main_end.c and harness/runtime/main_end.c: a
 * driver's run counts only when its main returned, told with the secret it was given. Run
 * from the repository root. */
#include "compile.h"
#include "stages/main_end.h"
#include "support/scratch.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

TestSuite(main_end, .fini = scratch_remove, .timeout = 60);

/* main_end_check on a channel that carried `text`, from a child that ended as `c` says. */
static char *check(const char *text, struct child c)
{
    struct main_end e;
    cr_assert_eq(main_end_open(&e), 0);
    e.channel.text = text ? xstrdup(text) : NULL;
    char *why = main_end_check(&e, &c);
    main_end_release(&e);
    return why;
}

Test(main_end, the_line_with_the_secret_is_the_only_evidence)
{
    struct main_end e;
    cr_assert_eq(main_end_open(&e), 0);
    cr_assert_eq(strlen(e.secret), 32);
    struct child exited = {.exited = 1, .exit_code = 0};
    char *line = xasprintf("main returned 0 %s\n", e.secret);
    e.channel.text = xstrdup(line);
    cr_assert_null(main_end_check(&e, &exited));
    free(e.channel.text);
    /* two processes returned from main (a forked child that came back): both told it */
    e.channel.text = xasprintf("%s%s", line, line);
    cr_assert_null(main_end_check(&e, &exited));
    free(e.channel.text);
    /* anything beside the line, before it or after it */
    e.channel.text = xasprintf("junk%s", line);
    char *why = main_end_check(&e, &exited);
    cr_assert(why && strstr(why, "something other than the driver wrote"), "%s", why);
    free(why);
    free(e.channel.text);
    e.channel.text = xasprintf("%smain returned 0\n", line);
    why = main_end_check(&e, &exited);
    cr_assert(why && strstr(why, "something other than the driver wrote"), "%s", why);
    free(why);
    e.channel.text = NULL;
    main_end_release(&e);
    free(line);
}

Test(main_end, a_line_with_another_secret_is_not_evidence)
{
    struct child exited = {.exited = 1};
    char *why = check("main returned 0 0123456789abcdef0123456789abcdef\n", exited);
    cr_assert(why && strstr(why, "something other than the driver wrote"), "%s", why);
    free(why);
}

Test(main_end, no_line_from_a_run_that_exited_says_where_it_ended)
{
    struct child exited = {.exited = 1, .exit_code = 3};
    char *why = check(NULL, exited);
    cr_assert(why && strstr(why, "ended (exit code 3) before the driver's main returned") &&
                  strstr(why, "exit() or _exit()"),
              "%s", why);
    free(why);
}

Test(main_end, a_deadline_or_a_signal_is_left_to_the_caller)
{
    struct child late = {.exited = 1, .timed_out = 1};
    cr_assert_null(check(NULL, late));
    struct child killed = {.signaled = 1, .signo = 9};
    cr_assert_null(check(NULL, killed));
}

/* The driver's side, run for real: a program linked with runtime/main_end.c (bin), run with
 * `what` as its argument; returns what main_end_check said. */
static char *run_prog(const char *bin, const char *what)
{
    struct main_end e;
    cr_assert_eq(main_end_open(&e), 0);
    const char *argv[] = {bin, what, NULL};
    const char *env[] = {e.env, NULL};
    struct child c = {.argv = argv, .env = env, .timeout = 20};
    struct child_channel channels[1];
    main_end_attach(&e, &c, channels, 0);
    cr_assert_eq(child_run(&c), 0);
    cr_assert(c.exited && c.exit_code == 0, "the program did not exit 0");
    char *why = main_end_check(&e, &c);
    main_end_release(&e);
    return why;
}

Test(main_end, a_driver_says_that_its_main_returned_and_nothing_else_can)
{
    scratch_make("main-end");
    /* compilers run as a user of their own under root (spawn.h) */
    cr_assert_eq(chmod(scratch_dir, 0755), 0);
    static const char *const flags[] = {"-O0", "-g", NULL};
    static const char *const sources[] = {"tests/harness/data/src/main_end_prog.c",
                                          "harness/runtime/main_end.c", NULL};
    static const char *const link[] = {main_end_wrap, NULL};
    struct compile_job job = {.cc = "gcc",
                              .flags = flags,
                              .sources = sources,
                              .link_flags = link,
                              .label = "main-end",
                              .cache_dir = scratch_dir};
    char *diag = NULL;
    char *bin = compile(&job, &diag, NULL);
    cr_assert_not_null(bin, "cannot build the program (run from the repository root): %s",
                       diag ? diag : "");
    free(diag);

    /* main returned */
    cr_assert_null(run_prog(bin, "return"));
    /* _exit(0) in the middle: no line */
    char *why = run_prog(bin, "exit");
    cr_assert(why && strstr(why, "ended (exit code 0) before the driver's main returned"), "%s",
              why);
    free(why);
    /* a line of the program's own, without the secret, beside the real one */
    why = run_prog(bin, "forge");
    cr_assert(why && strstr(why, "something other than the driver wrote"), "%s", why);
    free(why);
    free(bin);
}
