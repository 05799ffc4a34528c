/* asan.c: AddressSanitizer, LeakSanitizer and UBSan text reports to findings. */
#include "parsers/asan.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* "    #1 0x55b32b59ef3c in main /tmp/m/a.c:6:58": fills fn, file, line; 1 on a frame. With
 * the harness's stack_trace_format the line ends in "<module+0xoffset>": *module (a new
 * string) and *offset, else NULL and 0. */
static int parse_frame(const char *l, char **fn, char **file, int *line, char **module,
                       unsigned long *offset)
{
    *module = NULL;
    *offset = 0;
    while (*l == ' ')
        l++;
    if (*l != '#')
        return 0;
    const char *in = strstr(l, " in ");
    if (!in)
        return 0;
    const char *lt = strrchr(l, '<');
    const char *plus = lt ? strstr(lt, "+0x") : NULL;
    if (plus && strchr(plus, '>')) {
        *module = xstrndup(lt + 1, (size_t)(plus - lt - 1));
        *offset = strtoul(plus + 1, NULL, 16);
    }
    const char *f = in + 4;
    size_t n = strcspn(f, " ");
    *fn = xstrndup(f, n);
    *file = NULL;
    *line = 0;
    const char *loc = f + n;
    while (*loc == ' ')
        loc++;
    if (*loc && *loc != '(' && *loc != '<') {
        size_t len = strcspn(loc, " ");
        char *where = xstrndup(loc, len);
        char *colon = strchr(where, ':');
        if (colon) {
            *colon = '\0';
            *line = atoi(colon + 1);
        }
        *file = where;
    }
    return 1;
}

static char *thread_of(const char *l)
{
    const char *t = strstr(l, "thread T");
    return t ? thread_words(atol(t + 8)) : NULL; /* T0 is the main thread (findings.h) */
}

int asan_parse(const char *text, const char *learner_real, struct findings *out)
{
    int reports = 0;
    struct finding *cur = NULL;
    struct access *acc = NULL;
    int want_frame = 0;
    int from_error = 0; /* cur came from an ERROR line, whose SUMMARY names its kind */
    char *copy = xstrdup(text);
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *e = strstr(l, "ERROR: AddressSanitizer: ");
        const char *leak = strstr(l, " leak of ");
        const char *ub = strstr(l, ": runtime error: ");
        if (e) {
            reports++;
            cur = findings_add(out);
            e += strlen("ERROR: AddressSanitizer: ");
            cur->kind = xstrndup(e, strcspn(e, " "));
            cur->headline = xstrdup(e);
            from_error = 1;
            acc = NULL;
            want_frame = 0;
            continue;
        }
        if (leak && (starts_with(l, "Direct") || starts_with(l, "Indirect"))) {
            reports++;
            cur = findings_add(out);
            cur->kind = xstrdup("memory leak");
            cur->headline = xstrdup(l);
            acc = &cur->access[cur->naccess++];
            acc->op = xstrdup("allocated");
            want_frame = 1;
            continue;
        }
        if (ub) {
            reports++;
            cur = findings_add(out);
            cur->kind = xstrdup("undefined behaviour");
            cur->headline = xstrdup(ub + strlen(": runtime error: "));
            acc = &cur->access[cur->naccess++];
            acc->op = xstrdup("runtime error");
            want_frame = 1;
            continue;
        }
        if (!cur)
            continue;
        if (starts_with(l, "SUMMARY: ")) {
            /* "SUMMARY: AddressSanitizer: double-free (...)": the bug's own name, where the
             * ERROR line may start with a verb ("attempting double-free on 0x...") */
            const char *k = strstr(l, "SUMMARY: AddressSanitizer: ");
            if (k && from_error) {
                k += strlen("SUMMARY: AddressSanitizer: ");
                free(cur->kind);
                cur->kind = xstrndup(k, strcspn(k, " "));
            }
            from_error = 0;
            acc = NULL;
            want_frame = 0;
            continue;
        }
        int head = 0;
        if ((starts_with(l, "READ of size") || starts_with(l, "WRITE of size")) &&
            cur->naccess < 2) {
            acc = &cur->access[cur->naccess++];
            acc->op = xstrdup(l[0] == 'R' ? "read" : "write");
            acc->thread = thread_of(l);
            head = 1;
        } else if (starts_with(l, "freed by thread") && cur->naccess < 2) {
            acc = &cur->access[cur->naccess++];
            acc->op = xstrdup("freed");
            acc->thread = thread_of(l);
            head = 1;
        } else if (starts_with(l, "previously allocated") || starts_with(l, "Thread T") ||
                   strstr(l, "is located")) {
            acc = NULL;
            want_frame = 0;
            continue;
        }
        if (head) {
            want_frame = 1;
            continue;
        }
        if (!acc && cur->naccess == 0 && strstr(l, "#0 ")) {
            /* a report with no access line (a double free, a SEGV): its first stack, said as
             * what happened there (a deadly signal is a crash; ASan's ERROR line for a double
             * free begins "attempting double-free") */
            acc = &cur->access[cur->naccess++];
            static const char *const deadly[] = {"SEGV", "FPE", "BUS", "ILL", "ABRT", NULL};
            for (int i = 0; deadly[i] && cur->kind; i++)
                if (!strcmp(cur->kind, deadly[i]))
                    acc->op = xstrdup("crashed");
            if (cur->kind && !strcmp(cur->kind, "attempting") && cur->headline &&
                strstr(cur->headline, "double-free"))
                acc->op = xstrdup("freed again");
            want_frame = 1;
        }
        char *fn, *file;
        int line;
        char *module;
        unsigned long offset;
        if (acc && want_frame && parse_frame(l, &fn, &file, &line, &module, &offset)) {
            int mine =
                access_offer_frame_at(cur, acc, fn, file, line, learner_real, module, offset);
            free(module);
            if (mine)
                want_frame = 0;
        }
    }
    free(copy);
    return reports;
}
