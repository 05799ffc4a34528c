/* scores.h: points per kata and stage, the class summary (summary.json) and the scoreboard. */
#ifndef KATA_SCORES_H
#define KATA_SCORES_H

#include "checksums.h"
#include "run.h"
#include "kata.h"

#include <stdio.h>

/*
 * Points. A kata earns a stage's points when that stage passes, and nothing for a stage that
 * failed, was skipped or was not graded. The weights come from the kata's metadata,
 *
 *     "points": {"build": 1, "test": 4, "tsan": 2}
 *
 * and a stage the object leaves out (or a kata without one) gets the default below.
 */
/* The default points of a stage: build 1, test 4, tsan 2, helgrind 1, drd 1, asan 1, perf 2;
 * any other stage 1. */
int default_points(const char *stage);

/* Reads the weights of k's stages from root/katas/<name>/kata.json into weights[i] for
 * k->stages[i]. Returns 0, or -1 with an error printed when "points" is not an object, names
 * a stage the kata does not have, or gives a value that is not a whole number >= 0. */
int stage_weights(const char *root, const struct kata *k, int weights[MAX_STAGES]);

enum grade_state { GRADE_PASS, GRADE_FAIL, GRADE_ERROR, GRADE_NOT_ATTEMPTED };

/* "pass", "fail", "error", "not attempted". */
const char *grade_state_word(enum grade_state s);

/* One stage of one kata, as scored. Strings are owned. */
struct stage_score {
    char *name;
    enum status status;
    int points, possible;
    double seconds;
    char *summary; /* the stage's one line, or NULL */
    int perf_measured;
    double learner, reference, ratio, bound; /* median seconds, and learner over reference */
};

/* One kata, as scored. Strings are owned; `run` is not (it is NULL when the kata was not
 * graded, or when the score was read back from a summary). */
struct kata_score {
    char *kata, *title;
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

/* Scores a finished run: each stage of the run with its weight, the run's state and message. */
void score_run(struct kata_score *s, const struct run *r, const int weights[MAX_STAGES]);
/* Scores a kata that was not graded: every stage skipped with `note` as its line, no points.
 * state is GRADE_NOT_ATTEMPTED or GRADE_ERROR; message is copied. */
void score_not_graded(struct kata_score *s, const struct kata *k, const int weights[MAX_STAGES],
                      enum grade_state state, const char *message, const char *note,
                      unsigned long seed);
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
 *    "katas": [{"name", "title", "order", "status", "graded", "message", "points", "possible",
 *               "duration", "seed", "stages": [{"name", "status", "points", "possible",
 *               "duration", "message", "perf"?: {"learner_seconds", "reference_seconds",
 *               "ratio", "bound"}}]}]} */
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
