/* explore.c: the explore build's stand-in for TSan's runtime: the learner's threads run one
 * at a time, and at each access to shared memory and each sync operation a scheduler (PCT or
 * a random walk, from a seed) picks which thread goes next.
 *
 * The learner's object is compiled with `gcc -fsanitize=thread` (stages/source.c), so every
 * load, store and atomic operation calls one of the __tsan_* functions below; the pthread
 * calls are redirected here by the linker (`-Wl,--wrap=pthread_mutex_lock`, ...:
 * stages/stage.c), so locks, condition variables, semaphores, barriers, joins and sleeps are
 * modelled here and never block for real. A thread waits for its turn on a futex; only the
 * thread whose turn it is runs learner code.
 *
 * A schedule is told as its deviations from a default (keep running the current thread,
 * else the lowest-numbered runnable one): "decision.thread,..." where a decision is a point
 * with more than one runnable thread, after "sN," when the schedule wakes condition
 * variable waits N to N+2 with no signal (spurious wake-ups, which POSIX allows). That
 * string replays exactly (KATA_SCHEDULE), and is shrunk by dropping deviations while the
 * run still fails the same way.
 *
 * The parent (explore_main) never runs learner code: each schedule runs in a forked child
 * that sends the body's result and what it saw over a pipe, and the parent judges. The
 * parent makes itself non-dumpable, so a child cannot reach its descriptors through /proc.
 * Every line on that pipe starts with a key of 16 random bytes the parent draws before each
 * fork: the parent reads no line without it, and a schedule whose pipe carried one fails
 * (tests/hostile/forge_schedule.c wrote "R <the right total>" and "Q" and exited). The key
 * is in the child's memory, which the learner's code shares, but never in a file, an
 * argument or the environment. */
#define _GNU_SOURCE
#include "explore.h"
#include "explore_race.h"
#include "report_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- threads and turns ---- */

#define MAXT 32
enum tstate { T_FREE, T_RUN, T_BLOCKED, T_DONE };
enum wait_kind { W_NONE, W_MUTEX, W_COND, W_JOIN, W_SEM, W_BARRIER, W_ONCE };
static const char *const wait_names[] = {"none",      "mutex",   "cond", "join",
                                         "semaphore", "barrier", "once"};

struct thr {
    int state;
    int wait; /* enum wait_kind while T_BLOCKED */
    const void *obj;
    void *pc;          /* where it blocked */
    unsigned long seq; /* when it began to wait on a condition (FIFO wakeups) */
    int timed, timed_out;
    pthread_t real;
    void *ret;
    long prio;                 /* PCT */
    void *last_pc;             /* the last learner code it was seen in (a point, an access) */
    const volatile void *pend; /* a write whose value is read at the thread's next call */
    int pend_size, pend_ev;
};

static struct thr thr[MAXT];
static int nthr;
static volatile int current; /* whose turn it is */
static _Thread_local int me = -1;
static int exploring; /* set in the child once the scheduler owns the threads */
static unsigned long wait_seq;

static void futex_wait(volatile int *a, int v)
{
    syscall(SYS_futex, a, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}
static void futex_wake(volatile int *a)
{
    syscall(SYS_futex, a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}
static void wait_turn(int self)
{
    for (;;) {
        int c = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
        if (c == self)
            return;
        futex_wait(&current, c);
    }
}
static void give_turn(int next)
{
    __atomic_store_n(&current, next, __ATOMIC_RELEASE);
    futex_wake(&current);
}

/* ---- the child's channel to the parent ---- */

static int out_fd = -1;
static char line_key[33];   /* this schedule's key, as hex: every line starts with it */
static int key_checked = 1; /* KATA_EXPLORE_KEY=0: the defences' proof only */

/* Writes one line (fmt ends in a newline), after the key. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    static char buf[64 * 1024]; /* one thread runs at a time */
    int k = snprintf(buf, sizeof buf, "%s ", line_key);
    va_list ap;
    va_start(ap, fmt);
    int n = k + vsnprintf(buf + k, sizeof buf - (size_t)k, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = sizeof buf - 1;
    for (int off = 0; off < n;) {
        ssize_t w = write(out_fd, buf + off, (size_t)(n - off));
        if (w <= 0)
            return;
        off += (int)w;
    }
}

/* ---- the schedule ---- */

enum strategy { S_REPLAY, S_RANDOM, S_PCT };
#define MAXDEV 4096
struct dev {
    long at; /* SPUR_AT: not a decision, the first wait woken with no signal (in thread) */
    int thread;
};
#define SPUR_AT (-1)
#define SPURIOUS 3     /* waits woken with no signal, from the first */
static long spur_from; /* the first such wait (1: the run's first), or 0: none */
static long nwaits;    /* condition variable waits so far */
static int strategy;
static uint64_t rng;
static long decisions;
static struct dev devs[MAXDEV]; /* replay: the schedule to follow */
static int ndevs;
static struct dev taken[MAXDEV]; /* what this run did, as deviations */
static int ntaken;
#define PCT_DEPTH 3
static long pct_change[PCT_DEPTH];
#define SPIN 128
static int run_len;   /* points in a row the running thread kept the turn */
static long nspins;   /* how many times a spinner was made to yield */
static long low_prio; /* the lowest priority given so far (spinners go below it) */

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- events: what the story is told from ---- */

enum ev_kind {
    EV_READ,
    EV_WRITE,
    EV_ATOMIC_READ,
    EV_ATOMIC_WRITE,
    EV_ATOMIC_RMW,
    EV_LOCK,
    EV_LOCK_BUSY,
    EV_UNLOCK,
    EV_TRYLOCK_FAIL,
    EV_WAIT,
    EV_WOKEN,
    EV_SIGNAL,
    EV_BROADCAST,
    EV_SEM_WAIT,
    EV_SEM_POST,
    EV_BARRIER,
    EV_CREATE,
    EV_JOIN,
    EV_EXIT,
    EV_YIELD,
    EV_SPURIOUS,
};
static const char *const ev_names[] = {
    "read",      "write",    "atomic-read",  "atomic-write", "atomic-rmw", "lock",
    "lock-busy", "unlock",   "trylock-busy", "wait",         "woken",      "signal",
    "broadcast", "sem-wait", "sem-post",     "barrier",      "create",     "join",
    "exit",      "yield",    "spurious"};
struct ev {
    int tid, kind, size;
    void *pc;
    const volatile void *addr;
    long value;
    long decision; /* decisions made before it: a step right after a deviation is where the
                      schedule differs from the default */
};
#define MAXEV 8192
static struct ev *evs;
static int nev, ev_dropped;

static long load_value(const volatile void *a, int size)
{
    switch (size) {
    case 1: return *(const volatile unsigned char *)a;
    case 2: return *(const volatile unsigned short *)a;
    case 4: return *(const volatile int *)a;
    case 8: return *(const volatile long *)a;
    default: return 0;
    }
}

static int log_ev(int kind, void *pc, const volatile void *addr, int size, long value)
{
    if (!evs || nev >= MAXEV) {
        ev_dropped++;
        return -1;
    }
    evs[nev] = (struct ev){me, kind, size, pc, addr, value, decisions};
    return nev++;
}

/* the value of this thread's last plain write, now that it has happened */
static void fill_pending(void)
{
    struct thr *t = &thr[me];
    if (t->pend) {
        if (t->pend_ev >= 0)
            evs[t->pend_ev].value = load_value(t->pend, t->pend_size);
        t->pend = NULL;
    }
}

/* ---- deadlock: every thread blocked ---- */

struct syncobj {
    const void *addr;
    int kind; /* enum wait_kind */
    int owner;
    void *lock_pc;
    long count, needed, arrived, generation;
    long depth; /* a recursive mutex: locks by its owner beyond the first */
};
#define MAXSYNC 512
static struct syncobj syncs[MAXSYNC];
static int nsync;

static struct syncobj *sync_of(const void *a, int kind)
{
    for (int i = 0; i < nsync; i++)
        if (syncs[i].addr == a)
            return &syncs[i];
    if (nsync == MAXSYNC) {
        say("X more than %d locks, condition variables and semaphores\n", MAXSYNC);
        _exit(3);
    }
    syncs[nsync] = (struct syncobj){a, kind, -1, NULL, 0, 0, 0, 0, 0};
    return &syncs[nsync++];
}

static void report_schedule(void);
pid_t __real_fork(void);

/* A process forked inside a schedule would carry the scheduler's state into a second
 * process that nobody schedules: explore runs threads, and says so at once. */
pid_t __wrap_fork(void);
pid_t __wrap_fork(void)
{
    say("W %d %p\n", current, __builtin_return_address(0));
    say("X the program forks a process (explore runs the threads of one process)\n");
    _exit(3);
}

static void finish_child(int code) __attribute__((noreturn));

static void deadlock(void) __attribute__((noreturn));
static void deadlock(void)
{
    say("F deadlock\n");
    for (int i = 0; i < nthr; i++) {
        struct thr *t = &thr[i];
        if (t->state != T_BLOCKED)
            continue;
        int holder = -1;
        void *hpc = NULL;
        if (t->wait == W_MUTEX) {
            struct syncobj *s = sync_of(t->obj, W_MUTEX);
            holder = s->owner;
            hpc = s->lock_pc;
        } else if (t->wait == W_JOIN) {
            holder = (int)(intptr_t)t->obj;
        }
        say("D %d %s %p %p %d %p\n", i, wait_names[t->wait], t->wait == W_JOIN ? NULL : t->obj,
            t->pc, holder, hpc);
    }
    for (int i = 0; i < nsync; i++)
        if (syncs[i].kind == W_MUTEX && syncs[i].owner >= 0)
            say("H %d %p %p\n", syncs[i].owner, syncs[i].addr, syncs[i].lock_pc);
    finish_child(0);
}

/* Picks the next thread when `me` (runnable, blocked or done) is at a point; ends the child
 * when every thread is blocked. */
static int pick(void)
{
    int run[MAXT], n = 0;
    for (;;) {
        n = 0;
        for (int i = 0; i < nthr; i++)
            if (thr[i].state == T_RUN)
                run[n++] = i;
        if (n)
            break;
        /* nobody can run: a timed wait times out (the oldest), else it is a deadlock */
        int oldest = -1;
        for (int i = 0; i < nthr; i++)
            if (thr[i].state == T_BLOCKED && thr[i].timed &&
                (oldest < 0 || thr[i].seq < thr[oldest].seq))
                oldest = i;
        if (oldest < 0)
            deadlock(); /* does not return */
        thr[oldest].timed_out = 1;
        thr[oldest].state = T_RUN;
    }
    int dflt = thr[me].state == T_RUN ? me : run[0];
    /* A thread that keeps the turn for SPIN points in a row while others could run is
     * spinning (a spinlock, a flag loop): it yields, to the next runnable thread after it,
     * and under PCT it drops below every priority, or it would spin for ever. */
    if (dflt == me && n > 1 && ++run_len >= SPIN + (nspins * 5) % 11) {
        /* the threshold varies, or a loop whose length divides it would always yield at
         * the same place in its body (holding a lock the others then spin on) */
        run_len = 0;
        nspins++;
        dflt = run[0];
        for (int i = 0; i < n; i++)
            if (run[i] > me) {
                dflt = run[i];
                break;
            }
        if (strategy == S_PCT)
            thr[me].prio = --low_prio;
    }
    int next = dflt;
    if (n > 1) {
        long k = decisions++;
        if (strategy == S_REPLAY) {
            for (int i = 0; i < ndevs; i++)
                if (devs[i].at == k && devs[i].thread < nthr && thr[devs[i].thread].state == T_RUN)
                    next = devs[i].thread;
        } else if (strategy == S_RANDOM) {
            next = run[next_rand() % (uint64_t)n];
        } else {
            for (int c = 0; c < PCT_DEPTH - 1; c++)
                if (pct_change[c] == k && thr[me].state == T_RUN)
                    thr[me].prio = c; /* below every first priority */
            next = run[0];
            for (int i = 1; i < n; i++)
                if (thr[run[i]].prio > thr[next].prio)
                    next = run[i];
        }
        if (next != dflt && ntaken < MAXDEV)
            taken[ntaken++] = (struct dev){k, next};
    }
    if (next != me)
        run_len = 0;
    return next;
}

/* A point of `me`: hands the turn to the thread picked, returns when it is `me`'s again. */
static void schedule(void)
{
    int next = pick();
    if (next != me) {
        int self = me;
        give_turn(next);
        wait_turn(self);
    }
}

/* Blocks `me` on an object until another thread makes it runnable again. */
static void block_on(int kind, const void *obj, void *pc, int timed)
{
    struct thr *t = &thr[me];
    t->state = T_BLOCKED;
    t->wait = kind;
    t->obj = obj;
    t->pc = pc;
    t->timed = timed;
    t->timed_out = 0;
    t->seq = ++wait_seq;
    schedule();
    t->wait = W_NONE;
}

static void wake_all(int kind, const void *obj)
{
    for (int i = 0; i < nthr; i++)
        if (thr[i].state == T_BLOCKED && thr[i].wait == kind && thr[i].obj == obj)
            thr[i].state = T_RUN;
}

/* A schedule point of the running thread, logged after the choice (when it happens). */
static int point(int kind, void *pc, const volatile void *addr, int size, long value)
{
    if (!exploring || me < 0)
        return -1;
    fill_pending();
    thr[me].last_pc = pc;
    schedule();
    return log_ev(kind, pc, addr, size, value);
}

/* A release (an unlock, a post): told where it happens, and then a point, so that the
 * threads it let go can run before the releasing thread goes on with work the runtime does
 * not see (a memcpy into a block it took under the lock, say). */
static void released(int kind, void *pc, const volatile void *obj)
{
    if (!exploring || me < 0)
        return;
    fill_pending();
    thr[me].last_pc = pc;
    log_ev(kind, pc, obj, 0, 0);
}

/* ---- data races (explore_race.c): the first of a schedule is told, and the schedule goes on
 * (a wrong result it leads to is the better story) ---- */

static int raced;

static void race_check(const volatile void *a, size_t size, int write, void *pc, int ev)
{
    struct race_prior p;
    if (race_access(me, a, size, write, pc, ev, &p) && !raced) {
        raced = 1;
        say("A %d %d %s %p %d %s %p %p %zu %d\n", ev, p.tid, p.write ? "write" : "read", p.pc, me,
            write ? "write" : "read", pc, (void *)a, size, p.ev);
    }
}

/* an atomic operation, for the order it makes (after its point: when it happens) */
static void atomic_sync(const volatile void *a, int mo, int fail_mo, int load, int store)
{
    if (exploring && me >= 0)
        race_atomic(me, a, mo, fail_mo, load, store);
}

static void acquire(const void *obj)
{
    if (exploring && me >= 0)
        race_acquire(me, obj);
}

static void release(const void *obj)
{
    if (exploring && me >= 0)
        race_release(me, obj);
}

/* ---- which memory is shared: owner of each 8-byte granule ---- */

#define GBITS 18
#define GSIZE (1u << GBITS)
struct granule {
    uintptr_t key; /* granule number + 1 */
    int owner;     /* first thread + 1 */
    int shared;
};
static struct granule *gran;
static int gran_full;

static struct granule *granule_of(uintptr_t g)
{
    uintptr_t key = g + 1;
    size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - GBITS));
    for (size_t i = 0; i < 64; i++) {
        struct granule *e = &gran[(h + i) & (GSIZE - 1)];
        if (e->key == key)
            return e;
        if (!e->key) {
            e->key = key;
            return e;
        }
    }
    gran_full = 1;
    return NULL;
}

static void access_mem(const volatile void *a, int size, int write, void *pc)
{
    if (!exploring || me < 0)
        return;
    thr[me].last_pc = pc;
    fill_pending();
    struct granule *g = gran ? granule_of((uintptr_t)a >> 3) : NULL;
    if (g) {
        if (!g->owner)
            g->owner = me + 1;
        else if (g->owner != me + 1 && !g->shared) {
            g->shared = 1;
            say("S %lx\n", (unsigned long)((uintptr_t)a >> 3));
        }
        if (!g->shared) { /* one thread's so far: no point, but its record is kept */
            race_check(a, (size_t)size, write, pc, -1);
            return;
        }
    }
    schedule();
    int e;
    if (write) {
        e = log_ev(EV_WRITE, pc, a, size, 0);
        thr[me].pend = a;
        thr[me].pend_size = size;
        thr[me].pend_ev = e;
    } else {
        e = log_ev(EV_READ, pc, a, size, load_value(a, size));
    }
    race_check(a, (size_t)size, write, pc, e);
}

/* ---- the __tsan_* entry points gcc's -fsanitize=thread calls ---- */

#define RA __builtin_return_address(0)
#define ACCESS(n)                                                                                  \
    void __tsan_read##n(void *a);                                                                  \
    void __tsan_read##n(void *a)                                                                   \
    {                                                                                              \
        access_mem(a, n, 0, RA);                                                                   \
    }                                                                                              \
    void __tsan_write##n(void *a);                                                                 \
    void __tsan_write##n(void *a)                                                                  \
    {                                                                                              \
        access_mem(a, n, 1, RA);                                                                   \
    }                                                                                              \
    void __tsan_unaligned_read##n(void *a);                                                        \
    void __tsan_unaligned_read##n(void *a)                                                         \
    {                                                                                              \
        access_mem(a, n, 0, RA);                                                                   \
    }                                                                                              \
    void __tsan_unaligned_write##n(void *a);                                                       \
    void __tsan_unaligned_write##n(void *a)                                                        \
    {                                                                                              \
        access_mem(a, n, 1, RA);                                                                   \
    }                                                                                              \
    void __tsan_volatile_read##n(void *a);                                                         \
    void __tsan_volatile_read##n(void *a)                                                          \
    {                                                                                              \
        access_mem(a, n, 0, RA);                                                                   \
    }                                                                                              \
    void __tsan_volatile_write##n(void *a);                                                        \
    void __tsan_volatile_write##n(void *a)                                                         \
    {                                                                                              \
        access_mem(a, n, 1, RA);                                                                   \
    }                                                                                              \
    void __tsan_unaligned_volatile_read##n(void *a);                                               \
    void __tsan_unaligned_volatile_read##n(void *a)                                                \
    {                                                                                              \
        access_mem(a, n, 0, RA);                                                                   \
    }                                                                                              \
    void __tsan_unaligned_volatile_write##n(void *a);                                              \
    void __tsan_unaligned_volatile_write##n(void *a)                                               \
    {                                                                                              \
        access_mem(a, n, 1, RA);                                                                   \
    }
ACCESS(1)
ACCESS(2)
ACCESS(4)
ACCESS(8)
ACCESS(16)

void __tsan_read_range(void *a, unsigned long size);
void __tsan_read_range(void *a, unsigned long size)
{
    access_mem(a, size > 8 ? 8 : (int)size, 0, RA);
}
void __tsan_write_range(void *a, unsigned long size);
void __tsan_write_range(void *a, unsigned long size)
{
    access_mem(a, size > 8 ? 8 : (int)size, 1, RA);
}
void __tsan_init(void);
void __tsan_init(void)
{
}
void __tsan_func_entry(void *pc);
void __tsan_func_entry(void *pc)
{
    (void)pc;
}
void __tsan_func_exit(void);
void __tsan_func_exit(void)
{
}
void __tsan_vptr_update(void **vptr, void *v);
void __tsan_vptr_update(void **vptr, void *v)
{
    (void)v;
    access_mem(vptr, 8, 1, RA);
}
void __tsan_vptr_read(void **vptr);
void __tsan_vptr_read(void **vptr)
{
    access_mem(vptr, 8, 0, RA);
}

/* Atomics: always a point (they are there to be shared), done as sequentially consistent
 * operations (one thread runs at a time, so the values a weaker order may read are not
 * explored). Their orders still count for what they make ordered (explore_race.c): a
 * relaxed spinlock excludes, orders nothing, and the data it guards is told as a race. */
#define SEQ __ATOMIC_SEQ_CST
#define ATOMICS(bits, T)                                                                           \
    T __tsan_atomic##bits##_load(const volatile T *a, int mo);                                     \
    T __tsan_atomic##bits##_load(const volatile T *a, int mo)                                      \
    {                                                                                              \
        point(EV_ATOMIC_READ, RA, a, bits / 8, (long)*a);                                          \
        atomic_sync(a, mo, 0, 1, 0);                                                               \
        return __atomic_load_n(a, SEQ);                                                            \
    }                                                                                              \
    void __tsan_atomic##bits##_store(volatile T *a, T v, int mo);                                  \
    void __tsan_atomic##bits##_store(volatile T *a, T v, int mo)                                   \
    {                                                                                              \
        point(EV_ATOMIC_WRITE, RA, a, bits / 8, (long)v);                                          \
        atomic_sync(a, mo, 0, 0, 1);                                                               \
        __atomic_store_n(a, v, SEQ);                                                               \
    }                                                                                              \
    T __tsan_atomic##bits##_exchange(volatile T *a, T v, int mo);                                  \
    T __tsan_atomic##bits##_exchange(volatile T *a, T v, int mo)                                   \
    {                                                                                              \
        point(EV_ATOMIC_RMW, RA, a, bits / 8, (long)v);                                            \
        atomic_sync(a, mo, 0, 1, 1);                                                               \
        return __atomic_exchange_n(a, v, SEQ);                                                     \
    }                                                                                              \
    ATOMIC_RMW(bits, T, fetch_add)                                                                 \
    ATOMIC_RMW(bits, T, fetch_sub)                                                                 \
    ATOMIC_RMW(bits, T, fetch_and)                                                                 \
    ATOMIC_RMW(bits, T, fetch_or)                                                                  \
    ATOMIC_RMW(bits, T, fetch_xor)                                                                 \
    ATOMIC_RMW(bits, T, fetch_nand)                                                                \
    int __tsan_atomic##bits##_compare_exchange_strong(volatile T *a, T *e, T v, int mo, int fmo);  \
    int __tsan_atomic##bits##_compare_exchange_strong(volatile T *a, T *e, T v, int mo, int fmo)   \
    {                                                                                              \
        point(EV_ATOMIC_RMW, RA, a, bits / 8, (long)v);                                            \
        atomic_sync(a, mo, fmo, 1, 1);                                                             \
        return __atomic_compare_exchange_n(a, e, v, 0, SEQ, SEQ);                                  \
    }                                                                                              \
    int __tsan_atomic##bits##_compare_exchange_weak(volatile T *a, T *e, T v, int mo, int fmo);    \
    int __tsan_atomic##bits##_compare_exchange_weak(volatile T *a, T *e, T v, int mo, int fmo)     \
    {                                                                                              \
        point(EV_ATOMIC_RMW, RA, a, bits / 8, (long)v);                                            \
        atomic_sync(a, mo, fmo, 1, 1);                                                             \
        return __atomic_compare_exchange_n(a, e, v, 0, SEQ, SEQ);                                  \
    }                                                                                              \
    T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T e, T v, int mo, int fmo);        \
    T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T e, T v, int mo, int fmo)         \
    {                                                                                              \
        point(EV_ATOMIC_RMW, RA, a, bits / 8, (long)v);                                            \
        atomic_sync(a, mo, fmo, 1, 1);                                                             \
        __atomic_compare_exchange_n(a, &e, v, 0, SEQ, SEQ);                                        \
        return e;                                                                                  \
    }
#define ATOMIC_RMW(bits, T, op)                                                                    \
    T __tsan_atomic##bits##_##op(volatile T *a, T v, int mo);                                      \
    T __tsan_atomic##bits##_##op(volatile T *a, T v, int mo)                                       \
    {                                                                                              \
        point(EV_ATOMIC_RMW, RA, a, bits / 8, (long)v);                                            \
        atomic_sync(a, mo, 0, 1, 1);                                                               \
        return __atomic_##op(a, v, SEQ);                                                           \
    }
ATOMICS(8, unsigned char)
ATOMICS(16, unsigned short)
ATOMICS(32, unsigned int)
ATOMICS(64, unsigned long)
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 kata_u128;
ATOMICS(128, kata_u128)
#endif
void __tsan_atomic_thread_fence(int mo);
void __tsan_atomic_thread_fence(int mo)
{
    if (exploring && me >= 0)
        race_fence(me, mo);
    __atomic_thread_fence(SEQ);
}
void __tsan_atomic_signal_fence(int mo);
void __tsan_atomic_signal_fence(int mo)
{
    (void)mo;
}

/* ---- pthread, modelled (the linker sends the learner's calls here: --wrap) ---- */

int __real_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int __real_pthread_join(pthread_t, void **);
void __real_pthread_exit(void *) __attribute__((noreturn));

struct start {
    int slot;
    void *(*fn)(void *);
    void *arg;
};

static void thread_end(void *ret)
{
    fill_pending();
    log_ev(EV_EXIT, NULL, NULL, 0, 0);
    thr[me].state = T_DONE;
    thr[me].ret = ret;
    wake_all(W_JOIN, (const void *)(intptr_t)me);
    give_turn(pick()); /* and never waits for a turn again */
}

static void *trampoline(void *p)
{
    struct start s = *(struct start *)p;
    me = s.slot;
    wait_turn(me);
    free(p); /* in its turn: the race records are one thread's at a time */
    pthread_attr_t attr;
    void *lo;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &lo, &size) == 0)
            race_stack(me, lo, size);
        pthread_attr_destroy(&attr);
    }
    void *ret = s.fn(s.arg);
    thread_end(ret);
    return ret;
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    if (!exploring)
        return __real_pthread_create(t, attr, fn, arg);
    void *pc = RA;
    point(EV_CREATE, pc, NULL, 0, nthr);
    if (nthr == MAXT)
        return EAGAIN;
    struct start *s = malloc(sizeof *s);
    if (!s)
        return EAGAIN;
    int slot = nthr;
    *s = (struct start){slot, fn, arg};
    thr[slot] = (struct thr){.state = T_RUN, .prio = 100 + (long)(next_rand() % 1000)};
    race_create(me, slot);
    int rc = __real_pthread_create(&thr[slot].real, attr, trampoline, s);
    if (rc) {
        free(s);
        thr[slot].state = T_FREE;
        return rc;
    }
    nthr++;
    *t = thr[slot].real;
    point(EV_YIELD, pc, NULL, 0, 0);
    return 0;
}

static int slot_of(pthread_t t)
{
    for (int i = 0; i < nthr; i++)
        if (pthread_equal(thr[i].real, t))
            return i;
    return -1;
}

int __wrap_pthread_join(pthread_t t, void **ret);
int __wrap_pthread_join(pthread_t t, void **ret)
{
    if (!exploring)
        return __real_pthread_join(t, ret);
    int s = slot_of(t);
    if (s < 0 || s == me)
        return s < 0 ? ESRCH : EDEADLK;
    point(EV_JOIN, RA, NULL, 0, s);
    while (thr[s].state != T_DONE)
        block_on(W_JOIN, (const void *)(intptr_t)s, RA, 0);
    race_join(me, s);
    if (ret)
        *ret = thr[s].ret;
    __real_pthread_join(t, NULL);
    return 0;
}

void __wrap_pthread_exit(void *ret) __attribute__((noreturn));
void __wrap_pthread_exit(void *ret)
{
    if (exploring && me > 0)
        thread_end(ret);
    __real_pthread_exit(ret);
}

int __wrap_pthread_detach(pthread_t t);
int __wrap_pthread_detach(pthread_t t)
{
    (void)t;
    return 0; /* the runtime joins every thread it started, so none is lost */
}

static void mutex_take(pthread_mutex_t *m, void *pc)
{
    struct syncobj *s = sync_of(m, W_MUTEX);
    while (s->owner >= 0)
        block_on(W_MUTEX, m, pc, 0);
    s->owner = me;
    s->lock_pc = pc;
    acquire(m);
}

static void mutex_give(pthread_mutex_t *m)
{
    release(m);
    struct syncobj *s = sync_of(m, W_MUTEX);
    s->owner = -1;
    wake_all(W_MUTEX, m);
}

int __wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int __wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    int type = PTHREAD_MUTEX_DEFAULT;
    if (a && pthread_mutexattr_gettype(a, &type))
        type = PTHREAD_MUTEX_DEFAULT;
    if (exploring) {
        struct syncobj *s = sync_of(m, W_MUTEX);
        s->owner = -1;
        s->depth = 0;
    }
    memset(m, 0, sizeof *m);
    m->__data.__kind = type; /* where glibc keeps it, and a static initializer puts it */
    return 0;
}

/* The mutex's type (glibc keeps it in the mutex): recursive and error-checking mutexes
 * answer their owner's second lock; a default one waits for ever. */
static int mutex_type(const pthread_mutex_t *m)
{
    return m->__data.__kind & 3;
}

/* Its owner locks it again: 1 when that is answered (*rc), 0 when it waits for ever. */
static int relock(pthread_mutex_t *m, struct syncobj *s, int *rc)
{
    if (mutex_type(m) == PTHREAD_MUTEX_RECURSIVE) {
        s->depth++;
        *rc = 0;
        return 1;
    }
    if (mutex_type(m) == PTHREAD_MUTEX_ERRORCHECK) {
        *rc = EDEADLK;
        return 1;
    }
    return 0;
}
int __wrap_pthread_mutex_destroy(pthread_mutex_t *m);
int __wrap_pthread_mutex_destroy(pthread_mutex_t *m)
{
    if (exploring && sync_of(m, W_MUTEX)->owner >= 0)
        return EBUSY;
    return 0;
}
int __wrap_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
    if (!exploring)
        return 0;
    void *pc = RA;
    int e = point(EV_LOCK, pc, m, 0, 0);
    struct syncobj *s = sync_of(m, W_MUTEX);
    if (s->owner >= 0 && e >= 0) { /* told as a wait, and the lock when it is had */
        evs[e].kind = EV_LOCK_BUSY;
        evs[e].value = s->owner;
    }
    int rc;
    if (s->owner == me && relock(m, s, &rc))
        return rc;
    if (s->owner == me) {
        /* a default mutex locked again by its owner waits for ever */
        block_on(W_MUTEX, m, pc, 0);
    }
    int waited = s->owner >= 0;
    mutex_take(m, pc);
    if (waited)
        log_ev(EV_LOCK, pc, m, 0, 0);
    return 0;
}
/* A trylock of a mutex (a pthread_mutex_t, which may be recursive) or a spinlock. */
static int try_take(void *obj, int is_mutex, void *pc)
{
    pthread_mutex_t *m = obj;
    int e = point(EV_LOCK, pc, m, 0, 0);
    struct syncobj *s = sync_of(m, W_MUTEX);
    int rc;
    if (is_mutex && s->owner == me && mutex_type(m) == PTHREAD_MUTEX_RECURSIVE && relock(m, s, &rc))
        return rc;
    if (s->owner >= 0) {
        if (e >= 0)
            evs[e].kind = EV_TRYLOCK_FAIL;
        run_len += SPIN / 8; /* a trylock loop is a spin: it yields sooner */
        return EBUSY;
    }
    s->owner = me;
    s->lock_pc = pc;
    acquire(m);
    return 0;
}
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m);
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m)
{
    return exploring ? try_take(m, 1, RA) : 0;
}
int __wrap_pthread_mutex_unlock(pthread_mutex_t *m);
int __wrap_pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (!exploring)
        return 0;
    struct syncobj *s = sync_of(m, W_MUTEX);
    if (s->owner != me)
        return EPERM;
    if (s->depth > 0) { /* a recursive mutex still held */
        s->depth--;
        return 0;
    }
    released(EV_UNLOCK, RA, m);
    mutex_give(m);
    schedule();
    return 0;
}

int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *ts);
int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *ts)
{
    (void)ts;
    if (!exploring)
        return 0;
    void *pc = RA;
    point(EV_LOCK, pc, m, 0, 0);
    struct syncobj *s = sync_of(m, W_MUTEX);
    int rc;
    if (s->owner == me && relock(m, s, &rc))
        return rc;
    while (s->owner >= 0) {
        block_on(W_MUTEX, m, pc, 1);
        if (thr[me].timed_out)
            return ETIMEDOUT;
    }
    s->owner = me;
    s->lock_pc = pc;
    acquire(m);
    return 0;
}

/* Spinlocks are mutexes here: a thread that would spin waits instead (the one running
 * is the only one that could release it). */
int __wrap_pthread_spin_init(pthread_spinlock_t *l, int pshared);
int __wrap_pthread_spin_init(pthread_spinlock_t *l, int pshared)
{
    (void)pshared;
    if (exploring)
        sync_of((const void *)l, W_MUTEX)->owner = -1;
    return 0;
}
int __wrap_pthread_spin_destroy(pthread_spinlock_t *l);
int __wrap_pthread_spin_destroy(pthread_spinlock_t *l)
{
    (void)l;
    return 0;
}
int __wrap_pthread_spin_lock(pthread_spinlock_t *l);
int __wrap_pthread_spin_lock(pthread_spinlock_t *l)
{
    if (!exploring)
        return 0;
    void *pc = RA;
    point(EV_LOCK, pc, (const void *)l, 0, 0);
    mutex_take((pthread_mutex_t *)(void *)l, pc);
    return 0;
}
int __wrap_pthread_spin_trylock(pthread_spinlock_t *l);
int __wrap_pthread_spin_trylock(pthread_spinlock_t *l)
{
    return exploring ? try_take((void *)l, 0, RA) : 0;
}
int __wrap_pthread_spin_unlock(pthread_spinlock_t *l);
int __wrap_pthread_spin_unlock(pthread_spinlock_t *l)
{
    if (!exploring)
        return 0;
    released(EV_UNLOCK, RA, (const void *)l);
    mutex_give((pthread_mutex_t *)(void *)l);
    schedule();
    return 0;
}

/* Read-write locks: `count` readers in, or `owner` the writer. */
int __wrap_pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a);
int __wrap_pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
    (void)a;
    if (exploring) {
        struct syncobj *o = sync_of(l, W_MUTEX);
        o->owner = -1;
        o->count = 0;
    }
    return 0;
}
int __wrap_pthread_rwlock_destroy(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_destroy(pthread_rwlock_t *l)
{
    (void)l;
    return 0;
}
static int rw_take(pthread_rwlock_t *l, int write, int try, void *pc)
{
    point(EV_LOCK, pc, l, 0, 0);
    struct syncobj *o = sync_of(l, W_MUTEX);
    while (o->owner >= 0 || (write && o->count > 0)) {
        if (try)
            return EBUSY;
        if (o->owner == me)
            return EDEADLK;
        block_on(W_MUTEX, l, pc, 0);
    }
    if (write) {
        o->owner = me;
        o->lock_pc = pc;
    } else {
        o->count++;
    }
    acquire(l);
    return 0;
}
int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    return exploring ? rw_take(l, 0, 0, RA) : 0;
}
int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    return exploring ? rw_take(l, 1, 0, RA) : 0;
}
int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
    return exploring ? rw_take(l, 0, 1, RA) : 0;
}
int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
    return exploring ? rw_take(l, 1, 1, RA) : 0;
}
int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    if (!exploring)
        return 0;
    struct syncobj *o = sync_of(l, W_MUTEX);
    if (o->owner == me)
        o->owner = -1;
    else if (o->count > 0)
        o->count--;
    else
        return EPERM;
    release(l);
    released(EV_UNLOCK, RA, l);
    wake_all(W_MUTEX, l);
    schedule();
    return 0;
}

int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a);
int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
    (void)a;
    memset(c, 0, sizeof *c);
    return 0;
}
int __wrap_pthread_cond_destroy(pthread_cond_t *c);
int __wrap_pthread_cond_destroy(pthread_cond_t *c)
{
    (void)c;
    return 0;
}

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, int timed, void *pc)
{
    point(EV_WAIT, pc, c, 0, 0);
    if (sync_of(m, W_MUTEX)->owner != me)
        return EPERM;
    long w = ++nwaits;
    if (spur_from && w >= spur_from && w < spur_from + SPURIOUS) {
        /* woken with no signal, as POSIX allows: the mutex given up, and others may run */
        mutex_give(m);
        log_ev(EV_SPURIOUS, pc, c, 0, 0);
        schedule();
        mutex_take(m, pc);
        return 0;
    }
    mutex_give(m);
    block_on(W_COND, c, pc, timed);
    int out = thr[me].timed_out;
    if (!out)
        acquire(c); /* the signal is before the wake-up (wider than POSIX promises) */
    log_ev(EV_WOKEN, pc, c, 0, out);
    mutex_take(m, pc);
    return out ? ETIMEDOUT : 0;
}
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return exploring ? cond_wait(c, m, 0, RA) : 0;
}
int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts);
int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts)
{
    (void)ts;
    return exploring ? cond_wait(c, m, 1, RA) : 0;
}
int __wrap_pthread_cond_signal(pthread_cond_t *c);
int __wrap_pthread_cond_signal(pthread_cond_t *c)
{
    if (!exploring)
        return 0;
    point(EV_SIGNAL, RA, c, 0, 0);
    release(c);
    int oldest = -1;
    for (int i = 0; i < nthr; i++)
        if (thr[i].state == T_BLOCKED && thr[i].wait == W_COND && thr[i].obj == c &&
            (oldest < 0 || thr[i].seq < thr[oldest].seq))
            oldest = i;
    if (oldest >= 0)
        thr[oldest].state = T_RUN;
    return 0;
}
int __wrap_pthread_cond_broadcast(pthread_cond_t *c);
int __wrap_pthread_cond_broadcast(pthread_cond_t *c)
{
    if (!exploring)
        return 0;
    point(EV_BROADCAST, RA, c, 0, 0);
    release(c);
    wake_all(W_COND, c);
    return 0;
}

int __wrap_sem_init(sem_t *s, int pshared, unsigned v);
int __wrap_sem_init(sem_t *s, int pshared, unsigned v)
{
    (void)pshared;
    if (exploring)
        sync_of(s, W_SEM)->count = v;
    return 0;
}
int __wrap_sem_destroy(sem_t *s);
int __wrap_sem_destroy(sem_t *s)
{
    (void)s;
    return 0;
}
static int sem_take(sem_t *s, int try, int timed, void *pc)
{
    point(EV_SEM_WAIT, pc, s, 0, 0);
    struct syncobj *o = sync_of(s, W_SEM);
    while (o->count == 0) {
        if (try) {
            errno = EAGAIN;
            return -1;
        }
        block_on(W_SEM, s, pc, timed);
        if (thr[me].timed_out) {
            errno = ETIMEDOUT;
            return -1;
        }
    }
    o->count--;
    acquire(s);
    return 0;
}
int __wrap_sem_wait(sem_t *s);
int __wrap_sem_wait(sem_t *s)
{
    return exploring ? sem_take(s, 0, 0, RA) : 0;
}
int __wrap_sem_trywait(sem_t *s);
int __wrap_sem_trywait(sem_t *s)
{
    return exploring ? sem_take(s, 1, 0, RA) : 0;
}
int __wrap_sem_timedwait(sem_t *s, const struct timespec *ts);
int __wrap_sem_timedwait(sem_t *s, const struct timespec *ts)
{
    (void)ts;
    return exploring ? sem_take(s, 0, 1, RA) : 0;
}
int __wrap_sem_post(sem_t *s);
int __wrap_sem_post(sem_t *s)
{
    if (!exploring)
        return 0;
    release(s);
    released(EV_SEM_POST, RA, s);
    sync_of(s, W_SEM)->count++;
    wake_all(W_SEM, s);
    schedule();
    return 0;
}
int __wrap_sem_getvalue(sem_t *s, int *v);
int __wrap_sem_getvalue(sem_t *s, int *v)
{
    *v = exploring ? (int)sync_of(s, W_SEM)->count : 0;
    acquire(s); /* a value seen orders the posts that made it (as TSan takes it) */
    return 0;
}

int __wrap_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned n);
int __wrap_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned n)
{
    (void)a;
    if (!n)
        return EINVAL;
    if (exploring) {
        struct syncobj *o = sync_of(b, W_BARRIER);
        o->needed = n;
        o->arrived = 0;
    }
    return 0;
}
int __wrap_pthread_barrier_destroy(pthread_barrier_t *b);
int __wrap_pthread_barrier_destroy(pthread_barrier_t *b)
{
    (void)b;
    return 0;
}
int __wrap_pthread_barrier_wait(pthread_barrier_t *b);
int __wrap_pthread_barrier_wait(pthread_barrier_t *b)
{
    if (!exploring)
        return 0;
    void *pc = RA;
    point(EV_BARRIER, pc, b, 0, 0);
    struct syncobj *o = sync_of(b, W_BARRIER);
    long gen = o->generation;
    release(b); /* every arrival is before every departure */
    if (++o->arrived >= o->needed) {
        o->arrived = 0;
        o->generation++;
        wake_all(W_BARRIER, b);
        acquire(b);
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    while (o->generation == gen)
        block_on(W_BARRIER, b, pc, 0);
    acquire(b);
    return 0;
}

int __wrap_pthread_once(pthread_once_t *o, void (*fn)(void));
int __wrap_pthread_once(pthread_once_t *o, void (*fn)(void))
{
    if (!exploring) {
        fn();
        return 0;
    }
    void *pc = RA;
    point(EV_LOCK, pc, o, 0, 0);
    struct syncobj *s = sync_of(o, W_ONCE);
    if (s->count == 0) { /* not begun */
        s->count = 1;
        fn();
        s->count = 2;
        release(o);
        wake_all(W_ONCE, o);
    }
    while (s->count == 1)
        block_on(W_ONCE, o, pc, 0);
    acquire(o);
    return 0;
}

/* realloc always moves a block here, as it may anywhere (and does under AddressSanitizer):
 * in a fresh child the block would often grow in place, hiding a thread that still writes
 * through the old pointer. */
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
    if (!exploring || !p || !n)
        return __real_realloc(p, n);
    void *q = malloc(n);
    if (!q)
        return NULL;
    size_t old = malloc_usable_size(p);
    memcpy(q, p, old < n ? old : n);
    free(p);
    return q;
}

/* free forgets the block's race records: malloc may hand it to another thread, which is
 * ordered after this one by malloc's own lock (not modelled). */
void __real_free(void *p);
void __wrap_free(void *p);
void __wrap_free(void *p)
{
    if (exploring && me >= 0 && p)
        race_free(p, malloc_usable_size(p));
    __real_free(p);
}

/* memcpy, memmove and memset from the learner's code are accesses too (gcc's instrumentation
 * leaves these calls alone): the first and last bytes of each range. */
void *__real_memcpy(void *d, const void *src, size_t n);
void *__real_memmove(void *d, const void *src, size_t n);
void *__real_memset(void *d, int c, size_t n);
static void access_range(const void *a, size_t n, int write, void *pc)
{
    if (!n)
        return;
    access_mem(a, n < 8 ? (int)n : 8, write, pc);
    if (n > 8)
        access_mem((const char *)a + n - 8, 8, write, pc);
}
void *__wrap_memcpy(void *d, const void *src, size_t n);
void *__wrap_memcpy(void *d, const void *src, size_t n)
{
    if (exploring && me >= 0) {
        access_range(src, n, 0, RA);
        access_range(d, n, 1, RA);
    }
    return __real_memcpy(d, src, n);
}
void *__wrap_memmove(void *d, const void *src, size_t n);
void *__wrap_memmove(void *d, const void *src, size_t n)
{
    if (exploring && me >= 0) {
        access_range(src, n, 0, RA);
        access_range(d, n, 1, RA);
    }
    return __real_memmove(d, src, n);
}
void *__wrap_memset(void *d, int c, size_t n);
void *__wrap_memset(void *d, int c, size_t n)
{
    if (exploring && me >= 0)
        access_range(d, n, 1, RA);
    return __real_memset(d, c, n);
}

int __wrap_sched_yield(void);
int __wrap_sched_yield(void)
{
    point(EV_YIELD, RA, NULL, 0, 0);
    return 0;
}
unsigned __wrap_sleep(unsigned s);
unsigned __wrap_sleep(unsigned s)
{
    (void)s;
    point(EV_YIELD, RA, NULL, 0, 0);
    return 0;
}
int __wrap_usleep(useconds_t u);
int __wrap_usleep(useconds_t u)
{
    (void)u;
    point(EV_YIELD, RA, NULL, 0, 0);
    return 0;
}
int __wrap_nanosleep(const struct timespec *a, struct timespec *b);
int __wrap_nanosleep(const struct timespec *a, struct timespec *b)
{
    (void)a;
    if (b)
        memset(b, 0, sizeof *b);
    point(EV_YIELD, RA, NULL, 0, 0);
    return 0;
}

/* ---- one schedule, in a child ---- */

static void report_schedule(void)
{
    static char buf[12 * MAXDEV + 8];
    size_t off = 0;
    buf[0] = 0;
    if (spur_from)
        off += (size_t)snprintf(buf, sizeof buf, "s%ld%s", spur_from, ntaken ? "," : "");
    for (int i = 0; i < ntaken && off + 32 < sizeof buf; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%ld.%d", i ? "," : "", taken[i].at,
                                taken[i].thread);
    say("V %ld %s\n", decisions, off ? buf : "-");
    say("N %ld\n", nwaits);
}

static int want_trace;

/* At the parent's deadline for a schedule: the thread whose turn it is has blocked (or
 * spins) outside what the runtime models; says which, and where it was last seen. */
static void stuck(int sig)
{
    (void)sig;
    say("W %d %p\n", current, current >= 0 && current < nthr ? thr[current].last_pc : NULL);
    say("X a thread blocked in something explore does not model\n");
    _exit(3);
}

static void finish_child(int code)
{
    report_schedule();
    if (want_trace) {
        for (int i = 0; i < nev; i++) {
            const struct ev *e = &evs[i];
            say("E %d %s %p %p %d %ld %ld\n", e->tid, ev_names[e->kind], e->pc, (void *)e->addr,
                e->size, e->value, e->decision);
        }
        if (ev_dropped)
            say("Z %d\n", ev_dropped);
    }
    say("Q\n");
    _exit(code);
}

/* A deadly signal in a schedule: the program crashed under this interleaving. Tells the
 * signal, the thread and where it was last seen, and the steps so far (a dying child: what
 * it can still write is worth more than async-signal safety). */
static void crashed(int sig)
{
    exploring = 0;
    say("C %d %d %p\n", sig, me, me >= 0 ? thr[me].last_pc : NULL);
    finish_child(0);
}

static void child_body(const struct explore_kata *k)
{
    evs = calloc(MAXEV, sizeof *evs);
    nthr = 1;
    thr[0] = (struct thr){.state = T_RUN, .prio = 100 + (long)(next_rand() % 1000)};
    thr[0].real = pthread_self();
    me = 0;
    current = 0;
    race_reset();
    raced = 0;
    exploring = 1;
    long out[EXPLORE_MAX_RESULTS];
    int n = k->body(out, EXPLORE_MAX_RESULTS);
    fill_pending();
    exploring = 0;
    int left = 0;
    for (int i = 1; i < nthr; i++)
        if (thr[i].state != T_DONE)
            left++;
    char line[16 * EXPLORE_MAX_RESULTS + 16];
    size_t off = (size_t)snprintf(line, sizeof line, "R %d", n);
    for (int i = 0; i < n && i < EXPLORE_MAX_RESULTS; i++)
        off += (size_t)snprintf(line + off, sizeof line - off, " %ld", out[i]);
    say("%s\n", line);
    if (left)
        say("L %d\n", left);
    finish_child(0);
}

/* ---- the parent: schedules, judged ---- */

struct outcome {
    int ran;       /* the child said Q */
    int failed;    /* 1 wrong result, 2 deadlock, 3 left running, 4 could not run, 5 crash,
                      6 a data race (and nothing else wrong), 7 lines the runtime did not
                      write came through (told at once: nothing of the run is evidence) */
    char why[512]; /* the judge's sentence, or what stopped it */
    char sched[12 * MAXDEV + 8];
    long decisions;
    long waits; /* condition variable waits the run made */
    char *text; /* everything the child said (for the trace): valid until the next run */
};

static char *schedule_env;
/* Which memory is shared is learned by the first runs (WARMUP of them, from fixed seeds), then
 * frozen: every later run, a replay's too, starts from the same table, so a schedule's
 * decisions are numbered the same way each time it runs. */
#define WARMUP 4
static int frozen;
static const struct explore_kata *kata;

static int parse_devs(const char *s, struct dev *d, int max)
{
    int n = 0;
    while (s && *s && *s != '-' && n < max) {
        char *end;
        if (*s == 's') { /* sN: the spurious wake-ups */
            long w = strtol(s + 1, &end, 10);
            if (end == s + 1 || w < 1)
                return -1;
            d[n++] = (struct dev){SPUR_AT, (int)w};
        } else {
            long at = strtol(s, &end, 10);
            if (*end != '.')
                return -1;
            long t = strtol(end + 1, &end, 10);
            d[n++] = (struct dev){at, (int)t};
        }
        if (*end == ',')
            end++;
        else if (*end)
            return -1;
        s = end;
    }
    return n;
}

/* A new key for the lines of the schedule about to be forked. Returns 0, or -1 when the
 * system gave no random bytes. */
static int draw_key(void)
{
    unsigned char bytes[16];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(line_key + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}

/* Keeps, in place, the lines of text[0..*len) that start with the key (the key taken off),
 * and drops the others. Returns how many whole lines were dropped: lines the runtime did not
 * write. An unfinished last line (a write cut short when the child was killed, or the end of
 * a full buffer) is dropped without being counted. */
static int keep_keyed(char *text, size_t *len)
{
    size_t keylen = strlen(line_key), out = 0;
    int dropped = 0;
    for (size_t at = 0; at < *len;) {
        char *nl = memchr(text + at, '\n', *len - at);
        if (!nl)
            break;
        size_t n = (size_t)(nl - (text + at)) + 1;
        int keyed = n > keylen && !memcmp(text + at, line_key, keylen) && text[at + keylen] == ' ';
        if (keyed) {
            memmove(text + out, text + at + keylen + 1, n - keylen - 1);
            out += n - keylen - 1;
        } else if (!key_checked) {
            memmove(text + out, text + at, n);
            out += n;
        } else {
            dropped++;
        }
        at += n;
    }
    *len = out;
    text[out] = '\0';
    return dropped;
}

/* Runs one schedule in a child; fills o (o->text is the caller's to free). */
static void run_one(int strat, uint64_t seed, long kest, const struct dev *d, int nd, int trace,
                    struct outcome *o)
{
    memset(o, 0, sizeof *o);
    int p[2];
    if (draw_key()) {
        o->failed = 4;
        snprintf(o->why, sizeof o->why, "getrandom: %s", strerror(errno));
        return;
    }
    if (pipe(p) < 0) {
        o->failed = 4;
        snprintf(o->why, sizeof o->why, "pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t pid = __real_fork(); /* the learner's fork() is __wrap_fork's, below */
    if (pid == 0) {
        close(p[0]);
        /* the harness's channel is the parent's alone; this schedule's pipe is out of the
         * learner's reach (a close or a dup2 over it no longer ends a schedule without its
         * report, which read as a design explore cannot run: report_guard.h) */
        for (int fd = 3; fd < 64; fd++)
            if (fd != p[1])
                close(fd);
        report_guard(&p[1], 1);
        out_fd = p[1];
        strategy = strat;
        rng = seed;
        want_trace = trace;
        ndevs = 0;
        spur_from = 0;
        nwaits = 0;
        if (d) { /* a replay's deviations, and any schedule's spurious wake-ups */
            memcpy(devs, d, (size_t)nd * sizeof *d);
            ndevs = nd;
            for (int i = 0; i < nd; i++)
                if (d[i].at == SPUR_AT)
                    spur_from = d[i].thread;
        }
        if (strat == S_PCT)
            for (int c = 0; c < PCT_DEPTH - 1; c++)
                pct_change[c] = kest > 0 ? (long)(next_rand() % (uint64_t)kest) : 0;
        signal(SIGUSR1, stuck);
        signal(SIGSEGV, crashed);
        signal(SIGBUS, crashed);
        signal(SIGFPE, crashed);
        signal(SIGILL, crashed);
        signal(SIGABRT, crashed);
        alarm(5);
        child_body(kata);
        _exit(0);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        o->failed = 4;
        snprintf(o->why, sizeof o->why, "fork: %s", strerror(errno));
        return;
    }
    /* a static buffer, not the heap: a child's heap starts as the parent's, so the parent
     * allocates nothing between runs, or the learner's allocations (and which memory is
     * shared, and so the numbering of decisions) would move from run to run */
    static char textbuf[4 << 20];
    size_t cap = sizeof textbuf, len = 0;
    char *text = textbuf;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int asked = 0;
    for (;;) {
        struct pollfd pf = {p[0], POLLIN, 0};
        int r = poll(&pf, 1, 200);
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long waited = t1.tv_sec - t0.tv_sec;
        if (r == 0 && waited >= 3 && !asked) {
            kill(pid, SIGUSR1); /* where is it? (stuck() answers, then ends it) */
            asked = 1;
        } else if (r == 0 && waited >= 4) {
            kill(pid, SIGKILL);
            break;
        }
        if (r <= 0)
            continue;
        char sink[4096];
        ssize_t n =
            len + 1 < cap ? read(p[0], text + len, cap - len - 1) : read(p[0], sink, sizeof sink);
        if (n <= 0)
            break;
        if (len + 1 < cap)
            len += (size_t)n;
    }
    close(p[0]);
    text[len] = 0;
    int status = 0;
    waitpid(pid, &status, 0);
    int forged = keep_keyed(text, &len);
    o->text = text;
    if (forged) {
        /* before anything the lines say: a forged line may say anything */
        o->failed = 7;
        snprintf(o->why, sizeof o->why,
                 "a schedule's report pipe carried %d line%s the harness did not write (the "
                 "code under test wrote to explore's own channel)",
                 forged, forged == 1 ? "" : "s");
        return;
    }
    /* what the child said, line by line */
    long vals[EXPLORE_MAX_RESULTS];
    int nv = -2, left = 0, race = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (line[0] == 'Q' && !line[1])
            o->ran = 1;
        else if (line[0] == 'F')
            o->failed = 2;
        else if (line[0] == 'C') {
            int sig = atoi(line + 2);
            o->failed = 5;
            snprintf(o->why, sizeof o->why, "the program crashed (%s) under this interleaving",
                     sig == SIGSEGV   ? "a segmentation fault"
                     : sig == SIGABRT ? "it aborted"
                     : sig == SIGBUS  ? "a bus error"
                     : sig == SIGFPE  ? "an arithmetic error"
                                      : "an illegal instruction");
        } else if (line[0] == 'X') {
            o->failed = 4;
            snprintf(o->why, sizeof o->why, "%s", line + 2);
        } else if (line[0] == 'L')
            left = atoi(line + 2);
        else if (line[0] == 'A')
            race = 1;
        else if (line[0] == 'N')
            o->waits = atol(line + 2);
        else if (line[0] == 'V') {
            char *end;
            o->decisions = strtol(line + 2, &end, 10);
            snprintf(o->sched, sizeof o->sched, "%s", end + (*end == ' '));
        } else if (line[0] == 'R') {
            char *s = line + 2, *end;
            nv = (int)strtol(s, &end, 10);
            for (int i = 0; i < nv && i < EXPLORE_MAX_RESULTS; i++) {
                vals[i] = strtol(end, &end, 10);
            }
        } else if (line[0] == 'S' && gran && !frozen) {
            struct granule *g = granule_of((uintptr_t)strtoul(line + 2, NULL, 16));
            if (g)
                g->shared = 1;
        }
        if (nl)
            *nl = '\n';
        line = nl ? nl + 1 : NULL;
    }
    if (o->failed)
        return;
    if (!o->ran) {
        o->failed = 4;
        if (WIFSIGNALED(status))
            snprintf(o->why, sizeof o->why,
                     "a schedule did not finish (%s): a thread blocked in something explore "
                     "does not model, or the program crashed",
                     WTERMSIG(status) == SIGKILL   ? "killed at its deadline"
                     : WTERMSIG(status) == SIGALRM ? "stopped at its deadline"
                     : WTERMSIG(status) == SIGSEGV ? "a segmentation fault"
                     : WTERMSIG(status) == SIGABRT ? "aborted"
                                                   : "killed by a signal");
        else {
            /* every way out of a schedule but the function's return writes its line first
             * (the runtime's limits an X, a crash a C), and the schedule's pipe is guarded:
             * what is left is an exit the code under test called, a fault in any design */
            o->failed = 5;
            snprintf(o->why, sizeof o->why,
                     "the program exited (exit code %d) under this interleaving before the "
                     "function returned: something called exit() or _exit()",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
        return;
    }
    if (nv < -1) {
        o->failed = 4;
        snprintf(o->why, sizeof o->why, "a schedule sent no result");
        return;
    }
    char buf[400];
    const char *why = kata->judge(vals, nv, buf, sizeof buf);
    if (why) {
        o->failed = 1;
        snprintf(o->why, sizeof o->why, "%s", why);
    } else if (left) {
        o->failed = 3;
        snprintf(o->why, sizeof o->why, "%d thread%s still running when the function returned",
                 left, left == 1 ? " was" : "s were");
    } else if (race) {
        o->failed = 6;
        snprintf(o->why, sizeof o->why, "a data race");
    }
}

static long env_long(const char *name, long dflt)
{
    const char *s = getenv(name);
    return s && *s ? strtol(s, NULL, 10) : dflt;
}

static double since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static FILE *report;

static const char *verdict_word(int failed)
{
    return failed == 4   ? "cannot"
           : failed == 7 ? "untrusted"
           : failed == 2 ? "deadlock"
           : failed == 6 ? "race"
           : failed      ? "fail"
                         : "pass";
}

static void tell(const struct outcome *o, const char *verdict)
{
    fprintf(report, "verdict %s %s\n", verdict, o->why);
    fprintf(report, "schedule %s\n", o->sched[0] ? o->sched : "-");
    if (o->text)
        for (const char *l = o->text; *l;) {
            const char *nl = strchr(l, '\n');
            size_t n = nl ? (size_t)(nl - l) : strlen(l);
            if (n && strchr("EDHLZWCA", l[0]))
                fprintf(report, "%.*s\n", (int)n, l);
            l += n + (nl != NULL);
        }
}

int explore_main(const struct explore_kata *k)
{
    /* Without address randomisation, a replay names the same stack and heap addresses as
     * the run that found the schedule: the program starts itself again once, before any
     * learner code ran (if it cannot, the addresses differ and nothing else does). */
    int persona = personality(0xffffffff);
    if (persona != -1 && !(persona & ADDR_NO_RANDOMIZE) &&
        personality((unsigned long)persona | ADDR_NO_RANDOMIZE) != -1) {
        /* the same arguments, from /proc/self/cmdline (not the heap: run_one says why) */
        static char args[16384];
        static char *again[64];
        int fd = open("/proc/self/cmdline", O_RDONLY), n = 0;
        ssize_t len = fd >= 0 ? read(fd, args, sizeof args - 1) : -1;
        if (fd >= 0)
            close(fd);
        for (ssize_t i = 0; i < len && n < 63; i += (ssize_t)strlen(args + i) + 1)
            again[n++] = args + i;
        again[n] = NULL;
        if (n)
            execv("/proc/self/exe", again);
    }
    kata = k;
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    long fd = env_long("KATA_REPORT_FD", 1);
    report = fdopen((int)fd, "w");
    if (!report)
        report = stdout;
    static char reportbuf[1 << 16]; /* not the heap (run_one says why) */
    setvbuf(report, reportbuf, _IOLBF, sizeof reportbuf);
    gran = calloc(GSIZE, sizeof *gran);
    uint64_t seed = (uint64_t)env_long("KATA_SEED", 1);
    key_checked = env_long("KATA_EXPLORE_KEY", 1) != 0;
    long budget_ms = env_long("KATA_EXPLORE_BUDGET_MS", 1000);
    long max = env_long("KATA_EXPLORE_MAX", 2000);
    int measure = env_long("KATA_EXPLORE_MEASURE", 0) != 0;
    const char *strat_name = getenv("KATA_EXPLORE_STRATEGY");
    schedule_env = getenv("KATA_SCHEDULE");
    static struct outcome o;
    static struct dev d[MAXDEV];

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long kest = 0, n = 0, west = 0; /* decisions and condition variable waits of a run, at most */
    int found = 0;
    const char *found_by = "";
    char warm_fail[sizeof o.sched] = "";
    static char race_sched[sizeof o.sched];
    long race_at = 0;
    const char *race_by = "";
    for (int w = 0; w < WARMUP; w++) {
        run_one(S_RANDOM, 0x5eed0000u + (uint64_t)w, 0, NULL, 0, 0, &o);
        if (o.decisions > kest)
            kest = o.decisions;
        if (o.waits > west)
            west = o.waits;
        if (o.failed == 4 || o.failed == 7) { /* cannot run, or forged: said at once */
            fprintf(report, "explored %d  %.3f\n", w + 1, since(&t0));
            tell(&o, verdict_word(o.failed));
            fprintf(report, "end\n");
            return o.failed == 4 ? 3 : 1;
        }
        if (o.failed && o.failed != 6 && !warm_fail[0])
            snprintf(warm_fail, sizeof warm_fail, "%s", o.sched[0] ? o.sched : "-");
    }
    frozen = 1;

    if (schedule_env && *schedule_env) {
        int nd = parse_devs(schedule_env, d, MAXDEV);
        if (nd < 0) {
            fprintf(report, "verdict cannot the schedule \"%s\" is not one explore printed\n",
                    schedule_env);
            return 3;
        }
        run_one(S_REPLAY, seed, 0, d, nd, 1, &o);
        fprintf(report, "replayed 1\n");
        tell(&o, verdict_word(o.failed));
        fprintf(report, "end\n");
        return o.failed == 4 ? 3 : o.failed ? 1 : 0;
    }

    if (warm_fail[0] && !measure) { /* measuring: the warm-up only learns */
        int nd = parse_devs(warm_fail, d, MAXDEV);
        run_one(S_REPLAY, seed, 0, d, nd < 0 ? 0 : nd, 0, &o);
        if (o.failed == 6) { /* replayed, it shows only a race: worth telling if nothing more */
            snprintf(race_sched, sizeof race_sched, "%s", o.sched[0] ? o.sched : "-");
            race_at = WARMUP;
            race_by = "random";
        } else if (o.failed && o.failed != 4) {
            found = 1;
            found_by = "random";
        }
    }
    for (; !found && n < max && (n < 2 || since(&t0) * 1000 < (double)budget_ms); n++) {
        int strat = S_RANDOM;
        if (strat_name && !strcmp(strat_name, "pct"))
            strat = S_PCT;
        else if (!strat_name || strcmp(strat_name, "random"))
            strat = (n & 1) ? S_PCT : S_RANDOM;
        uint64_t s = seed * 1000003u + (uint64_t)n;
        /* every third schedule also wakes a few waits with no signal, from a wait drawn
         * from the seed: a wait that is not in a loop then acts on a condition not true */
        struct dev spur = {SPUR_AT, 0};
        if (west > 0 && n % 3 == 2)
            spur.thread = 1 + (int)(((s * 0x9e3779b97f4a7c15ull) >> 33) % (uint64_t)west);
        run_one(strat, s, kest, spur.thread ? &spur : NULL, spur.thread ? 1 : 0, 0, &o);
        if (o.decisions > kest)
            kest = o.decisions;
        if (o.waits > west)
            west = o.waits;
        if (o.failed == 6 && !measure) {
            /* a race: told if nothing worse (a wrong result, a deadlock, a crash) is found
             * in the rest of the budget, which makes the better story */
            if (!race_sched[0]) {
                snprintf(race_sched, sizeof race_sched, "%s", o.sched[0] ? o.sched : "-");
                race_at = n + 1 + WARMUP;
                race_by = strat == S_PCT ? "pct" : "random";
            }
            continue;
        }
        if (o.failed == 7) { /* forged: nothing to shrink or replay */
            fprintf(report, "explored %ld  %.3f\n", n + 1 + WARMUP, since(&t0));
            tell(&o, verdict_word(o.failed));
            fprintf(report, "end\n");
            return 1;
        }
        if (o.failed) {
            found = 1;
            found_by = strat == S_PCT ? "pct" : "random";
            n++;
            break;
        }
    }
    long explored = n + (measure ? 0 : WARMUP);
    if (!found && race_sched[0]) { /* the race, run again to be shrunk and told */
        int nd = parse_devs(race_sched, d, MAXDEV);
        run_one(S_REPLAY, seed, 0, d, nd < 0 ? 0 : nd, 0, &o);
        if (o.failed == 6) {
            found = 1;
            found_by = race_by;
            explored = race_at;
        }
    }
    double took = since(&t0);
    fprintf(report, "explored %ld %s %.3f\n", explored, found_by, took);
    if (!found) {
        fprintf(report, "verdict pass\nend\n");
        return 0;
    }
    if (o.failed == 4) {
        tell(&o, "cannot");
        fprintf(report, "end\n");
        return 3;
    }
    if (measure) {
        fprintf(report, "verdict fail %s\nend\n", o.why);
        return 1;
    }
    /* shrink: drop each deviation in turn while the run still fails the same way */
    int kind = o.failed;
    int nd = parse_devs(o.sched, d, MAXDEV);
    if (nd < 0)
        nd = 0;
    /* chunks first (half the deviations, then quarters, ...), then one at a time; again
     * while a pass still removed something (a removal renumbers what follows) */
    int tries = 0;
    static struct dev t[MAXDEV];
    for (int changed = 1; changed && tries < 300;) {
        changed = 0;
        for (int chunk = nd / 2 > 0 ? nd / 2 : 1; chunk >= 1 && tries < 300; chunk /= 2) {
            for (int from = nd - chunk; from >= 0 && tries < 300; from -= chunk) {
                int m = 0;
                for (int j = 0; j < nd; j++)
                    if (j < from || j >= from + chunk)
                        t[m++] = d[j];
                struct outcome p;
                run_one(S_REPLAY, seed, 0, t, m, 0, &p);
                tries++;
                if (p.failed == kind) {
                    /* what this run did is the new schedule (its deviations, renumbered), if
                     * it fails the same way when replayed: the deviations a run reports can
                     * miss one that moved it (a request it could not take as asked), and a
                     * schedule that no longer replays would be the one printed */
                    static struct dev u[MAXDEV];
                    int np = parse_devs(p.sched, u, MAXDEV);
                    struct outcome q = {0};
                    if (np >= 0)
                        run_one(S_REPLAY, seed, 0, u, np, 0, &q);
                    tries++;
                    if (np < 0 || q.failed != kind)
                        continue;
                    memcpy(d, u, (size_t)np * sizeof *u);
                    nd = np;
                    changed = 1;
                    if (from > nd)
                        from = nd; /* the loop steps back one chunk from here */
                }
            }
            if (chunk == 1)
                break;
        }
    }
    run_one(S_REPLAY, seed, 0, d, nd, 1, &o);
    if (!o.failed) { /* shrinking must not lose it; never expected */
        fprintf(report, "verdict fail %s\nschedule unreplayable\nend\n",
                "the failing schedule did not replay");
        return 1;
    }
    fprintf(report, "shrunk %d\n", tries);
    tell(&o, verdict_word(o.failed));
    fprintf(report, "end\n");
    return 1;
}
