/*
 * process_memory: children find primes, the parent collects them.
 *
 * fork() makes a new process with a copy of the caller's memory. The copy is the point:
 * after the fork, what the child writes to a global, its stack or the heap changes its copy
 * only, and the parent never sees it. This file shows that. Each child tests its share of
 * the numbers and appends the primes to `list`, a malloc'd array it inherited; then it
 * exits, and its copy of the list goes with it. The parent, whose own list was never
 * touched, reports that it found no prime at all.
 *
 * Your job: make the children's appends reach the parent. Put the list, its count and a
 * mutex in one mapping made with mmap(MAP_SHARED | MAP_ANONYMOUS) before the first fork,
 * initialise the mutex as process-shared (PTHREAD_PROCESS_SHARED), and append under it:
 * several children append at once. Keep is_prime as it is: the lesson is in the memory,
 * not in a faster test. Read katas/process_memory/README.md first.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, for when you need it */
#include "process_memory.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int is_prime(long x)
{
    if (x < 2)
        return 0;
    if (x % 2 == 0)
        return x == 2;
    for (long d = 3; d <= x / d; d += 2)
        if (x % d == 0)
            return 0;
    return 1;
}

/* TODO: one struct for everything the children and the parent share (a process-shared
 * mutex, the count, the primes), in memory from mmap(MAP_SHARED | MAP_ANONYMOUS). These
 * two live in ordinary memory: each child appends to its own copy. */
static long *list;
static long count;

#define CHUNK 2048 /* the numbers are dealt out in chunks of this many */

/* Child k of nkids tests chunks k, k + nkids, k + 2 * nkids, ... of [from, to): dealt out
 * in turn, every child gets a fair share of the small numbers and of the big ones. */
static void child(int k, int nkids, long from, long to)
{
    for (long lo = from + (long)k * CHUNK; lo < to; lo += (long)nkids * CHUNK) {
        long hi = lo + CHUNK < to ? lo + CHUNK : to;
        for (long x = lo; x < hi; x++)
            if (is_prime(x))
                list[count++] = x; /* TODO: several children append at once: take the lock */
    }
}

static int by_value(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

long process_memory_collect(int nprocs, long from, long to, long *out)
{
    if (nprocs < 1 || nprocs > PROCESS_MEMORY_MAX_PROCS || from < 0 || from > to)
        return -1;
    if (from == to)
        return 0;
    if (!out)
        return -1;

    /* TODO: mmap the shared struct here, before the first fork (a mapping made later is
     * the child's own), and initialise its mutex as process-shared. */
    list = malloc((size_t)(to - from) * sizeof *list);
    if (!list)
        return -1;
    count = 0;

    /* never more children than numbers */
    int nkids = to - from < nprocs ? (int)(to - from) : nprocs;
    pid_t pids[PROCESS_MEMORY_MAX_PROCS];
    int started = 0;
    for (; started < nkids; started++) {
        pids[started] = fork();
        if (pids[started] < 0)
            break;
        if (pids[started] == 0) {
            child(started, nkids, from, to);
            _exit(0); /* a child never returns into the caller's code */
        }
    }
    int ok = started == nkids;
    for (int k = 0; k < started; k++) {
        int status = 0;
        pid_t got;
        while ((got = waitpid(pids[k], &status, 0)) < 0 && errno == EINTR)
            ;
        ok = ok && got == pids[k] && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }

    /* The children appended to their own copies of list and count: here, count is 0. */
    qsort(list, (size_t)count, sizeof list[0], by_value);
    memcpy(out, list, (size_t)count * sizeof out[0]);
    free(list); /* TODO: pthread_mutex_destroy, then munmap the shared struct */
    return ok ? count : -1;
}
