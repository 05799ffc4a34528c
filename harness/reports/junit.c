/* junit.c: the grading as JUnit XML: a testsuite per kata, a testcase per stage. */
#include "reports/junit.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at p that XML may carry, or 0 when it is not one. */
static size_t utf8_ok(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xe0 && p[0] <= 0xef) {
        unsigned lo = p[0] == 0xe0 ? 0xa0 : 0x80, hi = p[0] == 0xed ? 0x9f : 0xbf;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
            return 0;
        if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
            return 0; /* U+FFFE and U+FFFF are not XML characters */
        return 3;
    }
    if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        unsigned lo = p[0] == 0xf0 ? 0x90 : 0x80, hi = p[0] == 0xf4 ? 0x8f : 0xbf;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

char *junit_escape(const char *s, int attribute)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned char c = *p;
        switch (c) {
        case '&': sb_puts(&sb, "&amp;"); break;
        case '<': sb_puts(&sb, "&lt;"); break;
        case '>': sb_puts(&sb, "&gt;"); break;
        case '"': sb_puts(&sb, "&quot;"); break;
        case '\'': sb_puts(&sb, "&apos;"); break;
        case '\r': sb_puts(&sb, "&#13;"); break;
        case '\n': sb_puts(&sb, attribute ? "&#10;" : "\n"); break;
        case '\t': sb_puts(&sb, attribute ? "&#9;" : "\t"); break;
        default:
            if (c < 0x20) {
                sb_addf(&sb, "\\x%02x", c);
            } else {
                size_t n = utf8_ok(p);
                if (!n) {
                    sb_addf(&sb, "\\x%02x", c);
                    n = 1;
                } else {
                    sb_add(&sb, (const char *)p, n);
                }
                p += n;
                continue;
            }
        }
        p++;
    }
    return sb_detach(&sb);
}

static void put(struct strbuf *sb, const char *s, int attribute)
{
    char *e = junit_escape(s, attribute);
    sb_puts(sb, e);
    free(e);
}

/* Kinds whose text is in the stage's details already (as in the text report). */
static int in_details(const char *kind)
{
    static const char *const kinds[] = {
        "warning", "compile error", "link error",     "assertion", "crash", "test ended early",
        "error",   "hang",          "blocked thread", "refused",   NULL};
    for (int i = 0; kinds[i]; i++)
        if (!strcmp(kind, kinds[i]))
            return 1;
    return 0;
}

static void add_access(struct strbuf *sb, const struct access *a)
{
    sb_addf(sb, "%s at %s:%d", a->op ? a->op : "access", a->file ? a->file : "?", a->line);
    if (a->function && a->thread)
        sb_addf(sb, " (in %s(), %s)", a->function, a->thread);
    else if (a->function)
        sb_addf(sb, " (in %s())", a->function);
    else if (a->thread)
        sb_addf(sb, " (%s)", a->thread);
}

/* The body of a failure: the summary, the details, then findings not already in them. */
static char *failure_text(const struct stage_score *st, const struct stage_result *x)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    if (st->summary)
        sb_addf(&sb, "%s\n", st->summary);
    if (x && x->details) {
        sb_addf(&sb, "\n%s", x->details);
        if (!ends_with(x->details, "\n"))
            sb_puts(&sb, "\n");
    }
    for (size_t i = 0; x && i < x->findings.n; i++) {
        const struct finding *f = &x->findings.v[i];
        if (!f->in_learner || in_details(f->kind))
            continue;
        sb_addf(&sb, "\n%s", f->kind);
        if (f->variable)
            sb_addf(&sb, " on `%s`", f->variable);
        sb_puts(&sb, ":");
        for (int k = 0; k < f->naccess; k++) {
            sb_puts(&sb, k ? "\n  vs " : "\n     ");
            add_access(&sb, &f->access[k]);
        }
        sb_puts(&sb, "\n");
    }
    return sb_detach(&sb);
}

static const struct stage_result *run_result(const struct kata_score *s, const char *stage)
{
    return s->run ? run_stage(s->run, stage) : NULL;
}

static void add_testcase(struct strbuf *sb, const struct kata_score *s,
                         const struct stage_score *st)
{
    const struct stage_result *x = run_result(s, st->name);
    sb_puts(sb, "    <testcase classname=\"");
    put(sb, s->kata, 1);
    sb_puts(sb, "\" name=\"");
    put(sb, st->name, 1);
    sb_addf(sb, "\" time=\"%.3f\"", st->seconds);
    if (st->status == ST_PASS && !st->perf_measured) {
        sb_puts(sb, "/>\n");
        return;
    }
    sb_puts(sb, ">\n");
    const char *tag = st->status == ST_FAIL ? "failure" : st->status == ST_ERROR ? "error" : NULL;
    if (st->status == ST_SKIP) {
        sb_puts(sb, "      <skipped message=\"");
        put(sb, st->summary, 1);
        sb_puts(sb, "\"/>\n");
    } else if (tag) {
        char *body = failure_text(st, x);
        sb_addf(sb, "      <%s message=\"", tag);
        put(sb, st->summary ? st->summary : "failed", 1);
        sb_puts(sb, "\" type=\"");
        put(sb, st->name, 1);
        sb_puts(sb, "\">");
        put(sb, body, 0);
        sb_addf(sb, "</%s>\n", tag);
        free(body);
    }
    if (st->perf_measured)
        sb_addf(sb,
                "      <system-out>learner %.3f s, reference %.3f s: %.2fx the reference's "
                "time (bound %.2fx)</system-out>\n",
                st->learner, st->reference, st->ratio, st->bound);
    sb_puts(sb, "    </testcase>\n");
}

struct counts {
    int tests, failures, errors, skipped;
    double seconds;
};

static struct counts count(const struct kata_score *s)
{
    struct counts c = {0, 0, 0, 0, s->seconds};
    for (int i = 0; i < s->nstages; i++) {
        c.tests++;
        c.failures += s->stages[i].status == ST_FAIL;
        c.errors += s->stages[i].status == ST_ERROR;
        c.skipped += s->stages[i].status == ST_SKIP;
    }
    if (!s->graded && s->state == GRADE_ERROR) {
        c.tests++;
        c.errors++;
    }
    return c;
}

char *report_junit(const struct grade_summary *g)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    struct counts all = {0, 0, 0, 0, 0};
    for (int i = 0; i < g->nkatas; i++) {
        struct counts c = count(&g->katas[i]);
        all.tests += c.tests;
        all.failures += c.failures;
        all.errors += c.errors;
        all.skipped += c.skipped;
        all.seconds += c.seconds;
    }
    sb_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb_addf(&sb,
            "<testsuites name=\"kata grade\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
            "skipped=\"%d\" time=\"%.3f\">\n",
            all.tests, all.failures, all.errors, all.skipped, all.seconds);
    for (int i = 0; i < g->nkatas; i++) {
        const struct kata_score *s = &g->katas[i];
        struct counts c = count(s);
        sb_puts(&sb, "  <testsuite name=\"");
        put(&sb, s->kata, 1);
        sb_addf(&sb,
                "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
                c.tests, c.failures, c.errors, c.skipped, c.seconds);
        sb_addf(&sb,
                "    <properties>\n"
                "      <property name=\"seed\" value=\"%lu\"/>\n"
                "      <property name=\"points\" value=\"%d/%d\"/>\n"
                "      <property name=\"status\" value=\"%s\"/>\n"
                "    </properties>\n",
                s->seed, s->points, s->possible, grade_state_word(s->state));
        if (!s->graded && s->state == GRADE_ERROR) {
            sb_puts(&sb, "    <testcase classname=\"");
            put(&sb, s->kata, 1);
            sb_puts(&sb, "\" name=\"not graded\" time=\"0.000\">\n      <error message=\"");
            put(&sb, s->message ? s->message : "not graded", 1);
            sb_puts(&sb, "\" type=\"integrity\">");
            put(&sb, s->message, 0);
            sb_puts(&sb, "</error>\n    </testcase>\n");
        }
        for (int j = 0; j < s->nstages; j++)
            add_testcase(&sb, s, &s->stages[j]);
        sb_puts(&sb, "  </testsuite>\n");
    }
    sb_puts(&sb, "</testsuites>\n");
    return sb_detach(&sb);
}
