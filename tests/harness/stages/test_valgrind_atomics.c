/* test_valgrind_atomics.c: the Valgrind stages do not reject correct code that Helgrind and DRD
 * misread, and still reject the races next to it.
 *
 * harness/runtime/valgrind_atomics.c: every spelling of a C11 atomic operation
 * (tests/harness/data/src/atomic_forms.c), each ordering plain data between threads, is clean
 * under Helgrind and DRD in the harness's Valgrind build, though both tools report each of them
 * without it; and each racy variant (a relaxed flag, a fence on one side only, data written after
 * the flag, a plain write racing with an atomic update, an access outside an atomic_flag
 * spinlock) is still reported, on its data, at its line.
 *
 * harness/stages/valgrind.supp: a mutex destroyed by the thread that waited on it, after
 * another thread unlocked it last (tests/harness/data/src/mutex_per_future.c), is clean, though Helgrind reports
 * it without the suppression; a race on the same future's result, and destroying the mutex while
 * the worker holds it, are still reported. Runs the real tools. */
#include "spawn.h"
#include "util.h"
#include "parsers/valgrind.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORMS "tests/harness/data/src/atomic_forms.c"
#define FUTURES "tests/harness/data/src/mutex_per_future.c"
#define RUNTIME "harness/runtime/valgrind_atomics.c"

struct build {
    const char *src;
    char dir[64];
    char *bin;
};

static void run_ok(const char *const *argv, const char *what)
{
    struct child c = {.argv = argv, .timeout = 120};
    cr_assert_eq(child_run(&c), 0);
    cr_assert(c.exited && c.exit_code == 0, "%s failed", what);
}

/* Builds src as the harness's Valgrind build does (stages/stage.c, build_driver, DRIVER_PLAIN: the
 * learner's file with gcc -fsanitize=thread, linked plainly with the runtime), or, with
 * instrumented 0, as a plain gcc -O0 -g -no-pie build with no help for the tools (and libatomic
 * for the 16-byte atomics, which the runtime does itself). */
static void build(struct build *b, const char *src, int instrumented)
{
    b->src = src;
    snprintf(b->dir, sizeof b->dir, "/tmp/kata-test-vgatomics-XXXXXX");
    cr_assert_not_null(mkdtemp(b->dir));
    b->bin = xasprintf("%s/program", b->dir);
    if (!instrumented) {
        const char *cc[] = {"gcc", "-std=c11", "-O0",       "-g",       "-no-pie", src,
                            "-o",  b->bin,     "-lpthread", "-latomic", NULL};
        run_ok(cc, "the plain build");
        return;
    }
    char *obj = xasprintf("%s/program.o", b->dir);
    const char *cc[] = {"gcc", "-std=c11", "-O0", "-g", "-fsanitize=thread", "-w", "-c",
                        src,   "-o",       obj,   NULL};
    run_ok(cc, "the instrumented compile");
    const char *ld[] = {"gcc",   "-std=c11", "-O0",  "-g",        "-no-pie", "-w", obj,
                        RUNTIME, "-o",       b->bin, "-lpthread", "-no-pie", NULL};
    run_ok(ld, "the link with the runtime");
    free(obj);
}

static void build_release(struct build *b)
{
    remove_tree(b->dir);
    free(b->bin);
}

/* Runs the program with argument `set` under `tool` as the helgrind and drd stages do
 * (stages/valgrind.c), with harness/stages/valgrind.supp when supp is set, and reads the findings in the
 * program's source into *f. */
static void run_tool(const struct build *b, const char *tool, const char *set, int supp,
                     struct findings *f)
{
    char *xml = xasprintf("%s/%s-%s.xml", b->dir, tool, set);
    char *tool_flag = xasprintf("--tool=%s", tool);
    char *xml_flag = xasprintf("--xml-file=%s", xml);
    char *log = xasprintf("%s/log", b->dir);
    const char *vg[] = {"valgrind",
                        tool_flag,
                        "--xml=yes",
                        xml_flag,
                        "--fair-sched=yes",
                        "--error-limit=no",
                        supp ? "--suppressions=harness/stages/valgrind.supp" : "--error-limit=no",
                        !strcmp(tool, "drd") ? "--check-stack-var=yes" : "--error-limit=no",
                        b->bin,
                        set,
                        NULL};
    struct child v = {.argv = vg, .stdout_path = log, .stderr_path = log, .timeout = 120};
    cr_assert_eq(child_run(&v), 0);
    cr_assert(v.exited && v.exit_code == 0, "%s %s did not run to the end", tool, set);
    char *text = read_file(xml, 16 << 20, NULL);
    cr_assert_not_null(text, "%s wrote no XML", tool);
    char *real = real_path(b->src);
    valgrind_parse(text, real, f);
    findings_keep_learner(f);
    free(real);
    free(text);
    free(log);
    free(xml_flag);
    free(tool_flag);
    free(xml);
}

/* The case a finding belongs to: the longest case name that prefixes the function of one of its
 * accesses in atomic_forms.c ("fetch_add" for fetch_add_give), or NULL. */
static const char *case_of(const struct finding *f, const char *const *names)
{
    const char *best = NULL;
    for (int a = 0; a < f->naccess; a++) {
        const char *fn = f->access[a].in_learner ? f->access[a].function : NULL;
        for (size_t i = 0; fn && names[i]; i++) {
            size_t len = strlen(names[i]);
            if (!strncmp(fn, names[i], len) && fn[len] == '_' && (!best || strlen(best) < len))
                best = names[i];
        }
    }
    return best;
}

static const char *const good_cases[] = {
    "fetch_add",
    "fetch_sub",
    "fetch_or",
    "fetch_xor",
    "fetch_and",
    "store_load",
    "exchange",
    "fetch_add_explicit",
    "fetch_sub_explicit",
    "fetch_or_explicit",
    "fetch_xor_explicit",
    "fetch_and_explicit",
    "store_load_explicit",
    "exchange_explicit",
    "cas_strong",
    "cas_weak",
    "op_increment",
    "op_compound",
    "op_assign",
    "op_pointer",
    "op_bool",
    "op_char",
    "op_short",
    "op_long_long",
    "fence",
    "fence_seq_cst",
    "builtin_atomic",
    "builtin_sync",
    "builtin_int128",
    "builtin_nand",
    "flag_spinlock",
    "flag_spinlock_explicit",
    "cas_spinlock",
    "exchange_spinlock",
    "sync_spinlock",
    "two_lock_queue",
    NULL,
};

static const char *const racy_cases[] = {
    "racy_relaxed_flag",
    "racy_relaxed_fetch_add",
    "racy_one_fence",
    "racy_written_after",
    "racy_plain_vs_atomic",
    "racy_flag_outside",
    NULL,
};

/* Every good case is clean under `tool`; the findings are named in the failure. */
static void good_cases_are_clean(const char *tool)
{
    struct build b;
    build(&b, FORMS, 1);
    struct findings f = {0};
    run_tool(&b, tool, "good", 1, &f);
    struct strbuf which = STRBUF_INIT;
    for (size_t i = 0; i < f.n; i++) {
        const char *c = case_of(&f.v[i], good_cases);
        sb_addf(&which, " %s (line %d)", c ? c : "?", f.v[i].access[0].line);
    }
    cr_assert_eq(f.n, 0, "%s reports correct atomics code:%s", tool, which.buf ? which.buf : "");
    sb_release(&which);
    findings_release(&f);
    build_release(&b);
}

/* Every racy case is reported under `tool`, at a line of atomic_forms.c. */
static void racy_cases_are_reported(const char *tool)
{
    struct build b;
    build(&b, FORMS, 1);
    struct findings f = {0};
    run_tool(&b, tool, "racy", 1, &f);
    for (size_t i = 0; racy_cases[i]; i++) {
        int seen = 0;
        for (size_t k = 0; k < f.n; k++) {
            if (case_of(&f.v[k], racy_cases) != racy_cases[i])
                continue;
            seen = 1;
            for (int a = 0; a < f.v[k].naccess; a++)
                if (f.v[k].access[a].in_learner)
                    cr_expect_gt(f.v[k].access[a].line, 0, "%s: a report on %s has no line", tool,
                                 racy_cases[i]);
            /* Helgrind names globals itself (DRD leaves it to the stage's nm lookup) */
            if (!strcmp(tool, "helgrind"))
                cr_expect(f.v[k].variable && ends_with(f.v[k].variable, "_data"),
                          "%s: a report on %s names `%s`, not its data", tool, racy_cases[i],
                          f.v[k].variable ? f.v[k].variable : "(nothing)");
        }
        cr_expect(seen, "%s misses the race in %s", tool, racy_cases[i]);
    }
    findings_release(&f);
    build_release(&b);
}

Test(valgrind_atomics, every_atomic_form_is_clean_under_helgrind, .timeout = 300)
{
    good_cases_are_clean("helgrind");
}

Test(valgrind_atomics, every_atomic_form_is_clean_under_drd, .timeout = 300)
{
    good_cases_are_clean("drd");
}

Test(valgrind_atomics, each_racy_variant_is_still_reported_by_helgrind, .timeout = 300)
{
    racy_cases_are_reported("helgrind");
}

Test(valgrind_atomics, each_racy_variant_is_still_reported_by_drd, .timeout = 300)
{
    racy_cases_are_reported("drd");
}

/* The premise: each good case is one the tools get wrong without the runtime (so its being clean
 * with it proves something). If the tools learned C11 atomics one day, the runtime could go. */
Test(valgrind_atomics, without_the_runtime_each_good_case_is_a_false_positive, .timeout = 300)
{
    struct build b;
    build(&b, FORMS, 0);
    struct findings hg = {0}, drd = {0};
    run_tool(&b, "helgrind", "good", 1, &hg);
    run_tool(&b, "drd", "good", 1, &drd);
    for (size_t i = 0; good_cases[i]; i++) {
        int seen = 0;
        for (size_t k = 0; k < hg.n; k++)
            seen |= case_of(&hg.v[k], good_cases) == good_cases[i];
        for (size_t k = 0; k < drd.n; k++)
            seen |= case_of(&drd.v[k], good_cases) == good_cases[i];
        cr_expect(seen, "neither tool reports %s without the runtime: it tests nothing",
                  good_cases[i]);
    }
    findings_release(&hg);
    findings_release(&drd);
    build_release(&b);
}

/* Does line `line` (from 1) of src contain `text`? */
static int line_has(const char *src, int line, const char *text)
{
    char *source = read_file(src, 1 << 20, NULL);
    cr_assert_not_null(source);
    const char *l = source;
    for (int i = 1; l && i < line; i++) {
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    int yes = 0;
    if (l && line > 0) {
        char *copy = xstrndup(l, strcspn(l, "\n"));
        yes = strstr(copy, text) != NULL;
        free(copy);
    }
    free(source);
    return yes;
}

/* How many findings in mutex_per_future.c, run with `mode` under `tool`, have an access on a
 * line that contains `text` (every finding when text is NULL). */
static int future_findings(const char *mode, const char *tool, int supp, const char *text)
{
    struct build b;
    build(&b, FUTURES, 1);
    struct findings f = {0};
    run_tool(&b, tool, mode, supp, &f);
    int n = 0;
    for (size_t i = 0; i < f.n; i++) {
        int on = !text;
        for (int a = 0; a < f.v[i].naccess && !on; a++)
            on = f.v[i].access[a].in_learner && line_has(FUTURES, f.v[i].access[a].line, text);
        n += on;
    }
    findings_release(&f);
    build_release(&b);
    return n;
}

Test(valgrind_supp, destroying_a_mutex_another_thread_unlocked_is_clean, .timeout = 300)
{
    cr_assert_eq(future_findings("good", "helgrind", 1, NULL), 0);
    cr_assert_eq(future_findings("good", "drd", 1, NULL), 0);
}

/* the premise: if Helgrind stopped reporting it one day, the suppression could go */
Test(valgrind_supp, without_the_suppression_helgrind_reports_that_destroy, .timeout = 300)
{
    cr_assert_gt(future_findings("good", "helgrind", 0, "pthread_mutex_destroy(&f->lock)"), 0);
}

Test(valgrind_supp, a_race_on_the_same_future_is_still_reported, .timeout = 300)
{
    cr_assert_gt(future_findings("racy_field", "helgrind", 1, "peeked += f->value"), 0);
    cr_assert_gt(future_findings("racy_field", "drd", 1, "peeked += f->value"), 0);
}

Test(valgrind_supp, destroying_the_mutex_while_the_worker_holds_it_is_still_reported,
     .timeout = 300)
{
    cr_assert_gt(future_findings("destroy_locked", "helgrind", 1, "pthread_mutex_destroy"), 0);
}
