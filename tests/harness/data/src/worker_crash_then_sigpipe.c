/* worker_crash_then_sigpipe.c: a pipe_messages submission whose forked worker dies of SIGSEGV,
 * and whose calling process then dies of SIGPIPE (it writes to a pipe nobody reads): the
 * verdict names each death as whose it is (tests/harness/stages/test_test.c). */
#include "pipe_messages.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int pipe_messages_run(const struct message *msgs, size_t n, struct message *received)
{
    (void)msgs;
    (void)n;
    (void)received;
    pid_t worker = fork();
    if (worker == 0) {
        raise(SIGSEGV);
        _exit(0);
    }
    int status;
    waitpid(worker, &status, 0);
    int fds[2];
    if (pipe(fds))
        return -1;
    close(fds[0]);
    ssize_t w = write(fds[1], "x", 1); /* no reader: SIGPIPE */
    (void)w;
    return -1;
}
