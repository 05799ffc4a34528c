/* mutant: the mutex is in the shared memory, but made process-private (the default attributes)
 * rejected-by: test */
#define _DEFAULT_SOURCE
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

struct shared {
    pthread_mutex_t lock;
    long count;
    long list[];
};

static struct shared *sh;

#define CHUNK 2048

static void child(int k, int nkids, long from, long to)
{
    for (long lo = from + (long)k * CHUNK; lo < to; lo += (long)nkids * CHUNK) {
        long hi = lo + CHUNK < to ? lo + CHUNK : to;
        for (long x = lo; x < hi; x++)
            if (is_prime(x)) {
                pthread_mutex_lock(&sh->lock);
                sh->list[sh->count++] = x;
                pthread_mutex_unlock(&sh->lock);
            }
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

    size_t size = sizeof *sh + (size_t)(to - from) * sizeof(long);
    sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return -1;
    pthread_mutex_init(&sh->lock, NULL); /* private: for the threads of one process */
    sh->count = 0;

    int nkids = to - from < nprocs ? (int)(to - from) : nprocs;
    pid_t pids[PROCESS_MEMORY_MAX_PROCS];
    int started = 0;
    for (; started < nkids; started++) {
        pids[started] = fork();
        if (pids[started] < 0)
            break;
        if (pids[started] == 0) {
            child(started, nkids, from, to);
            _exit(0);
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

    long count = sh->count;
    qsort(sh->list, (size_t)count, sizeof sh->list[0], by_value);
    memcpy(out, sh->list, (size_t)count * sizeof out[0]);
    pthread_mutex_destroy(&sh->lock);
    munmap(sh, size);
    return ok ? count : -1;
}
