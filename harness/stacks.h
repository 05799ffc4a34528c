/* stacks.h: where each thread of a hung program was blocked (from eu-stack or gdb output). */
#ifndef KATA_STACKS_H
#define KATA_STACKS_H

#include "findings.h"

/* Parses a stack dump into one finding of kind "blocked thread" (or "running thread", see
 * below) per thread: access[0] is
 * the innermost frame in the learner's file (or the innermost frame that has a source
 * line), its op the call it was blocked in ("pthread_mutex_lock"), its thread "main
 * thread" or "thread <tid>". Understands `eu-stack -s` and gdb's `thread apply all bt`. Returns the number of
 * threads found. */
int stacks_parse(const char *text, const char *learner_real, struct findings *out);

/* Reads the stack dump at `path` and describes each blocked thread in the learner's file
 * as a line of `details` ("  thread 12 blocked in pthread_mutex_lock, called from worker
 * at file.c:18"), identical lines folded into one with a count; each becomes a finding of
 * kind "hang" in `out`. verbose also lists threads outside the learner's file. A thread the
 * dump's "STATE <tid> R" lines (spawn.c) say was on the CPU is "running (not blocked)", and
 * parses as kind "running thread". Then one line for each thread blocked in read() on a
 * pipe, naming who still holds its write end (pipes_describe). Returns how many lines
 * describe running threads of the learner's file: a loop that never ends, or a livelock,
 * rather than a deadlock. */
struct strbuf;
int stacks_describe(const char *path, const char *learner_real, int verbose,
                    struct strbuf *details, struct findings *out);

/* The functions of the learner's file on thread tid's stack in a dump, outermost first:
 * "pipe_messages_run > relay > read_full", or NULL when there are none. A new string. */
char *stacks_chain(const char *text, const char *tid, const char *learner_real);

/* The public name of a C library function from its internal one:
 * "__pthread_mutex_lock@GLIBC_2.2.5" -> "pthread_mutex_lock". Returns a new string. */
char *public_name(const char *fn);

#endif
