/* pipes.h: at a deadline, which threads wait in read() on a pipe, and which processes still
 * hold that pipe's write end (the reason such a read never sees end-of-file).
 *
 * spawn.c writes the facts into the stack dump, before the stacks, as lines of their own:
 *
 *   READ <pid> <tid> <fd> <inode>    thread tid of pid is in read(fd), and fd is a pipe
 *   WRITE <inode> <pid> <fd>         pid holds that pipe's write end as fd
 *   PROC <pid> <ppid>                a process of the tree, and its parent
 *   ROOT <pid>                       the process the harness started (the test runner)
 *
 * and stage_test.c turns them into sentences with pipes_describe. */
#ifndef KATA_PIPES_H
#define KATA_PIPES_H

#include "util.h"

#include <sys/types.h>

/* Appends a READ line when thread tid of pid is blocked in read() or readv() on a pipe (read
 * from /proc/pid/task/tid/syscall: only while the thread is still in the call, so before the
 * process is stopped). */
void pipes_note_reader(pid_t pid, const char *tid, struct strbuf *out);

/* For every pipe a READ line in `notes` names, appends a WRITE line for each of the n
 * processes in pids that holds its write end. (The PROC and ROOT lines are spawn.c's: it
 * reads every process's parent anyway.) */
void pipes_note_writers(const char *notes, const pid_t *pids, size_t n, struct strbuf *out);

/* One line of `details` per blocked reader in a dump holding the lines above:
 * "  process 12 (a child of the test process 11) waits in read() on fd 3, a pipe whose write
 * end is still open in: process 12 itself (fd 4)". learner_real names the learner's file, so
 * that the line can say which of its functions each reader is in. Returns how many. */
int pipes_describe(const char *dump, const char *learner_real, struct strbuf *details);

#endif
