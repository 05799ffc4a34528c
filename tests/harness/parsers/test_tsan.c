/* test_tsan.c: tests of harness/parsers/tsan.c on recorded ThreadSanitizer logs.
 *
 * The logs in tests/harness/data were recorded by tests/harness/data/record.sh from the
 * programs in tests/harness/data/src, built from the repository root with the root mapped to
 * ".": their frames read ./tests/harness/data/src/<file>.c, which resolves from the root,
 * where the tests run, in any checkout. */
#include "parsers/tsan.h"
#include "support/recordings.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Parses a recording against a learner file; returns the number of reports. */
static int parse(const char *log, const char *learner_file, struct findings *out)
{
    char *text = recording(log);
    char *real = recorded_source(learner_file);
    int n = tsan_parse(text, real, out);
    free(real);
    free(text);
    return n;
}

Test(tsan_report, names_the_variable_and_both_accesses)
{
    struct findings f = {0};
    cr_assert_eq(parse("tsan_race_global.txt", "race_global.c", &f), 1);
    cr_assert_eq(f.n, 1);
    const struct finding *x = &f.v[0];
    cr_assert_str_eq(x->kind, "data race");
    cr_assert_str_eq(x->headline, "data race");
    cr_assert_str_eq(x->variable, "counter");
    cr_assert_eq(x->naccess, 2);
    cr_assert(x->in_learner);

    const struct access *r = with_op(x, "read");
    assert_frame(r, "tests/harness/data/src/race_global.c", "peek", 21);
    cr_assert_str_eq(r->thread, "thread 2");
    cr_assert(r->in_learner);

    const struct access *w = with_op(x, "write");
    assert_frame(w, "tests/harness/data/src/race_global.c", "bump", 12);
    cr_assert_str_eq(w->thread, "thread 1");
    cr_assert(w->in_learner);
    findings_release(&f);
    cr_assert_eq(f.n, 0);
    cr_assert_null(f.v);
}

Test(tsan_report, names_a_heap_block_and_the_threads_that_raced_on_it)
{
    struct findings f = {0};
    cr_assert_eq(parse("tsan_race_heap.txt", "race_heap.c", &f), 1);
    const struct finding *x = &f.v[0];
    cr_assert_str_eq(x->kind, "data race");
    cr_assert_str_eq(x->variable, "a heap block");
    cr_assert_eq(x->naccess, 2);
    cr_assert(x->in_learner);
    /* two copies of one worker: which one is T1 depends on the run */
    int t1 = 0, t2 = 0, writes = 0;
    for (int i = 0; i < 2; i++) {
        const struct access *a = &x->access[i];
        assert_frame(a, "race_heap.c", "worker", 10);
        cr_assert(a->in_learner);
        cr_assert_not_null(a->op);
        writes += !strcmp(a->op, "write");
        t1 += !strcmp(a->thread, "thread 1");
        t2 += !strcmp(a->thread, "thread 2");
    }
    cr_assert(writes >= 1, "a race has at least one write");
    cr_assert(t1 == 1 && t2 == 1, "one access by each worker");
    findings_release(&f);
}

Test(tsan_report, names_the_main_thread)
{
    struct findings f = {0};
    cr_assert_eq(parse("tsan_race_main.txt", "race_main.c", &f), 1);
    const struct finding *x = &f.v[0];
    cr_assert_str_eq(x->variable, "ready");
    cr_assert_eq(x->naccess, 2);
    const struct access *w = with_op(x, "write");
    cr_assert_str_eq(w->thread, "main thread");
    assert_frame(w, "race_main.c", "main", 21);
    const struct access *r = with_op(x, "read");
    cr_assert_str_eq(r->thread, "thread 1");
    assert_frame(r, "race_main.c", "worker", 12);
    findings_release(&f);
}

Test(tsan_report, sets_in_learner_only_for_frames_in_the_learners_file)
{
    struct findings f = {0};
    /* the same log, read as if the learner's file were another one */
    cr_assert_eq(parse("tsan_race_global.txt", "clean.c", &f), 1);
    const struct finding *x = &f.v[0];
    cr_assert_eq(x->in_learner, 0);
    cr_assert_eq(x->naccess, 2);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(x->access[i].in_learner, 0);
        /* with no learner frame, the top frame stands for the access */
        cr_assert(ends_with(x->access[i].file, "race_global.c"));
        cr_assert(x->access[i].line == 12 || x->access[i].line == 21);
    }
    cr_assert_eq(findings_keep_learner(&f), 0);
    findings_release(&f);

    cr_assert_eq(tsan_parse("", NULL, &f), 0, "no learner file at all is not a crash");
    char *text = recording("tsan_race_global.txt");
    cr_assert_eq(tsan_parse(text, NULL, &f), 1);
    cr_assert_eq(f.v[0].in_learner, 0);
    free(text);
    findings_release(&f);
}

Test(tsan_report, reads_a_lock_order_inversion)
{
    struct findings f = {0};
    cr_assert_eq(parse("tsan_lock_order.txt", "lock_order.c", &f), 1);
    const struct finding *x = &f.v[0];
    cr_assert_str_eq(x->kind, "lock order inversion");
    cr_assert_str_eq(x->headline, "lock-order-inversion (potential deadlock)");
    cr_assert(x->in_learner);
    cr_assert(x->naccess >= 1);
    /* the place is the learner's frame, not the pthread_mutex_lock interceptor above it */
    assert_frame(&x->access[0], "lock_order.c", "a_then_b", 14);
    cr_assert(x->access[0].in_learner);
    findings_release(&f);
}

Test(tsan_report, reads_a_thread_leak_with_the_place_the_thread_was_created)
{
    struct findings f = {0};
    cr_assert_eq(parse("tsan_thread_leak.txt", "thread_leak.c", &f), 1);
    const struct finding *x = &f.v[0];
    cr_assert_str_eq(x->kind, "thread leak");
    cr_assert(x->in_learner);
    cr_assert_eq(x->naccess, 1);
    assert_frame(&x->access[0], "thread_leak.c", "main", 14);
    findings_release(&f);
}

Test(tsan_report, a_clean_run_gives_no_report)
{
    struct findings f = {0};
    /* a clean run writes no log: the harness then reads an empty string */
    cr_assert_eq(parse("tsan_clean.txt", "clean.c", &f), 0);
    cr_assert_eq(f.n, 0);
    cr_assert_eq(tsan_parse("", "/nowhere.c", &f), 0);
    cr_assert_eq(tsan_parse("\n\n\n", "/nowhere.c", &f), 0);
    cr_assert_eq(f.n, 0);
}

Test(tsan_report, counts_every_report_of_logs_read_one_after_another)
{
    /* the tsan stage concatenates one log per process */
    static const char *const logs[] = {"tsan_race_global.txt", "tsan_race_heap.txt",
                                       "tsan_race_main.txt", "tsan_lock_order.txt",
                                       "tsan_thread_leak.txt"};
    static const char *const kinds[] = {"data race", "data race", "data race",
                                        "lock order inversion", "thread leak"};
    struct strbuf all = STRBUF_INIT;
    sb_init(&all);
    for (size_t i = 0; i < 5; i++) {
        char *text = recording(logs[i]);
        sb_puts(&all, text);
        free(text);
    }
    struct findings f = {0};
    char *real = recorded_source("race_heap.c");
    cr_assert_eq(tsan_parse(all.buf, real, &f), 5);
    cr_assert_eq(f.n, 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(f.v[i].kind, kinds[i], "report %zu", i);
    /* only the heap race is in race_heap.c */
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(f.v[i].in_learner, i == 1, "report %zu", i);
    cr_assert_str_eq(f.v[0].variable, "counter");
    cr_assert_str_eq(f.v[2].variable, "ready");
    cr_assert_eq(findings_keep_learner(&f), 1);
    cr_assert_str_eq(f.v[0].variable, "a heap block");
    free(real);
    sb_release(&all);
    findings_release(&f);
}

Test(tsan_report, ignores_text_around_the_reports)
{
    char *text = recording("tsan_race_global.txt");
    char *noisy = xasprintf("the program's own output\n"
                            "  Read of size 8 at 0x1 by thread T9:\n"
                            "    #0 decoy ./elsewhere.c:1:1 (x+0x1)\n%s"
                            "ThreadSanitizer: reported 1 warnings\nmore output\n",
                            text);
    struct findings f = {0};
    char *real = recorded_source("race_global.c");
    cr_assert_eq(tsan_parse(noisy, real, &f), 1);
    cr_assert_eq(f.v[0].naccess, 2);
    cr_assert_str_eq(f.v[0].variable, "counter");
    for (int i = 0; i < 2; i++)
        cr_assert_str_neq(f.v[0].access[i].function, "decoy");
    free(real);
    free(noisy);
    free(text);
    findings_release(&f);
}

/* A race between an atomic update and a plain read: TSan writes the earlier side as
 * "Previous atomic write of size 8 ...". */
Test(tsan_report, reads_both_sides_of_a_race_with_an_atomic_access)
{
    struct findings f = {0};
    cr_assert_eq(parse("tsan_race_atomic.txt", "race_atomic.c", &f), 1);
    const struct finding *x = &f.v[0];
    cr_assert_str_eq(x->variable, "counter");
    cr_assert_eq(x->naccess, 2, "the atomic side of the race is missing: %d access(es)",
                 x->naccess);
    assert_frame(with_op(x, "read"), "race_atomic.c", "peek", 21);
    const struct access *w = with_op(x, "write");
    assert_frame(w, "race_atomic.c", "bump", 13);
    cr_assert_str_eq(w->thread, "thread 1");
    /* which side was atomic: the advice is then not "make it atomic" (reports/text.c) */
    cr_assert(w->atomic, "the atomic write is not marked atomic");
    cr_assert(!with_op(x, "read")->atomic, "the plain read is marked atomic");
    cr_assert(finding_has_atomic_access(x));
    findings_release(&f);
}

Test(tsan_report, survives_a_log_cut_at_any_byte)
{
    char *text = recording("tsan_lock_order.txt");
    char *real = recorded_source("lock_order.c");
    size_t len = strlen(text);
    for (size_t cut = 0; cut <= len; cut++) {
        char *prefix = xstrndup(text, cut);
        struct findings f = {0};
        int n = tsan_parse(prefix, real, &f);
        cr_assert(n == 0 || n == 1, "cut at %zu: %d reports", cut, n);
        cr_assert_eq((size_t)n, f.n);
        findings_release(&f);
        free(prefix);
    }
    free(real);
    free(text);
}
