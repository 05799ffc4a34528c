/* anticheat.h: refusing a learner's file that would fool the tests rather than pass them. */
#ifndef KATA_ANTICHEAT_H
#define KATA_ANTICHEAT_H

#include "findings.h"
#include "kata.h"

/*
 * The tests trust a few symbols to be theirs: the wrappers that count the threads the
 * learner starts and hold them on an error path (__wrap_/__real_*, linked with
 * -Wl,--wrap=pthread_create and others), every support function of
 * tests/support/kata_test.c (kata_*: counters, failure switches, seeds), the test
 * runner's and the driver's `main`, and the threads library itself (pthread_*). A learner's
 * file that defines one of them replaces the tests' version (a pthread_create that runs the
 * function inline "starts" threads that never run in parallel, so no race can be found).
 * The detectors trust that nothing talks to them directly: a call into the sanitizer
 * runtimes (__tsan_*, __sanitizer_*, ...) or to the dynamic annotations (Annotate*) hides
 * races.
 *
 * The check reads the symbol table of the learner's compiled object (`nm`), not the source
 * text: the object is what gets linked, whatever macros, token pasting, asm labels or
 * aliases produced it, and a comment or a string that merely mentions a name is no symbol.
 * What leaves no symbol (attributes such as no_sanitize, the Valgrind client-request
 * macros) is refused by the build stage's text scan instead.
 */

/* What a caller may let through (`allow`): ANTICHEAT_ALLOW_LOOKUP, the dynamic linker's
 * lookups by name (dlsym, dlopen, dl_iterate_phdr, ...), for the proof of that defence only
 * (tests/hostile/defences.sh). */
#define ANTICHEAT_ALLOW_LOOKUP 1u

/* Reads `nm -P -g -l` output of the learner's object and adds a finding for each symbol the
 * learner may not define or call: kind "refused", variable the symbol, headline "defines `x`:
 * why" or "calls `x`: why", access[0] the learner's file as given (learner_src) and the line
 * nm found in it (0 when nm named another file or none). learner_real is the learner's resolved
 * path, or NULL. Returns the number of findings added. */
int anticheat_scan_symbols(const char *nm_output, const char *learner_src, const char *learner_real,
                           unsigned allow, struct findings *out);

/* Scans the symbols of obj, the object the build stage compiled from src (from the one
 * preprocessed unit: stages/source.h, before its symbols were made local), as above; where nm
 * named no line in the file, the line of the symbol's first mention in it is used. Returns
 * the number of refusals (0 when the file is clean), or -1 with an error printed when nm
 * could not be run. */
int anticheat_check_object(const struct kata *k, const char *src, const char *obj, unsigned allow,
                           struct findings *out);

/* The first section of the ELF object at obj that runs code before main or after it (the
 * constructors and destructors: .init_array, .fini_array, .ctors, ...), or NULL.
 * anticheat_check_object refuses an object that has one: it would run inside the test runner, even after the runner
 * wrote its report. Returns a static string. */
const char *anticheat_init_section(const char *obj);

#endif
