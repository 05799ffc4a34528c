/* process_pool.h: the contract of kata 10, process_pool. Do not edit: the tests rely on it. */
#ifndef PROCESS_POOL_H
#define PROCESS_POOL_H

#include <stddef.h>

#define PROCESS_POOL_MAX_WORKERS 64

/* Computes out[i] = fn(in[i]) for every i in 0..n-1 on a pool of `nworkers` forked worker
 * processes, like Python's Pool.map: the workers are forked once, at the start; the calling
 * process hands them tasks over pipes, as they become free, and they send the results back
 * over pipes. fn runs in the workers only, never in the calling process. The results are
 * stored at the index of their input, so out[] comes back in input order whichever worker
 * finished first.
 *
 * It forks exactly `nworkers` workers, or one per input when n < nworkers, and none when
 * n == 0 (returns 0; fn, in and out may then be NULL). When the call returns, every worker
 * has exited and been reaped, and every descriptor the call opened is closed.
 *
 * Returns 0 on success. Returns -1, with no worker started, when nworkers is not in
 * 1..PROCESS_POOL_MAX_WORKERS or when fn, in or out is NULL with n > 0. Returns -1 when a
 * pipe or a worker cannot be made, and when a worker dies before it has sent back every
 * result it was given (fn crashed, say with SIGSEGV, or called _exit): the call does not
 * wait for results that will never come, the other workers are stopped and reaped too, and
 * out[] is then only partly written. The caller owns in[] and out[] (n elements each). */
int process_pool_map(int nworkers, long (*fn)(long), const long *in, long *out, size_t n);

#endif
