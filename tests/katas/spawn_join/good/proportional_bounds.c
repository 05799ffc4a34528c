/* good: each thread works out its own slice from its index, from k * n / t up to (k + 1) * n / t
 * expect: status=pass
 * expect: status=pass
 *
 * The larger slices fall where the rounding puts them, not first, as the reference's do. */
#include "spawn_join.h"

#include <pthread.h>

/* One job for every thread, written before the first thread starts and only read after:
 * pthread_create orders the writes before the thread's reads. */
struct job {
    long (*fn)(long);
    const long *in;
    long *out;
    size_t n, t;
};

struct worker_arg {
    const struct job *job;
    size_t k;
};

static void *worker(void *p)
{
    const struct worker_arg *a = p;
    const struct job *j = a->job;
    /* floor(k n / t) and floor((k + 1) n / t) differ by floor(n / t) or one more */
    size_t lo = a->k * j->n / j->t, hi = (a->k + 1) * j->n / j->t;
    for (size_t i = lo; i < hi; i++)
        j->out[i] = j->fn(j->in[i]);
    return NULL;
}

int spawn_join_map(int nthreads, long (*fn)(long), const long *in, long *out, size_t n)
{
    if (nthreads < 1 || nthreads > SPAWN_JOIN_MAX_THREADS || (n > 0 && (!fn || !in || !out)))
        return -1;
    if (n == 0)
        return 0;
    struct job job = {fn, in, out, n, (size_t)nthreads < n ? (size_t)nthreads : n};
    pthread_t threads[SPAWN_JOIN_MAX_THREADS];
    struct worker_arg args[SPAWN_JOIN_MAX_THREADS];
    size_t started = 0;
    while (started < job.t) {
        args[started] = (struct worker_arg){&job, started};
        if (pthread_create(&threads[started], NULL, worker, &args[started]) != 0)
            break;
        started++;
    }
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    return started == job.t ? 0 : -1;
}
