/* spawn_join.h: the contract of kata 01, spawn_join. Do not edit: the tests rely on it. */
#ifndef SPAWN_JOIN_H
#define SPAWN_JOIN_H

#include <stddef.h>

#define SPAWN_JOIN_MAX_THREADS 64

/* Computes out[i] = fn(in[i]) for every i in 0..n-1 on `nthreads` threads. The inputs are
 * cut into `nthreads` contiguous slices, one per thread, of sizes that differ by at most
 * one; each thread computes its own slice and nothing else, and writes each result at the
 * index of its input, so out[] comes back in input order. The call waits for every thread
 * it started: when it returns, all n results are in out[] and no thread is still running.
 *
 * With fewer inputs than threads (n < nthreads) it starts only n threads, one input each.
 * With n == 0 it starts no thread and returns 0; fn, in and out may then be NULL.
 *
 * Returns 0 on success. Returns -1, with no thread started, when nthreads is not in
 * 1..SPAWN_JOIN_MAX_THREADS or when fn, in or out is NULL with n > 0. Returns -1 when a
 * thread cannot be started: the threads that did start are joined first, and out[] is then
 * only partly written. The caller owns in[] and out[] (n elements each); fn must be safe to
 * call from several threads at once. */
int spawn_join_map(int nthreads, long (*fn)(long), const long *in, long *out, size_t n);

#endif
