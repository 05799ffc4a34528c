/* mutant: msg->data.result is never read: a refused connection counts as a success
 * rejected-by: test */
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

/* A new easy handle for urls[i], added to the multi handle, or NULL. */
static CURL *add_transfer(CURLM *multi, const char *url, struct sink *sink)
{
    CURL *h = curl_easy_init();
    if (!h)
        return NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(h, CURLOPT_PRIVATE, sink);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (curl_multi_add_handle(multi, h) != CURLM_OK) {
        curl_easy_cleanup(h);
        return NULL;
    }
    return h;
}

/* Records every transfer libcurl says is done, and lets its handle go. */
static void collect_finished(CURLM *multi)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *h = msg->easy_handle;
        struct sink *s;
        curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&s);
        s->d->error = 0; /* "done" taken for "done well" */
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &s->d->status); /* 0 if none came */
        curl_multi_remove_handle(multi, h);
        curl_easy_cleanup(h);
        s->d = NULL; /* done: the cleanup below leaves it alone */
    }
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
    CURLM *multi = curl_multi_init();
    struct sink *sinks = calloc(n, sizeof *sinks);
    CURL **handles = calloc(n, sizeof *handles);
    int ok = multi && sinks && handles;
    if (multi) {
        curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                          (long)ASYNC_DOWNLOAD_MAX_CONNECTIONS);
        curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)ASYNC_DOWNLOAD_MAX_CONNECTIONS);
    }
    /* Every transfer is added before the first one runs: libcurl starts them all at once
     * (and queues any beyond the connection limit until one comes free). */
    for (size_t i = 0; ok && i < n; i++) {
        out[i] = (struct download){0};
        sinks[i] = (struct sink){&out[i], 0};
        handles[i] = add_transfer(multi, urls[i], &sinks[i]);
        ok = handles[i] != NULL;
    }
    int running = ok;
    while (running) {
        CURLMcode mc = curl_multi_perform(multi, &running);
        collect_finished(multi);
        /* Sleep until a socket is ready or libcurl's next timeout; never spin. */
        if (mc == CURLM_OK && running)
            mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
        if (mc != CURLM_OK) {
            ok = 0;
            break;
        }
    }
    /* Whatever did not finish (only after a failure) gets the error the contract says. */
    for (size_t i = 0; sinks && handles && i < n; i++) {
        if (!sinks[i].d)
            continue;
        if (handles[i]) {
            curl_multi_remove_handle(multi, handles[i]);
            curl_easy_cleanup(handles[i]);
        }
        free(out[i].body);
        out[i] = (struct download){.error = CURLE_FAILED_INIT};
    }
    curl_multi_cleanup(multi);
    free(handles);
    free(sinks);
    curl_global_cleanup();
    return ok ? 0 : -1;
}
