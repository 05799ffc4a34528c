/* race_main.c: the main thread writes a global that a worker thread reads, without a lock. */
#include <pthread.h>
#include <stdio.h>

static int ready;

static void *worker(void *arg)
{
    (void)arg;
    long seen = 0;
    for (int i = 0; i < 100; i++)
        seen += ready;
    return (void *)seen;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    for (int i = 0; i < 100; i++)
        ready = i;
    void *seen;
    pthread_join(t, &seen);
    printf("%ld\n", (long)seen);
    return 0;
}
