/* grade.c: one grading run: the stages in order, the shared pieces they use. */
#include "grade.h"

#include "compile.h"
#include "latency_server.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const learner_warnings[] = {
    "-std=c11",     "-Wall",           "-Wextra",
    "-Wpedantic",   "-Wshadow",        "-Wstrict-prototypes",
    "-Wvla",        "-Wwrite-strings", "-fdiagnostics-color=never",
    NULL,
};

struct limits learner_limits(double timeout, int sanitizer)
{
    struct limits l = {
        .cpu_seconds = (long)(timeout * 2) + 5, /* two cores busy for the whole deadline */
        .memory_mb = sanitizer ? 0 : 8192,      /* Valgrind needs room; sanitizers use rss */
        .file_mb = 64,
        .open_files = 1024,
        .processes = 512,
        .unprivileged = 1,
        .private_tmp = 1,
    };
    return l;
}

void stage_say(struct stage_result *s, enum status st, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    free(s->summary);
    s->summary = sb_detach(&sb);
    s->status = st;
}

char *work_path(const struct run *r, const char *name)
{
    return xasprintf("%s/%s", r->work, name);
}

const char *seed_env(const struct run *r)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "KATA_SEED=%lu", r->seed);
    return buf;
}

const char *server_env(const struct run *r)
{
    return r->server_env;
}

/* The Valgrind build's learner object: the learner's file alone, compiled with GCC's
 * ThreadSanitizer instrumentation so that every atomic operation, however it is spelled,
 * becomes a call into harness/runtime/valgrind_atomics.c, which the driver links instead of
 * libtsan (that file says what it tells Helgrind and DRD). Only the learner's file is
 * instrumented: the driver stays the plain build it was. gcc rather than clang, although both
 * instrument every form and keep the lines and global names the tools report: gcc is the
 * compiler of the build stage, and clang 14 rejects some valid C11 (`(a += 1) == 2` on an
 * _Atomic), which would fail here what the build stage passed. Returns the object's path
 * (caller frees) or NULL, with the compiler's output in *diagnostics. */
static char *valgrind_object(struct run *r, const char *src, const char *header, char **diagnostics)
{
    const char *flags[] = {"-std=c11", "-O0", "-g", "-fsanitize=thread", "-w", r->include_flag,
                           "-Iharness", "-c", NULL};
    const char *sources[] = {src, NULL};
    const char *inputs[] = {header, NULL};
    struct compile_job job = {
        .cc = "gcc",
        .flags = flags,
        .sources = sources,
        .inputs = inputs,
        .label = "object-valgrind",
        .cache_dir = r->cache,
    };
    return compile(&job, diagnostics, NULL);
}

char *build_driver(struct run *r, enum driver_build kind, const char *src, char **diagnostics)
{
    char *header = xasprintf("%s/%s.h", r->kata->dir, r->kata->name);
    const char *inputs[] = {header, NULL};
    const char *plain[] = {"-std=c11", "-O0", "-g", "-no-pie", "-w", r->include_flag, "-Iharness",
                           NULL};
    const char *tsan[] = {"-std=c11", "-O0", "-g", "-fsanitize=thread", "-w", r->include_flag,
                          "-Iharness", NULL};
    const char *perf[] = {"-std=c11", "-O2", "-g", "-w", r->include_flag, "-Iharness", NULL};
    const char *asan[] = {"-std=c11", "-O1", "-g", "-fsanitize=address,undefined",
                          "-fno-omit-frame-pointer", "-w", r->include_flag, "-Iharness", NULL};
    const char *sources[5] = {r->kata->driver, src ? src : r->src, NULL};
    char *object = NULL;
    if (kind == DRIVER_PLAIN) {
        /* the Valgrind build: C11 atomics made visible to Helgrind and DRD */
        object = valgrind_object(r, sources[1], header, diagnostics);
        if (!object) {
            free(header);
            return NULL;
        }
        if (diagnostics) {
            free(*diagnostics);
            *diagnostics = NULL;
        }
        sources[1] = object;
    }
    size_t ns = 2;
    if (kind == DRIVER_PLAIN)
        sources[ns++] = "harness/runtime/valgrind_atomics.c";
    if (r->kata->server)
        sources[ns++] = "harness/latency_body.c";
    sources[ns] = NULL;
    const char *libs[MAX_ARGS + 3];
    size_t m = 0;
    for (int i = 0; i < r->kata->nlibs; i++)
        libs[m++] = r->kata->libs[i];
    libs[m++] = "-lpthread";
    if (kind == DRIVER_PLAIN)
        libs[m++] = "-no-pie";
    libs[m] = NULL;
    static const char *const labels[] = {"driver-plain", "driver-tsan", "driver-perf",
                                         "driver-asan"};
    const char *const *flags[] = {plain, tsan, perf, asan};
    struct compile_job job = {
        .cc = kind == DRIVER_TSAN || kind == DRIVER_ASAN ? "clang" : "gcc",
        .flags = flags[kind],
        .sources = sources,
        .link_flags = libs,
        .inputs = inputs,
        .label = labels[kind],
        .cache_dir = r->cache,
    };
    char *bin = compile(&job, diagnostics, NULL);
    free(object);
    free(header);
    return bin;
}

const struct stage_result *run_stage(const struct run *r, const char *name)
{
    for (int i = 0; i < r->nstages; i++)
        if (!strcmp(r->stages[i].name, name))
            return &r->stages[i];
    return NULL;
}

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
    char *tag = run_tag(r->src_real);
    r->work = xasprintf("%s/build/run/%s/%s", r->root, r->kata->name, tag);
    r->cache = xasprintf("%s/build/cache/%s", r->root, r->kata->name);
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
    /* learner code runs unprivileged when we are root (spawn.h), and writes its reports here */
    if (geteuid() == 0 && chown(r->work, spawn_sandbox_uid(), spawn_sandbox_uid()))
        return error("cannot hand %s to the unprivileged user: %s", r->work, strerror(errno));
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
    if (run_prepare(r))
        return -1;
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
    free(r->src_real);
    free(r->work);
    free(r->cache);
    free(r->include_flag);
    r->src_real = r->work = r->cache = r->include_flag = NULL;
}
