/* stage.c: the helpers every stage shares: the driver builds, the work folder, the limits
 * and the environment for learner code. */
#include "stages/stage.h"

#include "compile.h"
#include "stages/main_end.h"
#include "stages/source.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const learner_warnings[] = {
    "-std=c11",   "-Wall",           "-Wextra",
    "-Wpedantic", "-Wshadow",        "-Wstrict-prototypes",
    "-Wvla",      "-Wwrite-strings", "-fdiagnostics-color=never",
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

const char explore_wraps[] =
    "-Wl,--wrap=pthread_create,--wrap=pthread_join,--wrap=pthread_exit,--wrap=pthread_detach,"
    "--wrap=pthread_mutex_init,--wrap=pthread_mutex_destroy,--wrap=pthread_mutex_lock,"
    "--wrap=pthread_mutex_trylock,--wrap=pthread_mutex_unlock,--wrap=pthread_cond_init,"
    "--wrap=pthread_cond_destroy,--wrap=pthread_cond_wait,--wrap=pthread_cond_timedwait,"
    "--wrap=pthread_cond_signal,--wrap=pthread_cond_broadcast,--wrap=sem_init,"
    "--wrap=sem_destroy,--wrap=sem_wait,--wrap=sem_trywait,--wrap=sem_timedwait,"
    "--wrap=sem_post,--wrap=sem_getvalue,--wrap=pthread_barrier_init,"
    "--wrap=pthread_barrier_destroy,--wrap=pthread_barrier_wait,--wrap=pthread_once,"
    "--wrap=pthread_mutex_timedlock,--wrap=pthread_spin_init,--wrap=pthread_spin_destroy,"
    "--wrap=pthread_spin_lock,--wrap=pthread_spin_trylock,--wrap=pthread_spin_unlock,"
    "--wrap=pthread_rwlock_init,--wrap=pthread_rwlock_destroy,--wrap=pthread_rwlock_rdlock,"
    "--wrap=pthread_rwlock_wrlock,--wrap=pthread_rwlock_tryrdlock,"
    "--wrap=pthread_rwlock_trywrlock,--wrap=pthread_rwlock_unlock,"
    "--wrap=realloc,--wrap=free,--wrap=memcpy,--wrap=memmove,--wrap=memset,--wrap=sched_yield,--"
    "wrap=sleep,--"
    "wrap=usleep,--wrap=nanosleep,--wrap=fork";

const char c11_thread_wraps[] =
    "-Wl,--wrap=thrd_create,--wrap=thrd_join,--wrap=thrd_exit,--wrap=thrd_detach,"
    "--wrap=thrd_yield,--wrap=thrd_sleep,--wrap=mtx_init,--wrap=mtx_lock,--wrap=mtx_timedlock,"
    "--wrap=mtx_trylock,--wrap=mtx_unlock,--wrap=mtx_destroy,--wrap=cnd_init,--wrap=cnd_signal,"
    "--wrap=cnd_broadcast,--wrap=cnd_wait,--wrap=cnd_timedwait,--wrap=cnd_destroy,"
    "--wrap=call_once";

char *explore_driver(const struct run *r)
{
    const char *slash = strrchr(r->kata->driver, '/');
    int dir = slash ? (int)(slash - r->kata->driver) : 0;
    return xasprintf("%.*s%sexplore.c", dir, r->kata->driver, slash ? "/" : "");
}

/* One source of a driver's link, compiled to an object with the build's flags (cached:
 * compile.h). Returns its path (new string), or NULL with the compiler's words in
 * *diagnostics. */
static char *compile_alone(struct run *r, const char *const *build_flags, const char *source,
                           const char *const *inputs, char **diagnostics)
{
    const char *flags[16];
    size_t n = 0;
    for (; build_flags[n] && n < 14; n++)
        flags[n] = build_flags[n];
    flags[n++] = "-c";
    flags[n] = NULL;
    const char *sources[] = {source, NULL};
    struct compile_job job = {.cc = "gcc",
                              .flags = flags,
                              .sources = sources,
                              .inputs = inputs,
                              .label = "driver-part",
                              .cache_dir = r->cache};
    free(*diagnostics);
    *diagnostics = NULL;
    return compile(&job, diagnostics, NULL);
}

char *build_driver(struct run *r, enum driver_build kind, const char *src, char **diagnostics)
{
    return build_driver_mapped(r, kind, src, diagnostics, NULL);
}

char *build_driver_mapped(struct run *r, enum driver_build kind, const char *src,
                          char **diagnostics, struct code_map *code)
{
    /* the learner's side: one preprocessed unit, compiled for this build, exporting only the
     * kata's names (stages/source.h) */
    char *obj = source_object(r, kind, src ? src : r->src, NULL, diagnostics, NULL);
    if (!obj)
        return NULL;
    char *header = xasprintf("%s/%s.h", r->kata->dir, r->kata->name);
    /* what the compile reads besides its sources, so that the cache key changes with it
     * (the headers its -I folders offer are not in the key by themselves) */
    const char *inputs[9] = {header, "tests/support/report_fd.c", "harness/runtime/report_guard.h",
                             "tests/support/workload.h"};
    size_t ni = 4;
    if (kind == DRIVER_PLAIN)
        inputs[ni++] = "harness/runtime/valgrind_atomics.c";
    if (kind == DRIVER_EXPLORE) {
        inputs[ni++] = "harness/runtime/explore.h";
        inputs[ni++] = "harness/runtime/explore_race.h";
    }
    if (r->kata->server)
        inputs[ni++] = "harness/server/latency_body.h";
    const char *plain[] = {"-std=c11",         "-O0", "-g", "-no-pie", "-w", r->include_flag,
                           "-Iharness/server", NULL};
    const char *tsan[] = {"-std=c11",
                          "-O0",
                          "-g",
                          "-fsanitize=thread",
                          "-w",
                          r->include_flag,
                          "-Iharness/server",
                          "-Iharness/runtime",
                          NULL};
    const char *perf[] = {"-std=c11", "-O2", "-g", "-w", r->include_flag, "-Iharness/server", NULL};
    const char *explore[] = {"-std=c11",          "-O2", "-g", "-no-pie", "-w", r->include_flag,
                             "-Iharness/runtime", NULL};
    const char *asan[] = {"-std=c11",
                          "-O1",
                          "-g",
                          "-fsanitize=address,undefined",
                          "-fno-omit-frame-pointer",
                          "-w",
                          r->include_flag,
                          "-Iharness/server",
                          "-Iharness/runtime",
                          NULL};
    /* the Valgrind build links the stand-in for TSan's runtime that tells Helgrind and DRD
     * about atomics (harness/runtime/valgrind_atomics.c); the sanitizer drivers hand their
     * report descriptor to the runtime before main */
    /* the explore build links the kata's explore.c, beside its driver.c */
    char *driver = kind == DRIVER_EXPLORE ? explore_driver(r) : xstrdup(r->kata->driver);
    /* C11 <threads.h> calls become the pthread calls each build's tools watch */
    /* the driver's main is called through runtime/main_end.c, which tells the harness that
     * main returned (stages/main_end.h) */
    const char *sources[9] = {driver, obj, "harness/runtime/c11_threads.c",
                              "harness/runtime/main_end.c"};
    size_t ns = 4;
    /* the drivers whose report is written from inside the learner's process guard its
     * descriptors (harness/runtime/report_guard.h) */
    if (kind == DRIVER_EXPLORE) {
        sources[ns++] = "harness/runtime/explore.c";
        sources[ns++] = "harness/runtime/explore_race.c";
        sources[ns++] = "harness/runtime/report_guard.c";
    }
    if (kind == DRIVER_PLAIN)
        sources[ns++] = "harness/runtime/valgrind_atomics.c";
    if (kind == DRIVER_TSAN || kind == DRIVER_ASAN) {
        sources[ns++] = "tests/support/report_fd.c";
        sources[ns++] = "harness/runtime/report_guard.c";
    }
    if (r->kata->server)
        sources[ns++] = "harness/server/latency_body.c";
    const char *libs[MAX_ARGS + 10];
    size_t m = 0;
    for (int i = 0; i < r->kata->nlibs; i++)
        libs[m++] = r->kata->libs[i];
    libs[m++] = "-lpthread";
    libs[m++] = c11_thread_wraps;
    libs[m++] = main_end_wrap;
    if (kind == DRIVER_TSAN || kind == DRIVER_ASAN)
        libs[m++] = "-ldl";
    if (kind == DRIVER_PLAIN || kind == DRIVER_EXPLORE)
        libs[m++] = "-no-pie";
    if (kind == DRIVER_EXPLORE) {
        libs[m++] = explore_wraps;
        libs[m++] = "-latomic";
    }
    /* every source but the learner's object is compiled on its own, once for all gradings
     * (the cache is keyed by its content and flags): a grading then only links, where it
     * compiled the runtimes each time (explore's scheduler alone took a second) */
    const char *const *kind_flags[] = {plain, tsan, perf, asan, explore};
    char *owned[9] = {NULL};
    char *bin = NULL;
    for (size_t i = 0; i < ns; i++) {
        if (sources[i] == obj)
            continue;
        owned[i] = compile_alone(r, kind_flags[kind], sources[i], inputs, diagnostics);
        if (!owned[i])
            goto done;
        sources[i] = owned[i];
    }
    /* the linker's map says where the learner's object landed: a frame is the learner's by
     * its address (findings.h, struct code_map). Named after everything the link reads, so
     * a cached binary finds its own map (a map named after less was kept from an older link,
     * a runtime since changed, and its addresses were wrong). Every source is now an object
     * compile() named after its content, flags and inputs: the paths and flags say it all. */
    unsigned long long h = fnv1a(FNV_INIT, &kind, sizeof kind);
    for (size_t i = 0; sources[i]; i++)
        h = fnv1a(h, sources[i], strlen(sources[i]) + 1);
    for (size_t i = 0; i < m; i++)
        h = fnv1a(h, libs[i], strlen(libs[i]) + 1);
    char *map = xasprintf("%s.%016llx.map", obj, h);
    char *map_flag = xasprintf("-Wl,-Map=%s", map);
    libs[m++] = map_flag;
    libs[m] = NULL;
    static const char *const labels[] = {"driver-plain", "driver-tsan", "driver-perf",
                                         "driver-asan", "driver-explore"};
    struct compile_job job = {
        .cc = "gcc", /* the learner's object is gcc's (stages/source.c says why) */
        .flags = kind_flags[kind],
        .sources = sources,
        .link_flags = libs,
        .inputs = inputs,
        .label = labels[kind],
        .cache_dir = r->cache,
    };
    free(*diagnostics);
    bin = compile(&job, diagnostics, NULL);
    if (bin && code && code_map_read(code, map, obj, bin) < 0)
        code_map_release(code); /* no map: frames are judged by file name */
    free(map);
    free(map_flag);
done:
    for (size_t i = 0; i < ns; i++)
        free(owned[i]);
    free(header);
    free(obj);
    free(driver);
    return bin;
}
