/* driver.c: cpu_primes under the detectors and the timer: `driver NTHREADS LIMIT`. */
#include "cpu_primes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The primes below limit by the sieve of Eratosthenes: a few milliseconds where trial
 * division takes a fraction of a second, so checking the answer barely shows in the time. */
static long sieve_count(long limit)
{
    if (limit <= 2)
        return 0;
    char *composite = calloc((size_t)limit, 1);
    if (!composite)
        return -1;
    long count = 0;
    for (long n = 2; n < limit; n++) {
        if (composite[n])
            continue;
        count++;
        for (long m = n * n; n <= limit / n && m < limit; m += n)
            composite[m] = 1;
    }
    free(composite);
    return count;
}

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 4;
    long limit = argc > 2 ? atol(argv[2]) : 20000;
    long expected = sieve_count(limit);
    if (expected < 0) {
        fprintf(stderr, "driver: cannot allocate the sieve for %ld\n", limit);
        return 2;
    }
    long got = cpu_primes_count(nthreads, limit);
    printf("cpu_primes_count(%d, %ld) = %ld (expected %ld)\n", nthreads, limit, got, expected);
    return got == expected ? 0 : 1;
}
