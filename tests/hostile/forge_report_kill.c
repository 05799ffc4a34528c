/* hostile: a cheat that never counts: it overwrites the runner's XML report (the --xml= path
 * in the runner's command line; the runner is found among its ancestors, as the test body runs
 * in a child of the worker) with a pass for the running test, then SIGKILLs the runner so
 * that the real report is never written; a runner killed by a signal must fail the test,
 * whatever its report file says.
 * expect: stage=test status=fail first text="SIGKILL"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The parent of a process, from /proc (0 when unknown). */
static pid_t parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *paren = strrchr(buf, ')');
    int ppid = 0;
    return paren && sscanf(paren + 1, " %*c %d", &ppid) == 1 ? (pid_t)ppid : 0;
}

/* The runner: the nearest ancestor whose command line has an --xml= argument (the test's
 * body runs in a child of Criterion's worker, which is a child of the runner). */
static pid_t runner;

/* The value of the runner's argument that starts with `key`, or NULL. */
static const char *runner_arg(const char *key, char *buf, size_t size)
{
    for (pid_t p = getppid(); p > 1 && !runner; p = parent_of(p)) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/cmdline", (int)p);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
        if (fd >= 0)
            close(fd);
        if (n > 0 && memmem(buf, (size_t)n, "--xml=", 6))
            runner = p;
    }
    if (!runner)
        return NULL;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)runner);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    for (char *p = buf; p < buf + n; p += strlen(p) + 1)
        if (!strncmp(p, key, strlen(key)))
            return p + strlen(key);
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    char a[4096], b[4096];
    const char *xml = runner_arg("--xml=", a, sizeof a);
    const char *filter = runner_arg("--filter=", b, sizeof b);
    if (!xml || !filter || !strchr(filter, '/'))
        return 0; /* not under the test runner: no report to forge */
    FILE *f = fopen(xml, "w");
    if (f) {
        fprintf(f,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<testsuites name=\"Criterion Tests\" tests=\"1\" failures=\"0\">\n"
                "  <testsuite name=\"%.*s\" tests=\"1\" failures=\"0\">\n"
                "    <testcase name=\"%s\" assertions=\"1\" status=\"PASSED\" time=\"0.001\">"
                "</testcase>\n  </testsuite>\n</testsuites>\n",
                (int)(strchr(filter, '/') - filter), filter, strchr(filter, '/') + 1);
        fclose(f);
    }
    kill(runner, SIGKILL);
    _exit(0);
}
