/*
 * spawn_join: run one function over an array, on several threads.
 *
 * A thread is a function that runs alongside yours. pthread_create starts one: you give
 * it a function `void *f(void *arg)` and the one pointer that function receives. Then
 * both run at once, until pthread_join waits for the thread to finish. Everything a
 * thread needs goes in through that pointer; everything it produces comes out through
 * memory the caller reads after the join.
 *
 * This file already gives the right answers, but it computes all of them on the calling
 * thread. Your job: cut the inputs into nthreads slices, start one thread per slice, and
 * wait for all of them before returning. Read katas/spawn_join/README.md first.
 */
#include "spawn_join.h"

#include <pthread.h>

/* What one thread needs to know: the function, its inputs and outputs, and which part of
 * them is its own. */
struct slice {
    long (*fn)(long);
    const long *in;
    long *out;
    size_t lo, hi; /* this slice is in[lo] up to, but not including, in[hi] */
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

    /* TODO: one slice per thread, each with its own lo and hi, sizes differing by at most
     * one. Never more threads than inputs. */
    struct slice everything = {fn, in, out, 0, n};

    /* TODO: start a thread on each slice with pthread_create, instead of running the
     * worker here, on the calling thread. */
    worker(&everything);

    /* TODO: wait for every thread you started, with pthread_join, before returning:
     * until they have all finished, out[] is not ready. */
    return 0;
}
