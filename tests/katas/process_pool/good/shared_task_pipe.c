/* good: one task pipe all workers read, a result pipe each, the caller polling both ways
 * expect: status=pass
 * expect: status=pass
 *
 * A free worker takes the next task from the shared pipe itself: tasks of 16 bytes are
 * written and read whole (a pipe moves up to PIPE_BUF bytes at once), so no two workers
 * get the same one. Each result says which inputs it is for, so the caller needs no record
 * of who does what. The caller keeps the task pipe topped up (its write end does not block)
 * while it reads results, so neither side ever waits for the other with a full pipe.
 */
#define _DEFAULT_SOURCE /* kill */
#include "process_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHUNK 256

struct task {
    size_t start, count;
};

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

/* 1: all len bytes; 0: end-of-file before the first; -1: an error or a cut-off record */
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

static _Noreturn void work(long (*fn)(long), const long *in, int tasks, int results)
{
    struct task t;
    long buf[MAX_CHUNK];
    int r;
    while ((r = read_all(tasks, &t, sizeof t)) == 1) {
        for (size_t i = 0; i < t.count; i++)
            buf[i] = fn(in[t.start + i]);
        if (write_all(results, &t, sizeof t) || write_all(results, buf, t.count * sizeof *buf))
            _exit(1);
    }
    _exit(r == 0 ? 0 : 1);
}

int process_pool_map(int nworkers, long (*fn)(long), const long *in, long *out, size_t n)
{
    if (nworkers < 1 || nworkers > PROCESS_POOL_MAX_WORKERS || (n > 0 && (!fn || !in || !out)))
        return -1;
    if (n == 0)
        return 0;
    int nw = (size_t)nworkers < n ? nworkers : (int)n;
    size_t chunk = n / ((size_t)nw * 16);
    chunk = chunk < 1 ? 1 : chunk > MAX_CHUNK ? MAX_CHUNK : chunk;

    int tp[2];
    if (pipe(tp))
        return -1;
    pid_t pids[PROCESS_POOL_MAX_WORKERS];
    int results[PROCESS_POOL_MAX_WORKERS];
    int started = 0, failed = 0;
    for (; started < nw; started++) {
        int rp[2];
        if (pipe(rp)) {
            failed = 1;
            break;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(tp[1]);
            close(rp[0]);
            for (int k = 0; k < started; k++)
                close(results[k]);
            work(fn, in, tp[0], rp[1]);
        }
        close(rp[1]);
        if (pid < 0) {
            close(rp[0]);
            failed = 1;
            break;
        }
        pids[started] = pid;
        results[started] = rp[0];
    }
    close(tp[0]);
    int tasks = tp[1];
    if (fcntl(tasks, F_SETFL, O_NONBLOCK) < 0)
        failed = 1;

    size_t next = 0, received = 0;
    int open_results = started;
    while (!failed && open_results > 0) {
        struct pollfd fds[PROCESS_POOL_MAX_WORKERS + 1];
        int m = 0;
        for (int k = 0; k < started; k++)
            if (results[k] >= 0)
                fds[m++] = (struct pollfd){.fd = results[k], .events = POLLIN};
        if (tasks >= 0)
            fds[m++] = (struct pollfd){.fd = tasks, .events = POLLOUT};
        if (poll(fds, (nfds_t)m, -1) < 0) {
            if (errno != EINTR)
                failed = 1;
            continue;
        }
        for (int j = 0; j < m && !failed; j++) {
            if (!fds[j].revents)
                continue;
            if (fds[j].fd == tasks) {
                /* fill the task pipe as far as it takes, then tell the workers it is over */
                while (next < n) {
                    struct task t = {next, n - next < chunk ? n - next : chunk};
                    ssize_t w = write(tasks, &t, sizeof t);
                    if (w < 0 && errno == EAGAIN)
                        break;
                    if (w != (ssize_t)sizeof t) {
                        if (w < 0 && errno == EINTR)
                            continue;
                        failed = 1;
                        break;
                    }
                    next += t.count;
                }
                if (next >= n) {
                    close(tasks);
                    tasks = -1;
                }
                continue;
            }
            int k = 0;
            while (results[k] != fds[j].fd)
                k++;
            struct task t;
            int r = read_all(results[k], &t, sizeof t);
            if (r == 0) { /* this worker is done: it saw the end of the tasks, or died */
                close(results[k]);
                results[k] = -1;
                open_results--;
            } else if (r < 0 || t.count > MAX_CHUNK || t.start > n || t.count > n - t.start ||
                       read_all(results[k], out + t.start, t.count * sizeof *out) != 1) {
                failed = 1;
            } else {
                received += t.count;
            }
        }
    }
    /* every worker gone while results are missing: one of them took a task and died */
    if (received != n)
        failed = 1;
    if (tasks >= 0)
        close(tasks);
    for (int k = 0; k < started; k++) {
        if (results[k] >= 0)
            close(results[k]);
        if (failed)
            kill(pids[k], SIGKILL);
    }
    for (int k = 0; k < started; k++) {
        int status = 0;
        pid_t got;
        while ((got = waitpid(pids[k], &status, 0)) < 0 && errno == EINTR)
            ;
        if (got != pids[k] || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }
    return failed ? -1 : 0;
}
