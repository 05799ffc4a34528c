/* stage.h: the stages' entry points, and the helpers they share (stage.c). Only grade.c
 * calls the entry points; the stages call nothing above this header. */
#ifndef KATA_STAGE_H
#define KATA_STAGE_H

#include "run.h"
#include "spawn.h"

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
int stage_explore(struct run *r, struct stage_result *out);

/* Helpers the stages share (stage.c). */
/* The kata's driver (a plain main) linked with the learner's file, in one of these builds. */
enum driver_build {
    DRIVER_PLAIN,   /* gcc -O0 -g -no-pie: for Valgrind (absolute addresses name globals); the
                     learner's object with -fsanitize=thread, linked with
                     harness/runtime/valgrind_atomics.c instead of libtsan */
    DRIVER_TSAN,    /* gcc -fsanitize=thread -O0 -g (optimised, code can be merged to line 0) */
    DRIVER_PERF,    /* gcc -O2 -g: the timed build, the same for learner and reference */
    DRIVER_ASAN,    /* gcc -fsanitize=address,undefined -O1 -g */
    DRIVER_EXPLORE, /* the kata's explore.c (not its driver.c), -O2 -no-pie; the learner's
                       object with -fsanitize=thread -O0, linked with
                       harness/runtime/explore.c instead of libtsan and its pthread calls
                       sent there (-Wl,--wrap=...) */
};
/* Every build is gcc's, from one preprocessed unit (stages/source.h): a sanitizer build with
 * another compiler would need the file preprocessed for that compiler, and could be told
 * apart. Builds (or finds in the cache) the driver linked with `src` (NULL: the learner's file).
 * Returns its path (caller frees) or NULL; *diagnostics gets the compiler's output. */
char *build_driver(struct run *r, enum driver_build kind, const char *src, char **diagnostics);
/* The same, and (code not NULL) where the learner's code lies in the binary (empty when the
 * linker's map could not be read; release it with code_map_release). */
char *build_driver_mapped(struct run *r, enum driver_build kind, const char *src,
                          char **diagnostics, struct code_map *code);
/* The linker flag that sends the pthread calls the explore runtime models to it
 * (harness/runtime/explore.c defines a __wrap_ for each). */
extern const char explore_wraps[];
/* The linker flag that sends the learner's C11 <threads.h> calls to
 * harness/runtime/c11_threads.c, which makes them as the pthread calls every build hooks. */
extern const char c11_thread_wraps[];
/* The kata's explore driver (explore.c beside its driver.c), a new string. */
char *explore_driver(const struct run *r);
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
