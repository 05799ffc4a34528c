/* mutant: a plain bins[byte]++ on the shared bins, with no lock
 * (a data race: counts are lost when two threads hit the same bin at once)
 * rejected-by: tsan */
#include "histogram.h"

#include <pthread.h>
#include <string.h>

struct part {
    const unsigned char *data;
    size_t n;
    long *bins;
};

static void *count_part(void *arg)
{
    const struct part *p = arg;
    for (size_t i = 0; i < p->n; i++)
        p->bins[p->data[i]]++;
    return NULL;
}

void histogram_build(int nthreads, const unsigned char *data, size_t n, long bins[256])
{
    memset(bins, 0, 256 * sizeof bins[0]);
    if (nthreads < 1 || nthreads > HISTOGRAM_MAX_THREADS)
        return;
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
