/* process_memory.h: the contract of kata 06, process_memory. Do not edit: the tests rely on it. */
#ifndef PROCESS_MEMORY_H
#define PROCESS_MEMORY_H

#define PROCESS_MEMORY_MAX_PROCS 64

/* Finds every prime p with from <= p < to, on `nprocs` forked child processes, and stores
 * them in out[] in increasing order. The children do the testing; the calling process only
 * starts them, waits for them and gathers what they found, which reaches it through memory
 * shared on purpose (mmap with MAP_SHARED), guarded by a process-shared mutex.
 *
 * It forks exactly `nprocs` children, or one per number when the range holds fewer numbers
 * than that (to - from < nprocs), and none for an empty range (from == to: returns 0, and
 * out may then be NULL). Every child has exited and been reaped (waited for) when the call
 * returns, and no descriptor or mapping it made is left behind.
 *
 * Returns the number of primes stored in out[] (0 when the range holds none). Returns -1,
 * with no child started, when nprocs is not in 1..PROCESS_MEMORY_MAX_PROCS, when
 * from < 0 or from > to, or when out is NULL for a non-empty range. Returns -1 when the
 * shared memory cannot be made or a child cannot be forked (the children that did start
 * are reaped first), or when a child did not exit normally with status 0; out[] is then
 * undefined. The caller owns out[], which must have room for to - from longs. */
long process_memory_collect(int nprocs, long from, long to, long *out);

#endif
