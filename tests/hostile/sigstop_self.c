/* hostile: stops itself with SIGSTOP; a stopped process never finishes and never dies on its
 * own, so the deadline must fire, and SIGKILL (not SIGTERM, which waits for SIGCONT) end it.
 * expect: stage=test text="did not finish"
 * expect: stage=test text="stopped by a signal"
 * limit: 9
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <signal.h>

long race_counter_run(int nthreads, long iters)
{
    raise(SIGSTOP);
    return (long)nthreads * iters;
}
