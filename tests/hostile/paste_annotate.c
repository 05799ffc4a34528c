/* hostile: builds the refused names with token pasting and a computed include, so a
 * substring search of the source sees none of them: Valgrind's header by a name made with
 * #, ANNOTATE_BENIGN_RACE_SIZED by ##, and no_sanitize("thread") by ##. The race below then
 * hid from all three detectors. The names are checked in the preprocessed unit, and the
 * include list is the preprocessor's own: the build refuses the file.
 * expect: stage=build status=fail first text="refused"
 * expect: stage=build status=fail match="valgrind|ANNOTATE_|no_sanitize"
 * expect: status=fail
 * limit: 12
 */
#include "race_counter.h"

#include <pthread.h>

#define STR(x) #x
/* a space would change the header's name */
/* clang-format off */
#define HEADER(a, b) STR(a##b/helgrind.h)
/* clang-format on */
#include HEADER(valg, rind)

#define QUIET(what) ANNOT##ATE_##what
#define NO(x) no_##x

#define RACY_ADD(x) (total += (x))
#define BEFORE_THREADS QUIET(BENIGN_RACE_SIZED)(&total, sizeof total, "")

__attribute__((NO(sanitize)("thread"))) static void *worker(void *arg);

static long total;

/* Each thread counts on its own and adds its count to the shared total once, with no lock:
 * the tests almost never see an update lost, every race detector sees the race. */
static void *worker(void *arg)
{
    long n = *(const long *)arg, local = 0;
    for (long i = 0; i < n; i++)
        local++;
    RACY_ADD(local);
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    total = 0;
    BEFORE_THREADS;
    for (int i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, worker, &iters);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return total;
}
