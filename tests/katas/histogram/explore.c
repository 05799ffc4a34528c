/* explore.c: histogram under the explore stage's scheduler: two threads count eight bytes of
 * three values (so their bins meet), every interleaving a schedule can reach, judged by the
 * bins. */
#include "histogram.h"

#include "explore.h" /* harness/runtime/explore.h */

#include <stdio.h>

enum { THREADS = 2, N = 8 };
static const unsigned char data[N] = {'a', 'b', 'a', 'c', 'a', 'b', 'a', 'c'};

static int body(long *out, int max)
{
    (void)max;
    static long bins[256];
    for (int b = 0; b < 256; b++)
        bins[b] = -7; /* the function zeroes them first */
    histogram_build(THREADS, data, N, bins);
    long other = 0;
    for (int b = 0; b < 256; b++)
        if (b != 'a' && b != 'b' && b != 'c')
            other += bins[b];
    out[0] = bins['a'];
    out[1] = bins['b'];
    out[2] = bins['c'];
    out[3] = other;
    return 4;
}

static const char *judge(const long *v, int n, char *buf, size_t len)
{
    static const long want[4] = {4, 2, 2, 0};
    static const char *const name[4] = {"bins['a']", "bins['b']", "bins['c']",
                                        "the other bins, together,"};
    if (n != 4)
        return "the run ended without a result";
    for (int i = 0; i < 4; i++)
        if (v[i] != want[i]) {
            snprintf(buf, len, "histogram_build(%d threads, \"abacabac\"): %s %ld, not %ld%s",
                     THREADS, name[i], v[i], want[i],
                     v[i] < want[i] && i < 3 ? ": a count was lost" : "");
            return buf;
        }
    return NULL;
}

int main(void)
{
    static const struct explore_kata k = {body, judge};
    return explore_main(&k);
}
