/* thread_leak.c: a thread is started and never joined nor detached. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *worker(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    usleep(100 * 1000); /* let it finish: a finished, unjoined thread is the leak */
    printf("done\n");
    return 0;
}
