/* race_counter.h: the contract of kata 02, race_counter. Do not edit: the tests rely on it. */
#ifndef RACE_COUNTER_H
#define RACE_COUNTER_H

#define RACE_COUNTER_MAX_THREADS 64

/* Starts `nthreads` threads that each add 1 to one shared counter `iters` times, waits
 * for all of them, and returns the counter. Correct code returns nthreads * iters, every
 * time. Each call starts again from zero. Returns -1 when nthreads is not in
 * 1..RACE_COUNTER_MAX_THREADS, when iters is negative, or when a thread cannot be started. */
long race_counter_run(int nthreads, long iters);

#endif
