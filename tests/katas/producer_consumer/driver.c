/* driver.c: producer_consumer under the detectors and the timer:
 * `driver PRODUCERS CONSUMERS ITEMS CAPACITY`, a plain main. */
#include "producer_consumer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 16

/* An item is (producer << 32) | sequence number. */
struct producer {
    struct queue *q;
    long id, n, failed;
};

/* Each consumer checks order and sums on its own, so the driver adds no shared state. */
struct consumer {
    struct queue *q;
    int nproducers;
    long count, out_of_order;
    long last[MAX_THREADS];
    unsigned long sum[MAX_THREADS], squares[MAX_THREADS]; /* per producer, of the sequence
                                                           * numbers, modulo 2^64 */
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (long i = 0; i < p->n; i++)
        if (queue_put(p->q, p->id << 32 | i) != 0)
            p->failed++;
    return NULL;
}

static void *consume(void *arg)
{
    struct consumer *c = arg;
    for (int p = 0; p < MAX_THREADS; p++)
        c->last[p] = -1;
    long item;
    while (queue_get(c->q, &item) == 0) {
        long p = item >> 32, seq = item & 0xffffffffL;
        c->count++;
        if (p < 0 || p >= c->nproducers || seq <= c->last[p]) {
            c->out_of_order++;
            continue;
        }
        c->last[p] = seq;
        c->sum[p] += (unsigned long)seq;
        c->squares[p] += (unsigned long)seq * (unsigned long)seq;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int np = argc > 1 ? atoi(argv[1]) : 2;
    int nc = argc > 2 ? atoi(argv[2]) : 2;
    long n = argc > 3 ? atol(argv[3]) : 1000;
    long cap = argc > 4 ? atol(argv[4]) : 4;
    if (np < 1 || np > MAX_THREADS || nc < 1 || nc > MAX_THREADS || n < 1 || cap < 1) {
        fprintf(stderr, "usage: driver PRODUCERS CONSUMERS ITEMS CAPACITY (1..%d threads)\n",
                MAX_THREADS);
        return 2;
    }
    struct queue *q = queue_create((size_t)cap);
    if (!q) {
        fprintf(stderr, "driver: queue_create(%ld) returned NULL\n", cap);
        return 1;
    }
    struct producer prod[MAX_THREADS];
    static struct consumer cons[MAX_THREADS];
    pthread_t pt[MAX_THREADS], ct[MAX_THREADS];
    for (int i = 0; i < nc; i++) {
        cons[i] = (struct consumer){.q = q, .nproducers = np};
        if (pthread_create(&ct[i], NULL, consume, &cons[i]) != 0) {
            fprintf(stderr, "driver: cannot start consumer %d\n", i);
            return 2;
        }
    }
    for (int i = 0; i < np; i++) {
        prod[i] = (struct producer){q, i, n, 0};
        if (pthread_create(&pt[i], NULL, produce, &prod[i]) != 0) {
            fprintf(stderr, "driver: cannot start producer %d\n", i);
            return 2;
        }
    }
    for (int i = 0; i < np; i++)
        pthread_join(pt[i], NULL);
    queue_close(q);
    for (int i = 0; i < nc; i++)
        pthread_join(ct[i], NULL);
    queue_destroy(q);

    /* every item once: the count, and per producer the sum and the sum of squares of its
     * sequence numbers; each consumer saw each producer's items in order */
    long count = 0, wrong = 0;
    for (int i = 0; i < np; i++)
        wrong += prod[i].failed;
    for (int i = 0; i < nc; i++) {
        count += cons[i].count;
        wrong += cons[i].out_of_order;
    }
    unsigned long want_sum = 0, want_squares = 0;
    for (unsigned long i = 0; i < (unsigned long)n; i++)
        want_sum += i, want_squares += i * i;
    for (int p = 0; p < np; p++) {
        unsigned long s = 0, s2 = 0;
        for (int i = 0; i < nc; i++)
            s += cons[i].sum[p], s2 += cons[i].squares[p];
        wrong += s != want_sum || s2 != want_squares;
    }
    printf("%d producer%s x %ld item%s, %d consumer%s, capacity %ld: %ld delivered of %ld, %ld "
           "wrong\n",
           np, np == 1 ? "" : "s", n, n == 1 ? "" : "s", nc, nc == 1 ? "" : "s", cap, count, np * n,
           wrong);
    return count == np * n && wrong == 0 ? 0 : 1;
}
