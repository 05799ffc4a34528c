/* explore.c: shared_list under the explore stage's scheduler: two threads split a text of 70
 * words (more than the list's first allocation of 64 holds, so it grows while the threads
 * add), every interleaving a schedule can reach, judged by the words added (each one exactly
 * once, in any order). */
#include "shared_list.h"

#include "explore.h" /* harness/runtime/explore.h */

#include <stdio.h>

enum { THREADS = 2, WORDS = 70, N = 3 * WORDS - 1 };
static char text[N + 1];

static int body(long *out, int max)
{
    for (int i = 0; i < N; i++)
        text[i] = i % 3 == 2 ? ' ' : (char)('a' + (i / 3 + i % 3) % 26);
    struct word_list l;
    word_list_init(&l);
    out[0] = shared_list_words(THREADS, text, N, &l);
    out[1] = (long)l.len;
    int n = 2;
    for (size_t i = 0; i < l.len && n + 2 <= max; i++) {
        out[n++] = l.items[i].start - text;
        out[n++] = (long)l.items[i].len;
    }
    return n;
}

static const char *judge(const long *v, int n, char *buf, size_t len)
{
    if (n < 2)
        return "the run ended without a result";
    if (v[0] != WORDS || v[1] != WORDS) {
        snprintf(buf, len,
                 "shared_list_words(%d threads, %d words) returned %ld and the list holds %ld "
                 "words, not %d%s",
                 THREADS, WORDS, v[0], v[1], WORDS, v[1] < WORDS ? ": a word was lost" : "");
        return buf;
    }
    int seen[WORDS] = {0};
    for (int i = 2; i + 1 < n; i += 2) {
        long at = v[i], wl = v[i + 1];
        if (at < 0 || at >= N || at % 3 || wl != 2) {
            snprintf(buf, len,
                     "shared_list_words(%d threads, %d words): the list holds a word at offset "
                     "%ld of length %ld, which is not one of the text's",
                     THREADS, WORDS, at, wl);
            return buf;
        }
        if (seen[at / 3]++) {
            snprintf(buf, len,
                     "shared_list_words(%d threads, %d words): the word at offset %ld is in the "
                     "list twice",
                     THREADS, WORDS, at);
            return buf;
        }
    }
    return NULL;
}

int main(void)
{
    static const struct explore_kata k = {body, judge};
    return explore_main(&k);
}
