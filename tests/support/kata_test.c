/* kata_test.c: seeded sizes and the pthread_create counter for kata tests. */
#include "kata_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_long threads_started;
static unsigned long long state;
static int seeded;

unsigned long kata_seed(void)
{
    const char *s = getenv("KATA_SEED");
    return s && *s ? strtoul(s, NULL, 10) : 1;
}

/* splitmix64: small, fast, and good enough to pick test sizes */
static unsigned long long next(void)
{
    if (!seeded) {
        state = kata_seed() * 0x9e3779b97f4a7c15ULL + 1;
        seeded = 1;
    }
    unsigned long long z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

long kata_rand_range(long lo, long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long)(next() % (unsigned long long)(hi - lo + 1));
}

long kata_threads_started(void)
{
    return atomic_load(&threads_started);
}

void kata_threads_reset(void)
{
    atomic_store(&threads_started, 0);
}

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg);

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg)
{
    int rc = __real_pthread_create(t, attr, fn, arg);
    if (rc == 0)
        atomic_fetch_add(&threads_started, 1);
    return rc;
}
