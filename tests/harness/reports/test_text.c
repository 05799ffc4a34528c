/* test_text.c: tests of harness/reports/text.c: the table "Data races, side by side" has one
 * row per race, whatever each detector called the memory, and its advice fits the race. */
#include "reports/report.h"
#include "kata.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kata kata = {.name = (char *)"racy", .title = (char *)"a racy kata"};

static struct stage_result *stage(struct run *r, const char *name)
{
    struct stage_result *s = &r->stages[r->nstages++];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->status = ST_FAIL;
    s->summary = xstrdup("data race");
    return s;
}

/* Adds a race on `variable` between learner lines a and b (0: a frame outside the learner's
 * file); atomic: the access at line a was atomic. */
static void race(struct stage_result *s, const char *variable, int a, int b, int atomic)
{
    struct finding *f = findings_add(&s->findings);
    f->kind = xstrdup("data race");
    f->variable = variable ? xstrdup(variable) : NULL;
    f->in_learner = 1;
    f->naccess = 2;
    int lines[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        f->access[k].file = xstrdup(lines[k] ? "katas/racy/racy.c" : "tests/katas/racy/driver.c");
        f->access[k].line = lines[k] ? lines[k] : 40;
        f->access[k].op = xstrdup(k ? "read" : "write");
        f->access[k].in_learner = lines[k] != 0;
    }
    f->access[0].atomic = atomic;
}

/* The verdict screen: a new string. */
static char *screen(struct run *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    report_text(f, r, 0, 0);
    fclose(f);
    return buf;
}

static void release(struct run *r)
{
    for (int i = 0; i < r->nstages; i++) {
        findings_release(&r->stages[i].findings);
        free(r->stages[i].summary);
    }
}

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)); p++)
        n++;
    return n;
}

/* One race seen by the three detectors, named `b.0` (a static's symbol), "a stack variable"
 * and nothing at all, at the same learner lines: one row, under the name. */
Test(report_text, one_race_named_three_ways_is_one_row_under_its_name)
{
    struct run r = {.kata = &kata, .src = "katas/racy/racy.c", .status = ST_FAIL};
    race(stage(&r, "tsan"), "a stack variable", 27, 30, 0);
    race(stage(&r, "helgrind"), NULL, 30, 0, 0);
    race(stage(&r, "drd"), "b", 27, 0, 0);
    char *v = screen(&r);
    const char *table = strstr(v, "Data races, side by side");
    cr_assert_not_null(table, "%s", v);
    cr_assert_eq(count(table, "racy.c:27"), 1, "not one row:\n%s", table);
    cr_assert(strstr(table, "b                racy.c:27"), "the row is not under `b`:\n%s", table);
    cr_assert(strstr(table, "found     found     found"), "a detector is said to miss it:\n%s",
              table);
    cr_assert(!strstr(table, "a stack variable"), "%s", table);
    cr_assert(strstr(table, "What to protect: `b`"), "%s", table);
    free(v);
    release(&r);
}

/* Two named variables racing on the same line stay two rows. */
Test(report_text, two_named_variables_on_one_line_stay_two_rows)
{
    struct run r = {.kata = &kata, .src = "katas/racy/racy.c", .status = ST_FAIL};
    struct stage_result *t = stage(&r, "tsan");
    race(t, "head", 12, 20, 0);
    race(t, "tail", 12, 21, 0);
    char *v = screen(&r);
    const char *table = strstr(v, "Data races, side by side");
    cr_assert(table && strstr(table, "head ") && strstr(table, "tail "), "%s", v);
    free(v);
    release(&r);
}

/* A race between an atomic update and a plain read: the advice is not "make it atomic". */
Test(report_text, a_race_with_an_atomic_side_is_not_told_to_make_it_atomic)
{
    struct run r = {.kata = &kata, .src = "katas/racy/racy.c", .status = ST_FAIL};
    race(stage(&r, "tsan"), "counter", 13, 21, 1);
    char *v = screen(&r);
    cr_assert(!strstr(v, "make it atomic"), "%s", v);
    cr_assert(strstr(v, "`counter` is accessed atomically by one thread and plainly by another"),
              "%s", v);
    free(v);
    release(&r);
}
