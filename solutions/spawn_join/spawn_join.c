/*
 * spawn_join, solved: one struct per thread, start them all, then join them all.
 *
 * Each thread gets a struct slice of its own, in an array that outlives every thread.
 * A thread reads its argument whenever it gets to run, which may be long after
 * pthread_create has returned: had we passed &k, the loop would already have moved k on,
 * and two threads could take the same slice while another slice was never done. A
 * struct that nobody changes after the thread starts cannot be misread.
 *
 * We join every thread before returning for two reasons. Until a thread has finished,
 * its part of out[] is not written yet, and the slices it reads live in this function's
 * stack frame. And pthread_join is what makes the thread's writes visible to us: every
 * store the thread made happens before the join returns, so the caller may read out[]
 * without a lock.
 */
#include "spawn_join.h"

#include <pthread.h>

struct slice {
    long (*fn)(long);
    const long *in;
    long *out;
    size_t lo, hi; /* in[lo] up to, but not including, in[hi] */
};

static void *worker(void *arg)
{
    const struct slice *s = arg;
    for (size_t i = s->lo; i < s->hi; i++)
        s->out[i] = s->fn(s->in[i]);
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

    size_t t = (size_t)nthreads < n ? (size_t)nthreads : n; /* never a thread with nothing */
    pthread_t threads[SPAWN_JOIN_MAX_THREADS];
    struct slice slices[SPAWN_JOIN_MAX_THREADS];
    size_t base = n / t, extra = n % t, lo = 0;
    size_t started = 0;
    for (; started < t; started++) {
        /* the first `extra` slices take one input more, so sizes differ by at most one */
        size_t len = base + (started < extra);
        slices[started] = (struct slice){fn, in, out, lo, lo + len};
        lo += len;
        if (pthread_create(&threads[started], NULL, worker, &slices[started]) != 0)
            break;
    }
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    return started == t ? 0 : -1;
}
