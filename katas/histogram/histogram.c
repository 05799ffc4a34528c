/*
 * histogram: count the bytes of a large buffer, with nthreads threads.
 *
 * This version is correct: every thread takes the same mutex around every increment of
 * the shared bins, so no count is lost and the race detectors find nothing. But it is
 * slow. The threads spend their time queueing for the lock, and the bins bounce between
 * the cores' caches on every byte: two threads are no faster than one. Run
 * `make kata NAME=histogram` and the perf stage will show you by how much.
 *
 * Your job: keep it correct and make it fast, with the threads still doing the counting.
 * Read katas/histogram/README.md first.
 */
#include "histogram.h"

#include <pthread.h>
#include <string.h>

static pthread_mutex_t bins_lock = PTHREAD_MUTEX_INITIALIZER;

struct part {
    const unsigned char *data; /* this thread's slice of the buffer */
    size_t n;
    long *bins; /* the shared result */
};

static void *count_part(void *arg)
{
    const struct part *p = arg;
    for (size_t i = 0; i < p->n; i++) {
        /* TODO: a lock for every byte. Could each thread count on its own first? */
        pthread_mutex_lock(&bins_lock);
        p->bins[p->data[i]]++;
        pthread_mutex_unlock(&bins_lock);
    }
    return NULL;
}

void histogram_build(int nthreads, const unsigned char *data, size_t n, long bins[256])
{
    memset(bins, 0, 256 * sizeof bins[0]);
    if (nthreads < 1 || nthreads > HISTOGRAM_MAX_THREADS)
        return;
    pthread_t threads[HISTOGRAM_MAX_THREADS];
    struct part parts[HISTOGRAM_MAX_THREADS];
    int started[HISTOGRAM_MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        /* thread t counts [n * t / nthreads, n * (t + 1) / nthreads): every byte once */
        size_t from = n * t / nthreads, to = n * (t + 1) / nthreads;
        parts[t] = (struct part){data + from, to - from, bins};
        started[t] = pthread_create(&threads[t], NULL, count_part, &parts[t]) == 0;
        if (!started[t])
            count_part(&parts[t]); /* no thread to spare: count this part here */
    }
    for (int t = 0; t < nthreads; t++)
        if (started[t])
            pthread_join(threads[t], NULL);
}
