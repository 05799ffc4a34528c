/* test_progress.c: tests of harness/progress.c on a scratch repository: a state tied to the
 * graded file, what is and is not recorded, reset, the current kata, and the hints. */
#include "checksums.h"
#include "kata.h"
#include "digest.h"
#include "progress.h"
#include "util.h"

#include "support/scratch.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(progress, .init = cr_redirect_stderr, .fini = scratch_remove);

static const char *const names[] = {"first", "second", "third"};

/* A repository of three katas, each starter recorded in scripts/starters.txt; the test works
 * inside it. Returns the catalog. */
static int repo(struct kata ***v)
{
    scratch_enter("progress");
    for (int i = 0; i < 3; i++) {
        char *meta = xasprintf("katas/%s/kata.json", names[i]);
        char *json = xasprintf("{\"order\": %d, \"stages\": [\"build\", \"test\"], "
                               "\"hints\": [\"one\", \"two\"]}",
                               i + 1);
        char *src = xasprintf("katas/%s/%s.c", names[i], names[i]);
        put_file(meta, json);
        put_file(src, "/* TODO */\n");
        free(src);
        free(json);
        free(meta);
    }
    cr_assert_eq(checksums_write(CHECKSUMS_LIST, STARTERS_LIST), 0);
    int n = kata_load_all(v);
    cr_assert_eq(n, 3);
    return n;
}

/* A finished run of k on `src` (NULL: the learner's own file) with `only` stage (or all),
 * passed or failed at test. */
static void graded(struct run *r, const struct kata *k, const char *src, const char *only,
                   int passed)
{
    memset(r, 0, sizeof *r);
    r->kata = k;
    r->src = src ? src : k->starter;
    r->src_real = real_path(r->src);
    r->only_stage = only;
    r->nstages = 2;
    r->stages[0].name = "build";
    r->stages[0].status = ST_PASS;
    r->stages[1].name = "test";
    r->stages[1].status = passed ? ST_PASS : ST_FAIL;
    r->status = passed ? ST_PASS : ST_FAIL;
}

static const char *words(const struct kata *k, char *buf, size_t n)
{
    struct progress p;
    progress_read(k, &p);
    return progress_words(&p, buf, n);
}

Test(progress, a_kata_never_graded_is_not_started)
{
    struct kata **v;
    int n = repo(&v);
    char buf[64];
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "not started");
    cr_assert_not(progress_passed(v[0]));
    kata_free_all(v, n);
}

Test(progress, a_pass_is_tied_to_the_file_it_graded)
{
    struct kata **v;
    int n = repo(&v);
    put_file(v[0]->starter, "int answer = 42;\n");
    struct run r;
    graded(&r, v[0], NULL, NULL, 1);
    cr_assert_eq(progress_record(&r, NULL), 1);
    char buf[64];
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "passed");
    cr_assert(progress_passed(v[0]));

    /* a later broken save keeps the pass, and says the file changed since */
    put_file(v[0]->starter, "int answer = ;\n");
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "passed, edited since");
    cr_assert(progress_passed(v[0]));
    free(r.src_real);
    /* graded, it fails, and the pass is still kept */
    graded(&r, v[0], NULL, NULL, 0);
    cr_assert_eq(progress_record(&r, NULL), 1);
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "passed, edited since: failing at test");
    cr_assert(progress_passed(v[0]));
    /* the passing version back: simply passed */
    put_file(v[0]->starter, "int answer = 42;\n");
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "passed");

    /* a deleted file too */
    cr_assert_eq(unlink(v[0]->starter), 0);
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "passed, file missing");
    free(r.src_real);
    kata_free_all(v, n);
}

Test(progress, the_digest_taken_before_grading_is_the_one_kept)
{
    struct kata **v;
    int n = repo(&v);
    put_file(v[1]->starter, "int graded;\n");
    char before[65];
    cr_assert_eq(sha256_file(v[1]->starter, before), 0);
    put_file(v[1]->starter, "int saved_during_the_grading;\n");
    struct run r;
    graded(&r, v[1], NULL, NULL, 0);
    cr_assert_eq(progress_record(&r, before), 1);
    char buf[64];
    cr_assert_str_eq(words(v[1], buf, sizeof buf), "failing at test, edited since");
    free(r.src_real);
    kata_free_all(v, n);
}

Test(progress, a_run_of_one_stage_or_of_another_file_records_nothing)
{
    struct kata **v;
    int n = repo(&v);
    put_file(v[0]->starter, "int mine;\n");
    struct run r;
    graded(&r, v[0], NULL, "test", 1);
    cr_assert_eq(progress_record(&r, NULL), 0, "STAGE=test recorded a pass");
    free(r.src_real);
    put_file("elsewhere.c", "int theirs;\n");
    graded(&r, v[0], "elsewhere.c", NULL, 1);
    cr_assert_eq(progress_record(&r, NULL), 0, "SRC= recorded a pass");
    free(r.src_real);
    graded(&r, v[0], NULL, NULL, 1);
    r.status = ST_ERROR;
    cr_assert_eq(progress_record(&r, NULL), 0, "a harness error recorded a verdict");
    free(r.src_real);
    char buf[64];
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "not started");
    kata_free_all(v, n);
}

Test(progress, an_untouched_starter_is_not_started_whatever_was_recorded)
{
    struct kata **v;
    int n = repo(&v);
    /* graded as shipped (watch does so): nothing is recorded */
    struct run r;
    graded(&r, v[0], NULL, NULL, 0);
    cr_assert_eq(progress_record(&r, NULL), 0);
    char buf[64];
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "not started");
    free(r.src_real);
    /* passed, then the starter put back by hand */
    put_file(v[0]->starter, "int solved;\n");
    graded(&r, v[0], NULL, NULL, 1);
    cr_assert_eq(progress_record(&r, NULL), 1);
    put_file(v[0]->starter, "/* TODO */\n");
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "not started");
    free(r.src_real);
    kata_free_all(v, n);
}

Test(progress, forgetting_a_kata_starts_it_afresh)
{
    struct kata **v;
    int n = repo(&v);
    put_file(v[2]->starter, "int solved;\n");
    struct run r;
    graded(&r, v[2], NULL, NULL, 1);
    cr_assert_eq(progress_record(&r, NULL), 1);
    cr_assert_eq(progress_forget(v[2]->name), 0);
    char buf[64];
    cr_assert_str_eq(words(v[2], buf, sizeof buf), "not started");
    cr_assert_eq(progress_forget(v[2]->name), 0, "nothing to forget is no error");
    free(r.src_real);
    kata_free_all(v, n);
}

Test(progress, a_state_without_a_digest_counts_as_not_started)
{
    struct kata **v;
    int n = repo(&v);
    put_file(v[0]->starter, "int solved;\n");
    put_file("build/state/first", "passed\n"); /* as an older harness wrote it */
    char buf[64];
    cr_assert_str_eq(words(v[0], buf, sizeof buf), "not started");
    kata_free_all(v, n);
}

/* Records a pass or a failure of kata v[i] on a file of its own. */
static void record(struct kata **v, int i, int passed)
{
    char *text = xasprintf("int version_%d;\n", i);
    put_file(v[i]->starter, text);
    free(text);
    struct run r;
    graded(&r, v[i], NULL, NULL, passed);
    cr_assert_eq(progress_record(&r, NULL), 1);
    free(r.src_real);
}

Test(progress, the_current_kata_is_the_first_not_passed)
{
    struct kata **v;
    int n = repo(&v);
    cr_assert_eq(progress_next(v, n, -1), 0);
    record(v, 0, 1);
    record(v, 1, 0);
    cr_assert_eq(progress_next(v, n, -1), 1);
    cr_assert_eq(progress_next(v, n, 1), 2, "after the current one");
    record(v, 2, 1);
    cr_assert_eq(progress_next(v, n, 2), 1, "wraps around to one not passed");
    record(v, 1, 1);
    cr_assert_eq(progress_next(v, n, -1), -1, "every kata has passed");
    kata_free_all(v, n);
}

Test(progress, hints_come_one_at_a_time_and_start_over)
{
    struct kata **v;
    int n = repo(&v);
    int again = -1;
    cr_assert_eq(progress_take_hint(v[0], &again), 0);
    cr_assert_eq(again, 0);
    cr_assert_eq(progress_take_hint(v[0], &again), 1);
    cr_assert_eq(progress_take_hint(v[0], &again), 0);
    cr_assert_eq(again, 1, "the last one was seen: they start over");
    cr_assert_eq(progress_take_hint(v[1], &again), 0, "each kata has its own");
    kata_free_all(v, n);
}
