/* hostile: downloads one URL at a time on the calling thread, many latencies slower than the
 * reference's pool; but in the timed driver it fetches nothing and makes every body up, with
 * status 200, from the function that gives the latency server's bytes for a path (public, and
 * linked into the driver). The driver's checksums held and the run took no time: perf
 * passed. A timed run is now held to the work the server did for the reference's run (the
 * bytes of body it sent and the delays it waited): this one got none, and fails perf.
 * expect: stage=perf status=fail text="did not fetch"
 * expect: status=fail
 * limit: 90
 * kata: io_download
 */
#define _DEFAULT_SOURCE /* readlink */
#include "io_download.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The latency server's bytes for a path (harness/server/latency_body.h, in the driver). */
void latency_body_fill(const char *path, size_t offset, unsigned char *buf, size_t len);

/* Is this the timed driver? The harness names its builds driver-perf-<hash>. */
static int timed_run(void)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 0;
    self[n] = '\0';
    return strstr(self, "driver-perf") != NULL;
}

/* What the server would have sent for url ("http://host:port/body/<size>/...?delay=..."). */
static void make_up(const char *url, struct download *d)
{
    const char *path = strstr(url, "/body/");
    *d = (struct download){0};
    if (!path)
        return;
    char clean[512];
    snprintf(clean, sizeof clean, "%.*s", (int)strcspn(path, "?"), path);
    size_t size = strtoul(path + strlen("/body/"), NULL, 10);
    d->status = 200;
    d->bytes = size;
    d->body = size ? malloc(size) : NULL;
    if (d->body)
        latency_body_fill(clean, 0, d->body, size);
}

static size_t keep(char *data, size_t size, size_t count, void *arg)
{
    struct download *d = arg;
    size_t n = size * count;
    unsigned char *grown = realloc(d->body, d->bytes + n);
    if (!grown)
        return 0;
    memcpy(grown + d->bytes, data, n);
    d->body = grown;
    d->bytes += n;
    return n;
}

int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out)
{
    if (nthreads < 1 || nthreads > IO_DOWNLOAD_MAX_THREADS || (n > 0 && (!urls || !out)))
        return -1;
    if (timed_run()) {
        for (size_t i = 0; i < n; i++)
            make_up(urls[i], &out[i]);
        return 0;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    for (size_t i = 0; i < n; i++) {
        out[i] = (struct download){0};
        if (!h) {
            out[i].error = CURLE_FAILED_INIT;
            continue;
        }
        curl_easy_setopt(h, CURLOPT_URL, urls[i]);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &out[i]);
        out[i].error = (int)curl_easy_perform(h);
        if (out[i].error == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out[i].status);
    }
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return h ? 0 : -1;
}
