/* hostile: forks, and the child returns into the test instead of calling _exit, so two
 * processes finish one Criterion test; the runner may wait on the extra one forever, so the
 * outer deadline must end it and the test must fail either way.
 * expect: stage=test status=fail first
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <sys/wait.h>
#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    pid_t child = fork();
    if (child == 0)
        return 0; /* the child should have called _exit */
    if (child > 0)
        waitpid(child, NULL, 0);
    return (long)nthreads * iters;
}
