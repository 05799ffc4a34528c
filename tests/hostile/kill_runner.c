/* hostile: kills its parent (the Criterion runner; under a detector the harness itself) with
 * SIGKILL, and then itself; no report is written, so the verdict must say the test program
 * was killed before it reported, and the harness must survive the detector stages.
 * expect: stage=test text="before it reported"
 * limit: 12
 * needs: root (in the detector stages its parent is the harness itself, which only a user
 *   of its own cannot signal)
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <signal.h>
#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    kill(getppid(), SIGKILL);
    kill(getpid(), SIGKILL);
    return (long)nthreads * iters;
}
