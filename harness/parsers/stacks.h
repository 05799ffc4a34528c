/* stacks.h: where each thread of a hung program was blocked (from eu-stack or gdb output). */
#ifndef KATA_STACKS_H
#define KATA_STACKS_H

#include "findings.h"

/* Parses a stack dump into one finding of kind "blocked thread" (or "running thread", see
 * below) per thread: access[0] is
 * the innermost frame in the learner's file (or the innermost frame that has a source
 * line), its op the call it was blocked in ("pthread_mutex_lock"), its thread "main
 * thread" or "thread N" (findings.h, thread_words). With a "MUTEX <tid> <owner>" line
 * (hang/describe.h) for a thread in pthread_mutex_lock, the finding's variable says what it
 * waits for: "a mutex it already holds itself (...)" or "a mutex that thread 2 holds". Understands `eu-stack -s` and gdb's `thread apply all bt`.
 * Returns the number of threads found. */
int stacks_parse(const char *text, const char *learner_real, struct findings *out);

/* The functions of the learner's file on thread tid's stack in a dump, outermost first:
 * "pipe_messages_run > relay > read_full", or NULL when there are none. A new string. */
char *stacks_chain(const char *text, const char *tid, const char *learner_real);

/* The public name of a C library function from its internal one:
 * "__pthread_mutex_lock@GLIBC_2.2.5" -> "pthread_mutex_lock". Returns a new string. */
char *public_name(const char *fn);

#endif
