/* hostile: never counts. It knows the protocol of the test's report pipe
 * (tests/support/kata_isolate.c): in the child that runs a test body, it writes the record
 * that says "the body returned, every assertion passed" to every pipe descriptor it has,
 * with its own pid, then ends with _exit(0) before any assertion runs. The parent took the
 * record and passed every test. Records now carry a key of 16 random bytes, new for each
 * test and never in a file, an argument or the environment: this one does not, and the
 * test fails for data the harness did not write.
 * expect: stage=test status=fail first text="did not write"
 * expect: status=fail
 * limit: 15
 */
#include "race_counter.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The record as kata_isolate.c lays it out; the key it cannot know is left zero. */
struct record {
    unsigned char key[16];
    int32_t kind, passed, line, pid;
    int64_t count;
    uint32_t file_len, msg_len;
};

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    struct record r;
    memset(&r, 0, sizeof r);
    r.kind = 6; /* the end of the body */
    r.passed = 1;
    r.pid = (int32_t)getpid();
    r.count = 1;
    for (int fd = 3; fd < 64; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
            (void)!write(fd, &r, sizeof r);
    }
    _exit(0);
}
