/* hostile: every process forks forever (a fork bomb); the process limit stops the growth, the
 * storm never returns, so the test must hit its deadline and every copy must be killed.
 * expect: stage=test status=fail first text="did not finish"
 * expect: stage=test status=fail match="[0-9]+ processes of it were running when it was stopped"
 * expect: status=fail
 * limit: 12
 * solo: 512 spinning processes starve anything beside them
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    for (;;)
        fork();
}
