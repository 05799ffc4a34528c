/* hostile: stops itself with SIGSTOP; a stopped process never finishes and never dies on its
 * own, so the deadline must fire, and SIGKILL (not SIGTERM, which waits for SIGCONT) end it.
 * expect: stage=test status=fail first text="did not finish"
 * expect: stage=test status=fail text="stopped by a signal"
 * expect: status=fail
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
