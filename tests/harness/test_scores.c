/* test_scores.c: tests of harness/scores.c: points per stage,
 * summary.json written and read back, merging the jobs' summaries, and the exit codes. */
#include "scores.h"
#include "grade.h"
#include "util.h"

#include "support/scratch.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(scores, .init = cr_redirect_stderr, .fini = scratch_remove);

/* Loads kata `name` whose kata.json is `json`, in a scratch root. */
static struct kata *kata_with(const char *name, const char *json)
{
    if (!scratch_dir[0]) {
        scratch_make("scores");
    }
    char *dir = xasprintf("%s/katas/%s", scratch_dir, name);
    char *meta = xasprintf("%s/kata.json", dir);
    cr_assert_eq(mkdir_p(dir), 0);
    cr_assert_eq(write_file(meta, json, strlen(json)), 0);
    cr_assert_eq(chdir(scratch_dir), 0);
    struct kata *k = kata_load(name);
    cr_assert_not_null(k, "kata_load(%s) failed", json);
    free(meta);
    free(dir);
    return k;
}

static const char FIVE[] = "{\"order\": 2, \"title\": \"five stages\", "
                           "\"stages\": [\"build\", \"test\", \"tsan\", \"helgrind\", \"drd\"]";

/* A finished run of k: stage i has status st[i]. */
static void fake_run(struct run *r, const struct kata *k, const enum status *st)
{
    memset(r, 0, sizeof *r);
    r->kata = k;
    r->src = k->starter;
    r->seed = 77;
    r->seconds = 3.5;
    r->status = ST_PASS;
    for (int i = 0; i < k->nstages; i++) {
        struct stage_result *s = &r->stages[r->nstages++];
        s->name = k->stages[i];
        s->status = st[i];
        s->seconds = 0.5;
        s->summary = xasprintf("%s said so", k->stages[i]);
        if (st[i] == ST_FAIL && r->status == ST_PASS)
            r->status = ST_FAIL;
        if (st[i] == ST_ERROR)
            r->status = ST_ERROR;
    }
}

Test(scores, a_stage_earns_its_points_only_when_it_passes)
{
    char *json = xasprintf("%s}", FIVE);
    struct kata *k = kata_with("five", json);
    const enum status st[] = {ST_PASS, ST_PASS, ST_FAIL, ST_SKIP, ST_PASS};
    struct run r;
    fake_run(&r, k, st);
    struct kata_score s;
    score_run(&s, &r);
    cr_assert_eq(s.points, 1 + 4 + 1);
    cr_assert_eq(s.possible, 9);
    cr_assert_eq(s.state, GRADE_FAIL);
    cr_assert(s.graded);
    cr_assert_str_eq(s.message, "tsan: tsan said so");
    cr_assert_eq(s.stages[2].points, 0);
    cr_assert_eq(s.stages[2].possible, 2);
    cr_assert_eq(s.stages[3].points, 0);
    cr_assert_eq(s.seed, 77);
    kata_score_release(&s);
    run_release(&r);
    kata_free(k);
    free(json);
}

Test(scores, a_kata_not_graded_scores_nothing_but_keeps_what_it_was_worth)
{
    char *json = xasprintf("%s}", FIVE);
    struct kata *k = kata_with("five", json);
    struct kata_score s;
    score_not_graded(&s, k, GRADE_NOT_ATTEMPTED, "not attempted: it is the starter",
                     "not attempted", 5);
    cr_assert_eq(s.points, 0);
    cr_assert_eq(s.possible, 9);
    cr_assert_eq(s.nstages, 5);
    cr_assert(!s.graded);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(s.stages[i].status, ST_SKIP);
    kata_score_release(&s);
    kata_free(k);
    free(json);
}

/* A summary of three katas: one passed, one failed, one not attempted. */
static void three(struct grade_summary *g)
{
    memset(g, 0, sizeof *g);
    g->seed = 1234;
    g->has_seed = 1;
    g->integrity_checked = 1;
    g->list = xstrdup(CHECKSUMS_LIST);
    memset(g->list_sha256, 'a', 64);
    g->katas = xcalloc(3, sizeof *g->katas);
    g->nkatas = 3;
    static const char *const names[] = {"alpha", "beta", "gamma"};
    static const enum grade_state states[] = {GRADE_PASS, GRADE_FAIL, GRADE_NOT_ATTEMPTED};
    for (int i = 0; i < 3; i++) {
        struct kata_score *s = &g->katas[i];
        s->kata = xstrdup(names[i]);
        s->title = xasprintf("the %s kata", names[i]);
        s->order = i + 1;
        s->state = states[i];
        s->graded = states[i] != GRADE_NOT_ATTEMPTED;
        s->seed = 1234;
        s->seconds = 1.25;
        s->message = states[i] == GRADE_PASS ? NULL : xstrdup("tsan: 1 data race \"report\"");
        static const char *const stages[] = {"build", "test", "perf"};
        for (int j = 0; j < 3; j++) {
            struct stage_score *st = &s->stages[s->nstages++];
            st->name = xstrdup(stages[j]);
            st->possible = j + 1;
            st->status = states[i] == GRADE_PASS   ? ST_PASS
                         : states[i] == GRADE_FAIL ? (j == 1 ? ST_FAIL : ST_PASS)
                                                   : ST_SKIP;
            st->points = st->status == ST_PASS ? st->possible : 0;
            s->points += st->points;
            s->possible += st->possible;
            st->summary = xasprintf("%s line", stages[j]);
            st->seconds = 0.25 * j;
            if (j == 2 && states[i] != GRADE_NOT_ATTEMPTED) {
                st->perf_measured = 1;
                st->learner = 0.5;
                st->reference = 0.25;
                st->ratio = 2;
                st->bound = 1.5;
            }
        }
    }
}

Test(scores, totals_states_and_exit_codes_follow_the_katas)
{
    struct grade_summary g;
    three(&g);
    struct grade_totals t = summary_totals(&g);
    cr_assert_eq(t.points, 6 + 4);
    cr_assert_eq(t.possible, 18);
    cr_assert_eq(t.attempted, 2);
    cr_assert_eq(t.passed, 1);
    cr_assert_eq(t.failed, 1);
    cr_assert_eq(t.not_attempted, 1);
    cr_assert_eq(summary_state(&g), GRADE_FAIL);
    cr_assert_eq(summary_exit_code(&g), 1);

    g.katas[1].state = GRADE_PASS;
    cr_assert_eq(summary_exit_code(&g), 0, "every attempted kata passed");
    g.katas[0].state = g.katas[1].state = GRADE_NOT_ATTEMPTED;
    cr_assert_eq(summary_state(&g), GRADE_NOT_ATTEMPTED);
    cr_assert_eq(summary_exit_code(&g), 0, "nothing attempted is no failure");
    g.tampered = xcalloc(1, sizeof *g.tampered);
    g.tampered[0] = (struct tampered){xstrdup("tests/x.c"), "changed"};
    g.ntampered = 1;
    cr_assert_eq(summary_state(&g), GRADE_ERROR);
    cr_assert_eq(summary_exit_code(&g), 3);
    summary_release(&g);
}

Test(scores, summary_json_reads_back_as_it_was_written)
{
    struct grade_summary g, back;
    three(&g);
    char *json = summary_to_json(&g);
    cJSON *o = cJSON_Parse(json);
    cr_assert_not_null(o, "not JSON: %s", json);
    cr_assert_eq(cJSON_GetObjectItem(o, "points")->valueint, 10);
    cr_assert_eq(cJSON_GetObjectItem(o, "possible")->valueint, 18);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "status")->valuestring, "fail");
    cJSON *beta = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "katas"), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(beta, "message")->valuestring,
                     "tsan: 1 data race \"report\"");
    cJSON *test = cJSON_GetArrayItem(cJSON_GetObjectItem(beta, "stages"), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(test, "status")->valuestring, "fail");
    cr_assert_eq(cJSON_GetObjectItem(test, "points")->valueint, 0);
    cr_assert_eq(cJSON_GetObjectItem(test, "possible")->valueint, 2);
    cJSON_Delete(o);

    cr_assert_eq(summary_from_json(json, "test", &back), 0);
    cr_assert_eq(back.nkatas, 3);
    cr_assert_eq(back.seed, 1234);
    cr_assert(back.has_seed);
    cr_assert(back.integrity_checked);
    cr_assert_str_eq(back.list_sha256, g.list_sha256);
    for (int i = 0; i < 3; i++) {
        const struct kata_score *a = &g.katas[i], *b = &back.katas[i];
        cr_assert_str_eq(a->kata, b->kata);
        cr_assert_eq(a->state, b->state);
        cr_assert_eq(a->graded, b->graded);
        cr_assert_eq(a->points, b->points);
        cr_assert_eq(a->possible, b->possible);
        cr_assert_eq(a->nstages, b->nstages);
        for (int j = 0; j < a->nstages; j++) {
            cr_assert_str_eq(a->stages[j].name, b->stages[j].name);
            cr_assert_eq(a->stages[j].status, b->stages[j].status);
            cr_assert_eq(a->stages[j].points, b->stages[j].points);
            cr_assert_eq(a->stages[j].perf_measured, b->stages[j].perf_measured);
        }
    }
    cr_assert_float_eq(back.katas[0].stages[2].ratio, 2.0, 1e-9);
    cr_assert_eq(summary_exit_code(&back), 1);
    free(json);
    summary_release(&g);
    summary_release(&back);
}

Test(scores, something_else_is_not_read_as_a_summary)
{
    struct grade_summary g;
    cr_assert_eq(summary_from_json("{\"version\": 3, \"status\": \"pass\"}", "x", &g), -1);
    cr_assert_eq(summary_from_json("[1, 2", "x", &g), -1);
    cr_assert_eq(summary_from_json("{\"version\": 1}", "x", &g), -1);
}

Test(scores, merging_the_jobs_summaries_keeps_one_row_per_kata_in_curriculum_order)
{
    struct grade_summary all = {0}, a, b;
    three(&a);
    three(&b);
    /* job b graded gamma after all, with another seed, and found a tampered file */
    b.seed = 99;
    b.katas[2].state = GRADE_PASS;
    b.katas[2].points = 6;
    b.katas[2].graded = 1;
    kata_score_release(&b.katas[0]);
    kata_score_release(&b.katas[1]);
    b.katas[0] = b.katas[2];
    b.nkatas = 1;
    b.tampered = xcalloc(1, sizeof *b.tampered);
    b.tampered[0] = (struct tampered){xstrdup("harness/grade.c"), "changed"};
    b.ntampered = 1;
    /* and a's rows arrive out of order */
    struct kata_score t = a.katas[0];
    a.katas[0] = a.katas[2];
    a.katas[2] = t;

    summary_merge(&all, &a);
    cr_assert_eq(all.nkatas, 3);
    cr_assert(all.has_seed);
    cr_assert_eq(all.seed, 1234);
    summary_merge(&all, &b);
    cr_assert_eq(all.nkatas, 3, "gamma is replaced, not added");
    cr_assert_str_eq(all.katas[0].kata, "alpha");
    cr_assert_str_eq(all.katas[1].kata, "beta");
    cr_assert_str_eq(all.katas[2].kata, "gamma");
    cr_assert_eq(all.katas[2].state, GRADE_PASS);
    cr_assert(!all.has_seed, "the jobs' seeds differ");
    cr_assert_eq(all.ntampered, 1);
    cr_assert_eq(summary_exit_code(&all), 3);
    cr_assert_eq(a.nkatas, 0);
    cr_assert_eq(b.nkatas, 0);
    summary_release(&a);
    summary_release(&b);
    summary_release(&all);
}

Test(scores, columns_put_the_usual_stages_first_in_their_order)
{
    struct grade_summary g;
    three(&g);
    struct stage_score *odd = &g.katas[0].stages[g.katas[0].nstages++];
    memset(odd, 0, sizeof *odd);
    odd->name = xstrdup("lint");
    const char *cols[8];
    int n = summary_columns(&g, cols, 8);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(cols[0], "build");
    cr_assert_str_eq(cols[1], "test");
    cr_assert_str_eq(cols[2], "perf");
    cr_assert_str_eq(cols[3], "lint");
    summary_release(&g);
}

Test(scores, the_scoreboard_shows_each_kata_its_points_and_the_seed)
{
    struct grade_summary g;
    three(&g);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    scoreboard_text(f, &g);
    fclose(f);
    cr_assert(strstr(buf, "alpha") && strstr(buf, "6 / 6"), "%s", buf);
    cr_assert(strstr(buf, "beta") && strstr(buf, "4 / 6"), "%s", buf);
    cr_assert(strstr(buf, "not attempted"), "%s", buf);
    cr_assert(strstr(buf, "FAIL"), "%s", buf);
    cr_assert(strstr(buf, "2.00x (0.50 s vs 0.25 s; bound 1.50x)"), "%s", buf);
    cr_assert(strstr(buf, "total 10 / 18 points: 1 of 2 attempted katas passed, 1 not attempted"),
              "%s", buf);
    cr_assert(strstr(buf, "replay with SEED=1234 make grade"), "%s", buf);
    free(buf);
    summary_release(&g);
}
