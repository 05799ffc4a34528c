/* procs.c: the process table, read from /proc: who is whose child, and a child's tree. */
#include "procs.h"

#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

size_t procs_read(struct proc_entry *out, size_t max)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        char *text = read_file(path, 4096, NULL);
        if (!text)
            continue;
        /* the fields after the ")" that closes the name: state, ppid, pgid, ..., rss */
        char *close_paren = strrchr(text, ')');
        char state = 0;
        long ppid = 0, pgid = 0, rss = 0;
        struct stat st;
        snprintf(path, sizeof path, "/proc/%ld", pid);
        if (close_paren &&
            sscanf(close_paren + 1,
                   " %c %ld %ld" /* then 18 fields to skip, session to vsize */
                   " %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %ld",
                   &state, &ppid, &pgid, &rss) >= 3 &&
            state != 'Z' && stat(path, &st) == 0)
            out[n++] = (struct proc_entry){(pid_t)pid, (pid_t)ppid, (pid_t)pgid, st.st_uid, rss};
        free(text);
    }
    closedir(d);
    return n;
}

size_t procs_tree(pid_t root, pid_t *out, size_t max)
{
    static struct proc_entry procs[8192];
    size_t np = procs_read(procs, sizeof procs / sizeof procs[0]);
    size_t n = 0;
    for (size_t i = 0; i < np && n < max; i++)
        if (procs[i].pid == root || procs[i].pgid == root)
            out[n++] = procs[i].pid;
    /* add children of members until nothing new turns up */
    for (size_t k = 0; k < n && n < max; k++)
        for (size_t i = 0; i < np && n < max; i++) {
            if (procs[i].ppid != out[k])
                continue;
            int known = 0;
            for (size_t j = 0; j < n && !known; j++)
                known = out[j] == procs[i].pid;
            if (!known)
                out[n++] = procs[i].pid;
        }
    return n;
}

pid_t procs_child_of(pid_t parent)
{
    static struct proc_entry procs[8192];
    size_t np = procs_read(procs, sizeof procs / sizeof procs[0]);
    pid_t best = 0;
    for (size_t i = 0; i < np; i++)
        if (procs[i].ppid == parent && (!best || procs[i].pid < best))
            best = procs[i].pid;
    return best;
}
