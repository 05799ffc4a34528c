/*
 * cpu_primes, solved: the numbers are handed out in small chunks, to whichever thread asks
 * next.
 *
 * Testing a big number by trial division costs more than testing a small one (there are
 * more divisors below its square root). Cut the range in equal halves and the thread with
 * the top half works longer, while the other one sits idle at the end. Here a shared
 * atomic counter says where the next chunk starts: a thread that finishes a chunk takes the
 * next one, so both threads stay busy until the very last chunk. That costs one
 * atomic_fetch_add per 10,000 numbers: nothing, next to the divisions.
 *
 * Each thread counts its primes in a local variable and writes it out once; the main thread
 * adds the counts after pthread_join, which orders those writes before its reads.
 */
#include "cpu_primes.h"

#include <pthread.h>
#include <stdatomic.h>

/* Numbers per grab: big enough that the grab costs nothing, small enough that the last
 * chunks share out evenly (300 of them below 3,000,000). */
#define CHUNK 10000

struct shared {
    long limit;
    atomic_long next; /* the first number of the next chunk nobody has taken yet */
};

struct worker {
    struct shared *work;
    long count; /* this thread's primes, read only after the join */
};

static int is_prime(long n)
{
    if (n < 4)
        return n >= 2;
    if (n % 2 == 0 || n % 3 == 0)
        return 0;
    for (long d = 5; d * d <= n; d += 6)
        if (n % d == 0 || n % (d + 2) == 0)
            return 0;
    return 1;
}

static void *count_chunks(void *arg)
{
    struct worker *w = arg;
    long count = 0;
    for (;;) {
        long from = atomic_fetch_add(&w->work->next, CHUNK);
        if (from >= w->work->limit)
            break;
        long to = from + CHUNK < w->work->limit ? from + CHUNK : w->work->limit;
        for (long n = from; n < to; n++)
            count += is_prime(n);
    }
    w->count = count;
    return NULL;
}

long cpu_primes_count(int nthreads, long limit)
{
    if (nthreads < 1 || nthreads > CPU_PRIMES_MAX_THREADS)
        return -1;
    struct shared work = {limit, 0};
    pthread_t threads[CPU_PRIMES_MAX_THREADS];
    struct worker workers[CPU_PRIMES_MAX_THREADS];
    int started[CPU_PRIMES_MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        workers[t] = (struct worker){&work, 0};
        started[t] = pthread_create(&threads[t], NULL, count_chunks, &workers[t]) == 0;
    }
    long total = 0;
    for (int t = 0; t < nthreads; t++) {
        if (started[t])
            pthread_join(threads[t], NULL);
        else
            count_chunks(&workers[t]); /* no thread to spare: take chunks here */
        total += workers[t].count;
    }
    return total;
}
