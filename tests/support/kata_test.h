/* kata_test.h: what every kata's Criterion tests share: seeded sizes and counted threads. */
#ifndef KATA_TEST_H
#define KATA_TEST_H

/* The run's seed: KATA_SEED from the harness (printed in the verdict, so a failure can be
 * replayed with SEED=), or 1 when the tests run by hand. */
unsigned long kata_seed(void);

/* A number in [lo, hi], drawn from the seed: the same seed gives the same sizes, a new one
 * new sizes, so no hard-coded answer survives. */
long kata_rand_range(long lo, long hi);

/* How many times the code under test called pthread_create since the last reset (the test
 * binary is linked with -Wl,--wrap=pthread_create). A solution that never starts the
 * threads it was asked for is caught by this count. */
long kata_threads_started(void);
void kata_threads_reset(void);

/* Makes pthread_create fail: the next `ok` calls start their thread as usual, and every call
 * after them returns EAGAIN without starting one, as when a system runs out of threads. A
 * negative `ok` lets every call through again. The counter of kata_threads_started counts
 * only threads that did start. */
void kata_threads_fail_after(long ok);

/* How many threads the code under test started (through the wrapper) that have not ended yet
 * (their start function has not returned, nor called pthread_exit): after a call that must
 * join what it started, this is 0. A thread started while a failure is armed waits before
 * its function runs until the code shows it waits for it (pthread_join on it; or the
 * creating thread blocking on a condition variable, semaphore or barrier), until the failure
 * is disarmed, or for a second at most: a call that returns without waiting returns while
 * its threads are held, so this count does not depend on how busy the machine is. */
long kata_threads_running(void);

/* How many times the code under test called fork() successfully since the last reset
 * (-Wl,--wrap=fork): a process kata that forks nothing is caught by this count. */
long kata_processes_started(void);
void kata_processes_reset(void);

/* How many processes forked by the code under test, since the last kata_processes_reset in
 * this process, ended through exit() (or a return from main) rather than _exit(): exit()
 * runs the exit handlers the child inherited from this process (the reset registers one
 * that counts) and flushes its copies of this process's stdio buffers a second time. */
long kata_children_that_ran_exit_handlers(void);

/* A child forked by the code under test that calls _exit() (-Wl,--wrap=_exit) first closes
 * every descriptor, then lingers KATA_EXIT_LINGER_MS before it really exits, as a child that
 * the scheduler sets aside just before its end would. Whoever reads its pipes sees
 * end-of-file at once, while the child is still running: a parent that reaps it with
 * WNOHANG then finds it alive every time, not once in a while. */
#define KATA_EXIT_LINGER_MS 30

/* The number of open file descriptors of this process (from /proc/self/fd): compare before
 * and after a call to find a leaked descriptor. */
int kata_open_fds(void);

/* The number of this process's children that are zombies (exited, never waited for), and
 * of those still alive. Both from /proc. */
int kata_zombie_children(void);
int kata_live_children(void);

/* CPU time (user + system) this process has used so far, in seconds: a thread that should
 * be blocked but spins shows up here. */
double kata_cpu_seconds(void);

/* The time this process's live threads have wanted a CPU so far, in seconds: time run plus
 * time waited in the run queue (/proc/self/task/N/schedstat), or -1 where the kernel does not
 * say. A thread that spins is runnable the whole time, however busy the machine, while CPU
 * time alone shrinks with the share of a core it gets: on a machine with 30 programs running,
 * a spinning loop used under 30 ms of CPU in 300 ms. */
double kata_runnable_seconds(void);

/* The noun for a count of n in a message: `one` when n is 1, else `many` ("ran %ld %s", n,
 * kata_plural(n, "time", "times")). Returns one of its arguments. */
const char *kata_plural(long n, const char *one, const char *many);

#endif
