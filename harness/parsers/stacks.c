/* stacks.c: stack dumps of a hung program to "thread N blocked in X at file:line". */
#include "parsers/stacks.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *public_name(const char *fn)
{
    size_t n = strcspn(fn, "@");
    char *s = xstrndup(fn, n);
    const char *p = s;
    for (;;) {
        while (*p == '_')
            p++;
        if (starts_with(p, "GI_"))
            p += 3;
        else if (starts_with(p, "libc_"))
            p += 5;
        else
            break;
    }
    /* glibc's internal names for the calls a learner wrote */
    static const char *const alias[][2] = {
        {"pthread_clockjoin_ex", "pthread_join"},
        {"pthread_timedjoin_ex", "pthread_join"},
        {"lll_lock_wait", "pthread_mutex_lock"},
        {"futex_abstimed_wait_common", "a futex wait"},
    };
    const char *name = p;
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(p, alias[i][0]))
            name = alias[i][1];
    char *r = xstrdup(name);
    free(s);
    return r;
}

/* Frames of one thread, innermost first. */
struct frame {
    char *fn, *file;
    int line;
};

struct thread {
    char *tid;
    int main;    /* its tid is the process id */
    int running; /* it was on the CPU, not blocked, at the deadline (a STATE line says R) */
    int stopped; /* it was stopped by a signal (SIGSTOP, SIGTSTP: a STATE line says T) */
    char *name;  /* "main thread", "thread 2": the learner's name for it (name_of) */
    char *owner; /* the thread id a MUTEX line names as the owner of what it waits on */
    char *owner_name;
    struct frame f[64];
    int n;
};

static void thread_finish(struct thread *t, const char *learner_real, struct findings *out)
{
    int mine = -1, sourced = -1;
    for (int i = 0; i < t->n; i++) {
        if (mine < 0 && same_source(NULL, t->f[i].file, learner_real))
            mine = i;
        if (sourced < 0 && t->f[i].file && t->f[i].file[0] == '/')
            sourced = i;
    }
    int at = mine >= 0 ? mine : sourced >= 0 ? sourced : (t->n ? 0 : -1);
    struct finding *x = findings_add(out);
    x->kind = xstrdup(t->running   ? "running thread"
                      : t->stopped ? "stopped thread"
                                   : "blocked thread");
    x->naccess = 1;
    struct access *a = &x->access[0];
    a->thread = xstrdup(t->name);
    if (at >= 0) {
        a->function = t->f[at].fn ? xstrdup(t->f[at].fn) : NULL;
        a->file = t->f[at].file ? xstrdup(t->f[at].file) : NULL;
        a->line = t->f[at].line;
        a->in_learner = x->in_learner = mine >= 0;
        /* the call it waits in: the frame just above the learner's, in public terms */
        if (at > 0 && t->f[at - 1].fn)
            a->op = public_name(t->f[at - 1].fn);
        else if (at == 0 && t->f[0].fn)
            a->op = public_name(t->f[0].fn);
    }
    /* what it waits for, when it is a mutex whose holder is known: itself is a self-deadlock */
    if (a->op && !strcmp(a->op, "pthread_mutex_lock") && t->owner && !t->running)
        x->variable = !strcmp(t->owner, t->tid)
                          ? xstrdup("a mutex it already holds itself (a self-deadlock: a "
                                    "thread cannot take a mutex twice)")
                          : xasprintf("a mutex that %s holds",
                                      t->owner_name ? t->owner_name : "another thread");
    x->headline = xasprintf("%s %s in %s", a->thread,
                            t->running   ? "running (not blocked)"
                            : t->stopped ? "stopped by a signal (SIGSTOP?)"
                                         : "blocked",
                            a->op ? a->op : "?");
}

static void set_location(struct frame *f, const char *loc)
{
    /* "/tmp/m/h.c:5:90" or "h.c:4" */
    const char *colon = strchr(loc, ':');
    if (!colon)
        return;
    free(f->file);
    f->file = xstrndup(loc, (size_t)(colon - loc));
    f->line = atoi(colon + 1);
}

/* The thread that thread id `tid` of process `pid` (NULL for gdb's dumps) is for the learner,
 * in the style every stage uses (findings.h, thread_words): "main thread", or "thread N" for
 * the Nth thread the process started that is still there: gdb numbers them so ("Thread 3
 * (Thread 0x7f... (LWP 7336))" is thread 2), and eu-stack's are counted in thread-id order
 * (ids grow as threads start). A new string. */
static char *name_of(const char *text, const char *pid, const char *tid)
{
    if (pid && pid[0] && !strcmp(pid, tid))
        return thread_words(0);
    char *lwp = xasprintf("(LWP %s)", tid);
    const char *hit = strstr(text, lwp);
    free(lwp);
    if (hit) {
        const char *line = hit;
        while (line > text && line[-1] != '\n')
            line--;
        long n = 0;
        if (sscanf(line, "Thread %ld ", &n) == 1 && n > 0)
            return thread_words(n - 1);
    }
    char *block = pid && pid[0] ? xasprintf("PID %s ", pid) : NULL;
    const char *p = block ? strstr(text, block) : NULL;
    free(block);
    if (!p)
        return xasprintf("thread %s", tid);
    long rank = 1, me = atol(tid), main_id = atol(pid);
    for (p = strchr(p, '\n'); p && !starts_with(p + 1, "PID "); p = strchr(p + 1, '\n'))
        if (starts_with(p + 1, "TID ")) {
            long other = atol(p + 5);
            rank += other != main_id && other < me;
        }
    return thread_words(rank);
}

/* The owner a "MUTEX <tid> <owner>" line names, or NULL. A new string. */
static char *mutex_owner(const char *text, const char *tid)
{
    char *want = xasprintf("MUTEX %s ", tid);
    const char *hit = strstr(text, want);
    while (hit && hit != text && hit[-1] != '\n')
        hit = strstr(hit + 1, want);
    char *owner = hit ? xstrndup(hit + strlen(want), strcspn(hit + strlen(want), "\n")) : NULL;
    free(want);
    return owner;
}

/* Is there a "STATE <tid> <state>" line (hang/snapshot.c) for this thread with this state? */
static int was(const char *text, const char *tid, char state)
{
    char *want = xasprintf("STATE %s %c\n", tid, state);
    const char *hit = strstr(text, want);
    int running = hit && (hit == text || hit[-1] == '\n');
    free(want);
    return running;
}

static void thread_release(struct thread *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->f[i].fn);
        free(t->f[i].file);
    }
    free(t->tid);
    free(t->name);
    free(t->owner);
    free(t->owner_name);
    memset(t, 0, sizeof *t);
}

/* Calls each(t, arg) for every thread of the dump, then releases it. Returns the count. */
static int each_thread(const char *text, void (*each)(struct thread *, void *), void *arg)
{
    int threads = 0;
    struct thread t = {0};
    char pid[32] = "";
    char *copy = xstrdup(text);
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        rtrim(l);
        if (starts_with(l, "STATE ") || starts_with(l, "READ ") || starts_with(l, "WRITE ") ||
            starts_with(l, "PROC ") || starts_with(l, "ROOT ")) {
            continue; /* hang/snapshot.c's facts, before the stacks (hang/describe.h) */
        } else if (starts_with(l, "PID ")) { /* eu-stack: "PID 2838 - process" */
            snprintf(pid, sizeof pid, "%.*s", (int)strcspn(l + 4, " "), l + 4);
        } else if (starts_with(l, "TID ")) { /* eu-stack */
            if (t.tid)
                each(&t, arg);
            thread_release(&t);
            t.tid = xstrndup(l + 4, strcspn(l + 4, ":"));
            t.main = !strcmp(t.tid, pid);
            t.running = was(text, t.tid, 'R');
            t.stopped = was(text, t.tid, 'T');
            t.name = name_of(text, pid, t.tid);
            t.owner = mutex_owner(text, t.tid);
            t.owner_name = t.owner ? name_of(text, pid, t.owner) : NULL;
            threads++;
        } else if (starts_with(l, "Thread ") && strstr(l, "(LWP ")) { /* gdb */
            if (t.tid)
                each(&t, arg);
            thread_release(&t);
            const char *lwp = strstr(l, "(LWP ") + 5;
            t.tid = xstrndup(lwp, strcspn(lwp, ")"));
            t.main = starts_with(l, "Thread 1 "); /* gdb numbers the main thread 1 */
            t.running = was(text, t.tid, 'R');
            t.stopped = was(text, t.tid, 'T');
            t.name = name_of(text, NULL, t.tid);
            t.owner = mutex_owner(text, t.tid);
            t.owner_name = t.owner ? name_of(text, NULL, t.owner) : NULL;
            threads++;
        } else if (l[0] == '#' && t.tid && t.n < 64) {
            struct frame *f = &t.f[t.n++];
            /* eu-stack: "#2  0x000055763173619d w"; gdb: "#4  0x... in w (x=0x0) at h.c:4" */
            char *p = l + 1;
            while (*p && *p != ' ')
                p++;
            while (*p == ' ')
                p++;
            if (starts_with(p, "0x")) {
                while (*p && *p != ' ')
                    p++;
                while (*p == ' ')
                    p++;
            }
            if (starts_with(p, "in "))
                p += 3;
            f->fn = xstrndup(p, strcspn(p, " ("));
            const char *at = strstr(p, ") at ");
            if (at)
                set_location(f, at + 5);
        } else if ((l[0] == ' ' || l[0] == '\t') && t.tid && t.n > 0) {
            const char *p = l;
            while (*p == ' ' || *p == '\t')
                p++;
            if (strchr(p, ':'))
                set_location(&t.f[t.n - 1], p);
        }
    }
    if (t.tid)
        each(&t, arg);
    thread_release(&t);
    free(copy);
    return threads;
}

struct parse_job {
    const char *learner_real;
    struct findings *out;
};

static void parse_one(struct thread *t, void *arg)
{
    struct parse_job *job = arg;
    thread_finish(t, job->learner_real, job->out);
}

int stacks_parse(const char *text, const char *learner_real, struct findings *out)
{
    struct parse_job job = {learner_real, out};
    return each_thread(text, parse_one, &job);
}

struct chain_job {
    const char *tid, *learner_real;
    char *chain;
};

static void chain_one(struct thread *t, void *arg)
{
    struct chain_job *job = arg;
    if (job->chain || strcmp(t->tid, job->tid))
        return;
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    for (int i = t->n - 1; i >= 0; i--) /* outermost first */
        if (t->f[i].fn && same_source(NULL, t->f[i].file, job->learner_real))
            sb_addf(&sb, "%s%s", sb.len ? " > " : "", t->f[i].fn);
    job->chain = sb_detach(&sb);
    if (!job->chain[0]) {
        free(job->chain);
        job->chain = NULL;
    }
}

char *stacks_chain(const char *text, const char *tid, const char *learner_real)
{
    struct chain_job job = {tid, learner_real, NULL};
    each_thread(text, chain_one, &job);
    return job.chain;
}
