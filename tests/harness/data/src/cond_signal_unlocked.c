/* cond_signal_unlocked.c: a thread signals a condition variable without holding the mutex the
 * waiter uses with it (Helgrind: "Misc", "associated lock is not held by any thread"; DRD:
 * CondRaceErr). */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static atomic_int done;

static void *signaller(void *arg)
{
    (void)arg;
    usleep(100000);
    atomic_store(&done, 1);
    pthread_cond_signal(&ready); /* the mutex is not held: a wakeup can be lost */
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, signaller, NULL);
    pthread_mutex_lock(&lock);
    while (!atomic_load(&done))
        pthread_cond_wait(&ready, &lock);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    return 0;
}
