/* mutant: each worker gets its whole slice at once, and the caller waits for every worker to exit before it reads any result
 * rejected-by: test */
#define _DEFAULT_SOURCE
#include "process_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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

static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, p + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
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
    pid_t pids[PROCESS_POOL_MAX_WORKERS];
    int results[PROCESS_POOL_MAX_WORKERS];
    size_t lo[PROCESS_POOL_MAX_WORKERS + 1];
    int failed = 0, started = 0;
    for (int k = 0; k <= nw; k++)
        lo[k] = (size_t)k * n / (size_t)nw;
    for (; started < nw; started++) {
        int rp[2];
        if (pipe(rp)) {
            failed = 1;
            break;
        }
        pid_t pid = fork();
        if (pid == 0) {
            for (int k = 0; k < started; k++)
                close(results[k]);
            close(rp[0]);
            size_t count = lo[started + 1] - lo[started];
            long *buf = malloc(count * sizeof *buf);
            if (!buf)
                _exit(1);
            for (size_t i = 0; i < count; i++)
                buf[i] = fn(in[lo[started] + i]);
            _exit(write_all(rp[1], buf, count * sizeof *buf) ? 1 : 0);
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
    /* the bug: a worker with more results than its pipe holds blocks in write() until
     * someone reads, and nobody reads until it has exited */
    for (int k = 0; k < started; k++) {
        int status;
        while (waitpid(pids[k], &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }
    for (int k = 0; k < started; k++) {
        if (!failed && read_all(results[k], out + lo[k], (lo[k + 1] - lo[k]) * sizeof *out))
            failed = 1;
        close(results[k]);
    }
    return failed ? -1 : 0;
}
