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

/* Closes a failure's body with the place in the learner's file, on a line of its own: the
 * schema has no file or line attribute on a testcase or a failure, so report tools that know
 * the file (the testsuite's `file`) take the line from the last "<file>:<line>" of the body
 * (action-junit-report does). */
static void add_place(struct strbuf *sb, const char *file, int line)
{
    if (file && line > 0)
        sb_addf(sb, "\nat %s:%d\n", file, line);
}

static void add_failure(struct strbuf *sb, const char *tag, const char *message, const char *type,
                        const char *body)
{
    sb_addf(sb, "      <%s message=\"", tag);
    put(sb, message ? message : "failed", 1);
    sb_puts(sb, "\" type=\"");
    put(sb, type, 1);
    sb_puts(sb, "\">");
    put(sb, body, 0);
    sb_addf(sb, "</%s>\n", tag);
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
        char *text = failure_text(st, x);
        struct strbuf body = STRBUF_INIT;
        sb_init(&body);
        sb_puts(&body, text);
        add_place(&body, st->file, st->line);
        add_failure(sb, tag, st->summary, st->name, body.buf);
        sb_release(&body);
        free(text);
    }
    if (st->perf_measured)
        sb_addf(sb,
                "      <system-out>learner %.3f s, reference %.3f s: %.2fx the reference's "
                "time (bound %.2fx)</system-out>\n",
                st->learner, st->reference, st->ratio, st->bound);
    sb_puts(sb, "    </testcase>\n");
}

/* The test stage as one testcase per Criterion test (classname "<kata>.test"). */
static void add_tests(struct strbuf *sb, const struct kata_score *s, const struct stage_score *st)
{
    int first = 1; /* the first failed test carries the stage's details (a hang's stacks) */
    for (int i = 0; i < st->ntests; i++) {
        const struct test_score *t = &st->tests[i];
        sb_puts(sb, "    <testcase classname=\"");
        put(sb, s->kata, 1);
        sb_puts(sb, ".test\" name=\"");
        put(sb, t->name, 1);
        sb_addf(sb, "\" time=\"%.3f\"", t->seconds);
        if (t->status == ST_PASS) {
            sb_puts(sb, "/>\n");
            continue;
        }
        sb_puts(sb, ">\n");
        if (t->status == ST_SKIP) {
            sb_puts(sb, "      <skipped message=\"not run: ");
            put(sb, st->summary, 1);
            sb_puts(sb, "\"/>\n");
        } else {
            const char *message = t->message ? t->message : st->summary;
            struct strbuf body = STRBUF_INIT;
            sb_init(&body);
            sb_addf(&body, "%s\n", message ? message : "failed");
            if (t->file && t->line > 0)
                sb_addf(&body, "(%s:%d)\n", t->file, t->line);
            if (first) {
                char *text = failure_text(st, run_result(s, st->name));
                sb_addf(&body, "\nthe test stage: %s", text);
                free(text);
                first = 0;
            }
            /* a test's failure is the learner's code failing it: annotate the learner's
             * file, at the place the stage's findings name there, if any */
            add_place(&body, st->file, st->line);
            add_failure(sb, t->status == ST_FAIL ? "failure" : "error", message, "test", body.buf);
            sb_release(&body);
        }
        sb_puts(sb, "    </testcase>\n");
    }
}

struct counts {
    int tests, failures, errors, skipped;
    double seconds;
};

static void count_one(struct counts *c, enum status st)
{
    c->tests++;
    c->failures += st == ST_FAIL;
    c->errors += st == ST_ERROR;
    c->skipped += st == ST_SKIP;
}

static struct counts count(const struct kata_score *s)
{
    struct counts c = {0, 0, 0, 0, s->seconds};
    for (int i = 0; i < s->nstages; i++) {
        if (s->stages[i].ntests)
            for (int j = 0; j < s->stages[i].ntests; j++)
                count_one(&c, s->stages[i].tests[j].status);
        else
            count_one(&c, s->stages[i].status);
    }
    if (!s->graded && s->state == GRADE_ERROR)
        count_one(&c, ST_ERROR);
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
        all.seconds += c.seconds;
    }
    sb_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    /* junit-10.xsd allows name, tests, failures, errors and time here, and no `skipped` */
    sb_addf(&sb,
            "<testsuites name=\"kata grade\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
            "time=\"%.3f\">\n",
            all.tests, all.failures, all.errors, all.seconds);
    for (int i = 0; i < g->nkatas; i++) {
        const struct kata_score *s = &g->katas[i];
        struct counts c = count(s);
        sb_puts(&sb, "  <testsuite name=\"");
        put(&sb, s->kata, 1);
        if (s->source) {
            sb_puts(&sb, "\" file=\"");
            put(&sb, s->source, 1);
        }
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
            sb_puts(&sb, "\" name=\"not graded\" time=\"0.000\">\n");
            add_failure(&sb, "error", s->message ? s->message : "not graded", "integrity",
                        s->message);
            sb_puts(&sb, "    </testcase>\n");
        }
        for (int j = 0; j < s->nstages; j++) {
            if (s->stages[j].ntests)
                add_tests(&sb, s, &s->stages[j]);
            else
                add_testcase(&sb, s, &s->stages[j]);
        }
        sb_puts(&sb, "  </testsuite>\n");
    }
    sb_puts(&sb, "</testsuites>\n");
    return sb_detach(&sb);
}
