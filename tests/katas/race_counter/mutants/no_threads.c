/* mutant: the right total without starting a thread: the answer is computed, not counted
 * rejected-by: test */
#include "race_counter.h"

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    return (long)nthreads * iters;
}
