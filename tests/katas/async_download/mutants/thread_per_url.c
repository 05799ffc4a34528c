/* mutant: a thread per URL, each in curl_easy_perform: in flight, but not one thread
 * rejected-by: test */
#include "async_download.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sink {
    struct download *d;
    size_t capacity;
};

struct task {
    const char *url;
    struct sink sink;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    struct download *d = s->d;
    size_t len = size * nmemb;
    if (len > s->capacity - d->bytes) {
        size_t cap = s->capacity ? s->capacity : 16384;
        while (cap - d->bytes < len)
            cap *= 2;
        unsigned char *grown = realloc(d->body, cap);
        if (!grown)
            return 0;
        d->body = grown;
        s->capacity = cap;
    }
    memcpy(d->body + d->bytes, data, len);
    d->bytes += len;
    return len;
}

static void *fetch(void *arg)
{
    struct task *t = arg;
    struct download *d = t->sink.d;
    CURL *h = curl_easy_init();
    if (!h)
        return NULL;
    curl_easy_setopt(h, CURLOPT_URL, t->url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t->sink);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    d->error = (int)curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &d->status);
    curl_easy_cleanup(h);
    return NULL;
}

int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out)
{
    if (nthreads != 1)
        return -1;
    if (n > 0 && (!urls || !out))
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (struct download){.error = CURLE_FAILED_INIT};
    if (n == 0)
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    struct task *tasks = calloc(n, sizeof *tasks);
    pthread_t *threads = calloc(n, sizeof *threads);
    size_t started = 0;
    for (; tasks && threads && started < n; started++) {
        out[started] = (struct download){.error = CURLE_FAILED_INIT};
        tasks[started] = (struct task){urls[started], {&out[started], 0}};
        if (pthread_create(&threads[started], NULL, fetch, &tasks[started]) != 0)
            break;
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(tasks);
    free(threads);
    curl_global_cleanup();
    return started == n ? 0 : -1;
}
