/* A wrong answer (one too many), graded after the hostile programs whose header says
 * `after: wrong`: whatever they did, it must still fail the tests. */
#include "race_counter.h"

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    return (long)nthreads * iters + 1;
}
