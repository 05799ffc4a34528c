/* hostile: kills its parent (the Criterion runner; under a detector the sandbox's pid 1,
 * kata-init) with SIGKILL, and then itself; no report is written, so the verdict must say the
 * test program was killed before it reported, and the harness must survive the detector
 * stages: the pid namespace's init ignores signals from inside it, and the harness is out
 * of sight, as root and as an ordinary user alike.
 * expect: stage=test text="before it reported"
 * limit: 12
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
