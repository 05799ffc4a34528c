/* race_heap.c: two worker threads increment a counter in a malloc'ed block without a lock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *worker(void *arg)
{
    long *total = arg;
    for (int i = 0; i < 100; i++)
        *total = *total + 1;
    return NULL;
}

int main(void)
{
    long *total = calloc(1, sizeof *total);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, total);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("%ld\n", *total);
    free(total);
    return 0;
}
