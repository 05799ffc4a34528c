/* mutant: one thread counts the whole buffer, whatever nthreads says
 * (the bins are right; only the thread count shows that the work was never shared)
 * rejected-by: test */
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
    long local[256] = {0};
    for (size_t i = 0; i < p->n; i++)
        local[p->data[i]]++;
    for (int b = 0; b < 256; b++)
        p->bins[b] = local[b];
    return NULL;
}

void histogram_build(int nthreads, const unsigned char *data, size_t n, long bins[256])
{
    memset(bins, 0, 256 * sizeof bins[0]);
    if (nthreads < 1 || nthreads > HISTOGRAM_MAX_THREADS)
        return;
    pthread_t thread;
    struct part whole = {data, n, bins};
    pthread_create(&thread, NULL, count_part, &whole);
    pthread_join(thread, NULL);
}
