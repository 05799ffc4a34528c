/* explore.c: cpu_primes under the explore stage's scheduler: two threads count the primes
 * below LIMIT, every interleaving a schedule can reach, judged by the count. LIMIT is over
 * two of the reference's chunks (10000 numbers a grab), so that both threads count whatever
 * chunk size a design picks up to that, and a count both threads bump without a lock loses
 * a prime under some schedule. */
#include "cpu_primes.h"

#include "explore.h" /* harness/runtime/explore.h */

#include <stdio.h>

enum { THREADS = 2, LIMIT = 20011, PRIMES = 2262 }; /* the primes below 20011 (itself prime) */

static int body(long *out, int max)
{
    (void)max;
    out[0] = cpu_primes_count(THREADS, LIMIT);
    return 1;
}

static const char *judge(const long *v, int n, char *buf, size_t len)
{
    if (n != 1)
        return "the run ended without a result";
    if (v[0] == PRIMES)
        return NULL;
    snprintf(buf, len, "cpu_primes_count(%d, %d) returned %ld, not %d%s", THREADS, LIMIT, v[0],
             PRIMES, v[0] < PRIMES ? ": a prime was lost" : "");
    return buf;
}

int main(void)
{
    static const struct explore_kata k = {body, judge};
    return explore_main(&k);
}
