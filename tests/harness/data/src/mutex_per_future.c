/* mutex_per_future.c: a mutex per future, destroyed by the thread that waited on it, after the
 * worker unlocked it last (tests/harness/test_valgrind_atomics.c, harness/valgrind.supp).
 *
 * Usage: mutex_per_future good | racy_field | destroy_locked
 *   good            correct: the waiter locks, waits for `done`, unlocks, destroys and frees.
 *                   Helgrind 3.19 still reports a race inside pthread_mutex_destroy: its own
 *                   wrapper reads the mutex to see whether it is still in its initial state, and
 *                   the worker's unlock wrote it after telling Helgrind it had unlocked.
 *   racy_field      a real race on the same object: the waiter reads the result as soon as a
 *                   relaxed flag says it is there, without the future's lock (a relaxed load
 *                   orders nothing), and only then waits as it should.
 *   destroy_locked  a real bug on the same mutex: the waiter destroys the mutex while the
 *                   worker still holds it.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FUTURES 50

struct future {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    int done;
    atomic_int done_flag; /* set by the worker while it holds the lock */
    atomic_int destroyed; /* destroy_locked: the waiter has destroyed the lock */
    long value;
    int destroy_locked; /* the mode, set before the worker starts */
};

static void *worker(void *arg)
{
    struct future *f = arg;
    /* work first, so that the waiter is asleep in pthread_cond_wait when the result comes:
     * Helgrind's false report needs that */
    nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    pthread_mutex_lock(&f->lock);
    f->value = 42;
    f->done = 1;
    atomic_store_explicit(&f->done_flag, 1, memory_order_relaxed);
    pthread_cond_signal(&f->ready);
    if (f->destroy_locked)
        while (!atomic_load(&f->destroyed))
            sched_yield();
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "good";
    long sum = 0, peeked = 0;
    for (int i = 0; i < FUTURES; i++) {
        struct future *f = calloc(1, sizeof *f);
        f->destroy_locked = !strcmp(mode, "destroy_locked");
        pthread_mutex_init(&f->lock, NULL);
        pthread_cond_init(&f->ready, NULL);
        pthread_t t;
        pthread_create(&t, NULL, worker, f);
        pthread_detach(t);
        if (f->destroy_locked) {
            while (!atomic_load_explicit(&f->done_flag, memory_order_relaxed))
                sched_yield();
            pthread_mutex_destroy(&f->lock);
            atomic_store(&f->destroyed, 1);
            /* the worker still unlocks it: keep the memory (the program ends soon) */
            break;
        }
        if (!strcmp(mode, "racy_field")) {
            while (!atomic_load_explicit(&f->done_flag, memory_order_relaxed))
                sched_yield();
            peeked += f->value;
        }
        pthread_mutex_lock(&f->lock);
        while (!f->done)
            pthread_cond_wait(&f->ready, &f->lock);
        sum += f->value;
        pthread_mutex_unlock(&f->lock);
        pthread_cond_destroy(&f->ready);
        pthread_mutex_destroy(&f->lock);
        free(f);
        if (strcmp(mode, "good"))
            break; /* one race is enough */
    }
    printf("%ld %ld\n", sum, peeked);
    return 0;
}
