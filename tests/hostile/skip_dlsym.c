/* hostile: finds libcriterion's own skip function with dlsym, by a name assembled at run
 * time (no symbol check sees it), and skips the running test: the harness read SKIPPED as
 * passed. The build refuses the lookup itself (dlsym and dlopen). Behind that, the test
 * body's child cannot reach Criterion: its attempt is caught on the way out (nn_send), and
 * the verdict says the code called Criterion itself (proven by defences.sh, with the lookup
 * let through).
 * expect: stage=build status=fail first text="calls `dlsym`"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <dlfcn.h>
#include <string.h>

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    char name[32];
    strcpy(name, "criterion_");
    strcat(name, "skip_test");
    void *lib = dlopen("libcriterion.so.3", RTLD_NOW | RTLD_NOLOAD);
    void (*skip)(const char *, ...) = lib ? (void (*)(const char *, ...))dlsym(lib, name) : NULL;
    if (!skip)
        skip = (void (*)(const char *, ...))dlsym(RTLD_DEFAULT, name);
    if (skip)
        skip("nothing to see");
    return 0;
}
