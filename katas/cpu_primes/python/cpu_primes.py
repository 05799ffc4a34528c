"""cpu_primes.py: kata 08 as the Python tutorial wrote it: processes over equal ranges.

Usage: python3 cpu_primes.py NPROCS LIMIT   (the harness runs it with 8 3000000)

Counts the primes below LIMIT with the tutorial's is_prime (2 and 3, then 6k - 1 and
6k + 1 up to the square root), in NPROCS processes that each take an equal slice of the
range and put their count on a Queue. Threads would not help here: the interpreter lock
lets one thread run Python code at a time, so CPU-bound work needs processes.
"""
import multiprocessing
import sys


def is_prime(n):
    if n <= 1:
        return False
    if n <= 3:
        return True
    if n % 2 == 0 or n % 3 == 0:
        return False
    i = 5
    while i * i <= n:
        if n % i == 0 or n % (i + 2) == 0:
            return False
        i += 6
    return True


def count_primes(start, end, results):
    count = 0
    for n in range(start, end):
        if is_prime(n):
            count += 1
    results.put(count)


def sieve_count(limit):
    """The answer, by a sieve (a fraction of the time), to check the processes' total."""
    if limit <= 2:
        return 0
    composite = bytearray(limit)
    for n in range(2, int(limit ** 0.5) + 1):
        if not composite[n]:
            composite[n * n::n] = b"\x01" * len(range(n * n, limit, n))
    return limit - 2 - sum(composite[2:])


def main():
    nprocs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000_000
    results = multiprocessing.Queue()
    step = limit // nprocs
    procs = []
    for p in range(nprocs):
        start = p * step
        end = limit if p == nprocs - 1 else start + step
        procs.append(multiprocessing.Process(target=count_primes, args=(start, end, results)))
    for p in procs:
        p.start()
    total = sum(results.get() for _ in procs)
    for p in procs:
        p.join()
    expected = sieve_count(limit)
    print(f"cpu_primes.py: {nprocs} processes, primes below {limit}: {total} "
          f"(expected {expected})")
    return 0 if total == expected else 1


if __name__ == "__main__":
    sys.exit(main())
