/* driver.c: cpu_primes under the detectors and the timer: `driver NTHREADS LIMIT`. */
#include "cpu_primes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The primes below limit by the sieve of Eratosthenes over the odd numbers only (2 is
 * counted apart; index i stands for 2i + 1): about 10 ms on the grading machine, where the
 * reference's whole run takes under 0.1 s with the 6k +- 1 test, so that checking the
 * answer takes little of the time being measured. */
static long sieve_count(long limit)
{
    if (limit <= 2)
        return 0;
    size_t odd = (size_t)(limit / 2); /* the odd numbers below limit */
    char *composite = calloc(odd, 1);
    if (!composite)
        return -1;
    long count = 1; /* 2 */
    for (size_t i = 1; i < odd; i++) {
        if (composite[i])
            continue;
        count++;
        long p = 2 * (long)i + 1;
        if (p > limit / p)
            continue;
        for (long m = p * p; m < limit; m += 2 * p) /* the odd multiples from p * p */
            composite[m / 2] = 1;
    }
    free(composite);
    return count;
}

/* The perf stage's runs move the limit up by as much as a 32nd of it, by the grading's seed
 * (KATA_WORKLOAD_SEED, the same for the learner's runs and the reference's, printed in the
 * verdict): a count written into the code for the limit in kata.json is then wrong. Other
 * runs (the detectors, the floor, the Python comparison) keep the limit they are given. */
static long moved(long limit)
{
    const char *s = getenv("KATA_WORKLOAD_SEED");
    if (!s || !*s || limit < 64)
        return limit;
    unsigned long long z = strtoull(s, NULL, 10) + 0x9e3779b97f4a7c15ULL; /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return limit + (long)(z % (unsigned long long)(limit / 32));
}

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 4;
    long limit = moved(argc > 2 ? atol(argv[2]) : 20000);
    long expected = sieve_count(limit);
    if (expected < 0) {
        fprintf(stderr, "driver: cannot allocate the sieve for %ld\n", limit);
        return 2;
    }
    long got = cpu_primes_count(nthreads, limit);
    printf("cpu_primes_count(%d, %ld) = %ld (expected %ld)\n", nthreads, limit, got, expected);
    return got == expected ? 0 : 1;
}
