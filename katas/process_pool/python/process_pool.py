"""process_pool.py: kata 10 as the Python tutorial wrote it: Pool.starmap over a sieve.

Usage: python3 process_pool.py NWORKERS FROM TO   (the harness runs it with 2 1000 6000)

For every n from FROM to TO, how many primes are there up to n? Each task runs a fresh
sieve of Eratosthenes up to its n, like the kata's C driver (tests/katas/process_pool/
driver.c), on a Pool of NWORKERS worker processes. starmap pickles each task's arguments
to a worker and each result back, in chunks, and returns the results in input order.
"""
import multiprocessing
import sys


def sieve(n):
    """The number of primes up to n, by the sieve of Eratosthenes."""
    is_prime = [True] * (n + 1)
    is_prime[0] = False
    if n >= 1:
        is_prime[1] = False
    for i in range(2, int(n ** 0.5) + 1):
        if is_prime[i]:
            for j in range(i * i, n + 1, i):
                is_prime[j] = False
    return sum(is_prime)


def main():
    nworkers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    lo = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    hi = int(sys.argv[3]) if len(sys.argv) > 3 else 6000
    tasks = [(n,) for n in range(lo, hi + 1)]
    with multiprocessing.Pool(nworkers) as pool:
        results = pool.starmap(sieve, tasks)
    # the answers, from one sieve up to hi: pi(n) for every n
    flags = [True] * (hi + 1)
    flags[0] = False
    if hi >= 1:
        flags[1] = False
    for i in range(2, int(hi ** 0.5) + 1):
        if flags[i]:
            flags[i * i :: i] = [False] * len(range(i * i, hi + 1, i))
    pi, count = [], 0
    for f in flags:
        count += f
        pi.append(count)
    wrong = sum(r != pi[n] for (n,), r in zip(tasks, results))
    print(f"process_pool.py: Pool({nworkers}).starmap(sieve, n in {lo}..{hi}): "
          f"{wrong} of {len(tasks)} results wrong")
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
