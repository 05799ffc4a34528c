/* hostile: counts correctly, but leaves a grandchild that calls setsid() to leave the process
 * group and sleeps forever; the subreaper must find and kill it, and the verdict must say that
 * the code left a process running.
 * expect: stage=test status=fail first text="still running"
 * expect: status=fail
 * limit: 10
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

static long counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        if (fork() == 0) {
            setsid();
            for (;;)
                pause(); /* the daemon nobody waits for */
        }
        _exit(0);
    }
    if (child > 0)
        waitpid(child, NULL, 0);
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    for (int i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, worker, &iters);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return counter;
}
