/* watch.c: `kata watch`: each save of the learner's file grades it again; a pass moves on. */
#include "watch.h"

#include "kata.h"
#include "progress.h"
#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define POLL_EVERY 0.5   /* seconds between stats when there is no inotify */
#define SAFETY_EVERY 2.0 /* seconds between stats beside inotify, for mounts without events */
#define QUIET 0.15       /* a burst of saves (an editor's write, rename, chmod) counts once */

/* ---- the watcher ---- */

static struct file_sig sig_of(const char *path)
{
    struct stat st;
    struct file_sig s = {0, 0, 0, 0};
    if (stat(path, &st) == 0) {
        s.exists = 1;
        s.mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        s.size = (long long)st.st_size;
        s.ino = (unsigned long long)st.st_ino;
    }
    return s;
}

static int sig_equal(struct file_sig a, struct file_sig b)
{
    return a.exists == b.exists && a.mtime_ns == b.mtime_ns && a.size == b.size && a.ino == b.ino;
}

int watcher_open(struct watcher *w, const char *path, double quiet, int force_poll)
{
    memset(w, 0, sizeof *w);
    w->fd = w->wd = -1;
    w->path = xstrdup(path);
    const char *slash = strrchr(path, '/');
    w->dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    w->name = xstrdup(slash ? slash + 1 : path);
    struct stat st;
    if (stat(w->dir, &st) || !S_ISDIR(st.st_mode)) {
        error("cannot watch '%s': there is no folder '%s'", path, w->dir);
        watcher_close(w);
        return -1;
    }
    w->quiet = quiet;
    w->seen = sig_of(path);
    if (!force_poll) {
        /* The directory, not the file: an editor that saves by renaming a new file over the
         * old one would leave a watch on the file itself watching the deleted inode. */
        w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w->fd >= 0) {
            w->wd = inotify_add_watch(w->fd, w->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR);
            if (w->wd < 0) {
                close(w->fd);
                w->fd = -1;
            }
        }
    }
    w->stat_every = w->fd >= 0 ? SAFETY_EVERY : POLL_EVERY;
    w->next_stat = now_seconds() + w->stat_every;
    return 0;
}

void watcher_close(struct watcher *w)
{
    if (w->fd >= 0)
        close(w->fd);
    free(w->path);
    free(w->dir);
    free(w->name);
    memset(w, 0, sizeof *w);
    w->fd = w->wd = -1;
}

/* Reads every queued event. Returns 1 when one may concern the file (it names it, or the
 * queue overflowed); when the directory itself goes away, falls back to polling. */
static int drain_events(struct watcher *w)
{
    _Alignas(struct inotify_event) char buf[4096];
    int hit = 0, gone = 0;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            if ((e->mask & IN_Q_OVERFLOW) || (e->len && !strcmp(e->name, w->name)))
                hit = 1;
            if (e->mask & IN_IGNORED)
                gone = 1;
            p += sizeof *e + e->len;
        }
    }
    if (gone) {
        close(w->fd);
        w->fd = w->wd = -1;
        w->stat_every = POLL_EVERY;
    }
    return hit;
}

int watcher_wait(struct watcher *w, double timeout, const int *fds, int nfds, int *ready)
{
    struct pollfd p[9];
    if (nfds > 8)
        nfds = 8;
    double end = timeout < 0 ? INFINITY : now_seconds() + timeout;
    for (;;) {
        double t = now_seconds();
        if (w->pending && t >= w->due) {
            w->pending = 0;
            w->seen = sig_of(w->path);
            return WATCH_SAVED;
        }
        if (t >= end)
            return WATCH_TIMEOUT;
        double wake = end < w->next_stat ? end : w->next_stat;
        if (w->pending && w->due < wake)
            wake = w->due;
        int n = 0;
        for (int i = 0; i < nfds; i++)
            p[n++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        int inotify_at = -1;
        if (w->fd >= 0) {
            inotify_at = n;
            p[n++] = (struct pollfd){.fd = w->fd, .events = POLLIN};
        }
        double ms = ceil((wake - t) * 1000);
        int rc = poll(p, (nfds_t)n, ms > 0 ? (int)ms : 0);
        if (rc < 0 && errno != EINTR)
            return -1;
        int saved = 0;
        if (rc > 0 && inotify_at >= 0 && p[inotify_at].revents)
            saved = drain_events(w);
        t = now_seconds();
        if (t >= w->next_stat) {
            w->next_stat = t + w->stat_every;
            if (!sig_equal(sig_of(w->path), w->seen))
                saved = 1;
        }
        if (saved) {
            /* Each save in a burst pushes the report back: grade the file as last saved. */
            w->seen = sig_of(w->path);
            w->pending = 1;
            w->due = t + w->quiet;
        }
        for (int i = 0; rc > 0 && i < nfds; i++)
            if (p[i].revents) {
                if (ready)
                    *ready = i;
                return WATCH_FD;
            }
    }
}

/* ---- signals and the terminal ---- */

static volatile sig_atomic_t quit_signal; /* the signal that asked us to stop, or 0 */
static int wake_pipe[2] = {-1, -1};       /* a byte per signal: poll() sees it */

static void on_signal(int signo)
{
    int saved = errno;
    if (signo != SIGCHLD)
        quit_signal = signo;
    char c = 0;
    ssize_t n = write(wake_pipe[1], &c, 1);
    (void)n;
    errno = saved;
}

static int signals_on(void)
{
    if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC))
        return error("cannot make a pipe: %s", strerror(errno));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    return 0;
}

static void drain_wake_pipe(void)
{
    char buf[64];
    while (read(wake_pipe[0], buf, sizeof buf) > 0)
        ;
}

static struct termios saved_tty;
static int keys_enabled; /* stdin is a terminal in single-key mode; saved_tty restores it */

/* Single keys without Enter and without echo, on a terminal we are in the foreground of.
 * Ctrl-C still sends SIGINT (ISIG stays on). */
static void keys_on(void)
{
    if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp() ||
        tcgetattr(STDIN_FILENO, &saved_tty))
        return;
    struct termios t = saved_tty;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
        keys_enabled = 1;
}

static void keys_off(void)
{
    if (keys_enabled)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
    keys_enabled = 0;
}

/* ---- children: `kata run`, `kata hint`, `kata list` ---- */

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

/* Starts this program again with args (args[0] is its path), on our terminal and in our
 * process group (so Ctrl-C reaches it too), with stdin from /dev/null: the keys are ours.
 * Returns its pid, or -1 with an error printed. */
static pid_t start_kata(const char *const *args)
{
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        /* Between fork and exec only async-signal-safe calls. */
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(args[0], (char *const *)args);
        _exit(127);
    }
    if (devnull >= 0)
        close(devnull);
    if (pid < 0)
        return error("cannot start '%s': %s", args[0], strerror(errno));
    return pid;
}

static int wait_child(pid_t pid, int flags)
{
    int status = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, flags)) < 0 && errno == EINTR)
        ;
    return got == pid ? status : -1;
}

/* Kills what the grading left behind. `kata run` puts each tool in a process group of its
 * own with PR_SET_PDEATHSIG, and what those tools started in turn (cc1, Criterion's
 * workers) is handed to us, the subreaper, as its parents die: catch it over a few rounds. */
static void reap_leftovers(void)
{
    for (int quiet_rounds = 0, round = 0; quiet_rounds < 2 && round < 20; round++) {
        quiet_rounds = reap_orphans() ? 0 : quiet_rounds + 1;
        sleep_seconds(0.02);
    }
}

/* SIGTERM to a grading in progress, SIGKILL half a second later, then its leftovers. */
static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    int status = -1;
    for (int i = 0; i < 50 && status == -1; i++) {
        status = wait_child(pid, WNOHANG);
        if (status == -1)
            sleep_seconds(0.01);
    }
    if (status == -1) {
        kill(pid, SIGKILL);
        wait_child(pid, 0);
    }
    reap_leftovers();
}

/* Runs `kata <cmd> [name]` to its end (hint and list are quick). */
static void run_quick(const char *self, const char *cmd, const char *name)
{
    const char *args[] = {self, cmd, name, NULL};
    pid_t pid = start_kata(args);
    if (pid > 0)
        wait_child(pid, 0);
}

/* ---- the loop ---- */

struct watch {
    const char *self;
    struct kata **v;
    int n, cur;
    struct watcher w;
    char *path;  /* katas/<name>/<name>.c */
    pid_t child; /* the grading in progress, or -1 */
    int screen;  /* stdout is a terminal: clear it before each grading */
    int force_poll;
};

static const char *now_clock(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, n, "%H:%M:%S", &tm);
    return buf;
}

static void footer(const struct watch *s)
{
    const struct kata *k = s->v[s->cur];
    printf("\nwatch: save %s to grade it", k->starter);
    if (keys_enabled)
        printf("  (h hint, r grade now, n next kata, l list, q quit)\n");
    else
        printf("  (Ctrl-C quits)\n");
    fflush(stdout);
}

static int follow(struct watch *s, int index)
{
    watcher_close(&s->w);
    free(s->path);
    s->cur = index;
    s->path = xstrdup(s->v[index]->starter);
    return watcher_open(&s->w, s->path, QUIET, s->force_poll);
}

static void start_grading(struct watch *s)
{
    if (s->child > 0) {
        stop_child(s->child);
        s->child = -1;
    }
    const struct kata *k = s->v[s->cur];
    char clock[16];
    if (s->screen)
        fputs("\033[H\033[2J\033[3J", stdout);
    if (!file_exists(s->path)) {
        printf("watch: there is no %s; `make reset NAME=%s` brings back the starter\n", k->starter,
               k->name);
        footer(s);
        return;
    }
    printf("watch: %s grading %s (kata %d of %d; saves seen by %s)...\n\n",
           now_clock(clock, sizeof clock), k->starter, s->cur + 1, s->n,
           s->w.fd >= 0 ? "inotify" : "polling");
    const char *args[] = {s->self, "run", k->name, NULL};
    s->child = start_kata(args);
    if (s->child < 0)
        footer(s);
}

/* The grading ended with `status`. Returns 1 when the whole curriculum is done. */
static int graded(struct watch *s, int status)
{
    const struct kata *k = s->v[s->cur];
    s->child = -1;
    reap_leftovers();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        int next = progress_next(s->v, s->n, s->cur);
        if (next < 0) {
            printf("\nwatch: %s passed, and with it every kata (%d of %d). Well done!\n", k->name,
                   s->n, s->n);
            return 1;
        }
        const struct kata *nk = s->v[next];
        printf("\nwatch: %s passed. On to kata %d of %d, %s: %s.\n"
               "       Read %s/README.md, then edit %s.\n",
               k->name, next + 1, s->n, nk->name, nk->title, nk->dir, nk->starter);
        if (follow(s, next))
            return 1;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        /* the verdict says what failed and what to do */
    } else if (WIFEXITED(status)) {
        printf("\nwatch: the grading could not finish (exit %d, see above)\n", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        printf("\nwatch: the grading was killed by %s\n", signal_name(WTERMSIG(status)));
    }
    footer(s);
    return 0;
}

static void key(struct watch *s, char c, int *done)
{
    switch (c) {
    case 'q':
    case 'Q': *done = 1; break;
    case 'r':
    case 'R': start_grading(s); break;
    case 'n':
    case 'N':
        if (follow(s, (s->cur + 1) % s->n))
            *done = 1;
        else
            start_grading(s);
        break;
    case 'h':
    case 'H':
    case 'l':
    case 'L':
        if (s->child > 0)
            break; /* the verdict is on its way; a hint in the middle of it would garble it */
        putchar('\n');
        run_quick(s->self, c == 'h' || c == 'H' ? "hint" : "list",
                  c == 'h' || c == 'H' ? s->v[s->cur]->name : NULL);
        footer(s);
        break;
    default: break;
    }
}

int watch_main(const char *name, int force_poll)
{
    const char *p = getenv("KATA_WATCH_POLL");
    if (p && *p && strcmp(p, "0"))
        force_poll = 1;
    struct watch s = {.child = -1, .force_poll = force_poll};
    s.w.fd = s.w.wd = -1; /* follow() closes the watcher it replaces */
    s.n = kata_load_all(&s.v);
    if (s.n < 0)
        return 3;
    if (s.n == 0) {
        kata_free_all(s.v, s.n);
        error("no katas under katas/");
        return 3;
    }
    int start = -1, close = -1, exact = 0;
    if (name) {
        start = kata_match(s.v, s.n, name, &exact, &close);
        if (start < 0) {
            if (close >= 0)
                error("no kata named '%s'; did you mean %s? (`make list` shows them all)", name,
                      s.v[close]->name);
            else
                error("no kata named '%s'; `make list` shows them all", name);
            kata_free_all(s.v, s.n);
            return 2;
        }
        if (!exact)
            fprintf(stderr, "kata: taking '%s' as %s (kata %d)\n", name, s.v[start]->name,
                    s.v[start]->order);
    } else if ((start = progress_next(s.v, s.n, -1)) < 0) {
        printf("watch: every kata has passed (%d of %d). `make watch NAME=x` works on one "
               "again.\n",
               s.n, s.n);
        kata_free_all(s.v, s.n);
        return 0;
    }
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        snprintf(self, sizeof self, "/proc/self/exe");
    else
        self[len] = '\0';
    s.self = self;
    s.screen = isatty(STDOUT_FILENO);
    if (signals_on() || follow(&s, start)) {
        watcher_close(&s.w);
        free(s.path);
        kata_free_all(s.v, s.n);
        return 3;
    }
    keys_on();
    start_grading(&s);
    int done = 0, rc = 0; /* done: 1 asked to quit, 2 every kata passed */
    while (!done && !quit_signal) {
        int fds[2] = {wake_pipe[0], STDIN_FILENO}, ready = -1;
        int ev = watcher_wait(&s.w, -1, fds, keys_enabled ? 2 : 1, &ready);
        if (quit_signal)
            break;
        if (ev < 0) {
            error("cannot wait for a save: %s", strerror(errno));
            rc = 3;
            break;
        }
        if (ev == WATCH_SAVED) {
            start_grading(&s);
        } else if (ev == WATCH_FD && ready == 0) {
            drain_wake_pipe();
            int status = s.child > 0 ? wait_child(s.child, WNOHANG) : -1;
            if (status != -1 && graded(&s, status))
                done = 2;
        } else if (ev == WATCH_FD && ready == 1) {
            char c;
            if (read(STDIN_FILENO, &c, 1) == 1)
                key(&s, c, &done);
            else
                keys_off(); /* end of input: keys are gone, saves still count */
        }
    }
    if (s.child > 0)
        stop_child(s.child);
    keys_off();
    if (done != 2)
        printf("\nwatch: stopped\n");
    watcher_close(&s.w);
    free(s.path);
    kata_free_all(s.v, s.n);
    return rc;
}
