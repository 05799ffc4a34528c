/* explore.c: spawn_join under the explore stage's scheduler: three threads map seven inputs,
 * every interleaving a schedule can reach, judged by each result. */
#include "spawn_join.h"

#include "explore.h" /* harness/runtime/explore.h */

#include <stdio.h>

enum { THREADS = 3, N = 7 };

static long triple_plus_one(long x)
{
    return 3 * x + 1;
}

static int body(long *out, int max)
{
    (void)max;
    static long in[N], res[N];
    for (int i = 0; i < N; i++) {
        in[i] = i;
        res[i] = -1;
    }
    out[0] = spawn_join_map(THREADS, triple_plus_one, in, res, N);
    for (int i = 0; i < N; i++)
        out[1 + i] = res[i];
    return 1 + N;
}

static const char *judge(const long *v, int n, char *buf, size_t len)
{
    if (n != 1 + N)
        return "the run ended without a result";
    if (v[0] != 0) {
        snprintf(buf, len, "spawn_join_map(%d threads, %d inputs) returned %ld, not 0", THREADS, N,
                 v[0]);
        return buf;
    }
    for (int i = 0; i < N; i++)
        if (v[1 + i] != 3 * i + 1) {
            snprintf(buf, len,
                     "spawn_join_map(%d threads, %d inputs): out[%d] is %ld when it returned, "
                     "not %d",
                     THREADS, N, i, v[1 + i], 3 * i + 1);
            return buf;
        }
    return NULL;
}

int main(void)
{
    static const struct explore_kata k = {body, judge};
    return explore_main(&k);
}
