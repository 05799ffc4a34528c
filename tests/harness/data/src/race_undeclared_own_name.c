/* race_undeclared_own_name.c: a race_counter that uses a name it never declared, one that
 * starts like a POSIX function's (kill): the build fails with no feature macro hint
 * (tests/harness/stages/test_build.c). */
#include "race_counter.h"

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    return killed_count;
}
