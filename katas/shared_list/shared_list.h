/* shared_list.h: the contract of kata 07, shared_list. Do not edit: the tests rely on it. */
#ifndef SHARED_LIST_H
#define SHARED_LIST_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define SHARED_LIST_MAX_THREADS 64

/* A word of a text: `len` letters from `start`. It points into the text; it owns nothing. */
struct word {
    const char *start;
    size_t len;
};

/*
 * A growable list of words, like a Python list: `items[0..len)` are the words, and there is
 * room for `cap` before the array has to move. Use it in three steps:
 *
 *   1. word_list_init(&l): an empty list (no memory yet).
 *   2. word_list_append(&l, w) adds one word; word_list_extend(&l, v, n) adds n at once
 *      (one copy); word_list_reserve(&l, need) makes room for `need` words in total. Each
 *      returns 0, or -1 when memory runs out (the list is then unchanged).
 *   3. word_list_release(&l) frees the array and empties the list.
 *
 * None of them is thread-safe: growing the list moves `items` to a new array (realloc) and
 * frees the old one, so a thread that is still writing to the old array writes into freed
 * memory, and its words are lost. Two threads that change one list at the same time must
 * take turns, under one lock.
 */
struct word_list {
    struct word *items;
    size_t len, cap;
};

static inline void word_list_init(struct word_list *l)
{
    l->items = NULL;
    l->len = l->cap = 0;
}

static inline int word_list_reserve(struct word_list *l, size_t need)
{
    if (need <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 64;
    while (cap < need)
        cap *= 2;
    struct word *items = (struct word *)realloc(l->items, cap * sizeof *items);
    if (!items)
        return -1;
    l->items = items;
    l->cap = cap;
    return 0;
}

static inline int word_list_append(struct word_list *l, struct word w)
{
    if (l->len == l->cap && word_list_reserve(l, l->len + 1))
        return -1;
    l->items[l->len++] = w;
    return 0;
}

static inline int word_list_extend(struct word_list *l, const struct word *v, size_t n)
{
    if (n == 0)
        return 0;
    if (word_list_reserve(l, l->len + n))
        return -1;
    memcpy(l->items + l->len, v, n * sizeof *v);
    l->len += n;
    return 0;
}

static inline void word_list_release(struct word_list *l)
{
    free(l->items);
    word_list_init(l);
}

/* Is c a letter? A word is a run of ASCII letters (a-z, A-Z) as long as it goes: every other
 * byte (spaces, digits, punctuation, bytes above 127) separates words. */
static inline int shared_list_is_letter(char c)
{
    return (unsigned)(((unsigned char)c | 32) - 'a') < 26;
}

/*
 * Splits text[0..n) into its words on `nthreads` threads, and appends every word, once, to
 * the one shared list `out`. Thread t scans bytes [n * t / nthreads, n * (t + 1) / nthreads)
 * and owns each word that starts there (a word that starts near the end of its slice runs
 * on into the next one). The call starts exactly `nthreads` threads (also when the text is
 * shorter than that) and waits for all of them.
 *
 * `out` must have been initialized (word_list_init) and may already hold words: the new
 * ones are added after them, in no particular order (the threads race to add them). The
 * words point into `text`, which the caller owns and keeps; the caller releases `out` with
 * word_list_release.
 *
 * Returns the number of words added (0 for a text without letters, or n == 0). Returns -1,
 * with nothing added and no thread started, when nthreads is not in
 * 1..SHARED_LIST_MAX_THREADS, when out is NULL, or when text is NULL with n > 0. Returns -1
 * when a thread cannot be started or memory runs out: the threads that did start are
 * joined first, and `out` then holds only some of the words.
 */
long shared_list_words(int nthreads, const char *text, size_t n, struct word_list *out);

#endif
