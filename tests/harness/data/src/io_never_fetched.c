/* io_never_fetched.c: an io_download submission that fetches nothing and gives every URL what
 * the contract gives a URL nobody fetched: the driver says so, not "error 2"
 * (tests/harness/stages/test_perf.c). */
#include "io_download.h"

#include <curl/curl.h>

int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out)
{
    (void)urls;
    if (nthreads < 1 || nthreads > IO_DOWNLOAD_MAX_THREADS || (n > 0 && (!urls || !out)))
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (struct download){.error = CURLE_FAILED_INIT};
    return 0;
}
