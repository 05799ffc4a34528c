/* hostile: puts, in its work folder, a symbolic link to the kata's test file under every name
 * the harness writes or reads there (the logs of each stage, the stack dumps, the probe),
 * hoping that a root harness opens one of them for writing, following the link, and so
 * truncates the tests, or reads it back into the verdict. It counts correctly. The harness
 * makes its files anew (O_EXCL|O_NOFOLLOW after removing the name) and reads none through
 * a link: every stage passes, and the test file is byte-identical.
 * expect: status=pass
 * limit: 20
 * after: wrong
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
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
};

/* The work folder is where its standard output goes (the harness's log of this run); the
 * repository is four folders up (build/run/<kata>/<tag>). */
static void plant(void)
{
    char log[4096];
    ssize_t n = readlink("/proc/self/fd/1", log, sizeof log - 1);
    if (n <= 0)
        return;
    log[n] = '\0';
    char *slash = strrchr(log, '/');
    if (!slash || log[0] != '/')
        return;
    *slash = '\0';
    char root[4096], target[8192], path[8192];
    snprintf(root, sizeof root, "%s", log);
    for (int up = 0; up < 4; up++) {
        char *s = strrchr(root, '/');
        if (!s)
            return;
        *s = '\0';
    }
    snprintf(target, sizeof target, "%s/tests/katas/race_counter/test_race_counter.c", root);
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", log, names[i]);
        unlink(path);
        if (symlink(target, path) != 0)
            continue;
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
