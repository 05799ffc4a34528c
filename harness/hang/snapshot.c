/* snapshot.c: what a program was doing when its deadline passed: which threads ran, which
 * waited in read() on a pipe and who holds its write end, whose child each process is, and
 * every thread's stack (eu-stack, or gdb). Written into the child's stacks_path. */
#include "hang/snapshot.h"

#include "procs.h"
#include "spawn.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The inode of the pipe that link names ("pipe:[4711]"), or 0. */
static unsigned long pipe_inode(const char *link)
{
    unsigned long ino = 0;
    return sscanf(link, "pipe:[%lu]", &ino) == 1 ? ino : 0;
}

static unsigned long fd_pipe(pid_t pid, int fd)
{
    char path[64], link[128];
    snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n <= 0)
        return 0;
    link[n] = '\0';
    return pipe_inode(link);
}

void pipes_note_reader(pid_t pid, const char *tid, struct strbuf *out)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%s/syscall", (int)pid, tid);
    char *text = read_file(path, 512, NULL);
    long nr = -1;
    unsigned long fd = 0;
    /* "0 0x3 0x7ffd5c3b1a40 0x10000 ...": the call's number, then its arguments */
    if (text && sscanf(text, "%ld %lx", &nr, &fd) == 2 && (nr == SYS_read || nr == SYS_readv)) {
        unsigned long ino = fd_pipe(pid, (int)fd);
        if (ino)
            sb_addf(out, "READ %d %s %d %lu\n", (int)pid, tid, (int)fd, ino);
    }
    free(text);
}

/* The thread of pid whose id is `id` in pid's own PID namespace (the sandbox has one: a mutex
 * holds the id its owner has there), as this process sees it; 0 when none is. Read from the
 * NSpid lines of /proc/pid/task/<tid>/status: the id in each namespace, the innermost last. */
static long task_by_inner_id(pid_t pid, long id)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    struct dirent *e;
    long found = 0;
    while (d && !found && (e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char status[320];
        snprintf(status, sizeof status, "/proc/%d/task/%s/status", (int)pid, e->d_name);
        char *text = read_file(status, 8192, NULL);
        const char *ns = text ? strstr(text, "\nNSpid:") : NULL;
        if (ns) {
            const char *end = ns + 1 + strcspn(ns + 1, "\n");
            const char *last = end;
            while (last > ns && last[-1] != ' ' && last[-1] != '\t')
                last--;
            if (atol(last) == id)
                found = atol(e->d_name);
        }
        free(text);
    }
    if (d)
        closedir(d);
    return found;
}

void mutex_note_owner(pid_t pid, const char *tid, struct strbuf *out)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%s/syscall", (int)pid, tid);
    char *text = read_file(path, 512, NULL);
    long nr = -1;
    unsigned long uaddr = 0;
    if (text && sscanf(text, "%ld %lx", &nr, &uaddr) == 2 && nr == SYS_futex && uaddr) {
        snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        int owner = 0;
        /* struct __pthread_mutex_s: int __lock; unsigned __count; int __owner; ... */
        long host = 0;
        if (fd >= 0 && pread(fd, &owner, sizeof owner, (off_t)(uaddr + 8)) == sizeof owner &&
            owner > 0 && (host = task_by_inner_id(pid, owner)) > 0)
            sb_addf(out, "MUTEX %s %ld\n", tid, host);
        if (fd >= 0)
            close(fd);
    }
    free(text);
}

/* Is fd of pid open for writing? The flags line of /proc/pid/fdinfo/fd is octal. */
static int open_for_writing(pid_t pid, const char *fd)
{
    char path[320];
    snprintf(path, sizeof path, "/proc/%d/fdinfo/%s", (int)pid, fd);
    char *text = read_file(path, 4096, NULL);
    const char *flags = text ? strstr(text, "flags:") : NULL;
    int w = flags && (strtol(flags + 6, NULL, 8) & O_ACCMODE) != O_RDONLY;
    free(text);
    return w;
}

/* Does a READ line of notes name this inode? */
static int read_on(const char *notes, unsigned long ino)
{
    for (const char *l = notes; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        unsigned long read_ino;
        if (sscanf(l, "READ %*d %*s %*d %lu", &read_ino) == 1 && read_ino == ino)
            return 1;
    }
    return 0;
}

void pipes_note_writers(const char *notes, const pid_t *pids, size_t n, struct strbuf *out)
{
    if (!notes || !strstr(notes, "READ "))
        return;
    for (size_t i = 0; i < n; i++) {
        char dir[64];
        snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pids[i]);
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9')
                continue;
            unsigned long ino = fd_pipe(pids[i], atoi(e->d_name));
            if (ino && read_on(notes, ino) && open_for_writing(pids[i], e->d_name))
                sb_addf(out, "WRITE %lu %d %s\n", ino, (int)pids[i], e->d_name);
        }
        if (d)
            closedir(d);
    }
}

/* "PROC <pid> <ppid>" for each of the n members, and "ROOT <root>" (describe.h reads them), so that a
 * hang can say which process is whose child. */
static void note_parents(pid_t root, const pid_t *members, size_t n, struct strbuf *out)
{
    static struct proc_entry procs[8192];
    size_t np = procs_read(procs, sizeof procs / sizeof procs[0]);
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < n; j++)
            if (procs[i].pid == members[j])
                sb_addf(out, "PROC %d %d\n", (int)procs[i].pid, (int)procs[i].ppid);
    sb_addf(out, "ROOT %d\n", (int)root);
}

/* "STATE <tid> <state>" for each thread of the first processes of the child's tree (those
 * dump_stacks reads), taken before they are stopped: R is a thread that was running
 * (spinning), S or D one that was blocked. describe.c reads the lines back. A thread blocked
 * in read() on a pipe gets a READ line too (describe.h reads them). */
static char *thread_states(pid_t root)
{
    pid_t pids[8];
    size_t n = procs_tree(root, pids, 8);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task", (int)pids[i]);
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9')
                continue;
            char stat_path[320];
            snprintf(stat_path, sizeof stat_path, "/proc/%d/task/%s/stat", (int)pids[i], e->d_name);
            char *text = read_file(stat_path, 4096, NULL);
            char *close_paren = text ? strrchr(text, ')') : NULL;
            if (close_paren && close_paren[1] == ' ' && close_paren[2])
                sb_addf(&sb, "STATE %s %c\n", e->d_name, close_paren[2]);
            free(text);
            pipes_note_reader(pids[i], e->d_name, &sb);
            mutex_note_owner(pids[i], e->d_name, &sb);
        }
        if (d)
            closedir(d);
    }
    return sb_detach(&sb);
}

/* Writes the thread states, then each thread's stack of every process in the group to
 * c->stacks_path with eu-stack (fast, about 70 ms a process; falls back to gdb). */
static void dump_stacks(const struct child *c, const char *states)
{
    /* a handful of processes say where the program hung; a fork storm's thousand would
     * only slow the verdict */
    pid_t pids[8];
    size_t n = procs_tree(c->pid, pids, 8);
    /* in the learner's work folder: never through a link it put there (spawn.c has just made
     * the file anew, while every process of the child is stopped) */
    int fd = open(c->stacks_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return;
    }
    fputs(states ? states : "", f);
    /* the dumpers read the learner's memory and debug information: they need the harness's
     * own right to trace it (a sandbox's pid namespace and uid would hide it), so they get
     * limits and a deadline instead */
    const struct limits dumper = {
        .cpu_seconds = 10, .memory_mb = 4096, .file_mb = 16, .open_files = 256};
    for (size_t i = 0; i < n; i++) {
        char pidbuf[24];
        snprintf(pidbuf, sizeof pidbuf, "%d", (int)pids[i]);
        char *tmp = xasprintf("%s.%d", c->stacks_path, (int)pids[i]);
        const char *argv[] = {"eu-stack", "-s", "-p", pidbuf, NULL};
        struct child s = {
            .argv = argv, .stdout_path = tmp, .stderr_path = tmp, .timeout = 5, .limits = dumper};
        int failed = child_run(&s) || !s.exited || s.exit_code;
        /* eu-stack 0.188 finds no source lines in clang's sanitizer builds (tried: TSan at
         * -O0 -g, DWARF 4 or 5), where gdb does (about 1 s more) */
        char *seen = failed ? NULL : read_file(tmp, 1 << 20, NULL);
        if (seen &&
            (strstr(seen, "__sanitizer::") || strstr(seen, "__tsan") || strstr(seen, "__asan")))
            failed = 1;
        free(seen);
        if (failed) {
            const char *gdb[] = {"gdb", "-batch", "-nx", "-p", pidbuf, "-ex", "thread apply all bt",
                                 NULL};
            struct child g = {.argv = gdb,
                              .stdout_path = tmp,
                              .stderr_path = tmp,
                              .timeout = 10,
                              .limits = dumper};
            child_run(&g);
        }
        char *text = read_file(tmp, 1 << 20, NULL);
        if (text) {
            fputs(text, f);
            free(text);
        }
        unlink(tmp);
        free(tmp);
    }
    fclose(f);
}

static char *observe(pid_t root)
{
    return thread_states(root);
}

static void record(const struct child *c, const char *observed, const pid_t *members, size_t n)
{
    /* stopped, every descriptor stays where it is: who holds the pipes read from */
    struct strbuf facts = STRBUF_INIT;
    sb_init(&facts);
    sb_puts(&facts, observed ? observed : "");
    pipes_note_writers(observed, members, n, &facts);
    note_parents(c->pid, members, n, &facts);
    dump_stacks(c, facts.buf);
    sb_release(&facts);
}

const struct deadline_hook hang_snapshot = {observe, record};
