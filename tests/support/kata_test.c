/* kata_test.c: seeded sizes and the pthread_create counter for kata tests. */
#define _GNU_SOURCE /* /proc, getrusage and the fork wrapper need POSIX declarations */
#include "kata_test.h"

#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static atomic_long threads_started;
static atomic_long threads_running;
static atomic_long create_budget = -1; /* calls left before pthread_create fails; -1: never */
static atomic_long processes_started;
static unsigned long long state;
static int seeded;

unsigned long kata_seed(void)
{
    const char *s = getenv("KATA_SEED");
    return s && *s ? strtoul(s, NULL, 10) : 1;
}

/* splitmix64: small, fast, and good enough to pick test sizes */
static unsigned long long next(void)
{
    if (!seeded) {
        state = kata_seed() * 0x9e3779b97f4a7c15ULL + 1;
        seeded = 1;
    }
    unsigned long long z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

long kata_rand_range(long lo, long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long)(next() % (unsigned long long)(hi - lo + 1));
}

long kata_threads_started(void)
{
    return atomic_load(&threads_started);
}

void kata_threads_reset(void)
{
    atomic_store(&threads_started, 0);
}

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

/* The error-path tests arm a failure (kata_threads_fail_after), call the code under test,
 * and check that no thread it started is still running when it returns. Were the threads
 * that did start left to run freely, a call that returns without joining them would pass
 * whenever they happen to finish first (a busy machine delays the caller). So a thread
 * started while a failure is armed waits at a gate before running its function, and the
 * gate opens only when the code shows it waits for the thread:
 *   - pthread_join on that thread opens its own gate (a call that joins all but one leaves
 *     that one held, and so still running when the call returns);
 *   - the creating thread blocking in a wait (a condition variable, a semaphore or a
 *     barrier: a latch over detached threads, or a start-up handshake) opens every gate;
 *   - disarming (kata_threads_fail_after(-1)) opens every gate, and a held thread goes on
 *     by itself after GATE_LIMIT_NS, so that a design waiting some other way (spinning on
 *     an atomic flag) is slowed, never stuck.
 * A call that returns without waiting returns with its threads held, running, whatever the
 * machine's load. */
#define GATE_SLOTS 64
#define GATE_LIMIT_NS 1000000000L

/* A slot is claimed before pthread_create and freed once both its thread has passed the gate
 * and its creator has named it (whichever comes last): a slot is never reused while a late
 * gate_named could still write into it. */
struct gate {
    int used;   /* a thread holds or will hold this slot */
    int has_id; /* `id` is set (pthread_create has returned) */
    int passed; /* the thread has gone through */
    int open;
    pthread_t id;
};

/* the test binary wraps the waits below, these included: the gate waits on the real one */
int __real_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts);

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_moved = PTHREAD_COND_INITIALIZER;
static struct gate gates[GATE_SLOTS];
static atomic_int gates_held;  /* slots in use: the wait wrappers' fast path */
static pthread_t gate_creator; /* the thread that started the held threads */

static void open_gates(int all, const pthread_t *id)
{
    if (atomic_load(&gates_held) == 0)
        return;
    pthread_mutex_lock(&gate_lock);
    for (int i = 0; i < GATE_SLOTS; i++)
        if (gates[i].used && (all || (gates[i].has_id && pthread_equal(gates[i].id, *id))))
            gates[i].open = 1;
    pthread_cond_broadcast(&gate_moved);
    pthread_mutex_unlock(&gate_lock);
}

/* A slot for a thread about to be started, or -1 when no failure is armed (or all slots are
 * taken: that thread then runs freely). */
static int gate_claim(void)
{
    int slot = -1;
    pthread_mutex_lock(&gate_lock);
    for (int i = 0; i < GATE_SLOTS && slot < 0; i++)
        if (!gates[i].used) {
            gates[i] = (struct gate){.used = 1};
            slot = i;
        }
    if (slot >= 0) {
        gate_creator = pthread_self();
        atomic_fetch_add(&gates_held, 1);
    }
    pthread_mutex_unlock(&gate_lock);
    return slot;
}

/* With gate_lock held. */
static void gate_free(int slot)
{
    gates[slot].used = 0;
    atomic_fetch_sub(&gates_held, 1);
}

static void gate_named(int slot, const pthread_t *id)
{
    pthread_mutex_lock(&gate_lock);
    gates[slot].id = *id;
    gates[slot].has_id = 1;
    if (gates[slot].passed)
        gate_free(slot);
    pthread_mutex_unlock(&gate_lock);
}

/* pthread_create failed: no thread will come. */
static void gate_unclaim(int slot)
{
    pthread_mutex_lock(&gate_lock);
    gate_free(slot);
    pthread_mutex_unlock(&gate_lock);
}

/* Run by a held thread before its function: waits for its gate, or GATE_LIMIT_NS. */
static void gate_pass(int slot)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += GATE_LIMIT_NS % 1000000000L;
    until.tv_sec += GATE_LIMIT_NS / 1000000000L + until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&gate_lock);
    while (!gates[slot].open)
        if (__real_pthread_cond_timedwait(&gate_moved, &gate_lock, &until) == ETIMEDOUT)
            break;
    gates[slot].passed = 1;
    if (gates[slot].has_id)
        gate_free(slot);
    pthread_mutex_unlock(&gate_lock);
}

/* The creating thread is about to block: whatever it waits for, the held threads may be
 * what it waits on. */
static void creator_waits(void)
{
    if (atomic_load(&gates_held) == 0)
        return;
    pthread_mutex_lock(&gate_lock);
    int creator = pthread_equal(gate_creator, pthread_self());
    pthread_mutex_unlock(&gate_lock);
    if (creator)
        open_gates(1, NULL);
}

void kata_threads_fail_after(long ok)
{
    atomic_store(&create_budget, ok < 0 ? -1 : ok);
    if (ok < 0)
        open_gates(1, NULL);
}

long kata_threads_running(void)
{
    return atomic_load(&threads_running);
}

/* Each thread the wrapper starts runs through here, so that the tests know whether it has
 * finished: whether its function returns or it calls pthread_exit, the cleanup handler
 * counts it out. */
struct tracked_start {
    void *(*fn)(void *);
    void *arg;
    int slot; /* its gate, or -1 */
};

static void count_out(void *unused)
{
    (void)unused;
    atomic_fetch_sub(&threads_running, 1);
}

static void *tracked(void *p)
{
    struct tracked_start s = *(struct tracked_start *)p;
    void *ret;
    free(p);
    pthread_cleanup_push(count_out, NULL);
    if (s.slot >= 0)
        gate_pass(s.slot);
    ret = s.fn(s.arg);
    pthread_cleanup_pop(1);
    return ret;
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    long budget = atomic_load(&create_budget);
    int armed = budget >= 0;
    while (budget >= 0) {
        if (budget == 0)
            return EAGAIN;
        if (atomic_compare_exchange_weak(&create_budget, &budget, budget - 1))
            break;
    }
    struct tracked_start *s = malloc(sizeof *s);
    if (!s)
        return EAGAIN;
    *s = (struct tracked_start){fn, arg, armed ? gate_claim() : -1};
    int slot = s->slot;
    atomic_fetch_add(&threads_running, 1);
    int rc = __real_pthread_create(t, attr, tracked, s);
    if (rc == 0) {
        atomic_fetch_add(&threads_started, 1);
        if (slot >= 0)
            gate_named(slot, t);
    } else {
        atomic_fetch_sub(&threads_running, 1);
        free(s);
        if (slot >= 0)
            gate_unclaim(slot);
    }
    return rc;
}

int __real_pthread_join(pthread_t t, void **ret);
int __wrap_pthread_join(pthread_t t, void **ret);
int __wrap_pthread_join(pthread_t t, void **ret)
{
    open_gates(0, &t);
    return __real_pthread_join(t, ret);
}

int __real_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    creator_waits();
    return __real_pthread_cond_wait(c, m);
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts);
int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *ts)
{
    creator_waits();
    return __real_pthread_cond_timedwait(c, m, ts);
}

int __real_sem_wait(sem_t *s);
int __wrap_sem_wait(sem_t *s);
int __wrap_sem_wait(sem_t *s)
{
    creator_waits();
    return __real_sem_wait(s);
}

int __real_sem_timedwait(sem_t *s, const struct timespec *ts);
int __wrap_sem_timedwait(sem_t *s, const struct timespec *ts);
int __wrap_sem_timedwait(sem_t *s, const struct timespec *ts)
{
    creator_waits();
    return __real_sem_timedwait(s, ts);
}

int __real_pthread_barrier_wait(pthread_barrier_t *b);
int __wrap_pthread_barrier_wait(pthread_barrier_t *b);
int __wrap_pthread_barrier_wait(pthread_barrier_t *b)
{
    creator_waits();
    return __real_pthread_barrier_wait(b);
}

/* A counter in memory shared with every child forked after the reset, and the process the
 * exit handler belongs to: the handler counts only when it runs in another one. */
static atomic_long *exits_through_handlers;
static pid_t handlers_owner;
static volatile sig_atomic_t in_forked_child;

static void count_exit_in_child(void)
{
    if (exits_through_handlers && getpid() != handlers_owner)
        atomic_fetch_add(exits_through_handlers, 1);
}

long kata_processes_started(void)
{
    return atomic_load(&processes_started);
}

void kata_processes_reset(void)
{
    static int registered;
    atomic_store(&processes_started, 0);
    if (!exits_through_handlers)
        return;
    if (!registered) {
        /* registered now, after Criterion's own handlers, so that it runs before them */
        atexit(count_exit_in_child);
        registered = 1;
    }
    handlers_owner = getpid();
    atomic_store(exits_through_handlers, 0);
}

/* The counter's page is mapped before any test runs, so that a test that counts this
 * process's shared mappings before and after a call sees the same number. */
__attribute__((constructor)) static void kata_map_exit_counter(void)
{
    void *p = mmap(NULL, sizeof *exits_through_handlers, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED)
        exits_through_handlers = p;
}

long kata_children_that_ran_exit_handlers(void)
{
    return exits_through_handlers ? atomic_load(exits_through_handlers) : 0;
}

pid_t __real_fork(void);
pid_t __wrap_fork(void);

pid_t __wrap_fork(void)
{
    pid_t pid = __real_fork();
    if (pid > 0)
        atomic_fetch_add(&processes_started, 1);
    if (pid == 0)
        in_forked_child = 1;
    return pid;
}

_Noreturn void __real__exit(int status);
_Noreturn void __wrap__exit(int status);

_Noreturn void __wrap__exit(int status)
{
    if (in_forked_child) {
        /* close_range and nanosleep are async-signal-safe, as _exit must be */
        close_range(0, ~0U, 0);
        struct timespec ts = {0, KATA_EXIT_LINGER_MS * 1000000L};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
    __real__exit(status);
}

int kata_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the descriptor opendir itself holds */
}

/* Counts this process's children whose state is (zombie) or is not 'Z'. */
static int count_children(int zombies)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    int n = 0;
    long self = (long)getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[300], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        char *paren = strrchr(buf, ')');
        char state = 0;
        long ppid = 0;
        if (!paren || sscanf(paren + 1, " %c %ld", &state, &ppid) != 2 || ppid != self)
            continue;
        if ((state == 'Z') == zombies)
            n++;
    }
    closedir(d);
    return n;
}

int kata_zombie_children(void)
{
    return count_children(1);
}

int kata_live_children(void)
{
    return count_children(0);
}

const char *kata_plural(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

double kata_cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

double kata_runnable_seconds(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    double sum = 0;
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", e->d_name);
        FILE *f = fopen(path, "r");
        unsigned long long run, wait;
        if (f && fscanf(f, "%llu %llu", &run, &wait) == 2) {
            sum += (double)(run + wait) / 1e9;
            seen++;
        }
        if (f)
            fclose(f);
    }
    closedir(d);
    return seen ? sum : -1;
}

/* Criterion reports a test that died of a signal as "CRASH!", without the signal. Name it in
 * the log (the harness reads "kata-test: killed by signal N" back; stages/test.c), then die of
 * it as before. A process the code under test forked (a worker) inherits this handler: its
 * death is named as its own ("kata-test: a process forked by the code under test was killed
 * by signal N"), never as the test's. Only async-signal-safe calls; on an alternate stack, so
 * that a stack overflow of the main thread is named too. */
static void name_the_signal(int sig)
{
    char msg[96] = "\nkata-test: killed by signal ";
    if (in_forked_child)
        strcpy(msg, "\nkata-test: a process forked by the code under test was killed by signal ");
    size_t n = strlen(msg);
    char digits[8];
    int k = 0;
    for (int v = sig; v > 0 && k < 8; v /= 10)
        digits[k++] = (char)('0' + v % 10);
    while (k > 0 && n < sizeof msg - 2)
        msg[n++] = digits[--k];
    msg[n++] = '\n';
    ssize_t w = write(2, msg, n);
    /* where it happened, for the harness to find the learner's line (stages/test.c): the
     * frames as "binary(+0xoffset)[address]". backtrace() was called once before any test, so
     * it loads nothing now; backtrace_symbols_fd allocates nothing. */
    if (!in_forked_child) {
        void *frames[48];
        int nframes = backtrace(frames, 48);
        static const char head[] = "kata-test: stack:\n", tail[] = "kata-test: end of stack\n";
        w = write(2, head, sizeof head - 1);
        backtrace_symbols_fd(frames, nframes, 2);
        w = write(2, tail, sizeof tail - 1);
    }
    (void)w;
    raise(sig); /* SA_RESETHAND: the default action now */
}

__attribute__((constructor)) static void kata_name_signals(void)
{
    static char alt[64 * 1024];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = name_the_signal;
    sa.sa_flags = SA_RESETHAND | SA_ONSTACK | SA_NODEFER;
    void *first[1];
    backtrace(first, 1); /* loads the unwinder now, not in the handler */
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGXFSZ, SIGXCPU, SIGSYS};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
}
