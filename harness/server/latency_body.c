/* latency_body.c - deterministic response bodies and their FNV-1a checksum. */
#include "latency_body.h"

#include <stdio.h>

#define FNV_PRIME UINT64_C(0x100000001b3)
#define GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)

uint64_t latency_checksum_update(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t path_seed(const char *path)
{
    uint64_t h = LATENCY_CHECKSUM_INIT;

    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        h ^= *p;
        h *= FNV_PRIME;
    }
    return h;
}

/*
 * The k-th output of a splitmix64 generator started at `seed`. Being a
 * function of k rather than of the previous output is what lets a fill start
 * at any offset.
 */
static uint64_t block(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + (k + 1) * GOLDEN_GAMMA;

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void latency_body_fill(const char *path, size_t offset, unsigned char *buf, size_t len)
{
    uint64_t seed = path_seed(path);
    uint64_t k = offset / 8;
    unsigned skip = (unsigned)(offset % 8);
    size_t i = 0;

    while (i < len) {
        uint64_t word = block(seed, k++);

        /* Least significant byte first, so the stream is the same on any host. */
        for (unsigned b = skip; b < 8 && i < len; b++)
            buf[i++] = (unsigned char)(word >> (8 * b));
        skip = 0;
    }
}

uint64_t latency_body_checksum(const char *path, size_t n)
{
    unsigned char chunk[4096];
    uint64_t h = LATENCY_CHECKSUM_INIT;

    for (size_t done = 0; done < n;) {
        size_t len = n - done < sizeof chunk ? n - done : sizeof chunk;

        latency_body_fill(path, done, chunk, len);
        h = latency_checksum_update(h, chunk, len);
        done += len;
    }
    return h;
}

const char *latency_download_wrong(const struct latency_download *got, const char *path,
                                   size_t want, char *buf, size_t n)
{
    if (got->never_fetched && got->status == 0 && got->bytes == 0)
        snprintf(buf, n,
                 "never fetched (error %d, CURLE_FAILED_INIT: what a URL nobody "
                 "fetched is given)",
                 got->error);
    else if (got->error != 0)
        snprintf(buf, n, "the transfer failed: error %d (%s), status %ld", got->error,
                 got->error_text ? got->error_text : "?", got->status);
    else if (got->status == 0 && got->bytes == 0 && !got->body)
        snprintf(buf, n, "never written (status 0, error 0, no body)");
    else if (got->status != 200)
        snprintf(buf, n, "status %ld, want 200 (%zu bytes)", got->status, got->bytes);
    else if (got->bytes != want)
        snprintf(buf, n, "%zu bytes, want %zu", got->bytes, want);
    else if (!got->body)
        snprintf(buf, n, "%zu bytes, yet body is NULL", got->bytes);
    else if (latency_checksum_update(LATENCY_CHECKSUM_INIT, got->body, got->bytes) !=
             latency_body_checksum(path, want))
        snprintf(buf, n, "%zu bytes, as many as the body has, but not the bytes it has",
                 got->bytes);
    else
        return NULL;
    return buf;
}
