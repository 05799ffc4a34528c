/* hostile: looks beside its own program (the build cache, where the harness keeps every driver
 * it built, the reference's timed driver included) for another driver to exec in its place,
 * so that the reference's code would answer, and be timed, for it. A sandboxed program sees
 * its own binary and nothing else of the cache: it finds nothing and returns -(1000 + ENOENT),
 * an ordinary test failure showing "got -1002". Had it found one, it would return the right
 * total (the sandbox would have leaked), and the tests would pass.
 * expect: stage=test status=fail first text="got -1002"
 * expect: status=fail
 * limit: 15
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -(1000L + errno);
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return -(1000L + ENOENT);
    *slash = '\0';
    DIR *d = opendir(self);
    if (!d)
        return -(1000L + errno);
    struct dirent *e;
    int others = 0;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, "driver-", 7) == 0 && strcmp(e->d_name, slash + 1) != 0)
            others++; /* the perf driver would now execv() it with its own arguments */
    closedir(d);
    return others ? (long)nthreads * iters : -(1000L + ENOENT);
}
