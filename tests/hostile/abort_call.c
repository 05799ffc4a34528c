/* hostile: calls abort() in the function under test; SIGABRT kills the test process, so the
 * test stage fails with a crash and names abort().
 * expect: stage=test status=fail first text="the signal was SIGABRT"
 * expect: status=fail
 * limit: 12
 */
#include "race_counter.h"

#include <stdlib.h>

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    abort();
}
