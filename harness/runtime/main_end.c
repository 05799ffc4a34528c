/* main_end.c: linked into every driver the detectors and the timer run: it calls the driver's
 * main (-Wl,--wrap=main) and, when main returns, tells the harness so on a channel of its own.
 *
 * Why: a driver's run counts only if its workload ran to the end. Learner code that calls
 * exit() or _exit() in the middle ends the driver with the exit code of a clean run: before
 * any race happened (ThreadSanitizer, Helgrind and DRD then had nothing to see), or before the
 * timed work was done (the timer saw a very fast answer). So the harness asks for this line:
 *
 *     main returned <code> <secret>
 *
 * written after main returned, to the descriptor named in KATA_MAIN_END ("OUT,IN"). The secret
 * is read from IN, a pipe the harness filled and closed, before main runs: no learner code has
 * run yet (the build refuses constructors in the learner's file). It is in this process's
 * memory only, never in its environment or arguments (both can be read from /proc). Code that
 * writes a line of its own to OUT, without the secret, makes the run untrusted; code that
 * closes OUT or points it elsewhere leaves the run without its line, untrusted too.
 *
 * Without KATA_MAIN_END (a driver run by hand) main is just called. */
#define _GNU_SOURCE /* unsetenv */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int __real_main(int argc, char **argv, char **envp);
int __wrap_main(int argc, char **argv, char **envp);

/* Reads the secret from fd until its end: hex digits, at most size-1 of them. */
static void read_secret(int fd, char *secret, size_t size)
{
    size_t got = 0;
    while (got + 1 < size) {
        ssize_t n = read(fd, secret + got, size - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    secret[got] = '\0';
    secret[strspn(secret, "0123456789abcdef")] = '\0';
}

int __wrap_main(int argc, char **argv, char **envp)
{
    static char secret[72];
    int out = -1, in = -1;
    const char *how = getenv("KATA_MAIN_END");
    if (how && sscanf(how, "%d,%d", &out, &in) == 2 && out > 2 && in > 2) {
        read_secret(in, secret, sizeof secret);
        close(in);
        unsetenv("KATA_MAIN_END");
    } else {
        out = -1;
    }
    int code = __real_main(argc, argv, envp);
    if (out >= 0 && secret[0]) {
        char line[128];
        int n = snprintf(line, sizeof line, "main returned %d %s\n", code, secret);
        /* one write: a pipe takes up to PIPE_BUF bytes whole */
        if (n > 0 && write(out, line, (size_t)n) < 0)
            return code;
    }
    return code;
}
