/* hostile: under a sanitizer, points the runtime's copy of the report channel at /dev/null
 * (dup2 over every pipe descriptor above 3, or a close where dup2 is refused), while the
 * channel itself (descriptor 3) stays open to the end: the report of the race below went
 * nowhere, the channel closed cleanly, and ThreadSanitizer passed. The descriptors that
 * carry a report are now guarded in the driver (a seccomp filter refuses dup2, dup3,
 * close, close_range and F_SETFL on them): the report arrives, the race is found. Explore's
 * schedules lost their pipe the same way, which read as a design explore cannot run (a
 * skip); that pipe is guarded too, and a schedule that ends without its report fails.
 * expect: stage=tsan status=fail text="data race"
 * expect: stage=explore status=fail
 * expect: status=fail
 * limit: 20
 */
#include "race_counter.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static long total;

static void silence_reports(void)
{
    int null = open("/dev/null", O_WRONLY);
    for (int fd = 4; fd < 64; fd++) {
        struct stat st;
        if (fd == null || fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode))
            continue;
        if (null < 0 || dup2(null, fd) < 0)
            close(fd);
    }
    if (null >= 0)
        close(null);
}

/* Each thread counts on its own and adds its count to the shared total once, with no lock:
 * the tests almost never see an update lost, every race detector sees the race. */
static void *worker(void *arg)
{
    long n = *(const long *)arg, local = 0;
    for (long i = 0; i < n; i++)
        local++;
    total += local;
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    silence_reports();
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    total = 0;
    for (int i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, worker, &iters);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return total;
}
