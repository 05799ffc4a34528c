/* github.c: workflow-command annotations and the job summary for GitHub Actions. */
#include "reports/github.h"

#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *escape(const char *s, int property)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '%')
            sb_puts(&sb, "%25");
        else if (*p == '\r')
            sb_puts(&sb, "%0D");
        else if (*p == '\n')
            sb_puts(&sb, "%0A");
        else if (property && *p == ':')
            sb_puts(&sb, "%3A");
        else if (property && *p == ',')
            sb_puts(&sb, "%2C");
        else
            sb_add(&sb, p, 1);
    }
    return sb_detach(&sb);
}

char *gh_escape_data(const char *s)
{
    return escape(s, 0);
}

char *gh_escape_property(const char *s)
{
    return escape(s, 1);
}

char *gh_annotation(const char *level, const char *file, int line, const char *title,
                    const char *message)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    sb_addf(&sb, "::%s", level);
    const char *sep = " ";
    if (file) {
        char *e = gh_escape_property(file);
        sb_addf(&sb, "%sfile=%s", sep, e);
        free(e);
        sep = ",";
    }
    if (file && line > 0) {
        sb_addf(&sb, "%sline=%d", sep, line);
        sep = ",";
    }
    if (title) {
        char *e = gh_escape_property(title);
        sb_addf(&sb, "%stitle=%s", sep, e);
        free(e);
    }
    char *m = gh_escape_data(message);
    sb_addf(&sb, "::%s\n", m);
    free(m);
    return sb_detach(&sb);
}

/* ---- annotations ---- */

/* A path as GitHub wants it: relative to the workspace (or the current folder). */
static char *workspace_path(const char *path)
{
    if (!path)
        return NULL;
    if (path[0] != '/')
        return xstrdup(starts_with(path, "./") ? path + 2 : path);
    const char *ws = getenv("GITHUB_WORKSPACE");
    char cwd[4096];
    const char *bases[] = {ws && *ws ? ws : NULL, getcwd(cwd, sizeof cwd), NULL};
    for (int i = 0; i < 2; i++) {
        if (!bases[i])
            continue;
        char *base = real_path(bases[i]);
        size_t n = strlen(base);
        int below = !strncmp(path, base, n) && path[n] == '/';
        free(base);
        if (below)
            return xstrdup(path + n + 1);
    }
    return xstrdup(path);
}

struct note {
    const char *level;
    char *file;
    int line;
    char *title;
    char *message;
    char *key;      /* notes with the same key are one note */
    char tools[64]; /* the detectors that found it, for races */
};

struct notes {
    struct note v[64];
    int n;
};

static void note_free(struct note *x)
{
    free(x->file);
    free(x->title);
    free(x->message);
    free(x->key);
}

/* Adds a note, or merges it into the one with the same key by naming one more detector
 * (and taking its title and message when they name the variable and the first did not).
 * key NULL: the level, place and title. The strings are taken over. */
static void note(struct notes *ns, const char *level, char *file, int line, char *title,
                 char *message, const char *tool, char *key)
{
    struct note n = {level, file, line, title, message, key, ""};
    if (!n.key)
        n.key = xasprintf("%s|%s|%d|%s", level, file ? file : "", line, title);
    for (int i = 0; i < ns->n; i++) {
        struct note *x = &ns->v[i];
        if (strcmp(x->key, n.key))
            continue;
        if (tool && !strstr(x->tools, tool)) {
            size_t len = strlen(x->tools);
            snprintf(x->tools + len, sizeof x->tools - len, "%s%s", len ? ", " : "", tool);
        }
        if (!strchr(x->title, '`') && strchr(n.title, '`')) {
            char *t = x->title, *m = x->message;
            x->title = n.title;
            x->message = n.message;
            n.title = t;
            n.message = m;
        }
        note_free(&n);
        return;
    }
    if (ns->n == (int)(sizeof ns->v / sizeof ns->v[0])) {
        note_free(&n);
        return;
    }
    if (tool)
        snprintf(n.tools, sizeof n.tools, "%s", tool);
    ns->v[ns->n++] = n;
}

static int is_detector(const char *stage)
{
    return !strcmp(stage, "tsan") || !strcmp(stage, "helgrind") || !strcmp(stage, "drd") ||
           !strcmp(stage, "asan");
}

static void describe_access(struct strbuf *sb, const struct access *a, int here)
{
    char *file = workspace_path(a->file);
    sb_addf(sb, "%s", a->op ? a->op : "access");
    if (here)
        sb_puts(sb, " here");
    else
        sb_addf(sb, " at %s:%d", file ? file : "?", a->line);
    if (a->function)
        sb_addf(sb, " in %s()", a->function);
    if (a->thread)
        sb_addf(sb, " (%s)", a->thread);
    free(file);
}

/* The notes of one stage's findings; returns how many placed notes it produced. */
static int stage_notes(struct notes *ns, const char *kata, const struct stage_result *x)
{
    int placed = 0;
    for (size_t i = 0; i < x->findings.n; i++) {
        const struct finding *f = &x->findings.v[i];
        const struct access *a0 = f->naccess ? &f->access[0] : NULL;
        const char *kind = f->kind ? f->kind : "finding";
        if (!strcmp(kind, "warning") || !strcmp(kind, "compile error") ||
            !strcmp(kind, "link error") || !strcmp(kind, "refused")) {
            int warn = !strcmp(kind, "warning");
            const char *what = warn                       ? "compiler warning"
                               : !strcmp(kind, "refused") ? "refused"
                                                          : "does not compile";
            note(ns, warn ? "warning" : "error", workspace_path(a0 ? a0->file : NULL),
                 a0 ? a0->line : 0, xasprintf("%s: %s", kata, what),
                 xstrdup(f->headline ? f->headline : kind), NULL, NULL);
            placed += a0 && a0->file;
        } else if (!strcmp(kind, "assertion") || !strcmp(kind, "test ended early") ||
                   !strcmp(kind, "crash") || !strcmp(kind, "error")) {
            const char *test = a0 && a0->function ? a0->function : "a test";
            note(ns, "error", workspace_path(a0 ? a0->file : NULL), a0 ? a0->line : 0,
                 xasprintf("%s: %s failed", kata, test), xstrdup(f->headline ? f->headline : kind),
                 NULL, NULL);
            placed += a0 && a0->file;
        } else if (!strcmp(kind, "hang") || !strcmp(kind, "blocked thread")) {
            if (!a0 || !a0->in_learner || !a0->file)
                continue;
            note(ns, "error", workspace_path(a0->file), a0->line,
                 xasprintf("%s: a test hung", kata),
                 xasprintf("%s waited here in %s(), blocked in %s",
                           a0->thread ? a0->thread
                                      : "a "
                                        "thread",
                           a0->function ? a0->function : "?", a0->op ? a0->op : "?"),
                 NULL, NULL);
            placed++;
        } else if (is_detector(x->name) && f->in_learner) {
            /* each access in the learner's file gets a note naming the other one */
            for (int k = 0; k < f->naccess; k++) {
                const struct access *a = &f->access[k];
                if (!a->in_learner || !a->file || a->line <= 0)
                    continue;
                struct strbuf m = STRBUF_INIT;
                sb_init(&m);
                describe_access(&m, a, 1);
                for (int o = 0; o < f->naccess; o++)
                    if (o != k) {
                        sb_puts(&m, " vs ");
                        describe_access(&m, &f->access[o], 0);
                    }
                if (finding_has_atomic_access(f))
                    sb_puts(&m, ". One side is atomic and the other plain: make every access "
                                "atomic, or guard every access with one mutex that all threads "
                                "share.");
                else
                    sb_puts(&m, ". Guard every access with one mutex that all threads share, "
                                "or make it atomic.");
                char *title = f->variable ? xasprintf("%s: %s on `%s`", kata, kind, f->variable)
                                          : xasprintf("%s: %s", kata, kind);
                /* one note per line and kind, whichever detectors found it */
                char *file = workspace_path(a->file);
                char *key = xasprintf("%s|%s|%d", kind, file, a->line);
                note(ns, "error", file, a->line, title, sb_detach(&m), x->name, key);
                placed++;
            }
        }
    }
    return placed;
}

static void emit(FILE *f, const struct note *x)
{
    char *msg =
        x->tools[0] ? xasprintf("%s (found by %s)", x->message, x->tools) : xstrdup(x->message);
    char *line = gh_annotation(x->level, x->file, x->line, x->title, msg);
    fputs(line, f);
    free(line);
    free(msg);
}

int github_annotations(FILE *f, const struct grade_summary *g, int max_per_kata)
{
    int written = 0;
    for (int i = 0; i < g->ntampered; i++) {
        char *msg = xasprintf("%s was %s: this file is not the one the upstream recorded in its "
                              "checksum list, so the kata%s cannot be graded. Restore it with "
                              "`git checkout <upstream commit> -- %s`.",
                              g->tampered[i].path, g->tampered[i].what, g->nkatas == 1 ? "" : "s",
                              g->tampered[i].path);
        const char *file = strcmp(g->tampered[i].what, "missing") ? g->tampered[i].path : NULL;
        char *line = gh_annotation("error", file, 0, "tampered file", msg);
        fputs(line, f);
        free(line);
        free(msg);
        written++;
    }
    for (int i = 0; i < g->nkatas; i++) {
        const struct kata_score *s = &g->katas[i];
        if (!s->run) {
            if (s->state == GRADE_ERROR) {
                char *title = xasprintf("%s: not graded", s->kata);
                char *line = gh_annotation("error", NULL, 0, title, s->message);
                fputs(line, f);
                free(line);
                free(title);
                written++;
            }
            continue;
        }
        struct notes *ns = xcalloc(1, sizeof *ns);
        for (int j = 0; j < s->run->nstages; j++) {
            const struct stage_result *x = &s->run->stages[j];
            int placed = stage_notes(ns, s->kata, x);
            if (!placed && (x->status == ST_FAIL || x->status == ST_ERROR))
                note(ns, "error", NULL, 0,
                     xasprintf("%s: %s %s", s->kata, x->name,
                               x->status == ST_FAIL ? "failed" : "error"),
                     xstrdup(x->summary ? x->summary : "failed"), NULL, NULL);
        }
        /* errors first: GitHub shows only the first few of each level */
        int shown = 0;
        for (int pass = 0; pass < 2; pass++)
            for (int k = 0; k < ns->n; k++) {
                int err = !strcmp(ns->v[k].level, "error");
                if (err != (pass == 0) || shown == max_per_kata)
                    continue;
                emit(f, &ns->v[k]);
                shown++;
            }
        written += shown;
        for (int k = 0; k < ns->n; k++)
            note_free(&ns->v[k]);
        free(ns);
    }
    return written;
}

/* ---- the job summary ---- */

/* Text for a table cell: no line breaks, no column breaks, no HTML. */
static void md_cell(struct strbuf *sb, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '|': sb_puts(sb, "\\|"); break;
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '&': sb_puts(sb, "&amp;"); break;
        case '\n':
        case '\r': sb_puts(sb, " "); break;
        default: sb_add(sb, p, 1);
        }
    }
}

static const char *mark(const struct stage_score *st)
{
    if (!st)
        return "";
    switch (st->status) {
    case ST_PASS: return "✅";
    case ST_FAIL: return "❌";
    case ST_SKIP: return "➖";
    default: return "⚠️";
    }
}

char *github_summary_markdown(const struct grade_summary *g)
{
    struct grade_totals t = summary_totals(g);
    enum grade_state state = summary_state(g);
    const char *cols[MAX_STAGES * 2];
    int ncols = summary_columns(g, cols, MAX_STAGES * 2);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    sb_addf(&sb, "## Kata grades: %d / %d %s\n\n", t.points, t.possible,
            plural(t.possible, "point", "points"));
    if (state == GRADE_NOT_ATTEMPTED)
        sb_puts(&sb, "No kata attempted yet: edit `katas/<name>/<name>.c` and push.\n\n");
    else {
        sb_addf(&sb, "%d of %d attempted kata%s passed", t.passed, t.attempted,
                t.attempted == 1 ? "" : "s");
        if (t.not_attempted)
            sb_addf(&sb, "; %d not attempted", t.not_attempted);
        if (t.errors)
            sb_addf(&sb, "; %d could not be graded", t.errors);
        sb_puts(&sb, ".\n\n");
    }
    sb_puts(&sb, "| kata |");
    for (int c = 0; c < ncols; c++)
        sb_addf(&sb, " %s |", cols[c]);
    sb_puts(&sb, " points | time against the reference |\n| :-- |");
    for (int c = 0; c < ncols; c++)
        sb_puts(&sb, " :-: |");
    sb_puts(&sb, " --: | :-- |\n");
    for (int i = 0; i < g->nkatas; i++) {
        const struct kata_score *s = &g->katas[i];
        sb_puts(&sb, "| `");
        md_cell(&sb, s->kata);
        sb_puts(&sb, "` |");
        const struct stage_score *perf = NULL;
        for (int c = 0; c < ncols; c++) {
            const struct stage_score *st = score_stage(s, cols[c]);
            if (st && st->perf_measured)
                perf = st;
            if (!s->graded)
                sb_puts(&sb, c == 0 ? (s->state == GRADE_NOT_ATTEMPTED ? " not attempted |"
                                                                       : " ⚠️ not graded |")
                                    : " |");
            else
                sb_addf(&sb, " %s |", mark(st));
        }
        sb_addf(&sb, " %d / %d |", s->points, s->possible);
        if (perf)
            sb_addf(&sb, " %.2f× (%.2f s vs %.2f s; bound %.2f×) |", perf->ratio, perf->learner,
                    perf->reference, perf->bound);
        else
            sb_puts(&sb, " |");
        sb_puts(&sb, "\n");
    }
    int any = 0;
    for (int i = 0; i < g->nkatas; i++) {
        const struct kata_score *s = &g->katas[i];
        if (s->state != GRADE_FAIL && s->state != GRADE_ERROR)
            continue;
        if (!any++)
            sb_puts(&sb, "\n**What failed**\n\n");
        sb_puts(&sb, "- `");
        md_cell(&sb, s->kata);
        sb_puts(&sb, "`: ");
        md_cell(&sb, s->message ? s->message : "failed");
        sb_puts(&sb, "\n");
    }
    sb_puts(&sb, "\n");
    if (!g->integrity_checked) {
        sb_puts(&sb, "Integrity: not checked (`--no-verify`).\n");
    } else if (g->ntampered) {
        sb_addf(&sb,
                "Integrity: ⚠️ %d protected file%s differ%s from the upstream's, so "
                "nothing was graded:",
                g->ntampered, g->ntampered == 1 ? "" : "s", g->ntampered == 1 ? "s" : "");
        for (int i = 0; i < g->ntampered; i++) {
            sb_addf(&sb, "%s `", i ? "," : "");
            md_cell(&sb, g->tampered[i].path);
            sb_addf(&sb, "` (%s)", g->tampered[i].what);
        }
        sb_puts(&sb, ".\n");
    } else {
        sb_puts(&sb, "Integrity: tests, headers and harness as the upstream recorded them (`");
        md_cell(&sb, g->list ? g->list : CHECKSUMS_LIST);
        sb_addf(&sb, "`, sha256 `%.12s`).\n", g->list_sha256);
    }
    if (g->has_seed)
        sb_addf(&sb, "\nSeed %lu: replay with `SEED=%lu make grade`.\n", g->seed, g->seed);
    return sb_detach(&sb);
}

int github_report(FILE *f, const struct grade_summary *g, int annotate)
{
    const char *gha = getenv("GITHUB_ACTIONS");
    if (!gha || strcmp(gha, "true"))
        return 0;
    if (annotate)
        github_annotations(f, g, 10);
    const char *path = getenv("GITHUB_STEP_SUMMARY");
    if (!path || !*path)
        return 0;
    char *md = github_summary_markdown(g);
    FILE *out = fopen(path, "a");
    int rc = 0;
    if (!out || fputs(md, out) < 0 || fputc('\n', out) < 0)
        rc = error("cannot append the job summary to '%s': %s", path, strerror(errno));
    if (out && fclose(out) && !rc)
        rc = error("cannot append the job summary to '%s': %s", path, strerror(errno));
    free(md);
    return rc;
}
