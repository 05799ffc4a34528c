/* publish.c: one thread publishes a value through an atomic flag, another waits for the
 * flag and reads the value. PUBLISH picks the variant (tests/harness/stages/test_valgrind_atomics.c):
 *   1  release store, acquire load: correct, and clean under every detector
 *   2  relaxed store and load: nothing orders the value, a real race
 *   3  release/acquire, but the value is written after the flag: a real race */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#ifndef PUBLISH
#define PUBLISH 1
#endif

static long value;
static atomic_int ready;

static void *producer(void *arg)
{
    (void)arg;
#if PUBLISH == 1
    value = 42;
    atomic_store_explicit(&ready, 1, memory_order_release);
#elif PUBLISH == 2
    value = 42;
    atomic_store_explicit(&ready, 1, memory_order_relaxed);
#else
    atomic_store(&ready, 1);
    value = 42;
#endif
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
#if PUBLISH == 2
    while (!atomic_load_explicit(&ready, memory_order_relaxed))
        ;
#else
    while (!atomic_load(&ready))
        ;
#endif
    long seen = value;
    pthread_join(t, NULL);
    printf("%ld\n", seen);
    return 0;
}
