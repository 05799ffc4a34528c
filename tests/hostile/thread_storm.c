/* hostile: starts threads that sleep until pthread_create fails; RLIMIT_NPROC (512, which
 * counts threads, and holds even under a root harness because learner code runs as a user of
 * its own) makes it fail with EAGAIN (11), and the code returns -(1000 + that), so the
 * verdict is a test failure showing "got -1011"; the sleepers die with the test process.
 * (it stops by itself at 4000 threads and counts correctly, so no limit shows as a pass)
 * expect: stage=test status=fail first text="got -1011"
 * expect: status=fail
 * limit: 25
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    pthread_attr_t small;
    pthread_attr_init(&small);
    pthread_attr_setstacksize(&small, 64 * 1024); /* the thread limit, not memory, must stop it */
    for (int i = 0; i < 4000; i++) {
        pthread_t t;
        int rc = pthread_create(&t, &small, sleeper, NULL);
        if (rc)
            return -(1000L + rc);
        pthread_detach(t);
    }
    return (long)nthreads * iters;
}
