/* build.c: the build stage: compile the learner's file, show warnings, link it. */
#include "stages/stage.h"

#include "stages/anticheat.h"
#include "compile.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Words that would hide a race from the detectors; only harness code may use them. */
static const char *const forbidden[] = {
    "ANNOTATE_", "VALGRIND_", "RUNNING_ON_VALGRIND", "DRD_", "valgrind/", "no_sanitize",
    "disable_sanitizer_instrumentation", "__SANITIZE_", "thread_sanitizer", "__asm", "asm(",
    NULL,
};

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

int stage_build(struct run *r, struct stage_result *out)
{
    char *text = read_file(r->src, 4 << 20, NULL);
    if (!text) {
        stage_say(out, ST_FAIL, "cannot read %s", r->src);
        return 0;
    }
    for (int i = 0; forbidden[i]; i++) {
        if (strstr(text, forbidden[i])) {
            stage_say(out, ST_FAIL,
                      "refused: %s contains '%s', which would hide races from the detectors",
                      r->src, forbidden[i]);
            free(text);
            return 0;
        }
    }
    free(text);

    char *header = xasprintf("%s/%s.h", r->kata->dir, r->kata->name);
    const char *inputs[] = {header, NULL};
    const char *flags[32];
    size_t n = 0;
    for (size_t i = 0; learner_warnings[i]; i++)
        flags[n++] = learner_warnings[i];
    flags[n++] = "-O2";
    flags[n++] = "-g";
    flags[n++] = r->include_flag;
    flags[n++] = "-c";
    flags[n] = NULL;
    const char *sources[] = {r->src, NULL};
    struct compile_job job = {.cc = "gcc", .flags = flags, .sources = sources, .inputs = inputs,
                              .label = "object", .cache_dir = r->cache};
    char *diag = NULL;
    char *obj = compile(&job, &diag, NULL);
    int warnings = 0;
    int errors = read_diagnostics(diag, out, &warnings);
    out->details = diag && *diag ? xstrdup(diag) : NULL;
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
        free(header);
        return 0;
    }
    free(obj);
    free(diag);

    /* Symbols the tests and detectors rely on may not be defined or called by the learner
     * (a fake pthread_create, a sanitizer option hook): see anticheat.h. */
    struct findings why = {0};
    if (anticheat_check(r->kata, r->src, &why) > 0) {
        refuse(out, &why);
        free(header);
        return 0;
    }
    findings_release(&why);

    /* Link it with the driver, so a missing function shows here, not as a later crash. */
    free(header);
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
