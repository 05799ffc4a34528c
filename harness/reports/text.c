/* text.c: the verdict screen a learner reads. */
#include "reports/report.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int report_use_colour(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return 0;
    return isatty(fileno(f));
}

struct style {
    const char *ok, *bad, *dim, *bold, *off;
};

static struct style style_for(int colour)
{
    if (!colour)
        return (struct style){"", "", "", "", ""};
    return (struct style){"\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"};
}

static const char *label(enum status s)
{
    switch (s) {
    case ST_PASS: return "passed ";
    case ST_FAIL: return "FAILED ";
    case ST_SKIP: return "skipped";
    default: return "ERROR  ";
    }
}

/* A path for display: relative to the working directory when it lies below it. */
static const char *shown(const char *path, char *buf, size_t n)
{
    if (!path)
        return "?";
    char cwd[4096];
    if (path[0] == '/' && getcwd(cwd, sizeof cwd)) {
        size_t len = strlen(cwd);
        if (!strncmp(path, cwd, len) && path[len] == '/') {
            snprintf(buf, n, "%s", path + len + 1);
            return buf;
        }
    }
    snprintf(buf, n, "%s", path);
    return buf;
}

static void print_access(FILE *f, const struct access *a, const char *lead)
{
    char buf[4096];
    fprintf(f, "%s%s%s%s:%d", lead, a->op ? a->op : "access", a->op ? " at " : " at ",
            shown(a->file, buf, sizeof buf), a->line);
    if (a->function || a->thread) {
        fprintf(f, " (");
        if (a->function)
            fprintf(f, "in %s()", a->function);
        if (a->function && a->thread)
            fprintf(f, ", ");
        if (a->thread)
            fprintf(f, "%s", a->thread);
        fprintf(f, ")");
    }
    fputc('\n', f);
}

static int same_place(const struct finding *a, const struct finding *b)
{
    if (strcmp(a->kind, b->kind) || a->naccess != b->naccess)
        return 0;
    if ((a->variable == NULL) != (b->variable == NULL))
        return 0;
    if (a->variable && strcmp(a->variable, b->variable))
        return 0;
    for (int i = 0; i < a->naccess; i++)
        if (a->access[i].line != b->access[i].line)
            return 0;
    return 1;
}

static void print_findings(FILE *f, const struct stage_result *s)
{
    int shown_n = 0;
    size_t skipped = 0;
    for (size_t i = 0; i < s->findings.n; i++) {
        const struct finding *x = &s->findings.v[i];
        if (!strcmp(x->kind, "warning") || !strcmp(x->kind, "compile error") ||
            !strcmp(x->kind, "assertion") || !strcmp(x->kind, "crash") ||
            !strcmp(x->kind, "test ended early") || !strcmp(x->kind, "error") ||
            !strcmp(x->kind, "hang") || !strcmp(x->kind, "blocked thread") ||
            !strcmp(x->kind, "link error") || !strcmp(x->kind, "refused"))
            continue; /* these are in the details already */
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = same_place(x, &s->findings.v[j]);
        if (dup)
            continue;
        if (shown_n == 3) {
            skipped++;
            continue;
        }
        shown_n++;
        if (x->variable)
            fprintf(f, "      %s on `%s`:\n", x->kind, x->variable);
        else if (!strcmp(x->kind, "undefined behaviour") && x->headline)
            fprintf(f, "      %s: %s\n", x->kind, x->headline); /* UBSan's words say which */
        else
            fprintf(f, "      %s:\n", x->kind);
        for (int k = 0; k < x->naccess; k++)
            print_access(f, &x->access[k], k ? "        vs " : "           ");
    }
    if (skipped)
        fprintf(f, "      and %zu more place%s (V=1 shows every report)\n", skipped,
                skipped == 1 ? "" : "s");
}

static void print_indented(FILE *f, const char *text, int max_lines)
{
    int n = 0;
    const char *p = text;
    while (*p && n < max_lines) {
        size_t len = strcspn(p, "\n");
        fprintf(f, "      %.*s\n", (int)len, p);
        p += len;
        if (*p)
            p++;
        n++;
    }
    if (*p)
        fprintf(f, "      ... (V=1 shows the rest)\n");
}

/* The races the three detectors found, one row per race: findings of the same variable, or
 * of a line of the learner's in common when one detector could not name the memory
 * (findings_same_race), are one row, under the most informative name any detector gave. */
static void print_side_by_side(FILE *f, const struct run *r, struct style st)
{
    static const char *const tools[] = {"tsan", "helgrind", "drd"};
    struct row {
        struct finding race; /* variable and learner lines: shallow, borrowed from the stages */
        int line;
        const char *file;
        int seen[3];
        int atomic;
    } rows[16];
    int nrows = 0;
    for (int t = 0; t < 3; t++) {
        const struct stage_result *s = run_stage(r, tools[t]);
        for (size_t i = 0; s && i < s->findings.n; i++) {
            const struct finding *x = &s->findings.v[i];
            if (strcmp(x->kind, "data race"))
                continue;
            int line = 0;
            const char *file = NULL;
            for (int k = 0; k < x->naccess; k++)
                if (x->access[k].in_learner && (!line || x->access[k].line < line)) {
                    line = x->access[k].line;
                    file = x->access[k].file;
                }
            int j;
            for (j = 0; j < nrows; j++)
                if (findings_same_race(&rows[j].race, x))
                    break;
            if (j == nrows) {
                if (nrows == 16)
                    continue;
                rows[nrows] = (struct row){.race = *x, .line = line, .file = file};
                rows[nrows].race.naccess = 0;
                nrows++;
            }
            struct row *w = &rows[j];
            if (variable_informative(x->variable) > variable_informative(w->race.variable))
                w->race.variable = x->variable;
            /* the row's learner lines: every side any detector saw, up to two */
            for (int k = 0; k < x->naccess && w->race.naccess < 2; k++) {
                int known = 0;
                for (int m = 0; m < w->race.naccess; m++)
                    known |= w->race.access[m].line == x->access[k].line;
                if (x->access[k].in_learner && !known)
                    w->race.access[w->race.naccess++] = x->access[k];
            }
            if (line && (!w->line || line < w->line)) {
                w->line = line;
                w->file = file;
            }
            w->seen[t] = 1;
            w->atomic |= finding_has_atomic_access(x);
        }
    }
    if (!nrows)
        return;
    fprintf(f, "\n  %sData races, side by side%s\n", st.bold, st.off);
    fprintf(f, "    %-16s %-34s %-9s %-9s %s\n", "variable", "first line in your file", "tsan",
            "helgrind", "drd");
    for (int j = 0; j < nrows; j++) {
        char buf[4096], place[64];
        snprintf(place, sizeof place, "%s:%d", base_name(shown(rows[j].file, buf, sizeof buf)),
                 rows[j].line);
        fprintf(f, "    %-16s %-34s", rows[j].race.variable ? rows[j].race.variable : "?", place);
        for (int t = 0; t < 3; t++) {
            const struct stage_result *s = run_stage(r, tools[t]);
            const char *mark = !s ? "-" : rows[j].seen[t] ? "found" : "missed";
            fprintf(f, " %-9s", mark);
        }
        fputc('\n', f);
    }
    const char *v = rows[0].race.variable;
    int named = variable_informative(v) == 2;
    if (rows[0].atomic)
        /* making it atomic is what was half done: one side already is */
        fprintf(f,
                "\n  What to protect: %s%s%s is accessed atomically by one thread and plainly by "
                "another: an atomic\n  access orders nothing against a plain one. Make every "
                "access to it atomic (atomic_load,\n  atomic_store, atomic_fetch_add), or guard "
                "every access with one mutex that all threads share.\n",
                named ? "`" : "", named ? v : "that memory", named ? "`" : "");
    else
        fprintf(f,
                "\n  What to protect: %s%s%s is used by more than one thread, and at least one of "
                "them writes it,\n  with nothing to order the accesses. Guard every access "
                "with one mutex that all threads share,\n  make it atomic, or order them (a "
                "pthread_join between a thread's write and the read).\n",
                named ? "`" : "", named ? v : "that memory", named ? "`" : "");
}

void report_text(FILE *f, const struct run *r, int colour, int verbose)
{
    struct style st = style_for(colour);
    fprintf(f, "%s%s%s: %s\n", st.bold, r->kata->name, st.off, r->kata->title);
    fprintf(f, "%sgrading %s (seed %lu)%s\n", st.dim, r->src, r->seed, st.off);
    /* which isolation held: a verdict given without a sandbox says so first */
    if (r->isolation && strcmp(r->isolation, "bubblewrap"))
        fprintf(f, "%sNOT ISOLATED: learner code ran without a sandbox (%s)%s\n", st.bad,
                r->isolation, st.off);
    else if (r->isolation)
        fprintf(f, "%sisolated: bubblewrap sandbox; limits: %s%s\n", st.dim,
                r->limits ? r->limits : "?", st.off);
    fputc('\n', f);
    int failed = 0, passed = 0;
    const char *first_failed = NULL;
    for (int i = 0; i < r->nstages; i++) {
        const struct stage_result *s = &r->stages[i];
        const char *c = s->status == ST_PASS ? st.ok : s->status == ST_SKIP ? st.dim : st.bad;
        fprintf(f, "  %-9s %s%s%s %5.1fs  %s\n", s->name, c, label(s->status), st.off, s->seconds,
                s->summary ? s->summary : "");
        if (s->status == ST_PASS)
            passed++;
        if (s->status == ST_FAIL || s->status == ST_ERROR) {
            failed++;
            if (!first_failed)
                first_failed = s->name;
        }
        if (s->details && (s->status != ST_PASS || !strcmp(s->name, "build") || s->perf.measured))
            print_indented(f, s->details, verbose ? 100000 : 30);
        print_findings(f, s);
        if (verbose && s->raw) {
            fprintf(f, "      %s--- %s's own output ---%s\n", st.dim, s->name, st.off);
            print_indented(f, s->raw, 100000);
        }
    }
    print_side_by_side(f, r, st);
    fputc('\n', f);
    if (r->status == ST_PASS && r->only_stage) {
        /* a run of some stages is no pass of the kata, and is not recorded as one */
        fprintf(f,
                "%sPASSED%s: %s%s only, in %.1f s. The kata passes when every stage does: "
                "`make kata NAME=%s`.\n",
                st.ok, st.off, strcmp(r->only_stage, "build") ? "build and " : "", r->only_stage,
                r->seconds, r->kata->name);
    } else if (r->status == ST_PASS) {
        fprintf(f, "%sPASSED%s: all %d stages in %.1f s. Next: `make list` shows the next kata.\n",
                st.ok, st.off, passed, r->seconds);
    } else if (r->status == ST_ERROR) {
        fprintf(f,
                "%sERROR%s: the harness could not grade this (see the ERROR lines above); "
                "this is not your code's fault. `make deps` installs what is missing.\n",
                st.bad, st.off);
    } else {
        fprintf(f,
                "%sFAILED%s: %d of %d %s (first: %s).\nNext: open %s, read %s/README.md, "
                "or `make hint NAME=%s`.\n",
                st.bad, st.off, failed, r->nstages, plural(r->nstages, "stage", "stages"),
                first_failed ? first_failed : "?", r->src, r->kata->dir, r->kata->name);
    }
}
