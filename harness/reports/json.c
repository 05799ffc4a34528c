/* json.c: the verdict as JSON, in the shape of Exercism's test-runner results (version 3). */
#include "reports/report.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The interface (exercism/docs, building/tooling/test-runners/interface.md) limits a test's
 * output to 500 characters, truncated with this note. */
#define OUTPUT_LIMIT 500
static const char truncated_note[] = "Output was truncated. Please limit to 500 chars";

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one: overlong
 * forms, surrogates and code points past U+10FFFF are not valid either. */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
        (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return n;
}

char *json_clean_text(const char *s, size_t max_chars)
{
    if (!s)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    size_t chars = 0;
    size_t total = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; total++)
        p += utf8_seq(p) ? utf8_seq(p) : 1;
    /* room for the note when the text is longer than the limit */
    size_t keep =
        max_chars && total > max_chars ? max_chars - (sizeof truncated_note - 1) - 1 : (size_t)-1;
    for (const unsigned char *p = (const unsigned char *)s; *p && chars < keep; chars++) {
        size_t n = utf8_seq(p);
        if (n)
            sb_add(&sb, (const char *)p, n);
        else
            sb_puts(&sb, "\xef\xbf\xbd"); /* U+FFFD, the replacement character */
        p += n ? n : 1;
    }
    if (keep != (size_t)-1) {
        sb_puts(&sb, "\n");
        sb_puts(&sb, truncated_note);
    }
    return sb_detach(&sb);
}

/* Adds a string (cleaned: tool output can hold any byte), or null for NULL. */
static void add_string(cJSON *o, const char *key, const char *value)
{
    char *clean = json_clean_text(value, 0);
    if (clean)
        cJSON_AddStringToObject(o, key, clean);
    else
        cJSON_AddNullToObject(o, key);
    free(clean);
}

static cJSON *finding_json(const struct finding *x)
{
    cJSON *o = cJSON_CreateObject();
    add_string(o, "kind", x->kind);
    add_string(o, "variable", x->variable);
    add_string(o, "headline", x->headline);
    cJSON_AddBoolToObject(o, "in_learner_file", x->in_learner);
    cJSON *acc = cJSON_AddArrayToObject(o, "accesses");
    for (int i = 0; i < x->naccess; i++) {
        const struct access *a = &x->access[i];
        cJSON *j = cJSON_CreateObject();
        add_string(j, "file", a->file);
        cJSON_AddNumberToObject(j, "line", a->line);
        add_string(j, "function", a->function);
        add_string(j, "op", a->op);
        add_string(j, "thread", a->thread);
        cJSON_AddItemToArray(acc, j);
    }
    return o;
}

/* A stage's line and the lines under it: the spec's message is not limited in length. */
static char *stage_message(const struct stage_result *s)
{
    if (!s->details)
        return s->summary ? xstrdup(s->summary) : NULL;
    return xasprintf("%s\n%s", s->summary ? s->summary : "", s->details);
}

static cJSON *stage_json(const struct stage_result *s)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", s->name);
    cJSON_AddStringToObject(t, "status", status_word(s->status));
    char *msg = stage_message(s);
    add_string(t, "message", msg);
    free(msg);
    /* the rest is ours, beside the interface's fields */
    cJSON_AddNumberToObject(t, "duration", s->seconds);
    cJSON_AddNumberToObject(t, "ignored_reports", s->hidden);
    if (s->perf.measured) {
        const struct perf_numbers *p = &s->perf;
        cJSON *pj = cJSON_AddObjectToObject(t, "perf");
        cJSON_AddNumberToObject(pj, "learner_seconds", p->learner);
        cJSON_AddNumberToObject(pj, "reference_seconds", p->reference);
        cJSON_AddNumberToObject(pj, "floor_seconds", p->floor);
        cJSON_AddNumberToObject(pj, "ratio", p->ratio);
        cJSON_AddNumberToObject(pj, "bound", p->bound);
        cJSON_AddNumberToObject(pj, "learner_cores", p->learner_cores);
        cJSON_AddNumberToObject(pj, "reference_cores", p->reference_cores);
        cJSON_AddNumberToObject(pj, "learner_peak_rss_kb", (double)p->learner_rss_kb);
        cJSON_AddNumberToObject(pj, "reference_peak_rss_kb", (double)p->reference_rss_kb);
        cJSON_AddNumberToObject(pj, "pairs", p->pairs);
        cJSON_AddNumberToObject(pj, "peak_in_flight", (double)p->peak_in_flight);
    }
    cJSON *fs = cJSON_AddArrayToObject(t, "findings");
    for (size_t k = 0; k < s->findings.n; k++)
        cJSON_AddItemToArray(fs, finding_json(&s->findings.v[k]));
    return t;
}

/* One Criterion test: its name, pass/fail/error, why, and what it printed (the learner's
 * code is the only thing in a test that prints to stdout). */
static cJSON *test_case_json(const struct test_case *c)
{
    cJSON *t = cJSON_CreateObject();
    add_string(t, "name", c->name);
    cJSON_AddStringToObject(t, "status", status_word(c->status));
    if (c->message) {
        char *m = xstrdup(c->message);
        add_string(t, "message", rtrim(m));
        free(m);
    }
    if (c->output) {
        char *out = json_clean_text(c->output, OUTPUT_LIMIT);
        cJSON_AddStringToObject(t, "output", out);
        free(out);
    }
    return t;
}

/* Why the run is an error, or NULL when it is not one: the build did not pass (the tests
 * never ran: the compiler's output says why), or the harness failed. */
static char *error_message(const struct run *r)
{
    const struct stage_result *build = run_stage(r, "build");
    if (build && build->status != ST_PASS && build->status != ST_SKIP)
        return stage_message(build);
    if (r->status != ST_ERROR)
        return NULL;
    for (int i = 0; i < r->nstages; i++)
        if (r->stages[i].status == ST_ERROR)
            return xasprintf("the harness could not grade this submission: %s: %s",
                             r->stages[i].name,
                             r->stages[i].summary ? r->stages[i].summary : "failed");
    return xstrdup("the harness could not grade this submission");
}

cJSON *report_json_object(const struct run *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", 3);
    char *why = error_message(r);
    cJSON_AddStringToObject(o, "status", why ? "error" : r->status == ST_PASS ? "pass" : "fail");
    if (why)
        add_string(o, "message", why);
    free(why);
    cJSON *tests = cJSON_AddArrayToObject(o, "tests");
    for (int i = 0; i < r->nstages; i++) {
        const struct stage_result *s = &r->stages[i];
        if (s->status == ST_SKIP)
            continue; /* the interface has no "skip": a stage that did not run is left out */
        /* each Criterion test by name, then the stage: the first failure is the one shown */
        for (int k = 0; k < s->ntests; k++)
            if (s->tests[k].status != ST_SKIP) /* not run after a hang: the stage says so */
                cJSON_AddItemToArray(tests, test_case_json(&s->tests[k]));
        cJSON_AddItemToArray(tests, stage_json(s));
    }
    add_string(o, "kata", r->kata->name);
    add_string(o, "source", r->src);
    cJSON_AddNumberToObject(o, "seed", (double)r->seed);
    if (r->isolation)
        add_string(o, "isolation", r->isolation);
    if (r->limits)
        add_string(o, "limits", r->limits);
    cJSON_AddNumberToObject(o, "duration", r->seconds);
    return o;
}

char *report_json_print(cJSON *o)
{
    char *text = cJSON_Print(o);
    if (!text)
        die("out of memory writing JSON");
    char *copy = xstrdup(text);
    cJSON_free(text);
    return copy;
}

char *report_json(const struct run *r)
{
    cJSON *o = report_json_object(r);
    char *text = report_json_print(o);
    cJSON_Delete(o);
    return text;
}
