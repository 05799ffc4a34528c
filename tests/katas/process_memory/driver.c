/* driver.c: process_memory under the sanitizers and the timer: `driver NPROCS FROM TO`. */
#include "process_memory.h"

#include <stdio.h>
#include <stdlib.h>

/* The primes in [from, to) by the sieve of Eratosthenes: a few milliseconds where trial
 * division takes a fraction of a second, so checking the answer barely shows in the time.
 * Returns a new array of *count primes, or NULL when out of memory. */
static long *sieve(long from, long to, long *count)
{
    char *composite = calloc((size_t)to + 1, 1);
    long *primes = malloc(((size_t)(to - from) + 1) * sizeof *primes);
    if (!composite || !primes) {
        free(composite);
        free(primes);
        return NULL;
    }
    long n = 0;
    for (long x = 2; x < to; x++) {
        if (composite[x])
            continue;
        if (x >= from)
            primes[n++] = x;
        for (long m = x * x; x <= to / x && m < to; m += x)
            composite[m] = 1;
    }
    free(composite);
    *count = n;
    return primes;
}

int main(int argc, char **argv)
{
    int nprocs = argc > 1 ? atoi(argv[1]) : 4;
    long from = argc > 2 ? atol(argv[2]) : 0;
    long to = argc > 3 ? atol(argv[3]) : 100000;
    if (from < 0 || to <= from) {
        fprintf(stderr, "usage: driver NPROCS FROM TO (0 <= FROM < TO)\n");
        return 2;
    }
    long expected;
    long *want = sieve(from, to, &expected);
    long *out = malloc((size_t)(to - from) * sizeof *out);
    if (!want || !out) {
        fprintf(stderr, "driver: out of memory\n");
        return 2;
    }
    long got = process_memory_collect(nprocs, from, to, out);
    long wrong = 0;
    for (long i = 0; got == expected && i < got; i++)
        wrong += out[i] != want[i];
    printf("process_memory_collect(%d, %ld, %ld) = %ld (expected %ld), %ld of them wrong\n", nprocs,
           from, to, got, expected, wrong);
    free(want);
    free(out);
    return got == expected && wrong == 0 ? 0 : 1;
}
