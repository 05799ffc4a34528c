/* explore_counter.c: two threads count to four in eleven ways, for test_explore.c (the part
 * a learner would write; compiled with -fsanitize=thread and run under the explore runtime):
 * 0 racy, 1 locked, 2 read and written under two holds of the lock, 3 two locks taken in
 * opposite orders, 4 an atomic_flag spinlock; and, each thread once: 5 locked, with a
 * write both make unlocked (a race that leaves the count right), 6 handed from one thread
 * to the other by a release store and an acquire load, 7 the same relaxed (a race), 8 a
 * recursive mutex locked twice, 9 a condition variable waited on under an `if` (a spurious
 * wake-up breaks it), 10 the same under a `while`; 11 locked, after /dev/null is put over
 * every descriptor from 3 up (and whatever dup2 refuses is closed); 12 locked, but thread 1
 * calls _exit(0) halfway; 13 locked, but thread 0 first writes a result line and an end line
 * of its own to every descriptor from 3 up (the runtime's words, without its key). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

long count_with(int variant);

static long counter;
static pthread_mutex_t a_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_flag spin = ATOMIC_FLAG_INIT;
static int variant;
static long last;        /* 5: who wrote last, unlocked */
static atomic_int ready; /* 6, 7: the first half is done */
static int done;         /* 9, 10: the same, under a_lock */
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t recursive;

/* Variants 5 to 10: thread 0 adds 2, thread 1 adds 2 (or doubles the 2) */
static void once_each(long id)
{
    if (variant == 5) {
        pthread_mutex_lock(&a_lock);
        counter = counter + 2;
        pthread_mutex_unlock(&a_lock);
        last = id;
    } else if (variant == 6 || variant == 7) {
        int relaxed = variant == 7;
        if (id == 0) {
            counter = counter + 2;
            atomic_store_explicit(&ready, 1, relaxed ? memory_order_relaxed : memory_order_release);
        } else {
            while (!atomic_load_explicit(&ready,
                                         relaxed ? memory_order_relaxed : memory_order_acquire))
                ;
            counter = counter + 2;
        }
    } else if (variant == 8) {
        pthread_mutex_lock(&recursive);
        pthread_mutex_lock(&recursive);
        counter = counter + 2;
        pthread_mutex_unlock(&recursive);
        pthread_mutex_unlock(&recursive);
    } else {
        pthread_mutex_lock(&a_lock);
        if (id == 0) {
            counter = counter + 2;
            done = 1;
            pthread_cond_signal(&done_cv);
        } else if (variant == 9) {
            if (!done)
                pthread_cond_wait(&done_cv, &a_lock);
            counter = counter * 2;
        } else {
            while (!done)
                pthread_cond_wait(&done_cv, &a_lock);
            counter = counter * 2;
        }
        pthread_mutex_unlock(&a_lock);
    }
}

static void *worker(void *arg)
{
    long id = (long)arg;
    if (variant >= 5 && variant <= 10) {
        once_each(id);
        return NULL;
    }
    if (variant == 11 && id == 0) {
        int null = open("/dev/null", O_WRONLY);
        for (int fd = 3; fd < 64; fd++)
            if (fd != null && (null < 0 || dup2(null, fd) < 0))
                close(fd);
    }
    if (variant == 12 && id == 1)
        _exit(0);
    if (variant == 13 && id == 0)
        for (int fd = 3; fd < 64; fd++)
            (void)!write(fd, "R 1 4\nQ\n", 8);
    for (int i = 0; i < 2; i++) {
        if (variant == 0) {
            counter = counter + 1;
        } else if (variant == 1 || variant >= 11) {
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
    atomic_store(&ready, 0);
    done = 0;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&recursive, &attr);
    pthread_mutexattr_destroy(&attr);
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return counter;
}
