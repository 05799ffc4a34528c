/* driver.c: race_counter under the race detectors: `driver NTHREADS ITERS`, a plain main. */
#include "race_counter.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4;
    long iters = argc > 2 ? atol(argv[2]) : 1000;
    long got = race_counter_run(n, iters);
    printf("race_counter_run(%d, %ld) = %ld (expected %ld)\n", n, iters, got, n * iters);
    return got == n * iters ? 0 : 1;
}
