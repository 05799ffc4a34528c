/* selftest.c: every reference and good design passes, every starter and mutant is rejected. */
#include "selftest.h"

#include "grade.h"
#include "kata.h"
#include "reports/report.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct tally {
    int passed, failed, broken;
};

static unsigned long fresh_seed(void)
{
    return (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^
           (unsigned long)(now_seconds() * 1e6);
}

static void check(struct tally *t, int ok, double seconds, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void check(struct tally *t, int ok, double seconds, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  %s ", ok ? "ok  " : "FAIL");
    vprintf(fmt, ap);
    printf(" (%.1f s)\n", seconds);
    va_end(ap);
    fflush(stdout);
    if (ok)
        t->passed++;
    else
        t->failed++;
}

/* Did the stage reject the code for the reason it exists? A detector stage must have found
 * something in the learner's file (or seen a hang), not merely failed to run it. */
static int rejected(const struct stage_result *s)
{
    if (!s || s->status != ST_FAIL)
        return 0;
    if (!strcmp(s->name, "tsan") || !strcmp(s->name, "helgrind") || !strcmp(s->name, "drd") ||
        !strcmp(s->name, "asan"))
        return s->findings.n > 0 || s->hung;
    if (!strcmp(s->name, "perf"))
        return s->perf.measured || strstr(s->summary, "too slow") != NULL;
    return 1;
}

/* Grades src against k and returns the run (caller releases), or -1 if the harness failed. */
static int grade(const struct kata *k, const char *src, const char *stage, struct run *r)
{
    memset(r, 0, sizeof *r);
    r->kata = k;
    r->src = src;
    r->seed = fresh_seed();
    r->only_stage = stage;
    return grade_run(r);
}

static void show_failure(const struct run *r)
{
    report_text(stdout, r, 0, 0);
}

/* A good design: another correct answer, which must pass every stage as the reference does. */
struct good {
    char *path; /* tests/katas/<name>/good/<file>.c */
    char *what; /* from its "good: <description>" line */
};

static int good_by_path(const void *a, const void *b)
{
    return strcmp(((const struct good *)a)->path, ((const struct good *)b)->path);
}

/* Lists the .c files of tests/katas/<name>/good, sorted by name. Returns the count (0 when
 * there is no such folder) or -1 when a file lacks its "good:" line near the top; *out is
 * then NULL.
 * The caller frees each path and what, and the array. */
static int good_designs(const struct kata *k, struct good **out)
{
    char *rel = xasprintf("tests/katas/%s/good", k->name);
    char *dir = xstrdup(rel);
    DIR *d = opendir(dir);
    int n = 0, bad = 0;
    struct good *v = NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!ends_with(e->d_name, ".c"))
            continue;
        char *full = xasprintf("%s/%s", dir, e->d_name);
        /* the description must be in the file's opening comment, as a mutant's is */
        char *text = read_file(full, 1024, NULL);
        free(full);
        const char *p = text ? strstr(text, "good:") : NULL;
        if (!p) {
            bad = error("good design %s/%s has no \"good: <what it does>\" line in its first "
                        "comment",
                        rel, e->d_name);
            free(text);
            continue;
        }
        p += strlen("good:");
        p += strspn(p, " ");
        char *what = rtrim(xstrndup(p, strcspn(p, "\n")));
        if (ends_with(what, "*/")) {
            what[strlen(what) - 2] = '\0';
            rtrim(what);
        }
        v = xrealloc(v, sizeof *v * (size_t)(n + 1));
        v[n].path = xasprintf("%s/%s", rel, e->d_name);
        v[n].what = what;
        n++;
        free(text);
    }
    if (d)
        closedir(d);
    free(dir);
    free(rel);
    if (n)
        qsort(v, (size_t)n, sizeof *v, good_by_path);
    if (bad) {
        for (int i = 0; i < n; i++) {
            free(v[i].path);
            free(v[i].what);
        }
        free(v);
        *out = NULL;
        return -1;
    }
    *out = v;
    return n;
}

static void selftest_kata(const struct kata *k, int runs, struct tally *t)
{
    printf("%s\n", k->name);
    /* the reference passes every stage, several runs in a row */
    for (int i = 0; i < runs; i++) {
        struct run r;
        int rc = grade(k, k->solution, NULL, &r);
        if (rc)
            t->broken++;
        check(t, r.status == ST_PASS, r.seconds,
              "reference passes every stage (run %d of %d, "
              "seed %lu)",
              i + 1, runs, r.seed);
        if (r.status != ST_PASS)
            show_failure(&r);
        run_release(&r);
    }
    /* every good design passes every stage too: a grader that starts rejecting a correct
     * answer the reference does not happen to be fails here */
    struct good *g;
    int ng = good_designs(k, &g);
    if (ng < 0)
        t->broken++;
    for (int i = 0; i < ng; i++) {
        for (int j = 0; j < runs; j++) {
            struct run r;
            if (grade(k, g[i].path, NULL, &r))
                t->broken++;
            check(t, r.status == ST_PASS, r.seconds,
                  "good %s (%s) passes every stage (run %d "
                  "of %d, seed %lu)",
                  base_name(g[i].path), g[i].what, j + 1, runs, r.seed);
            if (r.status != ST_PASS)
                show_failure(&r);
            run_release(&r);
        }
        free(g[i].path);
        free(g[i].what);
    }
    free(g);
    /* the starter fails the stages its lesson is about */
    if (k->nstarter_fails) {
        struct run r;
        if (grade(k, k->starter, NULL, &r))
            t->broken++;
        for (int i = 0; i < k->nstarter_fails; i++) {
            const struct stage_result *s = run_stage(&r, k->starter_fails[i]);
            int ok = rejected(s);
            check(t, ok, s ? s->seconds : 0, "starter fails %s: %s", k->starter_fails[i],
                  s ? s->summary : "the stage did not run");
        }
        run_release(&r);
    }
    /* each mutant is rejected by the stage it names */
    struct mutant *m;
    int n = kata_mutants(k, &m);
    if (n < 0) {
        t->broken++;
        return;
    }
    if (n == 0)
        check(t, 0, 0, "has mutants (none found under %s)", k->mutants);
    for (int i = 0; i < n; i++) {
        /* a bug that shows only by chance (lost updates) must be caught every time */
        char *src = mutant_source(k, &m[i]);
        if (!src) {
            check(t, 0, 0, "mutant %s applies to %s", base_name(m[i].path), k->solution);
            continue;
        }
        for (int j = 0; j < m[i].repeat; j++) {
            struct run r;
            int rc = grade(k, src, strcmp(m[i].stage, "build") ? m[i].stage : NULL, &r);
            if (rc)
                t->broken++;
            const struct stage_result *s = run_stage(&r, m[i].stage);
            int ok = rejected(s);
            char *nth =
                m[i].repeat > 1 ? xasprintf(" (run %d of %d)", j + 1, m[i].repeat) : xstrdup("");
            check(t, ok, r.seconds, "mutant %s (%s) rejected by %s%s: %s", base_name(m[i].path),
                  m[i].what, m[i].stage, nth, s ? s->summary : "the stage did not run");
            free(nth);
            if (!ok)
                show_failure(&r);
            run_release(&r);
            if (!ok)
                break;
        }
        free(src);
    }
    mutants_free(m, n);
}

int selftest(const char *name, int runs)
{
    struct tally t = {0, 0, 0};
    double start = now_seconds();
    if (name) {
        struct kata *k = kata_find(name);
        if (!k)
            return 3;
        selftest_kata(k, runs, &t);
        kata_free(k);
    } else {
        struct kata **v;
        int n = kata_load_all(&v);
        if (n < 0)
            return 3;
        for (int i = 0; i < n; i++)
            selftest_kata(v[i], runs, &t);
        kata_free_all(v, n);
    }
    printf("\nselftest took %.0f s\n", now_seconds() - start);
    printf("selftest: %d passed, %d failed\n", t.passed, t.failed);
    if (t.broken)
        return 3;
    return t.failed ? 1 : 0;
}
