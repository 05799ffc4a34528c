/* grade_all.h: `kata grade` and `kata scoreboard`: grading a learner's katas for a class. */
#ifndef KATA_GRADE_ALL_H
#define KATA_GRADE_ALL_H

#include "run.h"

struct grade_options {
    const char *katas;     /* names separated by spaces or commas; NULL or "": every kata */
    const char *out;       /* the reports' folder; NULL: build/reports */
    const char *checksums; /* the list to check against; NULL: scripts/checksums.txt */
    int no_verify;         /* skip the integrity check (for maintainers; the summary says so) */
    const char *passed;    /* a folder of earlier passes to reuse (step 2), or NULL */
    unsigned long seed;    /* every kata's test sizes are drawn from it */
    int verbose;
    void (*graded)(const struct run *r); /* called after each graded run, or NULL */
};

/*
 * Grades a learner's katas, in five steps:
 *
 *   1. checks the protected files (tests, headers, metadata, solutions, harness) against
 *      the checksum list; when one differs, nothing is graded and every kata is an error
 *      that names the files;
 *   2. for each kata, in curriculum order: a learner's file identical to the recorded
 *      starter (scripts/starters.txt) was not attempted and is not graded; with `passed`
 *      (and a checked list), a file byte-identical to one that passed before against the
 *      same checksum list is not graded again: its score and report are those of that pass,
 *      kept in <passed>/<kata>.key (the file's and the list's SHA-256), <kata>.summary.json
 *      and <kata>.json, which every new pass writes; a file that defines or calls what the
 *      tests rely on (anticheat.h) is refused at the build stage; any other is graded stage
 *      by stage, and its verdict printed as `kata run` prints it;
 *   3. writes <out>/<kata>.json (the `kata run --format json` result, plus "attempted",
 *      "points" and "possible"), <out>/summary.json (scores.h) and <out>/junit.xml;
 *   4. prints the scoreboard;
 *   5. inside GitHub Actions, prints annotations and appends the job summary.
 *
 * Returns the exit code: 0 when every attempted kata passed, and also when none was
 * attempted (the message says so); 1 when one failed; 2 when a kata name is unknown; 3 when
 * the files were tampered with or the harness failed.
 */
int grade_all(const struct grade_options *o);

/* Merges the summaries that `kata grade` wrote in separate jobs: each path is a summary.json,
 * or a folder holding one directly or one level down (an artifact per job). Writes the merged
 * <out>/summary.json and <out>/junit.xml, prints the scoreboard and, inside GitHub Actions,
 * appends the job summary. Returns the exit code as grade_all does (3 also when no summary
 * was found or one cannot be read). */
int scoreboard_merge(const char *const *paths, int n, const char *out);

#endif
