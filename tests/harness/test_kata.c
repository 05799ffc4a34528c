/* test_kata.c: tests of harness/kata.c on the real catalog (katas/race_counter, read from the
 * repository root, where the tests run) and on small catalogs written to a scratch folder
 * (the test then works inside it, as `kata` works inside the repository root). */
#include "kata.h"
#include "util.h"

#include "support/scratch.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void setup(void)
{
    cr_redirect_stderr(); /* the expected error messages */
}

/* A scratch root, if the test made one, is removed after the test, passed or not. */
TestSuite(kata, .init = setup, .fini = scratch_remove);

/* A scratch root with one katas/<name>/kata.json per {name, json} pair; the test continues
 * inside it. */
static void scratch_root(int n, const char *const (*name_json)[2])
{
    scratch_enter("kata");
    for (int i = 0; i < n; i++) {
        char *meta = xasprintf("katas/%s/kata.json", name_json[i][0]);
        put_file(meta, name_json[i][1]);
        free(meta);
    }
}

/* The metadata as cJSON reads it, to compare kata_load against the file itself. */
static cJSON *metadata(const char *name)
{
    char *path = xasprintf("katas/%s/kata.json", name);
    char *text = read_file(path, 1 << 20, NULL);
    cr_assert_not_null(text, "cannot read %s: run the tests from the repository root", path);
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j, "%s is not JSON", path);
    free(text);
    free(path);
    return j;
}

static void assert_strings(const cJSON *arr, char *const *v, int n, const char *what)
{
    cr_assert_eq(n, cJSON_GetArraySize(arr), "%s: %d entries, the file has %d", what, n,
                 cJSON_GetArraySize(arr));
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(v[i], cJSON_GetArrayItem(arr, i)->valuestring, "%s[%d]", what, i);
}

static const char *const MINIMAL = "{\"stages\": [\"build\", \"test\"]}";

Test(kata, loads_race_counter_as_its_metadata_says)
{
    struct kata *k = kata_load("race_counter");
    cr_assert_not_null(k);
    cJSON *j = metadata("race_counter");
    cr_assert_str_eq(k->name, "race_counter");
    cr_assert_str_eq(k->title, cJSON_GetObjectItem(j, "title")->valuestring);
    cr_assert_eq(k->order, cJSON_GetObjectItem(j, "order")->valueint);
    assert_strings(cJSON_GetObjectItem(j, "stages"), k->stages, k->nstages, "stages");
    assert_strings(cJSON_GetObjectItem(j, "detect_args"), k->detect_args, k->ndetect_args,
                   "detect_args");
    assert_strings(cJSON_GetObjectItem(j, "starter_fails"), k->starter_fails, k->nstarter_fails,
                   "starter_fails");
    assert_strings(cJSON_GetObjectItem(j, "hints"), k->hints, k->nhints, "hints");
    const cJSON *timeouts = cJSON_GetObjectItem(j, "timeouts");
    cr_assert_eq(k->test_timeout, cJSON_GetObjectItem(timeouts, "test")->valuedouble);
    cr_assert_eq(k->detect_timeout, cJSON_GetObjectItem(timeouts, "detect")->valuedouble);
    cJSON_Delete(j);

    /* what every race kata has */
    cr_assert_gt(k->nhints, 0);
    cr_assert_gt(k->ndetect_args, 0);
    cr_assert_str_eq(k->stages[0], "build");
    cr_assert(kata_has_stage(k, "tsan"));
    cr_assert(kata_has_stage(k, "helgrind"));
    cr_assert(kata_has_stage(k, "drd"));
    cr_assert_eq(kata_has_stage(k, "no-such-stage"), 0);
    kata_free(k);
}

Test(kata, works_out_every_path_of_a_kata_and_they_exist)
{
    struct kata *k = kata_load("race_counter");
    cr_assert_not_null(k);
    cr_assert_str_eq(k->dir, "katas/race_counter");
    cr_assert_str_eq(k->starter, "katas/race_counter/race_counter.c");
    cr_assert_str_eq(k->solution, "solutions/race_counter/race_counter.c");
    cr_assert_str_eq(k->tests, "tests/katas/race_counter/test_race_counter.c");
    cr_assert_str_eq(k->driver, "tests/katas/race_counter/driver.c");
    cr_assert_str_eq(k->mutants, "tests/katas/race_counter/mutants");
    const char *paths[] = {k->dir, k->starter, k->solution, k->tests, k->driver, k->mutants};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        cr_assert(file_exists(paths[i]), "%s does not exist", paths[i]);
    kata_free(k);
}

Test(kata, a_missing_kata_is_null)
{
    cr_assert_null(kata_load("no_such_kata"));
    cr_assert_eq(chdir("/"), 0);
    cr_assert_null(kata_load("race_counter"), "a kata from the folder the command runs in");
}

Test(kata, a_name_that_is_not_a_kata_name_is_null)
{
    const char *names[] = {"../etc",
                           "..",
                           "race_counter/../race_counter",
                           "/etc",
                           "",
                           "Race_Counter",
                           "race-counter",
                           "race counter",
                           "a_name_that_is_far_too_long_to_be_the_name_of_any_kata_at_all_xyz"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_assert_null(kata_load(names[i]), "\"%s\" was loaded", names[i]);
}

Test(kata, malformed_metadata_is_null)
{
    static const char *const cases[][2] = {
        {"bad_json", "{\"stages\": [\"build\",}"},
        {"no_stages", "{\"title\": \"x\"}"},
        {"empty_stages", "{\"stages\": []}"},
        {"stages_object", "{\"stages\": {\"build\": 1}}"},
        {"stage_number", "{\"stages\": [\"build\", 2]}"},
        {"hints_string", "{\"stages\": [\"build\"], \"hints\": \"one\"}"},
        {"too_many", "{\"stages\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
                     "\"11\",\"12\",\"13\"]}"},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    scratch_root(n, cases);
    for (int i = 0; i < n; i++)
        cr_assert_null(kata_load(cases[i][0]), "%s was loaded", cases[i][0]);
}

/* The error quotes the text where cJSON gave up: kata.json must still be readable then. */
Test(kata, a_json_error_quotes_the_text_near_it)
{
    static const char *const cases[][2] = {{"colon", "{\"stages\" [\"build\"]}"}};
    scratch_root(1, cases);
    cr_assert_null(kata_load("colon"));
    fflush(stderr);
    char buf[512] = "";
    FILE *err = cr_get_redirected_stderr();
    size_t got = fread(buf, 1, sizeof buf - 1, err);
    buf[got] = '\0';
    cr_assert(strstr(buf, "is not valid JSON"), "%s", buf);
    cr_assert(strstr(buf, "\"build\"]}"), "the message quotes something else: %s", buf);
}

Test(kata, fills_in_defaults_for_what_the_metadata_leaves_out)
{
    const char *const cases[][2] = {{"plain", MINIMAL}};
    scratch_root(1, cases);
    struct kata *k = kata_load("plain");
    cr_assert_not_null(k);
    cr_assert_str_eq(k->title, "plain", "the title defaults to the name");
    cr_assert_eq(k->order, 99);
    cr_assert_eq(k->test_timeout, 10);
    cr_assert_eq(k->detect_timeout, 60);
    cr_assert_eq(k->nstages, 2);
    cr_assert_eq(k->nhints, 0);
    cr_assert_eq(k->ndetect_args, 0);
    cr_assert_eq(k->nlibs, 0);
    kata_free(k);
    kata_free(NULL);
}

Test(kata, reads_the_python_program_and_its_workloads)
{
    const char *const cases[][2] = {
        {"both", "{\"stages\": [\"build\"], \"python\": {\"program\": \"python/both.py\", "
                 "\"args\": [\"8\", \"3000\"], \"line_args\": [\"8\", \"1000\"]}}"},
        {"args_only", "{\"stages\": [\"build\"], \"python\": {\"program\": \"p.py\", "
                      "\"args\": [\"2\", \"50\"]}}"},
        {"none", "{\"stages\": [\"build\"]}"},
        {"no_program", "{\"stages\": [\"build\"], \"python\": {\"args\": [\"1\"]}}"},
        {"outside", "{\"stages\": [\"build\"], \"python\": {\"program\": \"../x.py\"}}"},
    };
    scratch_root(5, cases);
    struct kata *k = kata_load("both");
    cr_assert_not_null(k);
    cr_assert_str_eq(k->python_program, "katas/both/python/both.py");
    cr_assert_eq(k->npython_args, 2);
    cr_assert_str_eq(k->python_args[1], "3000");
    cr_assert_eq(k->npython_line_args, 2);
    cr_assert_str_eq(k->python_line_args[1], "1000");
    kata_free(k);
    /* without line_args, the perf stage's one run uses the full workload */
    k = kata_load("args_only");
    cr_assert_not_null(k);
    cr_assert_eq(k->npython_line_args, 2);
    cr_assert_str_eq(k->python_line_args[0], "2");
    cr_assert_str_eq(k->python_line_args[1], "50");
    kata_free(k);
    k = kata_load("none");
    cr_assert_not_null(k);
    cr_assert_null(k->python_program);
    cr_assert_eq(k->npython_args + k->npython_line_args, 0);
    kata_free(k);
    cr_assert_null(kata_load("no_program"));
    cr_assert_null(kata_load("outside"));
}

Test(kata, loads_the_whole_catalog_in_curriculum_order)
{
    struct kata **v = NULL;
    int n = kata_load_all(&v);
    cr_assert_gt(n, 0);
    int seen = 0;
    for (int i = 0; i < n; i++) {
        seen += !strcmp(v[i]->name, "race_counter");
        if (i)
            cr_assert_leq(v[i - 1]->order, v[i]->order, "%s before %s", v[i - 1]->name, v[i]->name);
    }
    cr_assert_eq(seen, 1);
    kata_free_all(v, n);

    static const char *const cases[][2] = {
        {"third", "{\"order\": 3, \"stages\": [\"build\"]}"},
        {"first", "{\"order\": 1, \"stages\": [\"build\"]}"},
        {"second_b", "{\"order\": 2, \"stages\": [\"build\"]}"},
        {"second_a", "{\"order\": 2, \"stages\": [\"build\"]}"},
    };
    scratch_root(4, cases);
    put_file("katas/not_a_kata/README.md", "no kata.json here\n");
    n = kata_load_all(&v);
    cr_assert_eq(n, 4);
    const char *order[] = {"first", "second_a", "second_b", "third"};
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(v[i]->name, order[i]);
    kata_free_all(v, n);

    cr_assert_eq(chdir("/"), 0);
    cr_assert_eq(kata_load_all(&v), -1, "no katas/ folder here");
    cr_assert_null(v);
}

Test(kata, lists_the_race_counter_mutants_with_their_stages)
{
    struct kata *k = kata_load("race_counter");
    cr_assert_not_null(k);
    struct mutant *m = NULL;
    int n = kata_mutants(k, &m);

    /* one mutant per .patch file in the folder */
    DIR *d = opendir(k->mutants);
    cr_assert_not_null(d);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        files += ends_with(e->d_name, ".patch");
    closedir(d);
    cr_assert_eq(n, files);
    cr_assert_gt(n, 0);

    for (int i = 0; i < n; i++) {
        cr_assert(starts_with(m[i].path, "tests/katas/race_counter/mutants/"), "%s", m[i].path);
        cr_assert(file_exists(m[i].path));
        cr_assert(kata_has_stage(k, m[i].stage), "%s: rejected by \"%s\", not a stage", m[i].path,
                  m[i].stage);
        cr_assert_not_null(m[i].what);
        cr_assert_gt(strlen(m[i].what), 10, "%s: \"%s\"", m[i].path, m[i].what);
        if (i)
            cr_assert_lt(strcmp(m[i - 1].path, m[i].path), 0, "sorted by file name");
    }
    /* the known ones, by file */
    const char *known[][2] = {{"lock_per_thread.patch", "helgrind"},
                              {"missing_unlock.patch", "test"},
                              {"read_outside_lock.patch", "drd"},
                              {"volatile_counter.patch", "tsan"}};
    for (size_t j = 0; j < sizeof known / sizeof known[0]; j++) {
        int found = 0;
        for (int i = 0; i < n; i++)
            if (ends_with(m[i].path, known[j][0])) {
                found = 1;
                cr_assert_str_eq(m[i].stage, known[j][1], "%s", m[i].path);
            }
        cr_assert(found, "no mutant %s", known[j][0]);
    }
    mutants_free(m, n);
    kata_free(k);
}

Test(kata, a_mutant_is_the_reference_with_its_patch_applied)
{
    struct kata *k = kata_load("race_counter");
    cr_assert_not_null(k);
    struct mutant *m = NULL;
    int n = kata_mutants(k, &m);
    for (int i = 0; i < n; i++) {
        if (!ends_with(m[i].path, "/lock_per_thread.patch"))
            continue;
        char *src = mutant_source(k, &m[i]);
        cr_assert_not_null(src);
        cr_assert_str_eq(src, "build/mutants/race_counter/lock_per_thread.c");
        char *text = read_file(src, 1 << 20, NULL);
        cr_assert_not_null(text);
        cr_assert(strstr(text, "pthread_mutex_lock(&w->lock);"), "the patch's + line is in");
        cr_assert_null(strstr(text, "pthread_mutex_lock(&counter_lock);"), "its - line is out");
        free(text);
        free(src);
    }
    mutants_free(m, n);
    kata_free(k);
}

Test(kata, reads_a_mutants_header_and_rejects_one_without_a_stage)
{
    const char *const cases[][2] = {{"demo", MINIMAL}};
    scratch_root(1, cases);
    struct kata *k = kata_load("demo");
    cr_assert_not_null(k);
    struct mutant *m = NULL;
    cr_assert_eq(kata_mutants(k, &m), 0, "no mutants folder: no mutants");
    cr_assert_null(m);

    put_file("tests/katas/demo/mutants/b.patch",
             "mutant: the second one\nexpect: stage=test status=fail found\n"
             "expect: stage=explore status=fail\nexpect: stage=test text=\"x\"\n"
             "expect: stage=tsan status=fail\n\n"
             "--- a/x.c\n+++ b/x.c\n");
    put_file("tests/katas/demo/mutants/a.patch",
             "mutant: the first one\nexpect: stage=build status=fail\n\n"
             "--- a/x.c\n+++ b/x.c\n");
    put_file("tests/katas/demo/mutants/notes.txt", "not a mutant\n");
    put_file("tests/katas/demo/mutants/old.c",
             "/* mutant: a file, not a patch\n * expect: stage=test */\n");
    cr_assert_eq(kata_mutants(k, &m), 2, "patches only");
    cr_assert_str_eq(m[0].path, "tests/katas/demo/mutants/a.patch");
    cr_assert_str_eq(m[0].stage, "build");
    cr_assert_str_eq(m[0].what, "the first one");
    cr_assert_str_eq(m[0].expect[0], "stage=build status=fail");
    cr_assert_null(m[0].expect[1]);
    cr_assert_null(m[0].also[0], "one stage named: nothing else graded");
    cr_assert_str_eq(m[1].stage, "test");
    cr_assert_str_eq(m[1].what, "the second one");
    /* the other stages its lines name, each once, in their order */
    cr_assert_str_eq(m[1].also[0], "explore");
    cr_assert_str_eq(m[1].also[1], "tsan");
    cr_assert_null(m[1].also[2]);
    mutants_free(m, 2);

    /* a header line counts only before the diff begins */
    put_file("tests/katas/demo/mutants/c.patch", "mutant: no stage named\n\n--- a/x.c\n+++ b/x.c\n"
                                                 "+expect: stage=test\n");
    m = NULL;
    cr_assert_eq(kata_mutants(k, &m), -1);
    cr_assert_null(m);
    kata_free(k);
}

Test(kata, points_come_from_the_metadata_or_the_defaults)
{
    static const char *const cases[][2] = {
        {"plain", "{\"stages\": [\"build\", \"test\", \"tsan\", \"helgrind\", \"drd\"]}"},
        {"weighted", "{\"stages\": [\"build\", \"test\", \"perf\"], "
                     "\"points\": {\"test\": 10, \"perf\": 0}}"},
    };
    scratch_root(2, cases);
    struct kata *k = kata_load("plain");
    cr_assert_not_null(k);
    static const int plain[] = {1, 4, 2, 1, 1};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(k->points[i], plain[i], "%s: %d", k->stages[i], k->points[i]);
    kata_free(k);
    k = kata_load("weighted");
    cr_assert_not_null(k);
    cr_assert_eq(k->points[0], 1, "a stage the object leaves out keeps its default");
    cr_assert_eq(k->points[1], 10);
    cr_assert_eq(k->points[2], 0);
    kata_free(k);
    cr_assert_eq(default_points("asan"), 1);
    cr_assert_eq(default_points("perf"), 2);
    cr_assert_eq(default_points("something new"), 1);
}

Test(kata, malformed_points_make_the_metadata_malformed)
{
    static const char *const cases[][2] = {
        {"a_list", "{\"stages\": [\"build\", \"test\"], \"points\": [1, 4]}"},
        {"no_such_stage", "{\"stages\": [\"build\", \"test\"], \"points\": {\"perf\": 2}}"},
        {"negative", "{\"stages\": [\"build\", \"test\"], \"points\": {\"test\": -1}}"},
        {"fraction", "{\"stages\": [\"build\", \"test\"], \"points\": {\"test\": 2.5}}"},
        {"text", "{\"stages\": [\"build\", \"test\"], \"points\": {\"test\": \"4\"}}"},
        {"huge", "{\"stages\": [\"build\", \"test\"], \"points\": {\"test\": 100000}}"},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    scratch_root(n, cases);
    for (int i = 0; i < n; i++)
        cr_assert_null(kata_load(cases[i][0]), "%s was loaded", cases[i][0]);
}

/* The real catalog, and what a learner might type for its second kata. */
static int catalog(struct kata ***v)
{
    int n = kata_load_all(v);
    cr_assert_gt(n, 2);
    cr_assert_str_eq((*v)[1]->name, "race_counter", "race_counter is kata 2");
    return n;
}

Test(kata, a_name_written_another_way_or_a_number_is_taken)
{
    struct kata **v;
    int n = catalog(&v);
    static const char *const ways[] = {"race_counter",
                                       "race-counter",
                                       "RaceCounter",
                                       "Race Counter",
                                       "RACE_COUNTER",
                                       "raceCounter",
                                       "2",
                                       "02",
                                       "katas/race_counter/",
                                       "katas/race_counter/race_counter.c",
                                       "race_counter.c"};
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        int exact = -1, close = -2;
        cr_assert_eq(kata_match(v, n, ways[i], &exact, &close), 1, "'%s' was not taken", ways[i]);
        cr_assert_eq(exact, i == 0, "'%s'", ways[i]);
    }
    kata_free_all(v, n);
}

Test(kata, a_typo_is_suggested_but_not_taken)
{
    struct kata **v;
    int n = catalog(&v);
    static const char *const typos[] = {"race_countr",   "race_conuter", "rac_counter",
                                        "race_counters", "race-countr",  "race"};
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
        int close = -1;
        cr_assert_eq(kata_match(v, n, typos[i], NULL, &close), -1, "'%s' was taken", typos[i]);
        cr_assert_eq(close, 1, "'%s' suggested %d, not race_counter", typos[i], close);
    }
    int close = 5;
    cr_assert_eq(kata_match(v, n, "mutex", NULL, &close), -1);
    cr_assert_eq(close, -1, "nothing is close to 'mutex'");
    cr_assert_eq(kata_match(v, n, "99", NULL, &close), -1, "no kata 99");
    cr_assert_eq(kata_match(v, n, "", NULL, &close), -1);
    kata_free_all(v, n);
}

Test(kata, kata_find_says_which_kata_it_took_or_what_was_meant)
{
    struct kata *k = kata_find("RaceCounter");
    cr_assert_not_null(k);
    cr_assert_str_eq(k->name, "race_counter");
    kata_free(k);
    cr_assert_null(kata_find("race_countr"));
    fflush(stderr);
    char buf[1024] = "";
    size_t got = fread(buf, 1, sizeof buf - 1, cr_get_redirected_stderr());
    buf[got] = '\0';
    cr_assert(strstr(buf, "taking 'RaceCounter' as race_counter"), "%s", buf);
    cr_assert(strstr(buf, "did you mean race_counter?"), "%s", buf);
}
