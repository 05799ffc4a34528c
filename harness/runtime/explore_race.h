/* explore_race.h: data races for the explore runtime (explore.c), by happens-before.
 *
 * Each thread has a vector clock, and so has each sync object (a mutex, a condition
 * variable, a semaphore, a barrier, a once, an atomic's address): a release joins the
 * thread's clock into the object's, an acquire joins the object's into the thread's. Every
 * plain access is checked against the last accesses to its bytes (four kept per 8): two
 * accesses by different threads, one a write, neither ordered before the other, are a data
 * race, whatever the interleaving made of them.
 *
 * It is built never to report a race that is not there: where it cannot tell (a table
 * full, a record replaced), it forgets, and forgetting only misses. Its order is wider than
 * C11's where that is simpler (a signal orders the signaller before the woken waiter; a
 * relaxed store does not end a release sequence; every release joins, never replaces),
 * which also can only miss. Atomic accesses are not checked against plain ones.
 *
 * One thread runs at a time (explore.c's turns), so nothing here locks. */
#ifndef KATA_EXPLORE_RACE_H
#define KATA_EXPLORE_RACE_H

#include <stddef.h>

#define RACE_MAXT 32 /* threads: explore.c's MAXT */

/* the earlier of the two accesses of a race */
struct race_prior {
    int tid, write;
    void *pc;
    int ev; /* its step in the caller's log, or -1 */
};

/* A new schedule (in the child): thread 0 alone, nothing seen. */
void race_reset(void);
/* `child` is started by `parent`: everything the parent did so far is before it. */
void race_create(int parent, int child);
/* `tid`'s stack is [lo, lo + n) from now: what earlier threads did there is forgotten (a
 * joined thread's stack is given to a new one). */
void race_stack(int tid, const void *lo, size_t n);
/* `joiner` returned from joining `joined`: all `joined` did is before what follows. */
void race_join(int joiner, int joined);
/* Sync on an object: acquire (lock, woken, semaphore taken, ...), release (unlock, post,
 * signal, ...). */
void race_acquire(int tid, const void *obj);
void race_release(int tid, const void *obj);
/* An atomic operation on `a` with C11 order `mo` (0 relaxed .. 5 seq_cst, as gcc passes it
 * to __tsan_atomic*): `load` and `store` say what it does. */
void race_atomic(int tid, const volatile void *a, int mo, int fail_mo, int load, int store);
/* atomic_thread_fence(mo) */
void race_fence(int tid, int mo);
/* [p, p + n) was freed: its records are forgotten (malloc may give it to another thread). */
void race_free(const void *p, size_t n);
/* A plain access by `tid` (`ev`: its step in the caller's log, or -1): 1 when it races with
 * an earlier access (told in *prior), else 0. It is recorded either way. */
int race_access(int tid, const volatile void *a, size_t size, int write, void *pc, int ev,
                struct race_prior *prior);

#endif
