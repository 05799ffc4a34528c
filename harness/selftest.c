/* selftest.c: every reference and good design passes, every starter and mutant is rejected:
 * each verdict held to its expect: lines (tests/EXPECTATIONS.md) by expect.c. */
#include "selftest.h"

#include "expect.h"
#include "grade.h"
#include "kata.h"
#include "reports/report.h"
#include "util.h"

#include "spawn.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
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

/* Holds the run's verdict, as JSON, to the expect: lines (markers: the text of the file they
 * came from, or NULL). Returns 1 when every line holds, 0 when one does not (*why says
 * which, a new string), -1 when a line cannot be read (the error printed). */
static int holds(const struct run *r, char *const *lines, const char *markers, char **why)
{
    cJSON *verdict = report_json_object(r);
    char *printed = report_json_print(verdict);
    int rc = expect_check(verdict, printed, lines, markers, NULL, why);
    free(printed);
    cJSON_Delete(verdict);
    return rc < 0 ? -1 : !rc;
}

/* Prints why an expectation failed, under its check line. */
static void show_why(const char *why)
{
    for (const char *l = why; l && *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0))
        printf("       %.*s\n", (int)strcspn(l, "\n"), l);
}

#define BUSY_TRIES 4 /* gradings of one check while the perf stage finds the machine busy */

/* ---- katas side by side ----
 *
 * With --jobs 2, two katas are self-tested at once, each in a forked copy that prints into a
 * file of its own; the parent prints each kata's lines whole, in curriculum order. Most of a
 * self-test is waiting (deadlines of hanging mutants, tests that sleep), so two at a time
 * take far less than twice as long. A grading that times (its perf stage) must have the
 * machine to itself, though: every grading holds the timing lock, shared, and one with a
 * perf stage holds it alone. Whoever waits to hold it alone first takes the turnstile, which
 * every grading passes through on its way in, so a stream of shared holders cannot starve
 * it. Each copy opens the lock files itself: flock belongs to the open file, which a fork
 * would share. */
static int timing_fd = -1, turnstile_fd = -1; /* -1: one kata at a time, no lock */

static void timing_lock(int alone)
{
    if (timing_fd < 0)
        return;
    while (flock(turnstile_fd, LOCK_EX) && errno == EINTR)
        ;
    while (flock(timing_fd, alone ? LOCK_EX : LOCK_SH) && errno == EINTR)
        ;
    flock(turnstile_fd, LOCK_UN);
}

static void timing_unlock(void)
{
    if (timing_fd >= 0)
        flock(timing_fd, LOCK_UN);
}

/* 1 when the run's only ERROR is a perf stage that found the machine too busy to time. */
static int only_too_busy(const struct run *r)
{
    int busy = 0;
    for (int i = 0; i < r->nstages; i++)
        if (r->stages[i].status == ST_ERROR) {
            if (!r->stages[i].perf.busy)
                return 0;
            busy = 1;
        }
    return busy;
}

/* Grades src against k into r (the caller releases it); returns -1 if the harness failed.
 * The grading has the machine to itself when it times (a perf stage) or when `alone` says so
 * (a bug that shows only when threads or processes truly run side by side, which another
 * kata's grading on the other core would prevent). A perf stage that found the machine too
 * busy gave no verdict, so the grading is done again after a pause, up to BUSY_TRIES times
 * in all; the last one stands, whatever it says. */
static int grade(const struct kata *k, const char *src, const char *stage, int alone, struct run *r)
{
    for (int try = 1;; try++) {
        memset(r, 0, sizeof *r);
        r->kata = k;
        r->src = src;
        r->seed = fresh_seed();
        r->only_stage = stage;
        int timed = stage ? !strcmp(stage, "perf") : kata_has_stage(k, "perf");
        timing_lock(timed || alone);
        int rc = grade_run(r);
        timing_unlock();
        if (!only_too_busy(r) || try == BUSY_TRIES)
            return rc;
        printf("  ..   the machine was too busy to time this; grading it again in %d s (try %d "
               "of %d)\n",
               5 * try, try + 1, BUSY_TRIES);
        fflush(stdout);
        run_release(r);
        sleep((unsigned)(5 * try));
    }
}

static void show_failure(const struct run *r)
{
    report_text(stdout, r, 0, 0);
}

/* A good design: another correct answer, which must pass every stage as the reference does. */
struct good {
    char *path;    /* tests/katas/<name>/good/<file>.c */
    char *what;    /* from its "good: <description>" line */
    char **expect; /* its expect: lines ("status=pass") */
    char *text;    /* the file, for @name@ markers */
};

static int good_by_path(const void *a, const void *b)
{
    return strcmp(((const struct good *)a)->path, ((const struct good *)b)->path);
}

static void goods_free(struct good *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].path);
        free(v[i].what);
        expect_strings_free(v[i].expect);
        free(v[i].text);
    }
    free(v);
}

/* Lists the .c files of tests/katas/<name>/good, sorted by name. Returns the count (0 when
 * there is no such folder) or -1 when a file lacks its "good:" or "expect:" line in its
 * opening comment; *out is then NULL. The caller frees the array with goods_free. */
static int good_designs(const struct kata *k, struct good **out)
{
    char *rel = xasprintf("tests/katas/%s/good", k->name);
    DIR *d = opendir(rel);
    int n = 0, bad = 0;
    struct good *v = NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!ends_with(e->d_name, ".c"))
            continue;
        char *path = xasprintf("%s/%s", rel, e->d_name);
        char *text = read_file(path, 1 << 20, NULL);
        char *what = header_value(text, "good");
        char **expect = header_values(text, "expect");
        if (!what || !expect[0]) {
            bad = error("good design %s has no \"%s\" line in its opening comment", path,
                        what ? "expect: status=pass" : "good: <what it does>");
            free(path);
            free(what);
            expect_strings_free(expect);
            free(text);
            continue;
        }
        v = xrealloc(v, sizeof *v * (size_t)(n + 1));
        v[n] = (struct good){.path = path, .what = what, .expect = expect, .text = text};
        n++;
    }
    if (d)
        closedir(d);
    free(rel);
    if (n)
        qsort(v, (size_t)n, sizeof *v, good_by_path);
    if (bad) {
        goods_free(v, n);
        *out = NULL;
        return -1;
    }
    *out = v;
    return n;
}

/* The lines of expect (borrowed; the array is new) that are about stage, or about no stage
 * (all of them when stage is NULL). */
static char **lines_about(char *const *expect, const char *stage)
{
    size_t n = 0;
    while (expect[n])
        n++;
    char **v = xcalloc(n + 1, sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int about = 1; /* a line that does not read is kept: the check then says what is wrong */
        struct expectation x;
        if (stage && !expectation_parse(expect[i], NULL, &x)) {
            about = !x.stage || !strcmp(x.stage, stage);
            expectation_release(&x);
        }
        if (about)
            v[m++] = expect[i];
    }
    return v;
}

/* Grades src, holds its verdict to lines, and prints the check's line: label, then
 * "(nth, seed N)" when with_seed (else "(nth)" when nth is not NULL), then the line of the
 * stage shown when it names one. Under it, when the lines do not hold: why, and the
 * verdict. Returns 1 when they hold, else 0. */
static int check_graded(struct tally *t, const struct kata *k, const char *src, const char *stage,
                        int alone, char *const *lines, const char *markers, const char *label,
                        const char *nth, int with_seed, const char *shown)
{
    struct run r;
    if (grade(k, src, stage, alone, &r))
        t->broken++;
    char *why = NULL;
    int ok = holds(&r, lines, markers, &why);
    if (ok < 0)
        t->broken++;
    char *what = with_seed ? xasprintf("%s (%s, seed %lu)", label, nth, r.seed)
                 : nth     ? xasprintf("%s (%s)", label, nth)
                           : xstrdup(label);
    const struct stage_result *s = shown ? run_stage(&r, shown) : NULL;
    if (shown)
        check(t, ok > 0, r.seconds, "%s: %s", what, s ? s->summary : "the stage did not run");
    else
        check(t, ok > 0, r.seconds, "%s", what);
    if (ok <= 0) {
        show_why(why);
        show_failure(&r);
    }
    free(what);
    free(why);
    run_release(&r);
    return ok > 0;
}

static void selftest_kata(const struct kata *k, int runs, struct tally *t)
{
    printf("%s\n", k->name);
    /* the reference passes every stage, several runs in a row */
    char pass[] = "status=pass";
    char *passes[] = {pass, NULL};
    for (int i = 0; i < runs; i++) {
        char *nth = xasprintf("run %d of %d", i + 1, runs);
        check_graded(t, k, k->solution, NULL, 0, passes, NULL, "reference passes every stage", nth,
                     1, NULL);
        free(nth);
    }
    /* every good design passes every stage too: a grader that starts rejecting a correct
     * answer the reference does not happen to be fails here */
    struct good *g;
    int ng = good_designs(k, &g);
    if (ng < 0)
        t->broken++;
    for (int i = 0; i < ng; i++)
        for (int j = 0; j < runs; j++) {
            char *label =
                xasprintf("good %s (%s) passes every stage", base_name(g[i].path), g[i].what);
            char *nth = xasprintf("run %d of %d", j + 1, runs);
            check_graded(t, k, g[i].path, NULL, 0, g[i].expect, g[i].text, label, nth, 1, NULL);
            free(nth);
            free(label);
        }
    if (ng > 0)
        goods_free(g, ng);
    /* the starter fails the stages its lesson is about, for what each looks for */
    if (k->nstarter_fails) {
        struct run r;
        if (grade(k, k->starter, NULL, 0, &r))
            t->broken++;
        for (int i = 0; i < k->nstarter_fails; i++) {
            const struct stage_result *s = run_stage(&r, k->starter_fails[i]);
            char *line = xasprintf("stage=%s status=fail found", k->starter_fails[i]);
            char *lines[] = {line, NULL};
            char *why = NULL;
            int ok = holds(&r, lines, NULL, &why);
            if (ok < 0)
                t->broken++;
            check(t, ok > 0, s ? s->seconds : 0, "starter fails %s: %s", k->starter_fails[i],
                  s ? s->summary : "the stage did not run");
            if (ok <= 0)
                show_why(why);
            free(why);
            free(line);
        }
        run_release(&r);
    }
    /* each mutant is rejected as its expect: lines say, graded up to the stage they name (a
     * build mutant: every stage); a bug that shows only by chance (lost updates) must be
     * caught every time it is repeated */
    struct mutant *m;
    int n = kata_mutants(k, &m);
    if (n < 0) {
        t->broken++;
        return;
    }
    if (n == 0)
        check(t, 0, 0, "has mutants (none found under %s)", k->mutants);
    for (int i = 0; i < n; i++) {
        char *src = mutant_source(k, &m[i]);
        if (!src) {
            check(t, 0, 0, "mutant %s applies to %s", base_name(m[i].path), k->solution);
            continue;
        }
        for (int j = 0; j < m[i].repeat; j++) {
            char *nth = m[i].repeat > 1 ? xasprintf("run %d of %d", j + 1, m[i].repeat) : NULL;
            char *label = xasprintf("mutant %s (%s) rejected by %s", base_name(m[i].path),
                                    m[i].what, m[i].stage);
            /* a bug that shows by chance (repeat:) needs the cores to itself */
            /* a build mutant is graded on every stage, held to all its lines at once */
            int whole = !strcmp(m[i].stage, "build");
            char **lines = lines_about(m[i].expect, whole ? NULL : m[i].stage);
            int ok = check_graded(t, k, src, whole ? NULL : m[i].stage, m[i].repeat > 1, lines,
                                  NULL, label, nth, 0, m[i].stage);
            free(lines);
            free(label);
            free(nth);
            if (!ok)
                break;
        }
        /* a stage that another line names (explore beside a detector): graded on its own */
        for (char **a = m[i].also; strcmp(m[i].stage, "build") && *a; a++) {
            char *label = xasprintf("mutant %s rejected by %s too", base_name(m[i].path), *a);
            char **lines = lines_about(m[i].expect, *a);
            check_graded(t, k, src, *a, 0, lines, NULL, label, NULL, 0, *a);
            free(lines);
            free(label);
        }
        free(src);
    }
    mutants_free(m, n);
}

/* One kata's self-test in a forked copy: its lines into out, its tally into out.tally. */
static pid_t start_copy(const struct kata *k, int runs, const char *out, const char *locks)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    spawn_init(); /* a sandbox user of its own (grade.c says why) */
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char *turn = xasprintf("%s.turnstile", locks);
    timing_fd = open(locks, O_RDWR | O_CLOEXEC);
    turnstile_fd = open(turn, O_RDWR | O_CLOEXEC);
    free(turn);
    if (fd < 0 || timing_fd < 0 || turnstile_fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
        _exit(3);
    close(fd);
    struct tally t = {0, 0, 0};
    selftest_kata(k, runs, &t);
    fflush(stdout);
    fflush(stderr);
    char *tally = xasprintf("%s.tally", out);
    char *line = xasprintf("%d %d %d\n", t.passed, t.failed, t.broken);
    int rc = write_file(tally, line, strlen(line)) ? 3 : 0;
    _exit(rc);
}

/* Self-tests the katas v[0..n), `jobs` at a time, adding into *t; prints each kata's lines
 * when it and every kata before it are done. Returns -1 when a copy could not be started or
 * did not report. */
static int selftest_side_by_side(struct kata **v, int n, int runs, int jobs, struct tally *t)
{
    /* a folder of our own (mkdtemp: a name nobody could have put a link at) */
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = xasprintf("%s/kata-selftest.XXXXXX", tmp);
    int made = mkdtemp(dir) != NULL;
    char *locks = xasprintf("%s/timing.lock", dir);
    char *turn = xasprintf("%s.turnstile", locks);
    int failed = 0;
    if (!made || write_file(locks, "", 0) || write_file(turn, "", 0)) {
        error("cannot make the self-test's folder in %s: %s", tmp, strerror(errno));
        failed = -1;
        n = 0;
    }
    pid_t *pid = xmalloc(sizeof *pid * (size_t)(n + 1));
    int *status = xmalloc(sizeof *status * (size_t)(n + 1));
    int next = 0, running = 0, printed = 0;
    while (printed < n) {
        while (running < jobs && next < n) {
            char *out = xasprintf("%s/%d.out", dir, next);
            pid[next] = start_copy(v[next], runs, out, locks);
            status[next] = -1;
            free(out);
            if (pid[next] < 0) {
                error("cannot start a copy for kata %s: %s", v[next]->name, strerror(errno));
                status[next] = 3 << 8;
            } else {
                running++;
            }
            next++;
        }
        int st;
        pid_t got = running ? waitpid(-1, &st, 0) : 0;
        if (got < 0 && errno != EINTR) {
            error("cannot wait for the self-test's copies: %s", strerror(errno));
            failed = -1;
            break;
        }
        for (int i = 0; i < next; i++)
            if (got > 0 && pid[i] == got && status[i] == -1) {
                status[i] = st;
                running--;
            }
        /* (anything else waited for was an orphan of a copy's grading, handed to us) */
        while (printed < next && status[printed] != -1) {
            char *out = xasprintf("%s/%d.out", dir, printed);
            char *tally = xasprintf("%s.tally", out);
            char *text = read_file(out, 64 << 20, NULL);
            char *counts = read_file(tally, 256, NULL);
            struct tally k = {0, 0, 0};
            fputs(text ? text : "", stdout);
            fflush(stdout);
            if (!counts || sscanf(counts, "%d %d %d", &k.passed, &k.failed, &k.broken) != 3 ||
                !WIFEXITED(status[printed]) || WEXITSTATUS(status[printed])) {
                error("the self-test of kata %s ended before it reported", v[printed]->name);
                failed = -1;
            }
            t->passed += k.passed;
            t->failed += k.failed;
            t->broken += k.broken;
            unlink(tally);
            unlink(out);
            free(text);
            free(counts);
            free(tally);
            free(out);
            printed++;
        }
    }
    for (int i = 0; i < next; i++)
        if (status[i] == -1 && pid[i] > 0) {
            kill(pid[i], SIGKILL);
            waitpid(pid[i], NULL, 0);
        }
    unlink(turn);
    unlink(locks);
    rmdir(dir);
    free(pid);
    free(status);
    free(turn);
    free(locks);
    free(dir);
    return failed;
}

int selftest(const char *name, int runs, int jobs)
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
        if (jobs > 1) {
            if (selftest_side_by_side(v, n, runs, jobs, &t))
                t.broken++;
        } else {
            for (int i = 0; i < n; i++)
                selftest_kata(v[i], runs, &t);
        }
        kata_free_all(v, n);
    }
    printf("\nselftest took %.0f s\n", now_seconds() - start);
    printf("selftest: %d passed, %d failed\n", t.passed, t.failed);
    if (t.broken)
        return 3;
    return t.failed ? 1 : 0;
}
