/* test_valgrind_atomics.c: harness/stages/valgrind_atomics.h holds on both sides. Correct C11
 * release/acquire code (tests/harness/data/src/publish.c) that Helgrind and DRD report
 * without it is clean with it, and the two racy variants are still reported, on the
 * value they race on. Runs the real tools. */
#include "spawn.h"
#include "util.h"
#include "parsers/valgrind.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SRC "tests/harness/data/src/publish.c"

/* Does line `line` (from 1) of text mention word? */
static int line_names(const char *text, int line, const char *word)
{
    for (int i = 1; text && i < line; i++) {
        text = strchr(text, '\n');
        text = text ? text + 1 : NULL;
    }
    if (!text || line < 1)
        return 0;
    char *l = xstrndup(text, strcspn(text, "\n"));
    int yes = strstr(l, word) != NULL;
    free(l);
    return yes;
}

/* The findings on `value` in publish.c when variant `variant` runs under `tool`. */
static int races_on_value(int variant, const char *tool, int with_header)
{
    char dir[] = "/tmp/kata-test-vgatomics-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *bin = xasprintf("%s/publish", dir);
    char *def = xasprintf("-DPUBLISH=%d", variant);
    /* the harness's Valgrind build (stages/stage.c, DRIVER_PLAIN), with or without the header */
    const char *cc[16] = {"gcc", "-std=c11", "-O0", "-g", "-no-pie", "-pthread", def, SRC, "-o",
                          bin};
    if (with_header) {
        cc[10] = "-include";
        cc[11] = "harness/stages/valgrind_atomics.h";
    }
    struct child c = {.argv = cc, .timeout = 60};
    cr_assert_eq(child_run(&c), 0);
    cr_assert(c.exited && c.exit_code == 0, "gcc failed on variant %d", variant);
    char *xml = xasprintf("%s/out.xml", dir);
    char *tool_flag = xasprintf("--tool=%s", tool);
    char *xml_flag = xasprintf("--xml-file=%s", xml);
    const char *vg[] = {"valgrind", tool_flag, "--xml=yes", xml_flag, "--fair-sched=yes", bin,
                        NULL};
    char *log = xasprintf("%s/log", dir);
    struct child v = {.argv = vg, .stdout_path = log, .stderr_path = log, .timeout = 60};
    cr_assert_eq(child_run(&v), 0);
    char *text = read_file(xml, 4 << 20, NULL);
    cr_assert_not_null(text, "%s wrote no XML", tool);
    char *real = real_path(SRC);
    struct findings f = {0};
    valgrind_parse(text, real, &f);
    /* a finding is on `value` when one of its accesses is on a line that names it (DRD gives
     * globals no names: the harness names them with nm, stage_valgrind.c) */
    char *source = read_file(SRC, 1 << 16, NULL);
    cr_assert_not_null(source);
    int n = 0, others = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (!f.v[i].in_learner)
            continue;
        int on_value = 0;
        for (int a = 0; a < f.v[i].naccess; a++)
            on_value |= line_names(source, f.v[i].access[a].line, "value");
        n += on_value;
        others += !on_value;
    }
    free(source);
    if (with_header)
        cr_assert_eq(others, 0, "variant %d under %s: %d report(s) on something else than value",
                     variant, tool, others);
    findings_release(&f);
    free(real);
    free(text);
    remove_tree(dir);
    free(log);
    free(xml_flag);
    free(tool_flag);
    free(xml);
    free(def);
    free(bin);
    return n;
}

Test(valgrind_atomics, the_false_positive_is_real_without_the_header)
{
    /* if the tools learned C11 atomics one day, the header could go */
    cr_assert_gt(races_on_value(1, "helgrind", 0) + races_on_value(1, "drd", 0), 0);
}

Test(valgrind_atomics, release_acquire_publication_is_clean)
{
    cr_assert_eq(races_on_value(1, "helgrind", 1), 0);
    cr_assert_eq(races_on_value(1, "drd", 1), 0);
}

Test(valgrind_atomics, a_relaxed_flag_still_races)
{
    cr_assert_gt(races_on_value(2, "helgrind", 1), 0);
    cr_assert_gt(races_on_value(2, "drd", 1), 0);
}

Test(valgrind_atomics, a_value_written_after_the_flag_still_races)
{
    cr_assert_gt(races_on_value(3, "helgrind", 1), 0);
    cr_assert_gt(races_on_value(3, "drd", 1), 0);
}
