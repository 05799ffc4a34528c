/* mutant: no child at all: the calling process tests every number itself and gets them all
 * rejected-by: test */
#include "process_memory.h"

#include <stddef.h>

static int is_prime(long x)
{
    if (x < 2)
        return 0;
    if (x % 2 == 0)
        return x == 2;
    for (long d = 3; d <= x / d; d += 2)
        if (x % d == 0)
            return 0;
    return 1;
}

long process_memory_collect(int nprocs, long from, long to, long *out)
{
    if (nprocs < 1 || nprocs > PROCESS_MEMORY_MAX_PROCS || from < 0 || from > to)
        return -1;
    if (from == to)
        return 0;
    if (!out)
        return -1;
    long count = 0;
    for (long x = from; x < to; x++)
        if (is_prime(x))
            out[count++] = x; /* in order already: no list to share, no sort */
    return count;
}
