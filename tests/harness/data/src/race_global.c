/* race_global.c: one worker thread increments a global counter while another reads it,
 * neither under a lock: a read/write race on `counter`. */
#include <pthread.h>
#include <stdio.h>

static long counter;

static void *bump(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        counter = counter + 1;
    return NULL;
}

static void *peek(void *arg)
{
    (void)arg;
    long seen = 0;
    for (int i = 0; i < 100; i++)
        seen += counter;
    return (void *)seen;
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
