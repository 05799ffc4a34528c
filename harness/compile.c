/* compile.c: compiler runs behind a content-addressed cache. */
#include "compile.h"

#include "digest.h"
#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void add_strings(struct digest *d, const char *const *v)
{
    for (size_t i = 0; v && v[i]; i++)
        digest_add_str(d, v[i]);
    digest_add_str(d, "|");
}

/* Every byte of each file (a NUL in a source does not end it: gcc compiles past one). */
static void add_files(struct digest *d, const char *const *v)
{
    for (size_t i = 0; v && v[i]; i++) {
        digest_add_str(d, v[i]);
        digest_add_file(d, v[i]);
    }
}

char *compile(const struct compile_job *job, char **diagnostics, int *cached)
{
    struct digest key_digest;
    digest_init(&key_digest);
    digest_add_str(&key_digest, job->cc);
    add_strings(&key_digest, job->flags);
    add_strings(&key_digest, job->sources);
    add_strings(&key_digest, job->link_flags);
    add_files(&key_digest, job->sources);
    add_files(&key_digest, job->inputs);
    char key[65];
    digest_end(&key_digest, key);
    char *out = xasprintf("%s/%s-%s", job->cache_dir, job->label, key);
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
    char *tmp = xasprintf("%s.tmp%d", out, (int)getpid());
    argv[n++] = "-o";
    argv[n++] = tmp;
    argv[n] = NULL;
    /* English messages whatever the learner's locale: the harness reads them. */
    static const char *const env[] = {"LC_ALL=C", "GCC_COLORS=", NULL};
    struct child c = {.argv = argv,
                      .env = env,
                      .stdout_path = diag_path,
                      .stderr_path = diag_path,
                      .timeout = job->timeout > 0 ? job->timeout : 60,
                      .limits = {.file_mb = 512}};
    int rc = child_run(&c);
    if (diagnostics)
        *diagnostics = read_file(diag_path, 1 << 20, NULL);
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
