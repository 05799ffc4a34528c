/* scores.c: points per kata and stage, summary.json written and read, the scoreboard. */
#include "scores.h"

#include "reports/report.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The usual stages, in the order a table shows them. */
static const char *const usual_stages[] = {"build", "test",    "tsan", "helgrind", "drd",
                                           "asan",  "explore", "perf", NULL};
static int stage_index(const struct kata *k, const char *stage)
{
    for (int i = 0; i < k->nstages; i++)
        if (!strcmp(k->stages[i], stage))
            return i;
    return -1;
}

const char *grade_state_word(enum grade_state s)
{
    switch (s) {
    case GRADE_PASS: return "pass";
    case GRADE_FAIL: return "fail";
    case GRADE_ERROR: return "error";
    default: return "not attempted";
    }
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* A path as the repository names it: relative to the root when it is below it. */
static char *repo_path(const struct run *r, const char *path)
{
    if (!path)
        return NULL;
    if (path[0] != '/')
        return xstrdup(starts_with(path, "./") ? path + 2 : path);
    (void)r; /* the repository root is the working folder */
    char *base = real_path(".");
    size_t n = base ? strlen(base) : 0;
    char *rel =
        base && !strncmp(path, base, n) && path[n] == '/' ? xstrdup(path + n + 1) : xstrdup(path);
    free(base);
    return rel;
}

/* The first access of x's findings that is in the learner's file and has a line. */
static const struct access *learner_place(const struct run *r, const struct stage_result *x)
{
    for (size_t i = 0; i < x->findings.n; i++)
        for (int k = 0; k < x->findings.v[i].naccess; k++) {
            const struct access *a = &x->findings.v[i].access[k];
            if (a->file && a->line > 0 &&
                (a->in_learner || (r->src_real && same_source(".", a->file, r->src_real))))
                return a;
        }
    return NULL;
}

/* The test stage's tests, each with its first failure (the finding naming it). */
static void score_tests(struct stage_score *st, const struct run *r, const struct stage_result *x)
{
    if (!x->ntests)
        return;
    st->tests = xcalloc((size_t)x->ntests, sizeof *st->tests);
    for (int i = 0; i < x->ntests; i++) {
        struct test_score *t = &st->tests[st->ntests++];
        t->name = xstrdup(x->tests[i].name);
        t->status = x->tests[i].status;
        t->seconds = x->tests[i].seconds;
        for (size_t j = 0; j < x->findings.n && t->status == ST_FAIL && !t->message; j++) {
            const struct finding *f = &x->findings.v[j];
            const struct access *a = f->naccess ? &f->access[0] : NULL;
            if (!a || !a->function || strcmp(a->function, t->name))
                continue;
            t->message = xstrdup(f->headline ? f->headline : f->kind ? f->kind : "failed");
            t->file = repo_path(r, a->file);
            t->line = a->line;
        }
    }
}

void score_run(struct kata_score *s, const struct run *r)
{
    const struct kata *k = r->kata;
    const int *weights = k->points;
    memset(s, 0, sizeof *s);
    s->kata = xstrdup(k->name);
    s->title = xstrdup(k->title);
    s->source = repo_path(r, r->src ? r->src : k->starter);
    s->order = k->order;
    s->seed = r->seed;
    s->isolation = dup_or_null(r->isolation);
    s->seconds = r->seconds;
    s->run = r;
    s->graded = 1;
    for (int i = 0; i < k->nstages; i++)
        s->possible += weights[i];
    const struct stage_result *first_bad = NULL;
    for (int i = 0; i < r->nstages && s->nstages < MAX_STAGES; i++) {
        const struct stage_result *x = &r->stages[i];
        struct stage_score *st = &s->stages[s->nstages++];
        int w = stage_index(k, x->name);
        st->name = xstrdup(x->name);
        st->status = x->status;
        st->possible = w >= 0 ? weights[w] : 0;
        st->points = x->status == ST_PASS ? st->possible : 0;
        st->seconds = x->seconds;
        st->summary = dup_or_null(x->summary);
        if (x->perf.measured) {
            st->perf_measured = 1;
            st->learner = x->perf.learner;
            st->reference = x->perf.reference;
            st->ratio = x->perf.ratio;
            st->bound = x->perf.bound;
        }
        const struct access *at = learner_place(r, x);
        if (at) {
            st->file = repo_path(r, at->file);
            st->line = at->line;
        }
        score_tests(st, r, x);
        s->points += st->points;
        if (!first_bad && (x->status == ST_FAIL || x->status == ST_ERROR))
            first_bad = x;
    }
    s->state = r->status == ST_PASS ? GRADE_PASS : r->status == ST_FAIL ? GRADE_FAIL : GRADE_ERROR;
    if (s->state != GRADE_PASS)
        s->message = first_bad ? xasprintf("%s: %s", first_bad->name,
                                           first_bad->summary ? first_bad->summary : "failed")
                               : xstrdup("the harness could not grade this submission");
}

void score_not_graded(struct kata_score *s, const struct kata *k, enum grade_state state,
                      const char *message, const char *note, unsigned long seed)
{
    const int *weights = k->points;
    memset(s, 0, sizeof *s);
    s->kata = xstrdup(k->name);
    s->title = xstrdup(k->title);
    s->source = dup_or_null(k->starter);
    s->order = k->order;
    s->state = state;
    s->message = dup_or_null(message);
    s->seed = seed;
    for (int i = 0; i < k->nstages && i < MAX_STAGES; i++) {
        struct stage_score *st = &s->stages[s->nstages++];
        st->name = xstrdup(k->stages[i]);
        st->status = ST_SKIP;
        st->possible = weights[i];
        st->summary = dup_or_null(note);
        s->possible += weights[i];
    }
}

void kata_score_release(struct kata_score *s)
{
    free(s->kata);
    free(s->title);
    free(s->message);
    free(s->source);
    free(s->isolation);
    for (int i = 0; i < s->nstages; i++) {
        struct stage_score *st = &s->stages[i];
        free(st->name);
        free(st->summary);
        free(st->file);
        for (int j = 0; j < st->ntests; j++) {
            free(st->tests[j].name);
            free(st->tests[j].message);
            free(st->tests[j].file);
        }
        free(st->tests);
    }
    memset(s, 0, sizeof *s);
}

struct grade_totals summary_totals(const struct grade_summary *g)
{
    struct grade_totals t = {0};
    for (int i = 0; i < g->nkatas; i++) {
        const struct kata_score *s = &g->katas[i];
        t.points += s->points;
        t.possible += s->possible;
        if (s->state == GRADE_NOT_ATTEMPTED) {
            t.not_attempted++;
            continue;
        }
        t.attempted++;
        if (s->state == GRADE_PASS)
            t.passed++;
        else if (s->state == GRADE_FAIL)
            t.failed++;
        else
            t.errors++;
    }
    return t;
}

enum grade_state summary_state(const struct grade_summary *g)
{
    struct grade_totals t = summary_totals(g);
    if (t.errors || g->ntampered)
        return GRADE_ERROR;
    if (t.failed)
        return GRADE_FAIL;
    if (!t.attempted)
        return GRADE_NOT_ATTEMPTED;
    return GRADE_PASS;
}

int summary_exit_code(const struct grade_summary *g)
{
    switch (summary_state(g)) {
    case GRADE_ERROR: return 3;
    case GRADE_FAIL: return 1;
    default: return 0;
    }
}

/* ---- summary.json ---- */

/* Seconds to the millisecond: a report need not carry 17 digits of timer noise. */
static double ms(double seconds)
{
    return (double)(long long)(seconds * 1000 + (seconds < 0 ? -0.5 : 0.5)) / 1000;
}

static void add_string(cJSON *o, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(o, key, value);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *stage_json(const struct stage_score *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", st->name);
    cJSON_AddStringToObject(o, "status", status_word(st->status));
    cJSON_AddNumberToObject(o, "points", st->points);
    cJSON_AddNumberToObject(o, "possible", st->possible);
    cJSON_AddNumberToObject(o, "duration", ms(st->seconds));
    add_string(o, "message", st->summary);
    if (st->perf_measured) {
        cJSON *p = cJSON_AddObjectToObject(o, "perf");
        cJSON_AddNumberToObject(p, "learner_seconds", ms(st->learner));
        cJSON_AddNumberToObject(p, "reference_seconds", ms(st->reference));
        cJSON_AddNumberToObject(p, "ratio", ms(st->ratio));
        cJSON_AddNumberToObject(p, "bound", ms(st->bound));
    }
    if (st->file) {
        cJSON_AddStringToObject(o, "file", st->file);
        cJSON_AddNumberToObject(o, "line", st->line);
    }
    if (st->ntests) {
        cJSON *tests = cJSON_AddArrayToObject(o, "tests");
        for (int i = 0; i < st->ntests; i++) {
            const struct test_score *t = &st->tests[i];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "name", t->name);
            cJSON_AddStringToObject(x, "status", status_word(t->status));
            cJSON_AddNumberToObject(x, "duration", ms(t->seconds));
            if (t->message)
                cJSON_AddStringToObject(x, "message", t->message);
            if (t->file) {
                cJSON_AddStringToObject(x, "file", t->file);
                cJSON_AddNumberToObject(x, "line", t->line);
            }
            cJSON_AddItemToArray(tests, x);
        }
    }
    return o;
}

char *summary_to_json(const struct grade_summary *g)
{
    struct grade_totals t = summary_totals(g);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", 1);
    cJSON_AddStringToObject(o, "status", grade_state_word(summary_state(g)));
    cJSON_AddNumberToObject(o, "points", t.points);
    cJSON_AddNumberToObject(o, "possible", t.possible);
    if (g->has_seed)
        cJSON_AddNumberToObject(o, "seed", (double)g->seed);
    else
        cJSON_AddNullToObject(o, "seed");
    /* the whole grading is isolated only if every kata was: the first "none" says why not */
    const char *isolation = NULL;
    for (int i = 0; i < g->nkatas; i++)
        if (g->katas[i].isolation && (!isolation || starts_with(g->katas[i].isolation, "none")))
            if (!isolation || !starts_with(isolation, "none"))
                isolation = g->katas[i].isolation;
    add_string(o, "isolation", isolation);
    cJSON *in = cJSON_AddObjectToObject(o, "integrity");
    cJSON_AddBoolToObject(in, "checked", g->integrity_checked);
    cJSON_AddBoolToObject(in, "ok", g->integrity_checked && g->ntampered == 0);
    add_string(in, "list", g->list);
    add_string(in, "list_sha256", g->list_sha256[0] ? g->list_sha256 : NULL);
    cJSON *tv = cJSON_AddArrayToObject(in, "tampered");
    for (int i = 0; i < g->ntampered; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "path", g->tampered[i].path);
        cJSON_AddStringToObject(x, "what", g->tampered[i].what);
        cJSON_AddItemToArray(tv, x);
    }
    cJSON *katas = cJSON_AddArrayToObject(o, "katas");
    for (int i = 0; i < g->nkatas; i++) {
        const struct kata_score *s = &g->katas[i];
        cJSON *k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "name", s->kata);
        add_string(k, "title", s->title);
        add_string(k, "source", s->source);
        cJSON_AddNumberToObject(k, "order", s->order);
        cJSON_AddStringToObject(k, "status", grade_state_word(s->state));
        cJSON_AddBoolToObject(k, "graded", s->graded);
        add_string(k, "message", s->message);
        cJSON_AddNumberToObject(k, "points", s->points);
        cJSON_AddNumberToObject(k, "possible", s->possible);
        cJSON_AddNumberToObject(k, "duration", ms(s->seconds));
        cJSON_AddNumberToObject(k, "seed", (double)s->seed);
        add_string(k, "isolation", s->isolation);
        cJSON *stages = cJSON_AddArrayToObject(k, "stages");
        for (int j = 0; j < s->nstages; j++)
            cJSON_AddItemToArray(stages, stage_json(&s->stages[j]));
        cJSON_AddItemToArray(katas, k);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        die("out of memory writing JSON");
    char *copy = xstrdup(text);
    cJSON_free(text);
    return copy;
}

static const char *get_string(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double get_number(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static enum status status_from_word(const char *w)
{
    if (!w)
        return ST_ERROR;
    if (!strcmp(w, "pass"))
        return ST_PASS;
    if (!strcmp(w, "fail"))
        return ST_FAIL;
    if (!strcmp(w, "skip"))
        return ST_SKIP;
    return ST_ERROR;
}

static enum grade_state state_from_word(const char *w)
{
    if (w && !strcmp(w, "pass"))
        return GRADE_PASS;
    if (w && !strcmp(w, "fail"))
        return GRADE_FAIL;
    if (w && !strcmp(w, "not attempted"))
        return GRADE_NOT_ATTEMPTED;
    return GRADE_ERROR;
}

/* The static word for a tampered file's state, so the struct keeps its static `what`. */
static const char *what_word(const char *w)
{
    if (w && !strcmp(w, "missing"))
        return "missing";
    if (w && !strcmp(w, "added"))
        return "added";
    return "changed";
}

static void read_kata(const cJSON *k, struct kata_score *s)
{
    memset(s, 0, sizeof *s);
    s->kata = xstrdup(get_string(k, "name"));
    s->title = dup_or_null(get_string(k, "title"));
    s->source = dup_or_null(get_string(k, "source"));
    s->order = (int)get_number(k, "order", 99);
    s->state = state_from_word(get_string(k, "status"));
    s->graded = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "graded"));
    s->message = dup_or_null(get_string(k, "message"));
    s->points = (int)get_number(k, "points", 0);
    s->possible = (int)get_number(k, "possible", 0);
    s->seconds = get_number(k, "duration", 0);
    s->seed = (unsigned long)get_number(k, "seed", 0);
    s->isolation = dup_or_null(get_string(k, "isolation"));
    const cJSON *st;
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(k, "stages"))
    {
        if (s->nstages == MAX_STAGES || !get_string(st, "name"))
            continue;
        struct stage_score *x = &s->stages[s->nstages++];
        x->name = xstrdup(get_string(st, "name"));
        x->status = status_from_word(get_string(st, "status"));
        x->points = (int)get_number(st, "points", 0);
        x->possible = (int)get_number(st, "possible", 0);
        x->seconds = get_number(st, "duration", 0);
        x->summary = dup_or_null(get_string(st, "message"));
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(st, "perf");
        if (cJSON_IsObject(p)) {
            x->perf_measured = 1;
            x->learner = get_number(p, "learner_seconds", 0);
            x->reference = get_number(p, "reference_seconds", 0);
            x->ratio = get_number(p, "ratio", 0);
            x->bound = get_number(p, "bound", 0);
        }
        x->file = dup_or_null(get_string(st, "file"));
        x->line = x->file ? (int)get_number(st, "line", 0) : 0;
        const cJSON *tests = cJSON_GetObjectItemCaseSensitive(st, "tests");
        int nt = cJSON_IsArray(tests) ? cJSON_GetArraySize(tests) : 0;
        x->tests = nt ? xcalloc((size_t)nt, sizeof *x->tests) : NULL;
        const cJSON *t;
        cJSON_ArrayForEach(t, tests)
        {
            if (!get_string(t, "name") || x->ntests == nt)
                continue;
            struct test_score *y = &x->tests[x->ntests++];
            y->name = xstrdup(get_string(t, "name"));
            y->status = status_from_word(get_string(t, "status"));
            y->seconds = get_number(t, "duration", 0);
            y->message = dup_or_null(get_string(t, "message"));
            y->file = dup_or_null(get_string(t, "file"));
            y->line = y->file ? (int)get_number(t, "line", 0) : 0;
        }
    }
}

int summary_from_json(const char *text, const char *what, struct grade_summary *g)
{
    memset(g, 0, sizeof *g);
    cJSON *o = cJSON_Parse(text);
    if (!o)
        return error("%s is not valid JSON (near '%.20s')", what, cJSON_GetErrorPtr());
    const cJSON *katas = cJSON_GetObjectItemCaseSensitive(o, "katas");
    if (get_number(o, "version", 0) != 1 || !cJSON_IsArray(katas)) {
        cJSON_Delete(o);
        return error("%s is not a summary written by `kata grade` (version 1)", what);
    }
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(o, "seed");
    g->has_seed = cJSON_IsNumber(seed);
    g->seed = g->has_seed ? (unsigned long)seed->valuedouble : 0;
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(o, "integrity");
    g->integrity_checked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "checked"));
    g->list = dup_or_null(get_string(in, "list"));
    const char *sha = get_string(in, "list_sha256");
    snprintf(g->list_sha256, sizeof g->list_sha256, "%s", sha ? sha : "");
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(in, "tampered"))
    {
        if (!get_string(t, "path"))
            continue;
        g->tampered = xrealloc(g->tampered, sizeof *g->tampered * (size_t)(g->ntampered + 1));
        g->tampered[g->ntampered].path = xstrdup(get_string(t, "path"));
        g->tampered[g->ntampered].what = what_word(get_string(t, "what"));
        g->ntampered++;
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, katas)
    {
        if (!get_string(k, "name"))
            continue;
        g->katas = xrealloc(g->katas, sizeof *g->katas * (size_t)(g->nkatas + 1));
        read_kata(k, &g->katas[g->nkatas++]);
    }
    cJSON_Delete(o);
    return 0;
}

static int by_curriculum(const void *a, const void *b)
{
    const struct kata_score *x = a, *y = b;
    return x->order != y->order ? x->order - y->order : strcmp(x->kata, y->kata);
}

void summary_merge(struct grade_summary *dst, struct grade_summary *src)
{
    int fresh = dst->nkatas == 0 && !dst->has_seed && !dst->list && !dst->ntampered;
    if (fresh) {
        dst->seed = src->seed;
        dst->has_seed = src->has_seed;
        dst->integrity_checked = src->integrity_checked;
        memcpy(dst->list_sha256, src->list_sha256, sizeof dst->list_sha256);
    } else {
        if (!src->has_seed || !dst->has_seed || src->seed != dst->seed)
            dst->has_seed = 0;
        dst->integrity_checked = dst->integrity_checked && src->integrity_checked;
        if (strcmp(dst->list_sha256, src->list_sha256))
            snprintf(dst->list_sha256, sizeof dst->list_sha256, "%s", "(differs between jobs)");
    }
    if (!dst->list && src->list) {
        dst->list = src->list;
        src->list = NULL;
    }
    for (int i = 0; i < src->ntampered; i++) {
        int have = 0;
        for (int j = 0; j < dst->ntampered && !have; j++)
            have = !strcmp(dst->tampered[j].path, src->tampered[i].path);
        if (have) {
            free(src->tampered[i].path);
            continue;
        }
        dst->tampered =
            xrealloc(dst->tampered, sizeof *dst->tampered * (size_t)(dst->ntampered + 1));
        dst->tampered[dst->ntampered++] = src->tampered[i];
    }
    free(src->tampered);
    src->tampered = NULL;
    src->ntampered = 0;
    for (int i = 0; i < src->nkatas; i++) {
        int j;
        for (j = 0; j < dst->nkatas; j++)
            if (!strcmp(dst->katas[j].kata, src->katas[i].kata))
                break;
        if (j == dst->nkatas)
            dst->katas = xrealloc(dst->katas, sizeof *dst->katas * (size_t)++dst->nkatas);
        else
            kata_score_release(&dst->katas[j]);
        dst->katas[j] = src->katas[i];
    }
    free(src->katas);
    src->katas = NULL;
    src->nkatas = 0;
    if (dst->nkatas)
        qsort(dst->katas, (size_t)dst->nkatas, sizeof *dst->katas, by_curriculum);
}

void summary_release(struct grade_summary *g)
{
    for (int i = 0; i < g->nkatas; i++)
        kata_score_release(&g->katas[i]);
    free(g->katas);
    for (int i = 0; i < g->ntampered; i++)
        free(g->tampered[i].path);
    free(g->tampered);
    free(g->list);
    memset(g, 0, sizeof *g);
}

int summary_columns(const struct grade_summary *g, const char **cols, int max)
{
    int n = 0;
    for (int u = 0; usual_stages[u] && n < max; u++)
        for (int i = 0; i < g->nkatas; i++)
            if (score_stage(&g->katas[i], usual_stages[u])) {
                cols[n++] = usual_stages[u];
                break;
            }
    for (int i = 0; i < g->nkatas; i++)
        for (int j = 0; j < g->katas[i].nstages && n < max; j++) {
            const char *name = g->katas[i].stages[j].name;
            int have = 0;
            for (int c = 0; c < n && !have; c++)
                have = !strcmp(cols[c], name);
            if (!have)
                cols[n++] = name;
        }
    return n;
}

const struct stage_score *score_stage(const struct kata_score *s, const char *name)
{
    for (int i = 0; i < s->nstages; i++)
        if (!strcmp(s->stages[i].name, name))
            return &s->stages[i];
    return NULL;
}

/* ---- the scoreboard ---- */

static const char *cell(const struct stage_score *st)
{
    if (!st)
        return "-";
    switch (st->status) {
    case ST_PASS: return "pass";
    case ST_FAIL: return "FAIL";
    case ST_SKIP: return "skip";
    default: return "ERROR";
    }
}

void scoreboard_text(FILE *f, const struct grade_summary *g)
{
    const char *cols[MAX_STAGES * 2];
    int ncols = summary_columns(g, cols, MAX_STAGES * 2);
    int kw = 4;
    for (int i = 0; i < g->nkatas; i++)
        if ((int)strlen(g->katas[i].kata) > kw)
            kw = (int)strlen(g->katas[i].kata);
    fprintf(f, "Scoreboard\n\n  %-*s", kw, "kata");
    for (int c = 0; c < ncols; c++)
        fprintf(f, "  %-*s", (int)strlen(cols[c]) > 5 ? (int)strlen(cols[c]) : 5, cols[c]);
    fprintf(f, "  %9s  %s\n", "points", "time against the reference");
    for (int i = 0; i < g->nkatas; i++) {
        const struct kata_score *s = &g->katas[i];
        fprintf(f, "  %-*s", kw, s->kata);
        const struct stage_score *perf = NULL;
        struct strbuf row = STRBUF_INIT;
        sb_init(&row);
        if (!s->graded) {
            /* one phrase across the stage columns */
            int width = 0;
            for (int c = 0; c < ncols; c++)
                width += 2 + ((int)strlen(cols[c]) > 5 ? (int)strlen(cols[c]) : 5);
            sb_addf(&row, "  %-*s", width - 2,
                    s->state == GRADE_NOT_ATTEMPTED ? "not attempted" : "ERROR: not graded");
        } else {
            for (int c = 0; c < ncols; c++) {
                const struct stage_score *st = score_stage(s, cols[c]);
                if (st && st->perf_measured)
                    perf = st;
                sb_addf(&row, "  %-*s", (int)strlen(cols[c]) > 5 ? (int)strlen(cols[c]) : 5,
                        cell(st));
            }
        }
        char pts[32];
        snprintf(pts, sizeof pts, "%d / %d", s->points, s->possible);
        fprintf(f, "%s  %9s", row.buf, pts);
        sb_release(&row);
        if (perf)
            fprintf(f, "  %.2fx (%.2f s vs %.2f s; bound %.2fx)", perf->ratio, perf->learner,
                    perf->reference, perf->bound);
        fputc('\n', f);
    }
    struct grade_totals t = summary_totals(g);
    fprintf(f, "\n  total %d / %d %s: ", t.points, t.possible,
            plural(t.possible, "point", "points"));
    if (!t.attempted)
        fprintf(f, "no kata attempted yet");
    else
        fprintf(f, "%d of %d attempted kata%s passed", t.passed, t.attempted,
                t.attempted == 1 ? "" : "s");
    if (t.attempted && t.not_attempted)
        fprintf(f, ", %d not attempted", t.not_attempted);
    if (t.errors)
        fprintf(f, ", %d could not be graded", t.errors);
    fputc('\n', f);
    if (!g->integrity_checked)
        fprintf(f, "  integrity: not checked (--no-verify)\n");
    else if (g->ntampered) {
        fprintf(f, "  integrity: %d protected file%s differ%s from the upstream's:", g->ntampered,
                g->ntampered == 1 ? "" : "s", g->ntampered == 1 ? "s" : "");
        for (int i = 0; i < g->ntampered; i++)
            fprintf(f, "%s %s (%s)", i ? "," : "", g->tampered[i].path, g->tampered[i].what);
        fputc('\n', f);
    } else {
        fprintf(f,
                "  integrity: tests, headers and harness as the upstream recorded them (%s, "
                "sha256 %.12s)\n",
                g->list ? g->list : CHECKSUMS_LIST, g->list_sha256);
    }
    if (g->has_seed)
        fprintf(f, "  seed %lu: replay with SEED=%lu make grade\n", g->seed, g->seed);
}
