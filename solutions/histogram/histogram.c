/*
 * histogram, solved: each thread counts into a table of its own, and the tables are
 * added together once, at the end.
 *
 * The shared bins are touched 256 times per thread instead of once per byte. While the
 * threads count, they share nothing: no lock to queue for, and no cache line that has to
 * travel between the cores on every increment. The local table lives on the thread's own
 * stack, so it is in that core's cache and in no other.
 *
 * The merge happens after pthread_join, which orders every thread's writes before the
 * main thread's reads; so the merge needs no lock either.
 */
#include "histogram.h"

#include <pthread.h>
#include <string.h>

struct part {
    const unsigned char *data;
    size_t n;
    long counts[256]; /* this thread's result, read only after the join */
};

static void *count_part(void *arg)
{
    struct part *p = arg;
    long local[256] = {0}; /* on this thread's stack: no other core ever writes here */
    for (size_t i = 0; i < p->n; i++)
        local[p->data[i]]++;
    memcpy(p->counts, local, sizeof local);
    return NULL;
}

void histogram_build(int nthreads, const unsigned char *data, size_t n, long bins[256])
{
    memset(bins, 0, 256 * sizeof bins[0]);
    if (nthreads < 1 || nthreads > HISTOGRAM_MAX_THREADS)
        return;
    pthread_t threads[HISTOGRAM_MAX_THREADS];
    int started[HISTOGRAM_MAX_THREADS];
    struct part parts[HISTOGRAM_MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        /* thread t counts [n * t / nthreads, n * (t + 1) / nthreads): every byte once */
        size_t from = n * t / nthreads, to = n * (t + 1) / nthreads;
        parts[t].data = data + from;
        parts[t].n = to - from;
        started[t] = pthread_create(&threads[t], NULL, count_part, &parts[t]) == 0;
        if (!started[t])
            count_part(&parts[t]); /* no thread to spare: count this part here */
    }
    for (int t = 0; t < nthreads; t++) {
        if (started[t])
            pthread_join(threads[t], NULL);
        for (int b = 0; b < 256; b++)
            bins[b] += parts[t].counts[b];
    }
}
