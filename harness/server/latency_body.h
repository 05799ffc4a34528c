/* latency_body.h - the bytes the latency server sends, as pure functions a client can check. */
#ifndef KATA_LATENCY_BODY_H
#define KATA_LATENCY_BODY_H

#include <stddef.h>
#include <stdint.h>

/*
 * The body served for a path is a stream of pseudo-random bytes seeded by the
 * path (FNV-1a 64 of the whole path, without the query string): the same path
 * always gives the same bytes, another path other bytes. Byte i depends only
 * on the path and i, so any slice can be computed without the bytes before it
 * and a client can check a download it received in pieces.
 *
 * None of these functions allocate, lock or fail; they are safe to call from
 * any number of threads at once.
 */

/* FNV-1a 64 offset basis: the checksum of zero bytes, where an incremental sum starts. */
#define LATENCY_CHECKSUM_INIT UINT64_C(0xcbf29ce484222325)

/*
 * Writes bytes [offset, offset + len) of the body for `path` into `buf`.
 * `path` is the URL path exactly as sent on the request line (for
 * "http://host:port/body/1024/a?delay=5" it is "/body/1024/a"); it must not be
 * NULL. The body of an N-byte request is bytes [0, N) of this stream.
 */
void latency_body_fill(const char *path, size_t offset, unsigned char *buf, size_t len);

/*
 * Returns the FNV-1a 64 checksum of the first `n` body bytes for `path`, the
 * value a complete download of "/body/<n>/..." must reach with
 * latency_checksum_update(). Takes time linear in n, and no memory.
 */
uint64_t latency_body_checksum(const char *path, size_t n);

/*
 * Returns the FNV-1a 64 checksum `h` extended by `len` bytes at `data`. Start
 * from LATENCY_CHECKSUM_INIT and feed the pieces of a download in order, in
 * pieces of any size: the result is the same as over the whole at once.
 * `data` may be NULL when `len` is 0.
 */
uint64_t latency_checksum_update(uint64_t h, const void *data, size_t len);

/*
 * One download as a client got it, for latency_download_wrong: the HTTP status (0 when no
 * response came), the transfer's error (0 when it completed) with the client library's
 * words for it, whether it is the error a URL nobody fetched is given, and the body.
 */
struct latency_download {
    long status;
    int error;
    const char *error_text;
    int never_fetched;
    size_t bytes;
    const unsigned char *body;
};

/*
 * What is wrong with `got`, a download of `path` that should be its `want`-byte body with
 * status 200, in words written into buf[0..n) and returned; NULL when it is exactly that.
 * The I/O katas' drivers say it for each wrong URL.
 */
const char *latency_download_wrong(const struct latency_download *got, const char *path,
                                   size_t want, char *buf, size_t n);

#endif
