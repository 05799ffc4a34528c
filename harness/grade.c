/* grade.c: one grading run: its work folder and latency server, then the stages in order. */
#include "grade.h"

#include "sandbox.h"
#include "server/latency_server.h"
#include "stages/stage.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct stage_def {
    const char *name;
    int (*fn)(struct run *, struct stage_result *);
    const char *needs; /* a stage whose failure makes this one meaningless, or NULL */
    const char *tool;  /* runs the driver to watch or time it ("a detector", "the timer"):
                          skipped when the tests hung or ran out of memory, run after
                          failed tests otherwise (the driver stands on its own) */
};

static const struct stage_def stage_defs[] = {
    {"build", stage_build, NULL, NULL},
    {"test", stage_test, "build", NULL},
    {"tsan", stage_tsan, "build", "a detector"},
    {"helgrind", stage_helgrind, "build", "a detector"},
    {"drd", stage_drd, "build", "a detector"},
    {"asan", stage_asan, "build", "a detector"},
    {"perf", stage_perf, "build", "the timer"},
};

static const struct stage_def *find_stage(const char *name)
{
    for (size_t i = 0; i < sizeof stage_defs / sizeof stage_defs[0]; i++)
        if (!strcmp(stage_defs[i].name, name))
            return &stage_defs[i];
    return NULL;
}

static char *run_tag(const char *src_real)
{
    const char *b = base_name(src_real);
    size_t n = strcspn(b, ".");
    unsigned long long h = fnv1a(FNV_INIT, src_real, strlen(src_real));
    return xasprintf("%.*s-%08llx", (int)n, b, h & 0xffffffffULL);
}

int run_prepare(struct run *r)
{
    r->src_real = real_path(r->src);
    /* The harness reads no file through a final symbolic link (util.h, read_file): a
     * learner's file given as a link is read where it lies. */
    struct stat st;
    if (lstat(r->src, &st) == 0 && S_ISLNK(st.st_mode))
        r->src = r->src_real;
    char *tag = run_tag(r->src_real);
    r->work = xasprintf("build/run/%s/%s", r->kata->name, tag);
    r->cache = xasprintf("build/cache/%s", r->kata->name);
    r->include_flag = xasprintf("-I%s", r->kata->dir);
    free(tag);
    if (mkdir_p(r->cache))
        return -1;
    /* Two gradings of one file (`make watch` beside `make kata`) would share the work
     * folder: the second waits for the first. */
    char *lock = xasprintf("%s.lock", r->work);
    char *parent = xstrndup(r->work, (size_t)(strrchr(r->work, '/') - r->work));
    mkdir_p(parent);
    free(parent);
    r->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(lock);
    if (r->lock_fd >= 0)
        flock(r->lock_fd, LOCK_EX);
    remove_tree(r->work);
    if (mkdir_p(r->work))
        return -1;
    /* Learner code writes its reports here. In the sandbox each child has a folder of its
     * own in this one's place (spawn.c), and this one stays the harness's; without it, learner
     * code runs unprivileged when we are root (spawn.h) and writes here itself. Either way
     * the harness reads what is here only through read_file (no links followed, regular files
     * only, a size cap) and makes its own files anew (spawn.h). */
    r->isolation = sandbox_start(r->work);
    r->limits = sandbox_limits();
    if (strcmp(r->isolation, "bubblewrap") && geteuid() == 0 &&
        chown(r->work, spawn_sandbox_uid(), spawn_sandbox_uid()))
        return error("cannot hand %s to the unprivileged user: %s", r->work, strerror(errno));
    const char *require = getenv("KATA_REQUIRE_SANDBOX");
    if (require && *require && strcmp(require, "0") && strcmp(r->isolation, "bubblewrap"))
        return error("KATA_REQUIRE_SANDBOX is set and learner code would not be isolated (%s): "
                     "not grading",
                     r->isolation);
    if (r->kata->server) {
        /* The harness is in its own network namespace by now, so this loopback server
         * is the only one the learner's code can reach. */
        r->server = latency_server_start("127.0.0.1", 0);
        if (!r->server)
            return error("cannot start the latency server");
        r->server_env = xasprintf("KATA_SERVER_URL=%s", latency_server_url(r->server));
    }
    return 0;
}

int grade_run(struct run *r)
{
    double start = now_seconds();
    if (r->only_stage && !kata_has_stage(r->kata, r->only_stage))
        return error("kata '%s' has no stage '%s'", r->kata->name, r->only_stage);
    if (run_prepare(r)) {
        r->status = ST_ERROR; /* not graded: no verdict may read as a pass */
        return -1;
    }
    int harness_failed = 0;
    r->status = ST_PASS;
    for (int i = 0; i < r->kata->nstages; i++) {
        const char *name = r->kata->stages[i];
        const struct stage_def *def = find_stage(name);
        if (!def) {
            error("kata '%s' lists an unknown stage '%s'", r->kata->name, name);
            harness_failed = 1;
            break;
        }
        if (r->only_stage && strcmp(name, "build") && strcmp(name, r->only_stage))
            continue;
        struct stage_result *s = &r->stages[r->nstages++];
        memset(s, 0, sizeof *s);
        s->name = def->name;
        const struct stage_result *need = def->needs ? run_stage(r, def->needs) : NULL;
        if (need && need->status != ST_PASS) {
            stage_say(s, ST_SKIP, "the %s stage did not pass", def->needs);
            continue;
        }
        const struct stage_result *test = run_stage(r, "test");
        if (def->tool && test && test->hung) {
            stage_say(s, ST_SKIP, "the tests hung, and %s cannot judge a program that does "
                      "not finish", def->tool);
            continue;
        }
        if (def->tool && test && test->exhausted) {
            stage_say(s, ST_SKIP, "the tests ran out of memory, and under %s the program "
                      "would only do so more slowly", def->tool);
            continue;
        }
        double t0 = now_seconds();
        if (def->fn(r, s)) {
            s->status = ST_ERROR;
            harness_failed = 1;
        }
        s->seconds = now_seconds() - t0;
        if (s->status == ST_FAIL && r->status == ST_PASS)
            r->status = ST_FAIL;
        if (s->status == ST_ERROR)
            harness_failed = 1;
    }
    if (harness_failed)
        r->status = ST_ERROR;
    r->seconds = now_seconds() - start;
    return harness_failed ? -1 : 0;
}

void run_release(struct run *r)
{
    for (int i = 0; i < r->nstages; i++) {
        struct stage_result *s = &r->stages[i];
        free(s->summary);
        free(s->details);
        free(s->raw);
        findings_release(&s->findings);
        for (int j = 0; j < s->ntests; j++)
            free(s->tests[j].name);
        free(s->tests);
    }
    r->nstages = 0;
    if (r->lock_fd > 0)
        close(r->lock_fd); /* and so the lock goes */
    r->lock_fd = 0;
    if (r->server)
        latency_server_stop(r->server);
    r->server = NULL;
    free(r->server_env);
    r->server_env = NULL;
    sandbox_stop();
    free(r->isolation);
    free(r->limits);
    r->isolation = r->limits = NULL;
    free(r->src_real);
    free(r->work);
    free(r->cache);
    free(r->include_flag);
    r->src_real = r->work = r->cache = r->include_flag = NULL;
}
