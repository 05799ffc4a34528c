/* test_grade_all.c: tests of harness/grade_all.c on a scratch class repository: nothing
 * attempted, a tampered test, a refused file, a missing checksum list, and the merge of the
 * jobs' summaries. (Grading an attempted kata stage by stage is the self-test's business.) */
#include "checksums.h"
#include "digest.h"
#include "grade_all.h"
#include "util.h"

#include "support/scratch.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void setup(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

TestSuite(grade_all, .init = setup, .fini = scratch_remove);

/* A class repository with katas one and two, as shipped, its lists recorded; the test runs
 * inside it (each Criterion test is a process of its own). */
static void class_repo(void)
{
    scratch_enter("grade-all");
    /* compilers and learner code run as a user of their own under root (spawn.h) */
    cr_assert_eq(chmod(".", 0755), 0);
    put_file("katas/one/kata.json", "{\"order\": 1, \"title\": \"one\", \"stages\": [\"build\", "
                                    "\"test\"], \"points\": {\"test\": 3}}");
    put_file("katas/one/one.h", "int one(void);\n");
    put_file("katas/one/one.c", "#include \"one.h\"\n/* TODO */\nint one(void) { return 0; }\n");
    put_file("katas/two/kata.json", "{\"order\": 2, \"title\": \"two\", \"stages\": [\"build\", "
                                    "\"test\", \"tsan\"]}");
    put_file("katas/two/two.h", "int two(void);\n");
    put_file("katas/two/two.c", "#include \"two.h\"\n/* TODO */\nint two(void) { return 0; }\n");
    put_file("tests/katas/one/test_one.c", "/* tests */\n");
    put_file("harness/grade.c", "/* grader */\n");
    cr_assert_eq(checksums_write(CHECKSUMS_LIST, STARTERS_LIST), 0);
}

static int grade(const char *katas)
{
    struct grade_options o = {.katas = katas, .seed = 31337};
    return grade_all(&o);
}

static cJSON *json_file(const char *path)
{
    char *text = read_file(path, 1 << 20, NULL);
    cr_assert_not_null(text, "no %s", path);
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j, "%s is not JSON: %s", path, text);
    free(text);
    return j;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static int num(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItem(o, key)->valueint;
}

Test(grade_all, nothing_attempted_exits_0_and_still_writes_every_report)
{
    class_repo();
    cr_assert_eq(grade(NULL), 0);
    cJSON *s = json_file("build/reports/summary.json");
    cr_assert_str_eq(str(s, "status"), "not attempted");
    cr_assert_eq(num(s, "points"), 0);
    cr_assert_eq(num(s, "possible"), 1 + 3 + 1 + 4 + 2);
    cr_assert_eq(num(s, "seed"), 31337);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "integrity"), "ok")));
    cJSON_Delete(s);
    cJSON *one = json_file("build/reports/one.json");
    /* the kata report agrees with summary.json: no test ran, and "attempted" says why */
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(one, "attempted")));
    cr_assert_str_eq(str(one, "status"), "error");
    cr_assert(strstr(str(one, "message"), "not attempted"), "%s", str(one, "message"));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(one, "tests")), 0);
    cJSON_Delete(one);
    cr_assert(file_exists("build/reports/two.json"));
    cr_assert(file_exists("build/reports/junit.xml"));
}

Test(grade_all, a_tampered_test_makes_every_verdict_an_error_that_names_it)
{
    class_repo();
    put_file("katas/one/one.c", "#include \"one.h\"\nint one(void) { return 1; }\n");
    put_file("tests/katas/one/test_one.c", "/* tests that always pass */\n");
    cr_assert_eq(grade(NULL), 3);
    cJSON *s = json_file("build/reports/summary.json");
    cr_assert_str_eq(str(s, "status"), "error");
    cJSON *t =
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "integrity"), "tampered"), 0);
    cr_assert_str_eq(str(t, "path"), "tests/katas/one/test_one.c");
    cr_assert_str_eq(str(t, "what"), "changed");
    cJSON *one = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "katas"), 0);
    cr_assert_str_eq(str(one, "status"), "error");
    cr_assert(strstr(str(one, "message"), "tests/katas/one/test_one.c (changed)"), "%s",
              str(one, "message"));
    cr_assert_eq(num(one, "points"), 0);
    cJSON_Delete(s);
    cJSON *k = json_file("build/reports/one.json");
    cr_assert_str_eq(str(k, "status"), "error");
    cJSON_Delete(k);
    char *xml = read_file("build/reports/junit.xml", 1 << 20, NULL);
    cr_assert(strstr(xml, "type=\"integrity\""), "%s", xml);
    free(xml);
}

Test(grade_all, a_missing_checksum_list_is_an_error_too)
{
    class_repo();
    cr_assert_eq(unlink(CHECKSUMS_LIST), 0);
    cr_assert_eq(grade("one"), 3);
    cJSON *s = json_file("build/reports/summary.json");
    cJSON *t =
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "integrity"), "tampered"), 0);
    cr_assert_str_eq(str(t, "path"), CHECKSUMS_LIST);
    cr_assert_str_eq(str(t, "what"), "missing");
    cJSON_Delete(s);
}

Test(grade_all, no_verify_skips_the_check_and_says_so)
{
    class_repo();
    put_file("harness/grade.c", "/* changed */\n");
    struct grade_options o = {.seed = 1, .no_verify = 1};
    cr_assert_eq(grade_all(&o), 0);
    cJSON *s = json_file("build/reports/summary.json");
    cJSON *in = cJSON_GetObjectItem(s, "integrity");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(in, "checked")));
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(in, "ok")));
    cJSON_Delete(s);
}

Test(grade_all, a_file_that_brings_its_own_main_is_refused_at_the_build_stage)
{
    class_repo();
    put_file("katas/two/two.c", "#include \"two.h\"\nint two(void) { return 2; }\n"
                                "int main(void) { return 0; }\n");
    cr_assert_eq(grade(NULL), 1, "a refusal is a failed kata");
    cJSON *k = json_file("build/reports/two.json");
    /* no test ran: an "error" in the interface's terms, the refusal its message */
    cr_assert_str_eq(str(k, "status"), "error");
    cr_assert(starts_with(str(k, "message"), "refused: your file defines `main`"), "%s",
              str(k, "message"));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(k, "attempted")));
    cJSON *build = cJSON_GetArrayItem(cJSON_GetObjectItem(k, "tests"), 0);
    cr_assert_str_eq(str(build, "name"), "build");
    cr_assert_str_eq(str(build, "status"), "fail");
    cr_assert(starts_with(str(build, "message"), "refused: your file defines `main`"), "%s",
              str(build, "message"));
    cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(build, "findings"), 0);
    cr_assert_eq(num(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "accesses"), 0), "line"), 3);
    /* the stages that did not run are left out: the interface has no "skip" */
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(k, "tests")), 1);
    cr_assert_eq(num(k, "points"), 0);
    cr_assert_eq(num(k, "possible"), 7);
    cJSON_Delete(k);
    cJSON *s = json_file("build/reports/summary.json");
    cr_assert_str_eq(str(s, "status"), "fail");
    cJSON_Delete(s);
}

Test(grade_all, an_unknown_kata_is_a_usage_error)
{
    class_repo();
    cr_assert_eq(grade("one nosuchkata"), 2);
}

Test(grade_all, stale_reports_of_an_earlier_grading_are_removed)
{
    class_repo();
    cr_assert_eq(grade(NULL), 0);
    cr_assert(file_exists("build/reports/two.json"));
    cr_assert_eq(grade("one"), 0);
    cr_assert(file_exists("build/reports/one.json"));
    cr_assert(!file_exists("build/reports/two.json"), "two.json was not graded this time");
}

Test(grade_all, the_scoreboard_merges_one_summary_per_job)
{
    class_repo();
    put_file("katas/two/two.c", "#include \"two.h\"\nint main(void) { return 0; }\n");
    struct grade_options o = {.katas = "one", .seed = 5, .out = "jobs/reports-one"};
    cr_assert_eq(grade_all(&o), 0);
    o.katas = "two";
    o.out = "jobs/reports-two";
    cr_assert_eq(grade_all(&o), 1);
    const char *paths[] = {"jobs"};
    cr_assert_eq(scoreboard_merge(paths, 1, "merged"), 1);
    cJSON *s = json_file("merged/summary.json");
    cJSON *katas = cJSON_GetObjectItem(s, "katas");
    cr_assert_eq(cJSON_GetArraySize(katas), 2);
    cr_assert_str_eq(str(cJSON_GetArrayItem(katas, 0), "name"), "one");
    cr_assert_str_eq(str(cJSON_GetArrayItem(katas, 0), "status"), "not attempted");
    cr_assert_str_eq(str(cJSON_GetArrayItem(katas, 1), "status"), "fail");
    cr_assert_eq(num(s, "seed"), 5);
    cJSON_Delete(s);
    cr_assert(file_exists("merged/junit.xml"));

    const char *none[] = {"no-such-folder"};
    cr_assert_eq(scoreboard_merge(none, 1, "merged"), 3);
    cr_assert_eq(mkdir_p("empty"), 0);
    const char *empty[] = {"empty"};
    cr_assert_eq(scoreboard_merge(empty, 1, "merged"), 3);
}

/* Records, as a pass of kata one would, that one.c (as it is now) passed against the list. */
static void record_pass_of_one(const char *dir)
{
    char file[65], list[65];
    cr_assert_eq(sha256_file("katas/one/one.c", file), 0);
    cr_assert_eq(sha256_file(CHECKSUMS_LIST, list), 0);
    char *key = xasprintf("%s  %s\n", file, list);
    char *path = xasprintf("%s/one.key", dir);
    put_file(path, key);
    free(path);
    free(key);
    path = xasprintf("%s/one.summary.json", dir);
    put_file(path,
             "{\"version\": 1, \"status\": \"pass\", \"points\": 4, \"possible\": 4, \"seed\": 7,"
             " \"integrity\": {\"checked\": true, \"ok\": true, \"tampered\": []},"
             " \"katas\": [{\"name\": \"one\", \"title\": \"one\", \"source\": "
             "\"katas/one/one.c\", \"order\": 1, \"status\": \"pass\", \"graded\": true,"
             " \"message\": null, \"points\": 4, \"possible\": 4, \"duration\": 1, \"seed\": 7,"
             " \"stages\": [{\"name\": \"build\", \"status\": \"pass\", \"points\": 1,"
             " \"possible\": 1, \"duration\": 0.5, \"message\": \"compiles\"},"
             " {\"name\": \"test\", \"status\": \"pass\", \"points\": 3, \"possible\": 3,"
             " \"duration\": 0.5, \"message\": \"its one test passed\", \"tests\": [{\"name\":"
             " \"one/returns_one\", \"status\": \"pass\", \"duration\": 0.5}]}]}]}");
    free(path);
    path = xasprintf("%s/one.json", dir);
    put_file(path, "{\"version\": 3, \"status\": \"pass\", \"kata\": \"one\"}");
    free(path);
}

Test(grade_all, a_file_unchanged_since_it_passed_is_not_graded_again)
{
    class_repo();
    put_file("katas/one/one.c", "#include \"one.h\"\nint one(void) { return 1; }\n");
    record_pass_of_one("passed");
    struct grade_options o = {.katas = "one two", .seed = 9, .passed = "passed"};
    cr_assert_eq(grade_all(&o), 0);
    cJSON *s = json_file("build/reports/summary.json");
    cr_assert_str_eq(str(s, "status"), "pass");
    cJSON *one = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "katas"), 0);
    cr_assert_str_eq(str(one, "status"), "pass");
    cr_assert_eq(num(one, "points"), 4);
    cr_assert_eq(num(one, "seed"), 7, "the score is the earlier pass's");
    cJSON_Delete(s);
    char *report = read_file("build/reports/one.json", 1 << 20, NULL);
    cr_assert_str_eq(report, "{\"version\": 3, \"status\": \"pass\", \"kata\": \"one\"}");
    free(report);
    char *xml = read_file("build/reports/junit.xml", 1 << 20, NULL);
    cr_assert(strstr(xml, "name=\"one/returns_one\""), "%s", xml);
    free(xml);
}

Test(grade_all, a_pass_against_another_checksum_list_is_not_reused)
{
    class_repo();
    put_file("katas/one/one.c", "#include \"one.h\"\nint one(void) { return 1; }\n");
    record_pass_of_one("passed");
    /* the upstream changed a test since: the list is new, the pass no longer counts */
    put_file("tests/katas/one/test_one.c", "/* stricter tests */\n");
    cr_assert_eq(checksums_write(CHECKSUMS_LIST, STARTERS_LIST), 0);
    struct grade_options o = {.katas = "one", .seed = 9, .passed = "passed"};
    grade_all(&o);
    cJSON *s = json_file("build/reports/summary.json");
    cJSON *one = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "katas"), 0);
    cr_assert_eq(num(one, "seed"), 9, "graded again, not the earlier pass");
    cr_assert_str_neq(str(one, "status"), "pass");
    cJSON_Delete(s);
}

Test(grade_all, inside_github_actions_commands_are_off_while_katas_are_graded)
{
    class_repo();
    put_file("katas/one/one.c", "#include \"one.h\"\nint one(void) { return 1; }\n");
    record_pass_of_one("passed");
    setenv("GITHUB_ACTIONS", "true", 1);
    setenv("GITHUB_STEP_SUMMARY", "summary.md", 1);
    struct grade_options o = {.katas = "one", .seed = 9, .passed = "passed"};
    cr_assert_not_null(freopen("out.txt", "w", stdout));
    cr_assert_eq(grade_all(&o), 0);
    fflush(stdout);
    char *text = read_file("out.txt", 1 << 20, NULL);
    cr_assert_not_null(text);
    const char *off = strstr(text, "::stop-commands::");
    cr_assert_not_null(off, "%s", text);
    char token[65];
    cr_assert_eq(sscanf(off, "::stop-commands::%64[0-9a-f]", token), 1);
    cr_assert_eq(strlen(token), 64);
    char *on = xasprintf("::%s::\n", token);
    const char *resumed = strstr(off, on);
    cr_assert_not_null(resumed, "commands are never turned back on:\n%s", text);
    cr_assert(strstr(off, "one: passed") && strstr(off, "one: passed") < resumed,
              "the verdicts are not between off and on:\n%s", text);
    free(on);
    free(text);
    cr_assert(file_exists("summary.md"));
}
