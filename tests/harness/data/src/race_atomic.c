/* race_atomic.c: one worker thread updates a counter atomically while another, later, reads
 * it with a plain load: making one side atomic does not make the other side safe. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static long counter;

static void *bump(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void *peek(void *arg)
{
    (void)arg;
    usleep(100 * 1000); /* after bump's updates, so the atomic write is the earlier access */
    return (void *)counter;
}

int main(void)
{
    pthread_t t[2];
    pthread_create(&t[0], NULL, bump, NULL);
    pthread_create(&t[1], NULL, peek, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("%ld\n", counter);
    return 0;
}
