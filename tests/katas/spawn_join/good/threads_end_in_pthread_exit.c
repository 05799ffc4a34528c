/* good: the threads end with pthread_exit instead of returning from their function
 * expect: status=pass
 * expect: status=pass
 *
 * Equivalent to returning, and legal C: a test that counts running threads must see these
 * end too. */
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
    pthread_exit(NULL);
}
int spawn_join_map(int nthreads, long (*fn)(long), const long *in, long *out, size_t n)
{
    if (nthreads < 1 || nthreads > SPAWN_JOIN_MAX_THREADS || (n > 0 && (!fn || !in || !out)))
        return -1;
    if (n == 0)
        return 0;
    size_t t = (size_t)nthreads < n ? (size_t)nthreads : n;
    pthread_t th[SPAWN_JOIN_MAX_THREADS];
    struct slice sl[SPAWN_JOIN_MAX_THREADS];
    size_t base = n / t, extra = n % t, lo = 0, started = 0;
    for (; started < t; started++) {
        size_t len = base + (started < extra);
        sl[started] = (struct slice){fn, in, out, lo, lo + len};
        lo += len;
        if (pthread_create(&th[started], NULL, worker, &sl[started]))
            break;
    }
    for (size_t k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    return started == t ? 0 : -1;
}
