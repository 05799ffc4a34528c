/* mutant: one thread is started, whatever nthreads says, and it does all the work
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
    pthread_t thread;
    struct slice all = {fn, in, out, 0, n};
    if (pthread_create(&thread, NULL, worker, &all) != 0)
        return -1;
    pthread_join(thread, NULL);
    return 0;
}
