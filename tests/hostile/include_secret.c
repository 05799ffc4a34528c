/* hostile: includes /etc/shadow, a file only root may read, hoping that a compiler running as
 * root quotes its lines in the error messages that come back in the verdict (and in the
 * world-readable build cache). The compiler runs in the sandbox, which has no /etc/shadow
 * (and as an unprivileged user could not read it): the build fails, naming the file, and no
 * line of it appears anywhere in the verdict.
 * expect: stage=build status=fail first match="/etc/shadow: (No such file or directory|Permission denied)"
 * expect: absent="root:"
 * expect: status=fail
 * limit: 15
 */
#include "race_counter.h"
#include "/etc/shadow"

long race_counter_run(int nthreads, long iters)
{
    return (long)nthreads * iters;
}
