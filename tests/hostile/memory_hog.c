/* hostile: allocates and touches 64 MB blocks until malloc fails (it stops by itself at 16 GB),
 * then writes through the NULL it got, as unchecked code does; RLIMIT_AS makes malloc fail
 * (or, where page faults are slow, the deadline comes first), and either way the verdict must
 * say how much memory it took, not only that the test crashed or hung.
 * expect: stage=test status=fail first match="[0-9]+ MB (of memory when it was stopped|at its peak)"
 * expect: status=fail
 * limit: 12
 * solo: it takes gigabytes, and the page faults of the machine
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <stdlib.h>
#include <string.h>

long race_counter_run(int nthreads, long iters)
{
    enum { BLOCK = 64 << 20 };
    char *p = NULL;
    for (int i = 0; i < 256; i++) {
        p = malloc(BLOCK);
        if (!p)
            break;
        memset(p, 1, BLOCK);
    }
    *(volatile char *)p = 1; /* malloc returned NULL: a segfault, the usual end of a hog */
    return (long)nthreads * iters;
}
