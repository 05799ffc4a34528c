/*
 * process_pool: a pool of worker processes, fed tasks over pipes (Python's Pool.map).
 *
 * A pool forks its workers once and then keeps them busy: the calling process sends each
 * free worker a task, the worker sends back the result, gets the next task, and so on until
 * there are none left. The tasks and the results travel over pipes, since a worker's memory
 * is its own. Because the worker was forked, it already has a copy of fn and of in[]: a
 * task only needs to say which inputs to do.
 *
 * This file already gives the right answers, but it computes all of them in the calling
 * process, one chunk after the other, and a crash in fn takes the caller down with it. Your
 * job: fork the workers, give each a task pipe and a result pipe, hand out the chunks as
 * the workers become free, put each chunk's results in place, and reap every worker. A
 * worker that dies before answering must make the call return -1, not wait forever. Read
 * katas/process_pool/README.md first.
 */
#define _DEFAULT_SOURCE /* kill, for when you need it */
#include "process_pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* At most this many inputs per task: a chunk's results are 512 longs = 4096 bytes, no more
 * than PIPE_BUF, so a worker can write them all at once. */
#define MAX_CHUNK 512

/* A task: do inputs in[start] up to in[start + count]. */
struct task {
    size_t start, count;
};

/* Writes all len bytes, however the kernel splits them. Returns 0, or -1 on error. */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Reads exactly len bytes. Returns 1 when it got them all, 0 at end-of-file before the
 * first byte, -1 on error or at end-of-file part way through. */
static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, p + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r == 0 && got == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

/* One task's work: what a worker does with each task it reads. */
static void run_task(long (*fn)(long), const long *in, struct task t, long *results)
{
    for (size_t i = 0; i < t.count; i++)
        results[i] = fn(in[t.start + i]);
}

int process_pool_map(int nworkers, long (*fn)(long), const long *in, long *out, size_t n)
{
    if (nworkers < 1 || nworkers > PROCESS_POOL_MAX_WORKERS)
        return -1;
    if (n > 0 && (!fn || !in || !out))
        return -1;
    if (n == 0)
        return 0;

    size_t chunk = n / ((size_t)nworkers * 32);
    chunk = chunk < 1 ? 1 : chunk > MAX_CHUNK ? MAX_CHUNK : chunk;

    /* TODO: fork the workers (never more than n), each with a task pipe and a result pipe.
     * In each worker, close every pipe end it does not use (the parent's ends, and those
     * of the workers forked before it), then loop: read_all a task, run_task it into a
     * local buffer, write_all the results; at end-of-file, _exit(0). In the parent, close
     * the workers' ends. */

    /* TODO: send each worker its first task, then wait (poll) for a worker's results, read
     * them into out + its task's start, and send that worker the next task, or close its
     * task pipe when there is none left. End-of-file before a worker's results means it
     * died: stop the others (kill), and return -1 after reaping them all. */
    for (size_t start = 0; start < n; start += chunk) {
        struct task t = {start, n - start < chunk ? n - start : chunk};
        run_task(fn, in, t, out + start);
    }
    (void)write_all; /* yours to use, once there are pipes */
    (void)read_all;

    /* TODO: reap every worker (waitpid), and return -1 if one did not exit with 0. */
    return 0;
}
