/* curve.c: the speedup view: the learner's and the reference's time at 1, 2, 4, 8 threads. */
#include "stages/perf.h"
#include "stages/stage.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUNS 3 /* per point; the median is shown */

/* The median wall time of RUNS runs of bin with perf.args, the thread count set to t.
 * Returns it, or -1 when a run failed. */
static double time_at(struct run *r, const char *bin, int t)
{
    const struct kata *k = r->kata;
    char count[16];
    snprintf(count, sizeof count, "%d", t);
    char *args[MAX_ARGS];
    for (int i = 0; i < k->nperf_args; i++)
        args[i] = i == 0 ? count : k->perf_args[i];
    double w[RUNS];
    for (int i = 0; i < RUNS; i++) {
        struct perf_sample s;
        if (perf_run(r, bin, args, k->nperf_args, 60, 0, &s, NULL))
            return -1;
        w[i] = s.wall;
    }
    /* the median of three */
    double lo = w[0] < w[1] ? w[0] : w[1], hi = w[0] < w[1] ? w[1] : w[0];
    return w[2] < lo ? lo : w[2] > hi ? hi : w[2];
}

static void bar(double speedup, double most)
{
    int width = most > 0 ? (int)(speedup / most * 24 + 0.5) : 0;
    for (int i = 0; i < 24; i++)
        putchar(i < width ? '#' : ' ');
}

int curve_print(struct run *r)
{
    const struct kata *k = r->kata;
    if (!k->nperf_args)
        return error("kata '%s' has no timed workload (no \"perf\" in kata.json)", k->name);
    char *diag = NULL;
    char *mine = build_driver(r, DRIVER_PERF, NULL, &diag);
    free(diag);
    char *ref = build_driver(r, DRIVER_PERF, k->solution, &diag);
    free(diag);
    if (!mine || !ref) {
        free(mine);
        free(ref);
        return error("the timed build failed: run `make kata NAME=%s` to see why", k->name);
    }
    static const int threads[] = {1, 2, 4, 8};
    double tm[4], tr[4];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("%s: speedup over one thread (median of %d runs each; %ld cores here)\n\n", k->name,
           RUNS, cores);
    for (int i = 0; i < 4; i++) {
        tm[i] = time_at(r, mine, threads[i]);
        tr[i] = time_at(r, ref, threads[i]);
    }
    printf("  threads   yours                              reference                ideal\n");
    for (int i = 0; i < 4; i++) {
        double ideal = threads[i] < cores ? threads[i] : (double)cores;
        double sm = tm[0] > 0 && tm[i] > 0 ? tm[0] / tm[i] : 0;
        double sr = tr[0] > 0 && tr[i] > 0 ? tr[0] / tr[i] : 0;
        printf("  %7d   ", threads[i]);
        if (tm[i] < 0)
            printf("%-35s", "failed");
        else {
            printf("%5.2fx %6.3f s ", sm, tm[i]);
            bar(sm, cores > 8 ? 8 : (double)cores);
        }
        if (tr[i] < 0)
            printf("failed                  ");
        else
            printf("%5.2fx %6.3f s        ", sr, tr[i]);
        printf("  %5.2fx\n", ideal);
    }
    printf("\nThe ideal is the thread count, up to the cores this machine has; past that, more\n"
           "threads share the same cores and can only add overhead.\n");
    free(mine);
    free(ref);
    return 0;
}
