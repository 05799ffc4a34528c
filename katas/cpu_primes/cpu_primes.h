/* cpu_primes.h: the contract of kata 08, cpu_primes. Do not edit: the tests rely on it. */
#ifndef CPU_PRIMES_H
#define CPU_PRIMES_H

#define CPU_PRIMES_MAX_THREADS 64

/* Counts the primes p with p < limit, testing each number by trial division the way the
 * Python tutorials' is_prime does (by 2 and 3, then by 6k - 1 and 6k + 1 for k = 1, 2, ...
 * up to its square root), on `nthreads` threads that share the numbers between them.
 * Returns the count (0 when limit <= 2, as no prime is below 2), or -1 when nthreads is not
 * in 1..CPU_PRIMES_MAX_THREADS. The same arguments give the same count whatever the number
 * of threads. */
long cpu_primes_count(int nthreads, long limit);

#endif
