/* grade.h: grading one learner file against one kata, stage by stage. */
#ifndef KATA_GRADE_H
#define KATA_GRADE_H

#include "findings.h"
#include "kata.h"
#include "spawn.h"

enum status { ST_PASS, ST_FAIL, ST_SKIP, ST_ERROR };

/* The outcome of one stage. All strings are owned by the result. */
struct stage_result {
    const char *name;  /* "build", "test", ... (static) */
    enum status status;
    double seconds;
    char *summary;     /* one line in the learner's terms */
    char *details;     /* further lines: compiler messages, failed tests, blocked threads */
    char *raw;         /* the tool's own output, shown with V=1 */
    struct findings findings;
    int hidden;        /* findings outside the learner's file, not counted */
    int hung;          /* the stage ended at a deadline */
    int exhausted;     /* the stage ended when the program ran out of memory */
    int spinning;      /* at the deadline a thread in the learner's file was running */
    struct perf_numbers {
        int measured;       /* the numbers below are set */
        double learner, reference, floor; /* median wall seconds; floor 0 when unknown */
        int io;                           /* the floor is in latencies, not CPU time */
        double ratio, bound;              /* median of the per-pair ratios, and the limit */
        double learner_cores, reference_cores; /* CPU time over wall time */
        long learner_rss_kb, reference_rss_kb;
        int pairs;
        long peak_in_flight; /* I/O katas: the most requests the learner had in flight */
    } perf;
};

/* One grading run: inputs, the paths it works in, and the results. */
struct run {
    /* inputs */
    const char *root;         /* the repository root */
    const struct kata *kata;
    const char *src;          /* the learner's file as given */
    unsigned long seed;       /* test sizes are drawn from it (KATA_SEED) */
    const char *only_stage;   /* run build and this stage only, or NULL for all */
    int verbose;
    int python;               /* enum python_mode (python_compare.h): 0, none */

    /* worked out by grade_run */
    char *src_real;           /* resolved path of src */
    char *work;               /* build/run/<kata>/<tag>: logs and reports of this run */
    char *cache;              /* build/cache/<kata>: compiled binaries */
    char *include_flag;       /* -I<root>/katas/<name> */

    int lock_fd;                   /* held while the work folder is in use */
    struct latency_server *server; /* started for katas whose metadata asks for one */
    char *server_env;              /* "KATA_SERVER_URL=http://127.0.0.1:PORT" */

    /* results */
    struct stage_result stages[MAX_STAGES];
    int nstages;
    enum status status;       /* ST_PASS, ST_FAIL, or ST_ERROR when the harness failed */
    double seconds;
};

/* Grades r->src against r->kata: runs each of the kata's stages in order (build first;
 * a stage that cannot be meaningful after an earlier failure is skipped) and fills in the
 * results. Returns 0 when grading happened (whatever the verdict) or -1 when the harness
 * itself failed. Free with run_release. */
int grade_run(struct run *r);
void run_release(struct run *r);

/* Works out r's paths, makes its work folder and starts its latency server if the kata
 * needs one; grade_run calls it. Returns 0 or -1. Release with run_release. */
int run_prepare(struct run *r);

/* One timed run of a built driver with `args`: wall and CPU seconds and peak RSS in *s.
 * Returns 0 when it exited 0, 1 when it ran but failed (*why, if given, gets a new string
 * saying how), -1 when it could not be started. (stage_perf.c) */
struct perf_sample {
    double wall, cpu;
    long rss_kb;
};
int perf_run(struct run *r, const char *bin, char *const *args, int nargs, double timeout,
             struct perf_sample *s, char **why);

/* `kata curve`: times the learner's and the reference's perf driver at 1, 2, 4 and 8 threads
 * (perf.args with the thread count replaced) and prints both speedup curves beside the
 * ideal. Returns 0, or -1 when the harness failed. (curve.c) */
int curve_print(struct run *r);

/* The result of the named stage, or NULL when it did not run. */
const struct stage_result *run_stage(const struct run *r, const char *name);

/* Defaults for untrusted runs: a CPU limit above the deadline, memory, output size,
 * descriptors and processes. memory_mb is 0 for sanitizer runs (RLIMIT_AS breaks them). */
struct limits learner_limits(double timeout, int sanitizer);

/* The stages, one file each. Each fills in `out` and returns 0, or -1 when the harness
 * failed (out->status is then ST_ERROR). */
int stage_build(struct run *r, struct stage_result *out);
int stage_test(struct run *r, struct stage_result *out);
int stage_tsan(struct run *r, struct stage_result *out);
int stage_helgrind(struct run *r, struct stage_result *out);
int stage_drd(struct run *r, struct stage_result *out);
int stage_perf(struct run *r, struct stage_result *out);
int stage_asan(struct run *r, struct stage_result *out);

/* Helpers the stages share (grade.c). */
/* The kata's driver (a plain main) linked with the learner's file, in one of these builds. */
enum driver_build {
    DRIVER_PLAIN, /* gcc -O0 -g -no-pie: for Valgrind (absolute addresses name globals) */
    DRIVER_TSAN,  /* clang -fsanitize=thread -O0 -g (at -O1 clang can merge code to line 0) */
    DRIVER_PERF,  /* gcc -O2 -g: the timed build, the same for learner and reference */
    DRIVER_ASAN,  /* clang -fsanitize=address,undefined -O1 -g */
};
/* Builds (or finds in the cache) the driver linked with `src` (NULL: the learner's file).
 * Returns its path (caller frees) or NULL; *diagnostics gets the compiler's output. */
char *build_driver(struct run *r, enum driver_build kind, const char *src, char **diagnostics);
/* Sets a stage's summary from a format. */
void stage_say(struct stage_result *s, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The path of a file in the run's work folder; a new string. */
char *work_path(const struct run *r, const char *name);
/* The compiler flags for learner code: C11 and the house warnings, no -Werror. */
extern const char *const learner_warnings[];
/* The seed, as an environment entry ("KATA_SEED=123"); a static buffer per run. */
const char *seed_env(const struct run *r);
/* "KATA_SERVER_URL=<url>" when the run has a latency server, else NULL: put it last in a
 * NULL-terminated environment list. */
const char *server_env(const struct run *r);

#endif
