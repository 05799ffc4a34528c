/* good: local counts, merged into the bins under an atomic_flag.
 * expect: status=pass
 * expect: status=pass
 */
#include "histogram.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/*
 * Each thread counts its slice into a table on its own stack, then adds the table into the
 * caller's bins itself, before it ends, instead of leaving the merge to histogram_build. The
 * merge is 256 additions per thread, so a spinlock is enough to guard it: a thread that finds
 * the flag set waits a few hundred instructions at most. atomic_flag_test_and_set acquires the
 * flag and atomic_flag_clear releases it, so each merge sees the sums of the merges before it;
 * the joins order the last one before histogram_build returns.
 */
struct part {
    const unsigned char *data;
    size_t n;
    long *bins;           /* the caller's: shared by every thread */
    atomic_flag *merging; /* guards bins */
};

static void *count_part(void *arg)
{
    const struct part *p = arg;
    long local[256] = {0};
    for (size_t i = 0; i < p->n; i++)
        local[p->data[i]]++;
    while (atomic_flag_test_and_set(p->merging))
        ; /* another thread is merging: it is done within 256 additions */
    for (int b = 0; b < 256; b++)
        p->bins[b] += local[b];
    atomic_flag_clear(p->merging);
    return NULL;
}

void histogram_build(int nthreads, const unsigned char *data, size_t n, long bins[256])
{
    memset(bins, 0, 256 * sizeof bins[0]);
    if (nthreads < 1 || nthreads > HISTOGRAM_MAX_THREADS)
        return;
    atomic_flag merging = ATOMIC_FLAG_INIT;
    pthread_t threads[HISTOGRAM_MAX_THREADS];
    int started[HISTOGRAM_MAX_THREADS];
    struct part parts[HISTOGRAM_MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        /* thread t counts [n * t / nthreads, n * (t + 1) / nthreads): every byte once */
        size_t from = n * t / nthreads, to = n * (t + 1) / nthreads;
        parts[t] = (struct part){data + from, to - from, bins, &merging};
        started[t] = pthread_create(&threads[t], NULL, count_part, &parts[t]) == 0;
        if (!started[t])
            count_part(&parts[t]); /* no thread to spare: count and merge this part here */
    }
    for (int t = 0; t < nthreads; t++)
        if (started[t])
            pthread_join(threads[t], NULL);
}
