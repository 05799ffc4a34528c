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
 *   points       what each stage is worth when it passes, e.g. {"test": 6, "perf": 4}; a
 *                stage it leaves out (or a kata without it) is worth default_points(stage)
 *   python       the Python program of the lesson and the argv it and the driver share
 */
struct kata {
    char *name;
    int order;
    char *title;
    char *stages[MAX_STAGES];
    int nstages;
    int points[MAX_STAGES]; /* points[i]: what stages[i] earns when it passes */
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
    double perf_bound;     /* the learner's time over the reference's; 0 when there is no perf */
    int perf_threads;      /* threads the timed workload asks for (default: perf.args[0]) */
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

/* Every path here is relative to the current folder, which `kata` makes the repository root
 * before it does anything else (the unit tests chdir into their scratch repositories). */

/* The points a stage is worth when the kata's metadata does not say: build 1, test 4, tsan 2,
 * helgrind 1, drd 1, asan 1, perf 2; any other stage 1. */
int default_points(const char *stage);

/* Loads one kata by its exact name from katas/<name>/kata.json. Returns a new kata (free with
 * kata_free), or NULL with an error printed when it does not exist or its metadata is
 * malformed ("points" that is not an object, names a stage the kata lacks, or gives a value
 * that is not a whole number from 0 to 1000). */
struct kata *kata_load(const char *name);
void kata_free(struct kata *k);

/* Loads every kata under katas/, sorted by order. Returns the count (0 when none), or -1 with
 * an error printed; *out is a new array the caller frees with kata_free_all. */
int kata_load_all(struct kata ***out);
void kata_free_all(struct kata **v, int n);

/*
 * The kata a learner meant by `given`, among v (n katas sorted by order). Forgiving, in
 * this order:
 *   1. the exact name;
 *   2. the number `make list` shows ("2", "02"), or the name written another way: capitals,
 *      dashes, spaces or CamelCase ("race-counter", "Race Counter", "RaceCounter"), or
 *      its path ("katas/race_counter/", "katas/race_counter/race_counter.c");
 *   3. otherwise nothing is taken, but a close name (a typo: at most two letters added,
 *      removed, changed or swapped, and closer than any other) is suggested.
 * Returns the index of the kata taken, or -1; *suggestion (if given) is then the index of the
 * close name, or -1 when there is none. *exact (if given) is 1 for step 1, 0 otherwise.
 * Allocates nothing.
 */
int kata_match(struct kata *const *v, int n, const char *given, int *exact, int *suggestion);

/* kata_load for what a learner typed: kata_match over the catalog, with a note on stderr
 * when the name was taken another way ("taking 'RaceCounter' as race_counter") and an error
 * that suggests the close name when there is one. Returns a new kata (kata_free), or NULL
 * with the error printed. */
struct kata *kata_find(const char *given);

/* Does the kata's metadata list this stage? */
int kata_has_stage(const struct kata *k, const char *stage);

/* A mutant: a known-wrong answer and the stage that must reject it, stored as a patch
 * against the kata's reference (tests/katas/<name>/mutants/<m>.patch): a header of
 * "key: value" lines (tests/EXPECTATIONS.md), a blank line, then the diff
 * (scripts/mutant-to-patch.sh makes one). */
struct mutant {
    char *path;    /* tests/katas/<name>/mutants/<m>.patch */
    char **expect; /* its "expect:" lines (NULL-terminated), e.g. "stage=tsan status=fail
                      found": what the self-test holds its verdict to */
    char *stage;   /* the stage= of its first expect: line that names one: the self-test
                      grades the build and that stage only (every stage for build) */
    char **also;   /* the other stages its lines name (NULL-terminated): each is graded
                      again on its own, held to the lines about it */
    char *what;    /* from its "mutant: <description>" line */
    int repeat;    /* from its "repeat: N" line (default 1): the self-test grades it N times,
                      and every one must reject it (for bugs that only show by chance) */
};

/* Lists the kata's mutants, sorted by file name. Returns the count (0 when none) or -1 when
 * a mutant has no expect: line with a stage=; *out is freed with mutants_free. */
int kata_mutants(const struct kata *k, struct mutant **out);
void mutants_free(struct mutant *m, int n);

/* Applies the mutant's patch to the kata's reference (patch(1), under a deadline) and
 * writes the result to build/mutants/<kata>/<m>.c. Returns that path (caller frees), or
 * NULL with an error printed when the patch does not apply. */
char *mutant_source(const struct kata *k, const struct mutant *m);

#endif
