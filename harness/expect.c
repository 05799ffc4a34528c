/* expect.c: a test file's header, its expect: lines, and their check against a verdict. */
#include "expect.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* ---- the header ---- */

/* The header is the opening comment when the text starts with one (a C file), else the
 * lines before the first blank line or the start of a diff (a mutant's patch). */
char **header_values(const char *text, const char *key)
{
    size_t klen = strlen(key), n = 0;
    char **v = xcalloc(1, sizeof *v);
    if (!text)
        return v;
    const char *l = text + strspn(text, " \t");
    int comment = starts_with(l, "/*");
    for (l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        size_t len = strcspn(l, "\n");
        const char *p = l + strspn(l, " \t");
        if (!comment && (p == l + len || starts_with(l, "--- ")))
            break; /* the header's blank line, or the diff begins */
        if (starts_with(p, "/*"))
            p += 2;
        else if (*p == '*' && p[1] != '/')
            p++;
        p += strspn(p, " \t");
        int last = comment && memmem(l, len, "*/", 2) != NULL;
        if (!strncmp(p, key, klen) && p[klen] == ':') {
            p += klen + 1;
            p += strspn(p, " \t");
            char *value = rtrim(xstrndup(p, len - (size_t)(p - l)));
            if (ends_with(value, "*/")) {
                value[strlen(value) - 2] = '\0';
                rtrim(value);
            }
            v = xrealloc(v, sizeof *v * (n + 2));
            v[n++] = value;
            v[n] = NULL;
        }
        if (last)
            break; /* the opening comment ends */
    }
    return v;
}

char *header_value(const char *text, const char *key)
{
    char **v = header_values(text, key);
    char *first = v[0] ? xstrdup(v[0]) : NULL;
    expect_strings_free(v);
    return first;
}

void expect_strings_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

/* ---- one expect line ---- */

/* text with each @name@ replaced by the number of the line of file that holds the comment
 * "@name@" between comment marks. A new string. */
static char *with_markers(const char *value, const char *file)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    const char *p = value;
    for (;;) {
        const char *at = strchr(p, '@');
        const char *end = at ? strchr(at + 1, '@') : NULL;
        size_t nlen = end ? (size_t)(end - at - 1) : 0;
        if (!end || !nlen ||
            strspn(at + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                nlen) {
            if (!end) {
                sb_puts(&sb, p);
                break;
            }
            sb_add(&sb, p, (size_t)(end - p)); /* not a marker: keep it, look on from there */
            p = end;
            continue;
        }
        sb_add(&sb, p, (size_t)(at - p));
        char *mark = xasprintf("/* @%.*s@ */", (int)nlen, at + 1);
        const char *hit = file ? strstr(file, mark) : NULL;
        free(mark);
        if (hit) {
            int line = 1;
            for (const char *q = file; q < hit; q++)
                line += *q == '\n';
            sb_addf(&sb, "%d", line);
        } else {
            sb_addf(&sb, "no-marker-%.*s", (int)nlen, at + 1);
        }
        p = end + 1;
    }
    return sb_detach(&sb);
}

/* Reads a value at *p: "quoted" (\" stands for a quote; any other backslash is kept, for
 * regular expressions) or a word. Returns a new string and moves *p past it, or NULL when
 * a quote is not closed. */
static char *read_value(const char **p)
{
    const char *s = *p;
    if (*s != '"') {
        size_t n = strcspn(s, " \t");
        *p = s + n;
        return xstrndup(s, n);
    }
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    for (s++; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1]) {
            if (s[1] != '"')
                sb_add(&sb, s, 1);
            s++;
        }
        sb_add(&sb, s, 1);
    }
    if (*s != '"') {
        sb_release(&sb);
        return NULL;
    }
    *p = s + 1;
    return sb_detach(&sb);
}

static int is_status(const char *s)
{
    return !strcmp(s, "pass") || !strcmp(s, "fail") || !strcmp(s, "error");
}

int expectation_parse(const char *line, const char *markers, struct expectation *e)
{
    memset(e, 0, sizeof *e);
    const char *p = line;
    for (;;) {
        p += strspn(p, " \t");
        if (!*p)
            break;
        size_t klen = strcspn(p, "= \t");
        char *key = xstrndup(p, klen);
        p += klen;
        if (*p != '=') {
            int ok = 1;
            if (!strcmp(key, "first"))
                e->first = 1;
            else if (!strcmp(key, "found"))
                e->found = 1;
            else
                ok = 0;
            if (!ok) {
                error("expect: unknown word '%s' in '%s'", key, line);
                free(key);
                expectation_release(e);
                return -1;
            }
            free(key);
            continue;
        }
        p++;
        char *value = read_value(&p);
        char **slot = !strcmp(key, "stage")     ? &e->stage
                      : !strcmp(key, "status")  ? &e->status
                      : !strcmp(key, "text")    ? &e->text
                      : !strcmp(key, "match")   ? &e->match
                      : !strcmp(key, "absent")  ? &e->absent
                      : !strcmp(key, "excerpt") ? &e->excerpt
                      : !strcmp(key, "luck")    ? &e->luck
                                                : NULL;
        if (!value || !slot || *slot) {
            if (!value)
                error("expect: %s= has no closing quote in '%s'", key, line);
            else
                error("expect: %s '%s' in '%s'", slot ? "a second" : "unknown field", key, line);
            free(key);
            free(value);
            expectation_release(e);
            return -1;
        }
        if (slot == &e->text || slot == &e->match) {
            char *v = with_markers(value, markers);
            free(value);
            value = v;
        }
        *slot = value;
        free(key);
    }
    const char *bad = NULL;
    if (e->status && !is_status(e->status))
        bad = "status= is pass, fail or error";
    else if (!e->stage && (e->first || e->found || e->text || e->match))
        bad = "first, found, text= and match= are about a stage: they need stage=";
    else if (e->luck && !e->excerpt)
        bad = "luck= is about an excerpt: it needs excerpt=";
    else if (!e->stage && !e->status && !e->absent && !e->excerpt)
        bad = "an expect: line says something: stage=, status=, absent= or excerpt=";
    regex_t re;
    if (!bad && e->match) {
        if (regcomp(&re, e->match, REG_EXTENDED | REG_NOSUB | REG_NEWLINE))
            bad = "match= is not an extended regular expression";
        else
            regfree(&re);
    }
    if (bad) {
        error("expect: %s ('%s')", bad, line);
        expectation_release(e);
        return -1;
    }
    return 0;
}

void expectation_release(struct expectation *e)
{
    free(e->stage);
    free(e->status);
    free(e->text);
    free(e->match);
    free(e->absent);
    free(e->excerpt);
    free(e->luck);
    memset(e, 0, sizeof *e);
}

/* ---- excerpts of the text verdict ---- */

/* Replaces every match of pattern in s (a line) by repl, where \1 to \9 stand for the
 * groups, as sed's s/pattern/repl/g does. A new string. */
static char *replace_all(const char *s, const char *pattern, const char *repl)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED))
        return xstrdup(s); /* the patterns are ours: a test would have caught it */
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    size_t len = strlen(s), pos = 0;
    regmatch_t m[10];
    while (pos <= len) {
        /* REG_STARTEND: the search starts at pos, with what comes before it known (for \b) */
        m[0].rm_so = (regoff_t)pos;
        m[0].rm_eo = (regoff_t)len;
        if (regexec(&re, s, 10, m, REG_STARTEND))
            break;
        sb_add(&sb, s + pos, (size_t)m[0].rm_so - pos);
        for (const char *r = repl; *r; r++) {
            if (*r == '\\' && r[1] >= '1' && r[1] <= '9') {
                const regmatch_t *g = &m[r[1] - '0'];
                if (g->rm_so >= 0)
                    sb_add(&sb, s + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
                r++;
            } else {
                sb_add(&sb, r, 1);
            }
        }
        if (m[0].rm_eo == m[0].rm_so) { /* an empty match: keep a character, move on */
            if ((size_t)m[0].rm_eo < len)
                sb_add(&sb, s + m[0].rm_eo, 1);
            pos = (size_t)m[0].rm_eo + 1;
        } else {
            pos = (size_t)m[0].rm_eo;
        }
    }
    if (pos < len)
        sb_puts(&sb, s + pos);
    regfree(&re);
    return sb_detach(&sb);
}

/* What varies from run to run, in the order the rules apply. */
static const char *const normal_rules[][2] = {
    {"[[:space:]]+$", ""},
    {" +[0-9]+\\.[0-9]+ ?s\\b", " <t>s"},
    {"\\(seed [0-9]+\\)", "(seed <n>)"},
    {"\\b[0-9]+ (([a-z-]+ ){0,3})reports?\\b", "<n> \\1reports"},
    {"\\band [0-9]+ more places?\\b", "and <n> more places"},
    /* which thread gets somewhere first is the schedule's choice: the main one or another */
    {"\\bmain thread\\b", "thread <n>"},
    {"\\b([Tt]hread) T[0-9]+\\b", "\\1 T<n>"},
    {"\\b([Tt]hread) #[0-9]+\\b", "\\1 #<n>"},
    {"\\b([Tt]hread) [0-9]+\\b", "\\1 <n>"},
    {"\\b(pid|tid)=[0-9]+", "\\1=<n>"},
    {"0x[0-9a-fA-F]+", "0x<addr>"},
};

char *excerpt_normalise(const char *line, const char *luck)
{
    char *s = xstrdup(line);
    for (size_t i = 0; i < sizeof normal_rules / sizeof normal_rules[0]; i++) {
        char *t = replace_all(s, normal_rules[i][0], normal_rules[i][1]);
        free(s);
        s = t;
    }
    for (const char *p = luck ? luck : ""; *p; p += strspn(p, ",")) {
        size_t n = strcspn(p, ",");
        if (!n)
            continue;
        char *pattern = xasprintf("^(  %.*s +)(passed|FAILED) <t>s( .*)?$", (int)n, p);
        char *t = replace_all(s, pattern, "\\1<passed or FAILED>");
        free(pattern);
        free(s);
        s = t;
        p += n;
    }
    return s;
}

/* Does line, in which "..." stands for any text, match o from its first character to its
 * last? */
static int wild_matches(const char *line, const char *o)
{
    const char *dots = strstr(line, "...");
    size_t first = (size_t)(dots - line), olen = strlen(o);
    if (strncmp(o, line, first))
        return 0;
    size_t pos = first;
    const char *p = dots + 3;
    for (const char *next; (next = strstr(p, "...")); p = next + 3) {
        char *piece = xstrndup(p, (size_t)(next - p));
        const char *at = strstr(o + pos, piece);
        if (at)
            pos = (size_t)(at - o) + strlen(piece);
        free(piece);
        if (!at)
            return 0;
    }
    size_t last = strlen(p);
    return olen - last >= pos && olen >= last && !strcmp(o + olen - last, p);
}

/* Every line of the excerpt must be a line of the text verdict, both normalised (a blank
 * line, or one that is only "...", marks lines left out; "..." in a line stands for any
 * text). Adds "excerpt line N is not in the verdict: <line>" to why for each that is not. */
static void check_excerpt(const struct expectation *e, const char *text, struct strbuf *why)
{
    char *excerpt = read_file(e->excerpt, 1 << 20, NULL);
    if (!excerpt || !text) {
        sb_addf(why, "%s\n", !excerpt ? "the excerpt cannot be read" : "no text verdict");
        free(excerpt);
        return;
    }
    size_t nv = 0;
    char **have = NULL;
    for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
        char *raw = xstrndup(l, strcspn(l, "\n"));
        have = xrealloc(have, sizeof *have * (nv + 1));
        have[nv++] = excerpt_normalise(raw, e->luck);
        free(raw);
    }
    int n = 0;
    for (const char *l = excerpt; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
        n++;
        char *raw = xstrndup(l, strcspn(l, "\n"));
        char *line = excerpt_normalise(raw, e->luck);
        const char *t = line + strspn(line, " \t");
        int left_out = !*t || (!strncmp(t, "...", 3) && !t[3 + strspn(t + 3, " \t")]);
        int found = left_out;
        for (size_t i = 0; i < nv && !found; i++)
            found = !strcmp(have[i], line) || (strstr(line, "...") && wild_matches(line, have[i]));
        if (!found)
            sb_addf(why, "excerpt line %d is not in the verdict: %s\n", n, raw);
        free(line);
        free(raw);
    }
    for (size_t i = 0; i < nv; i++)
        free(have[i]);
    free(have);
    free(excerpt);
}

/* ---- the check ---- */

static const char *string_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The verdict's entry for a stage (tests[] holds Criterion's tests, "suite/test", and the
 * stages by name; a stage that did not run is not there), or NULL. */
static const cJSON *stage_entry(const cJSON *verdict, const char *stage)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(verdict, "tests"))
    {
        const char *name = string_of(t, "name");
        if (name && !strcmp(name, stage))
            return t;
    }
    return NULL;
}

/* The first stage that did not pass, or NULL when all did. */
static const cJSON *first_not_passed(const cJSON *verdict)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(verdict, "tests"))
    {
        const char *name = string_of(t, "name");
        const char *status = string_of(t, "status");
        if (name && !strchr(name, '/') && (!status || strcmp(status, "pass")))
            return t;
    }
    return NULL;
}

/* The whole verdict's status. A build that did not pass ran no test: Exercism's interface
 * calls that an error, and the exit code says the kata failed; so do we. */
static const char *verdict_status(const cJSON *verdict)
{
    const char *status = verdict ? string_of(verdict, "status") : NULL;
    if (!status)
        return "none";
    const cJSON *first = first_not_passed(verdict);
    const char *name = first ? string_of(first, "name") : NULL;
    if (!strcmp(status, "error") && name && !strcmp(name, "build"))
        return "fail";
    return status;
}

/* Did the stage fail for what it looks for? A detector must have found something (a
 * crash or a tool that did not run fails it too, and proves nothing); perf must have timed
 * the code, or given up on it as too slow; any failure of another stage counts. */
static int failed_for_its_reason(const cJSON *t)
{
    const char *name = string_of(t, "name");
    const char *status = string_of(t, "status");
    if (!name || !status || strcmp(status, "fail"))
        return 0;
    if (!strcmp(name, "tsan") || !strcmp(name, "helgrind") || !strcmp(name, "drd") ||
        !strcmp(name, "asan"))
        return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "findings")) > 0;
    if (!strcmp(name, "perf")) {
        const char *msg = string_of(t, "message");
        size_t first_line = msg ? strcspn(msg, "\n") : 0;
        return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(t, "perf")) ||
               (msg && memmem(msg, first_line, "too slow", strlen("too slow")));
    }
    return 1;
}

/* Checks one stage line; adds what does not hold to why. */
static void check_stage(const cJSON *verdict, const struct expectation *e, struct strbuf *why)
{
    const cJSON *t = verdict ? stage_entry(verdict, e->stage) : NULL;
    const char *want = e->status ? e->status : "fail";
    const char *got = t ? string_of(t, "status") : NULL;
    if (!got || strcmp(got, want))
        sb_addf(why, "stage %s: %s, expected %s\n", e->stage, got ? got : "not run", want);
    if (e->first) {
        const cJSON *f = verdict ? first_not_passed(verdict) : NULL;
        const char *name = f ? string_of(f, "name") : NULL;
        if (!name || strcmp(name, e->stage)) {
            const char *st = f ? string_of(f, "status") : NULL;
            sb_addf(why, "the first stage to fail is %s%s%s, expected %s\n", name ? name : "none",
                    st ? " " : "", st ? st : "", e->stage);
        }
    }
    if (e->found && t && got && !strcmp(got, want) && !failed_for_its_reason(t))
        sb_addf(why,
                "stage %s failed without finding anything in the code (no finding, no "
                "time)\n",
                e->stage);
    if (!e->text && !e->match)
        return;
    const char *msg = t ? string_of(t, "message") : NULL;
    const char *out = t ? string_of(t, "output") : NULL;
    char *said = xasprintf("%s\n%s", msg ? msg : "", out ? out : "");
    if (e->text && !strstr(said, e->text))
        sb_addf(why, "stage %s does not say \"%s\"\n", e->stage, e->text);
    if (e->match) {
        regex_t re;
        int hit = 0;
        if (!regcomp(&re, e->match, REG_EXTENDED | REG_NOSUB | REG_NEWLINE)) {
            hit = regexec(&re, said, 0, NULL, 0) == 0;
            regfree(&re);
        }
        if (!hit)
            sb_addf(why, "stage %s does not match /%s/\n", e->stage, e->match);
    }
    free(said);
}

int expect_check(const cJSON *verdict, const char *printed, char *const *lines, const char *markers,
                 const struct expect_context *ctx, char **why)
{
    *why = NULL;
    int n = 0;
    while (lines[n])
        n++;
    struct expectation *v = xcalloc((size_t)n + 1, sizeof *v);
    for (int i = 0; i < n; i++) {
        if (expectation_parse(lines[i], markers, &v[i])) {
            for (int j = 0; j < i; j++)
                expectation_release(&v[j]);
            free(v);
            return -1;
        }
    }
    if (n == 0) {
        free(v);
        return error("expect: no expect: line to check");
    }
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    int json_needed = 0;
    for (int i = 0; i < n; i++)
        json_needed |= !v[i].excerpt;
    if (!verdict && json_needed)
        sb_puts(&sb, "no verdict: the harness's output is not JSON\n");
    const char *want_status = NULL; /* the whole verdict's, when a line says it */
    int stages = 0;
    for (int i = 0; i < n; i++) {
        const struct expectation *e = &v[i];
        if (e->absent && printed && strstr(printed, e->absent))
            sb_addf(&sb, "the verdict says \"%s\", which it must not\n", e->absent);
        if (e->excerpt)
            check_excerpt(e, ctx ? ctx->text : NULL, &sb);
        if (e->stage) {
            stages++;
            check_stage(verdict, e, &sb);
        } else if (e->status) {
            want_status = e->status; /* the last one said counts */
        }
    }
    if (want_status) {
        const char *got = verdict_status(verdict);
        if (strcmp(want_status, "pass") && !stages)
            sb_puts(&sb, "the header has no expect: line with a stage\n");
        if (strcmp(got, want_status))
            sb_addf(&sb, "verdict %s, expected %s\n", got, want_status);
        const char *want_rc = !strcmp(want_status, "pass") ? "0" : "1";
        if (ctx && ctx->exit_code && strcmp(ctx->exit_code, want_rc))
            sb_addf(&sb, "the harness exited with %s, expected %s\n", ctx->exit_code, want_rc);
    }
    for (int i = 0; i < n; i++)
        expectation_release(&v[i]);
    free(v);
    if (!sb.len) {
        sb_release(&sb);
        return 0;
    }
    *why = sb_detach(&sb);
    return 1;
}
