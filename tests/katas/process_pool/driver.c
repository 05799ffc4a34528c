/* driver.c: process_pool under the sanitizers and the timer: `driver NWORKERS FROM TO`. */
#include "process_pool.h"

#include <stdio.h>
#include <stdlib.h>

/* The task of the sieve lesson: how many primes are there up to n? A fresh sieve of
 * Eratosthenes for every n, so a task costs time in proportion to its input. */
static long primes_up_to(long n)
{
    char *composite = calloc((size_t)n + 1, 1);
    if (!composite)
        return -1;
    long count = 0;
    for (long x = 2; x <= n; x++) {
        if (composite[x])
            continue;
        count++;
        for (long m = x * x; x <= n / x && m <= n; m += x)
            composite[m] = 1;
    }
    free(composite);
    return count;
}

int main(int argc, char **argv)
{
    int nworkers = argc > 1 ? atoi(argv[1]) : 2;
    long from = argc > 2 ? atol(argv[2]) : 1000;
    long to = argc > 3 ? atol(argv[3]) : 4000;
    if (from < 0 || to < from) {
        fprintf(stderr, "usage: driver NWORKERS FROM TO (0 <= FROM <= TO)\n");
        return 2;
    }
    size_t n = (size_t)(to - from + 1);
    long *in = malloc(n * sizeof *in);
    long *out = malloc(n * sizeof *out);
    long *pi = malloc(((size_t)to + 1) * sizeof *pi); /* pi[x]: the primes up to x */
    char *composite = calloc((size_t)to + 1, 1);
    if (!in || !out || !pi || !composite) {
        fprintf(stderr, "driver: out of memory\n");
        return 2;
    }
    /* the answers, from one sieve up to TO: checking costs next to nothing */
    for (long x = 0, count = 0; x <= to; x++) {
        if (x >= 2 && !composite[x]) {
            count++;
            for (long m = x * x; x <= to / x && m <= to; m += x)
                composite[m] = 1;
        }
        pi[x] = count;
    }
    for (size_t i = 0; i < n; i++) {
        in[i] = from + (long)i;
        out[i] = -1;
    }
    int rc = process_pool_map(nworkers, primes_up_to, in, out, n);
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++)
        wrong += out[i] != pi[in[i]];
    printf("process_pool_map(%d worker%s, primes up to n for n in %ld..%ld) = %d, %zu of %zu "
           "results wrong\n",
           nworkers, nworkers == 1 ? "" : "s", from, to, rc, wrong, n);
    free(in);
    free(out);
    free(pi);
    free(composite);
    return rc == 0 && wrong == 0 ? 0 : 1;
}
