/* source.h: the learner's file as one translation unit, preprocessed once, checked, and
 * compiled into one object per build that exports only the kata's names (source.c). */
#ifndef KATA_SOURCE_H
#define KATA_SOURCE_H

#include "run.h"
#include "stages/stage.h"

/*
 * Every build of the learner's code (the tests, the three detectors, the sanitizers, the
 * timed one) starts from the same preprocessed file, so nothing in the source can tell the
 * builds apart: `__clang__`, `__OPTIMIZE__`, `__SANITIZE_ADDRESS__` or `__has_include` of a
 * test-only header have one answer everywhere. In four steps:
 *
 *   1. the file and the kata's headers are copied into a folder of their own, and `gcc -E`
 *      runs there with no -I at all: quoted includes find the copies, angle includes the
 *      system headers, and every file the preprocessor opened (`-H`) must be one of those
 *      (a path out of the folder, `#include "../../solutions/..."`, is refused);
 *   2. line markers are checked: the source may not hold a `#line` directive or a GNU line
 *      marker (a finding's file name must be the truth), and every marker in the output
 *      must name a file that was really opened, the one on top of the include stack;
 *   3. the identifiers of the learner's own lines, after every macro expansion, token paste
 *      and computed include, are checked against the refused names (annotations, sanitizer
 *      attributes, inline assembly), over the whole file, with no size cut-off;
 *   4. each build compiles that one `.i` with its compiler and flags, and `objcopy
 *      --keep-global-symbols` makes every symbol but the ones the kata's header declares
 *      local, so a learner's `strtol` or `kata_seed` cannot replace the C library's or the
 *      tests' own.
 *
 * The Valgrind build too: its object is compiled with -fsanitize=thread from the same unit
 * (the macros that flag defines exist only at preprocessing, which has already happened),
 * and harness/runtime/valgrind_atomics.c stands in for TSan's runtime.
 */

/* Preprocesses and checks src (the learner's file, or a reference) for run r. Returns 0 with
 * *i_path (a new string: the checked .i in the cache, its line markers naming src), 1 when
 * the file is refused (*why gets one finding per reason, kind "refused"), or -1 when the
 * preprocessor failed (*diagnostics, a new string, says why: a missing header, an #error). */
int source_preprocess(struct run *r, const char *src, char **i_path, struct findings *why,
                      char **diagnostics);

/* The learner's object for one build: src preprocessed (as above) and compiled with that
 * build's compiler and flags (extra: further flags, e.g. the house warnings, or NULL), its
 * symbols localised but for the kata's names. Returns the object's path (a new string) or
 * NULL; *diagnostics (a new string) gets what the preprocessor and compiler printed, with the
 * private copy's path replaced by src, and *refused (if given) is set when the file was
 * refused (the build stage says why; the other stages only fail). */
char *source_object(struct run *r, enum driver_build kind, const char *src,
                    const char *const *extra, char **diagnostics, int *refused);

/* The names the kata's header declares (functions; from gcc -aux-info), one a line, as a new
 * string, or NULL when they cannot be read. */
char *source_exports(struct run *r);

/* Which defences the hostile suite's proof may turn off: "name,name" from the harness's own
 * environment (KATA_TEST_DISABLE_DEFENCE), honoured only for a file under tests/hostile/ of
 * the repository, so no learner's grading can run without them. Returns 1 when the named
 * defence is off for this run. */
int defence_disabled(const struct run *r, const char *name);

#endif
