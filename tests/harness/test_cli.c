/* test_cli.c: tests of harness/cli.c: what the `kata` command refuses before it runs anything
 * (a bad seed, option or stage; an unknown kata; a missing learner file), the names it
 * forgives, and the wrapping of hints. */
#include "cli.h"
#include "util.h"

#include "support/scratch.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void setup(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
    unsetenv("SEED");
    unsetenv("KATA_ROOT");
}

TestSuite(cli, .init = setup, .fini = scratch_remove);

/* Runs `kata <args...>` in this process (getopt may permute the copies it is given). */
static int kata(const char *const *args)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = xstrdup("kata");
    for (int i = 0; args[i] && argc < 15; i++)
        argv[argc++] = xstrdup(args[i]);
    argv[argc] = NULL;
    char *copies[16];
    memcpy(copies, argv, sizeof argv);
    int rc = cli_main(argc, argv);
    for (int i = 0; i < argc; i++)
        free(copies[i]);
    return rc;
}
#define KATA(...) kata((const char *const[]){__VA_ARGS__, NULL})

static char *drain(FILE *f)
{
    fflush(stdout);
    fflush(stderr);
    static char buf[8192];
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    return buf;
}

/* Nothing on stdout (FORMAT=json stays JSON or nothing), and stderr says `why`. */
static void assert_refused(const char *why)
{
    cr_assert_str_eq(drain(cr_get_redirected_stdout()), "", "a refusal printed on stdout");
    const char *err = drain(cr_get_redirected_stderr());
    cr_assert(strstr(err, why), "stderr does not say \"%s\":\n%s", why, err);
}

Test(cli, a_seed_that_is_not_a_number_is_a_usage_error)
{
    cr_assert_eq(KATA("run", "race_counter", "--seed", "abc"), 2);
    assert_refused("--seed must be a number");
}

Test(cli, a_seed_from_the_environment_is_checked_too)
{
    setenv("SEED", "12abc", 1);
    cr_assert_eq(KATA("run", "race_counter", "--format", "json"), 2);
    assert_refused("SEED must be a number, e.g. SEED=146577 (not '12abc')");
}

Test(cli, parse_seed_takes_digits_only)
{
    unsigned long s = 7;
    cr_assert_eq(parse_seed("146577", "SEED", &s), 0);
    cr_assert_eq(s, 146577);
    cr_assert_eq(parse_seed("0", "SEED", &s), 0);
    cr_assert_eq(s, 0);
    static const char *const bad[] = {"",    "abc", "-1",   "1e5",
                                      " 12", "12 ", "0x10", "1234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(parse_seed(bad[i], "SEED", &s), -1, "took '%s'", bad[i]);
}

Test(cli, a_stage_the_kata_lacks_is_a_usage_error_with_no_verdict)
{
    cr_assert_eq(KATA("run", "race_counter", "--format", "json", "--stage", "tsn"), 2);
    assert_refused("kata 'race_counter' has no stage 'tsn'; did you mean tsan?");
}

Test(cli, a_stage_of_another_kata_is_refused_too)
{
    cr_assert_eq(KATA("run", "race_counter", "--stage", "perf"), 2);
    assert_refused("its stages: build, test, tsan, helgrind, drd");
}

Test(cli, an_unknown_option_or_a_missing_value_is_a_usage_error)
{
    cr_assert_eq(KATA("run", "race_counter", "--bogus"), 2);
    assert_refused("unknown option '--bogus'");
    cr_assert_eq(KATA("run", "race_counter", "--stage"), 2);
    assert_refused("--stage needs a value");
    cr_assert_eq(KATA("run", "race_counter", "--format", "xml"), 2);
    assert_refused("--format is text or json (not 'xml')");
    cr_assert_eq(KATA("selftest", "--runs", "0"), 2);
    assert_refused("--runs must be a whole number");
    cr_assert_eq(KATA("list", "extra"), 2);
    assert_refused("too many arguments: 'extra'");
    cr_assert_eq(KATA("frobnicate"), 2);
    assert_refused("unknown command 'frobnicate'");
}

Test(cli, a_typo_in_a_name_is_suggested_and_not_graded)
{
    cr_assert_eq(KATA("run", "race_countr"), 2);
    assert_refused("no kata named 'race_countr'; did you mean race_counter?");
}

Test(cli, a_number_or_another_spelling_names_the_kata)
{
    static const char *const ways[] = {"2", "02", "race-counter", "RaceCounter"};
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        cr_assert_eq(KATA("name", ways[i]), 0, "'%s'", ways[i]);
        cr_assert_str_eq(drain(cr_get_redirected_stdout()), "race_counter\n", "'%s'", ways[i]);
    }
}

/* A repository of one kata whose learner file is gone; the test works inside its folder. */
static void repo_without_the_file(void)
{
    scratch_make("cli");
    char *dir = xasprintf("%s/katas/gone", scratch_dir);
    cr_assert_eq(mkdir_p(dir), 0);
    char *meta = xasprintf("%s/kata.json", dir), *mk = xasprintf("%s/Makefile", scratch_dir);
    static const char json[] = "{\"order\": 1, \"stages\": [\"build\"]}";
    cr_assert_eq(write_file(meta, json, strlen(json)), 0);
    cr_assert_eq(write_file(mk, "all:\n", 5), 0);
    cr_assert_eq(chdir(dir), 0);
    free(mk);
    free(meta);
    free(dir);
}

Test(cli, a_deleted_learner_file_suggests_make_reset)
{
    repo_without_the_file();
    cr_assert_eq(KATA("run"), 2, "from the kata's folder, without a name");
    assert_refused("there is no katas/gone/gone.c to grade; `make reset NAME=gone` brings back "
                   "the starter");
}

Test(cli, progress_says_not_started_and_exits_1_for_a_kata_never_passed)
{
    repo_without_the_file();
    cr_assert_eq(KATA("progress", "1"), 1);
    cr_assert_str_eq(drain(cr_get_redirected_stdout()), "file missing\n");
}

Test(cli, hints_are_wrapped_to_the_width_given)
{
    char *w = wrap_text("Declare one mutex next to the counter and lock it around the increment.",
                        30, "  ");
    cr_assert_str_eq(w, "  Declare one mutex next to\n"
                        "  the counter and lock it\n"
                        "  around the increment.\n");
    free(w);
    w = wrap_text("a_single_word_longer_than_the_line_is_kept_whole", 20, "  ");
    cr_assert_str_eq(w, "  a_single_word_longer_than_the_line_is_kept_whole\n");
    free(w);
    w = wrap_text("two\nlines", 40, "> ");
    cr_assert_str_eq(w, "> two\n> lines\n");
    free(w);
}
