/* good: a ring buffer of ready tasks and a binary min-heap of timers, blocking in poll()
 * expect: status=pass
 * expect: status=pass
 *
 * The sleepers live in a heap ordered by (deadline, the order they fell asleep in), so the
 * earliest deadline is always at the root: waking the due ones pops the root while it is due,
 * earliest first, and the loop blocks in poll() with a timeout until the root's deadline.
 * Every array is allocated once, for n tasks, since no task is ever in both places.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "event_loop.h"

#include <poll.h>
#include <stdlib.h>
#include <time.h>

struct timer {
    long long wake;         /* CLOCK_MONOTONIC nanoseconds */
    unsigned long long seq; /* ties on wake keep the order of the loop_sleep calls */
    size_t task;
};

struct loop {
    struct task *tasks;
    size_t n;
    size_t *ring; /* the ready line: indices into tasks[] */
    size_t head, count;
    struct timer *heap;
    size_t nheap;
    unsigned long long seq;
    size_t current; /* the task being stepped */
    int parked;     /* it called loop_sleep with ms > 0 */
    long long wake; /* and this is its deadline */
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void push_ready(struct loop *l, size_t task)
{
    l->ring[(l->head + l->count++) % l->n] = task;
}

static size_t pop_ready(struct loop *l)
{
    size_t task = l->ring[l->head];
    l->head = (l->head + 1) % l->n;
    l->count--;
    return task;
}

static int before(const struct timer *a, const struct timer *b)
{
    return a->wake < b->wake || (a->wake == b->wake && a->seq < b->seq);
}

static void heap_push(struct loop *l, struct timer t)
{
    size_t i = l->nheap++;
    while (i > 0 && before(&t, &l->heap[(i - 1) / 2])) {
        l->heap[i] = l->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    l->heap[i] = t;
}

static struct timer heap_pop(struct loop *l)
{
    struct timer top = l->heap[0], last = l->heap[--l->nheap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= l->nheap)
            break;
        if (c + 1 < l->nheap && before(&l->heap[c + 1], &l->heap[c]))
            c++;
        if (!before(&l->heap[c], &last))
            break;
        l->heap[i] = l->heap[c];
        i = c;
    }
    if (l->nheap)
        l->heap[i] = last;
    return top;
}

int loop_run(struct task *tasks, size_t n, long *results)
{
    if (n == 0)
        return 0;
    if (!tasks || !results)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!tasks[i].step)
            return -1;
    struct loop l = {.tasks = tasks, .n = n};
    l.ring = malloc(n * sizeof *l.ring);
    l.heap = malloc(n * sizeof *l.heap);
    if (!l.ring || !l.heap) {
        free(l.ring);
        free(l.heap);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        push_ready(&l, i);

    while (l.count || l.nheap) {
        if (l.nheap) {
            long long now = now_ns();
            while (l.nheap && l.heap[0].wake <= now)
                push_ready(&l, heap_pop(&l).task);
        }
        if (!l.count) {
            /* everyone sleeps: block until the root's deadline, rounded up to a millisecond
             * (a signal that cuts the wait short only sends us round the loop again) */
            long long left = l.heap[0].wake - now_ns();
            if (left > 0)
                poll(NULL, 0, (int)((left + 999999) / 1000000));
            continue;
        }
        size_t i = pop_ready(&l);
        l.current = i;
        l.parked = 0;
        if (tasks[i].step(&tasks[i], &l) == TASK_DONE)
            results[i] = tasks[i].result;
        else if (l.parked)
            heap_push(&l, (struct timer){l.wake, l.seq++, i});
        else
            push_ready(&l, i);
    }
    free(l.ring);
    free(l.heap);
    return 0;
}

int loop_sleep(struct loop *loop, struct task *self, long ms)
{
    if (!loop || self != &loop->tasks[loop->current])
        return TASK_YIELD;
    loop->parked = ms > 0;
    loop->wake = now_ns() + (long long)ms * 1000000LL;
    return TASK_YIELD;
}
