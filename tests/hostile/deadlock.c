/* hostile: two threads take two mutexes in opposite orders (a barrier makes it certain) and
 * wait for each other forever; no detector reports a real deadlock, so only the deadline and
 * the stack dump can, and the dump must name both threads and the lines where they wait.
 * expect: stage=test status=fail first text="did not finish"
 * expect: stage=test status=fail match="thread [0-9]+ blocked in pthread_mutex_lock, called from take_a_then_b at [^ ]*deadlock.c:@a_waits@"
 * expect: stage=test status=fail match="thread [0-9]+ blocked in pthread_mutex_lock, called from take_b_then_a at [^ ]*deadlock.c:@b_waits@"
 * expect: status=fail
 * limit: 9
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;
static long counter;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&b); /* @a_waits@ */
    counter++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&a); /* @b_waits@ */
    counter++;
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    pthread_t t1, t2;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&t1, NULL, take_a_then_b, NULL);
    pthread_create(&t2, NULL, take_b_then_a, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return counter;
}
