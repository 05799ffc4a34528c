/* mutant: every slice holds n / t inputs and the last one also takes the remainder, up to t - 1 more
 * rejected-by: test */
#include "spawn_join.h"

#include <pthread.h>

struct slice {
    long (*fn)(long);
    const long *in;
    long *out;
    size_t lo, hi;
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
    size_t t = (size_t)nthreads < n ? (size_t)nthreads : n;
    pthread_t threads[SPAWN_JOIN_MAX_THREADS];
    struct slice slices[SPAWN_JOIN_MAX_THREADS];
    size_t base = n / t, started = 0;
    for (; started < t; started++) {
        size_t lo = started * base;
        size_t hi = started == t - 1 ? n : lo + base; /* the bug: the remainder all at the end */
        slices[started] = (struct slice){fn, in, out, lo, hi};
        if (pthread_create(&threads[started], NULL, worker, &slices[started]) != 0)
            break;
    }
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    return started == t ? 0 : -1;
}
