/* hostile: writes an (unlinked) file in /tmp until the disk would fill; RLIMIT_FSIZE stops it
 * at 64 MB with SIGXFSZ, so the test crashes and the verdict must say the file limit was hit.
 * (it stops by itself at 256 MB and counts correctly, so a missing limit shows as a pass)
 * expect: stage=test status=fail first text="SIGXFSZ"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    static char chunk[1 << 20];
    memset(chunk, 'y', sizeof chunk);
    int fd = open("/tmp", O_TMPFILE | O_WRONLY, 0600); /* gone when the process is */
    for (int i = 0; fd >= 0 && i < 256; i++)
        if (write(fd, chunk, sizeof chunk) < 0)
            break;
    if (fd >= 0)
        close(fd);
    return (long)nthreads * iters;
}
