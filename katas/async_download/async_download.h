/* async_download.h: the contract of kata 13, async_download. Do not edit: the tests rely on it. */
#ifndef ASYNC_DOWNLOAD_H
#define ASYNC_DOWNLOAD_H

#include <stddef.h>

/* The most connections open at once. Each is a file descriptor, and a process may have only
 * 1024 by default: with more URLs than this, the others wait for a connection to come free. */
#define ASYNC_DOWNLOAD_MAX_CONNECTIONS 256

/* What one URL gave, as in kata 11 (io_download). A transfer that got a response is not an
 * error, whatever its status: a 500 has status 500, error 0 and the server's short error
 * body. A transfer that got no response (the connection was refused, the server hung up)
 * has status 0 and error set. */
struct download {
    long status;         /* the HTTP status (200, 404, 500, ...); 0 when no response came */
    int error;           /* 0 when the transfer completed, else its CURLcode (never 0) */
    size_t bytes;        /* how many body bytes arrived */
    unsigned char *body; /* those bytes, from malloc; NULL when bytes == 0. The caller frees
                            it with free() */
};

/* Downloads every URL of urls[0..n-1] with libcurl (HTTP GET, no redirects followed) and
 * stores what urls[i] gave in out[i], like kata 11's io_download_all, but on the calling
 * thread alone: it starts no thread. All the transfers are in flight at once (up to
 * ASYNC_DOWNLOAD_MAX_CONNECTIONS), driven by libcurl's multi interface, and while they
 * wait for the server the call sleeps in curl_multi_poll instead of spinning. Each URL is
 * fetched exactly once. When the call returns, all of out[] is written and every
 * connection it opened is closed.
 *
 * `nthreads` is there so that the call is a drop-in replacement for kata 11's, and must
 * be 1: the one thread is the caller's.
 *
 * It calls curl_global_init itself before the first transfer, and curl_global_cleanup
 * once they are all done (libcurl counts these calls, so a caller that has its own
 * curl_global_init is not disturbed).
 *
 * Returns 0 when every URL was tried: one URL's failure is recorded in its out[i] and does
 * not stop the others. Returns -1, with out[] untouched, when nthreads is not 1 or when
 * urls or out is NULL with n > 0. Returns -1 when a multi or easy handle cannot be
 * created or the multi interface fails: every URL that did not finish then has error
 * CURLE_FAILED_INIT, status 0 and no body. The caller owns urls[] and out[] (n elements
 * each) and every out[i].body. */
int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out);

#endif
