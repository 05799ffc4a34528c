/* recordings.h: what the harness's parser tests share: the recorded tool outputs in
 * tests/harness/data, the programs they were recorded from, and asserts on findings.
 * The tests run from the repository root. */
#ifndef KATA_TEST_RECORDINGS_H
#define KATA_TEST_RECORDINGS_H

#include "findings.h"

#define DATA "tests/harness/data/"

/* The text of tests/harness/data/<name> (fails the test when it cannot be read). A new
 * string; the caller frees it. */
char *recording(const char *name);

/* The resolved path of a recorded program's source, tests/harness/data/src/<file>, as the
 * harness passes it for the learner's file. A new string. */
char *recorded_source(const char *file);

/* The access of f whose op is op ("read", "write"), so that a re-recording that reports
 * the two sides in the other order still passes; fails the test when there is none. */
const struct access *with_op(const struct finding *f, const char *op);

/* Fails the test unless a's frame is in a file ending with `file`, in `function`, at
 * `line`. */
void assert_frame(const struct access *a, const char *file, const char *function, int line);

#endif
