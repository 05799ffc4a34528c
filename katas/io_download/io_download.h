/* io_download.h: the contract of kata 11, io_download. Do not edit: the tests rely on it. */
#ifndef IO_DOWNLOAD_H
#define IO_DOWNLOAD_H

#include <stddef.h>

#define IO_DOWNLOAD_MAX_THREADS 64

/* What one URL gave. A transfer that got a response is not an error, whatever its status:
 * a 500 has status 500, error 0 and the server's short error body. A transfer that got no
 * response (the connection was refused, the server hung up) has status 0 and error set. */
struct download {
    long status;         /* the HTTP status (200, 404, 500, ...); 0 when no response came */
    int error;           /* 0 when the transfer completed, else its CURLcode (never 0) */
    size_t bytes;        /* how many body bytes arrived */
    unsigned char *body; /* those bytes, from malloc; NULL when bytes == 0. The caller frees
                            it with free() */
};

/* Downloads every URL of urls[0..n-1] with libcurl (HTTP GET, no redirects followed) on a
 * pool of `nthreads` threads, and stores what urls[i] gave in out[i]. Each URL is fetched
 * exactly once. Each thread has one easy handle of its own that it reuses for every URL it
 * fetches, so its connection to the server is kept open between them. With fewer URLs than
 * threads it starts only n threads; with n == 0 it starts none. The call waits for every
 * thread it started: when it returns, all of out[] is written and no thread is running.
 *
 * It calls curl_global_init itself, on the calling thread, before any thread starts, and
 * curl_global_cleanup once they are all done (libcurl counts these calls, so a caller that
 * has its own curl_global_init is not disturbed).
 *
 * Returns 0 when every URL was tried: one URL's failure is recorded in its out[i] and does
 * not stop the others. Returns -1, with no thread started and out[] untouched, when
 * nthreads is not in 1..IO_DOWNLOAD_MAX_THREADS or when urls or out is NULL with n > 0.
 * Returns -1 when a thread or an easy handle cannot be created: the threads that did start
 * are joined first, and every URL nobody fetched has error CURLE_FAILED_INIT, status 0 and
 * no body. The caller owns urls[] and out[] (n elements each) and every out[i].body. */
int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out);

#endif
