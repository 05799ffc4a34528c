/* test_valgrind_atomics.c: harness/runtime/valgrind_atomics.c holds on both sides. Every
 * spelling of a C11 atomic operation (tests/harness/data/src/atomic_forms.c), each ordering plain
 * data between threads, is clean under Helgrind and DRD in the harness's Valgrind build, though
 * both tools report each of them without it; and each racy variant (a relaxed flag, a fence on
 * one side only, data written after the flag, a plain write racing with an atomic update, an
 * access outside an atomic_flag spinlock) is still reported, on its data, at its line. Runs the
 * real tools. */
#include "spawn.h"
#include "util.h"
#include "valgrind_report.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SRC "tests/harness/data/src/atomic_forms.c"
#define RUNTIME "harness/runtime/valgrind_atomics.c"

struct build {
    char dir[64];
    char *bin;
};

static void run_ok(const char *const *argv, const char *what)
{
    struct child c = {.argv = argv, .timeout = 120};
    cr_assert_eq(child_run(&c), 0);
    cr_assert(c.exited && c.exit_code == 0, "%s failed", what);
}

/* Builds atomic_forms.c as the harness's Valgrind build does (grade.c, build_driver,
 * DRIVER_PLAIN: the learner's file with gcc -fsanitize=thread, linked plainly with the runtime),
 * or, with instrumented 0, as a plain gcc -O0 -g -no-pie build with no help for the tools. */
static void build(struct build *b, int instrumented)
{
    snprintf(b->dir, sizeof b->dir, "/tmp/kata-test-vgatomics-XXXXXX");
    cr_assert_not_null(mkdtemp(b->dir));
    b->bin = xasprintf("%s/atomic_forms", b->dir);
    if (!instrumented) {
        const char *cc[] = {"gcc", "-std=c11", "-O0",  "-g",        "-no-pie",
                            SRC,   "-o",       b->bin, "-lpthread", NULL};
        run_ok(cc, "the plain build");
        return;
    }
    char *obj = xasprintf("%s/atomic_forms.o", b->dir);
    const char *cc[] = {"gcc", "-std=c11", "-O0", "-g", "-fsanitize=thread", "-w", "-c",
                        SRC,   "-o",       obj,   NULL};
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

/* Runs the cases `set` ("good", "racy" or a case name) under `tool` as the helgrind and drd
 * stages do (stage_valgrind.c) and reads the findings in atomic_forms.c into *f. */
static void run_tool(const struct build *b, const char *tool, const char *set, struct findings *f)
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
                        "--suppressions=harness/valgrind.supp",
                        !strcmp(tool, "drd") ? "--check-stack-var=yes" : "--error-limit=no",
                        b->bin,
                        set,
                        NULL};
    struct child v = {.argv = vg, .stdout_path = log, .stderr_path = log, .timeout = 120};
    cr_assert_eq(child_run(&v), 0);
    cr_assert(v.exited && v.exit_code == 0, "%s %s did not run to the end", tool, set);
    char *text = read_file(xml, 16 << 20, NULL);
    cr_assert_not_null(text, "%s wrote no XML", tool);
    char *real = real_path(SRC);
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
    build(&b, 1);
    struct findings f = {0};
    run_tool(&b, tool, "good", &f);
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
    build(&b, 1);
    struct findings f = {0};
    run_tool(&b, tool, "racy", &f);
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
    build(&b, 0);
    struct findings hg = {0}, drd = {0};
    run_tool(&b, "helgrind", "good", &hg);
    run_tool(&b, "drd", "good", &drd);
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
