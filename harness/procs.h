/* procs.h: the process table, read from /proc: who is whose child, and a child's tree. */
#ifndef KATA_PROCS_H
#define KATA_PROCS_H

#include <stddef.h>
#include <sys/types.h>

/* The pid, parent pid, process group, owner and resident pages of one live process. */
struct proc_entry {
    pid_t pid, ppid, pgid;
    uid_t uid;
    long rss_pages;
};

/* Fills out with at most max live processes (zombies left out). Returns how many. */
size_t procs_read(struct proc_entry *out, size_t max);

/* Every live process of root's tree: its process group, and every descendant even one that
 * moved to a group of its own (Criterion's workers do). At most max pids; returns how many.
 * Not reentrant: it reads the table into a static buffer. */
size_t procs_tree(pid_t root, pid_t *out, size_t max);

/* The oldest live child of parent (the lowest pid), or 0 when it has none. In the sandbox
 * (spawn.c) bwrap has one child, kata-init, whose first child is the command. */
pid_t procs_child_of(pid_t parent);

#endif
