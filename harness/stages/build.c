/* build.c: the build stage: compile the learner's file, show warnings, link it. */
#include "stages/stage.h"

#include "stages/anticheat.h"
#include "stages/source.h"
#include "compile.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Reads "file:line:col: error: message" lines into findings; returns the number of errors. */
static int read_diagnostics(const char *text, struct stage_result *out, int *warnings)
{
    int errors = 0;
    *warnings = 0;
    char *copy = xstrdup(text ? text : "");
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *kind = NULL;
        char *mark = NULL;
        if ((mark = strstr(l, ": error: ")) || (mark = strstr(l, ": fatal error: ")))
            kind = "compile error";
        else if ((mark = strstr(l, ": warning: ")))
            kind = "warning";
        else if (strstr(l, "undefined reference to"))
            kind = "link error";
        if (!kind)
            continue;
        if (!strcmp(kind, "warning"))
            (*warnings)++;
        else
            errors++;
        struct finding *f = findings_add(&out->findings);
        f->kind = xstrdup(kind);
        f->naccess = 1;
        if (mark) {
            *mark = '\0';
            char *c1 = strchr(l, ':');
            f->headline = xstrdup(strchr(mark + 2, ':') + 2);
            if (c1) {
                *c1 = '\0';
                f->access[0].line = atoi(c1 + 1);
            }
            f->access[0].file = xstrdup(l);
            f->in_learner = f->access[0].in_learner = 1;
        } else {
            const char *u = strstr(l, "undefined reference to");
            f->headline = xstrdup(u);
        }
    }
    free(copy);
    return errors;
}

/* A refused file: the reasons, one line each, and what belongs in the file. Takes why's
 * findings. */
static void refuse(struct stage_result *out, struct findings *why)
{
    struct strbuf details = STRBUF_INIT;
    sb_init(&details);
    for (size_t j = 0; j < why->n; j++) {
        const struct access *a = &why->v[j].access[0];
        if (a->line > 0)
            sb_addf(&details, "%s:%d: %s\n", a->file, a->line, why->v[j].headline);
        else
            sb_addf(&details, "%s: %s\n", a->file, why->v[j].headline);
    }
    sb_puts(&details, "Only the kata's own functions belong in your file; the tests bring "
                      "the rest.\n");
    free(out->details);
    out->details = sb_detach(&details);
    if (why->n == 1)
        stage_say(out, ST_FAIL, "refused: your file %s", why->v[0].headline);
    else
        stage_say(out, ST_FAIL, "refused: your file %s (and %zu more, below)", why->v[0].headline,
                  why->n - 1);
    findings_release(&out->findings);
    out->findings = *why;
    *why = (struct findings){0};
}

/* Names that glibc declares only when the file asks for POSIX (or GNU) beyond ISO C, which
 * the build's -std=c11 alone does not: a learner who reaches for a rwlock, a spinlock, a
 * barrier or clock_gettime meets "unknown type name" or "undeclared" without a word on why.
 * An entry ending in '*' is a prefix of such names; any other is one name. */
static const char *const posix_only[] = {"pthread_rwlock*",
                                         "pthread_spin*",
                                         "pthread_barrier*",
                                         "pthread_mutexattr_settype",
                                         "PTHREAD_MUTEX_RECURSIVE",
                                         "PTHREAD_MUTEX_ERRORCHECK",
                                         "PTHREAD_RWLOCK*",
                                         "PTHREAD_BARRIER*",
                                         "clock_gettime",
                                         "clock_nanosleep",
                                         "CLOCK_MONOTONIC",
                                         "CLOCK_REALTIME",
                                         "nanosleep",
                                         "usleep",
                                         "strdup",
                                         "strndup",
                                         "sigaction",
                                         "sigemptyset",
                                         "sigset_t",
                                         "kill",
                                         "fileno",
                                         "fdopen",
                                         "getline",
                                         "MAP_ANONYMOUS",
                                         "MAP_ANON",
                                         "pipe2",
                                         "rand_r",
                                         "random",
                                         "srandom",
                                         "posix_memalign",
                                         "_SC_NPROCESSORS_ONLN",
                                         "sysconf",
                                         "pthread_setname_np",
                                         "gettid",
                                         NULL};

/* When the compiler's words name one of posix_only (an unknown type, an implicit declaration,
 * an undeclared name), the line that tells the learner how to ask for it; else NULL. */
static char *feature_macro_hint(const char *diag)
{
    static const char *const says[] = {"unknown type name '", "implicit declaration of function '",
                                       "error: '", NULL};
    for (int s = 0; diag && says[s]; s++)
        for (const char *p = strstr(diag, says[s]); p; p = strstr(p + 1, says[s])) {
            const char *name = p + strlen(says[s]);
            size_t len = strcspn(name, "'\n");
            if (name[len] != '\'')
                continue;
            for (int i = 0; posix_only[i]; i++) {
                size_t n = strlen(posix_only[i]);
                int prefix = posix_only[i][n - 1] == '*';
                if (prefix ? strncmp(name, posix_only[i], n - 1)
                           : len != n || strncmp(name, posix_only[i], n))
                    continue;
                return xasprintf(
                    "hint: `%.*s` is POSIX, not ISO C, and the build is -std=c11: put "
                    "`#define _POSIX_C_SOURCE 200809L` (or `#define _GNU_SOURCE`) above "
                    "the first #include of your file\n",
                    (int)len, name);
            }
        }
    return NULL;
}

int stage_build(struct run *r, struct stage_result *out)
{
    /* One preprocessed unit for every build, checked whole (stages/source.h): refused
     * includes, #line, and names that hide races are findings here. The object is the
     * timed build's, compiled with the house warnings, which the learner sees. */
    char *diag = NULL;
    int refused = 0;
    char *obj = source_object(r, DRIVER_PERF, r->src, learner_warnings, &diag, &refused);
    if (!obj && refused) {
        struct findings why = {0};
        char *i_path = NULL, *pre_diag = NULL;
        source_preprocess(r, r->src, &i_path, &why, &pre_diag);
        free(i_path);
        free(pre_diag);
        free(diag);
        refuse(out, &why);
        findings_release(&why);
        return 0;
    }
    int warnings = 0;
    int errors = read_diagnostics(diag, out, &warnings);
    char *hint = feature_macro_hint(diag);
    out->details = hint ? xasprintf("%s%s", diag, hint) : diag && *diag ? xstrdup(diag) : NULL;
    free(hint);
    if (!obj) {
        if (errors && out->findings.n) {
            const struct finding *f = &out->findings.v[0];
            for (size_t i = 0; i < out->findings.n; i++)
                if (strcmp(out->findings.v[i].kind, "warning")) {
                    f = &out->findings.v[i];
                    break;
                }
            stage_say(out, ST_FAIL, "does not compile: %s:%d: %s", f->access[0].file,
                      f->access[0].line, f->headline);
        } else {
            stage_say(out, ST_FAIL, "does not compile");
        }
        free(diag);
        return 0;
    }
    free(diag);

    /* Symbols the tests and detectors rely on may not be defined or called by the learner
     * (a fake pthread_create, a sanitizer option hook): see anticheat.h. */
    struct findings why = {0};
    /* nm reads the object before its symbols were made local: a definition of a reserved
     * name is harmless by then, but the learner should hear that it is wrong */
    const char *local = strstr(obj, ".local-");
    char *raw = local ? xstrndup(obj, (size_t)(local - obj)) : xstrdup(obj);
    unsigned allow = defence_disabled(r, "lookup") ? ANTICHEAT_ALLOW_LOOKUP : 0;
    int cheats = anticheat_check_object(r->kata, r->src, raw, allow, &why);
    free(raw);
    free(obj);
    if (cheats > 0) {
        refuse(out, &why);
        return 0;
    }
    findings_release(&why);

    /* Link it with the driver, so a missing function shows here, not as a later crash. */
    char *link_diag = NULL;
    char *bin = build_driver(r, DRIVER_PLAIN, NULL, &link_diag);
    if (!bin) {
        int w2;
        read_diagnostics(link_diag, out, &w2);
        const char *u = link_diag ? strstr(link_diag, "undefined reference to") : NULL;
        stage_say(out, ST_FAIL, "does not link: %.*s", u ? (int)strcspn(u, "\n") : 40,
                  u ? u : (link_diag ? link_diag : "the linker failed"));
        /* The compiler's warnings stay above the linker's errors: a warning such as "implicit
         * declaration of pthread_mutex_lok; did you mean pthread_mutex_lock?" names the cause. */
        if (out->details && link_diag) {
            char *both = xasprintf("%s%s%s", out->details,
                                   ends_with(out->details, "\n") ? "" : "\n", link_diag);
            free(link_diag);
            link_diag = both;
        }
        free(out->details);
        out->details = link_diag;
        return 0;
    }
    free(bin);
    free(link_diag);
    if (warnings)
        stage_say(out, ST_PASS, "compiles, with %d warning%s (shown below)", warnings,
                  warnings == 1 ? "" : "s");
    else
        stage_say(out, ST_PASS, "compiles cleanly");
    return 0;
}
