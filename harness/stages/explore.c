/* explore.c: the explore stage: the learner's threads one at a time under a scheduler that
 * tries many interleavings (harness/runtime/explore.c), and a failing one told as numbered
 * steps in the learner's lines and values.
 *
 * The driver (tests/katas/<k>/explore.c linked with the runtime) runs each schedule in a
 * forked child and judges it in its parent, which never runs learner code; its report comes
 * over the harness's channel (DETECT_REPORT_FD), as the detectors' do, and counts only with
 * its closing "end" line. What it says in its own words:
 *   explored N STRATEGY SECONDS    schedules run (and which strategy found the failure)
 *   verdict pass|fail|deadlock|race|cannot WHY
 *   schedule D.T,...               the failing schedule (SCHEDULE=... replays it)
 *   E TID KIND PC ADDR SIZE VALUE  one step of it
 *   D TID WAIT OBJ PC HOLDER HPC   a thread blocked for good, and who holds what it waits for
 *   H TID MUTEX PC                 a mutex held at the end, and where it was taken
 *   A STEP TID KIND PC TID KIND PC ADDR SIZE STEP
 *                                  a data race: the earlier access (its thread, read or write,
 *                                  code, and last its step) and the later (at the first STEP),
 *                                  on ADDR (a step is -1 when it was not logged)
 *   end
 * The addresses become lines of the learner's file (addr2line) and names of variables (nm),
 * here in the harness, outside the sandbox's reach of learner code (the binary is only read).
 *
 * A child of the driver runs learner code and writes its own result on its own pipe: a
 * program that knew the protocol could forge a passing result there. The other stages do not
 * depend on this one. */
#include "stages/detect.h"
#include "stages/source.h"
#include "stages/timeline.h"
#include "util.h"

#include <stdint.h>
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
    int *line; /* the learner's line of each, or 0 when it is not the learner's code */
    size_t npcs;
};

/* Runs a tool on the built binary (read only), its stdout returned (new string) or NULL. The
 * binary holds what the learner's code compiled to: the tool runs in the sandbox, as nm does
 * for the build stage (anticheat.c). */
static char *tool_output(struct run *r, const char *const *argv, const char *label)
{
    char *name = xasprintf("explore-%s.txt", label);
    char *path = work_path(r, name);
    static const char *const env[] = {"LC_ALL=C", NULL};
    struct child c = {.argv = argv,
                      .env = env,
                      .stdout_path = path,
                      .timeout = 20,
                      .limits = {.cpu_seconds = 20,
                                 .memory_mb = 1024,
                                 .file_mb = 64,
                                 .open_files = 64,
                                 .processes = 8,
                                 .unprivileged = 1}};
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
        if (sscanf(line, "%lx %lx %c %255s", &a, &s, &type, name) == 4 && strchr("bBdDrR", type)) {
            /* a function's static variable is "name.N" to the linker */
            char *dot = strchr(name, '.');
            if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
                *dot = 0;
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
    t->line = xcalloc(t->npcs, sizeof *t->line);
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
            t->line[i] = ln;
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

static int line_of(const struct symtab *t, unsigned long pc)
{
    for (size_t i = 0; pc && i < t->npcs; i++)
        if (t->pcs[i] == pc)
            return t->line ? t->line[i] : 0;
    return 0;
}

static void symtab_release(struct symtab *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    free(t->line);
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
    long value, decision;
};

struct story {
    const struct step *s;
    size_t n;
    const struct symtab *t;
    char *text;   /* the learner's file, */
    char **lines; /* cut into lines (lines[0] is line 1) */
    size_t nlines;
    int lost_ok; /* a wrong result: a write over an unseen write may be told as lost */
    long race_step, race_first; /* the race's later step and its earlier one, or -1 */
    const char *race_with;      /* what the later raced with ("thread 1's write") */
    const char *race_by;        /* what the earlier raced with ("thread 2's read") */
};

static void thread_name(char *buf, size_t n, int tid)
{
    /* as every stage names threads (issue 16): the main thread, then the Nth one started */
    if (tid == 0)
        snprintf(buf, n, "the main thread");
    else
        snprintf(buf, n, "thread %d", tid);
}

static void object_name(const struct symtab *t, unsigned long a, char *buf, size_t n)
{
    unsigned long off = 0;
    const char *name = data_name(t, a, &off);
    if (name && !off)
        snprintf(buf, n, "%s", name);
    else if (name)
        snprintf(buf, n, "%s (byte %lu)", name, off);
    else if (a >= 0x7fffff000000ul) /* the main thread's stack (no address randomisation) */
        snprintf(buf, n, "a local variable (%#lx)", a);
    else if (a >= 0x7f0000000000ul) /* a thread's stack, or the heap of a thread's arena */
        snprintf(buf, n, "memory at %#lx", a);
    else
        snprintf(buf, n, "heap memory (%#lx)", a);
}

static int is_access(const struct step *s)
{
    return !strcmp(s->kind, "read") || !strcmp(s->kind, "write") || !strncmp(s->kind, "atomic", 6);
}

static int is_write(const struct step *s)
{
    return is_access(s) && strcmp(s->kind, "read") && strcmp(s->kind, "atomic-read");
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
    return started;
}

/* Is the memory at `addr` contended: written by one thread while another that touches it
 * is running? (Shared data written before the threads start and only read after is noise.) */
static int contended(const struct step *s, size_t n, unsigned long addr)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i].addr != addr || !is_write(&s[i]))
            continue;
        for (size_t j = 0; j < n; j++)
            if (s[j].addr == addr && s[j].tid != s[i].tid && is_access(&s[j]) &&
                alive_at(s, n, s[j].tid, i))
                return 1;
    }
    return 0;
}

/* A plain write computed from a read the same thread made a few steps before (LOST_WINDOW of
 * its own), over another thread's write made in between: the step it overwrote, or -1. */
#define LOST_WINDOW 6
static long lost_write(const struct story *st, size_t i)
{
    const struct step *s = st->s;
    if (!st->lost_ok || strcmp(s[i].kind, "write"))
        return -1;
    long read = -1;
    int own = 0;
    for (size_t j = i; j-- > 0 && own < LOST_WINDOW;) {
        if (s[j].tid != s[i].tid)
            continue;
        own++;
        if (s[j].addr == s[i].addr && is_access(&s[j])) {
            if (!is_write(&s[j]))
                read = (long)j;
            break;
        }
    }
    long lost = -1;
    for (long j = read + 1; read >= 0 && j < (long)i; j++)
        if (s[j].tid != s[i].tid && s[j].addr == s[i].addr && is_write(&s[j]))
            lost = j;
    return lost;
}

/* What step i did, in words ("thread 1 reads counter = 0"), a lost update said, into what
 * (initialised here; the caller releases it). */
static void describe(struct strbuf *out, const struct story *st, size_t i)
{
    const struct step *s = st->s;
    char who[32], obj[96];
    thread_name(who, sizeof who, s[i].tid);
    object_name(st->t, s[i].addr, obj, sizeof obj);
    const char *k = s[i].kind;
    struct strbuf what = STRBUF_INIT;
    sb_init(&what);
    if (!strcmp(k, "read") || !strcmp(k, "atomic-read"))
        sb_addf(&what, "%s reads %s = %ld%s", who, obj, s[i].value,
                k[0] == 'a' ? ", atomically" : "");
    else if (!strcmp(k, "write") || !strcmp(k, "atomic-write"))
        sb_addf(&what, "%s writes %s = %ld%s", who, obj, s[i].value,
                k[0] == 'a' ? ", atomically" : "");
    else if (!strcmp(k, "atomic-rmw"))
        sb_addf(&what, "%s updates %s atomically", who, obj);
    else if (!strcmp(k, "lock"))
        sb_addf(&what, "%s locks %s", who, obj);
    else if (!strcmp(k, "lock-busy")) {
        char other[32];
        thread_name(other, sizeof other, (int)s[i].value);
        sb_addf(&what, "%s waits to lock %s, which %s holds", who, obj, other);
    } else if (!strcmp(k, "unlock"))
        sb_addf(&what, "%s unlocks %s", who, obj);
    else if (!strcmp(k, "trylock-busy"))
        sb_addf(&what, "%s tries to lock %s: busy", who, obj);
    else if (!strcmp(k, "wait"))
        sb_addf(&what, "%s waits on %s", who, obj);
    else if (!strcmp(k, "spurious"))
        sb_addf(&what, "%s wakes from %s with no signal (POSIX allows it)", who, obj);
    else if (!strcmp(k, "signal") || !strcmp(k, "broadcast"))
        sb_addf(&what, "%s %ss %s", who, k, obj);
    else if (!strcmp(k, "sem-wait"))
        sb_addf(&what, "%s waits on semaphore %s", who, obj);
    else if (!strcmp(k, "sem-post"))
        sb_addf(&what, "%s posts semaphore %s", who, obj);
    else if (!strcmp(k, "barrier"))
        sb_addf(&what, "%s waits at barrier %s", who, obj);
    else if (!strcmp(k, "create"))
        sb_addf(&what, "%s starts thread %ld", who, s[i].value);
    else if (!strcmp(k, "join"))
        sb_addf(&what, "%s waits for thread %ld to end", who, s[i].value);
    else if (!strcmp(k, "exit"))
        sb_addf(&what, "%s ends", who);
    else
        sb_addf(&what, "%s: %s %s", who, k, obj);
    long lost = lost_write(st, i);
    if (lost >= 0) {
        char other[32];
        thread_name(other, sizeof other, s[lost].tid);
        sb_addf(&what, ": %s's update is lost", other);
    }
    if ((long)i == st->race_step && st->race_with)
        sb_addf(&what, ": races with %s", st->race_with);
    if ((long)i == st->race_first && st->race_by)
        sb_addf(&what, ": %s races with it", st->race_by);
    *out = what;
}

/* The line of the learner's file step i ran, without its indent, or NULL. */
static const char *code_of(const struct story *st, size_t i, int *line)
{
    int ln = line_of(st->t, st->s[i].pc);
    *line = ln;
    if (ln <= 0 || (size_t)ln > st->nlines)
        return NULL;
    const char *code = st->lines[ln - 1];
    while (*code == ' ' || *code == '\t')
        code++;
    return code;
}

static void tell_one(struct strbuf *sb, size_t num, const struct story *st, size_t i)
{
    struct strbuf what;
    describe(&what, st, i);
    if (num)
        sb_addf(sb, "  %2zu. ", num);
    else
        sb_addf(sb, " then ");
    int ln;
    const char *code = code_of(st, i, &ln);
    if (code) {
        sb_addf(sb, "%-54s line %d: %.34s%s\n", what.buf, ln, code, strlen(code) > 34 ? "..." : "");
    } else {
        sb_addf(sb, "%s\n", what.buf);
    }
    sb_release(&what);
}

/* The steps worth telling, in order (their indices into st->s; the caller frees the array):
 * accesses to contended memory and sync operations from the learner's lines, up to the first
 * lost update. *tail is then 1 + the step main ends on (the result it read), else 0. */
static size_t *chosen_steps(const struct story *st, size_t *count, size_t *tail_out)
{
    const struct step *s = st->s;
    size_t n = st->n;
    size_t *show = xcalloc(n + 1, sizeof *show);
    size_t nshow = 0, end = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if ((long)i == st->race_step) {
            show[nshow++] = i;
            end = nshow;
            break;
        }
        if (!line_of(st->t, s[i].pc) && strcmp(s[i].kind, "exit"))
            continue;
        if (!strcmp(s[i].kind, "yield") || !strcmp(s[i].kind, "woken"))
            continue;
        if (is_access(&s[i]) && !contended(s, n, s[i].addr))
            continue;
        show[nshow++] = i;
        if (lost_write(st, i) >= 0 && end == SIZE_MAX)
            end = nshow;
    }
    size_t tail = 0;
    if (end != SIZE_MAX) {
        size_t last = show[nshow - 1];
        if (end < nshow && s[last].tid == 0 && is_access(&s[last]))
            tail = last + 1;
        nshow = end;
    }
    *count = nshow;
    *tail_out = tail;
    return show;
}

/* Tells the steps chosen_steps chooses. At most `cap` lines; the ones kept first are those
 * that make the point: where the schedule departs from the default (a deviation: `dev`,
 * decision numbers) and what is near, a lost update and the read and write it spoils; then
 * the last ones before the failure. After a lost update only the step main ends on. */
static void tell_steps(struct strbuf *sb, const struct story *st, const long *dev, size_t ndev,
                       size_t cap)
{
    const struct step *s = st->s;
    size_t nshow, tail;
    size_t *show = chosen_steps(st, &nshow, &tail);
    char *keep = xcalloc(nshow ? nshow : 1, 1);
    size_t nkeep = 0;
    for (size_t d = 0; d < ndev; d++)
        for (size_t k = 0; k < nshow; k++)
            if (s[show[k]].decision > dev[d]) {
                for (size_t j = k >= 2 ? k - 2 : 0; j < nshow && j <= k + 2; j++)
                    keep[j] = 1;
                break;
            }
    for (size_t k = 0; k < nshow; k++) {
        if ((long)show[k] == st->race_step || (long)show[k] == st->race_first ||
            !strcmp(s[show[k]].kind, "spurious"))
            keep[k] = 1;
        long lost = lost_write(st, show[k]);
        if (lost < 0)
            continue;
        keep[k] = 1;
        for (size_t j = 0; j < k; j++)
            if (show[j] == (size_t)lost ||
                (s[show[j]].tid == s[show[k]].tid && s[show[j]].addr == s[show[k]].addr &&
                 show[j] < (size_t)lost))
                keep[j] = 1;
    }
    for (size_t k = 0; k < nshow; k++)
        nkeep += keep[k];
    if (nkeep > cap) { /* the anchors alone are too many: the last ones */
        nkeep = 0;
        for (size_t k = nshow; k-- > 0;)
            if (keep[k] && ++nkeep > cap)
                keep[k] = 0;
        nkeep = cap;
    }
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
        tell_one(sb, k + 1, st, show[k]);
    }
    free(keep);
    if (tail)
        tell_one(sb, 0, st, tail - 1);
    free(show);
}

static void tell_deadlock(struct strbuf *sb, const char *report, const struct story *st)
{
    const struct symtab *t = st->t;
    for (const char *l = report; l && *l;) {
        int tid, holder;
        char wait[16];
        unsigned long obj = 0, pc = 0, hpc = 0;
        if (sscanf(l, "D %d %15s %lx %lx %d %lx", &tid, wait, &obj, &pc, &holder, &hpc) >= 5 ||
            sscanf(l, "D %d %15s (nil) %lx %d", &tid, wait, &pc, &holder) == 4) {
            char who[32], other[16], name[96], at[96] = "", since[32] = "";
            thread_name(who, sizeof who, tid);
            thread_name(other, sizeof other, holder);
            int ln = line_of(t, pc);
            if (ln > 0 && (size_t)ln <= st->nlines) {
                const char *code = st->lines[ln - 1] + strspn(st->lines[ln - 1], " \t");
                snprintf(at, sizeof at, " at line %d (%.50s%s)", ln, code,
                         strlen(code) > 50 ? "..." : "");
            } else if (ln > 0) {
                snprintf(at, sizeof at, " at line %d", ln);
            }
            if (line_of(t, hpc))
                snprintf(since, sizeof since, " (locked at line %d)", line_of(t, hpc));
            object_name(t, obj, name, sizeof name);
            if (!strcmp(wait, "mutex"))
                sb_addf(sb, "  %s waits to lock %s%s, which %s holds%s\n", who, name, at,
                        holder >= 0 ? other : "nobody", since);
            else if (!strcmp(wait, "join"))
                sb_addf(sb, "  %s waits for %s to end%s\n", who, other, at);
            else if (!strcmp(wait, "cond"))
                sb_addf(
                    sb,
                    "  %s waits on condition variable %s%s, and no thread is left to signal it\n",
                    who, name, at);
            else
                sb_addf(sb, "  %s waits on %s %s%s, and no thread is left to wake it\n", who, wait,
                        name, at);
        }
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
}

/* The chosen steps (all of them, at most PICTURE_STEPS: the last ones) as a picture
 * (stages/timeline.h), under `title`: a new string. */
#define PICTURE_STEPS 400
static char *picture(const struct story *st, const long *dev, size_t ndev, const char *title)
{
    const struct step *s = st->s;
    size_t nshow, tail;
    size_t *show = chosen_steps(st, &nshow, &tail);
    if (tail)
        show[nshow++] = tail - 1; /* room: chosen_steps allots one more than the steps */
    size_t first = nshow > PICTURE_STEPS ? nshow - PICTURE_STEPS : 0;
    size_t n = nshow - first;
    struct timeline_step *v = xcalloc(n ? n : 1, sizeof *v);
    char **texts = xcalloc(n ? n : 1, sizeof *texts);
    char(*names)[96] = xcalloc(n ? n : 1, sizeof *names);
    for (size_t k = 0; k < n; k++) {
        size_t i = show[first + k];
        struct strbuf what;
        describe(&what, st, i);
        texts[k] = sb_detach(&what);
        object_name(st->t, s[i].addr, names[k], sizeof names[k]);
        v[k] = (struct timeline_step){.lane = s[i].tid,
                                      .text = texts[k],
                                      .lost = lost_write(st, i) >= 0 || (long)i == st->race_step ||
                                              (long)i == st->race_first,
                                      .lock = !strcmp(s[i].kind, "lock"),
                                      .unlock = !strcmp(s[i].kind, "unlock"),
                                      .wait = !strcmp(s[i].kind, "wait"),
                                      .object = s[i].addr,
                                      .object_name = names[k]};
        v[k].code = code_of(st, i, &v[k].line);
        if (v[k].line < 0)
            v[k].line = 0;
    }
    /* where the schedule departs from its default: the first step after each deviation */
    for (size_t d = 0; d < ndev; d++)
        for (size_t k = 0; k < n; k++)
            if (s[show[first + k]].decision > dev[d]) {
                v[k].departs = 1;
                break;
            }
    char *svg = timeline_svg(title, v, n);
    for (size_t k = 0; k < n; k++)
        free(texts[k]);
    free(texts);
    free(names);
    free(v);
    free(show);
    return svg;
}

static const char *ordinal(long n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/* ---- a data race ---- */

struct race_seen {
    int seen;
    long step, pstep; /* the later access's step, and the earlier's, or -1 */
    int ptid, pwrite, tid, write;
    unsigned long ppc, pc, addr;
};

/* "thread 1's write at line 28" (line > 0), "thread 1's write" (0), or "... outside your
 * file" (< 0) */
static void access_words(char *buf, size_t n, int tid, int write, int line)
{
    char who[32];
    thread_name(who, sizeof who, tid);
    if (line > 0)
        snprintf(buf, n, "%s's %s at line %d", who, write ? "write" : "read", line);
    else if (line == 0)
        snprintf(buf, n, "%s's %s", who, write ? "write" : "read");
    else
        snprintf(buf, n, "%s's %s outside your file", who, write ? "write" : "read");
}

/* The verdict's line and the explanation that opens its details (`source`: the learner's
 * file, whole). */
static void tell_race(struct stage_result *out, struct strbuf *sb, const struct race_seen *x,
                      const struct story *st, const char *source, long explored, const char *sched)
{
    char obj[96], first[96], second[96];
    int l1 = line_of(st->t, x->ppc), l2 = line_of(st->t, x->pc);
    unsigned long off;
    int lines[2] = {l1, l2};
    char *access = data_name(st->t, x->addr, &off) ? NULL : lines_common_access(source, lines, 2);
    if (access) /* heap or stack memory: by the member both lines touch (`q->count`) */
        snprintf(obj, sizeof obj, "%s", access);
    else
        object_name(st->t, x->addr, obj, sizeof obj);
    free(access);
    access_words(first, sizeof first, x->ptid, x->pwrite, l1 > 0 ? l1 : -1);
    access_words(second, sizeof second, x->tid, x->write, l2 > 0 ? l2 : -1);
    if (sched)
        stage_say(out, ST_FAIL, "the schedule %s has a data race on %s: %s and %s", sched, obj,
                  first, second);
    else
        stage_say(out, ST_FAIL,
                  "a data race on %s (found by interleaving %ld): %s and %s, with nothing "
                  "ordering the two",
                  obj, explored, first, second);
    sb_addf(sb, "nothing orders these two accesses (no lock both threads hold, no join, no atomic "
                "with release and acquire), so two cores may run them at once: a data race, "
                "undefined behaviour in C even where the result comes out right\n");
}

#define EXPLORE_SCHEDULES "400"
#define EXPLORE_MS "1000"

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
    /* the budget: at most EXPLORE_SCHEDULES schedules, and at most EXPLORE_MS of them (a
     * correct answer costs that much per grading; KATA_EXPLORE_* override, for measuring) */
    const char *ms = getenv("KATA_EXPLORE_BUDGET_MS"), *most = getenv("KATA_EXPLORE_MAX");
    char *budget = xasprintf("KATA_EXPLORE_BUDGET_MS=%s", ms ? ms : EXPLORE_MS);
    char *max = xasprintf("KATA_EXPLORE_MAX=%s", most ? most : EXPLORE_SCHEDULES);
    /* the key on each schedule's lines is checked but for the defences' proof */
    const char *env[] = {DETECT_REPORT_ENV,
                         detect_guard_env(r),
                         seed_env(r),
                         sched_env,
                         budget,
                         max,
                         defence_disabled(r, "key") ? "KATA_EXPLORE_KEY=0" : NULL,
                         NULL};
    const char *argv[] = {bin, NULL};
    struct child c;
    struct detect_io io = {0};
    detect_run(r, "explore", argv, env, 0, 1, &io, &c);
    char *text = io.report.text ? io.report.text : xstrdup("");
    out->raw = text;
    free(sched_env);
    free(budget);
    free(max);
    if (!detect_trusted(r, "explore", &c, &io, "\nend\n", out)) {
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
        /* skipped, like a program it cannot model: a correct answer of a design the
         * runtime does not expect must not fail, and the other stages still judge */
        if (c.timed_out || !c.exited || c.exit_code != 0)
            stage_say(out, ST_SKIP,
                      "explore could not run this program (it %s under the scheduler): a limit "
                      "of explore, not a fault it found in your code",
                      c.timed_out ? "did not finish in time" : "ended without a verdict");
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
    if (!strcmp(verdict, "untrusted")) {
        /* lines the runtime did not write came through a schedule's pipe: no verdict of the
         * run's stands, and there are no steps to tell */
        stage_say(out, ST_FAIL, "explore's report is not trusted: %.*s", why_len, why);
        code_map_release(&code);
        free(bin);
        return 0;
    }
    if (!strcmp(verdict, "cannot")) {
        /* skipped, not failed: nothing was found wrong, and the other stages still judge */
        stage_say(out, ST_SKIP,
                  "explore could not run this program: %.*s (a limit of explore, not a fault "
                  "it found in your code)",
                  why_len, why);
        const char *w = strstr(text, "\nW ");
        int tid;
        unsigned long pc = 0;
        char pcs[32];
        if (w && sscanf(w + 1, "W %d %31s", &tid, pcs) == 2) {
            pc = strtoul(pcs, NULL, 16);
            struct symtab t = {0};
            add_pc(&t, pc);
            lines_read(r, bin, &code, &t);
            char who[32];
            thread_name(who, sizeof who, tid);
            if (line_of(&t, pc))
                out->details = xasprintf("%s was running, last seen at line %d of your file: "
                                         "after it, it waits in a call explore does not model "
                                         "(I/O, a signal, a lock of its own making), or loops "
                                         "without touching shared memory\n",
                                         who, line_of(&t, pc));
            symtab_release(&t);
        }
        code_map_release(&code);
        free(bin);
        return 0;
    }
    /* the steps, and the names and lines they need */
    struct step *steps = NULL;
    size_t n = 0;
    int crash_tid = -1;
    unsigned long crash_pc = 0;
    struct race_seen race = {.step = -1, .pstep = -1};
    struct symtab t = {0};
    for (const char *l = text; *l;) {
        struct step s = {0};
        unsigned long pc = 0, addr = 0;
        char pcs[32], addrs[32];
        if (sscanf(l, "E %d %15s %31s %31s %d %ld %ld", &s.tid, s.kind, pcs, addrs, &s.size,
                   &s.value, &s.decision) == 7) {
            pc = strtoul(pcs, NULL, 16);
            addr = strtoul(addrs, NULL, 16);
            s.pc = pc;
            s.addr = addr;
            steps = xrealloc(steps, (n + 1) * sizeof *steps);
            steps[n++] = s;
            if (pc)
                add_pc(&t, pc);
        } else if (l[0] == 'C') {
            int sig, tid;
            char cpc[32];
            if (sscanf(l, "C %d %d %31s", &sig, &tid, cpc) == 3) {
                crash_tid = tid;
                crash_pc = strtoul(cpc, NULL, 16);
                add_pc(&t, crash_pc);
            }
        } else if (l[0] == 'A' && !race.seen) {
            char pk[8], k[8], ppcs[32], rpcs[32], raddr[32];
            size_t size;
            if (sscanf(l, "A %ld %d %7s %31s %d %7s %31s %31s %zu %ld", &race.step, &race.ptid, pk,
                       ppcs, &race.tid, k, rpcs, raddr, &size, &race.pstep) == 10) {
                race.seen = 1;
                race.pwrite = !strcmp(pk, "write");
                race.write = !strcmp(k, "write");
                race.ppc = strtoul(ppcs, NULL, 16);
                race.pc = strtoul(rpcs, NULL, 16);
                race.addr = strtoul(raddr, NULL, 16);
                add_pc(&t, race.ppc);
                add_pc(&t, race.pc);
            }
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
    /* the schedule as the driver printed it, and its deviations' decision numbers */
    const char *sl = strstr(text, "\nschedule ");
    char *sched_got = sl ? xstrndup(sl + 10, strcspn(sl + 10, "\n")) : xstrdup("-");
    long *dev = NULL;
    size_t ndev = 0;
    for (const char *p = sched_got; *p && *p != '-';) {
        if (*p == 's') { /* sN: spurious wake-ups, not a deviation */
            p += strcspn(p, ",");
            p += *p == ',';
            continue;
        }
        char *e;
        long at = strtol(p, &e, 10);
        if (e == p)
            break;
        dev = xrealloc(dev, (ndev + 1) * sizeof *dev);
        dev[ndev++] = at;
        p = e + strcspn(e, ",");
        if (*p == ',')
            p++;
    }
    struct story st = {.s = steps,
                       .n = n,
                       .t = &t,
                       .lost_ok = !strcmp(verdict, "fail"),
                       .race_step = -1,
                       .race_first = -1};
    char race_with[96] = "", race_by[96] = "";
    st.text = read_file(r->src_real, 16 << 20, NULL);
    for (char *l = st.text; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = 0;
        st.lines = xrealloc(st.lines, (st.nlines + 1) * sizeof *st.lines);
        st.lines[st.nlines++] = l;
        l = nl ? nl + 1 : NULL;
    }
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    /* first, so that a long story cut short on the screen still shows it */
    sb_addf(&sb, "replay exactly this interleaving: make kata NAME=%s STAGE=explore SCHEDULE=%s\n",
            r->kata->name, sched_got);
    if (!strcmp(verdict, "deadlock")) {
        if (sched && *sched)
            stage_say(out, ST_FAIL, "the schedule %s deadlocks: every thread is blocked", sched);
        else
            stage_say(out, ST_FAIL, "deadlock: every thread is blocked (found by interleaving %ld)",
                      explored);
        tell_deadlock(&sb, text, &st);
        sb_addf(&sb, "how they got there:\n");
    } else if (!strcmp(verdict, "race") && race.seen) {
        char *whole = read_file(r->src_real, 16 << 20, NULL); /* st.text is cut into lines */
        tell_race(out, &sb, &race, &st, whole, explored, sched && *sched ? sched : NULL);
        free(whole);
        access_words(race_with, sizeof race_with, race.ptid, race.pwrite, 0);
        access_words(race_by, sizeof race_by, race.tid, race.write, 0);
        st.race_with = race_with;
        st.race_by = race_by;
        st.race_step = race.step;
        st.race_first = race.pstep;
    } else if (sched && *sched) {
        stage_say(out, ST_FAIL, "the schedule %s goes wrong: %.*s", sched, why_len, why);
    } else {
        stage_say(out, ST_FAIL, "an interleaving of the threads goes wrong (the %ld%s tried): %.*s",
                  explored, ordinal(explored), why_len, why);
    }
    if (crash_tid >= 0) {
        char who[32];
        thread_name(who, sizeof who, crash_tid);
        if (line_of(&t, crash_pc))
            sb_addf(&sb, "%s crashed after line %d of your file (the last line it was seen at)\n",
                    who, line_of(&t, crash_pc));
        else
            sb_addf(&sb, "%s crashed\n", who);
    }
    tell_steps(&sb, &st, dev, ndev, 20);
    char *title = xasprintf("%s, explore: SCHEDULE=%s replays this interleaving\n%s", r->kata->name,
                            sched_got, out->summary);
    out->picture = picture(&st, dev, ndev, title);
    free(title);
    free(st.lines);
    free(st.text);
    free(dev);
    free(sched_got);
    out->details = sb_detach(&sb);
    symtab_release(&t);
    free(steps);
    code_map_release(&code);
    free(bin);
    return 0;
}
