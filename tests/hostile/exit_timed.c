/* hostile: downloads one URL at a time on the calling thread, many latencies slower than the
 * reference's pool, and in the timed driver ends the program with _exit(0) before any
 * download: the timer saw a run that exited 0 in a fraction of the reference's time, and
 * passed it. A timed run now counts only when the driver's main returned (stages/main_end.h,
 * with a secret the learner's code never sees); this one did not, and the perf stage says
 * the program ended inside the learner's code. (An I/O kata, so that the proof that the
 * attack works without the defence does not depend on how busy the machine is.)
 * expect: stage=perf status=fail text="exit()"
 * expect: status=fail
 * limit: 90
 * kata: io_download
 */
#define _DEFAULT_SOURCE /* readlink */
#include "io_download.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    if (timed_run())
        _exit(0);
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
