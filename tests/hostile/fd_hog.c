/* hostile: opens /dev/null until open fails; RLIMIT_NOFILE (1024) makes it fail with EMFILE
 * (24), and the code returns -(1000 + errno), so the verdict is a test failure showing
 * "got -1024" (it stops by itself at 100000 and counts correctly, so no limit shows as a pass).
 * expect: stage=test status=fail first text="got -1024"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    static int fds[100000];
    int n = 0, e = 0;
    while (n < 100000) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            e = errno;
            break;
        }
        fds[n++] = fd;
    }
    while (n > 0)
        close(fds[--n]); /* leave the test runner its descriptors */
    return e ? -(1000L + e) : (long)nthreads * iters;
}
