/* driver.c: io_download under the detectors and the timer: `driver NTHREADS N DELAY_MS [MAX]`. */
#include "io_download.h"

#include "latency_body.h"

#include <curl/curl.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* URL i asks for a body of this many bytes: from MAX / 8 to MAX (default 40000), spread by i.
 * Bodies over 16 KB arrive in several pieces. */
static size_t max_bytes = 40000;

static size_t body_size(long i)
{
    return max_bytes / 8 + (size_t)(i * 7919) % (max_bytes - max_bytes / 8 + 1);
}

/* latency_body.h says, in words, what is wrong with a download */
static const char *what_is_wrong(const struct download *d, size_t want, const char *path, char *buf,
                                 size_t n)
{
    const char *text = curl_easy_strerror((CURLcode)d->error);
    int never = d->error == CURLE_FAILED_INIT;
    struct latency_download got = {d->status, d->error, text, never, d->bytes, d->body};
    return latency_download_wrong(&got, path, want, buf, n);
}

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 4;
    long n = argc > 2 ? atol(argv[2]) : 16;
    long delay = argc > 3 ? atol(argv[3]) : 0;
    long max = argc > 4 ? atol(argv[4]) : 40000;
    const char *server = getenv("KATA_SERVER_URL");
    if (n < 1 || delay < 0 || max < 8) {
        fprintf(stderr, "usage: driver NTHREADS N DELAY_MS [MAX] (N >= 1, MAX >= 8)\n");
        return 2;
    }
    if (!server) {
        fprintf(stderr, "driver: KATA_SERVER_URL is not set (the harness starts the server)\n");
        return 2;
    }
    max_bytes = (size_t)max;
    char **urls = calloc((size_t)n, sizeof *urls);
    char **paths = calloc((size_t)n, sizeof *paths);
    struct download *out = calloc((size_t)n, sizeof *out);
    if (!urls || !paths || !out) {
        fprintf(stderr, "driver: out of memory\n");
        return 2;
    }
    for (long i = 0; i < n; i++) {
        char path[64], url[512];
        snprintf(path, sizeof path, "/body/%zu/driver-%ld", body_size(i), i);
        snprintf(url, sizeof url, "%s%s?delay=%ld", server, path, delay);
        paths[i] = malloc(sizeof path);
        urls[i] = malloc(sizeof url);
        if (!paths[i] || !urls[i]) {
            fprintf(stderr, "driver: out of memory\n");
            return 2;
        }
        snprintf(paths[i], sizeof path, "%s", path);
        snprintf(urls[i], sizeof url, "%s", url);
    }
    int rc = io_download_all((const char *const *)urls, (size_t)n, nthreads, out);
    /* Check every download right after the call: a thread still writing would be a race. */
    long wrong = 0;
    for (long i = 0; i < n; i++) {
        char why[256];
        const char *wrong_here = what_is_wrong(&out[i], body_size(i), paths[i], why, sizeof why);
        if (wrong_here && wrong++ < 3)
            fprintf(stderr, "driver: %s: %s\n", urls[i], wrong_here);
        free(out[i].body);
        free(urls[i]);
        free(paths[i]);
    }
    printf("io_download_all(%ld URL%s, %d thread%s, %ld ms delay) = %d, %ld of %ld wrong\n", n,
           n == 1 ? "" : "s", nthreads, nthreads == 1 ? "" : "s", delay, rc, wrong, n);
    free(urls);
    free(paths);
    free(out);
    return rc == 0 && wrong == 0 ? 0 : 1;
}
