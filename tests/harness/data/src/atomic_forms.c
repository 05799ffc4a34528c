/* atomic_forms.c: every spelling of a C11 atomic operation, each ordering plain data between
 * two threads, and racy variants that must still be reported
 * (tests/harness/test_valgrind_atomics.c).
 *
 * Usage: atomic_forms good | racy | CASE...   (runs the cases one after another, each with
 * threads of its own, joined before the next starts, so no case orders another's accesses).
 *
 * Each case's functions are named after it (`fetch_add_give`, `fetch_add_take`, ...): the test
 * tells which case a report belongs to by the function of its frame in this file. A case named
 * `racy_...` has a real data race on its plain data; every other case is correct C11 and must be
 * clean under Helgrind and DRD in the harness's Valgrind build (the file compiled with
 * `gcc -fsanitize=thread`, linked with harness/runtime/valgrind_atomics.c). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Publication: NAME_give writes NAME_data, then does GIVE; NAME_take (in the thread that started
 * it) waits until TAKE is true, does AFTER, then reads and writes NAME_data. The atomic operations
 * on NAME_sync must order the write before the read. */
#define PUBLISH(NAME, SYNC_DECL, GIVE, TAKE, AFTER)                                                \
    static long NAME##_data;                                                                       \
    SYNC_DECL;                                                                                     \
    static void *NAME##_give(void *arg)                                                            \
    {                                                                                              \
        (void)arg;                                                                                 \
        NAME##_data = 42;                                                                          \
        GIVE;                                                                                      \
        return NULL;                                                                               \
    }                                                                                              \
    static void NAME##_take(void)                                                                  \
    {                                                                                              \
        pthread_t t;                                                                               \
        pthread_create(&t, NULL, NAME##_give, NULL);                                               \
        while (!(TAKE))                                                                            \
            ;                                                                                      \
        AFTER;                                                                                     \
        long seen = NAME##_data;                                                                   \
        NAME##_data = seen + 1;                                                                    \
        pthread_join(t, NULL);                                                                     \
    }

#define RLX memory_order_relaxed
#define ACQ memory_order_acquire
#define REL memory_order_release
#define AR memory_order_acq_rel

/* <stdatomic.h>'s generic functions without _explicit (GCC 12 expands the fetch-ops straight to
 * __atomic builtins), each used on both sides */
PUBLISH(fetch_add, static atomic_int fetch_add_sync, atomic_fetch_add(&fetch_add_sync, 1),
        atomic_fetch_add(&fetch_add_sync, 0) == 1, (void)0)
PUBLISH(fetch_sub, static atomic_int fetch_sub_sync = 1, atomic_fetch_sub(&fetch_sub_sync, 1),
        atomic_fetch_sub(&fetch_sub_sync, 0) == 0, (void)0)
PUBLISH(fetch_or, static atomic_uint fetch_or_sync, atomic_fetch_or(&fetch_or_sync, 1),
        atomic_fetch_or(&fetch_or_sync, 0) == 1, (void)0)
PUBLISH(fetch_xor, static atomic_uint fetch_xor_sync, atomic_fetch_xor(&fetch_xor_sync, 1),
        atomic_fetch_xor(&fetch_xor_sync, 0) == 1, (void)0)
PUBLISH(fetch_and, static atomic_uint fetch_and_sync = 1, atomic_fetch_and(&fetch_and_sync, 0),
        atomic_fetch_and(&fetch_and_sync, 1) == 0, (void)0)
PUBLISH(store_load, static atomic_int store_load_sync, atomic_store(&store_load_sync, 1),
        atomic_load(&store_load_sync) == 1, (void)0)
PUBLISH(exchange, static atomic_int exchange_sync, atomic_exchange(&exchange_sync, 1),
        atomic_exchange(&exchange_sync, 0) == 1, (void)0)

/* the _explicit forms with the weakest orders that publish */
PUBLISH(fetch_add_explicit, static atomic_long fetch_add_explicit_sync,
        atomic_fetch_add_explicit(&fetch_add_explicit_sync, 1, REL),
        atomic_fetch_add_explicit(&fetch_add_explicit_sync, 0, ACQ) == 1, (void)0)
PUBLISH(fetch_sub_explicit, static atomic_long fetch_sub_explicit_sync = 1,
        atomic_fetch_sub_explicit(&fetch_sub_explicit_sync, 1, AR),
        atomic_fetch_sub_explicit(&fetch_sub_explicit_sync, 0, AR) == 0, (void)0)
PUBLISH(fetch_or_explicit, static atomic_ulong fetch_or_explicit_sync,
        atomic_fetch_or_explicit(&fetch_or_explicit_sync, 1, REL),
        atomic_fetch_or_explicit(&fetch_or_explicit_sync, 0, ACQ) == 1, (void)0)
PUBLISH(fetch_xor_explicit, static atomic_ulong fetch_xor_explicit_sync,
        atomic_fetch_xor_explicit(&fetch_xor_explicit_sync, 1, REL),
        atomic_fetch_xor_explicit(&fetch_xor_explicit_sync, 0, ACQ) == 1, (void)0)
PUBLISH(fetch_and_explicit, static atomic_ulong fetch_and_explicit_sync = 1,
        atomic_fetch_and_explicit(&fetch_and_explicit_sync, 0, REL),
        atomic_fetch_and_explicit(&fetch_and_explicit_sync, 1, ACQ) == 0, (void)0)
PUBLISH(store_load_explicit, static atomic_int store_load_explicit_sync,
        atomic_store_explicit(&store_load_explicit_sync, 1, REL),
        atomic_load_explicit(&store_load_explicit_sync, ACQ) == 1, (void)0)
PUBLISH(exchange_explicit, static atomic_int exchange_explicit_sync,
        atomic_exchange_explicit(&exchange_explicit_sync, 1, REL),
        atomic_exchange_explicit(&exchange_explicit_sync, 0, ACQ) == 1, (void)0)

/* compare-exchange: the waiter succeeds only once the value is 1 */
static bool cas_strong_is(atomic_int *p, int want, memory_order ok, memory_order fail)
{
    int expected = want;
    return atomic_compare_exchange_strong_explicit(p, &expected, want, ok, fail);
}
static bool cas_weak_is(atomic_int *p, int want)
{
    int expected = want;
    return atomic_compare_exchange_weak(p, &expected, want);
}
static void cas_strong_set(atomic_int *p)
{
    int expected = 0;
    atomic_compare_exchange_strong(p, &expected, 1);
}
static void cas_weak_set_release(atomic_int *p)
{
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(p, &expected, 1, REL, RLX))
        expected = 0;
}
PUBLISH(cas_strong, static atomic_int cas_strong_sync, cas_strong_set(&cas_strong_sync),
        cas_strong_is(&cas_strong_sync, 1, ACQ, RLX), (void)0)
PUBLISH(cas_weak, static atomic_int cas_weak_sync, cas_weak_set_release(&cas_weak_sync),
        cas_weak_is(&cas_weak_sync, 1), (void)0)

/* _Atomic objects used with C's own operators: each is a seq_cst atomic operation */
PUBLISH(op_increment, static _Atomic int op_increment_sync, op_increment_sync++,
        op_increment_sync == 1, (void)0)
PUBLISH(op_compound, static _Atomic long op_compound_sync, op_compound_sync += 2,
        (op_compound_sync -= 0) == 2, (void)0)
PUBLISH(op_assign, static _Atomic int op_assign_sync, op_assign_sync = 1, op_assign_sync != 0,
        (void)0)
PUBLISH(op_pointer, static long *_Atomic op_pointer_sync, op_pointer_sync = &op_pointer_data,
        op_pointer_sync != NULL, (void)0)
PUBLISH(op_bool, static atomic_bool op_bool_sync, op_bool_sync = true, op_bool_sync, (void)0)
PUBLISH(op_char, static _Atomic char op_char_sync, op_char_sync++, op_char_sync == 1, (void)0)
PUBLISH(op_short, static _Atomic short op_short_sync, op_short_sync--, op_short_sync == -1, (void)0)
PUBLISH(op_long_long, static _Atomic long long op_long_long_sync, op_long_long_sync |= 4,
        op_long_long_sync == 4, (void)0)

/* fences give relaxed accesses their order */
PUBLISH(fence, static atomic_int fence_sync, atomic_thread_fence(REL);
        atomic_store_explicit(&fence_sync, 1, RLX), atomic_load_explicit(&fence_sync, RLX) == 1,
        atomic_thread_fence(ACQ))
PUBLISH(fence_seq_cst, static atomic_int fence_seq_cst_sync,
        atomic_thread_fence(memory_order_seq_cst);
        atomic_fetch_add_explicit(&fence_seq_cst_sync, 1, RLX),
        atomic_load_explicit(&fence_seq_cst_sync, RLX) == 1,
        atomic_thread_fence(memory_order_seq_cst))

/* GCC's builtins on plain objects, which atomics code in the wild also uses */
PUBLISH(builtin_atomic, static int builtin_atomic_sync,
        __atomic_store_n(&builtin_atomic_sync, 1, __ATOMIC_RELEASE),
        __atomic_load_n(&builtin_atomic_sync, __ATOMIC_ACQUIRE) == 1, (void)0)
PUBLISH(builtin_sync, static int builtin_sync_sync, __sync_fetch_and_add(&builtin_sync_sync, 1),
        __sync_val_compare_and_swap(&builtin_sync_sync, 1, 1) == 1, (void)0)

/* the widths and operations <stdatomic.h> has no name for: 16 bytes, and nand */
PUBLISH(builtin_int128, __extension__ static unsigned __int128 builtin_int128_sync,
        __atomic_store_n(&builtin_int128_sync, 1, __ATOMIC_RELEASE),
        __atomic_load_n(&builtin_int128_sync, __ATOMIC_ACQUIRE) == 1, (void)0)
PUBLISH(builtin_nand, static unsigned builtin_nand_sync,
        __atomic_fetch_nand(&builtin_nand_sync, 0, __ATOMIC_RELEASE),
        __atomic_fetch_nand(&builtin_nand_sync, 0, __ATOMIC_ACQUIRE) != 0, (void)0)

/* Mutual exclusion built from atomics: two threads increment NAME_data under the lock. */
#define ROUNDS 200
#define EXCLUDE(NAME, LOCK_DECL, LOCK, UNLOCK)                                                     \
    static long NAME##_data;                                                                       \
    LOCK_DECL;                                                                                     \
    static void *NAME##_worker(void *arg)                                                          \
    {                                                                                              \
        (void)arg;                                                                                 \
        for (int i = 0; i < ROUNDS; i++) {                                                         \
            LOCK;                                                                                  \
            NAME##_data++;                                                                         \
            UNLOCK;                                                                                \
        }                                                                                          \
        return NULL;                                                                               \
    }                                                                                              \
    static void NAME##_take(void)                                                                  \
    {                                                                                              \
        pthread_t t[2];                                                                            \
        for (int i = 0; i < 2; i++)                                                                \
            pthread_create(&t[i], NULL, NAME##_worker, NULL);                                      \
        for (int i = 0; i < 2; i++)                                                                \
            pthread_join(t[i], NULL);                                                              \
        if (NAME##_data != 2 * ROUNDS)                                                             \
            printf(#NAME ": %ld increments, not %d\n", NAME##_data, 2 * ROUNDS);                   \
    }

EXCLUDE(flag_spinlock, static atomic_flag flag_spinlock_lock = ATOMIC_FLAG_INIT,
        while (atomic_flag_test_and_set(&flag_spinlock_lock));
        , atomic_flag_clear(&flag_spinlock_lock))
EXCLUDE(flag_spinlock_explicit, static atomic_flag flag_spinlock_explicit_lock = ATOMIC_FLAG_INIT,
        while (atomic_flag_test_and_set_explicit(&flag_spinlock_explicit_lock, ACQ));
        , atomic_flag_clear_explicit(&flag_spinlock_explicit_lock, REL))
static void cas_lock(atomic_int *l)
{
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(l, &expected, 1, ACQ, RLX))
        expected = 0;
}
EXCLUDE(cas_spinlock, static atomic_int cas_spinlock_lock, cas_lock(&cas_spinlock_lock),
        atomic_store_explicit(&cas_spinlock_lock, 0, REL))
EXCLUDE(exchange_spinlock, static atomic_bool exchange_spinlock_lock,
        while (atomic_exchange_explicit(&exchange_spinlock_lock, true, ACQ));
        , atomic_store_explicit(&exchange_spinlock_lock, false, REL))
EXCLUDE(sync_spinlock, static int sync_spinlock_lock,
        while (__sync_lock_test_and_set(&sync_spinlock_lock, 1));
        , __sync_lock_release(&sync_spinlock_lock))

/* A two-lock linked queue (one lock for the head, one for the tail): the consumer never takes the
 * producer's lock, and learns that a node is linked, and filled, from an atomic count that the
 * producer raises with atomic_fetch_add after linking it. */
struct node {
    struct node *next;
    long value;
};
static struct node *two_lock_queue_head, *two_lock_queue_tail;
static pthread_mutex_t two_lock_queue_head_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t two_lock_queue_tail_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long two_lock_queue_count;
#define ITEMS 50

static void *two_lock_queue_give(void *arg)
{
    (void)arg;
    for (long i = 0; i < ITEMS; i++) {
        struct node *n = malloc(sizeof *n);
        n->next = NULL;
        n->value = i;
        pthread_mutex_lock(&two_lock_queue_tail_lock);
        two_lock_queue_tail->next = n;
        two_lock_queue_tail = n;
        pthread_mutex_unlock(&two_lock_queue_tail_lock);
        atomic_fetch_add(&two_lock_queue_count, 1);
    }
    return NULL;
}

static void two_lock_queue_take(void)
{
    two_lock_queue_head = two_lock_queue_tail = calloc(1, sizeof(struct node));
    pthread_t t;
    pthread_create(&t, NULL, two_lock_queue_give, NULL);
    long sum = 0;
    for (long got = 0; got < ITEMS;) {
        if (atomic_load(&two_lock_queue_count) == 0)
            continue;
        atomic_fetch_sub(&two_lock_queue_count, 1);
        pthread_mutex_lock(&two_lock_queue_head_lock);
        struct node *old = two_lock_queue_head;
        two_lock_queue_head = old->next;
        sum += two_lock_queue_head->value;
        pthread_mutex_unlock(&two_lock_queue_head_lock);
        free(old);
        got++;
    }
    pthread_join(t, NULL);
    free(two_lock_queue_head);
    if (sum != ITEMS * (ITEMS - 1) / 2)
        printf("two_lock_queue: sum %ld\n", sum);
}

/* The races that must still be reported. */
PUBLISH(racy_relaxed_flag, static atomic_int racy_relaxed_flag_sync,
        atomic_store_explicit(&racy_relaxed_flag_sync, 1, RLX),
        atomic_load_explicit(&racy_relaxed_flag_sync, RLX) == 1, (void)0)
PUBLISH(racy_relaxed_fetch_add, static atomic_int racy_relaxed_fetch_add_sync,
        atomic_fetch_add_explicit(&racy_relaxed_fetch_add_sync, 1, RLX),
        atomic_fetch_add_explicit(&racy_relaxed_fetch_add_sync, 0, RLX) == 1, (void)0)
/* a release fence on one side only: the relaxed load that sees the flag orders nothing */
PUBLISH(racy_one_fence, static atomic_int racy_one_fence_sync, atomic_thread_fence(REL);
        atomic_store_explicit(&racy_one_fence_sync, 1, RLX),
        atomic_load_explicit(&racy_one_fence_sync, RLX) == 1, (void)0)

/* the data is written after the flag is raised */
static long racy_written_after_data;
static atomic_int racy_written_after_sync;
static void *racy_written_after_give(void *arg)
{
    (void)arg;
    atomic_store(&racy_written_after_sync, 1);
    racy_written_after_data = 42;
    return NULL;
}
static void racy_written_after_take(void)
{
    pthread_t t;
    pthread_create(&t, NULL, racy_written_after_give, NULL);
    while (!atomic_load(&racy_written_after_sync))
        ;
    long seen = racy_written_after_data;
    pthread_join(t, NULL);
    (void)seen;
}

/* an object updated atomically by one thread and written plainly by another */
static long racy_plain_vs_atomic_data;
static void *racy_plain_vs_atomic_give(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++)
        __atomic_fetch_add(&racy_plain_vs_atomic_data, 1, __ATOMIC_SEQ_CST);
    return NULL;
}
static void racy_plain_vs_atomic_take(void)
{
    pthread_t t;
    pthread_create(&t, NULL, racy_plain_vs_atomic_give, NULL);
    for (int i = 0; i < ROUNDS; i++)
        racy_plain_vs_atomic_data = 0;
    pthread_join(t, NULL);
}

/* an atomic_flag spinlock, and one increment that does not take it */
static long racy_flag_outside_data;
static atomic_flag racy_flag_outside_lock = ATOMIC_FLAG_INIT;
static void *racy_flag_outside_worker(void *arg)
{
    for (int i = 0; i < ROUNDS; i++) {
        if (arg) {
            racy_flag_outside_data++;
            continue;
        }
        while (atomic_flag_test_and_set(&racy_flag_outside_lock))
            ;
        racy_flag_outside_data++;
        atomic_flag_clear(&racy_flag_outside_lock);
    }
    return NULL;
}
static void racy_flag_outside_take(void)
{
    pthread_t t[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, racy_flag_outside_worker, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
}

/* clang-format off */
#define CASE(NAME) {#NAME, NAME##_take}
/* clang-format on */
static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    CASE(fetch_add),
    CASE(fetch_sub),
    CASE(fetch_or),
    CASE(fetch_xor),
    CASE(fetch_and),
    CASE(store_load),
    CASE(exchange),
    CASE(fetch_add_explicit),
    CASE(fetch_sub_explicit),
    CASE(fetch_or_explicit),
    CASE(fetch_xor_explicit),
    CASE(fetch_and_explicit),
    CASE(store_load_explicit),
    CASE(exchange_explicit),
    CASE(cas_strong),
    CASE(cas_weak),
    CASE(op_increment),
    CASE(op_compound),
    CASE(op_assign),
    CASE(op_pointer),
    CASE(op_bool),
    CASE(op_char),
    CASE(op_short),
    CASE(op_long_long),
    CASE(fence),
    CASE(fence_seq_cst),
    CASE(builtin_atomic),
    CASE(builtin_sync),
    CASE(builtin_int128),
    CASE(builtin_nand),
    CASE(flag_spinlock),
    CASE(flag_spinlock_explicit),
    CASE(cas_spinlock),
    CASE(exchange_spinlock),
    CASE(sync_spinlock),
    CASE(two_lock_queue),
    CASE(racy_relaxed_flag),
    CASE(racy_relaxed_fetch_add),
    CASE(racy_one_fence),
    CASE(racy_written_after),
    CASE(racy_plain_vs_atomic),
    CASE(racy_flag_outside),
};
#define NCASES (sizeof cases / sizeof cases[0])

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "list")) {
        for (size_t i = 0; i < NCASES; i++)
            printf("%s\n", cases[i].name);
        return 0;
    }
    for (int a = 1; a < argc; a++) {
        int good = !strcmp(argv[a], "good"), racy = !strcmp(argv[a], "racy"), found = 0;
        for (size_t i = 0; i < NCASES; i++) {
            int is_racy = !strncmp(cases[i].name, "racy_", 5);
            if ((good && !is_racy) || (racy && is_racy) || !strcmp(argv[a], cases[i].name)) {
                cases[i].run();
                found = 1;
            }
        }
        if (!found) {
            fprintf(stderr, "atomic_forms: no case '%s'\n", argv[a]);
            return 2;
        }
    }
    return 0;
}
