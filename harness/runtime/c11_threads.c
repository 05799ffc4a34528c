/* c11_threads.c: C11 <threads.h>, carried out by the pthread functions that every stage
 * watches. Linked into each build of the learner's code (the tests, the sanitizer, Valgrind,
 * explore and timed builds), with the learner's calls sent here by the linker
 * (c11_thread_wraps in stages/stage.c: -Wl,--wrap=thrd_create, ...).
 *
 * Why: glibc's thrd_create, mtx_lock, cnd_wait ... call its internal pthread functions
 * directly, past the public names that the tools hook. The tests' thread counter and failure
 * injection, ThreadSanitizer's and Helgrind's/DRD's interceptors, and the explore scheduler
 * all hook pthread_create, pthread_mutex_lock, ...; a correct C11 design was failed (no
 * thread counted, tsan and drd crashed), and a racy one could go unseen. Here each call is
 * the same pthread call glibc makes, spelled by its public name, so that each build's hook
 * sees it. The types are glibc's: thrd_t is a pthread_t, mtx_t a pthread_mutex_t, cnd_t a
 * pthread_cond_t and once_flag a pthread_once_t, in size and layout. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>
#include <time.h>

_Static_assert(sizeof(thrd_t) == sizeof(pthread_t), "thrd_t is a pthread_t");
_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t), "mtx_t is a pthread_mutex_t");
_Static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t), "cnd_t is a pthread_cond_t");
_Static_assert(sizeof(once_flag) == sizeof(pthread_once_t), "once_flag is a pthread_once_t");

/* a pthread error number as the thrd_* result C11 gives for it */
static int c11_result(int err)
{
    switch (err) {
    case 0: return thrd_success;
    case ENOMEM: return thrd_nomem;
    case ETIMEDOUT: return thrd_timedout;
    case EBUSY: return thrd_busy;
    default: return thrd_error;
    }
}

struct c11_start {
    thrd_start_t fn;
    void *arg;
};

static void *c11_thread(void *p)
{
    struct c11_start s = *(struct c11_start *)p;
    free(p);
    return (void *)(intptr_t)s.fn(s.arg);
}

int __wrap_thrd_create(thrd_t *t, thrd_start_t fn, void *arg);
int __wrap_thrd_create(thrd_t *t, thrd_start_t fn, void *arg)
{
    struct c11_start *s = malloc(sizeof *s);
    if (!s)
        return thrd_nomem;
    s->fn = fn;
    s->arg = arg;
    int err = pthread_create((pthread_t *)t, NULL, c11_thread, s);
    if (err)
        free(s);
    /* glibc says thrd_nomem when no thread could be made (EAGAIN), as C11 asks */
    return err == EAGAIN ? thrd_nomem : c11_result(err);
}

int __wrap_thrd_join(thrd_t t, int *res);
int __wrap_thrd_join(thrd_t t, int *res)
{
    void *ret;
    int err = pthread_join((pthread_t)t, &ret);
    if (!err && res)
        *res = (int)(intptr_t)ret;
    return c11_result(err);
}

_Noreturn void __wrap_thrd_exit(int res);
_Noreturn void __wrap_thrd_exit(int res)
{
    pthread_exit((void *)(intptr_t)res);
}

int __wrap_thrd_detach(thrd_t t);
int __wrap_thrd_detach(thrd_t t)
{
    return c11_result(pthread_detach((pthread_t)t));
}

void __wrap_thrd_yield(void);
void __wrap_thrd_yield(void)
{
    sched_yield();
}

int __wrap_thrd_sleep(const struct timespec *d, struct timespec *left);
int __wrap_thrd_sleep(const struct timespec *d, struct timespec *left)
{
    if (nanosleep(d, left) == 0)
        return 0;
    return errno == EINTR ? -1 : -2;
}

int __wrap_mtx_init(mtx_t *m, int type);
int __wrap_mtx_init(mtx_t *m, int type)
{
    pthread_mutexattr_t a;
    if (type & ~(mtx_plain | mtx_timed | mtx_recursive))
        return thrd_error;
    pthread_mutexattr_init(&a);
    /* mtx_timed needs nothing more: every pthread mutex has pthread_mutex_timedlock */
    if (type & mtx_recursive)
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    int err = pthread_mutex_init((pthread_mutex_t *)m, &a);
    pthread_mutexattr_destroy(&a);
    return c11_result(err);
}

int __wrap_mtx_lock(mtx_t *m);
int __wrap_mtx_lock(mtx_t *m)
{
    return c11_result(pthread_mutex_lock((pthread_mutex_t *)m));
}

int __wrap_mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict until);
int __wrap_mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict until)
{
    return c11_result(pthread_mutex_timedlock((pthread_mutex_t *)m, until));
}

int __wrap_mtx_trylock(mtx_t *m);
int __wrap_mtx_trylock(mtx_t *m)
{
    return c11_result(pthread_mutex_trylock((pthread_mutex_t *)m));
}

int __wrap_mtx_unlock(mtx_t *m);
int __wrap_mtx_unlock(mtx_t *m)
{
    return c11_result(pthread_mutex_unlock((pthread_mutex_t *)m));
}

void __wrap_mtx_destroy(mtx_t *m);
void __wrap_mtx_destroy(mtx_t *m)
{
    pthread_mutex_destroy((pthread_mutex_t *)m);
}

int __wrap_cnd_init(cnd_t *c);
int __wrap_cnd_init(cnd_t *c)
{
    return c11_result(pthread_cond_init((pthread_cond_t *)c, NULL));
}

int __wrap_cnd_signal(cnd_t *c);
int __wrap_cnd_signal(cnd_t *c)
{
    return c11_result(pthread_cond_signal((pthread_cond_t *)c));
}

int __wrap_cnd_broadcast(cnd_t *c);
int __wrap_cnd_broadcast(cnd_t *c)
{
    return c11_result(pthread_cond_broadcast((pthread_cond_t *)c));
}

int __wrap_cnd_wait(cnd_t *c, mtx_t *m);
int __wrap_cnd_wait(cnd_t *c, mtx_t *m)
{
    return c11_result(pthread_cond_wait((pthread_cond_t *)c, (pthread_mutex_t *)m));
}

int __wrap_cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m,
                         const struct timespec *restrict until);
int __wrap_cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m,
                         const struct timespec *restrict until)
{
    return c11_result(pthread_cond_timedwait((pthread_cond_t *)c, (pthread_mutex_t *)m, until));
}

void __wrap_cnd_destroy(cnd_t *c);
void __wrap_cnd_destroy(cnd_t *c)
{
    pthread_cond_destroy((pthread_cond_t *)c);
}

void __wrap_call_once(once_flag *flag, void (*fn)(void));
void __wrap_call_once(once_flag *flag, void (*fn)(void))
{
    pthread_once((pthread_once_t *)flag, fn);
}
