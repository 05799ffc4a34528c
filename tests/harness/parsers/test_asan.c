/* test_asan.c: tests of harness/parsers/asan.c on recorded reports of
 * tests/harness/data/src/asan_bugs.c (clang 14, recorded by tests/harness/data/record.sh). */
#include "parsers/asan.h"
#include "support/recordings.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static struct findings parse(const char *name)
{
    char *path = xasprintf(DATA "asan_%s.txt", name);
    char *text = read_file(path, 1 << 20, NULL);
    cr_assert_not_null(text, "cannot read %s: run the tests from the repository root", path);
    char *real = real_path(DATA "src/asan_bugs.c");
    struct findings f = {0};
    asan_parse(text, real, &f);
    free(real);
    free(text);
    free(path);
    return f;
}

Test(asan_report, a_use_after_free_names_the_read_and_the_free)
{
    struct findings f = parse("use_after_free");
    cr_assert_eq(f.n, 1);
    cr_assert_str_eq(f.v[0].kind, "heap-use-after-free");
    cr_assert_eq(f.v[0].naccess, 2);
    cr_assert_str_eq(f.v[0].access[0].op, "read");
    cr_assert_eq(f.v[0].access[0].line, 22);
    cr_assert_str_eq(f.v[0].access[1].op, "freed");
    cr_assert(f.v[0].in_learner);
    findings_release(&f);
}

Test(asan_report, a_double_free_is_named_by_its_summary_not_by_its_first_word)
{
    /* the ERROR line reads "attempting double-free on 0x..." */
    struct findings f = parse("double_free");
    cr_assert_eq(f.n, 1);
    cr_assert_str_eq(f.v[0].kind, "double-free");
    cr_assert(f.v[0].in_learner);
    /* its first stack is the second free, said so (not "access") */
    cr_assert_str_eq(f.v[0].access[0].op, "freed again");
    findings_release(&f);
}

Test(asan_report, a_leak_names_where_the_block_was_allocated)
{
    struct findings f = parse("leak");
    cr_assert_eq(f.n, 1);
    cr_assert_str_eq(f.v[0].kind, "memory leak");
    cr_assert_str_eq(f.v[0].access[0].op, "allocated");
    cr_assert_eq(f.v[0].access[0].line, 10, "malloc in make()");
    findings_release(&f);
}

Test(asan_report, undefined_behaviour_is_placed_at_its_line)
{
    struct findings f = parse("overflow");
    cr_assert_eq(f.n, 1);
    cr_assert_str_eq(f.v[0].kind, "undefined behaviour");
    cr_assert(starts_with(f.v[0].headline, "signed integer overflow"), "%s", f.v[0].headline);
    cr_assert_eq(f.v[0].access[0].line, 33);
    findings_release(&f);
}
