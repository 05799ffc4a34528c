/* describe.c: a hang in the learner's terms: where each thread was blocked or running, and
 * for a read() that never returns, who still holds the pipe's write end. Reads the dump
 * snapshot.c wrote. */
#include "hang/describe.h"

#include "parsers/stacks.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
            sb_addf(details,
                    "  %s%s waits in read() on fd %d, a pipe whose write end is still "
                    "open in: %s; the read sees end-of-file only once every copy is closed\n",
                    reader, in, fd, holders.buf);
        else
            sb_addf(details,
                    "  %s%s waits in read() on fd %d, a pipe whose write end is open "
                    "in no process of the test the harness could see\n",
                    reader, in, fd);
        free(in);
        free(chain);
        free(reader);
        sb_release(&holders);
        described++;
    }
    free(text);
    return described;
}

int stacks_describe(const char *path, const char *learner_real, int verbose, struct strbuf *details,
                    struct findings *out)
{
    char *text = read_file(path, 1 << 20, NULL);
    struct findings threads = {0};
    int running = 0;
    if (text)
        stacks_parse(text, learner_real, &threads);
    for (size_t i = 0; i < threads.n; i++) {
        const struct access *a = &threads.v[i].access[0];
        if (!threads.v[i].in_learner && !verbose)
            continue; /* the test runner's own threads */
        int spins = !strcmp(threads.v[i].kind, "running thread");
        int stopped = !strcmp(threads.v[i].kind, "stopped thread");
        int same = 0, seen = 0;
        for (size_t j = 0; j < threads.n; j++) {
            const struct access *b = &threads.v[j].access[0];
            const char *va = threads.v[i].variable, *vb = threads.v[j].variable;
            int alike = b->line == a->line && !strcmp(b->op ? b->op : "", a->op ? a->op : "") &&
                        !strcmp(b->file ? b->file : "", a->file ? a->file : "") &&
                        !strcmp(threads.v[j].kind, threads.v[i].kind) &&
                        !strcmp(va ? va : "", vb ? vb : "");
            if (alike && j < i)
                seen = 1;
            same += alike;
        }
        if (seen)
            continue;
        running += spins && threads.v[i].in_learner;
        char *who = same > 1 ? xasprintf("%d threads", same) : xstrdup(a->thread);
        sb_addf(details, "  %s %s in %s, called from %s at %s:%d%s%s\n", who,
                spins     ? "running (not blocked)"
                : stopped ? "stopped by a signal (SIGSTOP?)"
                          : "blocked",
                a->op ? a->op : "?", a->function ? a->function : "?", a->file ? a->file : "?",
                a->line, threads.v[i].variable ? ", waiting for " : "",
                threads.v[i].variable ? threads.v[i].variable : "");
        free(who);
        findings_copy_one(out, &threads.v[i]);
        struct finding *f = &out->v[out->n - 1];
        free(f->kind);
        f->kind = xstrdup("hang");
    }
    findings_release(&threads);
    /* a read that waits for an end-of-file: who still holds the pipe's write end */
    pipes_describe(text, learner_real, details);
    free(text);
    return running;
}
