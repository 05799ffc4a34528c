/* run.h: one grading run's data: its inputs, its work paths and each stage's result. */
#ifndef KATA_RUN_H
#define KATA_RUN_H

#include "findings.h"
#include "kata.h"

enum status { ST_PASS, ST_FAIL, ST_SKIP, ST_ERROR };

/* The word for a status: "pass", "fail", "skip", "error". A static string. */
const char *status_word(enum status s);

/* One Criterion test of the test stage, for the reports (JSON tests[], JUnit testcases).
 * Strings are owned. */
struct test_case {
    char *name;         /* "suite/test" as Criterion lists it */
    enum status status; /* ST_PASS, ST_FAIL, ST_ERROR (it crashed or hung: no assertion
                           decided), or ST_SKIP when it was not run after a hang */
    double seconds;
    char *message; /* why it failed, in the learner's terms, or NULL */
    char *output;  /* what the test printed on stdout (the learner's code), or NULL */
};

/* The outcome of one stage. All strings are owned by the result. */
struct stage_result {
    const char *name; /* "build", "test", ... (static) */
    enum status status;
    double seconds;
    char *summary; /* one line in the learner's terms */
    char *details; /* further lines: compiler messages, failed tests, blocked threads */
    char *raw;     /* the tool's own output, shown with V=1 */
    char *picture; /* an SVG of what went wrong (explore's interleaving), or NULL; the
                      grading writes it to picture_path */
    char *picture_path;
    struct findings findings;
    int hidden;    /* findings outside the learner's file, not counted */
    int hung;      /* the stage ended at a deadline */
    int exhausted; /* the stage ended when the program ran out of memory */
    int spinning;  /* at the deadline a thread in the learner's file was running */
    struct perf_numbers {
        int measured;                          /* the numbers below are set */
        double learner, reference, floor;      /* median wall seconds; floor 0 when unknown */
        int io;                                /* the floor is in latencies, not CPU time */
        double ratio, bound;                   /* median of the per-pair ratios, and the limit */
        double learner_cores, reference_cores; /* CPU time over wall time */
        long learner_rss_kb, reference_rss_kb;
        int pairs;
        long peak_in_flight; /* I/O katas: the most requests the learner had in flight */
        int busy;            /* the stage's ERROR: the machine was too busy to time this fairly */
    } perf;
    struct test_case *tests; /* the test stage: each test, in the order run; its failures
                                are in `findings` too */
    int ntests;
};

/* One grading run: inputs, the paths it works in, and the results. */
struct run {
    /* inputs */
    const struct kata *kata;
    const char *src;        /* the learner's file as given */
    unsigned long seed;     /* test sizes are drawn from it (KATA_SEED) */
    const char *only_stage; /* run build and this stage only, or NULL for all */
    int verbose;
    int python; /* enum python_mode (stages/python.h): 0, none */

    /* worked out by grade_run */
    char *src_real;     /* resolved path of src */
    char *work;         /* build/run/<kata>/<tag>: logs and reports of this run */
    char *cache;        /* build/cache/<kata>: compiled binaries */
    char *include_flag; /* -Ikatas/<name> */

    char *isolation; /* which sandbox held: "bubblewrap" or "none: <why>" (sandbox.h) */
    char *limits;    /* the limits that held for learner code, in one line */

    int lock_fd;                   /* held while the work folder is in use */
    struct latency_server *server; /* started for katas whose metadata asks for one */
    char *server_env;              /* "KATA_SERVER_URL=http://127.0.0.1:PORT" */

    /* results */
    struct stage_result stages[MAX_STAGES];
    int nstages;
    enum status status; /* ST_PASS, ST_FAIL, or ST_ERROR when the harness failed */
    double seconds;
};

/* The result of the named stage, or NULL when it did not run. */
const struct stage_result *run_stage(const struct run *r, const char *name);

#endif
