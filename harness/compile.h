/* compile.h: compile and link learner code, with a cache keyed by content and flags. */
#ifndef KATA_COMPILE_H
#define KATA_COMPILE_H

#include "util.h"

/*
 * One compiler run: `cc flags... sources... -o <out>`. The output lands in
 * <cache_dir>/<label>-<key>, where the key is the SHA-256 of the compiler, every flag and
 * every byte of every source and extra input (headers), so an unchanged file is never
 * compiled twice and a changed one always is, even past a NUL byte.
 */
struct compile_job {
    const char *cc;                /* "gcc", or a tool run the same way ("objcopy") */
    const char *const *flags;      /* before the sources, NULL-terminated */
    const char *const *sources;    /* NULL-terminated */
    const char *const *link_flags; /* after the sources, NULL-terminated, or NULL */
    const char *const *inputs;     /* further files the result depends on, or NULL */
    const char *label;             /* names the output: "test", "tsan", ... */
    const char *cache_dir;
    double timeout;        /* seconds; 0 means 60 */
    int output_positional; /* the output's path comes last, without -o (objcopy IN OUT) */
};

/* Compiles the job. Returns a new string with the output's path (caller frees) or NULL
 * when the compiler failed; *diagnostics (if given) receives a new string with everything
 * the compiler printed (caller frees). *cached says whether the cache answered. */
char *compile(const struct compile_job *job, char **diagnostics, int *cached);

#endif
