/* stacks.h: where each thread of a hung program was blocked (from eu-stack or gdb output). */
#ifndef KATA_STACKS_H
#define KATA_STACKS_H

#include "findings.h"

/* Parses a stack dump into one finding of kind "blocked thread" per thread: access[0] is
 * the innermost frame in the learner's file (or the innermost frame that has a source
 * line), its op the call it was blocked in ("pthread_mutex_lock"), its thread "main
 * thread" or "thread <tid>". Understands `eu-stack -s` and gdb's `thread apply all bt`. Returns the number of
 * threads found. */
int stacks_parse(const char *text, const char *learner_real, struct findings *out);

/* The public name of a C library function from its internal one:
 * "__pthread_mutex_lock@GLIBC_2.2.5" -> "pthread_mutex_lock". Returns a new string. */
char *public_name(const char *fn);

#endif
