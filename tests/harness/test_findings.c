/* test_findings.c: tests of harness/findings.c: a frame is the learner's by its address in the
 * learner's object (the linker's map), whatever file name its debug information claims. */
#include "findings.h"
#include "parsers/tsan.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA "tests/harness/data/"

/* A map in ld's -Map format that puts learner.o's code at [start, start + size). */
static char *write_map(unsigned long start, unsigned long size)
{
    char *path = xasprintf("/tmp/test_findings.%d.map", (int)getpid());
    char *text =
        xasprintf("Linker script and memory map\n\n"
                  " .text          0x0000000000001000       0x40 driver.o\n"
                  " .text.startup\n"
                  "                0x0000000000001040       0x20 driver.o\n"
                  " .text          0x%016lx       0x%lx build/cache/k/learner.o\n"
                  " .data          0x0000000000004000       0x10 build/cache/k/learner.o\n",
                  start, size);
    cr_assert_eq(write_file(path, text, strlen(text)), 0);
    free(text);
    return path;
}

static int parse_with(const struct code_map *m, const char *learner_file, struct findings *f)
{
    char *text = read_file(DATA "tsan_race_global.txt", 1 << 20, NULL);
    cr_assert_not_null(text, "run the tests from the repository root");
    char *path = xasprintf(DATA "src/%s", learner_file);
    char *real = real_path(path);
    findings_use_code_map(m);
    int n = tsan_parse(text, real, f);
    findings_use_code_map(NULL);
    free(real);
    free(path);
    free(text);
    return n;
}

Test(code_map, reads_the_code_sections_of_the_object_only)
{
    char *path = write_map(0xd0100, 0x200);
    struct code_map m;
    cr_assert_eq(code_map_read(&m, path, "build/cache/k/learner.o", "/x/race_global.tsan"), 0);
    cr_assert_eq(m.n, 1, "the .data section is not code");
    cr_assert_eq(m.range[0][0], 0xd0100);
    cr_assert_eq(m.range[0][1], 0xd0300);
    cr_assert_str_eq(m.module, "race_global.tsan");
    code_map_release(&m);
    cr_assert_eq(code_map_read(&m, path, "build/cache/k/other.o", "/x/b"), -1);
    unlink(path);
    free(path);
}

Test(code_map, an_address_in_the_object_makes_a_frame_the_learners_whatever_its_file)
{
    /* the recorded race's frames are at race_global.tsan+0xd0241 and +0xd01d8, in a file
     * named race_global.c; the learner's file here is another one (as a #line would claim) */
    char *path = write_map(0xd0100, 0x200);
    struct code_map m;
    cr_assert_eq(code_map_read(&m, path, "build/cache/k/learner.o", "race_global.tsan"), 0);
    struct findings f = {0};
    cr_assert_eq(parse_with(&m, "clean.c", &f), 1);
    cr_assert_eq(f.v[0].in_learner, 1, "the address lies in the learner's object");
    findings_release(&f);
    /* without the map the file name decides, and says no */
    cr_assert_eq(parse_with(NULL, "clean.c", &f), 1);
    cr_assert_eq(f.v[0].in_learner, 0);
    findings_release(&f);
    code_map_release(&m);
    unlink(path);
    free(path);
}

Test(code_map, a_file_name_that_claims_the_learners_file_is_not_enough)
{
    /* the object lies elsewhere: frames named after the learner's file are not the learner's */
    char *path = write_map(0x1000, 0x100);
    struct code_map m;
    cr_assert_eq(code_map_read(&m, path, "build/cache/k/learner.o", "race_global.tsan"), 0);
    struct findings f = {0};
    cr_assert_eq(parse_with(&m, "race_global.c", &f), 1);
    cr_assert_eq(f.v[0].in_learner, 0);
    findings_release(&f);
    code_map_release(&m);
    unlink(path);
    free(path);
}
