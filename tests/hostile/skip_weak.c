/* hostile: marks the running Criterion test as skipped through a weak reference to
 * Criterion's own function (no symbol check sees a weak undefined name), and counts
 * nothing. The test body runs in a child of its own whose calls to Criterion become records
 * the parent judges: a skip is a failure, said in words.
 * expect: stage=test status=fail first text="skip"
 * expect: status=fail
 * limit: 12
 */
#include "race_counter.h"

#include <stddef.h>

extern void criterion_skip_test(const char *format, ...) __attribute__((weak));

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    if (criterion_skip_test)
        criterion_skip_test("nothing to see");
    return 0;
}
