/* explore.c: the explore stage: the learner's threads one at a time under a scheduler that
 * tries many interleavings (harness/runtime/explore.c), and a failing one told as numbered
 * steps in the learner's lines and values.
 *
 * The driver (tests/katas/<k>/explore.c linked with the runtime) runs each schedule in a
 * forked child and judges it in its parent, which never runs learner code; its report comes
 * over the harness's channel (DETECT_REPORT_FD), as the detectors' do, and counts only with
 * its closing "end" line. What it says in its own words:
 *   explored N STRATEGY SECONDS    schedules run (and which strategy found the failure)
 *   verdict pass|fail|deadlock|cannot WHY
 *   schedule D.T,...               the failing schedule (SCHEDULE=... replays it)
 *   E TID KIND PC ADDR SIZE VALUE  one step of it
 *   D TID WAIT OBJ PC HOLDER HPC   a thread blocked for good, and who holds what it waits for
 *   H TID MUTEX PC                 a mutex held at the end, and where it was taken
 *   end
 * The addresses become lines of the learner's file (addr2line) and names of variables (nm),
 * here in the harness, outside the sandbox's reach of learner code (the binary is only read).
 *
 * A child of the driver runs learner code and writes its own result on its own pipe: a
 * program that knew the protocol could forge a passing result there. The other stages do not
 * depend on this one. */
#include "stages/detect.h"
#include "stages/source.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- symbols: code addresses to lines, data addresses to names ---- */

struct sym {
    unsigned long addr, size;
    char *name;
};
struct symtab {
    struct sym *v;
    size_t n;
    unsigned long *pcs;
    char **where; /* "line N" or NULL when not the learner's */
    size_t npcs;
};

/* Runs a tool on the built binary (read only), its stdout returned (new string) or NULL. */
static char *tool_output(struct run *r, const char *const *argv, const char *label)
{
    char *name = xasprintf("explore-%s.txt", label);
    char *path = work_path(r, name);
    struct child c = {.argv = argv, .stdout_path = path, .stderr_path = "/dev/null", .timeout = 20};
    char *text = NULL;
    if (child_run(&c) == 0 && c.exited && c.exit_code == 0)
        text = read_file(path, 16 << 20, NULL);
    free(name);
    free(path);
    return text;
}

static void symtab_read(struct run *r, const char *bin, struct symtab *t)
{
    const char *argv[] = {"nm", "-S", "-n", "--defined-only", bin, NULL};
    char *text = tool_output(r, argv, "nm");
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        unsigned long a, s;
        char type;
        char name[256];
        if (sscanf(line, "%lx %lx %c %255s", &a, &s, &type, name) == 4 &&
            strchr("bBdDrR", type)) {
            t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
            t->v[t->n++] = (struct sym){a, s, xstrdup(name)};
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
}

static const char *data_name(const struct symtab *t, unsigned long a, unsigned long *off)
{
    for (size_t i = 0; i < t->n; i++)
        if (a >= t->v[i].addr && a < t->v[i].addr + (t->v[i].size ? t->v[i].size : 1)) {
            *off = a - t->v[i].addr;
            return t->v[i].name;
        }
    return NULL;
}

/* The learner's line of each code address the report names (the map says which are the
 * learner's: by address, findings.h). */
static void lines_read(struct run *r, const char *bin, const struct code_map *code,
                       struct symtab *t)
{
    if (!t->npcs)
        return;
    const char **argv = xmalloc((t->npcs + 5) * sizeof *argv);
    char **bufs = xmalloc(t->npcs * sizeof *bufs);
    int n = 0;
    argv[n++] = "addr2line";
    argv[n++] = "-e";
    argv[n++] = bin;
    for (size_t i = 0; i < t->npcs; i++) {
        /* a return address: the call is the byte before */
        bufs[i] = xasprintf("%lx", t->pcs[i] ? t->pcs[i] - 1 : 0);
        argv[n++] = bufs[i];
    }
    argv[n] = NULL;
    char *text = tool_output(r, argv, "lines");
    t->where = xcalloc(t->npcs, sizeof *t->where);
    char *line = text;
    for (size_t i = 0; i < t->npcs && line && *line; i++) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        int mine = 0;
        if (code && code->n) {
            for (size_t k = 0; k < code->n; k++)
                if (t->pcs[i] >= code->range[k][0] && t->pcs[i] < code->range[k][1])
                    mine = 1;
        } else {
            mine = 1; /* no map: the name is all there is */
        }
        char *colon = strrchr(line, ':');
        int ln = colon ? atoi(colon + 1) : 0;
        if (mine && ln > 0)
            t->where[i] = xasprintf("line %d", ln);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    for (size_t i = 0; i < t->npcs; i++)
        free(bufs[i]);
    free(bufs);
    free(argv);
}

static void add_pc(struct symtab *t, unsigned long pc)
{
    for (size_t i = 0; i < t->npcs; i++)
        if (t->pcs[i] == pc)
            return;
    t->pcs = xrealloc(t->pcs, (t->npcs + 1) * sizeof *t->pcs);
    t->pcs[t->npcs++] = pc;
}

static const char *where_of(const struct symtab *t, unsigned long pc)
{
    for (size_t i = 0; i < t->npcs; i++)
        if (t->pcs[i] == pc)
            return t->where ? t->where[i] : NULL;
    return NULL;
}

static void symtab_release(struct symtab *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    for (size_t i = 0; t->where && i < t->npcs; i++)
        free(t->where[i]);
    free(t->where);
    free(t->v);
    free(t->pcs);
    memset(t, 0, sizeof *t);
}

/* ---- the story ---- */

struct step {
    int tid;
    char kind[16];
    unsigned long pc, addr;
    int size;
    long value;
};

static void thread_name(char *buf, size_t n, int tid)
{
    if (tid == 0)
        snprintf(buf, n, "main");
    else
        snprintf(buf, n, "T%d", tid);
}

static void object_name(const struct symtab *t, unsigned long a, char *buf, size_t n)
{
    unsigned long off = 0;
    const char *name = data_name(t, a, &off);
    if (name && !off)
        snprintf(buf, n, "%s", name);
    else if (name)
        snprintf(buf, n, "%s+%lu", name, off);
    else if (a >= 0x7f0000000000ul)
        snprintf(buf, n, "a local at %#lx", a);
    else
        snprintf(buf, n, "heap memory at %#lx", a);
}

static int is_access(const struct step *s)
{
    return !strcmp(s->kind, "read") || !strcmp(s->kind, "write") || !strncmp(s->kind, "atomic", 6);
}

/* Is thread `tid` running at step i (started before it, not yet ended)? */
static int alive_at(const struct step *s, size_t n, int tid, size_t i)
{
    if (tid == 0)
        return 1;
    int started = 0;
    for (size_t j = 0; j < n && j <= i; j++) {
        if (!strcmp(s[j].kind, "create") && s[j].value == tid)
            started = 1;
        if (s[j].tid == tid && !strcmp(s[j].kind, "exit"))
            return 0;
    }
    (void)n;
    return started;
}

/* Is the memory at `addr` contended: written by one thread while another that touches it
 * is running? (Shared data written before the threads start and only read after is noise.) */
static int contended(const struct step *s, size_t n, unsigned long addr)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i].addr != addr || !is_access(&s[i]) || !strcmp(s[i].kind, "read") ||
            !strcmp(s[i].kind, "atomic-read"))
            continue;
        for (size_t j = 0; j < n; j++)
            if (s[j].addr == addr && s[j].tid != s[i].tid && is_access(&s[j]) &&
                alive_at(s, n, s[j].tid, i))
                return 1;
    }
    return 0;
}

/* A plain write over another thread's write that the writer never read: which step it
 * overwrote, or -1. */
static long lost_write(const struct step *s, size_t i)
{
    if (strcmp(s[i].kind, "write"))
        return -1;
    long last_read = -1;
    for (size_t j = 0; j < i; j++)
        if (s[j].tid == s[i].tid && s[j].addr == s[i].addr && is_access(&s[j]))
            last_read = (long)j;
    long lost = -1;
    for (long j = last_read + 1; last_read >= 0 && j < (long)i; j++)
        if (s[j].tid != s[i].tid && s[j].addr == s[i].addr &&
            (!strcmp(s[j].kind, "write") || !strcmp(s[j].kind, "atomic-write") ||
             !strcmp(s[j].kind, "atomic-rmw")))
            lost = j;
    return lost;
}

static void tell_one(struct strbuf *sb, size_t num, const struct step *s, size_t i,
                     const struct symtab *t)
{
    char who[16], obj[96];
    thread_name(who, sizeof who, s[i].tid);
    object_name(t, s[i].addr, obj, sizeof obj);
    const char *w = where_of(t, s[i].pc);
    char at[48] = "";
    if (w)
        snprintf(at, sizeof at, " (%s)", w);
    const char *k = s[i].kind;
    if (num)
        sb_addf(sb, "  %2zu. ", num);
    else
        sb_addf(sb, "  then ");
    if (!strcmp(k, "read") || !strcmp(k, "atomic-read"))
        sb_addf(sb, "%s reads %s = %ld%s%s", who, obj, s[i].value, at,
                k[0] == 'a' ? ", atomically" : "");
    else if (!strcmp(k, "write") || !strcmp(k, "atomic-write"))
        sb_addf(sb, "%s writes %s = %ld%s%s", who, obj, s[i].value, at,
                k[0] == 'a' ? ", atomically" : "");
    else if (!strcmp(k, "atomic-rmw"))
        sb_addf(sb, "%s updates %s atomically (operand %ld)%s", who, obj, s[i].value, at);
    else if (!strcmp(k, "lock"))
        sb_addf(sb, "%s locks %s%s", who, obj, at);
    else if (!strcmp(k, "lock-busy")) {
        char other[16];
        thread_name(other, sizeof other, (int)s[i].value);
        sb_addf(sb, "%s waits to lock %s, which %s holds%s", who, obj, other, at);
    } else if (!strcmp(k, "unlock"))
        sb_addf(sb, "%s unlocks %s%s", who, obj, at);
    else if (!strcmp(k, "trylock-busy"))
        sb_addf(sb, "%s tries %s: busy%s", who, obj, at);
    else if (!strcmp(k, "wait"))
        sb_addf(sb, "%s waits on %s%s", who, obj, at);
    else if (!strcmp(k, "signal") || !strcmp(k, "broadcast"))
        sb_addf(sb, "%s %ss %s%s", who, k, obj, at);
    else if (!strcmp(k, "sem-wait"))
        sb_addf(sb, "%s waits on semaphore %s%s", who, obj, at);
    else if (!strcmp(k, "sem-post"))
        sb_addf(sb, "%s posts semaphore %s%s", who, obj, at);
    else if (!strcmp(k, "create"))
        sb_addf(sb, "%s starts T%ld%s", who, s[i].value, at);
    else if (!strcmp(k, "join"))
        sb_addf(sb, "%s waits for T%ld to end%s", who, s[i].value, at);
    else if (!strcmp(k, "exit"))
        sb_addf(sb, "%s ends", who);
    else
        sb_addf(sb, "%s: %s %s%s", who, k, obj, at);
    long lost = lost_write(s, i);
    if (lost >= 0) {
        char other[16];
        thread_name(other, sizeof other, s[lost].tid);
        sb_addf(sb, ", over the %ld %s wrote after %s read %s: %s's update is lost", s[lost].value,
                other, who, obj, other);
    }
    sb_addf(sb, "\n");
}

/* Tells the steps: accesses to contended memory and sync operations, from the learner's
 * lines, up to the first lost update (and the read of the result after it), at most `cap`
 * lines: the first few and the last ones before the failure when there are more. */
static void tell_steps(struct strbuf *sb, const struct step *s, size_t n, const struct symtab *t,
                       size_t cap)
{
    size_t *show = xcalloc(n ? n : 1, sizeof *show);
    size_t nshow = 0, end = n;
    for (size_t i = 0; i < n; i++) {
        const char *w = where_of(t, s[i].pc);
        if (!w && strcmp(s[i].kind, "exit"))
            continue;
        if (!strcmp(s[i].kind, "yield") || !strcmp(s[i].kind, "woken"))
            continue;
        if (is_access(&s[i]) && !contended(s, n, s[i].addr))
            continue;
        show[nshow++] = i;
        if (lost_write(s, i) >= 0 && end == n)
            end = nshow;
    }
    /* after a lost update: only main's last step (the result it read) */
    size_t tail = 0;
    if (end < nshow) {
        size_t last = show[nshow - 1];
        if (s[last].tid == 0 && is_access(&s[last]))
            tail = last + 1;
        nshow = end;
    }
    /* the lines that make the point are kept (the read the lost update was computed from,
     * the writes it overwrites, itself); then the first few and the last ones, up to cap */
    char *keep = xcalloc(nshow ? nshow : 1, 1);
    size_t nkeep = 0;
    for (size_t k = 0; k < nshow; k++) {
        long lost = lost_write(s, show[k]);
        if (lost < 0)
            continue;
        keep[k] = 1;
        for (size_t j = 0; j < k; j++) {
            const struct step *o = &s[show[j]];
            if (o->addr != s[show[k]].addr || !is_access(o))
                continue;
            if ((o->tid == s[show[k]].tid && strstr(o->kind, "read")) ||
                (o->tid != s[show[k]].tid && show[j] >= (size_t)lost - 0 && show[j] <= (size_t)lost))
                keep[j] = 1;
        }
        /* the writer's last read before it */
        for (size_t j = k; j-- > 0;)
            if (s[show[j]].tid == s[show[k]].tid && s[show[j]].addr == s[show[k]].addr) {
                keep[j] = 1;
                break;
            }
    }
    for (size_t k = 0; k < nshow && k < 3; k++)
        keep[k] = 1;
    for (size_t k = 0; k < nshow; k++)
        nkeep += keep[k];
    for (size_t k = nshow; k-- > 0 && nkeep < cap;)
        if (!keep[k]) {
            keep[k] = 1;
            nkeep++;
        }
    size_t gap = 0;
    for (size_t k = 0; k < nshow; k++) {
        if (!keep[k]) {
            gap++;
            continue;
        }
        if (gap)
            sb_addf(sb, "      ... (%zu step%s)\n", gap, gap == 1 ? "" : "s");
        gap = 0;
        tell_one(sb, k + 1, s, show[k], t);
    }
    free(keep);
    if (tail)
        tell_one(sb, 0, s, tail - 1, t);
    free(show);
}

static void tell_deadlock(struct strbuf *sb, const char *report, const struct symtab *t)
{
    for (const char *l = report; l && *l;) {
        int tid, holder;
        char wait[16];
        unsigned long obj, pc, hpc;
        if (sscanf(l, "D %d %15s %lx %lx %d %lx", &tid, wait, &obj, &pc, &holder, &hpc) >= 5 ||
            sscanf(l, "D %d %15s (nil) %lx %d", &tid, wait, &pc, &holder) == 4) {
            char who[16], other[16], name[96];
            thread_name(who, sizeof who, tid);
            thread_name(other, sizeof other, holder);
            const char *w = where_of(t, pc);
            if (!strcmp(wait, "mutex")) {
                object_name(t, obj, name, sizeof name);
                const char *hw = where_of(t, hpc);
                sb_addf(sb, "  %s waits to lock %s%s%s, which %s holds%s%s\n", who, name,
                        w ? " at " : "", w ? w : "", holder >= 0 ? other : "nobody",
                        hw ? " since " : "", hw ? hw : "");
            } else if (!strcmp(wait, "join")) {
                sb_addf(sb, "  %s waits for %s to end%s%s\n", who, other, w ? " at " : "",
                        w ? w : "");
            } else {
                object_name(t, obj, name, sizeof name);
                sb_addf(sb, "  %s waits on %s %s%s%s, and no thread is left to wake it\n", who,
                        wait, name, w ? " at " : "", w ? w : "");
            }
        }
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
}

int stage_explore(struct run *r, struct stage_result *out)
{
    char *diag = NULL;
    struct code_map code = {0};
    char *bin = build_driver_mapped(r, DRIVER_EXPLORE, NULL, &diag, &code);
    if (!bin) {
        stage_say(out, ST_ERROR, "the explore build failed");
        out->details = diag;
        return 0;
    }
    free(diag);
    const char *sched = getenv("SCHEDULE");
    char *sched_env = xasprintf("KATA_SCHEDULE=%s", sched ? sched : "");
    char *budget = xasprintf("KATA_EXPLORE_BUDGET_MS=%s",
                             getenv("KATA_EXPLORE_BUDGET_MS") ? getenv("KATA_EXPLORE_BUDGET_MS")
                                                              : "700");
    const char *env[] = {DETECT_REPORT_ENV, seed_env(r), sched_env, budget, NULL};
    const char *argv[] = {bin, NULL};
    struct child c;
    struct child_channel report = {0};
    detect_run(r, "explore", argv, env, 0, 1, &report, &c);
    char *text = report.text ? report.text : xstrdup("");
    out->raw = text;
    free(sched_env);
    free(budget);
    if (!detect_trusted(r, "explore", &c, &report, "\nend\n", out)) {
        code_map_release(&code);
        free(bin);
        return 0;
    }
    long explored = 0;
    double secs = 0;
    char by[16] = "";
    const char *ex = strstr(text, "explored ");
    if (ex)
        sscanf(ex, "explored %ld %15s %lf", &explored, by, &secs);
    const char *v = strstr(text, "verdict ");
    char verdict[16] = "";
    if (v)
        sscanf(v, "verdict %15s", verdict);
    if (!v || !strcmp(verdict, "pass")) {
        if (c.timed_out || !c.exited || c.exit_code != 0)
            stage_say(out, ST_ERROR, "explore could not run this program (it %s)",
                      c.timed_out ? "did not finish in time" : "ended abnormally");
        else if (sched && *sched)
            stage_say(out, ST_PASS, "the schedule %s ran without a fault", sched);
        else
            stage_say(out, ST_PASS, "%ld interleavings tried, none went wrong", explored);
        code_map_release(&code);
        free(bin);
        return 0;
    }
    const char *why = v + strlen("verdict ") + strlen(verdict);
    while (*why == ' ')
        why++;
    int why_len = (int)strcspn(why, "\n");
    if (!strcmp(verdict, "cannot")) {
        stage_say(out, ST_ERROR, "explore could not run this program: %.*s", why_len, why);
        code_map_release(&code);
        free(bin);
        return 0;
    }
    /* the steps, and the names and lines they need */
    struct step *steps = NULL;
    size_t n = 0;
    struct symtab t = {0};
    for (const char *l = text; *l;) {
        struct step s = {0};
        unsigned long pc = 0, addr = 0;
        char pcs[32], addrs[32];
        if (sscanf(l, "E %d %15s %31s %31s %d %ld", &s.tid, s.kind, pcs, addrs, &s.size,
                   &s.value) == 6) {
            pc = strtoul(pcs, NULL, 16);
            addr = strtoul(addrs, NULL, 16);
            s.pc = pc;
            s.addr = addr;
            steps = xrealloc(steps, (n + 1) * sizeof *steps);
            steps[n++] = s;
            if (pc)
                add_pc(&t, pc);
        } else if (l[0] == 'D' || l[0] == 'H') {
            unsigned long a[2] = {0, 0};
            const char *p = l;
            for (int f = 0; f < 6 && p; f++) {
                p = strchr(p, ' ');
                if (!p)
                    break;
                p++;
                if (!strncmp(p, "0x", 2) && (f == 3 || f == 5 || (l[0] == 'H' && f == 2))) {
                    unsigned long x = strtoul(p, NULL, 16);
                    a[a[0] ? 1 : 0] = x;
                    add_pc(&t, x);
                }
            }
        }
        const char *nl = strchr(l, '\n');
        l = nl ? nl + 1 : l + strlen(l);
    }
    symtab_read(r, bin, &t);
    lines_read(r, bin, &code, &t);
    char sched_got[2048] = "-";
    const char *sl = strstr(text, "\nschedule ");
    if (sl)
        sscanf(sl + 1, "schedule %2047s", sched_got);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    /* first, so that a long story cut short on the screen still shows it */
    sb_addf(&sb, "replay exactly this interleaving: make kata NAME=%s STAGE=explore SCHEDULE=%s\n",
            r->kata->name, sched_got);
    if (!strcmp(verdict, "deadlock")) {
        stage_say(out, ST_FAIL, "deadlock: every thread is blocked (after %ld interleavings)",
                  explored);
        tell_deadlock(&sb, text, &t);
        sb_addf(&sb, "how they got there:\n");
    } else if (sched && *sched) {
        stage_say(out, ST_FAIL, "the schedule %s goes wrong: %.*s", sched, why_len, why);
    } else {
        stage_say(out, ST_FAIL, "interleaving %ld of the threads goes wrong: %.*s", explored,
                  why_len, why);
    }
    tell_steps(&sb, steps, n, &t, 22);
    out->details = sb_detach(&sb);
    symtab_release(&t);
    free(steps);
    code_map_release(&code);
    free(bin);
    return 0;
}
