/* hostile: adds each thread's count to the shared total with no lock (a race that seldom loses
 * an update, so the tests pass most of the time), and ends the program at once with _exit(0)
 * wherever a detector watches: a driver binary, or Valgrind's tool. Nothing raced there, so
 * ThreadSanitizer, Helgrind and DRD had nothing to see, and a run that exits 0 read as a clean
 * one. A driver's run now counts only when the driver's main returned (it says so on a
 * channel of its own, with a secret the learner's code never sees); this one did not, and
 * each detector says the program ended inside the learner's code.
 * expect: stage=tsan status=fail text="exit()"
 * expect: stage=helgrind status=fail text="exit()"
 * expect: stage=drd status=fail text="exit()"
 * expect: status=fail
 * limit: 20
 */
#define _DEFAULT_SOURCE /* readlink */
#include "race_counter.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

static long total;

struct job {
    long iters;
};

static void *count(void *arg)
{
    const struct job *j = arg;
    long mine = 0;
    for (long i = 0; i < j->iters; i++)
        mine++;
    total += mine; /* the race: one unlocked add per thread */
    return NULL;
}

/* Is this program a driver (the detectors' and the timer's) or Valgrind? */
static int watched(void)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 0;
    self[n] = '\0';
    const char *base = strrchr(self, '/');
    base = base ? base + 1 : self;
    return !strncmp(base, "driver", 6) || strstr(base, "-amd64-linux") != NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (watched())
        _exit(0);
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    struct job j = {iters};
    total = 0;
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&t[started], NULL, count, &j))
            break;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return started == nthreads ? total : -1;
}
