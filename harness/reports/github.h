/* github.h: inside GitHub Actions: annotations on the learner's lines, and the job
 * summary table. */
#ifndef KATA_REPORT_GITHUB_H
#define KATA_REPORT_GITHUB_H

#include "scores.h"

#include <stdio.h>

/* Escapes text for a workflow command (as @actions/core does): the message ("data": %, CR
 * and LF become %25, %0D and %0A) or a property value (also : and , as %3A and %2C). Return
 * a new string; caller frees. NULL gives "". */
char *gh_escape_data(const char *s);
char *gh_escape_property(const char *s);

/* One workflow command line, "::<level> file=F,line=L,title=T::message\n", with every part
 * escaped; a NULL file or title, or a line of 0, is left out. level is "error", "warning" or
 * "notice". Returns a new string; caller frees. */
char *gh_annotation(const char *level, const char *file, int line, const char *title,
                    const char *message);

/* Writes the annotations for a grading to f: one per tampered file; for each graded kata,
 * at most max_per_kata from its stages' findings (compile errors and warnings, refusals and
 * races on the learner's lines, each race access in the learner's file with the other access
 * in the message and the detectors that found it merged into one; failed assertions on the
 * test's line; where each hung thread waited), and one line for a failed stage that had no
 * placed finding. Paths are made relative to $GITHUB_WORKSPACE (or the current folder).
 * Returns the number written. */
int github_annotations(FILE *f, const struct grade_summary *g, int max_per_kata);

/* Returns the job summary in GitHub-flavoured markdown (a new string; caller frees): a
 * heading with the points, a table (kata, each stage, points, time against the reference),
 * what failed and why, the integrity check and the seed. */
char *github_summary_markdown(const struct grade_summary *g);

/* When GITHUB_ACTIONS is "true": writes the annotations to f (when annotate is set) and
 * appends the summary to the file $GITHUB_STEP_SUMMARY names (when set). Does nothing
 * outside GitHub Actions. Returns 0, or -1 with an error printed when the summary file
 * cannot be written. */
int github_report(FILE *f, const struct grade_summary *g, int annotate);

#endif
