/* scratch.h: the scratch folder a harness test works in, made under /tmp and removed after
 * the test whatever its outcome, and the files a test writes (what test_kata, test_checksums,
 * test_progress, test_grade_all, test_watch and test_spawn used to write each for itself). */
#ifndef KATA_TEST_SCRATCH_H
#define KATA_TEST_SCRATCH_H

/* The folder, or "" when the test made none. */
extern char scratch_dir[64];

/* Makes /tmp/kata-test-<what>-XXXXXX (fails the test when it cannot). */
void scratch_make(const char *what);

/* scratch_make, then works inside the folder, as `kata` works inside the repository root. */
void scratch_enter(const char *what);

/* Removes the folder, if the test made one: a suite's .fini. */
void scratch_remove(void);

/* <scratch_dir>/<name>, a new string. */
char *scratch_path(const char *name);

/* Writes text to path (relative to the current folder, or absolute), its folder made first;
 * fails the test when it cannot. */
void put_file(const char *path, const char *text);

#endif
