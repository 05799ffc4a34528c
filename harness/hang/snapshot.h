/* snapshot.h: at a deadline, what the stopped program was doing, written for describe.h.
 *
 * Set a child's on_deadline to &hang_snapshot (and its stacks_path): child_run then calls it
 * at the deadline, and the file at stacks_path holds the STATE, READ, WRITE, PROC and ROOT
 * lines describe.h lists, then every thread's stack of the first processes of the tree. */
#ifndef KATA_SNAPSHOT_H
#define KATA_SNAPSHOT_H

#include "spawn.h"
#include "util.h"

#include <sys/types.h>

extern const struct deadline_hook hang_snapshot;

/* Appends a READ line when thread tid of pid is blocked in read() or readv() on a pipe (read
 * from /proc/pid/task/tid/syscall: only while the thread is still in the call, so before the
 * process is stopped). */
void pipes_note_reader(pid_t pid, const char *tid, struct strbuf *out);

/* Appends "MUTEX <tid> <owner>" when thread tid of pid waits on a futex whose word is the
 * first of a glibc mutex (pthread_mutex_t: its lock word, then a count, then the owner's
 * thread id) and that owner field holds a thread id. Read from /proc/pid/task/tid/syscall
 * and /proc/pid/mem, so before the process is stopped; the owner as this process numbers it
 * (the mutex holds its id in pid's own namespace), and only when it is a thread of pid.
 * Whether the wait really is in pthread_mutex_lock is for the stack to say (the stacks
 * parser reads the line only then). */
void mutex_note_owner(pid_t pid, const char *tid, struct strbuf *out);

/* For every pipe a READ line in `notes` names, appends a WRITE line for each of the n
 * processes in pids that holds its write end. */
void pipes_note_writers(const char *notes, const pid_t *pids, size_t n, struct strbuf *out);

#endif
