/* valgrind_atomics.h: C11 atomics that Helgrind and DRD understand.
 *
 * The one place where the Valgrind detectors are taught about correct lock-free code.
 * Helgrind and DRD know pthread's locks, condition variables and joins, but not the
 * memory orders of <stdatomic.h>: a release store that publishes data and the acquire
 * load that sees it are, to them, two plain accesses, so correct code such as
 *
 *     data = 42;                                     (thread 1)
 *     atomic_store_explicit(&ready, 1, memory_order_release);
 *     while (!atomic_load_explicit(&ready, memory_order_acquire)) ;   (thread 2)
 *     use(data);
 *
 * is reported as a race on data (and on ready). TSan models the orders and needs no help.
 *
 * The harness compiles the Valgrind build of the driver and the learner's file with
 * `-include valgrind_atomics.h` (stages/stage.c, DRIVER_PLAIN). After <stdatomic.h> it redefines
 * the _explicit loads, stores, exchanges, read-modify-writes and compare-exchanges (the
 * short forms expand to them) so that each one also tells the tools what it means:
 *   - the atomic object itself is not checked: atomic accesses never race with each other;
 *   - a store or read-modify-write with release, acq_rel or seq_cst order is a
 *     happens-before mark on the atomic's address (ANNOTATE_HAPPENS_BEFORE);
 *   - a load or read-modify-write with acquire, consume, acq_rel or seq_cst order is a
 *     happens-after mark on it (ANNOTATE_HAPPENS_AFTER).
 * A relaxed access marks nothing, since it orders nothing: data published through a
 * relaxed flag is still reported, and so is any plain access that no atomic orders. DRD
 * reads Helgrind's happens-before marks (its drd.h uses them when helgrind.h came first),
 * so one set serves both. tests/harness/test_valgrind_atomics.c holds the tools to both halves: a
 * correct release/acquire publication is clean, the relaxed and the unpublished variants
 * are still reported. */
#ifndef KATA_VALGRIND_ATOMICS_H
#define KATA_VALGRIND_ATOMICS_H

#include <stddef.h>
#include <stdatomic.h>
#include <valgrind/helgrind.h>

/* Accesses to an atomic object never race with each other (C11 5.1.2.4), so the object
 * itself is left unchecked. The two tools take different requests for that: Helgrind's
 * here, DRD's after drd.h below. Each is a no-op under the other tool and outside Valgrind. */
static inline void kata_vg_hg_atomic(const volatile void *p, size_t size)
{
    VALGRIND_HG_DISABLE_CHECKING(p, size);
}

#include <valgrind/drd.h>

static inline void kata_vg_drd_atomic(const volatile void *p, size_t size)
{
    ANNOTATE_BENIGN_RACE_SIZED(p, size, "a C11 atomic object");
}

static inline void kata_vg_unchecked(const volatile void *p, size_t size)
{
    kata_vg_hg_atomic(p, size);
    kata_vg_drd_atomic(p, size);
}

static inline void kata_vg_before(const volatile void *p, int order)
{
    if (order == memory_order_release || order == memory_order_acq_rel ||
        order == memory_order_seq_cst)
        ANNOTATE_HAPPENS_BEFORE(p);
}

static inline void kata_vg_after(const volatile void *p, int order)
{
    if (order == memory_order_acquire || order == memory_order_consume ||
        order == memory_order_acq_rel || order == memory_order_seq_cst)
        ANNOTATE_HAPPENS_AFTER(p);
}

/* Each form keeps <stdatomic.h>'s meaning: GCC's __atomic builtins on the same pointer. */
#undef atomic_store_explicit
#define atomic_store_explicit(PTR, VAL, MO)                                                        \
    __extension__({                                                                                \
        __auto_type kata_p_ = (PTR);                                                               \
        __typeof__((void)0, *kata_p_) kata_v_ = (VAL);                                             \
        kata_vg_unchecked(kata_p_, sizeof *kata_p_);                                               \
        kata_vg_before(kata_p_, (MO));                                                             \
        __atomic_store(kata_p_, &kata_v_, (MO));                                                   \
    })

#undef atomic_load_explicit
#define atomic_load_explicit(PTR, MO)                                                              \
    __extension__({                                                                                \
        __auto_type kata_p_ = (PTR);                                                               \
        __typeof__((void)0, *kata_p_) kata_v_;                                                     \
        kata_vg_unchecked(kata_p_, sizeof *kata_p_);                                               \
        __atomic_load(kata_p_, &kata_v_, (MO));                                                    \
        kata_vg_after(kata_p_, (MO));                                                              \
        kata_v_;                                                                                   \
    })

#undef atomic_exchange_explicit
#define atomic_exchange_explicit(PTR, VAL, MO)                                                     \
    __extension__({                                                                                \
        __auto_type kata_p_ = (PTR);                                                               \
        __typeof__((void)0, *kata_p_) kata_v_ = (VAL), kata_r_;                                    \
        kata_vg_unchecked(kata_p_, sizeof *kata_p_);                                               \
        kata_vg_before(kata_p_, (MO));                                                             \
        __atomic_exchange(kata_p_, &kata_v_, &kata_r_, (MO));                                      \
        kata_vg_after(kata_p_, (MO));                                                              \
        kata_r_;                                                                                   \
    })

#undef atomic_compare_exchange_strong_explicit
#define atomic_compare_exchange_strong_explicit(PTR, EXP, VAL, SUC, FAIL)                          \
    __extension__({                                                                                \
        __auto_type kata_p_ = (PTR);                                                               \
        __typeof__((void)0, *kata_p_) kata_v_ = (VAL);                                             \
        kata_vg_unchecked(kata_p_, sizeof *kata_p_);                                               \
        kata_vg_before(kata_p_, (SUC));                                                            \
        _Bool kata_ok_ = __atomic_compare_exchange(kata_p_, (EXP), &kata_v_, 0, (SUC), (FAIL));    \
        kata_vg_after(kata_p_, kata_ok_ ? (SUC) : (FAIL));                                         \
        kata_ok_;                                                                                  \
    })

#undef atomic_compare_exchange_weak_explicit
#define atomic_compare_exchange_weak_explicit(PTR, EXP, VAL, SUC, FAIL)                            \
    __extension__({                                                                                \
        __auto_type kata_p_ = (PTR);                                                               \
        __typeof__((void)0, *kata_p_) kata_v_ = (VAL);                                             \
        kata_vg_unchecked(kata_p_, sizeof *kata_p_);                                               \
        kata_vg_before(kata_p_, (SUC));                                                            \
        _Bool kata_ok_ = __atomic_compare_exchange(kata_p_, (EXP), &kata_v_, 1, (SUC), (FAIL));    \
        kata_vg_after(kata_p_, kata_ok_ ? (SUC) : (FAIL));                                         \
        kata_ok_;                                                                                  \
    })

/* fetch_add, fetch_sub, fetch_or, fetch_xor, fetch_and */
#define KATA_VG_FETCH(OP, PTR, VAL, MO)                                                            \
    __extension__({                                                                                \
        __auto_type kata_p_ = (PTR);                                                               \
        kata_vg_unchecked(kata_p_, sizeof *kata_p_);                                               \
        kata_vg_before(kata_p_, (MO));                                                             \
        __auto_type kata_r_ = OP(kata_p_, (VAL), (MO));                                            \
        kata_vg_after(kata_p_, (MO));                                                              \
        kata_r_;                                                                                   \
    })
#undef atomic_fetch_add_explicit
#define atomic_fetch_add_explicit(PTR, VAL, MO) KATA_VG_FETCH(__atomic_fetch_add, PTR, VAL, MO)
#undef atomic_fetch_sub_explicit
#define atomic_fetch_sub_explicit(PTR, VAL, MO) KATA_VG_FETCH(__atomic_fetch_sub, PTR, VAL, MO)
#undef atomic_fetch_or_explicit
#define atomic_fetch_or_explicit(PTR, VAL, MO) KATA_VG_FETCH(__atomic_fetch_or, PTR, VAL, MO)
#undef atomic_fetch_xor_explicit
#define atomic_fetch_xor_explicit(PTR, VAL, MO) KATA_VG_FETCH(__atomic_fetch_xor, PTR, VAL, MO)
#undef atomic_fetch_and_explicit
#define atomic_fetch_and_explicit(PTR, VAL, MO) KATA_VG_FETCH(__atomic_fetch_and, PTR, VAL, MO)

#endif
