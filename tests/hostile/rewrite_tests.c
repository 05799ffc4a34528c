/* hostile: reads the reference solution (allowed: it ships with the repository) and opens the
 * kata's tests and the reference for writing, without writing a byte; learner code runs as an
 * unprivileged user, so each open fails with EACCES (13) and the code returns -(1000 + errno):
 * the verdict is a test failure showing "got -1013", and git status stays clean.
 * expect: stage=test text="got -1013"
 * limit: 12
 * needs: root (learner code runs as a user of its own only under a root harness; otherwise
 *   it is the harness's user, who owns the repository)
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static const char *const targets[] = {
    "tests/katas/race_counter/test_race_counter.c",
    "solutions/race_counter/race_counter.c",
    "tests/katas/race_counter/driver.c",
    "katas/race_counter/race_counter.h",
};

long race_counter_run(int nthreads, long iters)
{
    char buf[256];
    int fd = open("solutions/race_counter/race_counter.c", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buf, sizeof buf) <= 0)
        return -2; /* could not even read it: the working directory is not the repository */
    close(fd);
    int refused = 0;
    for (unsigned i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        /* O_APPEND and no write: even where the open succeeds, nothing changes */
        fd = open(targets[i], O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0)
            close(fd);
        else
            refused = errno;
        if (fd >= 0)
            return (long)nthreads * iters; /* writable: the sandbox failed */
    }
    return -(1000L + refused);
}
