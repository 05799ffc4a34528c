/* hostile: in the tests, puts in its work folder a FIFO under every name the harness writes or
 * reads there (the logs of each stage, the stack dumps), and under the names the detectors
 * of later stages will write their reports to (in a pid namespace the driver is pid 2, so
 * "helgrind.2.xml" is easy to guess), so that an open() or read() with no deadline blocks
 * for ever: the harness's, or Valgrind's in a later stage. It counts correctly. The harness
 * opens what it reads without blocking, regular files only, and every sandboxed child has a
 * work folder of its own, empty: every stage passes, in time.
 * expect: status=pass
 * limit: 20
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const names[] = {
    "test.log",
    "test-stacks.txt",
    "test-list.txt",
    "tsan.log",
    "tsan-stacks.txt",
    "helgrind.log",
    "drd.log",
    "asan.log",
    "asan-stacks.txt",
    "perf.log",
    "nm.txt",
    "sandbox-probe.log",
    "helgrind-stacks.txt",
    "drd-stacks.txt",
    "tsan.1",
    "tsan.2",
    "helgrind.2.xml",
    "drd.2.xml",
};

/* The work folder is where its standard output goes (the harness's log of this run). Only
 * in the test program (the harness names it tests-<hash>): a FIFO planted by the driver under
 * its own report's name would only break that run, which the verdict rightly fails. */
static void plant(void)
{
    char dir[4096], path[8192];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0)
        return;
    dir[n] = '\0';
    if (!strstr(dir, "/tests-"))
        return;
    n = readlink("/proc/self/fd/1", dir, sizeof dir - 1);
    if (n <= 0)
        return;
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash || dir[0] != '/')
        return;
    *slash = '\0';
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
        mkfifo(path, 0666);
    }
}

static long counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    plant();
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    /* the contract: when a thread cannot be started, join those that were and fail */
    int started = 0;
    while (started < nthreads && pthread_create(&t[started], NULL, worker, &iters) == 0)
        started++;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return started == nthreads ? counter : -1;
}
