/* hostile: kills its parent with SIGKILL, and then itself. Under the tests the parent is the
 * process that judges the test (tests/support/kata_isolate.c: the body runs in a child of
 * Criterion's worker), so no verdict is ever sent and the runner reports a crash; under a
 * detector the parent is the sandbox's pid 1, kata-init, which ignores signals from inside
 * its namespace, and the harness is out of sight, as root and as an ordinary user alike: it
 * must survive the detector stages. (forge_report_kill climbs further, to the runner.)
 * expect: stage=test status=fail first text="crashed"
 * expect: status=fail
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
