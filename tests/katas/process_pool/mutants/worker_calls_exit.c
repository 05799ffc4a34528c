/* mutant: a worker ends with exit() instead of _exit(), so it runs the caller's exit handlers and flushes its copy of the caller's stdio buffers
 * rejected-by: test */
#define _DEFAULT_SOURCE /* kill */
#include "process_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* At most this many inputs per task: a chunk's results are 512 longs = 4096 bytes, no more
 * than PIPE_BUF, so the worker writes them all at once. */
#define MAX_CHUNK 512

/* A task: do inputs in[start] up to in[start + count]. */
struct task {
    size_t start, count;
};

struct worker {
    pid_t pid;
    int tasks;         /* write end of the pipe the worker reads its tasks from, or -1 */
    int results;       /* read end of the pipe the worker writes its results to, or -1 */
    struct task doing; /* the chunk it is working on; count 0 when it has none */
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

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The worker's whole life: tasks in until end-of-file, results out. */
static void work(long (*fn)(long), const long *in, int tasks, int results)
{
    struct task t;
    long buf[MAX_CHUNK];
    int r;
    while ((r = read_all(tasks, &t, sizeof t)) == 1) {
        for (size_t i = 0; i < t.count; i++)
            buf[i] = fn(in[t.start + i]);
        if (write_all(results, buf, t.count * sizeof buf[0]))
            _exit(1);
    }
    exit(r == 0 ? 0 : 1); /* the bug: exit() runs what the caller registered with atexit */
}

/* Hands worker w the next chunk, or closes its task pipe when there is none left. Returns
 * 0, or -1 when the task could not be sent. */
static int feed(struct worker *w, size_t *next, size_t n, size_t chunk)
{
    if (*next >= n) {
        close_fd(&w->tasks); /* end-of-file: the worker exits */
        w->doing.count = 0;
        return 0;
    }
    w->doing.start = *next;
    w->doing.count = n - *next < chunk ? n - *next : chunk;
    *next += w->doing.count;
    return write_all(w->tasks, &w->doing, sizeof w->doing);
}

int process_pool_map(int nworkers, long (*fn)(long), const long *in, long *out, size_t n)
{
    if (nworkers < 1 || nworkers > PROCESS_POOL_MAX_WORKERS)
        return -1;
    if (n > 0 && (!fn || !in || !out))
        return -1;
    if (n == 0)
        return 0;

    int nw = (size_t)nworkers < n ? nworkers : (int)n;
    /* small enough that the last chunks finish close together, big enough that the pipes
     * are not the work */
    size_t chunk = n / ((size_t)nw * 32);
    chunk = chunk < 1 ? 1 : chunk > MAX_CHUNK ? MAX_CHUNK : chunk;

    struct worker ws[PROCESS_POOL_MAX_WORKERS];
    int started = 0, failed = 0;
    for (; started < nw; started++) {
        struct worker *w = &ws[started];
        int tp[2], rp[2];
        if (pipe(tp)) {
            failed = 1;
            break;
        }
        if (pipe(rp)) {
            close(tp[0]);
            close(tp[1]);
            failed = 1;
            break;
        }
        w->pid = fork();
        if (w->pid == 0) {
            for (int k = 0; k < started; k++) {
                close_fd(&ws[k].tasks);
                close_fd(&ws[k].results);
            }
            close(tp[1]);
            close(rp[0]);
            work(fn, in, tp[0], rp[1]); /* does not return */
        }
        close(tp[0]);
        close(rp[1]);
        w->tasks = tp[1];
        w->results = rp[0];
        w->doing.count = 0;
        if (w->pid < 0) {
            close_fd(&w->tasks);
            close_fd(&w->results);
            failed = 1;
            break;
        }
    }

    size_t next = 0;
    for (int k = 0; k < started && !failed; k++)
        failed = feed(&ws[k], &next, n, chunk) != 0;

    struct pollfd fds[PROCESS_POOL_MAX_WORKERS];
    int who[PROCESS_POOL_MAX_WORKERS];
    while (!failed) {
        int m = 0;
        for (int k = 0; k < started; k++)
            if (ws[k].doing.count > 0) {
                fds[m] = (struct pollfd){.fd = ws[k].results, .events = POLLIN};
                who[m++] = k;
            }
        if (m == 0)
            break; /* every result is in */
        if (poll(fds, (nfds_t)m, -1) < 0) {
            if (errno == EINTR)
                continue;
            failed = 1;
            break;
        }
        for (int j = 0; j < m && !failed; j++) {
            if (!fds[j].revents)
                continue;
            struct worker *w = &ws[who[j]];
            /* end-of-file here means the worker died with a chunk unfinished */
            if (read_all(w->results, out + w->doing.start, w->doing.count * sizeof *out) != 1)
                failed = 1;
            else
                failed = feed(w, &next, n, chunk) != 0;
        }
    }

    for (int k = 0; k < started; k++) {
        close_fd(&ws[k].tasks);
        close_fd(&ws[k].results);
        if (failed)
            kill(ws[k].pid, SIGKILL);
    }
    for (int k = 0; k < started; k++) {
        int status = 0;
        pid_t got;
        while ((got = waitpid(ws[k].pid, &status, 0)) < 0 && errno == EINTR)
            ;
        if (got != ws[k].pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }
    return failed ? -1 : 0;
}
