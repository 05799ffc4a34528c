/* mutant: when pthread_create fails it returns -1 at once, while the threads already started still add words
 * rejected-by: test */
#include "shared_list.h"

#include <pthread.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER; /* guards the shared list */

struct slice {
    const char *text;
    size_t n;              /* the whole text's length: the last word may run past hi */
    size_t lo, hi;         /* this thread owns the words that start in [lo, hi) */
    struct word_list *out; /* the shared list */
    long found;            /* the words this thread added, or -1 when memory ran out */
};

static void *split_slice(void *arg)
{
    struct slice *s = arg;
    const char *t = s->text;
    size_t i = s->lo;
    /* a word that started before lo belongs to the thread on the left: skip its rest */
    while (i > 0 && i < s->hi && shared_list_is_letter(t[i - 1]) && shared_list_is_letter(t[i]))
        i++;
    struct word_list mine; /* this thread's alone: no lock */
    word_list_init(&mine);
    s->found = 0;
    while (i < s->hi) {
        if (!shared_list_is_letter(t[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < s->n && shared_list_is_letter(t[i]))
            i++;
        if (word_list_append(&mine, (struct word){t + start, i - start})) {
            s->found = -1;
            break;
        }
    }
    if (s->found == 0) {
        pthread_mutex_lock(&out_lock);
        int rc = word_list_extend(s->out, mine.items, mine.len);
        pthread_mutex_unlock(&out_lock);
        s->found = rc ? -1 : (long)mine.len;
    }
    word_list_release(&mine);
    return NULL;
}

long shared_list_words(int nthreads, const char *text, size_t n, struct word_list *out)
{
    if (nthreads < 1 || nthreads > SHARED_LIST_MAX_THREADS || !out || (!text && n > 0))
        return -1;
    pthread_t threads[SHARED_LIST_MAX_THREADS];
    /* static, so the running threads' slices outlive the early return */
    static struct slice slices[SHARED_LIST_MAX_THREADS];
    int started = 0;
    for (; started < nthreads; started++) {
        size_t lo = n * (size_t)started / (size_t)nthreads;
        size_t hi = n * (size_t)(started + 1) / (size_t)nthreads;
        slices[started] = (struct slice){text, n, lo, hi, out, 0};
        if (pthread_create(&threads[started], NULL, split_slice, &slices[started]) != 0)
            return -1; /* the bug: the threads already started still add to `out` */
    }
    long total = 0;
    for (int t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
        total = total < 0 || slices[t].found < 0 ? -1 : total + slices[t].found;
    }
    return started == nthreads ? total : -1;
}
