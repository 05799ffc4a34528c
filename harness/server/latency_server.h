/* latency_server.h - an embedded HTTP server whose responses arrive after a chosen latency. */
#ifndef KATA_LATENCY_SERVER_H
#define KATA_LATENCY_SERVER_H

#include <stdint.h>

/*
 * The I/O-bound katas download from this server, so the time they should take
 * is known: n requests at concurrency c and latency d cannot finish before
 * ceil(n / c) * d. It runs on libmicrohttpd with one epoll thread; a delayed
 * request is suspended, not slept on, and one timer thread resumes each
 * request when its deadline passes, so thousands can wait at once. A body of
 * up to 1 MiB leaves in the same write as its headers (no Nagle or delayed-ACK
 * stall); larger ones are generated as the socket takes them.
 *
 * Endpoints (the path is taken as sent, without percent-decoding):
 *
 *   GET /body/<N>[/<anything>]   200 with exactly N bytes (N <= LATENCY_MAX_BODY),
 *                                the bytes latency_body_fill() gives for the path
 *                                (without the query string). Also HEAD.
 *       ?delay=<ms>              answer <ms> milliseconds after the request arrived
 *                                (CLOCK_MONOTONIC; at most LATENCY_MAX_DELAY_MS)
 *       ?status=<code>           answer with that status (200..599) and, unless
 *                                it is 200, the short body "status <code>\n"
 *                                instead; combines with delay
 *   GET /stats                   200, {"requests":R,"in_flight":F,
 *                                "peak_in_flight":P,"completed":C,"max_late_us":L,
 *                                "body_bytes":B,"delay_ms":D}
 *                                (the fields of struct latency_stats, in that order)
 *   GET or POST /stats/reset     reset the counters, answer the stats after reset
 *   anything else                404 (405 for another method on a known path,
 *                                400 for a size, delay or status out of range)
 *
 * Every request except those to /stats and /stats/reset is counted: it is in
 * flight from the moment its headers arrive until its response is queued
 * (which is when it is counted as completed), so a delayed request is in
 * flight for the whole of its delay.
 */

/* Largest body /body/<N> serves, 64 MiB. */
#define LATENCY_MAX_BODY ((uint64_t)64 << 20)
/* Longest delay a request may ask for, ten minutes. */
#define LATENCY_MAX_DELAY_MS 600000u

struct latency_server;

struct latency_stats {
    uint64_t requests;       /* counted requests that arrived since start or reset */
    uint64_t in_flight;      /* arrived, response not yet queued (waiting in a delay) */
    uint64_t peak_in_flight; /* the most in flight at once since start or reset */
    uint64_t completed;      /* responses queued since start or reset */
    uint64_t max_late_us;    /* the longest a response was queued after it was due (its
                                arrival, or its deadline if delayed), in microseconds */
    uint64_t body_bytes;     /* the bytes of the 200 bodies answered to GET requests: the
                                work a client asked of the server (the perf stage holds a
                                timed run to the reference's; a body made up by the client
                                itself is not counted here) */
    uint64_t delay_ms;       /* the delays the answered body requests asked for, summed */
};

/*
 * Starts a server listening on `host` (a numeric IPv4 or IPv6 address; NULL
 * means "127.0.0.1") and `port` (0: the kernel picks a free one), with its
 * threads running. Returns the server, owned by the caller until
 * latency_server_stop(). Returns NULL on failure (bad address, port in use,
 * out of memory or threads) after printing why on stderr; nothing is left
 * running.
 *
 * It does not change process-wide state: a caller expecting many connections
 * should raise RLIMIT_NOFILE first (each connection costs the server one fd).
 * The server's two threads block all signals, so signals still reach the
 * caller's threads; SIGPIPE is not needed either (sends use MSG_NOSIGNAL).
 */
struct latency_server *latency_server_start(const char *host, unsigned short port);

/* Returns the port the server listens on (the kernel's choice if 0 was asked). */
unsigned short latency_server_port(const struct latency_server *srv);

/*
 * Returns the base URL, e.g. "http://127.0.0.1:43121", without a trailing
 * slash. The string belongs to the server and lives until latency_server_stop().
 */
const char *latency_server_url(const struct latency_server *srv);

/* Copies the current counters into *out, all read at one instant. Cannot fail. */
void latency_server_stats(const struct latency_server *srv, struct latency_stats *out);

/*
 * Resets requests, completed, max_late_us, body_bytes and delay_ms to 0 and peak_in_flight
 * to the current
 * in_flight (requests still waiting stay counted in flight). Cannot fail.
 */
void latency_server_reset_stats(struct latency_server *srv);

/*
 * Stops the server: requests still waiting in a delay are answered at once
 * or have their connection closed, the listening socket is closed, the
 * threads are joined and all memory is freed. `srv` is invalid afterwards;
 * NULL is accepted and does nothing.
 */
void latency_server_stop(struct latency_server *srv);

#endif
