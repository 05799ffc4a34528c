/* test_explore_race.c: the explore runtime's happens-before (harness/runtime/explore_race.c),
 * call by call, as explore.c drives it: two threads' accesses that nothing orders are a race,
 * and every order the runtime models (a start, a join, a lock, an atomic's release and
 * acquire, fences) makes them none; what it forgets (freed memory, a stack handed to a new
 * thread, a read pushed out of its slots, a full table) never becomes a race that is not
 * there. The runtime file is compiled into this test whole (it is not part of the harness's
 * library: the explore stage links it into the learner's program). */
#include "runtime/explore_race.c"

#include <criterion/criterion.h>
#include <stdlib.h>

enum { RELAXED = 0, ACQUIRE = 2, RELEASE = 3 };

static struct race_prior prior;

static int wr(int tid, const void *a, size_t n)
{
    return race_access(tid, a, n, 1, (void *)0x1000, -1, &prior);
}

static int rd(int tid, const void *a, size_t n)
{
    return race_access(tid, a, n, 0, (void *)0x2000, -1, &prior);
}

/* Threads 1 and 2 started by the main thread, which has done nothing since; and x and y
 * fresh memory (the records of a case stay in the table: in the runtime each schedule is a
 * new process, so race_reset leaves them). */
static long *x, *y;

static long *fresh(void)
{
    long *p = calloc(2, sizeof *p); /* never freed in a test: never the same address twice */
    cr_assert_not_null(p);
    return p;
}

static void two_threads(void)
{
    race_reset();
    race_create(0, 1);
    race_create(0, 2);
    x = fresh();
    y = fresh();
}

Test(explore_race, two_writes_nothing_orders_are_a_race_and_name_the_first)
{
    two_threads();
    cr_assert_eq(wr(1, x, 8), 0);
    cr_assert_eq(wr(2, x, 8), 1);
    cr_expect_eq(prior.tid, 1);
    cr_expect_eq(prior.write, 1);
    cr_expect_eq(prior.pc, (void *)0x1000);
    /* a read against a write, and a write against a read, too */
    two_threads();
    cr_assert_eq(rd(1, y, 8), 0);
    cr_assert_eq(wr(2, y, 8), 1);
    cr_expect_eq(prior.write, 0);
    /* two reads never race */
    two_threads();
    cr_assert_eq(rd(1, x, 8), 0);
    cr_assert_eq(rd(2, x, 8), 0);
}

Test(explore_race, a_lock_orders_the_holders_one_after_the_other)
{
    two_threads();
    long *m = fresh();
    race_acquire(1, m);
    cr_assert_eq(wr(1, x, 8), 0);
    race_release(1, m);
    race_acquire(2, m);
    cr_assert_eq(rd(2, x, 8), 0);
    cr_assert_eq(wr(2, x, 8), 0);
    race_release(2, m);
    /* what thread 1 does after its unlock is not ordered before thread 2's hold */
    cr_assert_eq(wr(1, y, 8), 0);
    race_acquire(2, m);
    cr_assert_eq(rd(2, y, 8), 1);
}

Test(explore_race, a_start_and_a_join_order_the_main_thread_around_a_thread)
{
    two_threads();
    cr_assert_eq(wr(0, x, 8), 0);
    race_create(0, 3);
    cr_assert_eq(wr(3, x, 8), 0, "the main thread's write is before the thread it starts");
    cr_assert_eq(wr(1, x, 8), 1, "but not before the threads started earlier");
    cr_assert_eq(wr(3, y, 8), 0);
    race_join(0, 3);
    cr_assert_eq(rd(0, y, 8), 0, "the thread's write is before the join's return");
    /* without the join it is a race */
    two_threads();
    cr_assert_eq(wr(1, y, 8), 0);
    cr_assert_eq(rd(0, y, 8), 1);
}

Test(explore_race, bytes_of_one_word_are_apart)
{
    static char bytes[8];
    two_threads();
    cr_assert_eq(wr(1, &bytes[0], 1), 0);
    cr_assert_eq(wr(2, &bytes[1], 1), 0, "another byte of the same 8: no race");
    cr_assert_eq(rd(2, &bytes[2], 2), 0);
    cr_assert_eq(wr(2, &bytes[0], 1), 1, "the same byte: a race");
    /* an access across two granules is checked in both */
    static long pair[2];
    two_threads();
    cr_assert_eq(wr(1, (char *)pair + 12, 1), 0);
    cr_assert_eq(wr(2, (char *)pair + 4, 16), 1);
}

Test(explore_race, release_and_acquire_order_data_and_relaxed_does_not)
{
    long *flag;
    for (int relaxed = 0; relaxed <= 1; relaxed++) {
        two_threads();
        flag = fresh();
        cr_assert_eq(wr(1, x, 8), 0);
        race_atomic(1, flag, relaxed ? RELAXED : RELEASE, 0, 0, 1);
        race_atomic(2, flag, relaxed ? RELAXED : ACQUIRE, 0, 1, 0);
        cr_assert_eq(rd(2, x, 8), relaxed, "relaxed %d", relaxed);
    }
    /* an RMW in between (relaxed) keeps the release sequence */
    two_threads();
    flag = fresh();
    race_create(0, 3);
    cr_assert_eq(wr(1, x, 8), 0);
    race_atomic(1, flag, RELEASE, 0, 0, 1);
    race_atomic(3, flag, RELAXED, 0, 1, 1);
    race_atomic(2, flag, ACQUIRE, 0, 1, 0);
    cr_assert_eq(rd(2, x, 8), 0);
    /* a seq_cst (5) and an unknown order count as both */
    two_threads();
    flag = fresh();
    cr_assert_eq(wr(1, x, 8), 0);
    race_atomic(1, flag, 5, 0, 1, 1);
    race_atomic(2, flag, 77, 0, 1, 0);
    cr_assert_eq(rd(2, x, 8), 0);
}

Test(explore_race, fences_turn_relaxed_atomics_into_an_order)
{
    two_threads();
    long *flag = fresh();
    cr_assert_eq(wr(1, x, 8), 0);
    race_fence(1, RELEASE);
    race_atomic(1, flag, RELAXED, 0, 0, 1);
    race_atomic(2, flag, RELAXED, 0, 1, 0);
    race_fence(2, ACQUIRE);
    cr_assert_eq(rd(2, x, 8), 0);
    /* a fence on one side only is not enough */
    two_threads();
    flag = fresh();
    cr_assert_eq(wr(1, x, 8), 0);
    race_fence(1, RELEASE);
    race_atomic(1, flag, RELAXED, 0, 0, 1);
    race_atomic(2, flag, RELAXED, 0, 1, 0);
    cr_assert_eq(rd(2, x, 8), 1);
}

Test(explore_race, freed_memory_and_a_stack_handed_on_are_forgotten)
{
    long *block = malloc(64);
    cr_assert_not_null(block);
    two_threads();
    cr_assert_eq(wr(1, &block[3], 8), 0);
    race_free(block, 64);
    cr_assert_eq(wr(2, &block[3], 8), 0, "malloc may give a freed block to any thread");
    free(block);
    /* thread 1's stack becomes thread 3's: what thread 1 did there is not thread 3's race */
    static char stack[256];
    two_threads();
    race_stack(1, stack, sizeof stack);
    cr_assert_eq(wr(1, &stack[64], 8), 0);
    race_create(0, 3);
    race_stack(3, stack, sizeof stack);
    cr_assert_eq(wr(3, &stack[64], 8), 0);
    /* while thread 3 that was started with it still races with thread 2 */
    cr_assert_eq(wr(2, &stack[64], 8), 1);
}

Test(explore_race, a_read_pushed_out_of_its_slots_is_missed_never_invented)
{
    two_threads();
    long *m = fresh();
    for (int t = 3; t <= 6; t++)
        race_create(0, t);
    /* five readers, each handing its read on through the lock; the writer takes them all */
    for (int t = 1; t <= 5; t++) {
        race_acquire(t, m);
        cr_assert_eq(rd(t, x, 8), 0);
        race_release(t, m);
    }
    race_acquire(6, m);
    cr_assert_eq(wr(6, x, 8), 0, "every read is ordered before the write");
    /* readers that hand nothing on: the write races with the reads still kept */
    two_threads();
    for (int t = 3; t <= 6; t++)
        race_create(0, t);
    for (int t = 1; t <= 5; t++)
        cr_assert_eq(rd(t, y, 8), 0);
    cr_assert_eq(wr(6, y, 8), 1);
}

Test(explore_race, a_full_table_watches_less_and_never_fails)
{
    size_t n = (size_t)1 << 20;
    char *big = malloc(n);
    cr_assert_not_null(big);
    two_threads();
    for (size_t i = 0; i < n; i += 8)
        wr(1, big + i, 8);
    /* some granules found no cell: those are not watched, the rest still are */
    int races = 0;
    for (size_t i = 0; i < n; i += 8)
        races += wr(2, big + i, 8);
    cr_expect_gt(races, 0);
    cr_expect_lt((size_t)races, n / 8);
    /* a thread id the runtime does not know is ignored */
    cr_assert_eq(race_access(RACE_MAXT, big, 8, 1, NULL, -1, &prior), 0);
    cr_assert_eq(race_access(-1, big, 8, 1, NULL, -1, &prior), 0);
    free(big);
}
