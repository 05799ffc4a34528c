"""shared_list.py: kata 07 as the Python tutorial wrote it: workers fill one Manager list.

Usage: python3 shared_list.py NPROCS BYTES [ROUNDS] [--per-item]
       (the harness runs it with 2 1048576 1)

The text is the one the kata's C driver splits (tests/katas/shared_list/driver.c: the same
generator, so the same words); NPROCS processes each split their slice of it into words,
(start, length), and put them in one multiprocessing.Manager().list(). By default each
process builds a plain list of its own and extends the shared one once, as the kata's
reference does in C; with --per-item each word is appended to the shared list as it is
found, the tutorial's slow version. Every append or extend is a message to the manager's
process: the arguments are pickled, sent over a socket, unpickled, applied and answered.
"""
import multiprocessing
import re
import sys

BLOCK = 1 << 20
MASK = (1 << 64) - 1
SEPS = b" ,.;:!?-\n\t0123456789\"'()"
WORD = re.compile(rb"[A-Za-z]+")


def generate(n):
    """The C driver's text: one pseudo-random block of words and separators, repeated."""
    block = min(n, BLOCK)
    text = bytearray(block)
    x = 0x9E3779B97F4A7C15
    i = 0
    while i < block:
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        for k in range(1 + x % 9):
            if i == block:
                break
            text[i] = (97 if (x >> (10 + k)) & 1 else 65) + (x >> (20 + 4 * k)) % 26
            i += 1
        for k in range(1 + ((x >> 58) == 0)):
            if i == block:
                break
            text[i] = SEPS[(x >> (52 - 6 * k)) % len(SEPS)]
            i += 1
    if block:
        text[block - 1] = 32  # no word runs from one copy into the next
    return bytes(text) * (n // BLOCK) + bytes(text[: n % BLOCK]) if n > BLOCK else bytes(text)


def split_slice(text, lo, hi, shared, per_item):
    """The words that start in text[lo:hi], into the shared list."""
    # a word that started before lo belongs to the slice on the left
    while 0 < lo < hi and text[lo - 1 : lo].isalpha() and text[lo : lo + 1].isalpha():
        lo += 1
    mine = []
    for m in WORD.finditer(text, lo):
        if m.start() >= hi:
            break
        if per_item:
            shared.append((m.start(), m.end() - m.start()))
        else:
            mine.append((m.start(), m.end() - m.start()))
    if not per_item:
        shared.extend(mine)


def main():
    args = [a for a in sys.argv[1:] if a != "--per-item"]
    per_item = len(args) < len(sys.argv) - 1
    nprocs = int(args[0]) if len(args) > 0 else 2
    n = int(args[1]) if len(args) > 1 else 1 << 20
    rounds = int(args[2]) if len(args) > 2 else 1
    text = generate(n)
    expected = sorted((m.start(), m.end() - m.start()) for m in WORD.finditer(text))
    ok = True
    with multiprocessing.Manager() as manager:
        for _ in range(rounds):
            shared = manager.list()
            procs = [
                multiprocessing.Process(
                    target=split_slice,
                    args=(text, n * p // nprocs, n * (p + 1) // nprocs, shared, per_item),
                )
                for p in range(nprocs)
            ]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            got = sorted(shared[:])  # one message: a copy of the whole list (iterating the
            # proxy would ask the manager for each item in turn)
            ok = ok and got == expected and all(p.exitcode == 0 for p in procs)
    print(f"shared_list.py: {nprocs} processes, {n} bytes x {rounds}, "
          f"{'append per word' if per_item else 'extend once'}: "
          f"{len(got)} words ({len(expected)} in the text){'' if ok else ', WRONG'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
