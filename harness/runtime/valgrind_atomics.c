/* valgrind_atomics.c: the runtime the Valgrind build links instead of libtsan: C11 atomics
 * that Helgrind and DRD understand, whichever way the learner spelled them.
 *
 * Helgrind and DRD know pthread's locks, condition variables and joins, but not the memory
 * orders of <stdatomic.h>: to them a release store that publishes data and the acquire load
 * that sees it are two plain accesses, so correct lock-free code is reported as a race on
 * the data (and on the flag). Teaching them through macros misses spellings: GCC 12 expands
 * atomic_fetch_add straight to __atomic_fetch_add, and _Atomic operators (x++, x += 1, a plain
 * load or store of an _Atomic object) are no macros at all.
 *
 * So the harness compiles the learner's file for Valgrind with `gcc -fsanitize=thread -c`
 * (stages/stage.c, build_driver) and links it with this file instead of libtsan. The compiler turns
 * every atomic operation, in every spelling (stdatomic.h, _Atomic operators, __atomic_* and
 * __sync_* builtins, atomic_flag), into a call to __tsan_atomic<bits>_<op> or
 * __tsan_atomic_thread_fence: coverage comes from the compiler, not from a list here, and an
 * operation this file lacked would fail the link rather than pass unnoticed. Plain accesses
 * become calls to __tsan_read<n>/__tsan_write<n>, which are no-ops here: Valgrind sees the
 * accesses themselves.
 *
 * What each atomic operation tells the tools:
 *   - the operation itself is done with a locked instruction (a store is an exchange), which
 *     both tools treat as a read: atomics never race with each other, while a plain write
 *     racing with an atomic access is still reported (a plain read racing with an atomic store
 *     is not: both look like reads; the tsan stage sees that one);
 *   - a store or read-modify-write with release, acq_rel or seq_cst order is a happens-before
 *     mark on the atomic's address, made before the operation;
 *   - a load or read-modify-write with acquire, consume, acq_rel or seq_cst order (for a
 *     failed compare-exchange, its failure order) is a happens-after mark on it, made after;
 *   - relaxed operations mark nothing, since they order nothing: data published through a
 *     relaxed flag is still reported. Fences give relaxed operations their order: after a
 *     release fence a thread's relaxed stores and read-modify-writes mark happens-before (all
 *     of them, later ones included: a little more order than C11 gives, never less), and an
 *     acquire fence marks happens-after on the atomics the thread read relaxed since its last
 *     acquire fence (the last RECENT of them).
 * A happens-after mark joins every happens-before mark made on the address so far, which is
 * what reading the latest value of a release sequence gives; it can order a little more than
 * C11 (a release store that was overwritten before the load), never less.
 *
 * Nothing here annotates an address the caller chose without doing a real atomic operation on
 * it, and no other symbol is exported, so linking this file gives learner code no way to hide
 * a race on a non-atomic object (and the build stage refuses learner code that calls __tsan_
 * functions itself). tests/harness/stages/test_valgrind_atomics.c proves every form clean under both
 * tools and the racy variants still reported. */
#include <stddef.h>
#include <valgrind/helgrind.h>

/* Both tools take Helgrind's happens-before requests (DRD implements them too); each
 * request is a no-op outside Valgrind. */
#define KATA_RELEASE(a) ANNOTATE_HAPPENS_BEFORE((const void *)(a))
#define KATA_ACQUIRE(a) ANNOTATE_HAPPENS_AFTER((const void *)(a))

/* The memory orders as the compiler passes them (C11's values); higher bits (GCC's HLE and
 * __sync flags) are masked off. */
enum { MO_RELAXED, MO_CONSUME, MO_ACQUIRE, MO_RELEASE, MO_ACQ_REL, MO_SEQ_CST };

static int releases(int mo)
{
    mo &= 0xff;
    return mo == MO_RELEASE || mo == MO_ACQ_REL || mo >= MO_SEQ_CST;
}

static int acquires(int mo)
{
    mo &= 0xff;
    return mo == MO_CONSUME || mo == MO_ACQUIRE || mo == MO_ACQ_REL || mo >= MO_SEQ_CST;
}

/* Per thread: whether a release fence came before, and the atomics read relaxed since the last
 * acquire fence (a ring: a fence that follows more than RECENT relaxed reads orders the last
 * RECENT of them). */
#define RECENT 32
static _Thread_local int release_fenced;
static _Thread_local const volatile void *relaxed_reads[RECENT];
static _Thread_local unsigned nrelaxed_reads;

static void before(const volatile void *a, int mo)
{
    if (releases(mo) || release_fenced)
        KATA_RELEASE(a);
}

static void after(const volatile void *a, int mo)
{
    if (acquires(mo)) {
        KATA_ACQUIRE(a);
        return;
    }
    for (unsigned i = 0; i < RECENT && i < nrelaxed_reads; i++)
        if (relaxed_reads[i] == a)
            return;
    relaxed_reads[nrelaxed_reads++ % RECENT] = a;
}

static void fence(int mo)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (releases(mo))
        release_fenced = 1;
    if (acquires(mo)) {
        for (unsigned i = 0; i < RECENT && i < nrelaxed_reads; i++)
            KATA_ACQUIRE(relaxed_reads[i]);
        nrelaxed_reads = 0;
    }
}

/* The operations themselves are seq_cst whatever order was asked for: stronger is always
 * correct, Valgrind runs one thread at a time anyway, and so a store is an exchange (a locked
 * instruction, which the tools read as a read). For each width: load, store, exchange, the
 * six fetch-ops, and the three compare-exchange forms (GCC calls _strong and _weak, clang
 * _val). */
#define SC __ATOMIC_SEQ_CST
#define KATA_ATOMICS(BITS, T)                                                                      \
    T __tsan_atomic##BITS##_load(const volatile T *a, int mo);                                     \
    T __tsan_atomic##BITS##_load(const volatile T *a, int mo)                                      \
    {                                                                                              \
        T v = __atomic_load_n(a, SC);                                                              \
        after(a, mo);                                                                              \
        return v;                                                                                  \
    }                                                                                              \
    void __tsan_atomic##BITS##_store(volatile T *a, T v, int mo);                                  \
    void __tsan_atomic##BITS##_store(volatile T *a, T v, int mo)                                   \
    {                                                                                              \
        before(a, mo);                                                                             \
        (void)__atomic_exchange_n(a, v, SC);                                                       \
    }                                                                                              \
    KATA_RMW(BITS, T, exchange, __atomic_exchange_n)                                               \
    KATA_RMW(BITS, T, fetch_add, __atomic_fetch_add)                                               \
    KATA_RMW(BITS, T, fetch_sub, __atomic_fetch_sub)                                               \
    KATA_RMW(BITS, T, fetch_and, __atomic_fetch_and)                                               \
    KATA_RMW(BITS, T, fetch_or, __atomic_fetch_or)                                                 \
    KATA_RMW(BITS, T, fetch_xor, __atomic_fetch_xor)                                               \
    KATA_RMW(BITS, T, fetch_nand, __atomic_fetch_nand)                                             \
    int __tsan_atomic##BITS##_compare_exchange_strong(volatile T *a, T *expected, T v, int mo,     \
                                                      int fail_mo);                                \
    int __tsan_atomic##BITS##_compare_exchange_strong(volatile T *a, T *expected, T v, int mo,     \
                                                      int fail_mo)                                 \
    {                                                                                              \
        before(a, mo);                                                                             \
        int ok = __atomic_compare_exchange_n(a, expected, v, 0, SC, SC);                           \
        after(a, ok ? mo : fail_mo);                                                               \
        return ok;                                                                                 \
    }                                                                                              \
    int __tsan_atomic##BITS##_compare_exchange_weak(volatile T *a, T *expected, T v, int mo,       \
                                                    int fail_mo);                                  \
    int __tsan_atomic##BITS##_compare_exchange_weak(volatile T *a, T *expected, T v, int mo,       \
                                                    int fail_mo)                                   \
    {                                                                                              \
        return __tsan_atomic##BITS##_compare_exchange_strong(a, expected, v, mo, fail_mo);         \
    }                                                                                              \
    T __tsan_atomic##BITS##_compare_exchange_val(volatile T *a, T expected, T v, int mo,           \
                                                 int fail_mo);                                     \
    T __tsan_atomic##BITS##_compare_exchange_val(volatile T *a, T expected, T v, int mo,           \
                                                 int fail_mo)                                      \
    {                                                                                              \
        __tsan_atomic##BITS##_compare_exchange_strong(a, &expected, v, mo, fail_mo);               \
        return expected;                                                                           \
    }

/* A read-modify-write: release before it, acquire after it, as its order says. */
#define KATA_RMW(BITS, T, OP, BUILTIN)                                                             \
    T __tsan_atomic##BITS##_##OP(volatile T *a, T v, int mo);                                      \
    T __tsan_atomic##BITS##_##OP(volatile T *a, T v, int mo)                                       \
    {                                                                                              \
        before(a, mo);                                                                             \
        T old = BUILTIN(a, v, SC);                                                                 \
        after(a, mo);                                                                              \
        return old;                                                                                \
    }

KATA_ATOMICS(8, char)
KATA_ATOMICS(16, short)
KATA_ATOMICS(32, int)
KATA_ATOMICS(64, long)

#ifdef __SIZEOF_INT128__
/* 16 bytes: x86-64 has a compare-exchange (cmpxchg16b, which Valgrind runs) but GCC only
 * inlines it for the __sync builtins with cx16 enabled; every other operation is a
 * compare-exchange loop on it. */
__extension__ typedef __int128 kata_i128;
__extension__ typedef unsigned __int128 kata_u128; /* wraps on overflow */
#ifdef __x86_64__
#define KATA_CX16 __attribute__((target("cx16")))
#else
#define KATA_CX16
#endif

KATA_CX16 static kata_i128 cas16(volatile kata_i128 *a, kata_i128 expected, kata_i128 v)
{
    return __sync_val_compare_and_swap(a, expected, v);
}

enum op16 { OP_XCHG, OP_ADD, OP_SUB, OP_AND, OP_OR, OP_XOR, OP_NAND };

static kata_i128 rmw16(volatile kata_i128 *a, kata_i128 v, int mo, enum op16 op)
{
    before(a, mo);
    kata_i128 old = cas16(a, 0, 0), seen;
    for (;; old = seen) {
        kata_i128 next = op == OP_XCHG  ? v
                         : op == OP_ADD ? (kata_i128)((kata_u128)old + (kata_u128)v)
                         : op == OP_SUB ? (kata_i128)((kata_u128)old - (kata_u128)v)
                         : op == OP_AND ? (old & v)
                         : op == OP_OR  ? (old | v)
                         : op == OP_XOR ? (old ^ v)
                                        : ~(old & v);
        seen = cas16(a, old, next);
        if (seen == old)
            break;
    }
    after(a, mo);
    return old;
}

kata_i128 __tsan_atomic128_load(const volatile kata_i128 *a, int mo);
kata_i128 __tsan_atomic128_load(const volatile kata_i128 *a, int mo)
{
    /* a compare-exchange that writes back what is there: the only atomic 16-byte read */
    kata_i128 v = cas16((volatile kata_i128 *)a, 0, 0);
    after(a, mo);
    return v;
}

void __tsan_atomic128_store(volatile kata_i128 *a, kata_i128 v, int mo);
void __tsan_atomic128_store(volatile kata_i128 *a, kata_i128 v, int mo)
{
    (void)rmw16(a, v, mo, OP_XCHG);
}

#define KATA_RMW16(OP, CODE)                                                                       \
    kata_i128 __tsan_atomic128_##OP(volatile kata_i128 *a, kata_i128 v, int mo);                   \
    kata_i128 __tsan_atomic128_##OP(volatile kata_i128 *a, kata_i128 v, int mo)                    \
    {                                                                                              \
        return rmw16(a, v, mo, CODE);                                                              \
    }
KATA_RMW16(exchange, OP_XCHG)
KATA_RMW16(fetch_add, OP_ADD)
KATA_RMW16(fetch_sub, OP_SUB)
KATA_RMW16(fetch_and, OP_AND)
KATA_RMW16(fetch_or, OP_OR)
KATA_RMW16(fetch_xor, OP_XOR)
KATA_RMW16(fetch_nand, OP_NAND)

int __tsan_atomic128_compare_exchange_strong(volatile kata_i128 *a, kata_i128 *expected,
                                             kata_i128 v, int mo, int fail_mo);
int __tsan_atomic128_compare_exchange_strong(volatile kata_i128 *a, kata_i128 *expected,
                                             kata_i128 v, int mo, int fail_mo)
{
    before(a, mo);
    kata_i128 seen = cas16(a, *expected, v);
    int ok = seen == *expected;
    *expected = seen;
    after(a, ok ? mo : fail_mo);
    return ok;
}

int __tsan_atomic128_compare_exchange_weak(volatile kata_i128 *a, kata_i128 *expected, kata_i128 v,
                                           int mo, int fail_mo);
int __tsan_atomic128_compare_exchange_weak(volatile kata_i128 *a, kata_i128 *expected, kata_i128 v,
                                           int mo, int fail_mo)
{
    return __tsan_atomic128_compare_exchange_strong(a, expected, v, mo, fail_mo);
}

kata_i128 __tsan_atomic128_compare_exchange_val(volatile kata_i128 *a, kata_i128 expected,
                                                kata_i128 v, int mo, int fail_mo);
kata_i128 __tsan_atomic128_compare_exchange_val(volatile kata_i128 *a, kata_i128 expected,
                                                kata_i128 v, int mo, int fail_mo)
{
    __tsan_atomic128_compare_exchange_strong(a, &expected, v, mo, fail_mo);
    return expected;
}
#endif

void __tsan_atomic_thread_fence(int mo);
void __tsan_atomic_thread_fence(int mo)
{
    fence(mo);
}

/* A signal fence orders a thread with its own signal handler: nothing between threads. */
void __tsan_atomic_signal_fence(int mo);
void __tsan_atomic_signal_fence(int mo)
{
    (void)mo;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* The rest of the instrumentation: start-up, function entry and exit, plain accesses. Valgrind
 * sees the plain accesses themselves, so the hooks do nothing. */
#define KATA_NOOP0(NAME)                                                                           \
    void NAME(void);                                                                               \
    void NAME(void)                                                                                \
    {                                                                                              \
    }
#define KATA_NOOP1(NAME, T1)                                                                       \
    void NAME(T1 a);                                                                               \
    void NAME(T1 a)                                                                                \
    {                                                                                              \
        (void)a;                                                                                   \
    }
#define KATA_NOOP2(NAME, T1, T2)                                                                   \
    void NAME(T1 a, T2 b);                                                                         \
    void NAME(T1 a, T2 b)                                                                          \
    {                                                                                              \
        (void)a;                                                                                   \
        (void)b;                                                                                   \
    }
#define KATA_NOOP3(NAME, T1, T2, T3)                                                               \
    void NAME(T1 a, T2 b, T3 c);                                                                   \
    void NAME(T1 a, T2 b, T3 c)                                                                    \
    {                                                                                              \
        (void)a;                                                                                   \
        (void)b;                                                                                   \
        (void)c;                                                                                   \
    }
#define KATA_PLAIN(N)                                                                              \
    KATA_NOOP1(__tsan_read##N, void *)                                                             \
    KATA_NOOP1(__tsan_write##N, void *)                                                            \
    KATA_NOOP1(__tsan_unaligned_read##N, void *)                                                   \
    KATA_NOOP1(__tsan_unaligned_write##N, void *)                                                  \
    KATA_NOOP1(__tsan_volatile_read##N, void *)                                                    \
    KATA_NOOP1(__tsan_volatile_write##N, void *)                                                   \
    KATA_NOOP2(__tsan_read##N##_pc, void *, void *)                                                \
    KATA_NOOP2(__tsan_write##N##_pc, void *, void *)

KATA_NOOP0(__tsan_init)
KATA_NOOP1(__tsan_func_entry, void *)
KATA_NOOP0(__tsan_func_exit)
KATA_NOOP2(__tsan_read_range, void *, unsigned long)
KATA_NOOP2(__tsan_write_range, void *, unsigned long)
KATA_NOOP3(__tsan_read_range_pc, void *, unsigned long, void *)
KATA_NOOP3(__tsan_write_range_pc, void *, unsigned long, void *)
KATA_NOOP1(__tsan_vptr_read, void **)
KATA_NOOP2(__tsan_vptr_update, void **, void *)
KATA_PLAIN(1)
KATA_PLAIN(2)
KATA_PLAIN(4)
KATA_PLAIN(8)
KATA_PLAIN(16)
