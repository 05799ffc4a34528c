/* test_detect.c: tests of harness/stages/detect.c, detect_judge: the memory of a race by the
 * name the learner gave it, whatever the detector called it (a static's symbol "b.0" or
 * "worker.b", "a heap block" for a struct's field, no name at all for one of DRD's halves). */
#include "kata.h"
#include "run.h"
#include "spawn.h"
#include "util.h"
#include "stages/detect.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void cleanup(void)
{
    if (dir[0])
        remove_tree(dir);
}

TestSuite(detect, .fini = cleanup);

/* A learner's file: its lines 1 to 6. */
static const char *const SOURCE = "int queue_get(struct queue *q, long *item)\n"
                                  "{\n"
                                  "    if (q->count == 0 && q->closed)\n"
                                  "        q->count--;\n"
                                  "    q->closed = 1; /* not q->count: a comment */\n"
                                  "    return \"q->count\" != 0;\n";

/* A race found in the learner's file at `line` (and `other`, unless 0), named `variable`. */
static struct finding *race(struct findings *f, const char *variable, const char *function,
                            int line, int other, unsigned long address)
{
    struct finding *x = findings_add(f);
    x->kind = xstrdup("data race");
    x->variable = variable ? xstrdup(variable) : NULL;
    x->in_learner = 1;
    x->address = address;
    int lines[2] = {line, other};
    for (int k = 0; k < 2 && lines[k]; k++) {
        x->access[k].file = xstrdup("anywhere.c");
        x->access[k].line = lines[k];
        x->access[k].function = xstrdup(function);
        x->access[k].in_learner = 1;
        x->naccess++;
    }
    return x;
}

Test(detect, names_the_memory_as_the_learner_wrote_it)
{
    snprintf(dir, sizeof dir, "/tmp/kata-test-detect-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char *src = xasprintf("%s/queue.c", dir);
    cr_assert_eq(write_file(src, SOURCE, strlen(SOURCE)), 0);
    struct kata k = {.name = (char *)"queue"};
    struct run r = {.kata = &k, .src = src};
    struct stage_result out = {.name = "drd"};
    struct child c = {.exited = 1};
    race(&out.findings, "a heap block", "queue_get", 3, 4, 0);     /* both lines: q->count */
    race(&out.findings, NULL, "queue_get", 3, 0, 0x10);            /* count or closed? */
    race(&out.findings, "a heap block", "queue_get", 4, 0, 0x10);  /* q->count, at 0x10 */
    race(&out.findings, "a stack variable", "queue_get", 5, 0, 0); /* the comment is no code */
    race(&out.findings, "b.0", "worker", 6, 0, 0);                 /* gcc's symbol */
    race(&out.findings, "worker.b", "worker", 6, 0, 0);            /* clang's */
    race(&out.findings, "a heap block", "queue_get", 6, 0, 0);     /* a literal is no code */
    detect_judge(&r, "drd", &c, NULL, &out);
    static const char *const want[] = {"q->count", "q->count", "q->count",    "q->closed",
                                       "b",        "b",        "a heap block"};
    cr_assert_eq(out.findings.n, 7);
    for (size_t i = 0; i < 7; i++)
        cr_assert_str_eq(out.findings.v[i].variable, want[i], "finding %zu", i);
    cr_assert_eq(out.status, ST_FAIL);
    findings_release(&out.findings);
    free(out.summary);
    free(out.details);
    free(src);
}
