/* hostile: sends Criterion one passing assertion (its own criterion_send_assert and
 * cri_asserts_passed_incr, found with dlsym) and then exits 0 before the test checks
 * anything: Criterion counted that as a pass. The build refuses the lookup itself (dlsym).
 * Behind that, the parent that judges the test wants the body's end from its own child, and
 * the child's call of Criterion is caught (proven by defences.sh, with the lookup let
 * through).
 * expect: stage=build status=fail first text="calls `dlsym`"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>

struct stats {
    const char *message;
    bool passed;
    unsigned line;
    const char *file;
    void *next;
};

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    void *lib = dlopen("libcriterion.so.3", RTLD_NOW | RTLD_NOLOAD);
    void (*send)(struct stats *) =
        lib ? (void (*)(struct stats *))dlsym(lib, "criterion_send_assert") : NULL;
    void (*incr)(void) = lib ? (void (*)(void))dlsym(lib, "cri_asserts_passed_incr") : NULL;
    struct stats s = {"fine", 1, 1, "test_race_counter.c", NULL};
    if (send)
        send(&s);
    if (incr)
        incr();
    exit(0);
}
