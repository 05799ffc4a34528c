/* test_shared_list.c: the functional tests of kata 07, shared_list. */
#include "shared_list.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A text of n bytes drawn from the seed: words of 1 to 14 letters, both cases, between
 * runs of spaces, digits, punctuation and bytes above 127. */
static char *random_text(size_t n)
{
    static const char seps[] = " \n\t,.;:!?-_0123456789'\"()[]@\x80\xc3\xa9\xff";
    char *t = malloc(n ? n : 1);
    cr_assert_not_null(t, "out of memory for %zu bytes", n);
    for (size_t i = 0; i < n;) {
        long len = kata_rand_range(1, 14);
        for (long k = 0; k < len && i < n; k++)
            t[i++] = (char)((kata_rand_range(0, 1) ? 'a' : 'A') + kata_rand_range(0, 25));
        long gap = kata_rand_range(1, 3);
        for (long k = 0; k < gap && i < n; k++)
            t[i++] = seps[kata_rand_range(0, (long)sizeof seps - 2)];
    }
    return t;
}

/* The answer, the plain way: every word, in order, on this thread. */
static void words_in_order(const char *t, size_t n, struct word_list *l)
{
    for (size_t i = 0; i < n;) {
        if (!shared_list_is_letter(t[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && shared_list_is_letter(t[i]))
            i++;
        cr_assert_eq(word_list_append(l, (struct word){t + start, i - start}), 0);
    }
}

static int by_start(const void *a, const void *b)
{
    const struct word *x = a, *y = b;
    uintptr_t p = (uintptr_t)x->start, q = (uintptr_t)y->start;
    if (p != q)
        return (p > q) - (p < q);
    return (x->len > y->len) - (x->len < y->len);
}

/* Checks that got[from..len) holds exactly the words of t[0..n), each once, in any order. */
static void assert_same_words(const char *t, size_t n, struct word_list *got, size_t from,
                              const char *what)
{
    struct word_list want;
    word_list_init(&want);
    words_in_order(t, n, &want);
    size_t m = got->len - from;
    cr_assert_eq(m, want.len, "%s: the list holds %zu new words, the text has %zu (%s)", what, m,
                 want.len,
                 m < want.len ? "some words were lost" : "some words were added more than once");
    struct word *v = got->items + from;
    qsort(v, m, sizeof *v, by_start);
    for (size_t k = 0; k < m; k++) {
        size_t at = (size_t)((uintptr_t)v[k].start - (uintptr_t)t);
        size_t expect = (size_t)(want.items[k].start - t);
        cr_assert(v[k].start == want.items[k].start && v[k].len == want.items[k].len,
                  "%s: sorted by position, word %zu should be the %zu letters at offset %zu "
                  "(\"%.*s\"), got %zu letters at offset %zu",
                  what, k, want.items[k].len, expect, (int)want.items[k].len, want.items[k].start,
                  v[k].len, at);
    }
    word_list_release(&want);
}

Test(shared_list, finds_every_word_exactly_once)
{
    size_t n = (size_t)kata_rand_range(200000, 2000000);
    int t = (int)kata_rand_range(2, 8);
    char *text = random_text(n);
    struct word_list out;
    word_list_init(&out);
    long got = shared_list_words(t, text, n, &out);
    cr_assert_eq(got, (long)out.len, "%d threads, %zu bytes: returned %ld, the list holds %zu", t,
                 n, got, out.len);
    assert_same_words(text, n, &out, 0, "words of a random text");
    word_list_release(&out);
    free(text);
}

Test(shared_list, keeps_every_word_when_many_threads_append_at_once)
{
    /* many threads, many small lists growing at once: a resize without the lock loses words */
    for (int round = 0; round < 3; round++) {
        size_t n = (size_t)kata_rand_range(300000, 600000);
        int t = (int)kata_rand_range(8, 16);
        char *text = random_text(n);
        struct word_list out;
        word_list_init(&out);
        long got = shared_list_words(t, text, n, &out);
        cr_assert_eq(got, (long)out.len, "%d threads, %zu bytes: returned %ld, the list holds %zu",
                     t, n, got, out.len);
        assert_same_words(text, n, &out, 0, "16 threads at once");
        word_list_release(&out);
        free(text);
    }
}

Test(shared_list, starts_exactly_the_threads_it_was_asked_for)
{
    size_t n = (size_t)kata_rand_range(10000, 100000);
    int t = (int)kata_rand_range(2, 12);
    char *text = random_text(n);
    struct word_list out;
    word_list_init(&out);
    kata_threads_reset();
    shared_list_words(t, text, n, &out);
    cr_assert_eq(kata_threads_started(), t,
                 "asked for %d threads on %zu bytes, pthread_create ran %ld %s", t, n,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    word_list_release(&out);
    free(text);
}

Test(shared_list, one_thread_finds_every_word_too)
{
    size_t n = (size_t)kata_rand_range(1000, 100000);
    char *text = random_text(n);
    struct word_list out;
    word_list_init(&out);
    kata_threads_reset();
    long got = shared_list_words(1, text, n, &out);
    cr_assert_eq(kata_threads_started(), 1, "asked for 1 thread, pthread_create ran %ld %s",
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    cr_assert_eq(got, (long)out.len, "returned %ld, the list holds %zu", got, out.len);
    assert_same_words(text, n, &out, 0, "one thread");
    word_list_release(&out);
    free(text);
}

Test(shared_list, adds_after_the_words_the_list_already_holds)
{
    size_t n1 = (size_t)kata_rand_range(1000, 50000), n2 = (size_t)kata_rand_range(1000, 50000);
    char *a = random_text(n1), *b = random_text(n2);
    struct word_list out, first;
    word_list_init(&out);
    word_list_init(&first);
    long got1 = shared_list_words((int)kata_rand_range(2, 6), a, n1, &out);
    cr_assert_eq(got1, (long)out.len, "the first call returned %ld, the list holds %zu", got1,
                 out.len);
    cr_assert_eq(word_list_extend(&first, out.items, out.len), 0);
    long got2 = shared_list_words((int)kata_rand_range(2, 6), b, n2, &out);
    cr_assert_eq(got2, (long)(out.len - first.len),
                 "the second call returned %ld, but the list grew by %zu", got2,
                 out.len - first.len);
    cr_assert(out.len >= first.len &&
                  !memcmp(out.items, first.items, first.len * sizeof *first.items),
              "the second call changed the words the list already held");
    assert_same_words(b, n2, &out, first.len, "the second text");
    word_list_release(&first);
    word_list_release(&out);
    free(a);
    free(b);
}

Test(shared_list, a_word_that_crosses_every_slice_is_found_once)
{
    int t = (int)kata_rand_range(2, 8);
    size_t n = (size_t)kata_rand_range(100, 5000);
    char *text = malloc(n);
    cr_assert_not_null(text);
    memset(text, 'q', n);
    struct word_list out;
    word_list_init(&out);
    long got = shared_list_words(t, text, n, &out);
    cr_assert_eq(got, 1, "%zu letters and no space are one word; %d threads found %ld", n, t, got);
    cr_assert(out.len == 1 && out.items[0].start == text && out.items[0].len == n,
              "the one word is all %zu letters, from the first byte", n);
    word_list_release(&out);
    free(text);
}

Test(shared_list, words_cut_at_slice_edges_are_found_once)
{
    /* two-letter words and single spaces: with many threads, nearly every slice starts
     * or ends inside a word */
    size_t n = (size_t)kata_rand_range(300, 3000);
    int t = (int)kata_rand_range(5, 40);
    char *text = malloc(n);
    cr_assert_not_null(text);
    for (size_t i = 0; i < n; i++)
        text[i] = i % 3 == 2 ? ' ' : (char)('a' + i % 26);
    struct word_list out;
    word_list_init(&out);
    long got = shared_list_words(t, text, n, &out);
    cr_assert_eq(got, (long)out.len, "returned %ld, the list holds %zu", got, out.len);
    assert_same_words(text, n, &out, 0, "short words, many slices");
    word_list_release(&out);
    free(text);
}

Test(shared_list, more_threads_than_bytes_still_works)
{
    char text[] = "a bc d";
    int t = (int)kata_rand_range(7, SHARED_LIST_MAX_THREADS);
    struct word_list out;
    word_list_init(&out);
    kata_threads_reset();
    long got = shared_list_words(t, text, strlen(text), &out);
    cr_assert_eq(got, 3, "\"a bc d\" has 3 words; %d threads found %ld", t, got);
    cr_assert_eq(kata_threads_started(), t, "asked for %d threads, pthread_create ran %ld %s", t,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    assert_same_words(text, strlen(text), &out, 0, "\"a bc d\"");
    word_list_release(&out);
}

Test(shared_list, a_text_without_letters_has_no_words)
{
    size_t n = (size_t)kata_rand_range(0, 10000);
    char *text = malloc(n ? n : 1);
    cr_assert_not_null(text);
    for (size_t i = 0; i < n; i++)
        text[i] = " 0123456789.,\n"[i % 14];
    struct word_list out;
    word_list_init(&out);
    long got = shared_list_words(4, text, n, &out);
    cr_assert_eq(got, 0, "%zu bytes of digits and spaces have no words; found %ld", n, got);
    cr_assert_eq(out.len, 0, "the list should stay empty, it holds %zu", out.len);
    cr_assert_eq(shared_list_words(3, NULL, 0, &out), 0, "an empty text (NULL, 0) has no words");
    word_list_release(&out);
    free(text);
}

Test(shared_list, rejects_bad_arguments)
{
    char text[] = "some words";
    struct word_list out;
    word_list_init(&out);
    kata_threads_reset();
    cr_assert_eq(shared_list_words(0, text, 10, &out), -1, "0 threads is not a valid request");
    cr_assert_eq(shared_list_words(SHARED_LIST_MAX_THREADS + 1, text, 10, &out), -1,
                 "more than SHARED_LIST_MAX_THREADS threads is not a valid request");
    cr_assert_eq(shared_list_words(2, text, 10, NULL), -1, "out == NULL is an error");
    cr_assert_eq(shared_list_words(2, NULL, 10, &out), -1, "text == NULL with n > 0 is an error");
    cr_assert_eq(out.len, 0, "a rejected request should add nothing");
    cr_assert_eq(kata_threads_started(), 0,
                 "a rejected request should start no thread, pthread_create ran %ld %s",
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
}

/* The contract's error path: pthread_create fails (the test support makes it fail after
 * `ok` threads started). The call returns -1, after joining the threads that did start. */
static void expect_start_failure(int t, long ok)
{
    /* the test support holds the threads that did start until the call waits for them:
     * one left behind is still running when the call returns, however little text it has */
    size_t n = (size_t)kata_rand_range(2000, 20000);
    char *text = random_text(n);
    struct word_list out;
    word_list_init(&out);
    kata_threads_fail_after(ok);
    long got = shared_list_words(t, text, n, &out);
    long still = kata_threads_running();
    kata_threads_fail_after(-1);
    cr_assert_eq(got, -1,
                 "%d threads asked for, pthread_create failed after %ld started: the call "
                 "should return -1, it returned %ld",
                 t, ok, got);
    cr_assert_eq(still, 0,
                 "pthread_create failed after %ld thread%s started, and %ld %s still running "
                 "when the call returned -1: join the threads that did start first",
                 ok, ok == 1 ? "" : "s", still, still == 1 ? "was" : "were");
    /* neither released nor freed: were a thread still running, it would use them */
}

Test(shared_list, joins_the_threads_it_started_when_another_cannot_be_started)
{
    int t = (int)kata_rand_range(2, 8);
    expect_start_failure(t, 0);
    expect_start_failure(t, kata_rand_range(1, t - 1));
}
