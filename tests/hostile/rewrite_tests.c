/* hostile: reads the reference solution and opens the kata's tests and the reference for
 * writing, without writing a byte. Learner code runs in a sandbox that shows it neither
 * solutions/ nor the tests (as root and as an ordinary user alike), so the first read fails
 * with ENOENT (2) and the code returns -(1000 + errno): the verdict is a test failure
 * showing "got -1002", and git status stays clean. (Without the sandbox, under a root
 * harness, the reads worked and the opens failed with EACCES: "got -1013".)
 * expect: stage=test status=fail first text="got -1002"
 * expect: status=fail
 * limit: 12
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
        return -(1000L + errno); /* not even there to read: the sandbox hides it */
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
