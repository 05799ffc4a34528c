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

/* The sandbox, when one is configured (spawn_sandbox). */
static struct sandbox_config sandbox;
static int sandbox_on;

unsigned spawn_sandbox_uid(void)
{
    return sandbox_uid;
}

int spawn_sandbox_active(void)
{
    return sandbox_on;
}

void spawn_sandbox(const struct sandbox_config *cfg)
{
    sandbox_on = cfg != NULL;
    if (cfg)
        sandbox = *cfg;
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
    default: snprintf(buf, sizeof buf, "signal %d", signo); return buf;
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
    if (c->sandbox_failed)
        return xasprintf("could not start '%s': the sandbox (bwrap) did not start", c->argv[0]);
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

/* A child's output file, made anew by the harness: whatever had the name goes first (unlink
 * removes a symbolic link, never what it points to), and O_EXCL|O_NOFOLLOW make sure the open
 * creates a regular file of the harness's own, whatever learner code put in the folder. A
 * character device (/dev/null, named by a caller) is written as it is: unlinked by root, it
 * would be gone for every program on the machine. Learner code cannot make one (bwrap's
 * namespace has no CAP_MKNOD outside). */
static int open_output(const char *path)
{
    if (!path)
        return open("/dev/null", O_WRONLY | O_CLOEXEC);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISCHR(st.st_mode))
        return open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (unlink(path) && errno != ENOENT)
        return -1;
    return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

/* A child's input: a regular file or a character device (/dev/null), never a link or a FIFO,
 * whose open could block. */
static int open_input(const char *path)
{
    int fd = open(path ? path : "/dev/null", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
        if (fd >= 0)
            close(fd);
        errno = EINVAL;
        return -1;
    }
    fcntl(fd, F_SETFL, 0);
    return fd;
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

/* --- report channels (struct child_channel): pipes the child writes and child_run drains */

static int channels_open(struct child *c)
{
    for (size_t i = 0; i < c->nchannels; i++) {
        struct child_channel *ch = &c->channels[i];
        int p[2];
        ch->text = NULL;
        ch->len = 0;
        ch->truncated = ch->closed_early = ch->open_after = 0;
        ch->rd_ = ch->wr_ = -1;
        if (ch->fd < 3 || ch->fd > 63 || pipe2(p, O_CLOEXEC)) {
            for (size_t j = 0; j < i; j++) {
                close(c->channels[j].rd_);
                close(c->channels[j].wr_);
            }
            return error("cannot open report channel %d", ch->fd);
        }
        ch->rd_ = p[0];
        ch->wr_ = p[1];
        fcntl(ch->rd_, F_SETFL, O_NONBLOCK);
    }
    return 0;
}

/* In the child, after close_inherited: each write end at the number asked for, kept across
 * exec. The ends are first moved above every number asked for, so that none is overwritten
 * before it is placed. Async-signal-safe. */
static int channels_place(const struct child *c, int *report_fd)
{
    int high = fcntl(*report_fd, F_DUPFD_CLOEXEC, 64);
    if (high >= 0)
        *report_fd = high;
    for (size_t i = 0; i < c->nchannels; i++) {
        int moved = fcntl(c->channels[i].wr_, F_DUPFD_CLOEXEC, 64);
        if (moved < 0)
            return -1;
        c->channels[i].wr_ = moved; /* the child's own copy of the struct */
    }
    for (size_t i = 0; i < c->nchannels; i++)
        if (dup2(c->channels[i].wr_, c->channels[i].fd) < 0)
            return -1;
    return 0;
}

/* Reads what is there on every open channel; returns how many reached their end now. */
static int channels_read(struct child *c, int *open_ends)
{
    int ended = 0;
    char buf[65536];
    for (size_t i = 0; i < c->nchannels; i++) {
        struct child_channel *ch = &c->channels[i];
        size_t max = ch->max ? ch->max : (16u << 20);
        while (ch->rd_ >= 0) {
            ssize_t n = read(ch->rd_, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                break; /* EAGAIN: nothing more for now */
            if (n == 0) {
                close(ch->rd_);
                ch->rd_ = -1;
                (*open_ends)--;
                ended++;
                break;
            }
            size_t keep = ch->len + (size_t)n > max ? max - ch->len : (size_t)n;
            if (keep < (size_t)n)
                ch->truncated = 1;
            if (keep) {
                ch->text = xrealloc(ch->text, ch->len + keep + 1);
                memcpy(ch->text + ch->len, buf, keep);
                ch->len += keep;
                ch->text[ch->len] = '\0';
            }
        }
    }
    return ended;
}

/* After the child and what it left are gone: the rest of each channel, until its end or
 * a second has passed (then a write end is open elsewhere: open_after). */
static void channels_finish(struct child *c)
{
    int open_ends = 0;
    for (size_t i = 0; i < c->nchannels; i++)
        open_ends += c->channels[i].rd_ >= 0;
    double until = now_seconds() + 1.0;
    while (open_ends > 0 && now_seconds() < until) {
        struct pollfd p[16];
        int n = 0;
        for (size_t i = 0; i < c->nchannels && n < 16; i++)
            if (c->channels[i].rd_ >= 0)
                p[n++] = (struct pollfd){.fd = c->channels[i].rd_, .events = POLLIN};
        poll(p, (nfds_t)n, 50);
        channels_read(c, &open_ends);
    }
    for (size_t i = 0; i < c->nchannels; i++)
        if (c->channels[i].rd_ >= 0) {
            c->channels[i].open_after = 1;
            close(c->channels[i].rd_);
            c->channels[i].rd_ = -1;
        }
}
/* What the child is started with: its descriptors, opened by the harness, and, in the
 * sandbox, bwrap's command line and the descriptor kata-init reports on. */
struct launch {
    int in, out, err;
    char **bwrap_argv; /* NULL: exec c->argv directly */
    int status_fd;     /* kata-init's end of the status pipe, or -1 */
};

/* Between fork and exec only async-signal-safe calls: no malloc, no stdio. */
static _Noreturn void exec_child(const struct child *c, char *const *envp, int private_tmp,
                                 int report_fd, const struct launch *l)
{
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(l->in, 0) < 0 || dup2(l->out, 1) < 0 || dup2(l->err, 2) < 0)
        goto fail;
    close_inherited(report_fd);
    if (c->nchannels && channels_place(c, &report_fd))
        goto fail;
    /* the descriptors that go through: kata-init's status pipe and the stage's channels */
    if (l->status_fd >= 0)
        fcntl(l->status_fd, F_SETFD, 0);
    for (size_t i = 0; c->pass_fds && c->pass_fds[i] >= 0; i++)
        fcntl(c->pass_fds[i], F_SETFD, 0);
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
     * is there the child shares /tmp, as before. (In the sandbox bwrap makes them.) */
    if (private_tmp && !l->bwrap_argv && unshare(CLONE_NEWNS) == 0 &&
        mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
        mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777");
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777");
    }
    /* Root ignores RLIMIT_NPROC, so a fork storm would only stop at the machine's end:
     * learner code runs as nobody instead. The output files are already open. The sandbox
     * too starts from that user: bwrap, unprivileged, then maps it to itself in a user
     * namespace of its own, where it has no capability outside. */
    if (c->limits.unprivileged && geteuid() == 0 &&
        (setgroups(0, NULL) || setgid(sandbox_uid) || setuid(sandbox_uid)))
        goto fail;
    /* After the change of user, which clears it: the child dies with the harness. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (l->bwrap_argv)
        execve(l->bwrap_argv[0], l->bwrap_argv, envp);
    else
        execvpe(c->argv[0], (char *const *)c->argv, envp);
fail:;
    int e = errno;
    while (write(report_fd, &e, sizeof e) < 0 && errno == EINTR)
        ;
    _exit(127);
}

/* The variables a child inherits from the harness: what compilers, Valgrind, the debuggers
 * and the C library need to find their programs and speak the user's language, the hostile
 * suite's mark on every process of one grading (HOSTILE_TAG, tests/hostile/run.sh: how it
 * finds what a grading left behind when it is not root), and nothing else. Whatever else the
 * harness was started with (a CI runner's GITHUB_TOKEN, GITHUB_STEP_SUMMARY, GITHUB_ENV and
 * GITHUB_OUTPUT files, ACTIONS_* credentials, a teacher's own secrets) never reaches a child, so
 * learner code cannot read or append to them; the harness writes the job summary and annotations
 * itself, from the parent. */
static int inherited(const char *entry)
{
    static const char *const names[] = {"PATH",    "HOME",     "LANG",        "LANGUAGE",
                                        "TZ",      "TERM",     "TMPDIR",      "USER",
                                        "LOGNAME", "NO_COLOR", "HOSTILE_TAG", NULL};
    if (!strncmp(entry, "LC_", 3))
        return 1;
    const char *eq = strchr(entry, '=');
    size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == len && !strncmp(entry, names[i], len))
            return 1;
    return 0;
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
        if (!inherited(environ[i]))
            continue;
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

/* Waits until the child exits or the deadline passes, reading its report channels as it
 * goes. Returns 1 on exit, 0 on deadline. */
static int wait_until(struct child *c, pid_t pid, double deadline)
{
    int pfd = pidfd_open_compat(pid);
    int open_ends = (int)c->nchannels;
    double ended_at = 0; /* when the last channel reached its end while the child ran */
    for (;;) {
        siginfo_t si = {0};
        if (c->nchannels && channels_read(c, &open_ends) && open_ends == 0)
            ended_at = now_seconds();
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
            if (pfd >= 0)
                close(pfd);
            return 1;
        }
        /* a process closes its descriptors a moment before it can be waited for; a channel
         * closed for longer than a second while the child runs was closed on purpose */
        if (ended_at > 0 && now_seconds() - ended_at > 1.0)
            for (size_t i = 0; i < c->nchannels; i++)
                c->channels[i].closed_early = 1;
        double left = deadline - now_seconds();
        if (left <= 0) {
            if (pfd >= 0)
                close(pfd);
            return 0;
        }
        int ms = left > 0.05 ? 50 : (int)(left * 1000) + 1;
        if (open_ends > 0) {
            struct pollfd p[17];
            nfds_t n = 0;
            if (pfd >= 0)
                p[n++] = (struct pollfd){.fd = pfd, .events = POLLIN};
            for (size_t i = 0; i < c->nchannels && n < 17; i++)
                if (c->channels[i].rd_ >= 0)
                    p[n++] = (struct pollfd){.fd = c->channels[i].rd_, .events = POLLIN};
            poll(p, n, ms);
        } else if (pfd >= 0) {
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

/* How many processes root's tree has, and (rss_kb) the resident memory of the largest. */
static int count_tree(pid_t root, long *rss_kb)
{
    static struct proc_entry procs[8192];
    pid_t pids[1024];
    size_t n = procs_tree(root, pids, 1024);
    size_t np = procs_read(procs, sizeof procs / sizeof procs[0]);
    long pages = 0;
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < n; j++)
            if (procs[i].pid == pids[j] && procs[i].rss_pages > pages)
                pages = procs[i].rss_pages;
    if (rss_kb)
        *rss_kb = pages * (sysconf(_SC_PAGESIZE) / 1024);
    return (int)n;
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

/* A growable argv for bwrap's command line. */
struct args {
    char **v;
    size_t n, cap;
};

static void arg(struct args *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = xstrdup(s);
    a->v[a->n] = NULL;
}

/* path made absolute against cwd; a new string */
static char *absolute(const char *path, const char *cwd)
{
    return path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cwd, path);
}

/* Binds path read-only at its own place when it names a regular file (argv's binaries, the
 * suppression file after "--suppressions="). */
static void bind_if_file(struct args *a, const char *word, const char *cwd)
{
    const char *eq = word[0] == '-' ? strchr(word, '=') : NULL;
    const char *path = eq ? eq + 1 : word;
    struct stat st;
    if (!*path || (path[0] != '/' && path[0] != '.' && !strchr(path, '/')) || stat(path, &st) ||
        !S_ISREG(st.st_mode))
        return;
    /* /dev and /proc are the sandbox's own: /dev/stdout names the child's output file
     * through a link, which is there already */
    if (starts_with(path, "/dev/") || starts_with(path, "/proc/"))
        return;
    char *abs = absolute(path, cwd);
    arg(a, "--ro-bind");
    arg(a, abs);
    arg(a, abs);
    free(abs);
}

/*
 * The work folder of a child that writes where the stages told it (its reports, in the
 * grading's work folder): a new, empty folder of its own, bound where the grading's work
 * folder would be, so it finds nothing an earlier child left there (a FIFO under the name of
 * a report, a link) and leaves nothing for a later one. When it is gone, harvest() moves the
 * regular files it wrote into the grading's work folder, where the stages read them; the
 * harness's own files there (the children's output) it never sees. Returns the folder (a
 * new string) or NULL when it cannot be made.
 */
static char *child_work(void)
{
    static unsigned n;
    char *dir = xasprintf("%s/.child-%d-%u", sandbox.work, (int)getpid(), n++);
    remove_tree(dir);
    if (mkdir(dir, 0700) || (geteuid() == 0 && chown(dir, sandbox_uid, sandbox_uid))) {
        error("cannot make '%s': %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

/* Is name one of the files the harness made for this child (its output, its stack dump)? */
static int harness_file(const struct child *c, const char *name)
{
    const char *mine[] = {c->stdout_path, c->stderr_path, c->stacks_path};
    for (int i = 0; i < 3; i++)
        if (mine[i] && !strcmp(base_name(mine[i]), name))
            return 1;
    return 0;
}

/* Moves what the child wrote into the grading's work folder: regular files with one link
 * only (rename replaces an older file of that name; it follows no link on either side), but
 * never over a file the harness made for the child itself; then removes the child's folder
 * with whatever else is in it. */
static void harvest(const struct child *c, char *own)
{
    int fd = open(own, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    /* reports are a few files a process; a folder of a million is the learner's, not read */
    int budget = 4096;
    while (d && budget-- > 0 && (e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.' || harness_file(c, e->d_name) ||
            fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode) ||
            st.st_nlink != 1)
            continue;
        char *to = xasprintf("%s/%s", sandbox.work, e->d_name);
        renameat(fd, e->d_name, AT_FDCWD, to);
        free(to);
    }
    if (d)
        closedir(d);
    else if (fd >= 0)
        close(fd);
    remove_tree(own);
    free(own);
}

/* bwrap's command line for c (see spawn.h, struct view and struct sandbox_config). */
static char **bwrap_command(const struct child *c, const char *cwd, int status_fd,
                            const char *own_work)
{
    struct args a = {0};
    arg(&a, sandbox.bwrap);
    /* new user, pid, ipc, uts, mount and cgroup namespaces; the user namespace is the only
     * one the learner gets, it can make no other */
    arg(&a, "--unshare-all");
    arg(&a, "--unshare-user");
    arg(&a, "--disable-userns");
    if (sandbox.share_net)
        arg(&a, "--share-net");
    arg(&a, "--die-with-parent");
    /* no terminal to push characters into (TIOCSTI) */
    arg(&a, "--new-session");
    arg(&a, "--as-pid-1");
    arg(&a, "--hostname");
    arg(&a, "kata");
    /* the system, read-only: /usr, and /bin, /lib... as they are here (links on a merged /usr) */
    arg(&a, "--ro-bind");
    arg(&a, "/usr");
    arg(&a, "/usr");
    static const char *const top[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL};
    for (int i = 0; top[i]; i++) {
        char target[256];
        ssize_t n = readlink(top[i], target, sizeof target - 1);
        if (n > 0) {
            target[n] = '\0';
            arg(&a, "--symlink");
            arg(&a, target);
        } else {
            arg(&a, "--ro-bind-try");
            arg(&a, top[i]);
        }
        arg(&a, top[i]);
    }
    /* of /etc only what the loader, the compilers' alternatives and libc's resolver read */
    static const char *const etc[] = {"/etc/ld.so.cache",
                                      "/etc/ld.so.conf",
                                      "/etc/ld.so.conf.d",
                                      "/etc/alternatives",
                                      "/etc/localtime",
                                      "/etc/hosts",
                                      NULL};
    for (int i = 0; etc[i]; i++) {
        arg(&a, "--ro-bind-try");
        arg(&a, etc[i]);
        arg(&a, etc[i]);
    }
    arg(&a, "--proc");
    arg(&a, "/proc");
    arg(&a, "--dev");
    arg(&a, "/dev");
    /* empty and its own: nothing an earlier child left, nothing a later one finds */
    static const char *const tmps[][2] = {
        {"/tmp", "268435456"}, {"/var/tmp", "67108864"}, {"/dev/shm", "67108864"}};
    for (int i = 0; i < 3; i++) {
        arg(&a, "--size");
        arg(&a, tmps[i][1]);
        arg(&a, "--tmpfs");
        arg(&a, tmps[i][0]);
    }
    /* what the stage lets it read; then the files its command line names */
    for (size_t i = 0; c->view.read && c->view.read[i]; i++) {
        char *abs = absolute(c->view.read[i], cwd);
        arg(&a, "--ro-bind-try");
        arg(&a, abs);
        arg(&a, abs);
        free(abs);
    }
    for (size_t i = 0; c->argv[i]; i++)
        bind_if_file(&a, c->argv[i], cwd);
    if (c->view.write) {
        char *abs = absolute(c->view.write, cwd);
        arg(&a, "--bind");
        arg(&a, abs);
        arg(&a, abs);
        free(abs);
    } else if (own_work) {
        /* the grading's work folder, as this child alone has it (see child_work) */
        char *abs = absolute(sandbox.work, cwd);
        arg(&a, "--bind");
        arg(&a, own_work);
        arg(&a, abs);
        free(abs);
    }
    arg(&a, "--ro-bind");
    arg(&a, sandbox.init);
    arg(&a, sandbox.init);
    arg(&a, "--dir");
    arg(&a, cwd);
    /* the skeleton bwrap made (the folders that hold the binds) is read-only too */
    arg(&a, "--remount-ro");
    arg(&a, "/");
    arg(&a, "--chdir");
    arg(&a, cwd);
    arg(&a, "--");
    arg(&a, sandbox.init);
    char fd[16];
    snprintf(fd, sizeof fd, "%d", status_fd);
    arg(&a, fd);
    for (size_t i = 0; c->argv[i]; i++)
        arg(&a, c->argv[i]);
    return a.v;
}

static void free_argv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* Reads kata-init's one line (sandbox_init.c) from the status pipe, without waiting: every
 * writer is gone by now. Returns 1 when it told how the command ended, 0 when it did not. */
static int read_init_status(struct child *c, int fd, int *status)
{
    char buf[128];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || (len += (size_t)n) >= sizeof buf - 1)
            break;
    }
    buf[len] = '\0';
    int e, left;
    if (sscanf(buf, "E %d", &e) == 1) {
        c->exec_failed = 1;
        c->exec_errno = e;
        return 1;
    }
    if (sscanf(buf, "X %d %d", status, &left) == 2) {
        c->left_running = left;
        return 1;
    }
    return 0;
}

static int child_run_once(struct child *c)
{
    c->exited = c->signaled = c->timed_out = c->exec_failed = 0;
    c->exit_code = c->signo = c->exec_errno = c->sandbox_failed = 0;
    c->left_running = c->deadline_procs = 0;
    c->deadline_rss_kb = 0;
    c->sandboxed = sandbox_on && c->limits.unprivileged;
    if (c->timeout <= 0)
        c->timeout = 60;
    /* the output files, made by the harness before anything of the child runs (spawn.h) */
    struct launch l = {.in = open_input(c->stdin_path),
                       .out = open_output(c->stdout_path),
                       .err = -1,
                       .status_fd = -1};
    int shared = c->stderr_path && c->stdout_path && !strcmp(c->stderr_path, c->stdout_path);
    l.err = shared ? l.out : open_output(c->stderr_path);
    if (l.in < 0 || l.out < 0 || l.err < 0) {
        int e = errno;
        if (l.in >= 0)
            close(l.in);
        if (l.out >= 0)
            close(l.out);
        if (l.err >= 0 && !shared)
            close(l.err);
        c->exec_failed = 1; /* it cannot start without them */
        c->exec_errno = e;
        return -1;
    }
    /* An unprivileged child's own output files are its own: a compiler that reopens its output
     * by name (`-aux-info /dev/stdout` goes through /proc/self/fd/1) needs the right to, and
     * nothing is lost, since it can rewrite them through the descriptors it holds anyway. */
    if ((c->sandboxed || c->limits.unprivileged) && geteuid() == 0) {
        /* files the harness made, never /dev/null (a NULL path) */
        if ((c->stdout_path && fchown(l.out, sandbox_uid, sandbox_uid)) ||
            (c->stderr_path && !shared && fchown(l.err, sandbox_uid, sandbox_uid)))
            warning("cannot hand an output file to the sandbox's user: %s", strerror(errno));
    }
    int report[2], status_pipe[2] = {-1, -1};
    if (pipe2(report, O_CLOEXEC) || (c->sandboxed && pipe2(status_pipe, O_CLOEXEC | O_NONBLOCK)))
        return error("cannot create a pipe: %s", strerror(errno));
    /* kata-init's end of the status pipe is named on bwrap's command line: it must sit above
     * every number a report channel is placed at (3 to 63), or placing one would close it */
    if (status_pipe[1] >= 0 && status_pipe[1] < 64) {
        int high = fcntl(status_pipe[1], F_DUPFD_CLOEXEC, 64);
        if (high < 0)
            return error("cannot move a pipe: %s", strerror(errno));
        close(status_pipe[1]);
        status_pipe[1] = high;
    }
    if (channels_open(c)) {
        close(report[0]);
        close(report[1]);
        return -1;
    }
    char cwd[4096];
    const char *dir = c->dir ? c->dir : getcwd(cwd, sizeof cwd);
    /* Without the sandbox a private /tmp would hide the repository when it lives under /tmp. */
    int private_tmp = !c->sandboxed && c->limits.private_tmp && dir && dir[0] == '/' &&
                      !starts_with(dir, "/tmp/") && strcmp(dir, "/tmp") &&
                      !starts_with(dir, "/dev/shm");
    char *own_work = NULL;
    if (c->sandboxed) {
        if (!c->view.write && sandbox.work && !(own_work = child_work()))
            return -1;
        l.status_fd = status_pipe[1];
        l.bwrap_argv = bwrap_command(c, dir ? dir : "/", status_pipe[1], own_work);
    }
    const char *extra[MAX_ENV + 2];
    size_t ne = 0;
    for (; c->env && c->env[ne] && ne < MAX_ENV; ne++)
        extra[ne] = c->env[ne];
    if (private_tmp || c->sandboxed)
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
        free_argv(l.bwrap_argv);
        if (own_work)
            harvest(c, own_work);
        return error("cannot fork: %s", strerror(e));
    }
    if (pid == 0)
        exec_child(c, envp, private_tmp, report[1], &l);
    free(envp);
    for (size_t i = 0; i < c->nchannels; i++) {
        close(c->channels[i].wr_);
        c->channels[i].wr_ = -1;
    }
    free_argv(l.bwrap_argv);
    close(l.in);
    close(l.out);
    if (!shared)
        close(l.err);
    if (status_pipe[1] >= 0)
        close(status_pipe[1]);
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
        channels_finish(c);
        c->exec_failed = 1;
        c->exec_errno = e;
        if (status_pipe[0] >= 0)
            close(status_pipe[0]);
        if (own_work)
            harvest(c, own_work);
        return -1;
    }

    if (!wait_until(c, pid, start + c->timeout)) {
        c->timed_out = 1;
        /* Which threads were running, then freeze everything: a fork storm stops growing
         * and spinning, so the stacks are read fast and show the moment of the deadline.
         * The hook sees the command, not the sandbox's bwrap and kata-init around it. */
        const struct deadline_hook *hook = c->stacks_path ? c->on_deadline : NULL;
        pid_t init = c->sandboxed ? procs_child_of(pid) : 0;
        pid_t inner = init > 0 ? procs_child_of(init) : 0;
        if (inner <= 0)
            inner = pid;
        c->pid = inner;
        char *seen = hook ? hook->observe(inner) : NULL;
        pid_t members[1024];
        size_t nm = 0;
        if (init > 0) {
            /* kata-init stops every process in the namespace at once (sandbox_init.c) */
            kill(init, SIGUSR1);
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL);
        } else {
            signal_sandbox_user(c, SIGSTOP);
            nm = procs_tree(pid, members, 1024);
            kill(-pid, SIGSTOP);
            for (size_t i = 0; i < nm; i++)
                kill(members[i], SIGSTOP);
        }
        if (c->sandboxed) {
            c->deadline_procs = count_tree(inner, &c->deadline_rss_kb);
            nm = procs_tree(inner, members, 1024);
        } else {
            c->deadline_procs = count_left(c, &c->deadline_rss_kb);
        }
        if (hook) {
            /* a name the learner replaced by a link is made anew, as output files are */
            int fd = open_output(c->stacks_path);
            if (fd >= 0)
                close(fd);
            hook->record(c, seen, members, nm);
        }
        free(seen);
        c->pid = pid;
        if (init > 0) {
            /* the namespace's init: with it goes every process in the namespace, at once */
            kill(init, SIGKILL);
            kill(pid, SIGKILL);
        } else {
            kill_sandbox_user(c);
            kill_tree(pid);
        }
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    c->wall_seconds = now_seconds() - start;
    if (own_work)
        harvest(c, own_work); /* the sandbox is gone: nothing writes there any more */
    if (c->sandboxed) {
        /* kata-init told how the command ended and what it left (and its exit ended that) */
        int told = read_init_status(c, status_pipe[0], &status);
        close(status_pipe[0]);
        if (c->exec_failed)
            return -1;
        if (!told && !c->timed_out) {
            c->exec_failed = c->sandbox_failed = 1;
            c->exec_errno = EPERM;
            return -1;
        }
    } else if (!c->timed_out) {
        /* What it left running: a process that is on its way out gets a moment to go. */
        double until = now_seconds() + 0.2;
        while ((c->left_running = count_left(c, NULL)) > 0 && now_seconds() < until) {
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    /* Whatever the child left running in its group goes with it. */
    kill(-pid, SIGKILL);
    /* In the sandbox kata-init's exit ended every process of the namespace already. */
    if (!c->sandboxed)
        kill_sandbox_user(c);
    channels_finish(c);
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
