/*
 * io_download: download many URLs at once, on a pool of threads.
 *
 * A download is mostly waiting: the request goes out, and the answer comes back 50 ms
 * later. A thread waiting inside curl_easy_perform uses no CPU at all, so while one
 * thread waits, others can wait too: nthreads threads, each on its own transfer, fetch n
 * URLs in about ceil(n / nthreads) waits instead of n.
 *
 * This file already downloads every URL correctly, one after another, on the calling
 * thread. Your job: start a pool of nthreads threads that share the URLs out, each thread
 * with one easy handle of its own that it makes once and reuses for every URL it fetches.
 * Read katas/io_download/README.md first.
 */
#include "io_download.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Where the body of the transfer in progress goes: its download and the room it has. */
struct sink {
    struct download *d;
    size_t capacity;
};

/* libcurl hands the body over in pieces, as they arrive: append each one. Returning less
 * than size * nmemb tells libcurl to stop the transfer (CURLE_WRITE_ERROR). */
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

/* Fetches one URL with the easy handle h into *d. */
static void fetch(CURL *h, struct sink *sink, const char *url, struct download *d)
{
    *d = (struct download){0};
    *sink = (struct sink){d, 0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    d->error = (int)curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &d->status); /* 0 if no response came */
}

int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out)
{
    if (nthreads < 1 || nthreads > IO_DOWNLOAD_MAX_THREADS)
        return -1;
    if (n > 0 && (!urls || !out))
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (struct download){.error = CURLE_FAILED_INIT};
    if (n == 0)
        return 0;
    /* Not thread-safe in every libcurl: call it here, before any thread exists. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;

    /* TODO: this is what one thread of the pool does: make one easy handle, then fetch
     * URL after URL with it. Move it into a thread function, and start nthreads threads
     * (never more than n) with pthread_create. */
    CURL *h = curl_easy_init();
    if (!h) {
        curl_global_cleanup();
        return -1;
    }
    struct sink sink;
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no signals: they would hit any thread */

    /* TODO: share the URLs out so each is fetched exactly once: each thread takes the
     * next index that nobody has taken (an atomic_size_t and atomic_fetch_add), or a
     * slice of its own. */
    for (size_t i = 0; i < n; i++)
        fetch(h, &sink, urls[i], &out[i]);
    curl_easy_cleanup(h);

    /* TODO: join every thread before the cleanup: out[] is not ready until they are done. */
    curl_global_cleanup();
    return 0;
}
