/* hostile: includes /dev/zero, which never ends: gcc reads it until memory runs out, and a
 * compiler with no memory limit (or a build with no deadline) would take the machine or the
 * grading with it. The compiler runs with a memory limit: the build fails within seconds,
 * as the learner's fault.
 * expect: stage=build status=fail first text="does not compile"
 * expect: status=fail
 * limit: 20
 * after: wrong
 */
#include "race_counter.h"
#include "/dev/zero"

long race_counter_run(int nthreads, long iters)
{
    return (long)nthreads * iters;
}
