/* hostile: calls exit(0) inside the function under test; Criterion would count the test as
 * passed, so the harness must fail it for ending before any assertion ran.
 * expect: stage=test status=fail first text="exit()"
 * expect: status=fail
 * limit: 12
 */
#include "race_counter.h"

#include <stdlib.h>

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    exit(0);
}
