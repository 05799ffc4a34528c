/* kata.h: the catalog: each kata's files and metadata (katas/<name>/kata.json). */
#ifndef KATA_KATA_H
#define KATA_KATA_H

#include <stddef.h>

#define MAX_ARGS 16
#define MAX_HINTS 16
#define MAX_STAGES 12

/*
 * What katas/<name>/kata.json says, with every path worked out. Fields:
 *   order        position in the curriculum (1-based)
 *   title        one line
 *   stages       the stages that grade it, in order ("build", "test", "tsan", ...)
 *   detect_args  argv for the driver under the detectors (a small workload)
 *   timeouts     {"test": s, "detect": s} wall-clock deadlines per run
 *   starter_fails the stages the untouched starter must fail (the self-test checks it)
 *   hints        shown one at a time by `kata hint`
 *   libs         extra link flags, e.g. ["-lcurl"]
 *   perf         the timed workload: args (the driver's argv), single_args (the same
 *                work on one thread, for the floor), bound (largest ratio that passes)
 *   python       the Python program of the lesson and the argv it and the driver share
 */
struct kata {
    char *name;
    int order;
    char *title;
    char *stages[MAX_STAGES];
    int nstages;
    char *detect_args[MAX_ARGS];
    int ndetect_args;
    double test_timeout, detect_timeout;
    char *starter_fails[MAX_STAGES];
    int nstarter_fails;
    char *hints[MAX_HINTS];
    int nhints;
    char *libs[MAX_ARGS];
    int nlibs;
    /* "perf": {"args": [...], "single_args": [...], "bound": 1.3, "threads": 2} */
    char *perf_args[MAX_ARGS];
    int nperf_args;
    char *perf_single_args[MAX_ARGS];
    int nperf_single_args;
    double perf_bound; /* the learner's time over the reference's; 0 when there is no perf */
    int perf_threads;  /* threads the timed workload asks for (default: perf.args[0]) */
    double perf_min_cores; /* "min_reference_cores": below it the machine is too busy */
    double perf_max_over_floor; /* "max_reference_over_floor": the reference's time over
                                   the floor above which the machine is too busy */
    /* "perf": {"io_floor": {"requests": N, "concurrency": K, "latency_ms": D}}: an
     * I/O-bound workload, whose floor is ceil(N / K) latencies */
    int io_requests, io_concurrency, io_latency_ms;
    int server; /* "server": true: the stages run with a latency server (KATA_SERVER_URL) */
    /* "python": {"program": "python/<name>.py", "args": [...], "line_args": [...]}: the
     * lesson as the Python tutorials wrote it, timed beside the C (python_compare.c). The
     * kata's driver gets the same args, so that both do the same work; line_args (default:
     * args) is a workload small enough for the one run the perf stage adds. */
    char *python_program; /* katas/<name>/<program>, or NULL when the kata has none */
    char *python_args[MAX_ARGS];
    int npython_args;
    char *python_line_args[MAX_ARGS];
    int npython_line_args;

    /* paths, relative to the root */
    char *dir;      /* katas/<name> */
    char *starter;  /* katas/<name>/<name>.c: the learner's file */
    char *solution; /* solutions/<name>/<name>.c */
    char *tests;    /* tests/katas/<name>/test_<name>.c */
    char *driver;   /* tests/katas/<name>/driver.c */
    char *mutants;  /* tests/katas/<name>/mutants */
};

/* Loads one kata by name from root. Returns a new kata (free with kata_free), or NULL with
 * an error printed when it does not exist or its metadata is malformed. */
struct kata *kata_load(const char *root, const char *name);
void kata_free(struct kata *k);

/* Loads every kata under root/katas, sorted by order. Returns the count (0 when none),
 * or -1 on error; *out is a new array the caller frees with kata_free_all. */
int kata_load_all(const char *root, struct kata ***out);
void kata_free_all(struct kata **v, int n);

/* Does the kata's metadata list this stage? */
int kata_has_stage(const struct kata *k, const char *stage);

/* A mutant: a known-wrong answer and the stage that must reject it. */
struct mutant {
    char *path;     /* tests/katas/<name>/mutants/<file>.c */
    char *stage;    /* from its "rejected-by: <stage>" line */
    char *what;     /* from its "mutant: <description>" line */
    int repeat;     /* from its "repeat: N" line (default 1): the self-test grades it N times,
                       and every one must reject it (for bugs that only show by chance) */
};

/* Lists the kata's mutants, sorted by file name. Returns the count (0 when none) or -1 when
 * a mutant lacks its "rejected-by:" line; *out is freed with mutants_free. */
int kata_mutants(const char *root, const struct kata *k, struct mutant **out);
void mutants_free(struct mutant *m, int n);

#endif
