/* driver.c: shared_list under the detectors and the timer: `driver NTHREADS BYTES [ROUNDS]`. */
#include "shared_list.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text is one generated block repeated: cheap to make, and its words still sit at
 * different places, so each copy's words are words of their own. */
#define BLOCK (1 << 20)

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A word as one number: where it starts and how long it is. Summing mix() of these over a
 * list is a fingerprint of the list as a multiset: a lost, doubled or wrong word changes it. */
static uint64_t word_key(size_t offset, size_t len)
{
    return mix((uint64_t)offset * 0x100000001b3ULL ^ (uint64_t)len);
}

static void generate(char *text, size_t n)
{
    static const char seps[] = " ,.;:!?-\n\t0123456789\"'()";
    size_t block = n < BLOCK ? n : BLOCK;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < block;) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int len = 1 + (int)(x % 9);
        for (int k = 0; k < len && i < block; k++)
            text[i++] = (char)((x >> (10 + k)) & 1 ? 'a' : 'A') + (char)((x >> (20 + 4 * k)) % 26);
        int gap = 1 + ((x >> 58) == 0); /* now and then two separators */
        for (int k = 0; k < gap && i < block; k++)
            text[i++] = seps[(x >> (52 - 6 * k)) % (sizeof seps - 1)];
    }
    if (block)
        text[block - 1] = ' '; /* no word runs from one copy into the next */
    for (size_t i = block; i < n; i += block)
        memcpy(text + i, text, n - i < block ? n - i : block);
}

/* The shared list is a global, not a local of main: DRD does not check stack variables (by
 * default), and two threads growing the list unlocked race on out.len. */
static struct word_list out;

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 4;
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    long rounds = argc > 3 ? atol(argv[3]) : 1;
    char *text = malloc(n ? n : 1);
    if (!text) {
        fprintf(stderr, "driver: cannot allocate %zu bytes\n", n);
        return 2;
    }
    generate(text, n);

    /* the answer, on this thread */
    long expected = 0;
    uint64_t fingerprint = 0;
    for (size_t i = 0; i < n;) {
        if (!shared_list_is_letter(text[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && shared_list_is_letter(text[i]))
            i++;
        expected++;
        fingerprint += word_key(start, i - start);
    }

    word_list_init(&out);
    int ok = 1;
    for (long r = 0; r < rounds && ok; r++) {
        out.len = 0; /* the same list again: its memory is already there */
        long got = shared_list_words(nthreads, text, n, &out);
        ok = got == expected && out.len == (size_t)expected;
        /* Every round must find every word; the last one is checked word by word too (all
         * of them on this one thread, so the other rounds skip it to keep the timer on the
         * splitting). */
        uint64_t seen = fingerprint;
        long outside = 0;
        if (ok && r == rounds - 1) {
            seen = 0;
            for (size_t k = 0; k < out.len; k++) {
                uintptr_t at = (uintptr_t)out.items[k].start - (uintptr_t)text;
                if (at >= n || out.items[k].len > n - at)
                    outside++;
                seen += word_key((size_t)at, out.items[k].len);
            }
            ok = !outside && seen == fingerprint;
        }
        if (!ok)
            printf("shared_list_words(%d thread%s, %zu bytes), round %ld, returned %ld and the "
                   "list holds %zu words; the text has %ld%s%s\n",
                   nthreads, nthreads == 1 ? "" : "s", n, r + 1, got, out.len, expected,
                   outside ? "; some words point outside the text" : "",
                   seen != fingerprint ? "; the list's words are not the text's words" : "");
    }
    if (ok)
        printf("shared_list_words(%d thread%s, %zu bytes) x %ld: all %ld words, each once\n",
               nthreads, nthreads == 1 ? "" : "s", n, rounds, expected);
    word_list_release(&out);
    free(text);
    return ok ? 0 : 1;
}
