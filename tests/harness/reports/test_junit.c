/* test_junit.c: tests of harness/reports/junit.c: escaping of everything XML 1.0 cannot
 * carry as is, and whole documents read back with harness/parsers/xml.c (and xmllint, when present)
 * with a message full of <, &, quotes and a ]]>. */
#include "reports/junit.h"
#include "grade.h"
#include "util.h"
#include "parsers/xml.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmp[64];

static void cleanup(void)
{
    if (tmp[0])
        remove_tree(tmp);
}

TestSuite(report_junit, .fini = cleanup);

/* Escapes and compares. */
static void assert_escape(const char *in, int attribute, const char *want)
{
    char *got = junit_escape(in, attribute);
    cr_assert_str_eq(got, want, "junit_escape(\"%s\", %d)", in, attribute);
    free(got);
}

Test(report_junit, escapes_the_five_markup_characters)
{
    assert_escape("<a href=\"x\">&'y'</a>", 0,
                  "&lt;a href=&quot;x&quot;&gt;&amp;&apos;y&apos;&lt;/a&gt;");
    assert_escape("a ]]> b", 0, "a ]]&gt; b");
    assert_escape("&amp;", 1, "&amp;amp;");
    assert_escape(NULL, 0, "");
    assert_escape("plain text", 1, "plain text");
}

Test(report_junit, keeps_line_breaks_in_text_and_encodes_them_in_attributes)
{
    assert_escape("one\ntwo\tthree", 0, "one\ntwo\tthree");
    assert_escape("one\ntwo\tthree", 1, "one&#10;two&#9;three");
    assert_escape("crlf\r\n", 0, "crlf&#13;\n");
}

Test(report_junit, shows_bytes_xml_cannot_carry_as_visible_escapes)
{
    assert_escape("colour \x1b[31mred\x1b[0m", 0, "colour \\x1b[31mred\\x1b[0m");
    assert_escape("bell\x07 and \x01", 1, "bell\\x07 and \\x01");
    assert_escape("bad \xff byte", 0, "bad \\xff byte");
    assert_escape("cut \xc3", 0, "cut \\xc3");
    assert_escape("overlong \xc0\xaf", 0, "overlong \\xc0\\xaf");
    assert_escape("surrogate \xed\xa0\x80", 0, "surrogate \\xed\\xa0\\x80");
    assert_escape("not a character \xef\xbf\xbe", 0, "not a character \\xef\\xbf\\xbe");
    /* valid UTF-8, up to four bytes, passes untouched */
    assert_escape("caf\xc3\xa9 \xe2\x9c\x85 \xf0\x9d\x84\x9e", 0,
                  "caf\xc3\xa9 \xe2\x9c\x85 \xf0\x9d\x84\x9e");
}

#define TRICKY "expected <3> & got \"4\" in 'x' ]]> <![CDATA[ </failure>\nsecond line"

/* A grading of two katas: "racy" graded (build passed, test failed with TRICKY, tsan found a
 * race, helgrind errored, drd skipped), "broken" not graded for tampering. */
struct fixture {
    struct kata kata;
    struct run run;
    struct grade_summary sum;
};

static void stage(struct run *r, const char *name, enum status st, const char *summary,
                  const char *details)
{
    struct stage_result *s = &r->stages[r->nstages++];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->status = st;
    s->seconds = 0.5;
    s->summary = xstrdup(summary);
    s->details = details ? xstrdup(details) : NULL;
}

static void fixture(struct fixture *x)
{
    memset(x, 0, sizeof *x);
    x->kata.name = xstrdup("racy");
    x->kata.title = xstrdup("a racy kata");
    x->kata.starter = xstrdup("katas/racy/racy.c");
    struct run *r = &x->run;
    r->kata = &x->kata;
    r->src = x->kata.starter;
    r->seed = 4242;
    r->status = ST_FAIL;
    stage(r, "build", ST_PASS, "compiles cleanly", NULL);
    stage(r, "test", ST_FAIL, TRICKY, "racy/adds: " TRICKY " (tests/katas/racy/test_racy.c:9)\n");
    struct stage_result *t = &r->stages[1];
    t->tests = xcalloc(3, sizeof *t->tests);
    t->tests[t->ntests++] =
        (struct test_case){.name = xstrdup("racy/adds"), .status = ST_FAIL, .seconds = 0.25};
    t->tests[t->ntests++] =
        (struct test_case){.name = xstrdup("racy/counts"), .status = ST_PASS, .seconds = 0.125};
    t->tests[t->ntests++] = (struct test_case){.name = xstrdup("racy/later"), .status = ST_SKIP};
    struct finding *a = findings_add(&t->findings);
    a->kind = xstrdup("assertion");
    a->headline = xstrdup(TRICKY);
    a->naccess = 1;
    a->access[0].file = xstrdup("tests/katas/racy/test_racy.c");
    a->access[0].line = 9;
    a->access[0].function = xstrdup("racy/adds");
    stage(r, "tsan", ST_FAIL, "1 data race report on `counter`", NULL);
    struct finding *f = findings_add(&r->stages[2].findings);
    f->kind = xstrdup("data race");
    f->variable = xstrdup("counter");
    f->in_learner = 1;
    f->naccess = 2;
    f->access[0] = (struct access){xstrdup("katas/racy/racy.c"),
                                   27,
                                   xstrdup("worker"),
                                   xstrdup("write"),
                                   xstrdup("thread T2"),
                                   1,
                                   0};
    f->access[1] = (struct access){xstrdup("katas/racy/racy.c"),
                                   30,
                                   xstrdup("worker"),
                                   xstrdup("read"),
                                   xstrdup("thread T1"),
                                   1,
                                   0};
    stage(r, "helgrind", ST_ERROR, "valgrind is not installed", NULL);
    stage(r, "drd", ST_SKIP, "the tests hung", NULL);

    struct grade_summary *g = &x->sum;
    g->seed = 4242;
    g->has_seed = 1;
    g->katas = xcalloc(2, sizeof *g->katas);
    static const int w[MAX_STAGES] = {1, 4, 2, 1, 1};
    memcpy(x->kata.points, w, sizeof w);
    x->kata.nstages = 5;
    static const char *const names[] = {"build", "test", "tsan", "helgrind", "drd"};
    for (int i = 0; i < 5; i++)
        x->kata.stages[i] = xstrdup(names[i]);
    score_run(&g->katas[0], r);
    struct kata other = {.name = (char *)"broken", .title = (char *)"broken", .nstages = 2};
    other.stages[0] = (char *)"build";
    other.stages[1] = (char *)"test";
    memcpy(other.points, w, sizeof other.points);
    score_not_graded(&g->katas[1], &other, GRADE_ERROR, "not graded: tests/x.c (changed) & <more>",
                     "not graded", 4242);
    g->nkatas = 2;
}

static void fixture_release(struct fixture *x)
{
    summary_release(&x->sum);
    run_release(&x->run);
    free(x->kata.name);
    free(x->kata.title);
    free(x->kata.starter);
    for (int i = 0; i < x->kata.nstages; i++)
        free(x->kata.stages[i]);
}

static struct xml_node *child_named(const struct xml_node *n, const char *tag, const char *name)
{
    for (int i = 0; i < n->nkids; i++) {
        const char *a = xml_attr(n->kids[i], "name");
        if (!strcmp(n->kids[i]->name, tag) && a && !strcmp(a, name))
            return n->kids[i];
    }
    return NULL;
}

Test(report_junit, a_tricky_message_survives_a_round_trip)
{
    struct fixture x;
    fixture(&x);
    char *doc = report_junit(&x.sum);
    cr_assert(!strstr(doc, "]]>"), "an unescaped ]]> in:\n%s", doc);
    const char *err = NULL;
    struct xml_node *root = xml_parse(doc, &err);
    cr_assert_not_null(root, "not well formed (%s):\n%s", err ? err : "?", doc);
    cr_assert_str_eq(root->name, "testsuites");
    struct xml_node *suite = child_named(root, "testsuite", "racy");
    cr_assert_not_null(suite);
    struct xml_node *test = child_named(suite, "testcase", "racy/adds");
    cr_assert_not_null(test);
    cr_assert_str_eq(xml_attr(test, "classname"), "racy.test");
    struct xml_node *failure = xml_child(test, "failure");
    cr_assert_not_null(failure);
    cr_assert_str_eq(xml_attr(failure, "message"), TRICKY, "the message came back as \"%s\"",
                     xml_attr(failure, "message"));
    cr_assert(strstr(failure->text, TRICKY), "the body lost the message:\n%s", failure->text);
    cr_assert(strstr(failure->text, "(tests/katas/racy/test_racy.c:9)"), "%s", failure->text);
    xml_free(root);
    free(doc);
    fixture_release(&x);
}

Test(report_junit, one_suite_per_kata_and_one_case_per_stage_with_their_verdicts)
{
    struct fixture x;
    fixture(&x);
    char *doc = report_junit(&x.sum);
    struct xml_node *root = xml_parse(doc, NULL);
    cr_assert_not_null(root, "%s", doc);
    cr_assert_str_eq(xml_attr(root, "tests"), "10");
    cr_assert_str_eq(xml_attr(root, "failures"), "2");
    cr_assert_str_eq(xml_attr(root, "errors"), "2");
    cr_assert_null(xml_attr(root, "skipped"), "junit-10.xsd refuses skipped on <testsuites>");

    struct xml_node *suite = child_named(root, "testsuite", "racy");
    cr_assert_str_eq(xml_attr(suite, "file"), "katas/racy/racy.c");
    cr_assert_str_eq(xml_attr(suite, "tests"), "7");
    cr_assert_str_eq(xml_attr(suite, "failures"), "2");
    cr_assert_str_eq(xml_attr(suite, "errors"), "1");
    cr_assert_str_eq(xml_attr(suite, "skipped"), "2");
    struct xml_node *props = xml_child(suite, "properties");
    cr_assert_str_eq(xml_attr(child_named(props, "property", "seed"), "value"), "4242");
    cr_assert_str_eq(xml_attr(child_named(props, "property", "points"), "value"), "1/9");

    struct xml_node *build = child_named(suite, "testcase", "build");
    cr_assert_eq(build->nkids, 0, "a passed stage has no child");
    cr_assert_null(child_named(suite, "testcase", "test"), "the test stage is one case per test");
    struct xml_node *counts = child_named(suite, "testcase", "racy/counts");
    cr_assert_not_null(counts);
    cr_assert_eq(counts->nkids, 0, "a passed test has no child");
    cr_assert_str_eq(xml_attr(counts, "time"), "0.125");
    cr_assert_not_null(xml_child(child_named(suite, "testcase", "racy/later"), "skipped"));
    struct xml_node *tsan = xml_child(child_named(suite, "testcase", "tsan"), "failure");
    cr_assert_str_eq(xml_attr(tsan, "type"), "tsan");
    cr_assert(strstr(tsan->text, "data race on `counter`"), "%s", tsan->text);
    cr_assert(strstr(tsan->text, "write at katas/racy/racy.c:27 (in worker(), thread T2)"), "%s",
              tsan->text);
    cr_assert(strstr(tsan->text, "vs read at katas/racy/racy.c:30"), "%s", tsan->text);
    cr_assert(ends_with(tsan->text, "\nat katas/racy/racy.c:27\n"),
              "the body does not end with the learner's place:\n%s", tsan->text);
    cr_assert_not_null(xml_child(child_named(suite, "testcase", "helgrind"), "error"));
    struct xml_node *skip = xml_child(child_named(suite, "testcase", "drd"), "skipped");
    cr_assert_str_eq(xml_attr(skip, "message"), "the tests hung");

    struct xml_node *broken = child_named(root, "testsuite", "broken");
    cr_assert_not_null(broken);
    struct xml_node *ng = child_named(broken, "testcase", "not graded");
    cr_assert_not_null(ng);
    cr_assert_str_eq(xml_attr(xml_child(ng, "error"), "message"),
                     "not graded: tests/x.c (changed) & <more>");
    cr_assert_str_eq(xml_attr(broken, "errors"), "1");
    cr_assert_str_eq(xml_attr(broken, "skipped"), "2");
    xml_free(root);
    free(doc);
    fixture_release(&x);
}

Test(report_junit, xmllint_accepts_the_document_even_with_bytes_xml_cannot_carry)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        cr_log_warn(
            "xmllint is not installed (libxml2-utils): only harness/parsers/xml.c checked it");
        return;
    }
    struct fixture x;
    fixture(&x);
    free(x.sum.katas[0].stages[1].summary);
    x.sum.katas[0].stages[1].summary = xstrdup("colour \x1b[31m, bad \xff, "
                                               "]]> & <done>");
    char *doc = report_junit(&x.sum);
    snprintf(tmp, sizeof tmp, "/tmp/kata-test-junit-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
    char *path = xasprintf("%s/junit.xml", tmp);
    cr_assert_eq(write_file(path, doc, strlen(doc)), 0);
    char *cmd = xasprintf("xmllint --noout %s", path);
    cr_assert_eq(system(cmd), 0, "xmllint rejects:\n%s", doc);
    free(cmd);
    free(path);
    free(doc);
    fixture_release(&x);
}

/* xmllint --schema on doc: 0 when junit-10.xsd accepts it. */
static int schema_check(const char *doc, char **said)
{
    cr_assert_eq(system("command -v xmllint >/dev/null 2>&1"), 0,
                 "xmllint is not installed: scripts/deps.sh --dev installs libxml2-utils");
    if (!tmp[0]) {
        snprintf(tmp, sizeof tmp, "/tmp/kata-test-junit-XXXXXX");
        cr_assert_not_null(mkdtemp(tmp));
    }
    char *path = xasprintf("%s/junit.xml", tmp);
    char *log = xasprintf("%s/xmllint.txt", tmp);
    cr_assert_eq(write_file(path, doc, strlen(doc)), 0);
    char *cmd =
        xasprintf("xmllint --noout --schema tests/schemas/junit-10.xsd %s >%s 2>&1", path, log);
    int rc = system(cmd);
    *said = read_file(log, 1 << 16, NULL);
    free(cmd);
    free(log);
    free(path);
    return rc;
}

Test(report_junit, the_schema_refuses_what_junit_10_refuses)
{
    static const char *const refused[] = {
        /* skipped on <testsuites> */
        "<testsuites tests=\"1\" skipped=\"0\"><testsuite name=\"a\" tests=\"1\" "
        "failures=\"0\" errors=\"0\"><testcase name=\"t\"/></testsuite></testsuites>",
        /* file and line on a testcase */
        "<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\">"
        "<testcase name=\"t\" file=\"a.c\" line=\"3\"/></testsuite></testsuites>",
        /* a testsuite without its counts */
        "<testsuites><testsuite name=\"a\"><testcase name=\"t\"/></testsuite></testsuites>", NULL};
    for (int i = 0; refused[i]; i++) {
        char *said = NULL;
        cr_assert_neq(schema_check(refused[i], &said), 0, "accepted: %s", refused[i]);
        free(said);
    }
    char *said = NULL;
    cr_assert_eq(schema_check("<testsuites><testsuite name=\"a\" file=\"a.c\" tests=\"1\" "
                              "failures=\"0\" errors=\"0\" skipped=\"0\" time=\"1.5\">"
                              "<testcase name=\"t\" classname=\"a\" time=\"1\"/></testsuite>"
                              "</testsuites>",
                              &said),
                 0, "refused: %s", said ? said : "");
    free(said);
}

/* xmllint --schema on doc; cr_assert fails with the document when it is refused. */
static void assert_schema_valid(const char *doc)
{
    char *said = NULL;
    int rc = schema_check(doc, &said);
    cr_assert_eq(rc, 0, "junit-10.xsd refuses it:\n%s\n%s", said ? said : "", doc);
    free(said);
}

Test(report_junit, validates_against_the_junit_10_schema_with_every_verdict)
{
    struct fixture x;
    fixture(&x);
    /* a perf stage that was measured and failed, beside the others */
    struct kata_score *k = &x.sum.katas[0];
    struct stage_score *perf = &k->stages[k->nstages++];
    perf->name = xstrdup("perf");
    perf->status = ST_FAIL;
    perf->summary = xstrdup("2.50x the reference's time");
    perf->perf_measured = 1;
    perf->learner = 2.5;
    perf->reference = 1;
    perf->ratio = 2.5;
    perf->bound = 1.5;
    char *doc = report_junit(&x.sum);
    assert_schema_valid(doc);
    free(doc);
    fixture_release(&x);
}

Test(report_junit, per_test_cases_and_places_survive_summary_json)
{
    struct fixture x;
    fixture(&x);
    char *json = summary_to_json(&x.sum);
    struct grade_summary back;
    cr_assert_eq(summary_from_json(json, "summary.json", &back), 0);
    char *doc = report_junit(&back);
    assert_schema_valid(doc);
    struct xml_node *root = xml_parse(doc, NULL);
    cr_assert_not_null(root, "%s", doc);
    struct xml_node *suite = child_named(root, "testsuite", "racy");
    cr_assert_str_eq(xml_attr(suite, "file"), "katas/racy/racy.c");
    struct xml_node *adds = xml_child(child_named(suite, "testcase", "racy/adds"), "failure");
    cr_assert_not_null(adds, "%s", doc);
    cr_assert(strstr(adds->text, "(tests/katas/racy/test_racy.c:9)"), "%s", adds->text);
    struct xml_node *tsan = xml_child(child_named(suite, "testcase", "tsan"), "failure");
    cr_assert(ends_with(tsan->text, "\nat katas/racy/racy.c:27\n"), "%s", tsan->text);
    xml_free(root);
    free(doc);
    free(json);
    summary_release(&back);
    fixture_release(&x);
}
