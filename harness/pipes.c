/* pipes.c: a read() that never returns, and who holds the write end that keeps it waiting. */
#include "pipes.h"

#include "stacks.h"

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

/* The parent of pid from the PROC lines, or 0. */
static int parent_of(const char *dump, int pid)
{
    char *want = xasprintf("\nPROC %d ", pid);
    const char *hit = strstr(dump, want);
    int ppid = hit ? atoi(hit + strlen(want)) : 0;
    free(want);
    return ppid;
}

/* "the test process 11", "process 12 (a child of the test process 11)", "process 13 (a child
 * of 12)": Criterion's runner (ROOT) forks the process that runs the test, whose children are
 * the learner's. */
static char *who(const char *dump, int root, int pid)
{
    int ppid = parent_of(dump, pid);
    if (ppid == root)
        return xasprintf("the test process %d", pid);
    if (ppid && parent_of(dump, ppid) == root)
        return xasprintf("process %d (a child of the test process %d)", pid, ppid);
    if (ppid)
        return xasprintf("process %d (a child of %d)", pid, ppid);
    return xasprintf("process %d", pid);
}

int pipes_describe(const char *dump, const char *learner_real, struct strbuf *details)
{
    if (!dump)
        return 0;
    /* the PROC lookups search for "\nPROC": a dump that starts with one still matches */
    char *text = xasprintf("\n%s", dump);
    const char *root_line = strstr(text, "\nROOT ");
    int root = root_line ? atoi(root_line + 6) : 0;
    int described = 0;
    for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        int pid, fd;
        unsigned long ino;
        char tid[24];
        if (sscanf(l, "READ %d %23s %d %lu", &pid, tid, &fd, &ino) != 4)
            continue;
        struct strbuf holders = STRBUF_INIT;
        sb_init(&holders);
        int nholders = 0;
        for (const char *w = text; (w = strstr(w, "\nWRITE ")); w++) {
            unsigned long wino;
            int wpid, wfd;
            if (sscanf(w, "\nWRITE %lu %d %d", &wino, &wpid, &wfd) != 3 || wino != ino)
                continue;
            char *name = wpid == pid ? xasprintf("process %d itself", pid) : who(text, root, wpid);
            sb_addf(&holders, "%s%s (fd %d)", nholders ? ", " : "", name, wfd);
            free(name);
            nholders++;
        }
        char *reader = who(text, root, pid);
        char *chain = stacks_chain(text, tid, learner_real);
        char *in = chain ? xasprintf(", in %s,", chain) : xstrdup("");
        if (nholders)
            sb_addf(details, "  %s%s waits in read() on fd %d, a pipe whose write end is still "
                    "open in: %s; the read sees end-of-file only once every copy is closed\n",
                    reader, in, fd, holders.buf);
        else
            sb_addf(details, "  %s%s waits in read() on fd %d, a pipe whose write end is open "
                    "in no process of the test the harness could see\n", reader, in, fd);
        free(in);
        free(chain);
        free(reader);
        sb_release(&holders);
        described++;
    }
    free(text);
    return described;
}
