/* tsan.c: ThreadSanitizer text reports to findings. */
#include "parsers/tsan.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "    #0 worker /path/file.c:6:74 (bin+0x1234)": fills fn, file, line, and module (a new
 * string, or NULL) and offset from the last parenthesis. Returns 1 on a frame. */
static int parse_frame(const char *l, char **fn, char **file, int *line, char **module,
                       unsigned long *offset)
{
    *module = NULL;
    *offset = 0;
    /* the last "(module+0x...)": a "(BuildId: ...)" may follow it */
    for (const char *paren = strchr(l, '('); paren; paren = strchr(paren + 1, '(')) {
        const char *plus = strstr(paren, "+0x");
        const char *close = strchr(paren, ')');
        if (plus && close && plus < close && !memchr(paren + 1, ' ', (size_t)(plus - paren))) {
            free(*module);
            *module = xstrndup(paren + 1, (size_t)(plus - paren - 1));
            *offset = strtoul(plus + 1, NULL, 16);
        }
    }
    while (*l == ' ')
        l++;
    if (*l != '#' || !strchr(l, ' ') || !strchr(strchr(l, ' ') + 1, ' ')) {
        free(*module);
        *module = NULL;
        return 0;
    }
    const char *sp = strchr(l, ' ');
    const char *f = sp + 1;
    const char *fe = strchr(f, ' ');
    *fn = xstrndup(f, (size_t)(fe - f));
    const char *loc = fe + 1;
    const char *le = strchr(loc, ' ');
    char *where = le ? xstrndup(loc, (size_t)(le - loc)) : xstrdup(loc);
    *file = NULL;
    *line = 0;
    if (strcmp(where, "<null>") && where[0] != '(') {
        /* file:line:col or file:line */
        char *c1 = strchr(where, ':');
        if (c1) {
            *c1 = '\0';
            *line = atoi(c1 + 1);
        }
        *file = xstrdup(where);
    }
    free(where);
    return 1;
}

/* The first line of an access ("  Previous write of size 8 at 0x... by thread T1:"):
 * the op and the thread. Returns 1 when the line starts an access stack. */
static int parse_access_head(const char *l, struct access *a)
{
    while (*l == ' ')
        l++;
    if (starts_with(l, "Previous "))
        l += 9;
    int atomic = 0;
    if (starts_with(l, "Atomic ") || starts_with(l, "atomic ")) {
        l += 7;
        atomic = 1;
    }
    const char *op = NULL;
    if (starts_with(l, "Read of size") || starts_with(l, "read of size"))
        op = "read";
    else if (starts_with(l, "Write of size") || starts_with(l, "write of size"))
        op = "write";
    if (!op)
        return 0;
    a->op = xstrdup(op);
    a->atomic = atomic;
    const char *by = strstr(l, " by ");
    if (by) {
        by += 4;
        const char *end = by;
        while (*end && *end != ':' && *end != ' ' && *end != '(')
            end++;
        if (starts_with(by, "main thread"))
            a->thread = thread_words(0);
        else if (starts_with(by, "thread T") && by[8] >= '0' && by[8] <= '9')
            a->thread = thread_words(atol(by + 8)); /* T0 is the main thread */
        else if (starts_with(by, "thread "))
            a->thread = xstrndup(by, (size_t)(strcspn(by + 7, " :(") + 7));
        else
            a->thread = xstrndup(by, (size_t)(end - by));
    }
    return 1;
}

static char *location_name(const char *l)
{
    /* "  Location is global 'counter' of size 8 at ..." or "Location is heap block ..." */
    const char *q = strchr(l, '\'');
    if (q) {
        const char *e = strchr(q + 1, '\'');
        if (e)
            return xstrndup(q + 1, (size_t)(e - q - 1));
    }
    if (strstr(l, "heap block"))
        return xstrdup("a heap block");
    if (strstr(l, "stack of"))
        return xstrdup("a stack variable");
    return NULL;
}

int tsan_parse(const char *text, const char *learner_real, struct findings *out)
{
    int reports = 0;
    struct finding *cur = NULL;
    struct access *acc = NULL; /* the access whose stack is being read */
    int want_frame = 0;        /* still looking for this access's learner frame */
    int generic_stack = 0;     /* a non-access report: its first stack is the place */
    char *copy = xstrdup(text);
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *w = strstr(l, "WARNING: ThreadSanitizer: ");
        if (w) {
            reports++;
            cur = findings_add(out);
            w += strlen("WARNING: ThreadSanitizer: ");
            char *kind = xstrdup(w);
            char *paren = strstr(kind, " (pid=");
            if (paren)
                *paren = '\0';
            cur->headline = xstrdup(kind);
            if (starts_with(kind, "lock-order-inversion")) {
                free(kind);
                kind = xstrdup("lock order inversion");
            }
            cur->kind = kind;
            acc = NULL;
            want_frame = 0;
            generic_stack = strcmp(cur->kind, "data race") != 0;
            continue;
        }
        if (!cur)
            continue;
        if (starts_with(l, "SUMMARY: ThreadSanitizer") || starts_with(l, "==================")) {
            if (starts_with(l, "SUMMARY"))
                cur = NULL;
            acc = NULL;
            continue;
        }
        if (strstr(l, "Location is ")) {
            if (!cur->variable)
                cur->variable = location_name(l);
            acc = NULL;
            continue;
        }
        struct access head = {0};
        if (cur->naccess < 2 && parse_access_head(l, &head)) {
            acc = &cur->access[cur->naccess++];
            *acc = head;
            want_frame = 1;
            continue;
        }
        if (generic_stack && cur->naccess == 0 && strstr(l, "#0 ")) {
            acc = &cur->access[cur->naccess++];
            if (!strcmp(cur->kind, "thread leak"))
                acc->op = xstrdup("thread started");
            want_frame = 1;
            generic_stack = 0;
        }
        char *fn, *file, *module;
        int line;
        unsigned long offset;
        if (acc && want_frame && parse_frame(l, &fn, &file, &line, &module, &offset)) {
            if (access_offer_frame_at(cur, acc, fn, file, line, learner_real, module, offset))
                want_frame = 0;
            free(module);
            continue;
        }
        if (l[0] == '\0' || !strchr(" \t", l[0]))
            acc = NULL;
    }
    free(copy);
    return reports;
}
