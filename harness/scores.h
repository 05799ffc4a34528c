/* scores.h: points per kata and stage, the class summary (summary.json) and the scoreboard. */
#ifndef KATA_SCORES_H
#define KATA_SCORES_H

#include "checksums.h"
#include "run.h"
#include "kata.h"

#include <stdio.h>

/*
 * Points. A kata earns a stage's points when that stage passes, and nothing for a stage that
 * failed, was skipped or was not graded. What each stage is worth is the kata's (kata.h:
 * k->points, from "points" in kata.json, or default_points()).
 */

enum grade_state { GRADE_PASS, GRADE_FAIL, GRADE_ERROR, GRADE_NOT_ATTEMPTED };

/* "pass", "fail", "error", "not attempted". */
const char *grade_state_word(enum grade_state s);

/* One Criterion test of a test stage, as scored. Strings are owned. */
struct test_score {
    char *name;         /* "suite/test" */
    enum status status; /* ST_PASS, ST_FAIL, or ST_SKIP (not run after a hang) */
    double seconds;
    char *message; /* its first failure in a line, or NULL */
    char *file;    /* where that failure was (a test's assertion: the test's file), or NULL */
    int line;
};

/* One stage of one kata, as scored. Strings are owned. */
struct stage_score {
    char *name;
    enum status status;
    int points, possible;
    double seconds;
    char *summary; /* the stage's one line, or NULL */
    int perf_measured;
    double learner, reference, ratio, bound; /* median seconds, and learner over reference */
    char *file; /* the first place in the learner's file its findings name (relative to the */
    int line;   /* repository), or NULL and 0 */
    struct test_score *tests; /* the test stage: one per Criterion test, in the order run */
    int ntests;
};

/* One kata, as scored. Strings are owned; `run` is not (it is NULL when the kata was not
 * graded, or when the score was read back from a summary). */
struct kata_score {
    char *kata, *title;
    char *source; /* the learner's file, relative to the repository ("katas/x/x.c"), or NULL */
    int order;
    enum grade_state state;
    int graded;    /* its stages ran (a refused file counts); 0: not attempted, or not graded */
    char *message; /* why it failed, was not graded or is an error; NULL when it passed */
    int points, possible;
    double seconds;
    unsigned long seed;
    char *isolation; /* which sandbox held (run.h), or NULL when not graded */
    struct stage_score stages[MAX_STAGES];
    int nstages;
    const struct run *run;
};

/* Scores a finished run: each stage of the run with its points, the run's state and message. */
void score_run(struct kata_score *s, const struct run *r);
/* Scores a kata that was not graded: every stage skipped with `note` as its line, no points.
 * state is GRADE_NOT_ATTEMPTED or GRADE_ERROR; message is copied. */
void score_not_graded(struct kata_score *s, const struct kata *k, enum grade_state state,
                      const char *message, const char *note, unsigned long seed);
void kata_score_release(struct kata_score *s);

/* The whole grading: what `kata grade` writes to summary.json and `kata scoreboard` reads. */
struct grade_summary {
    unsigned long seed;
    int has_seed;          /* 0 when merged summaries had different seeds */
    int integrity_checked; /* 0 when grading ran with --no-verify */
    char *list;            /* the checksum list checked against, or NULL */
    char list_sha256[65];  /* its digest ("" when unknown) */
    struct tampered *tampered;
    int ntampered; /* 0: intact (when checked) */
    struct kata_score *katas;
    int nkatas;
};

/* Totals over a summary's katas. */
struct grade_totals {
    int points, possible;
    int attempted, passed, failed, errors, not_attempted;
};
struct grade_totals summary_totals(const struct grade_summary *g);

/* The overall state: GRADE_ERROR when the files were tampered with or a kata is an error,
 * else GRADE_FAIL when an attempted kata failed, else GRADE_NOT_ATTEMPTED when none was
 * attempted, else GRADE_PASS. */
enum grade_state summary_state(const struct grade_summary *g);

/* The exit code that goes with it: 3 error, 1 fail, 0 pass or nothing attempted. */
int summary_exit_code(const struct grade_summary *g);

/* Returns summary.json as a new string (caller frees):
 *   {"version": 1, "status", "points", "possible", "seed",
 *    "integrity": {"checked", "ok", "list", "list_sha256", "tampered": [{"path", "what"}]},
 *    "katas": [{"name", "title", "source", "order", "status", "graded", "message", "points",
 *               "possible", "duration", "seed", "stages": [{"name", "status", "points",
 *               "possible", "duration", "message", "file"?, "line"?, "perf"?:
 *               {"learner_seconds", "reference_seconds", "ratio", "bound"}, "tests"?:
 *               [{"name", "status", "duration", "message"?, "file"?, "line"?}]}]}]} */
char *summary_to_json(const struct grade_summary *g);

/* Reads summary.json text into *g (zeroed first; release with summary_release). Returns 0,
 * or -1 with an error printed (naming `what`, e.g. the file) when it is not a summary. */
int summary_from_json(const char *text, const char *what, struct grade_summary *g);

/* Moves every kata and tampered file of src into dst (a kata dst already has is replaced)
 * and combines seeds and integrity; src is left empty. Keeps dst's katas in curriculum
 * order. */
void summary_merge(struct grade_summary *dst, struct grade_summary *src);
void summary_release(struct grade_summary *g);

/* The stage columns for a table of these katas: the usual stages in their usual order, then
 * any other in the order first seen. Returns the count (at most max); names point into g. */
int summary_columns(const struct grade_summary *g, const char **cols, int max);

/* The stage of a kata's score with this name, or NULL. */
const struct stage_score *score_stage(const struct kata_score *s, const char *name);

/* Prints the scoreboard: a row per kata (each stage's pass/fail, points, time against the
 * reference), totals, and the seed to replay with. */
void scoreboard_text(FILE *f, const struct grade_summary *g);

#endif
