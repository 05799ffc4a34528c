/* mutant: when pthread_create fails it returns -1 at once, leaving the threads already started running
 * rejected-by: test */
#include "spawn_join.h"

#include <pthread.h>

struct slice {
    long (*fn)(long);
    const long *in;
    long *out;
    size_t lo, hi;
};

/* static, so the running threads' slices outlive the early return: the one bug left is the
 * missing join on the error path */
static struct slice slices[SPAWN_JOIN_MAX_THREADS];

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
    size_t base = n / t, extra = n % t, lo = 0;
    for (size_t k = 0; k < t; k++) {
        size_t len = base + (k < extra);
        slices[k] = (struct slice){fn, in, out, lo, lo + len};
        lo += len;
        if (pthread_create(&threads[k], NULL, worker, &slices[k]) != 0)
            return -1; /* the bug: threads[0..k-1] still run, and nobody joins them */
    }
    for (size_t k = 0; k < t; k++)
        pthread_join(threads[k], NULL);
    return 0;
}
