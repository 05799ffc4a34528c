/* grading.h: what the harness's stage tests share: a real grading of a small learner file
 * (tests/harness/data/src/) through the `kata` command, read as the learner reads it. */
#ifndef KATA_TEST_GRADING_H
#define KATA_TEST_GRADING_H

/* Sets up a suite that grades: the process-wide set-up of `kata` (spawn_init), stdout and
 * stderr redirected (the verdict is read back from stdout), no colour, no SEED. Give it as
 * the suite's .init. */
void grading_setup(void);

/* The verdict of `kata run <kata> --src <src> --stage <stage>`, which must exit 1 (failed):
 * a new string. Run from the repository root. */
char *grade_failing(const char *kata, const char *src, const char *stage);

/* Fails the test unless `verdict` says `words` (or, for lacks, does not). */
void verdict_says(const char *verdict, const char *words);
void verdict_lacks(const char *verdict, const char *words);

#endif
