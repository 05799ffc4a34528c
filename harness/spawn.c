/* spawn.c: run one untrusted child: own process group, limits, deadline, group kill. */
#include "spawn.h"

#include "procs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ENV 64 /* extra environment entries a child may be given */

/* How many child_run calls are under way: the stack dumper runs children of its own
 * while the timed-out child is still alive, and orphans are only hunted at depth 1. */
static int run_depth;

static unsigned sandbox_uid = 100000;

unsigned spawn_sandbox_uid(void)
{
    return sandbox_uid;
}

void spawn_init(void)
{
    sandbox_uid = 100000 + (unsigned)getpid();
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    /* A SIGPIPE from a closed output must not kill the harness. */
    signal(SIGPIPE, SIG_IGN);
}

const char *signal_name(int signo)
{
    static char buf[32];
    switch (signo) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGPIPE: return "SIGPIPE";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    default:
        snprintf(buf, sizeof buf, "signal %d", signo);
        return buf;
    }
}

static const char *signal_meaning(int signo)
{
    switch (signo) {
    case SIGSEGV: return "segmentation fault: a bad pointer";
    case SIGABRT: return "abort: an assertion or the C library gave up";
    case SIGBUS: return "bus error";
    case SIGFPE: return "arithmetic error, such as division by zero";
    case SIGXCPU: return "CPU time limit reached";
    case SIGXFSZ: return "file size limit reached: too much output";
    default: return strsignal(signo);
    }
}

char *child_describe(const struct child *c)
{
    if (c->exec_failed)
        return xasprintf("could not start '%s': %s", c->argv[0], strerror(c->exec_errno));
    if (c->timed_out)
        return xasprintf("timed out after %.1f s and was killed", c->timeout);
    if (c->signaled)
        return xasprintf("killed by %s (%s)", signal_name(c->signo), signal_meaning(c->signo));
    return xasprintf("exited with %d", c->exit_code);
}

static void set_limit(int resource, long value)
{
    if (value <= 0)
        return;
    /* For RLIMIT_CPU the kernel sends SIGXCPU at the soft limit and SIGKILL at the hard
     * one; a second between them lets the child die by a signal that says why. */
    rlim_t hard = resource == RLIMIT_CPU ? (rlim_t)value + 1 : (rlim_t)value;
    struct rlimit rl = {(rlim_t)value, hard};
    setrlimit(resource, &rl);
}

static int open_or_null(const char *path, int flags)
{
    return open(path ? path : "/dev/null", flags | O_CLOEXEC, 0644);
}

/* The child starts with 0, 1 and 2 only: whatever the harness's own parent left open (make's
 * jobserver, a CI runner's pipes) is neither the learner's to use nor allowed to shift the
 * numbers the learner's own open() and pipe() get. report_fd is close-on-exec already. */
static void close_inherited(int report_fd)
{
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    struct rlimit rl;
    int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
    for (int fd = 3; fd < top; fd++)
        if (fd != report_fd)
            close(fd);
}

/* Between fork and exec only async-signal-safe calls: no malloc, no stdio. */
static _Noreturn void exec_child(const struct child *c, char *const *envp, int private_tmp,
                                 int report_fd)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    signal(SIGPIPE, SIG_DFL);
    int in = open_or_null(c->stdin_path, O_RDONLY);
    int out = open_or_null(c->stdout_path, O_WRONLY | O_CREAT | O_TRUNC);
    int err = (c->stderr_path && c->stdout_path && !strcmp(c->stderr_path, c->stdout_path))
                  ? out
                  : open_or_null(c->stderr_path, O_WRONLY | O_CREAT | O_TRUNC);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        goto fail;
    close_inherited(report_fd);
    if (c->dir && chdir(c->dir))
        goto fail;
    set_limit(RLIMIT_CORE, 0);
    struct rlimit zero = {0, 0};
    setrlimit(RLIMIT_CORE, &zero);
    set_limit(RLIMIT_CPU, c->limits.cpu_seconds);
    if (c->limits.memory_mb > 0)
        set_limit(RLIMIT_AS, c->limits.memory_mb * 1024 * 1024);
    if (c->limits.file_mb > 0)
        set_limit(RLIMIT_FSIZE, c->limits.file_mb * 1024 * 1024);
    set_limit(RLIMIT_NOFILE, c->limits.open_files);
    set_limit(RLIMIT_NPROC, c->limits.processes);
    if (c->no_aslr)
        personality(ADDR_NO_RANDOMIZE);
    /* Needs CAP_SYS_ADMIN: root, or the user namespace sandbox_network() made; where neither
     * is there the child shares /tmp, as before. */
    if (private_tmp && unshare(CLONE_NEWNS) == 0 &&
        mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
        mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777");
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777");
    }
    /* Root ignores RLIMIT_NPROC, so a fork storm would only stop at the machine's end:
     * learner code runs as nobody instead. The output files are already open. */
    if (c->limits.unprivileged && geteuid() == 0 &&
        (setgroups(0, NULL) || setgid(sandbox_uid) || setuid(sandbox_uid)))
        goto fail;
    execvpe(c->argv[0], (char *const *)c->argv, envp);
fail:;
    int e = errno;
    while (write(report_fd, &e, sizeof e) < 0 && errno == EINTR)
        ;
    _exit(127);
}

static char **build_env(const char *const *extra)
{
    size_t n = 0, m = 0;
    while (environ[n])
        n++;
    while (extra && extra[m])
        m++;
    char **envp = xcalloc(n + m + 1, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* an extra entry of the same name replaces the inherited one */
        const char *eq = strchr(environ[i], '=');
        size_t len = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < m && !replaced; j++)
            replaced = !strncmp(extra[j], environ[i], len);
        if (!replaced)
            envp[k++] = environ[i];
    }
    for (size_t j = 0; j < m; j++)
        envp[k++] = (char *)extra[j];
    envp[k] = NULL;
    return envp;
}

static int pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/* Waits until the child exits or the deadline passes. Returns 1 on exit, 0 on deadline. */
static int wait_until(pid_t pid, double deadline)
{
    int pfd = pidfd_open_compat(pid);
    for (;;) {
        siginfo_t si = {0};
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
            if (pfd >= 0)
                close(pfd);
            return 1;
        }
        double left = deadline - now_seconds();
        if (left <= 0) {
            if (pfd >= 0)
                close(pfd);
            return 0;
        }
        int ms = left > 0.05 ? 50 : (int)(left * 1000) + 1;
        if (pfd >= 0) {
            struct pollfd p = {.fd = pfd, .events = POLLIN};
            int tick = left * 1000 > 1000 ? 1000 : (int)(left * 1000) + 1;
            poll(&p, 1, tick);
        } else {
            struct timespec ts = {0, (long)ms * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

/* Sends sig to every process of the sandbox user: a process that signals -1 reaches every
 * process of its own user, so a killer forked as that user ends (or, with SIGSTOP, freezes) a
 * fork storm that outruns any walk of /proc. Only for children that ran unprivileged under a
 * root harness. */
static void signal_sandbox_user(const struct child *c, int sig)
{
    if (!c->limits.unprivileged || geteuid() != 0)
        return;
    pid_t k = fork();
    if (k == 0) {
        if (setgid(sandbox_uid) || setuid(sandbox_uid))
            _exit(1);
        /* kill(-1) skips the caller itself; repeat while processes are still being forked */
        for (int i = 0; i < (sig == SIGKILL ? 1000 : 3) && kill(-1, sig) == 0; i++)
            ;
        _exit(0);
    }
    if (k > 0)
        while (waitpid(k, NULL, 0) < 0 && errno == EINTR)
            ;
}

static void kill_sandbox_user(const struct child *c)
{
    signal_sandbox_user(c, SIGKILL);
}

/* Is this process one the child left: in its group, of its sandbox user, or an orphan that
 * came to us (a subreaper) while only this child ran? */
static int left_by(const struct child *c, const struct proc_entry *p)
{
    if (p->pid == getpid())
        return 0;
    if (p->pgid == c->pid)
        return 1;
    if (c->limits.unprivileged && geteuid() == 0 && p->uid == sandbox_uid)
        return 1;
    return run_depth == 1 && p->ppid == getpid();
}

/* The processes the child left (see left_by), and their descendants; with rss_kb, the
 * resident memory of the largest. */
static int count_left(const struct child *c, long *rss_kb)
{
    static struct proc_entry procs[8192];
    static char mark[8192];
    size_t np = procs_read(procs, sizeof procs / sizeof procs[0]);
    int n = 0;
    long pages = 0;
    if (np > sizeof mark)
        np = sizeof mark;
    for (size_t i = 0; i < np; i++)
        mark[i] = (char)left_by(c, &procs[i]);
    for (int grew = 1; grew;) {
        grew = 0;
        for (size_t i = 0; i < np; i++)
            for (size_t j = 0; j < np && !mark[i]; j++)
                if (mark[j] && procs[i].ppid == procs[j].pid)
                    mark[i] = grew = 1;
    }
    for (size_t i = 0; i < np; i++)
        if (mark[i]) {
            n++;
            if (procs[i].rss_pages > pages)
                pages = procs[i].rss_pages;
        }
    if (rss_kb)
        *rss_kb = pages * (sysconf(_SC_PAGESIZE) / 1024);
    return n;
}

/* SIGTERM to the whole tree, then SIGKILL half a second later to whatever is left. */
static void kill_tree(pid_t root)
{
    pid_t pids[1024];
    size_t n = procs_tree(root, pids, 1024);
    kill(-root, SIGTERM);
    for (size_t i = 0; i < n; i++)
        kill(pids[i], SIGTERM);
    /* a stopped process acts on SIGTERM only once continued */
    kill(-root, SIGCONT);
    for (size_t i = 0; i < n; i++)
        kill(pids[i], SIGCONT);
    double until = now_seconds() + 0.5;
    while (now_seconds() < until && procs_tree(root, pids, 2) > 0) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    n = procs_tree(root, pids, 1024);
    kill(-root, SIGKILL);
    for (size_t i = 0; i < n; i++)
        kill(pids[i], SIGKILL);
}

static int child_run_once(struct child *c);

int child_run(struct child *c)
{
    run_depth++;
    int rc = child_run_once(c);
    if (run_depth == 1)
        reap_orphans();
    run_depth--;
    return rc;
}

static int child_run_once(struct child *c)
{
    c->exited = c->signaled = c->timed_out = c->exec_failed = 0;
    c->exit_code = c->signo = c->exec_errno = 0;
    c->left_running = c->deadline_procs = 0;
    c->deadline_rss_kb = 0;
    if (c->timeout <= 0)
        c->timeout = 60;
    int report[2];
    if (pipe2(report, O_CLOEXEC))
        return error("cannot create a pipe: %s", strerror(errno));
    /* A private /tmp would hide the repository when it lives under /tmp itself. */
    char cwd[4096];
    const char *dir = c->dir ? c->dir : getcwd(cwd, sizeof cwd);
    int private_tmp = c->limits.private_tmp && dir && dir[0] == '/' && !starts_with(dir, "/tmp/") &&
                      strcmp(dir, "/tmp") && !starts_with(dir, "/dev/shm");
    const char *extra[MAX_ENV + 2];
    size_t ne = 0;
    for (; c->env && c->env[ne] && ne < MAX_ENV; ne++)
        extra[ne] = c->env[ne];
    if (private_tmp)
        extra[ne++] = "TMPDIR=/tmp"; /* the one outside is out of sight */
    extra[ne] = NULL;
    char **envp = build_env(extra);
    fflush(NULL);
    double start = now_seconds();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(report[0]);
        close(report[1]);
        free(envp);
        return error("cannot fork: %s", strerror(e));
    }
    if (pid == 0)
        exec_child(c, envp, private_tmp, report[1]);
    free(envp);
    /* Set the group from this side too, so a kill cannot race the child's setpgid. */
    setpgid(pid, pid);
    c->pid = pid;
    close(report[1]);
    int e = 0;
    ssize_t got;
    while ((got = read(report[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(report[0]);
    if (got == (ssize_t)sizeof e) {
        waitpid(pid, NULL, 0);
        c->exec_failed = 1;
        c->exec_errno = e;
        return -1;
    }

    if (!wait_until(pid, start + c->timeout)) {
        c->timed_out = 1;
        /* Which threads were running, then freeze everything: a fork storm stops growing
         * and spinning, so the stacks are read fast and show the moment of the deadline. */
        const struct deadline_hook *hook = c->stacks_path ? c->on_deadline : NULL;
        char *seen = hook ? hook->observe(pid) : NULL;
        signal_sandbox_user(c, SIGSTOP);
        pid_t members[1024];
        size_t nm = procs_tree(pid, members, 1024);
        kill(-pid, SIGSTOP);
        for (size_t i = 0; i < nm; i++)
            kill(members[i], SIGSTOP);
        c->deadline_procs = count_left(c, &c->deadline_rss_kb);
        if (hook)
            hook->record(c, seen, members, nm);
        free(seen);
        kill_sandbox_user(c);
        kill_tree(pid);
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    c->wall_seconds = now_seconds() - start;
    /* What it left running: a process that is on its way out gets a moment to go. */
    if (!c->timed_out) {
        double until = now_seconds() + 0.2;
        while ((c->left_running = count_left(c, NULL)) > 0 && now_seconds() < until) {
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    /* Whatever the child left running in its group goes with it. */
    kill(-pid, SIGKILL);
    kill_sandbox_user(c);
    if (!c->timed_out) {
        if (WIFEXITED(status)) {
            c->exited = 1;
            c->exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            c->signaled = 1;
            c->signo = WTERMSIG(status);
        }
    }
    c->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    c->max_rss_kb = ru.ru_maxrss;
    return 0;
}

int reap_orphans(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    pid_t self = getpid();
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        char *stat = read_file(path, 4096, NULL);
        if (!stat)
            continue;
        /* the parent pid is the second field after the ")" that closes the name */
        char *close_paren = strrchr(stat, ')');
        long ppid = 0;
        char state = 0;
        if (close_paren)
            sscanf(close_paren + 1, " %c %ld", &state, &ppid);
        free(stat);
        if (ppid != self)
            continue;
        kill((pid_t)pid, SIGKILL);
        waitpid((pid_t)pid, NULL, 0);
        found++;
    }
    closedir(d);
    return found;
}

void spawn_kill_left_by(pid_t harness)
{
    if (geteuid() == 0) {
        struct child c = {.limits = {.unprivileged = 1}};
        unsigned mine = sandbox_uid;
        sandbox_uid = 100000 + (unsigned)harness; /* spawn_init's choice in that copy */
        kill_sandbox_user(&c);
        sandbox_uid = mine;
    }
    /* its children died with it (PR_SET_PDEATHSIG); theirs come to us, the subreaper */
    for (int i = 0; i < 5; i++) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        if (!reap_orphans() && i >= 1)
            break;
    }
}
