/* explore_counter.c: two threads count to four in five ways, for test_explore.c (the part a
 * learner would write; compiled with -fsanitize=thread and run under the explore runtime):
 * racy, locked, read and written under two holds of the lock, two locks taken in opposite
 * orders, and an atomic_flag spinlock. */
#include <pthread.h>
#include <stdatomic.h>

long count_with(int variant);

static long counter;
static pthread_mutex_t a_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_flag spin = ATOMIC_FLAG_INIT;
static int variant;

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 2; i++) {
        if (variant == 0) {
            counter = counter + 1;
        } else if (variant == 1) {
            pthread_mutex_lock(&a_lock);
            counter = counter + 1;
            pthread_mutex_unlock(&a_lock);
        } else if (variant == 2) {
            pthread_mutex_lock(&a_lock);
            long seen = counter;
            pthread_mutex_unlock(&a_lock);
            pthread_mutex_lock(&a_lock);
            counter = seen + 1;
            pthread_mutex_unlock(&a_lock);
        } else if (variant == 3) {
            pthread_mutex_lock(id ? &b_lock : &a_lock);
            pthread_mutex_lock(id ? &a_lock : &b_lock);
            counter = counter + 1;
            pthread_mutex_unlock(id ? &a_lock : &b_lock);
            pthread_mutex_unlock(id ? &b_lock : &a_lock);
        } else {
            while (atomic_flag_test_and_set(&spin))
                ;
            counter = counter + 1;
            atomic_flag_clear(&spin);
        }
    }
    return NULL;
}

long count_with(int v)
{
    pthread_t t[2];
    variant = v;
    counter = 0;
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return counter;
}
