/* driver.c: thread_pool under the detectors and the timer:
 * `driver NWORKERS LIMIT CHUNK WAVE SUBMITTERS`, a plain main.
 *
 * Counts the primes below LIMIT by trial division, CHUNK numbers per task. Each of the
 * SUBMITTERS threads takes its share of the chunks and hands them to the pool a wave at a
 * time: it submits WAVE tasks, waits for their futures, and only then submits the next wave,
 * as a server passing requests to a pool would. Between waves the workers run dry and go to
 * sleep, so how fast they wake up counts. The last wave's futures are also waited on by a
 * second thread, and read once more after pool_shutdown, before they are freed. */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */
#include "thread_pool.h"

#include "../../support/workload.h" /* the timed runs move the limit */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_WAVE 256
#define MAX_SUBMITTERS 8

static long limit, chunk;
/* every thread is started before any future is freed: Helgrind misreads a freed future's
 * memory reused by a thread created later */
static pthread_barrier_t all_started;

static int is_prime(long n)
{
    if (n < 2)
        return 0;
    for (long d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

/* One task: the primes in [from, from + chunk), below limit. */
static long count_chunk(long from)
{
    long to = from + chunk < limit ? from + chunk : limit, count = 0;
    for (long n = from; n < to; n++)
        count += is_prime(n);
    return count;
}

/* The primes below limit by the sieve of Eratosthenes, to check the answer quickly. */
static long sieve_count(void)
{
    char *composite = calloc((size_t)limit + 1, 1);
    if (!composite)
        return -1;
    long count = 0;
    for (long n = 2; n < limit; n++) {
        if (composite[n])
            continue;
        count++;
        for (long m = n * n; n <= limit / n && m < limit; m += n)
            composite[m] = 1;
    }
    free(composite);
    return count;
}

struct submitter {
    struct pool *p;
    long first, last, step; /* its chunks start at first, first + step, ..., below last */
    long wave, count, failed;
    struct future *kept[MAX_WAVE]; /* the last wave's futures, kept past the shutdown */
    long kept_result[MAX_WAVE], nkept;
    /* a helper thread, started before any future is freed, that waits on the first future
     * of the last wave too: `posted` tells it which (NULL: none) */
    pthread_t helper;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    struct future *to_wait;
    int posted;
};

static void post(struct submitter *s, struct future *f)
{
    pthread_mutex_lock(&s->lock);
    s->to_wait = f;
    s->posted = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->lock);
}

static void *help(void *arg)
{
    struct submitter *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->posted)
        pthread_cond_wait(&s->cv, &s->lock);
    struct future *f = s->to_wait;
    pthread_mutex_unlock(&s->lock);
    if (f)
        future_get(f);
    return NULL;
}

static void *submit_waves(void *arg)
{
    struct submitter *s = arg;
    struct future *f[MAX_WAVE];
    pthread_barrier_wait(&all_started);
    for (long from = s->first; from < s->last;) {
        long n = 0;
        for (; n < s->wave && from < s->last; n++, from += s->step)
            if (!(f[n] = pool_submit(s->p, count_chunk, from)))
                break;
        if (n < s->wave && from < s->last) {
            s->failed++;
            break;
        }
        int last_wave = from >= s->last;
        if (last_wave)
            post(s, f[0]);
        for (long k = 0; k < n; k++)
            s->count += future_get(f[k]);
        if (last_wave)
            pthread_join(s->helper, NULL); /* before the futures may be freed */
        for (long k = 0; k < n; k++) {
            if (from < s->last) {
                future_free(f[k]);
                continue;
            }
            s->kept[s->nkept] = f[k];
            s->kept_result[s->nkept++] = future_get(f[k]);
        }
    }
    if (!s->posted) { /* no last wave (no chunks, or a failed submit) */
        post(s, NULL);
        pthread_join(s->helper, NULL);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int nworkers = argc > 1 ? atoi(argv[1]) : 2;
    limit = workload_moved(argc > 2 ? atol(argv[2]) : 100000);
    chunk = argc > 3 ? atol(argv[3]) : 1000;
    long wave = argc > 4 ? atol(argv[4]) : 4;
    int nsub = argc > 5 ? atoi(argv[5]) : 1;
    if (limit < 2 || chunk < 1 || wave < 1 || wave > MAX_WAVE || nsub < 1 ||
        nsub > MAX_SUBMITTERS) {
        fprintf(stderr, "usage: driver NWORKERS LIMIT CHUNK WAVE(1..%d) SUBMITTERS(1..%d)\n",
                MAX_WAVE, MAX_SUBMITTERS);
        return 2;
    }
    long expected = sieve_count();
    struct pool *p = pool_create(nworkers);
    if (!p || expected < 0) {
        fprintf(stderr, "driver: pool_create(%d) returned NULL, or no memory\n", nworkers);
        return 1;
    }
    struct submitter s[MAX_SUBMITTERS];
    pthread_t t[MAX_SUBMITTERS];
    long total = 0, failed = 0;
    pthread_barrier_init(&all_started, NULL, (unsigned)nsub);
    for (int i = 0; i < nsub; i++) {
        s[i] = (struct submitter){
            .p = p, .first = i * chunk, .last = limit, .step = nsub * chunk, .wave = wave};
        pthread_mutex_init(&s[i].lock, NULL);
        pthread_cond_init(&s[i].cv, NULL);
        if (pthread_create(&s[i].helper, NULL, help, &s[i]) != 0) {
            fprintf(stderr, "driver: cannot start a helper\n");
            return 2;
        }
    }
    for (int i = 0; i < nsub; i++) {
        if (i > 0 && pthread_create(&t[i], NULL, submit_waves, &s[i]) != 0) {
            fprintf(stderr, "driver: cannot start submitter %d\n", i);
            return 2;
        }
    }
    submit_waves(&s[0]);
    for (int i = 0; i < nsub; i++) {
        if (i > 0)
            pthread_join(t[i], NULL);
        total += s[i].count;
        failed += s[i].failed;
    }
    pool_shutdown(p);
    /* a future outlives its pool: it still holds its result */
    for (int i = 0; i < nsub; i++)
        for (long k = 0; k < s[i].nkept; k++) {
            failed += future_get(s[i].kept[k]) != s[i].kept_result[k];
            future_free(s[i].kept[k]);
        }
    printf("%d worker%s, primes below %ld in chunks of %ld, waves of %ld, %d submitter%s: %ld "
           "(expected %ld)%s\n",
           nworkers, nworkers == 1 ? "" : "s", limit, chunk, wave, nsub, nsub == 1 ? "" : "s",
           total, expected, failed ? ", and a submit or a future failed" : "");
    return total == expected && !failed ? 0 : 1;
}
