/* test_valgrind.c: tests of harness/parsers/valgrind.c on recorded Helgrind and DRD
 * reports (tests/harness/data/record.sh). Their frames give the source as <dir>./tests/
 * harness/data/src</dir><file>x.c</file>, relative to the repository root, where the tests
 * run. */
#include "support/recordings.h"
#include "util.h"
#include "parsers/valgrind.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *xml, const char *learner_file, struct findings *out)
{
    char *text = recording(xml);
    char *real = recorded_source(learner_file);
    int n = valgrind_parse(text, real, out);
    free(real);
    free(text);
    return n;
}

/* The address in a DRD headline ("Conflicting load by thread 3 at 0x00404030 size 8"). */
static unsigned long headline_address(const char *headline)
{
    const char *at = strstr(headline, " at 0x");
    cr_assert_not_null(at, "no address in \"%s\"", headline);
    return strtoul(at + 4, NULL, 16);
}

Test(valgrind_report, helgrind_race_names_the_variable_and_both_accesses)
{
    struct findings f = {0};
    cr_assert_eq(parse("helgrind_race_global.xml", "race_global.c", &f), 1);
    cr_assert_eq(f.n, 1);
    const struct finding *x = &f.v[0];
    cr_assert_str_eq(x->kind, "data race");
    cr_assert_str_eq(x->variable, "counter");
    cr_assert_eq(x->address, 0, "a named variable needs no address");
    cr_assert(starts_with(x->headline, "Possible data race during "), "%s", x->headline);
    cr_assert_eq(x->naccess, 2);
    cr_assert(x->in_learner);

    /* peek (thread #3) reads what bump (thread #2) writes */
    const struct access *r = with_op(x, "read");
    assert_frame(r, "tests/harness/data/src/race_global.c", "peek", 21);
    cr_assert_str_eq(r->thread, "thread 2"); /* Helgrind's #3: #1 is the main thread */
    cr_assert(r->in_learner);
    const struct access *w = with_op(x, "write");
    assert_frame(w, "tests/harness/data/src/race_global.c", "bump", 12);
    cr_assert_str_eq(w->thread, "thread 1");
    cr_assert(w->in_learner);
    findings_release(&f);
}

Test(valgrind_report, helgrind_sets_in_learner_only_for_the_learners_file)
{
    struct findings f = {0};
    cr_assert_eq(parse("helgrind_race_global.xml", "clean.c", &f), 1);
    const struct finding *x = &f.v[0];
    cr_assert_eq(x->in_learner, 0);
    cr_assert_eq(x->naccess, 2);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(x->access[i].in_learner, 0);
        /* the top frame stands for the access */
        cr_assert(ends_with(x->access[i].file, "race_global.c"), "%s", x->access[i].file);
    }
    findings_release(&f);
}

Test(valgrind_report, drd_race_keeps_the_address_it_did_not_name)
{
    struct findings f = {0};
    cr_assert_eq(parse("drd_race_global.xml", "race_global.c", &f), 2);
    cr_assert_eq(f.n, 2);
    for (size_t i = 0; i < f.n; i++) {
        const struct finding *x = &f.v[i];
        cr_assert_str_eq(x->kind, "data race");
        cr_assert_null(x->variable, "DRD without var-info names no global");
        cr_assert_neq(x->address, 0);
        cr_assert_eq(x->address, headline_address(x->headline));
        cr_assert(x->in_learner);
        cr_assert_eq(x->naccess, 1, "DRD shows one side of the conflict");
        const struct access *a = &x->access[0];
        cr_assert_str_eq(a->op, "read");
        cr_assert_str_eq(a->thread, "thread 2"); /* DRD's 3: 1 is the main thread */
        cr_assert_str_eq(a->function, "peek");
        cr_assert(ends_with(a->file, "tests/harness/data/src/race_global.c"), "%s", a->file);
        cr_assert(a->line == 20 || a->line == 21, "peek's loop is lines 20-21, got %d", a->line);
        cr_assert(a->in_learner);
    }
    cr_assert_eq(f.v[0].address, f.v[1].address, "both conflicts are on the counter");
    findings_release(&f);
}

Test(valgrind_report, a_clean_run_gives_no_error)
{
    struct findings f = {0};
    cr_assert_eq(parse("helgrind_clean.xml", "clean.c", &f), 0);
    cr_assert_eq(parse("drd_clean.xml", "clean.c", &f), 0);
    /* DRD does not look at lock order at all */
    cr_assert_eq(parse("drd_lock_order.xml", "lock_order.c", &f), 0);
    cr_assert_eq(f.n, 0);
}

Test(valgrind_report, helgrind_reads_a_lock_order_violation)
{
    struct findings f = {0};
    cr_assert_eq(parse("helgrind_lock_order.xml", "lock_order.c", &f), 1);
    const struct finding *x = &f.v[0];
    cr_assert_str_eq(x->kind, "lock order inversion");
    cr_assert(strstr(x->headline, "lock order"), "%s", x->headline);
    cr_assert(x->in_learner);
    cr_assert(x->naccess >= 1);
    /* the lock taken against the order: b_then_a's second pthread_mutex_lock */
    assert_frame(&x->access[0], "lock_order.c", "b_then_a", 25);
    cr_assert(x->access[0].in_learner);
    findings_release(&f);
}

Test(valgrind_report, both_tools_read_an_unlock_of_an_unlocked_mutex)
{
    struct findings f = {0};
    cr_assert_eq(parse("helgrind_unlock_unlocked.xml", "unlock_unlocked.c", &f), 1);
    cr_assert_eq(parse("drd_unlock_unlocked.xml", "unlock_unlocked.c", &f), 1);
    cr_assert_eq(f.n, 2);
    cr_assert_str_eq(f.v[0].kind, "unlock of an unlocked mutex");
    cr_assert_str_eq(f.v[1].kind, "mutex misuse");
    for (size_t i = 0; i < 2; i++) {
        cr_assert(f.v[i].in_learner);
        assert_frame(&f.v[i].access[0], "unlock_unlocked.c", "main", 11);
    }
    findings_release(&f);
}

Test(valgrind_report, text_that_is_not_a_valgrind_report_gives_minus_one)
{
    char *tsan = recording("tsan_race_global.txt");
    char *criterion = recording("criterion_fails.xml");
    const char *inputs[] = {"",   "hello",  "<", "==123== Helgrind, a thread error detector\n",
                            tsan, criterion};
    struct findings f = {0};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        cr_assert_eq(valgrind_parse(inputs[i], "/x.c", &f), -1, "input %zu", i);
    cr_assert_eq(f.n, 0, "nothing is added on -1");
    free(tsan);
    free(criterion);
}

/* Valgrind killed at the deadline leaves its XML cut off. */
Test(valgrind_report, a_truncated_report_keeps_the_errors_it_completed)
{
    char *text = recording("helgrind_race_global.xml");
    char *real = recorded_source("race_global.c");
    char *end = strstr(text, "</error>");
    cr_assert_not_null(end);
    end += strlen("</error>");

    /* cut in the text after the error */
    char *cut = xstrndup(text, (size_t)(end - text) + 3);
    struct findings f = {0};
    cr_assert_eq(valgrind_parse(cut, real, &f), 1);
    cr_assert_str_eq(f.v[0].variable, "counter");
    cr_assert_eq(f.v[0].naccess, 2);
    free(cut);
    findings_release(&f);

    /* cut in the middle of the error: what was read of it is kept, nothing crashes */
    char *mid = strstr(text, "This conflicts with");
    cr_assert_not_null(mid);
    cut = xstrndup(text, (size_t)(mid - text) + 10);
    cr_assert_eq(valgrind_parse(cut, real, &f), 1);
    cr_assert_str_eq(f.v[0].kind, "data race");
    const struct access *r = with_op(&f.v[0], "read");
    assert_frame(r, "race_global.c", "peek", 21);
    free(cut);
    findings_release(&f);
    free(real);
    free(text);
}

Test(valgrind_report, a_report_cut_just_after_a_less_than_sign_keeps_its_errors)
{
    char *text = recording("helgrind_race_global.xml");
    char *end = strstr(text, "</error>");
    cr_assert_not_null(end);
    char *next = strchr(end + 1, '<'); /* the '<' of the <status> after the error */
    cr_assert_not_null(next);
    char *cut = xstrndup(text, (size_t)(next - text) + 1);
    struct findings f = {0};
    cr_assert_eq(valgrind_parse(cut, "/x.c", &f), 1,
                 "a report cut after \"...</error>\\n\\n\\n<\" loses its complete error");
    findings_release(&f);
    free(cut);
    free(text);
}

/* A cut inside "<errorcounts>" just after "<error" must not read as one more error. */
Test(valgrind_report, a_report_cut_inside_a_tag_name_gains_no_phantom_error)
{
    char *text = recording("helgrind_race_global.xml");
    char *counts = strstr(text, "<errorcounts>");
    cr_assert_not_null(counts);
    char *cut = xstrndup(text, (size_t)(counts - text) + strlen("<error"));
    struct findings f = {0};
    int n = valgrind_parse(cut, "/x.c", &f);
    cr_assert_eq(n, 1, "the report has one error, read %d (the last one of kind \"%s\")", n,
                 f.n ? f.v[f.n - 1].kind : "?");
    findings_release(&f);
    free(cut);
    free(text);
}

Test(valgrind_report, survives_a_report_cut_at_any_byte)
{
    static const char *const names[] = {"helgrind_race_global.xml", "drd_race_global.xml",
                                        "helgrind_lock_order.xml"};
    char *real = recorded_source("race_global.c");
    for (size_t k = 0; k < 3; k++) {
        char *text = recording(names[k]);
        size_t len = strlen(text);
        for (size_t cut = 0; cut <= len; cut++) {
            char *prefix = xstrndup(text, cut);
            struct findings f = {0};
            int n = valgrind_parse(prefix, real, &f);
            cr_assert(n >= -1, "%s cut at %zu: %d", names[k], cut, n);
            cr_assert_eq(f.n, (size_t)(n < 0 ? 0 : n));
            findings_release(&f);
            free(prefix);
        }
        free(text);
    }
    free(real);
}

/* A condition variable signalled while its mutex is not held: Helgrind files it under "Misc"
 * and DRD under CondRaceErr; both are said in words, at the learner's line. */
Test(valgrind_report, a_condition_variable_signalled_without_its_mutex_is_named)
{
    static const char *const tools[] = {"helgrind_cond_signal_unlocked.xml",
                                        "drd_cond_signal_unlocked.xml"};
    for (int t = 0; t < 2; t++) {
        struct findings f = {0};
        cr_assert_eq(parse(tools[t], "cond_signal_unlocked.c", &f), 1, "%s", tools[t]);
        const struct finding *x = &f.v[0];
        cr_assert_str_eq(x->kind, "condition variable signalled without its mutex held", "%s",
                         tools[t]);
        assert_frame(&x->access[0], "cond_signal_unlocked.c", "signaller", 17);
        cr_assert_str_eq(x->access[0].op, "signalled");
        cr_assert(x->in_learner, "%s", tools[t]);
        findings_release(&f);
    }
}

/* An error of a kind the parser has no words for is said in the tool's own sentence, not as
 * a bare "threading error". */
Test(valgrind_report, an_error_of_an_unknown_kind_keeps_the_tools_sentence)
{
    const char *xml = "<?xml version=\"1.0\"?><valgrindoutput><error><kind>Misc</kind>"
                      "<xwhat><text>Thread #3: pthread_barrier_wait: barrier is "
                      "unknown</text></xwhat></error></valgrindoutput>";
    struct findings f = {0};
    cr_assert_eq(valgrind_parse(xml, NULL, &f), 1);
    cr_assert_str_eq(f.v[0].kind, "threading error: pthread_barrier_wait: barrier is unknown");
    cr_assert_str_eq(f.v[0].access[0].thread, "thread 2");
    findings_release(&f);
}
