/* mutant: every thread gets &k, the creating loop's counter, and reads it after the loop moved on
 * rejected-by: tsan */
#include "spawn_join.h"

#include <pthread.h>

/* the job, the same for every thread */
static long (*job_fn)(long);
static const long *job_in;
static long *job_out;
static size_t job_n, job_threads;

static void *worker(void *arg)
{
    size_t k = *(const size_t *)arg; /* "which slice is mine?" read too late */
    size_t base = job_n / job_threads, extra = job_n % job_threads;
    size_t lo = k * base + (k < extra ? k : extra);
    size_t hi = lo + base + (k < extra);
    if (hi > job_n)
        hi = job_n;
    for (size_t i = lo; i < hi; i++)
        job_out[i] = job_fn(job_in[i]);
    return NULL;
}

int spawn_join_map(int nthreads, long (*fn)(long), const long *in, long *out, size_t n)
{
    if (nthreads < 1 || nthreads > SPAWN_JOIN_MAX_THREADS)
        return -1;
    if (n > 0 && (!fn || !in || !out))
        return -1;
    if (n == 0)
        return 0;
    job_fn = fn;
    job_in = in;
    job_out = out;
    job_n = n;
    job_threads = (size_t)nthreads < n ? (size_t)nthreads : n;
    pthread_t threads[SPAWN_JOIN_MAX_THREADS];
    size_t k;
    for (k = 0; k < job_threads; k++)
        pthread_create(&threads[k], NULL, worker, &k);
    for (k = 0; k < job_threads; k++)
        pthread_join(threads[k], NULL);
    return 0;
}
