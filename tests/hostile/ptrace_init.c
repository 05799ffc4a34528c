/* hostile: attaches with ptrace to pid 1 of its sandbox, kata-init, the process that tells the
 * harness how the test program ended, to make it tell another story. kata-init runs as the
 * same user, but is not dumpable, and learner code has no capability: the attach fails with
 * EPERM (1) and the code returns -(1000 + errno), an ordinary test failure showing
 * "got -1001". Had it worked, it would detach and return the right total.
 * expect: stage=test status=fail first text="got -1001"
 * expect: status=fail
 * limit: 15
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <errno.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

long race_counter_run(int nthreads, long iters)
{
    if (ptrace(PTRACE_ATTACH, 1, NULL, NULL) != 0)
        return -(1000L + errno);
    waitpid(1, NULL, __WALL);
    ptrace(PTRACE_DETACH, 1, NULL, NULL);
    return (long)nthreads * iters; /* it could: the sandbox leaks */
}
