/* explore_race.c: happens-before between the explore runtime's threads, and the data races
 * it leaves (explore_race.h says what it promises). A thread's clock counts its own steps
 * between releases (an epoch); an access records the epoch it ran in, and a later access
 * by another thread is ordered after it when that thread's clock has reached the epoch. */
#include "explore_race.h"

#include <stdint.h>
#include <string.h>

typedef uint32_t vclock[RACE_MAXT];

static vclock vc[RACE_MAXT];
static vclock fence_vc[RACE_MAXT]; /* the clock at the thread's last release fence */
static int fenced[RACE_MAXT];
static vclock relaxed_seen[RACE_MAXT]; /* what relaxed loads read: an acquire fence takes it */

static void join(uint32_t *to, const uint32_t *from)
{
    for (int i = 0; i < RACE_MAXT; i++)
        if (from[i] > to[i])
            to[i] = from[i];
}

static int valid(int tid)
{
    return tid >= 0 && tid < RACE_MAXT;
}

/* ---- the clocks of sync objects and atomics, by address ---- */

#define OBJ_BITS 10
struct objclock {
    uintptr_t key;
    vclock c;
};
static struct objclock objs[1u << OBJ_BITS];
/* every object the table has no room for shares this one: a wider order, never a narrower */
static vclock overflow;

static uint32_t *clock_of(const volatile void *obj)
{
    uintptr_t key = (uintptr_t)obj + 1; /* never 0: 0 marks a free entry */
    size_t h = (size_t)(((uint64_t)(uintptr_t)obj * 0x9e3779b97f4a7c15ull) >> (64 - OBJ_BITS));
    for (size_t i = 0; i < 64; i++) {
        struct objclock *e = &objs[(h + i) & ((1u << OBJ_BITS) - 1)];
        if (e->key == key)
            return e->c;
        if (!e->key) {
            e->key = key;
            return e->c;
        }
    }
    return overflow;
}

/* ---- records of the last accesses to each 8-byte granule ---- */

struct rec {
    void *pc;
    int ev;       /* the caller's step */
    uint32_t clk; /* the thread's epoch at the access */
    uint32_t seq; /* when (a count of accesses): a stack handed on since is forgotten */
    uint8_t tid;
    uint8_t mask; /* the granule's bytes it touched; 0: no record */
    uint8_t write;
};
/* the last accesses to a granule, reads and writes, of different threads or bytes (so that
 * threads that each write their own byte of one word are all kept) */
#define NRECS 4
struct cell {
    uintptr_t key; /* granule + 1 */
    struct rec r[NRECS];
};
#define CELL_BITS 14
static struct cell cells[1u << CELL_BITS];
static size_t ncells;
static uint32_t seq;

/* Neighbouring granules land in neighbouring cells (16 to a run), so a schedule touches few
 * pages of the table: each child starts from zero pages, and every page it writes costs. */
static struct cell *cell_of(uintptr_t g, int create)
{
    uintptr_t key = g + 1;
    size_t mask = (1u << CELL_BITS) - 1;
    size_t h = (size_t)((((uint64_t)(g >> 4) * 0x9e3779b97f4a7c15ull) >> 32) << 4 | (g & 15));
    for (size_t i = 0; i < 32; i++) {
        struct cell *c = &cells[(h + i) & mask];
        if (c->key == key)
            return c;
        if (!c->key) {
            if (!create)
                return NULL;
            c->key = key;
            ncells++;
            return c;
        }
    }
    return NULL; /* no room: this granule is not watched (a race there is missed) */
}

struct stack {
    uintptr_t lo, hi;
    uint32_t since;
};
static struct stack stacks[RACE_MAXT];

/* A record older than the thread whose stack now holds its address was made by a thread
 * that has since ended: the memory is another's now. */
static int stale(const struct rec *r, uintptr_t a)
{
    for (int t = 0; t < RACE_MAXT; t++)
        if (stacks[t].hi && a >= stacks[t].lo && a < stacks[t].hi && r->seq < stacks[t].since)
            return 1;
    return 0;
}

/* ---- the calls ---- */

void race_reset(void)
{
    memset(vc, 0, sizeof vc);
    memset(fenced, 0, sizeof fenced);
    memset(relaxed_seen, 0, sizeof relaxed_seen);
    memset(stacks, 0, sizeof stacks);
    vc[0][0] = 1;
    seq = 0;
}

void race_create(int parent, int child)
{
    if (!valid(parent) || !valid(child))
        return;
    memcpy(vc[child], vc[parent], sizeof vc[child]);
    vc[child][child] = 1;
    fenced[child] = 0;
    memset(relaxed_seen[child], 0, sizeof relaxed_seen[child]);
    vc[parent][parent]++;
}

void race_stack(int tid, const void *lo, size_t n)
{
    if (!valid(tid))
        return;
    stacks[tid] = (struct stack){(uintptr_t)lo, (uintptr_t)lo + n, ++seq};
}

void race_join(int joiner, int joined)
{
    if (valid(joiner) && valid(joined))
        join(vc[joiner], vc[joined]);
}

void race_acquire(int tid, const void *obj)
{
    if (valid(tid))
        join(vc[tid], clock_of(obj));
}

void race_release(int tid, const void *obj)
{
    if (!valid(tid))
        return;
    join(clock_of(obj), vc[tid]);
    vc[tid][tid]++;
}

/* gcc passes C11's orders as 0 relaxed, 1 consume, 2 acquire, 3 release, 4 acq_rel,
 * 5 seq_cst; anything else is taken as the strongest */
static int acquires(int mo)
{
    return mo != 0 && mo != 3;
}
static int releases(int mo)
{
    return mo < 0 || mo >= 3;
}

void race_atomic(int tid, const volatile void *a, int mo, int fail_mo, int load, int store)
{
    if (!valid(tid))
        return;
    uint32_t *c = clock_of(a);
    if (load) {
        if (acquires(mo) || acquires(fail_mo))
            join(vc[tid], c);
        else
            join(relaxed_seen[tid], c);
    }
    if (store) {
        if (releases(mo)) {
            join(c, vc[tid]);
            vc[tid][tid]++;
        } else if (fenced[tid]) {
            join(c, fence_vc[tid]);
        }
    }
}

void race_fence(int tid, int mo)
{
    if (!valid(tid))
        return;
    if (acquires(mo))
        join(vc[tid], relaxed_seen[tid]);
    if (releases(mo)) {
        memcpy(fence_vc[tid], vc[tid], sizeof fence_vc[tid]);
        fenced[tid] = 1;
        vc[tid][tid]++;
    }
}

static void forget(struct cell *c)
{
    for (int i = 0; i < NRECS; i++)
        c->r[i].mask = 0;
}

void race_free(const void *p, size_t n)
{
    if (!p || !n)
        return;
    uintptr_t g0 = (uintptr_t)p >> 3, g1 = ((uintptr_t)p + n - 1) >> 3;
    if (g1 - g0 < ncells) {
        for (uintptr_t g = g0; g <= g1; g++) {
            struct cell *c = cell_of(g, 0);
            if (c)
                forget(c);
        }
        return;
    }
    for (size_t i = 0; i < (1u << CELL_BITS); i++)
        if (cells[i].key && cells[i].key - 1 >= g0 && cells[i].key - 1 <= g1)
            forget(&cells[i]);
}

/* Is r (another thread's) not ordered before thread t's present step? */
static int unordered(const struct rec *r, int t, uint8_t mask, uintptr_t a)
{
    return (r->mask & mask) && r->tid != t && r->clk > vc[t][r->tid] && !stale(r, a);
}

static int access_granule(int t, uintptr_t a, uint8_t mask, int write, void *pc, int ev,
                          struct race_prior *prior)
{
    struct cell *c = cell_of(a >> 3, 1);
    if (!c)
        return 0;
    seq++;
    int race = 0;
    for (int i = 0; i < NRECS && !race; i++) {
        const struct rec *o = &c->r[i];
        if ((write || o->write) && unordered(o, t, mask, a)) {
            race = 1;
            *prior = (struct race_prior){o->tid, o->write, o->pc, o->ev};
        }
    }
    /* a write: every earlier access to these bytes is ordered before it, or was a race told
     * now, so what is left of them is the other bytes */
    for (int i = 0; write && i < NRECS; i++)
        c->r[i].mask &= (uint8_t)~mask;
    /* the same thread's same access again replaces its record (a later epoch orders no
     * less); else a free slot; else the oldest is forgotten (a race missed, never made) */
    struct rec *slot = NULL;
    for (int i = 0; i < NRECS && !slot; i++)
        if (c->r[i].mask == mask && c->r[i].tid == t && c->r[i].write == write)
            slot = &c->r[i];
    for (int i = 0; i < NRECS && !slot; i++)
        if (!c->r[i].mask)
            slot = &c->r[i];
    if (!slot) {
        slot = &c->r[0];
        for (int i = 1; i < NRECS; i++)
            if (c->r[i].seq < slot->seq)
                slot = &c->r[i];
    }
    *slot = (struct rec){pc, ev, vc[t][t], seq, (uint8_t)t, mask, (uint8_t)write};
    return race;
}

int race_access(int tid, const volatile void *a, size_t size, int write, void *pc, int ev,
                struct race_prior *prior)
{
    if (!valid(tid) || !size)
        return 0;
    if (size > 16)
        size = 16;
    uintptr_t x = (uintptr_t)a;
    int race = 0;
    struct race_prior p;
    while (size > 0) {
        unsigned off = (unsigned)(x & 7);
        size_t len = size < 8 - off ? size : 8 - off;
        uint8_t mask = (uint8_t)(((1u << len) - 1) << off);
        if (access_granule(tid, x, mask, write, pc, ev, &p) && !race) {
            race = 1;
            *prior = p;
        }
        x += len;
        size -= len;
    }
    return race;
}
