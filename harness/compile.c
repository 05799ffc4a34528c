/* compile.c: compiler runs behind a content-addressed cache. */
#include "compile.h"

#include "digest.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Moves what the compiler made into the cache, once its sandbox is gone: a regular file with
 * one link (not a link, a FIFO or a name for another file), owned by the harness from then on.
 * Returns 0 or -1 with an error printed. */
static int store(const char *made, const char *to)
{
    int fd = open(made, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        if (fd >= 0)
            close(fd);
        return error("the compiler's output '%s' is not a plain file", made);
    }
    int rc = (geteuid() == 0 && fchown(fd, 0, 0)) || fchmod(fd, 0755);
    close(fd);
    if (rc || place_once(made, to))
        return error("cannot store '%s': %s", to, strerror(errno));
    return 0;
}

char *compile(const struct compile_job *job, char **diagnostics, int *cached)
{
    struct digest key_digest;
    digest_init(&key_digest);
    digest_add_str(&key_digest, job->cc);
    digest_add_str(&key_digest, job->output_positional ? "positional" : "-o");
    /* what the compiler could see differs with the sandbox (an #include that climbs out of
     * its folder finds nothing inside it), so a result made without one never answers for
     * a grading with one, nor the other way round */
    digest_add_str(&key_digest, spawn_sandbox_active() ? "sandboxed" : "unconfined");
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
    /* The compiler reads learner input, so it runs in the sandbox (spawn.h) and writes into
     * a folder of its own, which only it can write; the result is moved into the cache once
     * the sandbox is gone. It sees the sources, the headers the job names and the folders of
     * its -I, -iquote and -include flags, and the system: never the cache, solutions/ or another
     * grading. */
    static unsigned jobs;
    char *scratch = xasprintf("%s/.compile-%d-%u", job->cache_dir, (int)getpid(), jobs++);
    remove_tree(scratch);
    if (mkdir(scratch, 0700) ||
        (geteuid() == 0 && chown(scratch, spawn_sandbox_uid(), spawn_sandbox_uid()))) {
        error("cannot make '%s': %s", scratch, strerror(errno));
        free(scratch);
        free(out);
        free(diag_path);
        return NULL;
    }
    const char *see[320];
    size_t ns = 0;
    for (size_t i = 0; job->sources[i] && ns < 300; i++)
        see[ns++] = job->sources[i];
    for (size_t i = 0; job->inputs && job->inputs[i] && ns < 300; i++)
        see[ns++] = job->inputs[i];
    for (size_t i = 0; job->flags && job->flags[i] && ns < 300; i++) {
        if (starts_with(job->flags[i], "-I") && job->flags[i][2])
            see[ns++] = job->flags[i] + 2;
        else if (starts_with(job->flags[i], "-iquote") && job->flags[i][7])
            see[ns++] = job->flags[i] + 7; /* the private folder of the one preprocessed unit */
        else if (!strcmp(job->flags[i], "-include") && job->flags[i + 1])
            see[ns++] = job->flags[i + 1];
    }
    see[ns] = NULL;
    size_t n = 0;
    const char *argv[256];
    argv[n++] = job->cc;
    for (size_t i = 0; job->flags && job->flags[i] && n < 240; i++)
        argv[n++] = job->flags[i];
    for (size_t i = 0; job->sources[i] && n < 240; i++)
        argv[n++] = job->sources[i];
    /* A link map the job asks for (-Wl,-Map=PATH) is written in the scratch folder, the one
     * place the sandboxed linker may write, and stored at PATH with the output. */
    const char *map_to = NULL;
    char *map_flag = NULL, *map_made = NULL;
    for (size_t i = 0; job->link_flags && job->link_flags[i] && n < 250; i++) {
        if (starts_with(job->link_flags[i], "-Wl,-Map=") && !map_to) {
            map_to = job->link_flags[i] + strlen("-Wl,-Map=");
            map_made = xasprintf("%s/out.map", scratch);
            map_flag = xasprintf("-Wl,-Map=%s", map_made);
            argv[n++] = map_flag;
        } else {
            argv[n++] = job->link_flags[i];
        }
    }
    /* Stages run side by side (grade.c) may compile the same job at once: each writes its
     * binary into its own scratch folder and its messages under a name of its own pid, then
     * renames them in place. */
    char *tmp = xasprintf("%s/out", scratch);
    char *tmp_diag = xasprintf("%s.tmp%d.log", out, (int)getpid());
    if (!job->output_positional)
        argv[n++] = "-o";
    argv[n++] = tmp;
    argv[n] = NULL;
    /* English messages whatever the learner's locale: the harness reads them. */
    static const char *const env[] = {"LC_ALL=C", "GCC_COLORS=", NULL};
    double timeout = job->timeout > 0 ? job->timeout : 60;
    /* Memory too: `#include "/dev/zero"` makes gcc read until memory runs out. The compilers
     * are no sanitized programs, so RLIMIT_AS holds them. */
    struct child c = {.argv = argv,
                      .env = env,
                      .stdout_path = tmp_diag,
                      .stderr_path = tmp_diag,
                      .timeout = timeout,
                      .view = {.read = see, .write = scratch},
                      .limits = {.cpu_seconds = (long)timeout + 5,
                                 .memory_mb = 2048,
                                 .file_mb = 512,
                                 .open_files = 256,
                                 .processes = 64,
                                 .unprivileged = 1}};
    int rc = child_run(&c);
    if (diagnostics)
        *diagnostics = read_file(tmp_diag, 1 << 20, NULL);
    if (rename(tmp_diag, diag_path))
        unlink(tmp_diag);
    free(tmp_diag);
    if (rc || !c.exited || c.exit_code) {
        if (c.exec_failed && diagnostics) {
            /* what the sandbox printed (bwrap's own words), then why */
            char *d = c.exec_errno == ENOENT ? xasprintf("%s%s: compiler not found\n",
                                                         *diagnostics ? *diagnostics : "", job->cc)
                                             : xasprintf("%s%s: could not be started: %s\n",
                                                         *diagnostics ? *diagnostics : "", job->cc,
                                                         strerror(c.exec_errno));
            free(*diagnostics);
            *diagnostics = d;
        } else if (c.timed_out && diagnostics) {
            char *d = xasprintf("%sthe compiler did not finish within %.0f s\n",
                                *diagnostics ? *diagnostics : "", c.timeout);
            free(*diagnostics);
            *diagnostics = d;
        }
        remove_tree(scratch);
        free(scratch);
        free(map_flag);
        free(map_made);
        free(tmp);
        free(out);
        free(diag_path);
        return NULL;
    }
    if (map_made && (store(map_made, map_to) || chmod(map_to, 0644))) {
        remove_tree(scratch);
        free(map_flag);
        free(map_made);
        free(scratch);
        free(tmp);
        free(out);
        free(diag_path);
        return NULL;
    }
    free(map_flag);
    free(map_made);
    if (store(tmp, out)) {
        remove_tree(scratch);
        free(scratch);
        free(tmp);
        free(out);
        free(diag_path);
        return NULL;
    }
    remove_tree(scratch);
    free(scratch);
    free(tmp);
    free(diag_path);
    return out;
}
