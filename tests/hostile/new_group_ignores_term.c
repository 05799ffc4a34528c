/* hostile: forks a child that moves to a process group of its own and ignores SIGTERM, and the
 * parent spins; the group kill misses the child and SIGTERM does nothing, so the deadline and
 * the tree walk with SIGKILL (or the per-user kill) must end both.
 * expect: stage=test status=fail first text="did not finish"
 * expect: status=fail
 * limit: 10
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <signal.h>
#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    signal(SIGTERM, SIG_IGN);
    if (fork() == 0) {
        setpgid(0, 0);
        for (;;)
            pause();
    }
    for (;;)
        pause();
}
