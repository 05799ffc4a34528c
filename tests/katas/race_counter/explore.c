/* explore.c: race_counter under the explore stage's scheduler: two threads of three
 * increments each, every interleaving a schedule can reach, judged by the total. */
#include "race_counter.h"

#include "explore.h" /* harness/runtime/explore.h */

#include <stdio.h>

enum { THREADS = 2, ITERS = 3 };

static int body(long *out, int max)
{
    (void)max;
    out[0] = race_counter_run(THREADS, ITERS);
    return 1;
}

static const char *judge(const long *v, int n, char *buf, size_t len)
{
    if (n != 1)
        return "the run ended without a result";
    if (v[0] == THREADS * ITERS)
        return NULL;
    snprintf(buf, len, "race_counter_run(%d, %d) returned %ld, not %d%s", THREADS, ITERS, v[0],
             THREADS * ITERS, v[0] < THREADS * ITERS ? ": an increment was lost" : "");
    return buf;
}

int main(void)
{
    static const struct explore_kata k = {body, judge};
    return explore_main(&k);
}
