/* report_guard.h: the descriptors that carry a tool's report to the harness, kept out of the
 * reach of the learner's code that runs in the same process.
 *
 * Linked into the drivers whose report is written from inside the learner's process: the
 * sanitizer drivers (tests/support/report_fd.c guards ThreadSanitizer's and AddressSanitizer's
 * copies of the channel) and the explore driver (runtime/explore.c guards each schedule's
 * pipe). What learner code writes to a guarded descriptor is added to the report, never taken
 * from it; what it may no longer do is make the report go elsewhere while the channel stays
 * open and looks clean. */
#ifndef KATA_REPORT_GUARD_H
#define KATA_REPORT_GUARD_H

/* The most descriptors one call guards. */
#define REPORT_GUARD_MAX 8

/* Refuses (EPERM), from now on, in every thread of the process and in every process it forks
 * or execs: dup2 and dup3 onto one of the n descriptors fds, close of one of them, a
 * close_range that reaches one, fcntl F_SETFL on one (O_NONBLOCK would let writes fail), and
 * io_uring_setup (io_uring can close descriptors too). A seccomp filter: a second call stacks
 * another, so both hold. Guards nothing on an architecture other than x86-64, or when the
 * environment said KATA_REPORT_GUARD=0 at the first call (the harness sets that for the
 * defences' proof only: stages/detect.h, detect_guard_env; the first call comes before any
 * learner code runs). Returns 0 when the guard is on, -1 when it is not. */
int report_guard(const int *fds, int n);

#endif
