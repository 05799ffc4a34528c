/* hostile: spins forever in the function under test; nothing else can end it, so the test
 * stage must hit its 5 s deadline and say where the (only) thread was running.
 * expect: stage=test status=fail first text="did not finish"
 * expect: stage=test status=fail text="running (not blocked) in race_counter_run"
 * expect: stage=test status=fail text="infinite_loop.c:@spin@"
 * expect: status=fail
 * limit: 9
 */
#include "race_counter.h"

long race_counter_run(int nthreads, long iters)
{
    volatile long counter = 0;
    (void)nthreads;
    (void)iters;
    /* one line: the sampled instruction may be the jump back or the add */
    /* the marker names the loop's one line: kept on one line */
    /* clang-format off */
    for (;;) counter = counter + 1; /* @spin@ */
    /* clang-format on */
    return counter;
}
