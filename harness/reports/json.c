/* json.c: the verdict as JSON, in the shape of Exercism's test-runner results. */
#include "reports/report.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static void add_string(cJSON *o, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(o, key, value);
    else
        cJSON_AddNullToObject(o, key);
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

char *report_json(const struct run *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", 3);
    cJSON_AddStringToObject(o, "status", r->status == ST_PASS   ? "pass"
                                         : r->status == ST_FAIL ? "fail"
                                                                : "error");
    if (r->status == ST_ERROR)
        cJSON_AddStringToObject(o, "message", "the harness could not grade this submission");
    else
        cJSON_AddNullToObject(o, "message");
    cJSON_AddStringToObject(o, "kata", r->kata->name);
    cJSON_AddStringToObject(o, "source", r->src);
    cJSON_AddNumberToObject(o, "seed", (double)r->seed);
    if (r->isolation)
        cJSON_AddStringToObject(o, "isolation", r->isolation);
    if (r->limits)
        cJSON_AddStringToObject(o, "limits", r->limits);
    cJSON_AddNumberToObject(o, "duration", r->seconds);
    cJSON *tests = cJSON_AddArrayToObject(o, "tests");
    for (int i = 0; i < r->nstages; i++) {
        const struct stage_result *s = &r->stages[i];
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", s->name);
        cJSON_AddStringToObject(t, "status", status_word(s->status));
        add_string(t, "message", s->summary);
        add_string(t, "output", s->details);
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
        cJSON_AddItemToArray(tests, t);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        die("out of memory writing JSON");
    char *copy = xstrdup(text);
    cJSON_free(text);
    return copy;
}
