/* mutant: a mutex per bin, locked and unlocked for every byte
 * (little contention, but still a lock per byte, and bins and locks bounce between cores)
 * rejected-by: perf */
#include "histogram.h"

#include <pthread.h>
#include <string.h>

static pthread_mutex_t bin_locks[256];
static pthread_once_t locks_once = PTHREAD_ONCE_INIT;

static void init_locks(void)
{
    for (int b = 0; b < 256; b++)
        pthread_mutex_init(&bin_locks[b], NULL);
}

struct part {
    const unsigned char *data;
    size_t n;
    long *bins;
};

static void *count_part(void *arg)
{
    const struct part *p = arg;
    for (size_t i = 0; i < p->n; i++) {
        unsigned char b = p->data[i];
        pthread_mutex_lock(&bin_locks[b]);
        p->bins[b]++;
        pthread_mutex_unlock(&bin_locks[b]);
    }
    return NULL;
}

void histogram_build(int nthreads, const unsigned char *data, size_t n, long bins[256])
{
    memset(bins, 0, 256 * sizeof bins[0]);
    if (nthreads < 1 || nthreads > HISTOGRAM_MAX_THREADS)
        return;
    pthread_once(&locks_once, init_locks);
    pthread_t threads[HISTOGRAM_MAX_THREADS];
    struct part parts[HISTOGRAM_MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        size_t from = n * t / nthreads, to = n * (t + 1) / nthreads;
        parts[t] = (struct part){data + from, to - from, bins};
        pthread_create(&threads[t], NULL, count_part, &parts[t]);
    }
    for (int t = 0; t < nthreads; t++)
        pthread_join(threads[t], NULL);
}
