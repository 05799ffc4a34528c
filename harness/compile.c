/* compile.c: compiler runs behind a content-addressed cache. */
#include "compile.h"

#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long hash_strings(unsigned long long h, const char *const *v)
{
    for (size_t i = 0; v && v[i]; i++)
        h = fnv1a(h, v[i], strlen(v[i]) + 1);
    return fnv1a(h, "|", 1);
}

static unsigned long long hash_files(unsigned long long h, const char *const *v)
{
    for (size_t i = 0; v && v[i]; i++) {
        char *text = read_file(v[i], 64 << 20, NULL);
        h = fnv1a(h, v[i], strlen(v[i]) + 1);
        if (text) {
            h = fnv1a(h, text, strlen(text));
            free(text);
        }
    }
    return h;
}

char *compile(const struct compile_job *job, char **diagnostics, int *cached)
{
    unsigned long long h = fnv1a(FNV_INIT, job->cc, strlen(job->cc) + 1);
    h = hash_strings(h, job->flags);
    h = hash_strings(h, job->sources);
    h = hash_strings(h, job->link_flags);
    h = hash_files(h, job->sources);
    h = hash_files(h, job->inputs);
    char *out = xasprintf("%s/%s-%016llx", job->cache_dir, job->label, h);
    char *diag_path = xasprintf("%s.log", out);
    if (diagnostics)
        *diagnostics = NULL;
    if (cached)
        *cached = 0;
    if (file_exists(out)) {
        if (cached)
            *cached = 1;
        if (diagnostics)
            *diagnostics = read_file(diag_path, 1 << 20, NULL);
        free(diag_path);
        return out;
    }
    if (mkdir_p(job->cache_dir)) {
        free(out);
        free(diag_path);
        return NULL;
    }
    size_t n = 0;
    const char *argv[256];
    argv[n++] = job->cc;
    for (size_t i = 0; job->flags && job->flags[i] && n < 240; i++)
        argv[n++] = job->flags[i];
    for (size_t i = 0; job->sources[i] && n < 240; i++)
        argv[n++] = job->sources[i];
    for (size_t i = 0; job->link_flags && job->link_flags[i] && n < 250; i++)
        argv[n++] = job->link_flags[i];
    /* Stages run side by side (grade.c) may compile the same job at once: each writes
     * its binary and its messages under names of its own pid, then renames them in place. */
    char *tmp = xasprintf("%s.tmp%d", out, (int)getpid());
    char *tmp_diag = xasprintf("%s.log", tmp);
    argv[n++] = "-o";
    argv[n++] = tmp;
    argv[n] = NULL;
    /* English messages whatever the learner's locale: the harness reads them. */
    static const char *const env[] = {"LC_ALL=C", "GCC_COLORS=", NULL};
    struct child c = {.argv = argv,
                      .env = env,
                      .stdout_path = tmp_diag,
                      .stderr_path = tmp_diag,
                      .timeout = job->timeout > 0 ? job->timeout : 60,
                      .limits = {.file_mb = 512}};
    int rc = child_run(&c);
    if (diagnostics)
        *diagnostics = read_file(tmp_diag, 1 << 20, NULL);
    if (rename(tmp_diag, diag_path))
        unlink(tmp_diag);
    free(tmp_diag);
    if (rc || !c.exited || c.exit_code) {
        if (c.exec_failed && diagnostics) {
            free(*diagnostics);
            *diagnostics = xasprintf("%s: %s\n", job->cc, "compiler not found");
        } else if (c.timed_out && diagnostics) {
            char *d = xasprintf("%sthe compiler did not finish within %.0f s\n",
                                *diagnostics ? *diagnostics : "", c.timeout);
            free(*diagnostics);
            *diagnostics = d;
        }
        unlink(tmp);
        free(tmp);
        free(out);
        free(diag_path);
        return NULL;
    }
    if (rename(tmp, out)) {
        error("cannot store '%s'", out);
        unlink(tmp);
        free(tmp);
        free(out);
        free(diag_path);
        return NULL;
    }
    free(tmp);
    free(diag_path);
    return out;
}
