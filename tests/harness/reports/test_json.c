/* test_json.c: tests of harness/reports/json.c against Exercism's test-runner interface,
 * version 3 (exercism/docs: building/tooling/test-runners/interface.md), field by field. */
#include "reports/report.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char kata_name[] = "race_counter", kata_title[] = "lost updates";
static struct kata kata = {.name = kata_name, .title = kata_title};

/* A run with the named stages, each with a status and a line; the caller fills in more. */
static void make_run(struct run *r, int n, const char *const *names, const enum status *st)
{
    memset(r, 0, sizeof *r);
    r->kata = &kata;
    r->src = "katas/race_counter/race_counter.c";
    r->seed = 42;
    r->status = ST_PASS;
    for (int i = 0; i < n; i++) {
        struct stage_result *s = &r->stages[r->nstages++];
        s->name = names[i];
        s->status = st[i];
        s->summary = xasprintf("%s said so", names[i]);
        if (st[i] == ST_FAIL && r->status == ST_PASS)
            r->status = ST_FAIL;
        if (st[i] == ST_ERROR)
            r->status = ST_ERROR;
    }
}

static void free_run(struct run *r)
{
    for (int i = 0; i < r->nstages; i++) {
        struct stage_result *s = &r->stages[i];
        free(s->summary);
        free(s->details);
        for (int k = 0; k < s->ntests; k++) {
            free(s->tests[k].name);
            free(s->tests[k].message);
            free(s->tests[k].output);
        }
        free(s->tests);
    }
}

static void add_test(struct stage_result *s, const char *name, enum status st, const char *msg,
                     const char *output)
{
    s->tests = xrealloc(s->tests, sizeof *s->tests * (size_t)(s->ntests + 1));
    struct test_case *t = &s->tests[s->ntests++];
    t->name = xstrdup(name);
    t->status = st;
    t->message = msg ? xstrdup(msg) : NULL;
    t->output = output ? xstrdup(output) : NULL;
}

static cJSON *as_json(const struct run *r)
{
    char *text = report_json(r);
    cJSON *o = cJSON_Parse(text);
    cr_assert(o, "not JSON: %s", text);
    free(text);
    return o;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsString(v), "\"%s\" is not a string", key);
    return v->valuestring;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* What the interface asks of every results file, whatever its verdict. */
static void assert_interface(const cJSON *o)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(o, "version");
    cr_assert(cJSON_IsNumber(version) && version->valueint == 3, "version is 3");
    const char *status = str(o, "status");
    cr_assert(!strcmp(status, "pass") || !strcmp(status, "fail") || !strcmp(status, "error"),
              "top-level status %s", status);
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(o, "message");
    if (!strcmp(status, "error"))
        cr_assert(cJSON_IsString(message) && message->valuestring[0], "an error has a message");
    else
        cr_assert(!message || cJSON_IsNull(message), "a message only when status is error");
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(o, "tests");
    cr_assert(cJSON_IsArray(tests), "tests is an array");
    const cJSON *t;
    cJSON_ArrayForEach(t, tests)
    {
        cr_assert(str(t, "name")[0], "a test has a name");
        const char *ts = str(t, "status");
        cr_assert(!strcmp(ts, "pass") || !strcmp(ts, "fail") || !strcmp(ts, "error"),
                  "test %s has status %s", str(t, "name"), ts);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(t, "message");
        cr_assert(!m || cJSON_IsString(m) || cJSON_IsNull(m));
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(t, "output");
        if (out) {
            cr_assert(cJSON_IsString(out));
            cr_assert_leq(utf8_chars(out->valuestring), 500, "output of %s", str(t, "name"));
        }
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(t, "test_code");
        cr_assert(!code || cJSON_IsString(code));
    }
}

Test(report_json, a_compile_error_is_an_error_with_the_compilers_output_as_message)
{
    static const char *const names[] = {"build", "test", "tsan"};
    static const enum status st[] = {ST_FAIL, ST_SKIP, ST_SKIP};
    struct run r;
    make_run(&r, 3, names, st);
    r.stages[0].details = xstrdup("race_counter.c:12:5: error: expected ';' before '}' token");
    cJSON *o = as_json(&r);
    assert_interface(o);
    cr_assert_str_eq(str(o, "status"), "error");
    cr_assert(strstr(str(o, "message"), "race_counter.c:12:5: error: expected ';'"), "%s",
              str(o, "message"));
    /* the stages that did not run are left out: the interface has no "skip" */
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(o, "tests");
    cr_assert_eq(cJSON_GetArraySize(tests), 1);
    cr_assert_str_eq(str(cJSON_GetArrayItem(tests, 0), "name"), "build");
    cr_assert_str_eq(str(cJSON_GetArrayItem(tests, 0), "status"), "fail");
    cJSON_Delete(o);
    free_run(&r);
}

Test(report_json, lists_each_criterion_test_by_name_then_the_stages)
{
    static const char *const names[] = {"build", "test", "tsan", "helgrind"};
    static const enum status st[] = {ST_PASS, ST_FAIL, ST_PASS, ST_SKIP};
    struct run r;
    make_run(&r, 4, names, st);
    add_test(&r.stages[1], "race_counter/counts_every_increment", ST_PASS, NULL, NULL);
    add_test(&r.stages[1], "race_counter/many_threads", ST_FAIL,
             "race_counter/many_threads: expected 4000, got 3998 (test_race_counter.c:40)\n", NULL);
    add_test(&r.stages[1], "race_counter/no_hang", ST_ERROR, "did not finish within 5 s", NULL);
    cJSON *o = as_json(&r);
    assert_interface(o);
    cr_assert_str_eq(str(o, "status"), "fail");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(o, "message"));
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(o, "tests");
    static const char *const want[][2] = {
        {"build", "pass"},
        {"race_counter/counts_every_increment", "pass"},
        {"race_counter/many_threads", "fail"},
        {"race_counter/no_hang", "error"},
        {"test", "fail"},
        {"tsan", "pass"},
    };
    cr_assert_eq(cJSON_GetArraySize(tests), 6);
    for (int i = 0; i < 6; i++) {
        const cJSON *t = cJSON_GetArrayItem(tests, i);
        cr_assert_str_eq(str(t, "name"), want[i][0]);
        cr_assert_str_eq(str(t, "status"), want[i][1]);
    }
    cr_assert_str_eq(str(cJSON_GetArrayItem(tests, 2), "message"),
                     "race_counter/many_threads: expected 4000, got 3998 (test_race_counter.c:40)");
    cr_assert_str_eq(str(cJSON_GetArrayItem(tests, 5), "message"), "tsan said so");
    cJSON_Delete(o);
    free_run(&r);
}

Test(report_json, output_is_what_the_test_printed_cut_at_500_characters_with_the_note)
{
    static const char *const names[] = {"build", "test"};
    static const enum status st[] = {ST_PASS, ST_PASS};
    struct run r;
    make_run(&r, 2, names, st);
    char big[2001];
    memset(big, 'x', 2000);
    big[2000] = '\0';
    add_test(&r.stages[1], "s/short", ST_PASS, NULL, "hello from the learner\n");
    add_test(&r.stages[1], "s/long", ST_PASS, NULL, big);
    add_test(&r.stages[1], "s/silent", ST_PASS, NULL, NULL);
    r.stages[1].details = xstrdup("details of the harness, not the learner's output");
    cJSON *o = as_json(&r);
    assert_interface(o);
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(o, "tests");
    cr_assert_str_eq(str(cJSON_GetArrayItem(tests, 1), "output"), "hello from the learner\n");
    const char *cut = str(cJSON_GetArrayItem(tests, 2), "output");
    cr_assert_eq(utf8_chars(cut), 500);
    cr_assert(ends_with(cut, "\nOutput was truncated. Please limit to 500 chars"), "%s", cut);
    cr_assert(starts_with(cut, "xxxxxxxx"));
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(tests, 3), "output"));
    /* a stage entry has no output: what the harness says goes in its message */
    const cJSON *stage = cJSON_GetArrayItem(tests, 4);
    cr_assert_str_eq(str(stage, "name"), "test");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(stage, "output"));
    cr_assert(strstr(str(stage, "message"), "details of the harness"));
    cJSON_Delete(o);
    free_run(&r);
}

Test(report_json, invalid_utf8_from_tools_becomes_the_replacement_character)
{
    static const char *const names[] = {"build", "test"};
    static const enum status st[] = {ST_PASS, ST_FAIL};
    struct run r;
    make_run(&r, 2, names, st);
    free(r.stages[1].summary);
    r.stages[1].summary = xstrdup("bad \xff byte, cut \xc3");
    add_test(&r.stages[1], "s/\xc0\xafname", ST_FAIL, "caf\xc3\xa9 \xed\xa0\x80", "out \xfe");
    cJSON *o = as_json(&r);
    assert_interface(o);
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(o, "tests");
    const cJSON *t = cJSON_GetArrayItem(tests, 1);
    cr_assert_str_eq(str(t, "name"), "s/\xef\xbf\xbd\xef\xbf\xbdname");
    cr_assert_str_eq(str(t, "message"), "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    cr_assert_str_eq(str(t, "output"), "out \xef\xbf\xbd");
    cr_assert_str_eq(str(cJSON_GetArrayItem(tests, 2), "message"),
                     "bad \xef\xbf\xbd byte, cut \xef\xbf\xbd");
    cJSON_Delete(o);
    free_run(&r);
}

Test(report_json, a_harness_failure_is_an_error_that_names_the_stage)
{
    static const char *const names[] = {"build", "test", "tsan"};
    static const enum status st[] = {ST_PASS, ST_PASS, ST_ERROR};
    struct run r;
    make_run(&r, 3, names, st);
    cJSON *o = as_json(&r);
    assert_interface(o);
    cr_assert_str_eq(str(o, "status"), "error");
    cr_assert(strstr(str(o, "message"), "tsan: tsan said so"), "%s", str(o, "message"));
    cJSON_Delete(o);
    free_run(&r);
}

Test(report_json, a_pass_has_no_message_and_keeps_the_kata_and_seed_beside)
{
    static const char *const names[] = {"build", "test"};
    static const enum status st[] = {ST_PASS, ST_PASS};
    struct run r;
    make_run(&r, 2, names, st);
    cJSON *o = as_json(&r);
    assert_interface(o);
    cr_assert_str_eq(str(o, "status"), "pass");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(o, "message"));
    cr_assert_str_eq(str(o, "kata"), "race_counter");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(o, "seed")->valueint, 42);
    cJSON_Delete(o);
    free_run(&r);
}
