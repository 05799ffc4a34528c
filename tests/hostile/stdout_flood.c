/* hostile: writes 1 GB to stdout before counting; the 64 MB file limit on the output file
 * stops it with SIGXFSZ, so the test crashes and the verdict must say the output was too big.
 * expect: stage=test status=fail first text="SIGXFSZ"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <string.h>
#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    static char chunk[1 << 20];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 1024; i++)
        if (write(1, chunk, sizeof chunk) < 0)
            break;
    return (long)nthreads * iters;
}
