/* latency_server.c - the latency server: libmicrohttpd, suspended connections, one timer thread. */
#include "latency_server.h"

#include "latency_body.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include <microhttpd.h>

/*
 * Each connection waits in the heap at most once, so a heap as large as the
 * connection limit can never fill, and it is allocated once, up front: a
 * request never fails for want of a slot.
 */
#define CONNECTION_LIMIT 8192u
/* A thousand clients connecting at once must not overflow the accept queue into SYN retries. */
#define LISTEN_BACKLOG 4096u
/*
 * The next two are measured, not guessed: 1000 concurrent requests at 150 ms
 * with client and server in one process on 2 cores took a median 0.33 s with
 * libmicrohttpd's defaults and 0.29 s with both (each alone gave about half).
 *
 * A request is a few hundred bytes, and the default 32 KiB of memory per
 * connection costs page faults for nothing; streamed bodies still go out in
 * 32 KiB sends.
 */
#define CONNECTION_MEMORY (8u << 10)
/*
 * With TCP_DEFER_ACCEPT the kernel hands a connection over only once its
 * request has arrived, so the server wakes once per request instead of once
 * for the connection and again for the data, and contends less with clients
 * busy connecting. Seconds to wait for the data.
 */
#define DEFER_ACCEPT_S 5
/*
 * Bodies up to this size are built whole, so that libmicrohttpd sends headers
 * and body in one write (two writes can cost 40 ms of Nagle and delayed ACK);
 * larger bodies are generated piece by piece as the socket takes them.
 */
#define WHOLE_BODY_MAX ((uint64_t)1 << 20)
#define STREAM_BLOCK ((size_t)32 << 10)
/* How many due connections the timer resumes per trip outside the lock. */
#define RESUME_BATCH 256u

struct pending {
    uint64_t deadline_ns;
    uint64_t seq; /* ties go in arrival order */
    struct MHD_Connection *conn;
};

struct latency_server {
    struct MHD_Daemon *daemon;
    unsigned short port;
    char url[80];

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;  /* the timer waits here for an earlier deadline or for stop */
    pthread_t timer;
    bool stopping;
    struct pending *heap; /* min-heap on (deadline_ns, seq), CONNECTION_LIMIT slots */
    size_t heap_len;
    uint64_t next_seq;
    struct latency_stats stats;
};

enum route {
    ROUTE_BODY,
    ROUTE_STATS,
    ROUTE_STATS_RESET,
    ROUTE_NOT_FOUND,
    ROUTE_BAD_METHOD,
    ROUTE_BAD_REQUEST,
};

/*
 * One per request, made when its headers arrive and freed when libmicrohttpd
 * is done with it. Only the thread that runs the connection touches it.
 */
struct request {
    enum route route;
    bool in_flight; /* counted in stats.in_flight right now */
    bool waited;    /* it has been suspended once: answer on the next call */
    bool get;       /* a GET (a HEAD asks for no body) */
    uint64_t arrived_ns;
    uint64_t deadline_ns; /* 0: answer as soon as the request is in */
    uint64_t due_ns;      /* when the answer should go out: arrival, or the deadline */
    uint64_t size;
    unsigned status;
    char message[96]; /* the body of a 400 */
    char path[];      /* the path, seed of the body's bytes */
};

/* What a streamed body's reader needs; it may outlive the request that made it. */
struct stream {
    uint64_t size;
    char path[];
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool pending_before(const struct pending *a, const struct pending *b)
{
    return a->deadline_ns < b->deadline_ns || (a->deadline_ns == b->deadline_ns && a->seq < b->seq);
}

static void heap_push(struct latency_server *srv, uint64_t deadline_ns, struct MHD_Connection *conn)
{
    size_t i = srv->heap_len++;
    struct pending item = {deadline_ns, srv->next_seq++, conn};

    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (!pending_before(&item, &srv->heap[parent]))
            break;
        srv->heap[i] = srv->heap[parent];
        i = parent;
    }
    srv->heap[i] = item;
}

static struct MHD_Connection *heap_pop(struct latency_server *srv)
{
    struct MHD_Connection *top = srv->heap[0].conn;
    struct pending last = srv->heap[--srv->heap_len];
    size_t i = 0;

    for (;;) {
        size_t child = 2 * i + 1;

        if (child >= srv->heap_len)
            break;
        if (child + 1 < srv->heap_len && pending_before(&srv->heap[child + 1], &srv->heap[child]))
            child++;
        if (!pending_before(&srv->heap[child], &last))
            break;
        srv->heap[i] = srv->heap[child];
        i = child;
    }
    if (srv->heap_len > 0)
        srv->heap[i] = last;
    return top;
}

/*
 * The timer: sleeps until the earliest deadline, then resumes every
 * connection whose deadline has passed. Resuming happens outside the lock so
 * the handler thread is never kept waiting on it while libmicrohttpd works.
 */
static void *timer_main(void *arg)
{
    struct latency_server *srv = arg;
    struct MHD_Connection *due[RESUME_BATCH];

    pthread_mutex_lock(&srv->lock);
    while (!srv->stopping) {
        size_t n = 0;
        uint64_t now;

        if (srv->heap_len == 0) {
            pthread_cond_wait(&srv->wake, &srv->lock);
            continue;
        }
        now = now_ns();
        if (srv->heap[0].deadline_ns > now) {
            struct timespec until = {
                .tv_sec = (time_t)(srv->heap[0].deadline_ns / 1000000000u),
                .tv_nsec = (long)(srv->heap[0].deadline_ns % 1000000000u),
            };

            pthread_cond_timedwait(&srv->wake, &srv->lock, &until);
            continue;
        }
        while (n < RESUME_BATCH && srv->heap_len > 0 && srv->heap[0].deadline_ns <= now)
            due[n++] = heap_pop(srv);
        pthread_mutex_unlock(&srv->lock);
        for (size_t i = 0; i < n; i++)
            MHD_resume_connection(due[i]);
        pthread_mutex_lock(&srv->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

/* Takes a request out of in_flight, once; `answered` says whether it got a response. */
static void finish_request(struct latency_server *srv, struct request *rq, bool answered)
{
    uint64_t now, late_us;

    if (!rq->in_flight)
        return;
    now = now_ns();
    late_us = now > rq->due_ns ? (now - rq->due_ns) / 1000u : 0;
    rq->in_flight = false;
    pthread_mutex_lock(&srv->lock);
    srv->stats.in_flight--;
    if (answered) {
        srv->stats.completed++;
        if (rq->route == ROUTE_BODY) {
            srv->stats.delay_ms += (rq->due_ns - rq->arrived_ns) / 1000000u;
            if (rq->get && rq->status == 200)
                srv->stats.body_bytes += rq->size;
        }
        if (late_us > srv->stats.max_late_us)
            srv->stats.max_late_us = late_us;
    }
    pthread_mutex_unlock(&srv->lock);
}

/* Parses a decimal number of at most `max`; returns 0, or -1 if `s` is not one. */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (*s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

/*
 * Reads N from "/body/<N>" or "/body/<N>/...". Returns 1 with *size set, 0
 * if the path is not of that shape, -1 if N is larger than the limit.
 */
static int parse_body_path(const char *url, uint64_t *size)
{
    static const char prefix[] = "/body/";
    const char *p = url + sizeof prefix - 1;
    uint64_t v = 0;

    if (strncmp(url, prefix, sizeof prefix - 1) != 0 || *p < '0' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > LATENCY_MAX_BODY) {
            while (*p >= '0' && *p <= '9')
                p++;
            return *p == '\0' || *p == '/' ? -1 : 0;
        }
    }
    if (*p != '\0' && *p != '/')
        return 0;
    *size = v;
    return 1;
}

static void bad_request(struct request *rq, const char *what, const char *value, uint64_t lo,
                        uint64_t hi)
{
    rq->route = ROUTE_BAD_REQUEST;
    snprintf(rq->message, sizeof rq->message, "bad %s '%.32s': want %" PRIu64 "..%" PRIu64 "\n",
             what, value, lo, hi);
}

/* Reads ?delay= and ?status= of a /body request; anything malformed makes it a 400. */
static void parse_body_query(struct MHD_Connection *conn, struct request *rq, uint64_t arrival)
{
    const char *delay = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "delay");
    const char *status = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "status");
    uint64_t v;

    if (delay != NULL) {
        if (parse_uint(delay, LATENCY_MAX_DELAY_MS, &v) != 0) {
            bad_request(rq, "delay", delay, 0, LATENCY_MAX_DELAY_MS);
            return;
        }
        if (v > 0)
            rq->deadline_ns = arrival + v * 1000000u;
    }
    if (status != NULL) {
        if (parse_uint(status, 599, &v) != 0 || v < 200) {
            bad_request(rq, "status", status, 200, 599);
            return;
        }
        rq->status = (unsigned)v;
    }
}

static bool is_method(const char *method, const char *a, const char *b)
{
    return strcmp(method, a) == 0 || (b != NULL && strcmp(method, b) == 0);
}

/* Makes the state of a request whose headers have just arrived, and counts it. */
static struct request *request_new(struct latency_server *srv, struct MHD_Connection *conn,
                                   const char *url, const char *method)
{
    uint64_t arrival = now_ns();
    size_t len = strlen(url);
    struct request *rq = calloc(1, sizeof *rq + len + 1);
    bool counted = true;
    int body;

    if (rq == NULL)
        return NULL;
    memcpy(rq->path, url, len + 1);
    rq->status = 200;
    rq->arrived_ns = arrival;
    rq->get = is_method(method, "GET", NULL);
    if (strcmp(url, "/stats") == 0) {
        counted = false;
        rq->route = is_method(method, "GET", "HEAD") ? ROUTE_STATS : ROUTE_BAD_METHOD;
    } else if (strcmp(url, "/stats/reset") == 0) {
        counted = false;
        rq->route = is_method(method, "GET", "POST") ? ROUTE_STATS_RESET : ROUTE_BAD_METHOD;
    } else if ((body = parse_body_path(url, &rq->size)) != 0) {
        if (!is_method(method, "GET", "HEAD"))
            rq->route = ROUTE_BAD_METHOD;
        else if (body > 0)
            parse_body_query(conn, rq, arrival);
        else
            bad_request(rq, "size", url + strlen("/body/"), 0, LATENCY_MAX_BODY);
    } else {
        rq->route = ROUTE_NOT_FOUND;
    }
    rq->due_ns = rq->deadline_ns > arrival ? rq->deadline_ns : arrival;

    if (counted) {
        pthread_mutex_lock(&srv->lock);
        srv->stats.requests++;
        if (++srv->stats.in_flight > srv->stats.peak_in_flight)
            srv->stats.peak_in_flight = srv->stats.in_flight;
        pthread_mutex_unlock(&srv->lock);
        rq->in_flight = true;
    }
    return rq;
}

/*
 * Parks the connection until its deadline. Suspending comes first: a
 * connection must be suspended before anyone may resume it, and once it is in
 * the heap the timer may resume it at any moment.
 */
static enum MHD_Result wait_for_deadline(struct latency_server *srv, struct MHD_Connection *conn,
                                         struct request *rq)
{
    bool parked = false;

    rq->waited = true;
    MHD_suspend_connection(conn);
    pthread_mutex_lock(&srv->lock);
    /* A stopping server takes nothing new: stop resumes only what is in the heap. */
    if (!srv->stopping && srv->heap_len < CONNECTION_LIMIT) {
        heap_push(srv, rq->deadline_ns, conn);
        if (srv->heap[0].conn == conn)
            pthread_cond_signal(&srv->wake);
        parked = true;
    }
    pthread_mutex_unlock(&srv->lock);
    if (!parked)
        MHD_resume_connection(conn);
    return MHD_YES;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    const struct stream *st = cls;

    if (pos >= st->size)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (max > st->size - pos)
        max = (size_t)(st->size - pos);
    latency_body_fill(st->path, (size_t)pos, (unsigned char *)buf, max);
    return (ssize_t)max;
}

static struct MHD_Response *stream_response(const struct request *rq)
{
    size_t len = strlen(rq->path);
    struct stream *st = malloc(sizeof *st + len + 1);
    struct MHD_Response *resp;

    if (st == NULL)
        return NULL;
    st->size = rq->size;
    memcpy(st->path, rq->path, len + 1);
    /* libmicrohttpd frees `st` with the response. */
    resp = MHD_create_response_from_callback(rq->size, STREAM_BLOCK, read_stream, st, free);
    if (resp == NULL)
        free(st);
    return resp;
}

static struct MHD_Response *body_response(const struct request *rq)
{
    static char empty[1];
    unsigned char *buf;
    struct MHD_Response *resp;

    if (rq->size == 0)
        return MHD_create_response_from_buffer(0, empty, MHD_RESPMEM_PERSISTENT);
    if (rq->size > WHOLE_BODY_MAX)
        return stream_response(rq);
    buf = malloc((size_t)rq->size);
    if (buf == NULL)
        return NULL;
    latency_body_fill(rq->path, 0, buf, (size_t)rq->size);
    resp = MHD_create_response_from_buffer((size_t)rq->size, buf, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL)
        free(buf);
    return resp;
}

static struct MHD_Response *text_response(const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);

    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    return resp;
}

static struct MHD_Response *stats_response(const struct latency_stats *st)
{
    char json[400];
    struct MHD_Response *resp;

    snprintf(json, sizeof json,
             "{\"requests\":%" PRIu64 ",\"in_flight\":%" PRIu64 ",\"peak_in_flight\":%" PRIu64
             ",\"completed\":%" PRIu64 ",\"max_late_us\":%" PRIu64 ",\"body_bytes\":%" PRIu64
             ",\"delay_ms\":%" PRIu64 "}\n",
             st->requests, st->in_flight, st->peak_in_flight, st->completed, st->max_late_us,
             st->body_bytes, st->delay_ms);
    resp = MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_COPY);
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    return resp;
}

static enum MHD_Result respond(struct latency_server *srv, struct MHD_Connection *conn,
                               struct request *rq)
{
    struct MHD_Response *resp = NULL;
    unsigned code = MHD_HTTP_OK;
    struct latency_stats st;
    char text[32];
    enum MHD_Result ret;

    switch (rq->route) {
    case ROUTE_BODY:
        code = rq->status;
        if (code == MHD_HTTP_OK) {
            resp = body_response(rq);
            if (resp != NULL)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                        "application/octet-stream");
        } else {
            snprintf(text, sizeof text, "status %u\n", code);
            resp = text_response(text);
        }
        break;
    case ROUTE_STATS_RESET:
        latency_server_reset_stats(srv);
        /* fall through */
    case ROUTE_STATS:
        latency_server_stats(srv, &st);
        resp = stats_response(&st);
        break;
    case ROUTE_NOT_FOUND:
        code = MHD_HTTP_NOT_FOUND;
        resp = text_response("not found\n");
        break;
    case ROUTE_BAD_METHOD:
        code = MHD_HTTP_METHOD_NOT_ALLOWED;
        resp = text_response("method not allowed\n");
        if (resp != NULL)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
                                    strncmp(rq->path, "/stats", 6) == 0 ? "GET, HEAD, POST"
                                                                        : "GET, HEAD");
        break;
    case ROUTE_BAD_REQUEST:
        code = MHD_HTTP_BAD_REQUEST;
        resp = text_response(rq->message);
        break;
    }
    if (resp == NULL) {
        /* Out of memory: closing the connection is the only answer left. */
        finish_request(srv, rq, false);
        return MHD_NO;
    }
    ret = MHD_queue_response(conn, code, resp);
    MHD_destroy_response(resp);
    finish_request(srv, rq, ret == MHD_YES);
    return ret;
}

/*
 * libmicrohttpd calls this once when the headers are in, once per piece of
 * uploaded body, once more when the request is complete, and once again after
 * every resume.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct latency_server *srv = cls;
    struct request *rq = *req_cls;

    (void)version;
    (void)upload_data;
    if (rq == NULL) {
        rq = request_new(srv, conn, url, method);
        *req_cls = rq;
        return rq != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* uploads are read and ignored */
        return MHD_YES;
    }
    if (!rq->waited && rq->deadline_ns > now_ns())
        return wait_for_deadline(srv, conn, rq);
    return respond(srv, conn, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    struct request *rq = *req_cls;

    (void)conn;
    (void)why;
    if (rq == NULL)
        return;
    /* A request whose client left before it was answered leaves in_flight here. */
    finish_request(cls, rq, false);
    free(rq);
    *req_cls = NULL;
}

/* Leaves the path as sent, so a client seeds its checksum with the path it asked for. */
static size_t keep_escapes(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("latency server: libmicrohttpd: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* Fills *addr from a numeric address; returns 0, or -1 if `host` is not one. */
static int make_address(const char *host, unsigned short port, struct sockaddr_storage *addr,
                        bool *ipv6)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;

    memset(addr, 0, sizeof *addr);
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        *ipv6 = false;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        *ipv6 = true;
        return 0;
    }
    return -1;
}

static void stop_timer(struct latency_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->stopping = true;
    pthread_cond_signal(&srv->wake);
    pthread_mutex_unlock(&srv->lock);
    pthread_join(srv->timer, NULL);
}

static void server_free(struct latency_server *srv)
{
    pthread_cond_destroy(&srv->wake);
    pthread_mutex_destroy(&srv->lock);
    free(srv->heap);
    free(srv);
}

struct latency_server *latency_server_start(const char *host, unsigned short port)
{
    struct latency_server *srv;
    struct sockaddr_storage addr;
    pthread_condattr_t attr;
    sigset_t all, old_mask;
    const union MHD_DaemonInfo *info;
    /*
     * poll(), not epoll. libmicrohttpd's epoll loop (0.9.75, and upstream
     * still) calls epoll_wait again, with the same timeout, whenever a call
     * returned its maximum of 128 events: when exactly 128 connections were
     * ready, it blocks there with all 128 marked ready and none served, until
     * some other event comes. A client that waits for those answers sends
     * none, so the server hung until a new connection arrived (seen as
     * async_download's test hanging 10 s with 128 requests unanswered, about
     * once in a hundred runs). poll() is level-triggered and called once per
     * turn, so nothing ready is left waiting.
     */
    unsigned int flags =
        MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    bool ipv6;
    int err;

    if (host == NULL)
        host = "127.0.0.1";
    if (make_address(host, port, &addr, &ipv6) != 0) {
        fprintf(stderr, "latency server: '%s' is not a numeric IP address\n", host);
        return NULL;
    }
    if (ipv6)
        flags |= MHD_USE_IPv6;

    srv = calloc(1, sizeof *srv);
    if (srv == NULL || (srv->heap = calloc(CONNECTION_LIMIT, sizeof *srv->heap)) == NULL) {
        fprintf(stderr, "latency server: out of memory\n");
        free(srv);
        return NULL;
    }
    pthread_mutex_init(&srv->lock, NULL);
    /* Deadlines are on CLOCK_MONOTONIC, so the timer must wait on it too. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->wake, &attr);
    pthread_condattr_destroy(&attr);
    /*
     * The server's threads (the timer's and libmicrohttpd's) inherit a mask
     * blocking every signal, so a signal meant for the caller, a SIGCHLD or
     * a SIGALRM say, is never delivered to one of them instead.
     */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old_mask);
    err = pthread_create(&srv->timer, NULL, timer_main, srv);
    if (err != 0) {
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        fprintf(stderr, "latency server: cannot start the timer thread: %s\n", strerror(err));
        server_free(srv);
        return NULL;
    }

    /*
     * One option and its arguments a line; the logger goes first so that it
     * also gets the messages about the options after it.
     */
    /* clang-format off */
    srv->daemon = MHD_start_daemon(flags, port, NULL, NULL, on_request, srv,
                                   MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
                                   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                   MHD_OPTION_LISTEN_BACKLOG_SIZE, LISTEN_BACKLOG,
                                   MHD_OPTION_CONNECTION_LIMIT, CONNECTION_LIMIT,
                                   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                   MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL,
                                   MHD_OPTION_END);
    /* clang-format on */
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (srv->daemon == NULL) {
        fprintf(stderr, "latency server: cannot listen on %s port %u\n", host, port);
        stop_timer(srv);
        server_free(srv);
        return NULL;
    }
    /* Only an optimisation: without it every request still works. */
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_LISTEN_FD);
    if (info != NULL) {
        int secs = DEFER_ACCEPT_S;

        setsockopt(info->listen_fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs);
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info != NULL ? info->port : port;
    snprintf(srv->url, sizeof srv->url, ipv6 ? "http://[%s]:%u" : "http://%s:%u", host, srv->port);
    return srv;
}

unsigned short latency_server_port(const struct latency_server *srv)
{
    return srv->port;
}

const char *latency_server_url(const struct latency_server *srv)
{
    return srv->url;
}

void latency_server_stats(const struct latency_server *srv, struct latency_stats *out)
{
    /* The lock is not part of the server's observable state, hence the cast. */
    pthread_mutex_t *lock = (pthread_mutex_t *)&srv->lock;

    pthread_mutex_lock(lock);
    *out = srv->stats;
    pthread_mutex_unlock(lock);
}

void latency_server_reset_stats(struct latency_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->stats.requests = 0;
    srv->stats.completed = 0;
    srv->stats.peak_in_flight = srv->stats.in_flight;
    srv->stats.max_late_us = 0;
    srv->stats.body_bytes = 0;
    srv->stats.delay_ms = 0;
    pthread_mutex_unlock(&srv->lock);
}

void latency_server_stop(struct latency_server *srv)
{
    if (srv == NULL)
        return;
    stop_timer(srv);
    /*
     * libmicrohttpd must not be stopped with connections suspended. With
     * `stopping` set nothing new enters the heap and the timer is gone, so
     * the heap can be read without the lock: resume what is left, and
     * MHD_stop_daemon() takes the resumed connections back and closes them.
     */
    for (size_t i = 0; i < srv->heap_len; i++)
        MHD_resume_connection(srv->heap[i].conn);
    srv->heap_len = 0;
    MHD_stop_daemon(srv->daemon);
    server_free(srv);
}
