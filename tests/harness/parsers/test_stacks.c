/* test_stacks.c: tests of harness/parsers/stacks.c on recorded stack dumps of a deadlocked program
 * (tests/harness/data/src/deadlock.c, recorded by tests/harness/data/record.sh). Its frames
 * name tests/harness/data/src/deadlock.c, relative to the repository root, where the tests
 * run. */
#include "parsers/stacks.h"
#include "support/recordings.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The thread ids of a dump, in order: "TID 123:" (eu-stack) or "(LWP 123)" (gdb). */
static int thread_ids(const char *text, char ids[][16], int max)
{
    int n = 0;
    for (const char *l = text; *l && n < max; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
        char *line = xstrndup(l, strcspn(l, "\n"));
        const char *id = NULL;
        if (starts_with(line, "TID "))
            id = line + 4;
        else if (starts_with(line, "Thread ") && strstr(line, "(LWP "))
            id = strstr(line, "(LWP ") + 5;
        if (id)
            snprintf(ids[n++], 16, "%.*s", (int)strspn(id, "0123456789"), id);
        free(line);
    }
    return n;
}

static const struct finding *thread_in(const struct findings *f, const char *function)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].access[0].function && !strcmp(f->v[i].access[0].function, function))
            return &f->v[i];
    cr_assert_fail("no thread is in %s", function);
    return NULL;
}

/* The process id of a dump: "PID 123 - process" (eu-stack), "(process 123)" (gdb). */
static int process_id(const char *text)
{
    const char *p = starts_with(text, "PID ") ? text + 4 : strstr(text, "(process ");
    cr_assert_not_null(p, "the dump names no process");
    if (*p == '(')
        p += strlen("(process ");
    return atoi(p);
}

/* Both recordings show the same moment: main joins, a_then_b and b_then_a each wait for the
 * mutex the other holds. */
static void check_deadlock(const char *recorded)
{
    char *text = recording(recorded);
    char *real = recorded_source("deadlock.c");
    struct findings f = {0};
    int n = stacks_parse(text, real, &f);
    cr_assert_eq(n, 3, "%s: %d threads", recorded, n);
    cr_assert_eq(f.n, 3);

    char ids[3][16];
    cr_assert_eq(thread_ids(text, ids, 3), 3);
    int pid = process_id(text);
    for (size_t i = 0; i < 3; i++) {
        const struct finding *x = &f.v[i];
        cr_assert_str_eq(x->kind, "blocked thread");
        cr_assert_eq(x->naccess, 1);
        cr_assert(x->in_learner, "%s: thread %zu", recorded, i);
        /* the threads keep the dump's order; the main thread is checked on its own below */
        if (atoi(ids[i]) == pid)
            cr_assert_str_eq(x->access[0].thread, "main thread");
        cr_assert(ends_with(x->access[0].file, "tests/harness/data/src/deadlock.c"), "%s",
                  x->access[0].file);
        cr_assert(x->access[0].in_learner);
    }

    const struct finding *ab = thread_in(&f, "a_then_b");
    cr_assert_str_eq(ab->access[0].op, "pthread_mutex_lock");
    cr_assert_eq(ab->access[0].line, 15);
    char *headline = xasprintf("%s blocked in pthread_mutex_lock", ab->access[0].thread);
    cr_assert_str_eq(ab->headline, headline);
    free(headline);

    const struct finding *ba = thread_in(&f, "b_then_a");
    cr_assert_str_eq(ba->access[0].op, "pthread_mutex_lock");
    cr_assert_eq(ba->access[0].line, 24);
    /* named in the order they started, from either dump, as the detectors name them */
    cr_assert_str_eq(ab->access[0].thread, "thread 1", "%s", recorded);
    cr_assert_str_eq(ba->access[0].thread, "thread 2", "%s", recorded);

    const struct finding *m = thread_in(&f, "main");
    cr_assert_eq(m->access[0].line, 36, "main waits in its first pthread_join");
    cr_assert_str_eq(m->access[0].op, "pthread_join");

    findings_release(&f);
    free(real);
    free(text);
}

/* The name the main thread gets from a recorded dump. */
static char *main_thread_name(const char *recorded)
{
    char *text = recording(recorded);
    char *real = recorded_source("deadlock.c");
    struct findings f = {0};
    stacks_parse(text, real, &f);
    char *name = xstrdup(thread_in(&f, "main")->access[0].thread);
    findings_release(&f);
    free(real);
    free(text);
    return name;
}

Test(stacks, reads_one_blocked_thread_per_thread_from_eu_stack)
{
    check_deadlock("stacks_eu-stack.txt");
}

Test(stacks, reads_one_blocked_thread_per_thread_from_gdb)
{
    check_deadlock("stacks_gdb.txt");
}

Test(stacks, names_the_main_thread_the_same_way_from_both_dumps)
{
    char *eu = main_thread_name("stacks_eu-stack.txt");
    char *gdb = main_thread_name("stacks_gdb.txt");
    cr_assert_str_eq(eu, "main thread");
    cr_assert_str_eq(gdb, eu,
                     "the main thread of one hang is \"%s\" from eu-stack but \"%s\" "
                     "from gdb",
                     eu, gdb);
    free(gdb);
    free(eu);
}

Test(stacks, without_a_learner_frame_a_thread_is_placed_in_its_innermost_sourced_frame)
{
    char *text = recording("stacks_eu-stack.txt");
    char *other = recorded_source("clean.c");
    struct findings f = {0};
    cr_assert_eq(stacks_parse(text, other, &f), 3);
    for (size_t i = 0; i < f.n; i++) {
        const struct access *a = &f.v[i].access[0];
        cr_assert_eq(f.v[i].in_learner, 0);
        cr_assert_eq(a->in_learner, 0);
        cr_assert_not_null(a->thread);
        cr_assert_not_null(a->function);
        cr_assert_not_null(a->file, "%s has a source line in the dump", a->function);
        cr_assert_gt(a->line, 0);
    }
    findings_release(&f);
    free(other);
    free(text);
}

Test(stacks, reads_the_dumps_of_several_processes_one_after_another)
{
    /* the harness appends one dump per process of the group */
    char *eu = recording("stacks_eu-stack.txt");
    char *gdb = recording("stacks_gdb.txt");
    char *both = xasprintf("%s%s", eu, gdb);
    char *real = recorded_source("deadlock.c");
    struct findings f = {0};
    cr_assert_eq(stacks_parse(both, real, &f), 6);
    cr_assert_eq(f.n, 6);
    cr_assert_eq(findings_keep_learner(&f), 6);
    findings_release(&f);
    free(real);
    free(both);
    free(gdb);
    free(eu);
}

Test(stacks, text_without_threads_gives_nothing)
{
    struct findings f = {0};
    cr_assert_eq(stacks_parse("", "/x.c", &f), 0);
    cr_assert_eq(stacks_parse("eu-stack: dwfl_linux_proc_attach pid 1: Operation not "
                              "permitted\n#0  0x0000 orphan_frame\n    /x.c:3:1\n",
                              "/x.c", &f),
                 0);
    cr_assert_eq(f.n, 0);
}

Test(stacks, a_thread_with_no_frames_or_too_many_is_still_one_finding)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    sb_puts(&sb, "PID 6 - process\nTID 7:\nTID 8:\n");
    for (int i = 0; i < 200; i++)
        sb_addf(&sb, "#%-2d 0x%016x recurse\n    /x.c:%d:1\n", i, 0x1000 + i, 100 + i);
    struct findings f = {0};
    cr_assert_eq(stacks_parse(sb.buf, "/x.c", &f), 2);
    cr_assert_eq(f.n, 2);
    /* threads are named in the order they started (tids 7 and 8 of process 6) */
    cr_assert_str_eq(f.v[0].access[0].thread, "thread 1");
    cr_assert_null(f.v[0].access[0].function, "thread 7 has no frame");
    cr_assert_str_eq(f.v[1].access[0].thread, "thread 2");
    cr_assert_str_eq(f.v[1].access[0].function, "recurse");
    findings_release(&f);
    sb_release(&sb);
}

Test(stacks, state_lines_tell_running_stopped_and_blocked_threads_apart)
{
    /* hang/snapshot.c writes "STATE <tid> <state>" from /proc before it stops the threads */
    const char *dump = "STATE 7 R\nSTATE 8 T\nSTATE 9 S\nSTATE 19 R\n"
                       "PID 7 - process\nTID 7:\n#0  0x0000000000001000 spin\n    /x.c:4:1\n"
                       "TID 8:\n#0  0x0000000000001000 halt\n    /x.c:5:1\n"
                       "TID 9:\n#0  0x0000000000001000 wait\n    /x.c:6:1\n";
    struct findings f = {0};
    cr_assert_eq(stacks_parse(dump, "/x.c", &f), 3);
    cr_assert_str_eq(f.v[0].kind, "running thread");
    cr_assert_str_eq(f.v[0].headline, "main thread running (not blocked) in spin");
    cr_assert_str_eq(f.v[1].kind, "stopped thread");
    cr_assert_str_eq(f.v[2].kind, "blocked thread", "9 is S: thread 19's R line is not its");
    findings_release(&f);
}

Test(stacks, public_name_strips_glibcs_internal_prefixes_and_versions)
{
    static const char *const cases[][2] = {
        {"__pthread_mutex_lock@GLIBC_2.2.5", "pthread_mutex_lock"},
        {"__GI___lll_lock_wait", "pthread_mutex_lock"},
        {"__pthread_clockjoin_ex", "pthread_join"},
        {"___pthread_cond_wait", "pthread_cond_wait"},
        {"pthread_create@@GLIBC_2.34", "pthread_create"},
        {"__libc_malloc", "malloc"},
        {"pthread_join", "pthread_join"},
        {"sem_wait@@GLIBC_2.34", "sem_wait"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = public_name(cases[i][0]);
        cr_assert_str_eq(got, cases[i][1], "public_name(\"%s\")", cases[i][0]);
        free(got);
    }
}
