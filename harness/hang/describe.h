/* describe.h: a hang in the learner's terms, from the dump hang/snapshot.c wrote at the
 * deadline. The dump holds, before the stacks, lines of facts:
 *
 *   STATE <tid> <state>              the thread's state before the stop (R: on the CPU)
 *   READ <pid> <tid> <fd> <inode>    thread tid of pid is in read(fd), and fd is a pipe
 *   WRITE <inode> <pid> <fd>         pid holds that pipe's write end as fd
 *   PROC <pid> <ppid>                a process of the tree, and its parent
 *   ROOT <pid>                       the process the harness started (the test runner)
 *   MUTEX <tid> <owner>              thread tid waits on a mutex whose owner is thread owner
 */
#ifndef KATA_DESCRIBE_H
#define KATA_DESCRIBE_H

#include "findings.h"
#include "util.h"

/* Reads the stack dump at `path` and describes each blocked thread in the learner's file
 * as a line of `details` ("  thread 2 blocked in pthread_mutex_lock, called from worker
 * at file.c:18"), identical lines folded into one with a count; each becomes a finding of
 * kind "hang" in `out`. verbose also lists threads outside the learner's file. A thread the
 * dump's "STATE <tid> R" lines say was on the CPU is "running (not blocked)". Then one line
 * for each thread blocked in read() on a pipe, naming who still holds its write end
 * (pipes_describe). Returns how many lines describe running threads of the learner's file:
 * a loop that never ends, or a livelock, rather than a deadlock. */
int stacks_describe(const char *path, const char *learner_real, int verbose, struct strbuf *details,
                    struct findings *out);

/* One line of `details` per blocked reader in a dump holding the lines above:
 * "  process 12 (a child of the test process 11) waits in read() on fd 3, a pipe whose write
 * end is still open in: process 12 itself (fd 4)". learner_real names the learner's file, so
 * that the line can say which of its functions each reader is in. Returns how many. */
int pipes_describe(const char *dump, const char *learner_real, struct strbuf *details);

#endif
