/* perf.c: the perf stage: the learner's driver against the reference's, in turn. */
#include "stages/perf.h"
#include "stages/source.h"
#include "stages/stage.h"

#include "server/latency_server.h"
#include "stages/python.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUICK_PAIRS 3 /* enough when every one of them is far from the bound */
#define FIRST_PAIRS 5
#define MAX_PAIRS 15
/* Seconds of measuring after which no more pairs are added: a clear verdict stands, one in
 * doubt (or on a machine too busy) becomes an ERROR, never a fail. On an idle machine the
 * stage takes a second or two; on one shared with many other programs, 15 pairs took up to
 * 65 s, which a learner should not wait for to be told that the machine is busy. */
#define BUDGET_SECONDS 10
#define BAR_WIDTH 40

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    double *c = xmalloc(sizeof *c * (size_t)n);
    memcpy(c, v, sizeof *c * (size_t)n);
    qsort(c, (size_t)n, sizeof *c, cmp_double);
    double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    free(c);
    return m;
}

static void bar(struct strbuf *sb, const char *label, double seconds, double longest,
                const char *note)
{
    int w = longest > 0 ? (int)lround(seconds / longest * BAR_WIDTH) : 0;
    if (w < 1 && seconds > 0)
        w = 1;
    sb_addf(sb, "%-10s %8.3f s  ", label, seconds);
    for (int i = 0; i < BAR_WIDTH; i++)
        sb_puts(sb, i < w ? "#" : " ");
    sb_addf(sb, "  %s\n", note);
}

static void draw(struct stage_result *out)
{
    const struct perf_numbers *p = &out->perf;
    double longest = fmax(p->learner, fmax(p->reference, p->floor));
    struct strbuf sb = STRBUF_INIT;
    char note[128];
    snprintf(note, sizeof note, "%.1f cores, %ld MB", p->learner_cores, p->learner_rss_kb / 1024);
    bar(&sb, "yours", p->learner, longest, note);
    snprintf(note, sizeof note, "%.1f cores, %ld MB", p->reference_cores,
             p->reference_rss_kb / 1024);
    bar(&sb, "reference", p->reference, longest, note);
    if (p->floor > 0)
        bar(&sb, "floor", p->floor, longest,
            p->io ? "ceil(requests / concurrency) latencies"
                  : "one thread's time over the cores it may use");
    if (p->peak_in_flight)
        sb_addf(&sb, "your code had at most %ld request%s in flight at once\n", p->peak_in_flight,
                p->peak_in_flight == 1 ? "" : "s");
    sb_addf(&sb, "median of %d %s, run in turn (yours, reference, ...) after a warm-up\n", p->pairs,
            plural(p->pairs, "pair", "pairs"));
    free(out->details);
    out->details = sb_detach(&sb);
}

/* The reference's time on one thread, the floor's measure: CPU time, not wall, since a
 * program on the other core would stretch the wall time of this one thread, not the work it
 * did. Being CPU time, it hardly changes from one grading to the next, and it is the longest
 * run of the stage (one thread doing all the work): it is measured once per reference build
 * and workload and kept beside the cached binary (whose name is its content's hash).
 * Returns seconds, or 0 when the run failed. */
static double single_thread_seconds(struct run *r, const char *ref)
{
    const struct kata *k = r->kata;
    unsigned long long h = FNV_INIT;
    for (int i = 0; i < k->nperf_single_args; i++)
        h = fnv1a(h, k->perf_single_args[i], strlen(k->perf_single_args[i]) + 1);
    char *kept = xasprintf("%s.floor-%016llx", ref, h);
    char *text = read_file(kept, 64, NULL);
    double one = text ? atof(text) : 0;
    free(text);
    if (one <= 0) {
        struct perf_sample s;
        if (perf_run(r, ref, k->perf_single_args, k->nperf_single_args, 30, 0, &s, NULL) == 0) {
            one = fmin(s.wall, s.cpu);
            char line[64];
            snprintf(line, sizeof line, "%.6f\n", one);
            write_file(kept, line, strlen(line));
        }
    }
    free(kept);
    return one;
}

/* Whether the graded runs move their workload by the grading's seed (perf.h, perf_run): always,
 * but for the defences' proof (tests/hostile/hardcoded_timed.c). */
static int varied(const struct run *r)
{
    return !defence_disabled(r, "vary");
}

/* A run of the learner's; where the kata talks to the latency server, it also notes how many
 * requests the run kept in flight at most, so no extra run is needed to find out, and holds
 * the run to the work the server did for the reference's (`need`, or NULL): a run that got
 * fewer bytes of body or fewer milliseconds of delay from the server made up what it did
 * not fetch (the bodies are a public function of their path: harness/server/latency_body.h),
 * and is no timing of a download. Returns perf_run's result, or 1 with *why set then. */
static int learner_run(struct run *r, const char *bin, double timeout, struct perf_sample *s,
                       char **why, long *peak_in_flight, const struct latency_stats *need)
{
    const struct kata *k = r->kata;
    /* perf_run starts each run with a fresh server, so its counters are this run's */
    int rc = perf_run(r, bin, k->perf_args, k->nperf_args, timeout, varied(r), s, why);
    if (r->server && rc == 0) {
        struct latency_stats st;
        latency_server_stats(r->server, &st);
        if ((long)st.peak_in_flight > *peak_in_flight)
            *peak_in_flight = (long)st.peak_in_flight;
        if (need && !defence_disabled(r, "served") &&
            (st.body_bytes < need->body_bytes || st.delay_ms < need->delay_ms)) {
            if (why)
                *why = xasprintf(
                    "the timed run did not fetch what its workload asks: the server sent it "
                    "%llu bytes of body after %llu ms of delays in all, where the reference's "
                    "run fetched %llu bytes after %llu ms; every body must come from the "
                    "server",
                    (unsigned long long)st.body_bytes, (unsigned long long)st.delay_ms,
                    (unsigned long long)need->body_bytes, (unsigned long long)need->delay_ms);
            rc = 1;
        }
    }
    return rc;
}

int stage_perf(struct run *r, struct stage_result *out)
{
    const struct kata *k = r->kata;
    double began = now_seconds();
    int out_of_time = 0;
    if (k->perf_bound <= 0) {
        stage_say(out, ST_ERROR, "kata.json has no \"perf\" section");
        return 0;
    }
    char *diag = NULL;
    char *mine = build_driver(r, DRIVER_PERF, NULL, &diag);
    free(diag);
    char *ref = build_driver(r, DRIVER_PERF, k->solution, &diag);
    free(diag);
    if (!mine || !ref) {
        stage_say(out, ST_ERROR, "the timed build failed");
        free(mine);
        free(ref);
        return 0;
    }
    struct perf_numbers *p = &out->perf;
    p->bound = k->perf_bound;
    /* warm-up: page cache, CPU frequency; and the reference's time sets the deadline */
    struct perf_sample rs, ls;
    char *why = NULL;
    if (perf_run(r, ref, k->perf_args, k->nperf_args, 30, varied(r), &rs, NULL)) {
        stage_say(out, ST_ERROR, "the reference failed its own timed workload");
        free(mine);
        free(ref);
        return 0;
    }
    /* what the server did for the reference: every run of the learner's is held to it */
    struct latency_stats need = {0};
    if (r->server)
        latency_server_stats(r->server, &need);
    const struct latency_stats *needed = r->server ? &need : NULL;
    double deadline = fmin(30, fmax(2, rs.wall * k->perf_bound * 10));
    int rc = learner_run(r, mine, deadline, &ls, &why, &p->peak_in_flight, needed);
    if (rc) {
        if (ls.wall >= deadline - 0.01)
            stage_say(out, ST_FAIL,
                      "too slow: not done after %.1f s, where the reference "
                      "takes %.3f s",
                      deadline, rs.wall);
        else
            stage_say(out, rc < 0 ? ST_ERROR : ST_FAIL, "%s", why ? why : "did not run");
        free(why);
        free(mine);
        free(ref);
        return 0;
    }
    double ratios[MAX_PAIRS], lw[MAX_PAIRS], rw[MAX_PAIRS], lc[MAX_PAIRS], rc_[MAX_PAIRS];
    int n = 0;
    /* Far beyond the bound even at warm-up: pairs would only confirm it, slowly. */
    int clear = ls.wall / rs.wall > 3 * k->perf_bound;
    if (clear) {
        ratios[0] = ls.wall / rs.wall;
        lw[0] = ls.wall, rw[0] = rs.wall;
        lc[0] = ls.cpu, rc_[0] = rs.cpu;
        p->learner_rss_kb = ls.rss_kb, p->reference_rss_kb = rs.rss_kb;
        n = 1;
    }
    /* the floor, before the pairs: a reference far above it was slowed by something else */
    if (k->io_requests > 0 && k->io_latency_ms > 0) {
        int waves = (k->io_requests + k->io_concurrency - 1) / k->io_concurrency;
        p->floor = waves * k->io_latency_ms / 1000.0;
        p->io = 1;
    } else if (k->nperf_single_args) {
        double one = single_thread_seconds(r, ref);
        if (one > 0) {
            long cores = sysconf(_SC_NPROCESSORS_ONLN);
            int use = k->perf_threads < cores ? k->perf_threads : (int)cores;
            p->floor = one / (use > 0 ? use : 1);
        }
    }
    int target = clear ? 1 : QUICK_PAIRS;
measure:
    while (n < target) {
        if (n >= QUICK_PAIRS && now_seconds() - began > BUDGET_SECONDS) {
            out_of_time = 1;
            break;
        }
        int mine_rc = learner_run(r, mine, deadline, &ls, &why, &p->peak_in_flight, needed);
        int ref_rc =
            mine_rc ? 0 : perf_run(r, ref, k->perf_args, k->nperf_args, 30, varied(r), &rs, NULL);
        if (mine_rc || ref_rc) {
            /* a reference that fails is the harness's fault, never the learner's */
            if (mine_rc)
                stage_say(out, mine_rc < 0 ? ST_ERROR : ST_FAIL, "%s",
                          why ? why : "a timed run failed");
            else
                stage_say(out, ST_ERROR,
                          "the reference failed its own timed workload "
                          "between your runs");
            free(why);
            free(mine);
            free(ref);
            return 0;
        }
        ratios[n] = ls.wall / rs.wall;
        lw[n] = ls.wall, rw[n] = rs.wall;
        lc[n] = ls.cpu / ls.wall, rc_[n] = rs.cpu / rs.wall;
        if (ls.rss_kb > p->learner_rss_kb)
            p->learner_rss_kb = ls.rss_kb;
        if (rs.rss_kb > p->reference_rss_kb)
            p->reference_rss_kb = rs.rss_kb;
        n++;
        if (n == QUICK_PAIRS && target == QUICK_PAIRS) {
            /* Three pairs that all sit a quarter or more inside the bound, or all a quarter
             * or more beyond it, agree on the verdict; anything else gets the full five. */
            int inside = 0, beyond = 0;
            for (int i = 0; i < n; i++) {
                inside += ratios[i] <= k->perf_bound / 1.25;
                beyond += ratios[i] >= k->perf_bound * 1.25;
            }
            if (inside < n && beyond < n)
                target = FIRST_PAIRS;
        }
        /* A noisy set may not fail anyone: while some pair says the code is within the
         * bound, the verdict is in doubt, so measure more. When every pair is over it, more
         * pairs would only confirm the fail, slowly. */
        if (n == target && target >= FIRST_PAIRS && target < MAX_PAIRS) {
            double m = median(ratios, n), lo = ratios[0];
            for (int i = 1; i < n; i++)
                lo = fmin(lo, ratios[i]);
            if (m > k->perf_bound && lo <= k->perf_bound * 1.05)
                target = n + 5 > MAX_PAIRS ? MAX_PAIRS : n + 5;
        }
    }
    if (clear) {
        lc[0] = lc[0] / lw[0];
        rc_[0] = rc_[0] / rw[0];
    }
    /* A CPU-bound reference that could not get the cores it needs means another program
     * took them: the ratio then says more about the machine than about the code. Measure
     * longer, and if the machine stays busy, give no verdict rather than a wrong one. */
    /* The same when the reference had its cores but got less done on them than alone (a
     * busy hyperthread sibling, a program in its cache): its time is then far over the
     * floor, and the one-thread design beside it looks almost as fast. */
    int short_of_cores = k->perf_min_cores > 0 && median(rc_, n) < k->perf_min_cores;
    int over_floor = k->perf_max_over_floor > 0 && p->floor > 0 && !p->io &&
                     median(rw, n) > p->floor * k->perf_max_over_floor;
    if (!clear && (short_of_cores || over_floor)) {
        if (target < MAX_PAIRS && !out_of_time) {
            target = MAX_PAIRS;
            goto measure;
        }
        p->busy = 1;
        if (short_of_cores)
            stage_say(out, ST_ERROR,
                      "the machine is too busy to time this fairly: the "
                      "reference got %.1f cores where it needs %.1f; run it again when the "
                      "machine is idle",
                      median(rc_, n), k->perf_min_cores);
        else
            stage_say(out, ST_ERROR,
                      "the machine is too busy to time this fairly: the "
                      "reference took %.2fx its floor where it needs at most %.2fx; run it "
                      "again when the machine is idle",
                      median(rw, n) / p->floor, k->perf_max_over_floor);
        free(mine);
        free(ref);
        return 0;
    }
    if (out_of_time) {
        /* the budget ran out while more pairs were wanted: a fail in doubt is no fail */
        double m = median(ratios, n), lo = ratios[0];
        for (int i = 1; i < n; i++)
            lo = fmin(lo, ratios[i]);
        /* ten pairs or more whose median is a tenth beyond the bound are no longer in
         * doubt (fifteen pairs used to decide by their median alone): one fast pair among
         * them is the machine's noise, not the code's speed */
        int settled = n >= FIRST_PAIRS + 5 && m > k->perf_bound * 1.10;
        if (m > k->perf_bound && lo <= k->perf_bound * 1.05 && !settled) {
            p->busy = 1;
            stage_say(out, ST_ERROR,
                      "the machine is too busy to time this fairly: after %d "
                      "s of measuring, %d %s still disagree about the bound of %.2fx "
                      "(median %.2fx); run it again when the machine is idle",
                      BUDGET_SECONDS, n, plural(n, "pair", "pairs"), k->perf_bound, m);
            free(mine);
            free(ref);
            return 0;
        }
    }
    p->measured = 1;
    p->pairs = n;
    p->ratio = median(ratios, n);
    p->learner = median(lw, n);
    p->reference = median(rw, n);
    p->learner_cores = median(lc, n);
    p->reference_cores = median(rc_, n);
    draw(out);
    python_perf_line(r, ref, p->reference, out);
    if (p->ratio <= k->perf_bound)
        stage_say(out, ST_PASS, "%.2fx the reference's time (bound %.2fx)", p->ratio,
                  k->perf_bound);
    else
        stage_say(out, ST_FAIL, "%.2fx the reference's time, over the bound of %.2fx%s", p->ratio,
                  k->perf_bound, clear ? " (clear from the first run)" : "");
    free(mine);
    free(ref);
    return 0;
}
