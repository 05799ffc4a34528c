/* progress.h: the learner's progress: each kata's last full grading, tied to the file it graded,
 * and the hints already seen. */
#ifndef KATA_PROGRESS_H
#define KATA_PROGRESS_H

#include "kata.h"
#include "run.h"

#include <stddef.h>

/*
 * The only owner of build/state/<name> and build/hints/<name>; `kata run`, `kata grade`,
 * `kata watch`, `kata list`, `kata hint` and scripts/solution.sh (through `kata progress`)
 * all go through here. A state file holds at most two lines, each with the SHA-256 of the
 * learner's file as it was graded:
 *
 *     pass <64 hex digits>          the last full grading that passed
 *     fail <stage> <64 hex digits>  the last full grading, when it failed (first failed stage)
 *
 * Only a full grading of the learner's own katas/<name>/<name>.c is recorded: a run of one
 * stage (STAGE=) or of another file (SRC=) says nothing about the kata, and neither does a
 * harness error. A file that is still the starter as shipped (scripts/starters.txt) is "not
 * started", whatever was recorded before. A pass is kept when the file changes afterwards,
 * even when the changed file fails: it is shown as passed and edited since.
 */
enum progress_state { PROGRESS_NOT_STARTED, PROGRESS_FAILING, PROGRESS_PASSED };

struct progress {
    enum progress_state state;
    char stage[32]; /* the first stage that failed ("?" when unknown): when failing, or when
                       passed and the file as it is now failed since; else "" */
    int edited;     /* the file is not the one graded (changed, or gone) */
    int missing;    /* the learner's file does not exist */
};

/* What is known of kata k: fills *p from build/state/<name> and the file as it is now.
 * A state file that cannot be read, or lines it does not know (an older harness wrote "passed"
 * without a digest), count as not started. Never fails. */
void progress_read(const struct kata *k, struct progress *p);

/* The state in a few words, as `kata list` shows it: "passed", "passed, edited since",
 * "passed, edited since: failing at build", "failing at tsan", "failing at tsan, edited
 * since", "not started", "file missing" (", file missing" after a state).
 * Returns buf (n bytes). */
const char *progress_words(const struct progress *p, char *buf, size_t n);

/* Has kata k been passed (edited since or not)? */
int progress_passed(const struct kata *k);

/* Records a finished grading when it says something about the kata (see above). graded_sha
 * is the SHA-256 of the learner's file taken before grading (so a save during the grading is
 * not taken for the graded file), or NULL to take it now. Returns 1 when recorded, 0 when the
 * run was not one to record (and for an untouched starter, whose old state is removed), or
 * -1 with an error printed when the state cannot be written. */
int progress_record(const struct run *r, const char *graded_sha);

/* Forgets what was recorded for kata `name` (after `make reset`). Returns 0, or -1 with an
 * error printed when the state file exists and cannot be removed. */
int progress_forget(const char *name);

/* The kata to work on after v[current] (curriculum order, v sorted by order): the first one
 * after it that has not passed, else the first before it that has not. -1 when every kata
 * but v[current] has passed. current may be -1: the first kata not passed (the current
 * kata, for `make watch`, `make kata` and `make hint` without NAME). */
int progress_next(struct kata *const *v, int n, int current);

/* The hint to show next for kata k (0-based), and remembers that it was shown. *again is set
 * to 1 when every hint had been seen and they start over from the first. Returns -1 when the
 * kata has no hints. */
int progress_take_hint(const struct kata *k, int *again);

#endif
