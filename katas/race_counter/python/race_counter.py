"""race_counter.py: kata 02 as the Python tutorial wrote it: threads add to one counter under a Lock.

Usage: python3 race_counter.py NTHREADS ITERS   (the harness runs it with 10 1000000)

Each of NTHREADS threads adds 1 to a global counter ITERS times, taking the one Lock
around every `counter += 1`, and the total must come out as NTHREADS * ITERS. This is
the fixed version of the tutorial's race: without the lock, updates are lost.
"""
import sys
import threading

counter = 0
counter_lock = threading.Lock()


def increment(iters):
    global counter
    for _ in range(iters):
        # `counter += 1` is a read, an add and a write: another thread may run in between
        # (the interpreter switches threads every few milliseconds), so the lock is needed
        # even with the GIL.
        with counter_lock:
            counter += 1


def main():
    nthreads = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    threads = [threading.Thread(target=increment, args=(iters,)) for _ in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"race_counter.py: {nthreads} threads x {iters} increments = {counter} "
          f"(expected {nthreads * iters})")
    return 0 if counter == nthreads * iters else 1


if __name__ == "__main__":
    sys.exit(main())
