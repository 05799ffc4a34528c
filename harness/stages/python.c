/* python.c: the kata's Python program timed beside the learner's C and the reference. */
#include "stages/python.h"

#include "stages/perf.h"
#include "stages/stage.h"

#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 5         /* rounds of (yours, reference, python) in the full comparison */
#define LINE_TIMEOUT 30  /* the perf stage's one Python run: a line, not a verdict */
#define FULL_TIMEOUT 120 /* a Python run of the full comparison */
#define BAR_WIDTH 40

/* The interpreter behind `python3`, as a new string, or NULL when there is none. Asking
 * Python for sys.executable, once, skips launchers such as pyenv's shims, a shell script
 * that would add tens of milliseconds of its own to every timed run. */
static char *find_python(struct run *r)
{
    const char *argv[] = {"python3", "-c", "import sys; print(sys.executable)", NULL};
    char *out = work_path(r, "python3.path");
    struct child c = {
        .argv = argv, .stdout_path = out, .timeout = 10, .limits = learner_limits(10, 0)};
    c.limits.unprivileged = 0; /* see py_run */
    char *path = NULL;
    if (child_run(&c) == 0 && c.exited && c.exit_code == 0) {
        path = read_file(out, 4096, NULL);
        if (path && !*rtrim(path)) {
            free(path);
            path = NULL;
        }
    }
    free(out);
    return path;
}

/* Is the perf stage's Python workload (python.line_args) the timed one (perf.args)? Then
 * the perf stage's reference time is already the one to compare with. */
static int same_as_perf(const struct kata *k)
{
    if (k->npython_line_args != k->nperf_args)
        return 0;
    for (int i = 0; i < k->npython_line_args; i++)
        if (strcmp(k->python_line_args[i], k->perf_args[i]))
            return 0;
    return 1;
}

/* One timed run of the kata's Python program with args. Returns 0 when it exited 0, 1 when
 * it failed (*why gets a new string), -1 when it could not be started. */
static int py_run(struct run *r, const char *python, char *const *args, int nargs, double timeout,
                  struct perf_sample *s, char **why)
{
    const struct kata *k = r->kata;
    const char *argv[MAX_ARGS + 3];
    char *program = xstrdup(k->python_program);
    int n = 0;
    argv[n++] = python;
    argv[n++] = program;
    for (int i = 0; i < nargs; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *log = work_path(r, "python.log");
    const char *env[] = {"PYTHONDONTWRITEBYTECODE=1", server_env(r), NULL};
    struct child c = {.argv = argv,
                      .env = env,
                      .stdout_path = log,
                      .stderr_path = log,
                      .timeout = timeout,
                      .limits = learner_limits(timeout, 0)};
    /* The program is ours, not the learner's, and the interpreter may live where the
     * unprivileged user cannot read it (pyenv keeps it under /root): the deadline and the
     * limits still hold, as for every child. */
    c.limits.unprivileged = 0;
    int rc = child_run(&c);
    s->wall = c.wall_seconds;
    s->cpu = c.cpu_seconds;
    s->rss_kb = c.max_rss_kb;
    if (rc == 0 && !(c.exited && c.exit_code == 0)) {
        char *how = child_describe(&c);
        char *said = read_file(log, 4096, NULL);
        char *last = said ? strrchr(rtrim(said), '\n') : NULL;
        *why = xasprintf("%s %s%s%s", k->python_program, how, said && *said ? ": " : "",
                         said ? (last ? last + 1 : said) : "");
        free(said);
        free(how);
        rc = 1;
    } else if (rc) {
        *why = xasprintf("cannot start %s", python);
    }
    free(log);
    free(program);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double c[ROUNDS];
    memcpy(c, v, sizeof *c * (size_t)n);
    qsort(c, (size_t)n, sizeof *c, cmp_double);
    return n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
}

static void bar(const char *label, double seconds, double longest, double cores, long rss_kb)
{
    int w = longest > 0 ? (int)lround(seconds / longest * BAR_WIDTH) : 0;
    if (w < 1 && seconds > 0)
        w = 1;
    printf("  %-10s %8.3f s  ", label, seconds);
    for (int i = 0; i < BAR_WIDTH; i++)
        putchar(i < w ? '#' : ' ');
    printf("  %.1f cores, %ld MB\n", cores, rss_kb / 1024);
}

/* One of the three programs of the comparison, and its samples. */
struct timed {
    const char *label;
    const char *bin; /* a C driver, or NULL for the Python program */
    double wall[ROUNDS], cpu[ROUNDS], cores[ROUNDS];
    long rss_kb;
};

static int time_one(struct run *r, const char *python, struct timed *t, int round, char **why)
{
    const struct kata *k = r->kata;
    struct perf_sample s;
    int rc = t->bin ? perf_run(r, t->bin, k->python_args, k->npython_args, FULL_TIMEOUT, 0, &s, why)
                    : py_run(r, python, k->python_args, k->npython_args, FULL_TIMEOUT, &s, why);
    if (rc == 0 && round >= 0) {
        t->wall[round] = s.wall;
        t->cpu[round] = s.cpu;
        t->cores[round] = s.wall > 0 ? s.cpu / s.wall : 0;
        if (s.rss_kb > t->rss_kb)
            t->rss_kb = s.rss_kb;
    }
    return rc;
}

int python_compare_print(struct run *r)
{
    const struct kata *k = r->kata;
    if (!k->python_program) {
        fprintf(stderr, "kata: %s has no Python program (no \"python\" in its kata.json)\n",
                k->name);
        return 2;
    }
    char *python = find_python(r);
    if (!python)
        return error("no python3 on the PATH: the comparison needs it (apt-get install "
                     "python3)");
    char *diag = NULL;
    char *ref = build_driver(r, DRIVER_PERF, k->solution, &diag);
    free(diag);
    diag = NULL;
    char *solution = real_path(k->solution);
    int learner_is_ref = !strcmp(solution, r->src_real);
    free(solution);
    char *mine = learner_is_ref ? NULL : build_driver(r, DRIVER_PERF, NULL, &diag);
    free(diag);
    if (!ref) {
        free(python);
        free(mine);
        return error("the reference's timed build failed");
    }
    struct timed progs[3] = {{.label = "yours", .bin = mine},
                             {.label = "reference", .bin = ref},
                             {.label = "python", .bin = NULL}};
    struct timed *v[3];
    int n = 0;
    if (mine)
        v[n++] = &progs[0];
    v[n++] = &progs[1];
    v[n++] = &progs[2];
    printf("%s beside Python: the same work (", k->name);
    for (int i = 0; i < k->npython_args; i++)
        printf("%s%s", i ? " " : "", k->python_args[i]);
    printf("), timed in turn\n");
    if (!mine && !learner_is_ref)
        printf("  (your file does not build: `make kata NAME=%s` shows why; "
               "the reference and Python only)\n",
               k->name);
    printf("\n");
    fflush(stdout);
    int rc = 0;
    char *why = NULL;
    /* a warm-up of each: the page cache, the interpreter's modules, the CPU's clock */
    for (int round = -1; round < ROUNDS && !rc; round++)
        for (int i = 0; i < n && !rc; i++)
            if ((rc = time_one(r, python, v[i], round, &why)) != 0)
                printf("  %s: %s\n", v[i]->label, why ? why : "did not run");
    if (rc) {
        free(why);
        free(python);
        free(mine);
        free(ref);
        return rc < 0 ? -1 : 1;
    }
    double ratio[ROUNDS], lo = INFINITY, hi = 0;
    for (int j = 0; j < ROUNDS; j++) {
        ratio[j] = progs[2].wall[j] / progs[1].wall[j];
        lo = fmin(lo, ratio[j]);
        hi = fmax(hi, ratio[j]);
    }
    double longest = 0;
    for (int i = 0; i < n; i++)
        longest = fmax(longest, median(v[i]->wall, ROUNDS));
    for (int i = 0; i < n; i++)
        bar(v[i]->label, median(v[i]->wall, ROUNDS), longest, median(v[i]->cores, ROUNDS),
            v[i]->rss_kb);
    double m = median(ratio, ROUNDS);
    printf("\n  median of %d rounds, run in turn (%s) after a warm-up\n", ROUNDS,
           mine ? "yours, reference, python" : "reference, python");
    printf("  python / reference: %.2fx (the rounds: %.2fx to %.2fx)\n", m, lo, hi);
    /* CPU time: a busy machine stretches both programs' wall time, and their ratio with
     * it, far more than the work each did */
    double cpu_ratio[ROUNDS];
    for (int j = 0; j < ROUNDS; j++)
        cpu_ratio[j] = progs[1].cpu[j] > 0 ? progs[2].cpu[j] / progs[1].cpu[j] : 0;
    double mc = median(cpu_ratio, ROUNDS);
    printf("  in CPU time:        %.2fx (%.3f s against %.3f s)\n", mc,
           median(progs[2].cpu, ROUNDS), median(progs[1].cpu, ROUNDS));
    if (mine) {
        double mr[ROUNDS];
        for (int j = 0; j < ROUNDS; j++)
            mr[j] = progs[0].wall[j] / progs[1].wall[j];
        printf("  python / yours:     %.2fx\n",
               median(progs[2].wall, ROUNDS) / median(progs[0].wall, ROUNDS));
        printf("  yours / reference:  %.2fx\n", median(mr, ROUNDS));
    }
    /* what the program said on its last run: its answer, and for the I/O katas how much of
     * its time the downloads took (the rest is the interpreter starting and importing) */
    char *log = work_path(r, "python.log");
    char *said = read_file(log, 4096, NULL);
    char *last = said ? strrchr(rtrim(said), '\n') : NULL;
    printf("\n  %s said: %s\n", k->python_program, said ? (last ? last + 1 : said) : "");
    printf("  Why the gap is what it is: katas/%s/README.md, \"Beside Python\".\n", k->name);
    free(said);
    free(log);
    printf("python/reference: %s %.3f %.3f %.2f %.2f\n", k->name, median(progs[2].wall, ROUNDS),
           median(progs[1].wall, ROUNDS), m, mc);
    free(python);
    free(mine);
    free(ref);
    return 0;
}

void python_perf_line(struct run *r, const char *reference, double reference_seconds,
                      struct stage_result *out)
{
    const struct kata *k = r->kata;
    if (r->python != PYTHON_LINE || !k->python_program)
        return;
    char *python = find_python(r);
    if (!python)
        return; /* no python3 here: nothing to compare with, and nothing wrong */
    struct perf_sample s, rs = {.wall = reference_seconds};
    char *why = NULL;
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, out->details ? out->details : "");
    int rc = same_as_perf(k) ? 0
                             : perf_run(r, reference, k->python_line_args, k->npython_line_args,
                                        LINE_TIMEOUT, 0, &rs, NULL);
    if (rc == 0)
        rc = py_run(r, python, k->python_line_args, k->npython_line_args, LINE_TIMEOUT, &s, &why);
    if (rc == 0 && same_as_perf(k)) {
        sb_addf(&sb,
                "%-10s %8.3f s  %.1fx the reference's time, the tutorial's way (one run; "
                "PYTHON=1 times them in turn)\n",
                "python", s.wall, s.wall / rs.wall);
    } else if (rc == 0) {
        /* a smaller workload, so that this one run stays cheap: say which */
        sb_addf(&sb, "%-10s %8.3f s  %.1fx the reference's %.3f s on `", "python", s.wall,
                s.wall / rs.wall, rs.wall);
        for (int i = 0; i < k->npython_line_args; i++)
            sb_addf(&sb, "%s%s", i ? " " : "", k->python_line_args[i]);
        sb_puts(&sb, "`, the tutorial's way (one run each; PYTHON=1 times them in turn)\n");
    } else
        sb_addf(&sb, "%-10s not timed: %s\n", "python", why ? why : "the reference failed");
    free(out->details);
    out->details = sb_detach(&sb);
    free(why);
    free(python);
}
