/* raw_client.h - many concurrent HTTP/1.1 GETs on plain non-blocking sockets and one epoll.
 *
 * What server-bench measures is the server: how soon N delayed responses are all back. A
 * general client spends most of a short benchmark on itself (libcurl sets up each of 1000
 * connections in about 0.1 ms of CPU, on the same two cores as the server), so the default
 * client is this one: a socket, a connect, one write of the request, reads until the body's
 * Content-Length bytes are in, and a close: a few system calls per request. It checks what
 * libcurl would: the status is 200, the body has the promised length and checksum. */
#ifndef KATA_RAW_CLIENT_H
#define KATA_RAW_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct raw_get {
    char path[96];     /* "/body/1024/7?delay=150" */
    size_t want_bytes; /* the body's length */
    uint64_t want_sum; /* and its checksum (latency_body.h) */
};

/* Runs every GET at once against 127.0.0.1:port and waits for all of them, up to
 * timeout_ms. Returns how many failed (connection refused, a status other than 200, a
 * short or wrong body, the timeout), each described on stderr. */
unsigned long raw_client_run(int port, const struct raw_get *gets, unsigned long n,
                             long timeout_ms);

#endif
