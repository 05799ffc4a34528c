/* hostile: squats names in /tmp that a later program will want: the socket Criterion's runner
 * makes (/tmp/criterion_<pid>.sock) for the small pids a fresh pid namespace hands out and
 * for those around its own, as folders nobody else may enter, plus a marker
 * (/tmp/leftover-kata-hostile-squat); then it returns a wrong total. Its own tests fail; a
 * later runner that met one of those names would abort ("Address already in use") and fail a
 * correct file. Every sandbox has a /tmp of its own: the reference graded next passes, and
 * nothing is left in the machine's /tmp.
 * expect: stage=test status=fail first text="should give"
 * expect: status=fail
 * limit: 20
 * after: wrong
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void squat(long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/criterion_%ld.sock", pid);
    mkdir(path, 0);
}

long race_counter_run(int nthreads, long iters)
{
    for (long p = 1; p <= 200; p++)
        squat(p);
    for (long p = getpid() - 200; p <= getpid() + 2000; p++)
        if (p > 200)
            squat(p);
    mkdir("/tmp/leftover-kata-hostile-squat", 0);
    return (long)nthreads * iters + 1;
}
