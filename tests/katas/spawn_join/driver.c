/* driver.c: spawn_join under the race detectors: `driver NTHREADS N`, a plain main. */
#include "spawn_join.h"

#include <stdio.h>
#include <stdlib.h>

static long triple_plus_one(long x)
{
    return 3 * x + 1;
}

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 4;
    long n = argc > 2 ? atol(argv[2]) : 1000;
    if (n < 1) {
        fprintf(stderr, "usage: driver NTHREADS N (N >= 1)\n");
        return 2;
    }
    long *in = malloc((size_t)n * sizeof *in);
    long *out = malloc((size_t)n * sizeof *out);
    if (!in || !out) {
        fprintf(stderr, "driver: out of memory\n");
        return 2;
    }
    for (long i = 0; i < n; i++) {
        in[i] = i;
        out[i] = -1;
    }
    int rc = spawn_join_map(nthreads, triple_plus_one, in, out, (size_t)n);
    /* Read every result at once: a thread that was not joined may still be writing, and
     * the detectors then see the race. */
    long wrong = 0;
    for (long i = 0; i < n; i++)
        wrong += out[i] != 3 * in[i] + 1;
    printf("spawn_join_map(%d thread%s, %ld input%s) = %d, %ld of %ld results wrong\n", nthreads,
           nthreads == 1 ? "" : "s", n, n == 1 ? "" : "s", rc, wrong, n);
    /* in and out are not freed: an unjoined thread could still be using them */
    return rc == 0 && wrong == 0 ? 0 : 1;
}
