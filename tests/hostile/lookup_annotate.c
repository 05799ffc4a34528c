/* hostile: finds ThreadSanitizer's own annotation calls with dlsym, under names put together
 * while the program runs, so neither the preprocessed tokens nor the object's symbols name
 * them. An acquire and a release around the shared add tell ThreadSanitizer that the adds
 * are ordered, so the race below hid from it (Helgrind and DRD, under Valgrind, have no such
 * symbols and still saw it). The object calls dlsym: the build refuses the lookup itself.
 * expect: stage=build status=fail first text="refused"
 * expect: stage=build status=fail text="dlsym"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "race_counter.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

static long total;
static void (*before)(void *); /* NULL where no sanitizer runtime is loaded */
static void (*after)(void *);

/* "__tsan_" "acquire" and "__tsan_" "release", built here so no check reads them whole */
static void *find(const char *tail)
{
    char name[64] = "__";
    strcat(name, "ts");
    strcat(name, "an_");
    strcat(name, tail);
    return dlsym(RTLD_DEFAULT, name);
}

/* Each thread counts on its own and adds its count to the shared total once, with no lock:
 * the tests almost never see an update lost, every race detector sees the race. */
static void *worker(void *arg)
{
    long n = *(const long *)arg, local = 0;
    for (long i = 0; i < n; i++)
        local++;
    if (before)
        before(&total);
    total += local;
    if (after)
        after(&total);
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    *(void **)&before = find("acquire");
    *(void **)&after = find("release");
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    total = 0;
    for (int i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, worker, &iters);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return total;
}
