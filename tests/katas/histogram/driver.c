/* driver.c: histogram under the detectors and the timer: `driver NTHREADS N [ROUNDS]`. */
#include "histogram.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The buffer is one random block repeated: its expected histogram is the block's, times
 * the number of copies, so checking the answer costs almost nothing next to the count. */
#define BLOCK (1 << 20)

static void count(const unsigned char *p, size_t n, long bins[256])
{
    for (size_t i = 0; i < n; i++)
        bins[p[i]]++;
}

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 4;
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    long rounds = argc > 3 ? atol(argv[3]) : 1;
    unsigned char *data = malloc(n ? n : 1);
    if (!data) {
        fprintf(stderr, "driver: cannot allocate %zu bytes\n", n);
        return 2;
    }
    /* xorshift64, eight bytes per step: a fixed sequence, but for the perf stage's runs,
     * which start it from the grading's seed (KATA_WORKLOAD_SEED, the same for the learner's
     * runs and the reference's): bins written into the code for the input of kata.json's
     * arguments are then wrong, and the work is the same */
    size_t block = n < BLOCK ? n : BLOCK;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    const char *seed = getenv("KATA_WORKLOAD_SEED");
    if (seed && *seed)
        x ^= (strtoull(seed, NULL, 10) + 1) * 0xbf58476d1ce4e5b9ULL;
    if (!x)
        x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < block; i += 8) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        memcpy(data + i, &x, block - i < 8 ? block - i : 8);
    }
    for (size_t i = block; i < n; i += block)
        memcpy(data + i, data, n - i < block ? n - i : block);
    long expected[256] = {0}, tail[256] = {0};
    count(data, block, expected);
    for (int b = 0; b < 256; b++)
        expected[b] *= (long)(n / (block ? block : 1));
    count(data, n - (block ? n / block * block : 0), tail);
    for (int b = 0; b < 256; b++)
        expected[b] += tail[b];

    int ok = 1;
    for (long r = 0; r < rounds && ok; r++) {
        long bins[256];
        for (int b = 0; b < 256; b++)
            bins[b] = 12345; /* histogram_build must zero them */
        histogram_build(nthreads, data, n, bins);
        for (int b = 0; b < 256 && ok; b++) {
            if (bins[b] != expected[b]) {
                printf("histogram_build(%d, %zu bytes): bins[%d] = %ld, expected %ld\n", nthreads,
                       n, b, bins[b], expected[b]);
                ok = 0;
            }
        }
    }
    if (ok)
        printf("histogram_build(%d, %zu bytes) x %ld: every bin exact\n", nthreads, n, rounds);
    free(data);
    return ok ? 0 : 1;
}
