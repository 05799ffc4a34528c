/* sandbox_init.c: kata-init, the first process of every sandbox: starts the command, reaps
 * what it leaves, and tells the harness how the command ended and what it left running. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage (spawn.c builds it): bwrap ... --as-pid-1 -- kata-init FD NPROC COMMAND [ARG...]
 *
 * NPROC (0: none) is the sandbox's limit of processes and threads, set here, inside the user
 * namespace bwrap made: the kernel counts the tasks of a namespace's user on their own, so the
 * limit is this sandbox's alone, whatever else the same user runs outside (set before bwrap,
 * it counted every process of the user's, other gradings' too).
 *
 * It is pid 1 of the sandbox's pid namespace, so every orphan of the command comes to it, and
 * when it exits the kernel kills whatever is left in the namespace: nothing of the learner's
 * outlives the sandbox. bwrap's own pid 1 exits as soon as the command does, which would kill
 * a left-behind process before anybody could say it was there; this one first counts them.
 * On FD (a pipe the harness holds the other end of) it writes one line:
 *   "E <errno>"               the command could not be started;
 *   "X <wait status> <left>"  the command ended so (the raw status waitpid gave, so a death by
 *                             signal is told exactly) and left that many processes running.
 * Signals from inside the namespace cannot reach it (the kernel shields a namespace's init
 * from signals it has no handler for), so learner code cannot kill it; the harness can.
 * SIGUSR1 from the harness (from outside the namespace) freezes every other process in it at
 * once (kill(-1, SIGSTOP) from inside reaches them all): a fork storm stops growing before the
 * harness reads its stacks, without a walk of /proc that the storm could outrun.
 */

static void say(int fd, const char *line)
{
    size_t n = strlen(line);
    while (n) {
        ssize_t w = write(fd, line, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        line += w;
        n -= (size_t)w;
    }
}

/* Live processes in this namespace other than this one (zombies are reaped first). */
static int count_others(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 1)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t got = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (got <= 0)
            continue;
        buf[got] = '\0';
        const char *paren = strrchr(buf, ')');
        if (paren && paren[1] == ' ' && paren[2] != 'Z')
            n++;
    }
    closedir(d);
    return n;
}

/* SIGUSR1: stop everything else in the namespace, only when asked from outside it (a sender
 * the namespace cannot see has pid 0 here). Repeated, for processes forked meanwhile. */
static void freeze(int sig, siginfo_t *info, void *ctx)
{
    (void)sig;
    (void)ctx;
    if (info->si_pid != 0)
        return;
    for (int i = 0; i < 5; i++)
        kill(-1, SIGSTOP);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: kata-init FD NPROC COMMAND [ARG...]\n", stderr);
        return 127;
    }
    int fd = atoi(argv[1]);
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return 127;
    long nproc = atol(argv[2]);
    struct rlimit rl = {(rlim_t)nproc, (rlim_t)nproc};
    if (nproc > 0 && setrlimit(RLIMIT_NPROC, &rl)) {
        char line[32];
        snprintf(line, sizeof line, "E %d\n", errno);
        say(fd, line);
        return 127;
    }
    /* Learner code runs as the same user: not dumpable, it cannot ptrace this process (nor
     * read its memory) to make it tell the harness a story. The command's exec makes the
     * command dumpable again, for the stack dumps. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct sigaction sa = {.sa_sigaction = freeze, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pid_t pid = fork();
    if (pid < 0) {
        char line[32];
        snprintf(line, sizeof line, "E %d\n", errno);
        say(fd, line);
        return 127;
    }
    if (pid == 0) {
        /* a group of its own, so that the harness can stop and dump it as one */
        setpgid(0, 0);
        signal(SIGUSR1, SIG_DFL);
        execvp(argv[3], argv + 3);
        char line[32];
        snprintf(line, sizeof line, "E %d\n", errno);
        say(fd, line);
        _exit(127);
    }
    int status = 0;
    for (;;) {
        int st;
        pid_t w = wait(&st);
        if (w == pid) {
            status = st;
            break;
        }
        if (w < 0 && errno != EINTR)
            break;
    }
    /* A process on its way out (a thread that was exiting, a child that got SIGHUP) gets a
     * moment to go before it counts as left behind. */
    int left = count_others();
    for (int i = 0; i < 10 && left > 0; i++) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        left = count_others();
    }
    char line[64];
    snprintf(line, sizeof line, "X %d %d\n", status, left);
    say(fd, line);
    /* The kernel kills every process still in the namespace when this one exits. */
    return 0;
}
