/* hostile: counts with no lock, and under explore's scheduler (its binary is the explore
 * driver) knows the protocol of a schedule's report pipe (harness/runtime/explore.c): it
 * writes the result line with the right total and the line that says the function returned
 * to every pipe descriptor it has, then ends with _exit(0) before any increment could be
 * lost. The parent took the lines, judged the total right, and every schedule passed. Each
 * line a schedule's runtime writes now starts with a key of 16 random bytes, new for each
 * schedule: these do not, and the schedule fails for lines the harness did not write.
 * expect: stage=explore status=fail text="did not write"
 * expect: status=fail
 * limit: 20
 */
#define _DEFAULT_SOURCE /* readlink */
#include "race_counter.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long counter;

static void *add(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++)
        counter++;
    return NULL;
}

/* Is this program the explore driver? The harness names its builds driver-explore-<hash>. */
static int explored(void)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 0;
    self[n] = '\0';
    return strstr(self, "driver-explore") != NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    if (explored()) {
        char lines[64];
        int n = snprintf(lines, sizeof lines, "R 1 %ld\nQ\n", nthreads * iters);
        for (int fd = 3; fd < 64; fd++) {
            struct stat st;
            if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
                (void)!write(fd, lines, (size_t)n);
        }
        _exit(0);
    }
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&t[started], NULL, add, &iters))
            break;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return started == nthreads ? counter : -1;
}
