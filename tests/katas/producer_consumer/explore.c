/* explore.c: producer_consumer under the explore stage's scheduler: two producers put three
 * items each into a queue of capacity 1 and two consumers take them until it is closed, every
 * interleaving a schedule can reach, judged by what came out (each item once, each
 * producer's in its order) and by a put after the close (it must return -1, and leave the
 * queue usable); a wakeup that never comes shows as every thread blocked. */
#include "producer_consumer.h"

#include "explore.h" /* harness/runtime/explore.h */

#include <pthread.h>
#include <stdio.h>

enum { PRODUCERS = 2, CONSUMERS = 2, ITEMS = 3, CAPACITY = 1 };

static struct queue *q;
static long got[CONSUMERS][PRODUCERS * ITEMS + 1];
static int ngot[CONSUMERS];
static int put_failed;

static void *producer(void *arg)
{
    long p = (long)arg;
    for (long i = 0; i < ITEMS; i++)
        if (queue_put(q, p * 100 + i) != 0)
            put_failed = 1;
    return NULL;
}

static void *consumer(void *arg)
{
    long c = (long)arg;
    long item;
    while (ngot[c] <= PRODUCERS * ITEMS && queue_get(q, &item) == 0)
        got[c][ngot[c]++] = item;
    return NULL;
}

/* out: put_failed, the late put's result, then for each consumer its count and items */
static int body(long *out, int max)
{
    (void)max;
    q = queue_create(CAPACITY);
    if (!q)
        return -1;
    pthread_t p[PRODUCERS], c[CONSUMERS];
    for (long i = 0; i < CONSUMERS; i++)
        pthread_create(&c[i], NULL, consumer, (void *)i);
    for (long i = 0; i < PRODUCERS; i++)
        pthread_create(&p[i], NULL, producer, (void *)i);
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(p[i], NULL);
    queue_close(q);
    long late = queue_put(q, 999);
    for (int i = 0; i < CONSUMERS; i++)
        pthread_join(c[i], NULL);
    queue_destroy(q);
    int n = 0;
    out[n++] = put_failed;
    out[n++] = late;
    for (int i = 0; i < CONSUMERS; i++) {
        out[n++] = ngot[i];
        for (int j = 0; j < ngot[i]; j++)
            out[n++] = got[i][j];
    }
    return n;
}

static const char *judge(const long *v, int n, char *buf, size_t len)
{
    if (n < 1)
        return "queue_create(1) returned NULL";
    if (v[0]) {
        snprintf(buf, len, "a queue_put on the open queue returned -1");
        return buf;
    }
    if (n < 2 || v[1] != -1) {
        snprintf(buf, len, "queue_put on the closed queue returned %ld, not -1", n < 2 ? 0 : v[1]);
        return buf;
    }
    int seen[PRODUCERS][ITEMS] = {{0}};
    int k = 2;
    for (int c = 0; c < CONSUMERS && k < n; c++) {
        long cnt = v[k++];
        long last[PRODUCERS] = {-1, -1};
        for (long j = 0; j < cnt && k < n; j++) {
            long item = v[k++];
            long p = item / 100, i = item % 100;
            if (p < 0 || p >= PRODUCERS || i < 0 || i >= ITEMS) {
                snprintf(buf, len, "consumer %d got %ld, which no producer put", c + 1, item);
                return buf;
            }
            if (seen[p][i]++) {
                snprintf(buf, len, "item %ld (producer %ld's item %ld) came out twice", item, p + 1,
                         i + 1);
                return buf;
            }
            if (i < last[p]) {
                snprintf(buf, len,
                         "consumer %d got producer %ld's items out of order (%ld after %ld)", c + 1,
                         p + 1, item, p * 100 + last[p]);
                return buf;
            }
            last[p] = i;
        }
    }
    for (int p = 0; p < PRODUCERS; p++)
        for (int i = 0; i < ITEMS; i++)
            if (!seen[p][i]) {
                snprintf(buf, len, "item %d (producer %d's item %d) was put but never came out",
                         p * 100 + i, p + 1, i + 1);
                return buf;
            }
    return NULL;
}

int main(void)
{
    static const struct explore_kata k = {body, judge};
    return explore_main(&k);
}
