/* timed.c: one timed run of a built driver, on a latency server no earlier run touched. */
#include "stages/perf.h"
#include "stages/main_end.h"
#include "stages/source.h"
#include "stages/stage.h"

#include "server/latency_server.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first line the driver printed (its answer beside the expected one), cut short, or
 * NULL when it printed nothing. */
static char *first_line(const char *log)
{
    char *text = read_file(log, 4096, NULL);
    if (!text)
        return NULL;
    size_t n = strcspn(text, "\n");
    char *line = n ? xasprintf("%.*s%s", n > 160 ? 160 : (int)n, text, n > 160 ? "..." : "") : NULL;
    free(text);
    return line;
}

/* A latency server no earlier run has touched: a run that ends with thousands of delayed
 * requests still open (its sandbox is gone, the server's timers are not) would otherwise
 * slow the next run, the reference's included, and make a slow answer look fast by
 * comparison. Returns 0, or -1 when no server would start. */
static int fresh_server(struct run *r)
{
    latency_server_stop(r->server);
    free(r->server_env);
    r->server_env = NULL;
    r->server = latency_server_start("127.0.0.1", 0);
    if (!r->server)
        return error("cannot start the latency server");
    r->server_env = xasprintf("KATA_SERVER_URL=%s", latency_server_url(r->server));
    return 0;
}

int perf_run(struct run *r, const char *bin, char *const *args, int nargs, double timeout, int vary,
             struct perf_sample *s, char **why)
{
    if (r->server && fresh_server(r)) {
        *s = (struct perf_sample){0};
        return -1;
    }
    const char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = bin;
    for (int i = 0; i < nargs; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    /* the run counts only if the driver's main returned: an exit in the learner's code
     * ends a run early, and fast (stages/main_end.h) */
    struct main_end end;
    if (main_end_open(&end)) {
        *s = (struct perf_sample){0};
        return -1;
    }
    char *log = work_path(r, "perf.log");
    char workload[64];
    snprintf(workload, sizeof workload, "KATA_WORKLOAD_SEED=%lu", r->seed);
    /* server_env is NULL where the kata has no server: it ends the list */
    const char *env[] = {end.env, vary ? workload : "KATA_WORKLOAD_SEED=", seed_env(r),
                         server_env(r), NULL};
    struct child c = {.argv = argv,
                      .env = env,
                      .stdout_path = log,
                      .stderr_path = log,
                      .timeout = timeout,
                      .limits = learner_limits(timeout, 0)};
    struct child_channel channels[1];
    main_end_attach(&end, &c, channels, 0);
    int rc = child_run(&c);
    /* the end line is asked for but for the defences' proof (tests/hostile/exit_timed.c) */
    char *unended = rc || defence_disabled(r, "end") ? NULL : main_end_check(&end, &c);
    main_end_release(&end);
    s->wall = c.wall_seconds;
    s->cpu = c.cpu_seconds;
    s->rss_kb = c.max_rss_kb;
    if (rc || (c.exited && c.exit_code == 0 && !unended)) {
        free(log);
        return rc ? -1 : 0;
    }
    if (unended) {
        if (why)
            *why = xasprintf("the timed workload is not evidence: %s", unended);
        free(unended);
        free(log);
        return 1;
    }
    if (why) {
        char *how = child_describe(&c);
        char *said = first_line(log);
        *why = c.exited ? xasprintf("the timed workload gave a wrong answer (the driver %s%s%s)",
                                    how, said ? ": " : "", said ? said : "")
                        : xasprintf("the timed workload %s", how);
        free(said);
        free(how);
    }
    free(log);
    return 1;
}
