/* mutant: the children end with exit() instead of _exit(), so they run the caller's exit handlers and flush its stdio buffers again
 * rejected-by: test */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "process_memory.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 2048 /* numbers a child takes at a time */

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

/* Everything the children and the parent share: one mapping, made before the first fork. */
struct shared {
    pthread_mutex_t lock; /* guards next and count, and found[] up to count */
    long next, to;        /* the numbers still to test: [next, to) */
    long count;           /* primes found so far, and the next free slot of found[] */
    long found[];         /* room for to - from primes, in the order they were appended */
};

static void child(struct shared *sh)
{
    long mine[CHUNK];
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        long lo = sh->next;
        long hi = lo + CHUNK < sh->to ? lo + CHUNK : sh->to;
        sh->next = hi;
        pthread_mutex_unlock(&sh->lock);
        if (lo >= hi)
            return;
        long k = 0;
        for (long x = lo; x < hi; x++)
            if (is_prime(x))
                mine[k++] = x;
        pthread_mutex_lock(&sh->lock);
        memcpy(&sh->found[sh->count], mine, (size_t)k * sizeof mine[0]);
        sh->count += k;
        pthread_mutex_unlock(&sh->lock);
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

    size_t size = sizeof(struct shared) + (size_t)(to - from) * sizeof(long);
    struct shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return -1;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&sh->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    sh->next = from;
    sh->to = to;
    sh->count = 0;

    int nkids = to - from < nprocs ? (int)(to - from) : nprocs;
    pid_t pids[PROCESS_MEMORY_MAX_PROCS];
    int started = 0;
    for (; started < nkids; started++) {
        pids[started] = fork();
        if (pids[started] < 0)
            break;
        if (pids[started] == 0) {
            child(sh);
            exit(0); /* the bug: runs what the caller registered with atexit */
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

    /* Every child has exited, so nobody else touches the list any more. */
    long count = sh->count;
    if (ok) {
        qsort(sh->found, (size_t)count, sizeof sh->found[0], by_value);
        memcpy(out, sh->found, (size_t)count * sizeof out[0]);
    }
    pthread_mutex_destroy(&sh->lock);
    munmap(sh, size);
    return ok ? count : -1;
}
