/* test_expect.c: tests of harness/expect.c: the header of a test file, expect: lines read,
 * and real verdicts (tests/harness/data/verdicts/, recorded with `kata run --format json`)
 * held to expectations that hold and to ones that do not. */
#include "expect.h"
#include "util.h"

#include "support/recordings.h"
#include "support/scratch.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

static void quiet(void)
{
    cr_redirect_stderr(); /* the errors of the lines that cannot be read */
}

TestSuite(expect, .init = quiet, .fini = scratch_remove);

/* Checks the recorded verdict data/verdicts/<name>.json against lines (NULL-terminated).
 * Returns expect_check's result; *why as it sets it. */
static int check_recorded(const char *name, const char *const *lines, const char *markers,
                          const char *exit_code, char **why)
{
    char *file = xasprintf("verdicts/%s.json", name);
    char *printed = recording(file);
    cJSON *verdict = cJSON_Parse(printed);
    cr_assert_not_null(verdict, "%s is JSON", file);
    struct expect_context ctx = {.exit_code = exit_code};
    int rc = expect_check(verdict, printed, (char *const *)lines, markers, &ctx, why);
    cJSON_Delete(verdict);
    free(printed);
    free(file);
    return rc;
}

/* A text whose lines 24 and 36 hold the markers a_waits and b_waits (where the recorded
 * deadlock's threads wait). */
static char *deadlock_markers(int a_line, int b_line)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    for (int line = 1; line <= 40; line++)
        sb_puts(&sb, line == a_line   ? "    lock(&b); /* @a_waits@ */\n"
                     : line == b_line ? "    lock(&a); /* @b_waits@ */\n"
                                      : "\n");
    return sb_detach(&sb);
}

static const char *const deadlock_lines[] = {
    "stage=test status=fail first text=\"did not finish\"",
    "stage=test status=fail match=\"thread [0-9]+ blocked in pthread_mutex_lock, called from "
    "take_a_then_b at [^ ]*deadlock.c:@a_waits@\"",
    "stage=test status=fail match=\"thread [0-9]+ blocked in pthread_mutex_lock, called from "
    "take_b_then_a at [^ ]*deadlock.c:@b_waits@\"",
    "status=fail", NULL};

Test(expect, a_recorded_deadlock_holds_to_its_header)
{
    char *markers = deadlock_markers(24, 36);
    char *why = NULL;
    cr_assert_eq(check_recorded("deadlock", deadlock_lines, markers, "1", &why), 0, "%s", why);
    cr_assert_null(why);
    free(markers);
}

Test(expect, rejects_a_wrong_expectation_and_says_why)
{
    /* the same lines, with the markers one line off: both waits are now expected elsewhere */
    char *markers = deadlock_markers(25, 37);
    char *why = NULL;
    cr_assert_eq(check_recorded("deadlock", deadlock_lines, markers, "1", &why), 1);
    cr_assert_not_null(why);
    cr_assert(strstr(why, "stage test does not match /thread [0-9]+ blocked in pthread_mutex_lock, "
                          "called from take_a_then_b at [^ ]*deadlock.c:25/\n"),
              "%s", why);
    cr_assert(strstr(why, "deadlock.c:37/\n"), "%s", why);
    cr_assert_null(strstr(why, "did not finish"), "the line that holds is not named: %s", why);
    free(why);
    free(markers);

    /* a pass expected of a verdict that failed, and of a harness that exited 1 */
    const char *const pass[] = {"status=pass", NULL};
    cr_assert_eq(check_recorded("deadlock", pass, NULL, "1", &why), 1);
    cr_assert_str_eq(why, "verdict fail, expected pass\nthe harness exited with 1, expected 0\n");
    free(why);

    /* a stage that did not run, the wrong headline, words it does not say */
    const char *const wrong[] = {"stage=tsan status=fail", "stage=test status=error",
                                 "stage=build status=fail first", "stage=test text=\"SIGKILL\"",
                                 NULL};
    cr_assert_eq(check_recorded("deadlock", wrong, NULL, NULL, &why), 1);
    cr_assert_str_eq(why, "stage tsan: not run, expected fail\n"
                          "stage test: fail, expected error\n"
                          "stage build: pass, expected fail\n"
                          "the first stage to fail is test fail, expected build\n"
                          "stage test does not say \"SIGKILL\"\n");
    free(why);

    /* a harness the suite's watchdog killed */
    const char *const fails[] = {"stage=test", "status=fail", NULL};
    cr_assert_eq(check_recorded("deadlock", fails, NULL, "watchdog", &why), 1);
    cr_assert_str_eq(why, "the harness exited with watchdog, expected 1\n");
    free(why);
}

Test(expect, a_refused_build_is_a_failed_verdict_and_absent_looks_everywhere)
{
    /* Exercism's interface calls a build that did not pass an error: the kata failed */
    const char *const lines[] = {
        "stage=build status=fail first match=\"/etc/shadow: (No such file or directory|Permission "
        "denied)\"",
        "absent=\"root:\"", "status=fail", NULL};
    char *why = NULL;
    cr_assert_eq(check_recorded("include_secret", lines, NULL, "1", &why), 0, "%s", why);

    const char *const leaked[] = {"absent=\"/etc/shadow\"", NULL};
    cr_assert_eq(check_recorded("include_secret", leaked, NULL, NULL, &why), 1);
    cr_assert_str_eq(why, "the verdict says \"/etc/shadow\", which it must not\n");
    free(why);

    /* a fail with no stage named: the header says too little */
    const char *const vague[] = {"status=fail", NULL};
    cr_assert_eq(check_recorded("include_secret", vague, NULL, NULL, &why), 1);
    cr_assert_str_eq(why, "the header has no expect: line with a stage\n");
    free(why);
}

Test(expect, found_asks_a_detector_for_a_finding)
{
    const char *const lines[] = {"stage=tsan status=fail found", NULL};
    char *why = NULL;
    cr_assert_eq(check_recorded("volatile_counter_tsan", lines, NULL, NULL, &why), 0, "%s", why);

    /* the same verdict without its finding: TSan failed, but proved nothing */
    char *printed = recording("verdicts/volatile_counter_tsan.json");
    cJSON *verdict = cJSON_Parse(printed);
    cJSON *tsan = cJSON_GetArrayItem(cJSON_GetObjectItem(verdict, "tests"), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(tsan, "name")->valuestring, "tsan");
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(tsan, "findings"), 0);
    cr_assert_eq(expect_check(verdict, printed, (char *const *)lines, NULL, NULL, &why), 1);
    cr_assert_str_eq(why, "stage tsan failed without finding anything in the code (no finding, "
                          "no time)\n");
    free(why);
    /* a failed test stage needs no finding: failing is what it looks for */
    cJSON_DeleteItemFromObject(tsan, "name");
    cJSON_AddStringToObject(tsan, "name", "test");
    const char *const test[] = {"stage=test status=fail found", NULL};
    cr_assert_eq(expect_check(verdict, printed, (char *const *)test, NULL, NULL, &why), 0);
    cJSON_Delete(verdict);
    free(printed);
}

Test(expect, no_verdict_is_a_failure_not_a_crash)
{
    const char *const lines[] = {"stage=test", "status=fail", NULL};
    char *why = NULL;
    cr_assert_eq(expect_check(NULL, NULL, (char *const *)lines, NULL, NULL, &why), 1);
    cr_assert_str_eq(why, "no verdict: the harness's output is not JSON\n"
                          "stage test: not run, expected fail\n"
                          "verdict none, expected fail\n");
    free(why);
}

Test(expect, reads_the_header_of_a_patch_and_of_a_c_file)
{
    const char *patch = "mutant: a lock of its own\n"
                        "expect: stage=helgrind status=fail found\n"
                        "repeat: 3\n"
                        "\n"
                        "--- a/x.c\n"
                        "+++ b/x.c\n"
                        "+expect: stage=test\n";
    char **v = header_values(patch, "expect");
    cr_assert_str_eq(v[0], "stage=helgrind status=fail found");
    cr_assert_null(v[1], "a line of the diff is not the header's");
    expect_strings_free(v);
    char *repeat = header_value(patch, "repeat");
    cr_assert_str_eq(repeat, "3");
    free(repeat);

    const char *c = "/* hostile: what it does; its words may say\n"
                    " * watches: something, which is not a key asked for\n"
                    " * expect: stage=test status=fail first text=\"did not finish\"\n"
                    " * expect: status=fail */\n"
                    "/* expect: stage=tsan */\n"
                    "int x;\n";
    v = header_values(c, "expect");
    cr_assert_str_eq(v[0], "stage=test status=fail first text=\"did not finish\"");
    cr_assert_str_eq(v[1], "status=fail", "the closing comment mark is not the value's");
    cr_assert_null(v[2], "only the opening comment is the header");
    expect_strings_free(v);
    char *what = header_value(c, "hostile");
    cr_assert_str_eq(what, "what it does; its words may say");
    free(what);
    cr_assert_null(header_value(c, "limit"));
    cr_assert_null(header_value("int main(void) { return 0; }\n", "expect"));
}

Test(expect, reads_a_line_and_refuses_what_it_cannot_mean)
{
    struct expectation e;
    cr_assert_eq(expectation_parse("stage=test first found text=\"a \\\"quoted\\\" word\" "
                                   "match=\"running \\(not blocked\\) at x.c:@spin@\"",
                                   "\n\nspin(); /* @spin@ */\n", &e),
                 0);
    cr_assert_str_eq(e.stage, "test");
    cr_assert_null(e.status, "not said: a stage's default, fail, applies");
    cr_assert(e.first && e.found);
    cr_assert_str_eq(e.text, "a \"quoted\" word");
    cr_assert_str_eq(e.match, "running \\(not blocked\\) at x.c:3", "backslashes kept");
    expectation_release(&e);

    cr_assert_eq(expectation_parse("stage=test text=\"@nowhere@\"", "", &e), 0);
    cr_assert_str_eq(e.text, "no-marker-nowhere");
    expectation_release(&e);

    const char *bad[] = {"stage=test rejected-by=tsan",
                         "stage=test text=\"open",
                         "stage=test status=maybe",
                         "text=\"no stage\"",
                         "first",
                         "stage=test match=\"(\"",
                         "stage=test stage=tsan",
                         ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(expectation_parse(bad[i], NULL, &e), -1, "'%s' is refused", bad[i]);

    const char *const none[] = {NULL};
    char *why = NULL;
    cr_assert_eq(expect_check(NULL, NULL, (char *const *)none, NULL, NULL, &why), -1,
                 "no line: nothing was expected");
    const char *const unreadable[] = {"status=pass", "stage=test bogus", NULL};
    cr_assert_eq(expect_check(NULL, NULL, (char *const *)unreadable, NULL, NULL, &why), -1);
    cr_assert_null(why);
}

/* A verdict screen as `kata run` prints it, and excerpts of it a README might show. */
static const char screen[] =
    "race_counter: lost updates on a shared counter (seed 146577)\n"
    "  build     passed    0.3s  compiles cleanly   \n"
    "  test      FAILED    5.2s  a test did not finish within 5 s\n"
    "    thread 9588 blocked in pthread_mutex_lock at /home/me/katas/race_counter.c:31\n"
    "  tsan      FAILED    1.1s  3 data race reports on `counter`\n"
    "    thread T2 wrote counter at 0x7ba000004000, and 2 more places\n";

/* Holds screen to the excerpt (the lines of text) with luck, as `kata expect --text`. */
static int excerpt_holds(const char *excerpt, const char *luck, char **why)
{
    scratch_make("expect");
    char *path = scratch_path("block.txt");
    put_file(path, excerpt);
    char *line = xasprintf("excerpt=\"%s\"%s%s", path, luck ? " luck=" : "", luck ? luck : "");
    const char *const lines[] = {line, NULL};
    struct expect_context ctx = {.text = screen};
    int rc = expect_check(NULL, NULL, (char *const *)lines, NULL, &ctx, why);
    free(line);
    free(path);
    scratch_remove();
    return rc;
}

Test(expect, an_excerpt_holds_whatever_varies_from_run_to_run)
{
    char *why = NULL;
    /* other timings, seed, thread ids, addresses and counts of reports; "..." for a path */
    cr_assert_eq(
        excerpt_holds("race_counter: lost updates on a shared counter (seed 1)\n"
                      "  build     passed    1.0s  compiles cleanly\n"
                      "\n"
                      "  ...\n"
                      "    thread 12 blocked in pthread_mutex_lock at .../race_counter.c:31\n"
                      "  tsan      FAILED    0.9s  1 data race report on `counter`\n"
                      "    thread T3 wrote counter at 0x7b0000000010, and 5 more places\n",
                      NULL, &why),
        0, "%s", why);
    /* a stage whose pass or fail is luck */
    cr_assert_eq(
        excerpt_holds("  test      passed    0.4s  all 6 tests passed\n", "build,test", &why), 0,
        "%s", why);
}

Test(expect, an_excerpt_that_is_not_in_the_verdict_is_named_line_by_line)
{
    char *why = NULL;
    cr_assert_eq(
        excerpt_holds("  build     passed    1.0s  compiles cleanly\n"
                      "    thread 12 blocked in pthread_mutex_lock at .../race_counter.c:32\n"
                      "  test      passed    0.4s  all 6 tests passed\n",
                      NULL, &why),
        1);
    cr_assert_str_eq(why, "excerpt line 2 is not in the verdict:     thread 12 blocked in "
                          "pthread_mutex_lock at .../race_counter.c:32\n"
                          "excerpt line 3 is not in the verdict:   test      passed    0.4s  all "
                          "6 tests passed\n");
    free(why);
}

Test(expect, normalises_as_the_readme_check_always_has)
{
    const char *const cases[][3] = {
        {"  tsan      FAILED    1.1s  3 data race reports  ", NULL,
         "  tsan      FAILED <t>s  <n> data race reports"},
        {"took 3.2 s (seed 42), pid=7 tid=8", NULL, "took <t>s (seed <n>), pid=<n> tid=<n>"},
        {"Thread #3 and thread 12 and thread T1 at 0xABCdef", NULL,
         "Thread #<n> and thread <n> and thread T<n> at 0x<addr>"},
        {"read at x.c:139 (in future_get(), main thread)", NULL,
         "read at x.c:139 (in future_get(), thread <n>)"},
        {"1 possible data race report, and 1 more place", NULL,
         "<n> possible data race reports, and <n> more places"},
        {"  test      FAILED    5.2s  1 of 6 tests failed", "tsan,test",
         "  test      <passed or FAILED>"},
        {"  test      FAILED    5.2s", "test", "  test      <passed or FAILED>"},
        {"  tests     FAILED    5.2s", "test", "  tests     FAILED <t>s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = excerpt_normalise(cases[i][0], cases[i][1]);
        cr_assert_str_eq(n, cases[i][2], "'%s'", cases[i][0]);
        free(n);
    }
}
