/* io_wrong_status.c: an io_download submission that downloads every body right, on one thread,
 * but records status 201 for a 200: the driver says the status is wrong, not the bytes
 * (tests/harness/stages/test_perf.c). */
#include "io_download.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct download *d = arg;
    size_t n = size * nmemb;
    unsigned char *body = realloc(d->body, d->bytes + n);
    if (!body)
        return 0;
    memcpy(body + d->bytes, data, n);
    d->body = body;
    d->bytes += n;
    return n;
}

int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out)
{
    if (nthreads < 1 || nthreads > IO_DOWNLOAD_MAX_THREADS || (n > 0 && (!urls || !out)))
        return -1;
    curl_global_init(CURL_GLOBAL_ALL);
    CURL *h = curl_easy_init();
    for (size_t i = 0; i < n; i++) {
        struct download *d = &out[i];
        *d = (struct download){0};
        curl_easy_setopt(h, CURLOPT_URL, urls[i]);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, d);
        d->error = (int)curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &d->status);
        if (d->status == 200)
            d->status = 201; /* the bug */
    }
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return 0;
}
