/* mutant: one atomic_fetch_add per byte on the shared bins
 * (no count is lost, but every increment pulls a cache line away from the other core)
 * rejected-by: perf */
#include "histogram.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

static atomic_long shared[256];

struct part {
    const unsigned char *data;
    size_t n;
};

static void *count_part(void *arg)
{
    const struct part *p = arg;
    for (size_t i = 0; i < p->n; i++)
        atomic_fetch_add(&shared[p->data[i]], 1);
    return NULL;
}

void histogram_build(int nthreads, const unsigned char *data, size_t n, long bins[256])
{
    memset(bins, 0, 256 * sizeof bins[0]);
    if (nthreads < 1 || nthreads > HISTOGRAM_MAX_THREADS)
        return;
    for (int b = 0; b < 256; b++)
        atomic_store(&shared[b], 0);
    pthread_t threads[HISTOGRAM_MAX_THREADS];
    struct part parts[HISTOGRAM_MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        size_t from = n * t / nthreads, to = n * (t + 1) / nthreads;
        parts[t] = (struct part){data + from, to - from};
        pthread_create(&threads[t], NULL, count_part, &parts[t]);
    }
    for (int t = 0; t < nthreads; t++)
        pthread_join(threads[t], NULL);
    for (int b = 0; b < 256; b++)
        bins[b] = atomic_load(&shared[b]);
}
