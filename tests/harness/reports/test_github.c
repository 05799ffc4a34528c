/* test_github.c: tests of harness/reports/github.c: workflow-command escaping, the
 * annotations for races, compile errors, failed assertions and tampered files, and the job
 * summary appended to $GITHUB_STEP_SUMMARY (a scratch file here). */
#include "reports/github.h"
#include "grade.h"
#include "util.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmp[64];

static void cleanup(void)
{
    if (tmp[0])
        remove_tree(tmp);
}

TestSuite(report_github, .fini = cleanup);

Test(report_github, escapes_messages_and_properties_as_the_actions_toolkit_does)
{
    char *d = gh_escape_data("100% done\r\nnext: a, b");
    cr_assert_str_eq(d, "100%25 done%0D%0Anext: a, b");
    free(d);
    char *p = gh_escape_property("katas/a:b,c%\n");
    cr_assert_str_eq(p, "katas/a%3Ab%2Cc%25%0A");
    free(p);
    char *e = gh_escape_data(NULL);
    cr_assert_str_eq(e, "");
    free(e);
}

Test(report_github, formats_one_workflow_command_per_annotation)
{
    char *a = gh_annotation("error", "katas/race_counter/race_counter.c", 27,
                            "race_counter: data race on `counter`", "write here\nvs read");
    cr_assert_str_eq(a, "::error file=katas/race_counter/race_counter.c,line=27,"
                        "title=race_counter%3A data race on `counter`::write here%0Avs read\n");
    free(a);
    a = gh_annotation("warning", "f.c", 0, NULL, "no line");
    cr_assert_str_eq(a, "::warning file=f.c::no line\n");
    free(a);
    a = gh_annotation("error", NULL, 12, "t", "m");
    cr_assert_str_eq(a, "::error title=t::m\n", "a line without a file means nothing");
    free(a);
    a = gh_annotation("notice", NULL, 0, NULL, "just this");
    cr_assert_str_eq(a, "::notice::just this\n");
    free(a);
}

/* A graded kata whose run has a race (found by all three detectors), a compile warning, a
 * failed assertion, and a failed stage with no finding; plus a tampered file. */
struct fixture {
    struct kata kata;
    struct run run;
    struct grade_summary sum;
};

static struct stage_result *stage(struct run *r, const char *name, enum status st,
                                  const char *summary)
{
    struct stage_result *s = &r->stages[r->nstages++];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->status = st;
    s->summary = xstrdup(summary);
    return s;
}

static void race(struct stage_result *s, const char *variable, const char *t1, const char *t2)
{
    struct finding *f = findings_add(&s->findings);
    f->kind = xstrdup("data race");
    f->variable = variable ? xstrdup(variable) : NULL;
    f->in_learner = 1;
    f->naccess = 2;
    f->access[0] = (struct access){
        xstrdup("katas/rc/rc.c"), 27, xstrdup("worker"), xstrdup("write"), xstrdup(t1), 1, 0};
    f->access[1] = (struct access){
        xstrdup("katas/rc/rc.c"), 31, xstrdup("worker"), xstrdup("read"), xstrdup(t2), 1, 0};
}

static void fixture(struct fixture *x)
{
    memset(x, 0, sizeof *x);
    x->kata.name = xstrdup("rc");
    x->kata.title = xstrdup("race counter");
    x->kata.starter = xstrdup("katas/rc/rc.c");
    static const char *const names[] = {"build", "test", "tsan", "helgrind", "drd", "perf"};
    x->kata.nstages = 6;
    for (int i = 0; i < 6; i++)
        x->kata.stages[i] = xstrdup(names[i]);
    struct run *r = &x->run;
    r->kata = &x->kata;
    r->src = x->kata.starter;
    r->seed = 99;
    r->status = ST_FAIL;
    struct stage_result *b = stage(r, "build", ST_PASS, "compiles, with 1 warning");
    struct finding *w = findings_add(&b->findings);
    w->kind = xstrdup("warning");
    w->headline = xstrdup("unused variable 'i' [-Wunused-variable]");
    w->naccess = 1;
    w->access[0] = (struct access){xstrdup("katas/rc/rc.c"), 12, NULL, NULL, NULL, 1, 0};
    struct stage_result *t = stage(r, "test", ST_FAIL, "1 of 6 tests failed");
    struct finding *a = findings_add(&t->findings);
    a->kind = xstrdup("assertion");
    a->headline = xstrdup("counter is 3999, expected 4000");
    a->naccess = 1;
    a->access[0] = (struct access){
        xstrdup("tests/katas/rc/test_rc.c"), 41, xstrdup("rc/adds_all"), NULL, NULL, 0, 0};
    race(stage(r, "tsan", ST_FAIL, "1 data race report on `counter`"), "counter", "thread T2",
         "thread T1");
    race(stage(r, "helgrind", ST_FAIL, "1 data race report on `counter`"), "counter", "thread #3",
         "thread #2");
    race(stage(r, "drd", ST_FAIL, "1 data race report"), NULL, "thread 3", "thread 2");
    struct stage_result *p = stage(r, "perf", ST_FAIL, "3.10x the reference's time");
    p->perf = (struct perf_numbers){
        .measured = 1, .learner = 0.62, .reference = 0.2, .ratio = 3.1, .bound = 1.5};

    struct grade_summary *g = &x->sum;
    g->seed = 99;
    g->has_seed = 1;
    g->integrity_checked = 1;
    g->list = xstrdup("scripts/checksums.txt");
    memset(g->list_sha256, 'c', 64);
    g->katas = xcalloc(2, sizeof *g->katas);
    static const int wts[MAX_STAGES] = {1, 4, 2, 1, 1, 2};
    memcpy(x->kata.points, wts, sizeof wts);
    score_run(&g->katas[0], r);
    struct kata other = {.name = (char *)"later", .title = (char *)"x | y", .nstages = 1};
    other.stages[0] = (char *)"build";
    other.points[0] = 1;
    score_not_graded(&g->katas[1], &other, GRADE_NOT_ATTEMPTED, "not attempted", "not attempted",
                     99);
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

static char *annotations(const struct grade_summary *g, int max, int *count)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *count = github_annotations(f, g, max);
    fclose(f);
    return buf;
}

static int lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

Test(report_github, annotates_each_racing_line_once_with_the_detectors_that_found_it)
{
    struct fixture x;
    fixture(&x);
    int n;
    char *out = annotations(&x.sum, 10, &n);
    const char *l27 = "::error file=katas/rc/rc.c,line=27,title=rc%3A data race on `counter`::";
    cr_assert_eq(lines_with(out, l27), 1, "line 27 once, named by its variable:\n%s", out);
    cr_assert_eq(lines_with(out, "file=katas/rc/rc.c,line=31,"), 1, "%s", out);
    cr_assert(strstr(out, "write here in worker() (thread T2) vs read at katas/rc/rc.c:31 in "
                          "worker() (thread T1)"),
              "%s", out);
    cr_assert(strstr(out, "(found by tsan, helgrind, drd)"), "%s", out);
    cr_assert_eq(lines_with(out, "::error"), 4,
                 "two race lines, the assertion, perf, and "
                 "nothing more for stages already placed:\n%s",
                 out);
    cr_assert_eq(n, 5);
    free(out);
    fixture_release(&x);
}

/* A race with an atomic side: the advice is not "make it atomic", which one side already is. */
Test(report_github, a_race_with_an_atomic_side_is_not_told_to_make_it_atomic)
{
    struct fixture x;
    fixture(&x);
    int n;
    char *out = annotations(&x.sum, 10, &n);
    cr_assert(strstr(out, "or make it atomic."), "a plain race keeps its advice:\n%s", out);
    free(out);
    /* the annotations read the findings from the run the score points to */
    for (int i = 0; i < x.run.nstages; i++)
        for (size_t k = 0; k < x.run.stages[i].findings.n; k++)
            x.run.stages[i].findings.v[k].access[0].atomic =
                !strcmp(x.run.stages[i].findings.v[k].kind, "data race");
    out = annotations(&x.sum, 10, &n);
    cr_assert(!strstr(out, "make it atomic"), "%s", out);
    cr_assert(strstr(out, "One side is atomic and the other plain: make every access atomic"), "%s",
              out);
    free(out);
    fixture_release(&x);
}

Test(report_github, annotates_failed_assertions_on_the_tests_line_and_warnings_as_warnings)
{
    struct fixture x;
    fixture(&x);
    int n;
    char *out = annotations(&x.sum, 10, &n);
    cr_assert(strstr(out, "::error file=tests/katas/rc/test_rc.c,line=41,title=rc%3A "
                          "rc/adds_all failed::counter is 3999, expected 4000\n"),
              "%s", out);
    cr_assert(strstr(out, "::warning file=katas/rc/rc.c,line=12,title=rc%3A compiler warning::"
                          "unused variable 'i' [-Wunused-variable]\n"),
              "%s", out);
    /* a failed stage that placed nothing still says why, without a place */
    cr_assert(strstr(out, "::error title=rc%3A perf failed::3.10x the reference's time\n"), "%s",
              out);
    /* errors come first: GitHub shows only the first few of each level */
    cr_assert_lt(strstr(out, "::error file=tests"), strstr(out, "::warning"));
    free(out);
    fixture_release(&x);
}

Test(report_github, caps_the_annotations_per_kata_errors_first)
{
    struct fixture x;
    fixture(&x);
    int n;
    char *out = annotations(&x.sum, 2, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(lines_with(out, "::error"), 2, "%s", out);
    cr_assert_eq(lines_with(out, "::warning"), 0, "%s", out);
    free(out);
    fixture_release(&x);
}

Test(report_github, names_every_tampered_file)
{
    struct fixture x;
    fixture(&x);
    x.sum.tampered = xcalloc(2, sizeof *x.sum.tampered);
    x.sum.tampered[0] = (struct tampered){xstrdup("tests/katas/rc/test_rc.c"), "changed"};
    x.sum.tampered[1] = (struct tampered){xstrdup("harness/gone.c"), "missing"};
    x.sum.ntampered = 2;
    int n;
    char *out = annotations(&x.sum, 10, &n);
    cr_assert(starts_with(out, "::error file=tests/katas/rc/test_rc.c,title=tampered file::"
                               "tests/katas/rc/test_rc.c was changed"),
              "%s", out);
    cr_assert(strstr(out, "::error title=tampered file::harness/gone.c was missing"), "%s", out);
    free(out);
    fixture_release(&x);
}

Test(report_github, the_summary_table_has_a_row_per_kata_and_the_perf_numbers)
{
    struct fixture x;
    fixture(&x);
    char *md = github_summary_markdown(&x.sum);
    cr_assert(starts_with(md, "## Kata grades: 1 / 12 points\n"), "%s", md);
    cr_assert(strstr(md, "| kata | build | test | tsan | helgrind | drd | perf | points | "
                         "time against the reference |\n"),
              "%s", md);
    cr_assert(strstr(md, "| `rc` | ✅ | ❌ | ❌ | ❌ | ❌ | ❌ | 1 / 11 | 3.10× (0.62 s vs "
                         "0.20 s; bound 1.50×) |\n"),
              "%s", md);
    cr_assert(strstr(md, "| `later` | not attempted | | | | | | 0 / 1 | |\n"), "%s", md);
    cr_assert(strstr(md, "- `rc`: test: 1 of 6 tests failed\n"), "%s", md);
    cr_assert(strstr(md, "Seed 99: replay with `SEED=99 make grade`."), "%s", md);
    free(md);
    fixture_release(&x);
}

Test(report_github, table_cells_cannot_break_the_table)
{
    struct fixture x;
    fixture(&x);
    free(x.sum.katas[0].message);
    x.sum.katas[0].message = xstrdup("a | b <script> & c\nd");
    char *md = github_summary_markdown(&x.sum);
    cr_assert(strstr(md, "- `rc`: a \\| b &lt;script&gt; &amp; c d\n"), "%s", md);
    free(md);
    fixture_release(&x);
}

static char *summary_file(void)
{
    if (!tmp[0]) {
        snprintf(tmp, sizeof tmp, "/tmp/kata-test-github-XXXXXX");
        cr_assert_not_null(mkdtemp(tmp));
    }
    return xasprintf("%s/step-summary.md", tmp);
}

Test(report_github, inside_actions_the_summary_is_appended_to_the_step_summary_file)
{
    struct fixture x;
    fixture(&x);
    char *path = summary_file();
    cr_assert_eq(write_file(path, "earlier step\n", 13), 0);
    setenv("GITHUB_ACTIONS", "true", 1);
    setenv("GITHUB_STEP_SUMMARY", path, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(github_report(f, &x.sum, 1), 0);
    cr_assert_eq(github_report(f, &x.sum, 0), 0);
    fclose(f);
    cr_assert_eq(lines_with(buf, "file=katas/rc/rc.c,line=27"), 1, "annotated once:\n%s", buf);
    char *text = read_file(path, 1 << 20, NULL);
    cr_assert(starts_with(text, "earlier step\n## Kata grades"), "appended, not replaced:\n%s",
              text);
    cr_assert_eq(lines_with(text, "## Kata grades"), 2, "%s", text);
    free(text);
    free(buf);
    free(path);
    fixture_release(&x);
}

Test(report_github, outside_actions_nothing_is_written)
{
    struct fixture x;
    fixture(&x);
    char *path = summary_file();
    unsetenv("GITHUB_ACTIONS");
    setenv("GITHUB_STEP_SUMMARY", path, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(github_report(f, &x.sum, 1), 0);
    setenv("GITHUB_ACTIONS", "false", 1);
    cr_assert_eq(github_report(f, &x.sum, 1), 0);
    fclose(f);
    cr_assert_eq(len, 0, "printed: %s", buf);
    cr_assert(!file_exists(path));
    free(buf);
    free(path);
    fixture_release(&x);
}

Test(report_github, an_unwritable_summary_file_is_an_error)
{
    struct fixture x;
    fixture(&x);
    setenv("GITHUB_ACTIONS", "true", 1);
    setenv("GITHUB_STEP_SUMMARY", "/nonexistent/dir/summary.md", 1);
    FILE *f = fopen("/dev/null", "w");
    cr_redirect_stderr();
    cr_assert_eq(github_report(f, &x.sum, 0), -1);
    fclose(f);
    fixture_release(&x);
}
