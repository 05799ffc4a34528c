/* good: a queue of URL indices behind a mutex, one easy handle per thread made by the caller
 * expect: status=pass
 * expect: status=pass
 *
 * The caller makes every thread's handle before any thread starts (so a handle that cannot
 * be made stops the call before anything is fetched) and hands each thread its own. The
 * threads take the next index from the queue under a mutex, and nothing else they share.
 */
#include "io_download.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct queue {
    pthread_mutex_t lock;
    size_t next, n; /* next: the first index nobody has taken */
};

struct worker {
    CURL *handle;
    struct queue *queue;
    const char *const *urls;
    struct download *out;
    size_t capacity; /* of the body being received */
    struct download *current;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct worker *w = userdata;
    struct download *d = w->current;
    size_t len = size * nmemb;
    if (d->bytes + len > w->capacity) {
        size_t cap = w->capacity ? w->capacity * 2 : 8192;
        while (cap < d->bytes + len)
            cap *= 2;
        unsigned char *p = realloc(d->body, cap);
        if (!p)
            return 0;
        d->body = p;
        w->capacity = cap;
    }
    memcpy(d->body + d->bytes, data, len);
    d->bytes += len;
    return len;
}

/* Takes the next index, or returns 0 when the queue is empty. */
static int take(struct queue *q, size_t *i)
{
    pthread_mutex_lock(&q->lock);
    int got = q->next < q->n;
    if (got)
        *i = q->next++;
    pthread_mutex_unlock(&q->lock);
    return got;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    size_t i;
    while (take(w->queue, &i)) {
        struct download *d = &w->out[i];
        *d = (struct download){0};
        w->current = d;
        w->capacity = 0;
        curl_easy_setopt(w->handle, CURLOPT_URL, w->urls[i]);
        d->error = (int)curl_easy_perform(w->handle);
        curl_easy_getinfo(w->handle, CURLINFO_RESPONSE_CODE, &d->status);
    }
    return NULL;
}

int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out)
{
    if (nthreads < 1 || nthreads > IO_DOWNLOAD_MAX_THREADS || (n > 0 && (!urls || !out)))
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (struct download){.error = CURLE_FAILED_INIT};
    if (n == 0)
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    size_t t = (size_t)nthreads < n ? (size_t)nthreads : n;
    struct queue q = {.next = 0, .n = n};
    pthread_mutex_init(&q.lock, NULL);
    struct worker ws[IO_DOWNLOAD_MAX_THREADS];
    pthread_t threads[IO_DOWNLOAD_MAX_THREADS];
    size_t made = 0, started = 0;
    for (; made < t; made++) {
        CURL *h = curl_easy_init();
        if (!h)
            break;
        ws[made] = (struct worker){.handle = h, .queue = &q, .urls = urls, .out = out};
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &ws[made]);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    }
    if (made == t)
        while (started < t && pthread_create(&threads[started], NULL, run, &ws[started]) == 0)
            started++;
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    for (size_t k = 0; k < made; k++)
        curl_easy_cleanup(ws[k].handle);
    pthread_mutex_destroy(&q.lock);
    curl_global_cleanup();
    return started == t ? 0 : -1;
}
