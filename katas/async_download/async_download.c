/*
 * async_download: every download in flight at once, on one thread.
 *
 * In kata 11 each thread of the pool spent its life waiting inside curl_easy_perform.
 * A transfer does not need a thread to wait, though: it needs someone to notice when its
 * socket has something. libcurl's multi interface does that for many transfers at once.
 * Add every transfer's easy handle to one multi handle, then loop: curl_multi_perform
 * does whatever work is ready on any of them and returns at once, curl_multi_poll sleeps
 * until one of their sockets is ready, and curl_multi_info_read tells you which
 * transfers are done. One thread, n waits overlapped: the asyncio.gather of the lessons.
 *
 * This file already downloads every URL correctly, one after another with
 * curl_easy_perform, which waits for each in turn. Your job: put them all in flight at
 * once with the multi interface, still on this one thread. Read
 * katas/async_download/README.md first.
 */
#include "async_download.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* Where one transfer's body goes: its download and the room it has. */
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

    /* TODO: make one multi handle with curl_multi_init, and limit its connections to
     * ASYNC_DOWNLOAD_MAX_CONNECTIONS (curl_multi_setopt, CURLMOPT_MAX_TOTAL_CONNECTIONS). */
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) {
        /* TODO: each transfer needs an easy handle and a sink of its own for as long as it
         * is in flight, and all of them are in flight at once: keep them in arrays. Set
         * CURLOPT_PRIVATE to the sink, so a finished handle leads back to its download. */
        struct sink sink = {&out[i], 0};
        out[i] = (struct download){0};
        CURL *h = curl_easy_init();
        if (!h) {
            out[i].error = CURLE_FAILED_INIT;
            ok = 0;
            break;
        }
        curl_easy_setopt(h, CURLOPT_URL, urls[i]);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);

        /* TODO: instead of waiting for this one transfer here, add the handle to the multi
         * handle (curl_multi_add_handle) and go on to the next URL. */
        out[i].error = (int)curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out[i].status); /* 0 if none came */
        curl_easy_cleanup(h);
    }

    /* TODO: the loop that drives them all, until none is running:
     *   curl_multi_perform(multi, &running)     does what is ready, never waits;
     *   curl_multi_info_read(multi, &left)      each CURLMSG_DONE is one finished transfer:
     *                                           its msg->data.result is the error, and
     *                                           CURLINFO_PRIVATE finds its sink; then
     *                                           curl_multi_remove_handle, curl_easy_cleanup;
     *   curl_multi_poll(multi, NULL, 0, 1000, NULL)   sleeps until a socket is ready.
     * Then curl_multi_cleanup. */
    curl_global_cleanup();
    return ok ? 0 : -1;
}
