/* raw_client.c - the benchmark's lean HTTP client (raw_client.h). */
#include "raw_client.h"

#include "latency_body.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum phase { CONNECTING, READING_HEAD, READING_BODY, DONE };

struct conn {
    int fd;
    enum phase phase;
    char head[1024]; /* the status line and headers, until the blank line */
    size_t head_len;
    long status;
    size_t length, got; /* Content-Length, and body bytes received */
    uint64_t sum;
};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(struct conn *c, const struct raw_get *g, const char *why)
{
    fprintf(stderr, "server-bench: %s: %s\n", g->path, why);
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->phase = DONE;
    return 1;
}

/* Reads the status and Content-Length once the head is complete; the bytes after the
 * blank line are the body's first. Returns 0, or 1 when the response is malformed. */
static int parse_head(struct conn *c, const struct raw_get *g, const char *end)
{
    c->head[c->head_len] = '\0';
    if (sscanf(c->head, "HTTP/1.%*d %ld", &c->status) != 1)
        return fail(c, g, "no HTTP status line");
    const char *cl = strcasestr(c->head, "\r\ncontent-length:");
    if (!cl)
        return fail(c, g, "no Content-Length");
    c->length = strtoul(cl + strlen("\r\ncontent-length:"), NULL, 10);
    const char *body = end + 4;
    size_t extra = c->head_len - (size_t)(body - c->head);
    c->sum = latency_checksum_update(LATENCY_CHECKSUM_INIT, body, extra);
    c->got = extra;
    c->phase = READING_BODY;
    return 0;
}

/* Moves one connection on after epoll said it is ready. Returns 1 when it failed. */
static int step(struct conn *c, const struct raw_get *g, int epfd)
{
    if (c->phase == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
            return fail(c, g, strerror(err ? err : errno));
        char req[256];
        int n =
            snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", g->path);
        if (write(c->fd, req, (size_t)n) != n) /* a fresh socket's buffer holds it whole */
            return fail(c, g, "the request was not written whole");
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->phase = READING_HEAD;
        return 0;
    }
    for (;;) {
        char buf[4096];
        char *into = c->phase == READING_HEAD ? c->head + c->head_len : buf;
        size_t room = c->phase == READING_HEAD ? sizeof c->head - 1 - c->head_len : sizeof buf;
        if (room == 0)
            return fail(c, g, "the response's head is too long");
        ssize_t n = read(c->fd, into, room);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (n < 0)
            return fail(c, g, strerror(errno));
        if (n == 0)
            return fail(c, g,
                        c->phase == READING_HEAD ? "closed before the response"
                                                 : "closed before the whole body came");
        if (c->phase == READING_HEAD) {
            c->head_len += (size_t)n;
            c->head[c->head_len] = '\0';
            const char *end = strstr(c->head, "\r\n\r\n");
            if (!end)
                continue;
            if (parse_head(c, g, end))
                return 1;
        } else {
            c->sum = latency_checksum_update(c->sum, buf, (size_t)n);
            c->got += (size_t)n;
        }
        if (c->phase == READING_BODY && c->got >= c->length) {
            char why[128];
            int bad = c->status != 200 || c->length != g->want_bytes || c->got != c->length ||
                      c->sum != g->want_sum;
            snprintf(why, sizeof why, "status %ld, %zu of %zu bytes, checksum %s", c->status,
                     c->got, c->length, c->sum == g->want_sum ? "ok" : "wrong");
            if (bad)
                return fail(c, g, why);
            close(c->fd);
            c->fd = -1;
            c->phase = DONE;
            return 0;
        }
    }
}

unsigned long raw_client_run(int port, const struct raw_get *gets, unsigned long n, long timeout_ms)
{
    struct conn *conns = calloc(n, sizeof *conns);
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!conns || epfd < 0) {
        fprintf(stderr, "server-bench: out of memory or descriptors\n");
        free(conns);
        return n;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned long failed = 0, left = n;
    for (unsigned long i = 0; i < n; i++) {
        struct conn *c = &conns[i];
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->fd < 0) {
            failed += fail(c, &gets[i], strerror(errno));
            left--;
            continue;
        }
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) && errno != EINPROGRESS) {
            failed += fail(c, &gets[i], strerror(errno));
            left--;
            continue;
        }
        struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    }
    long deadline = now_ms() + timeout_ms;
    struct epoll_event events[256];
    while (left > 0) {
        long wait = deadline - now_ms();
        if (wait <= 0)
            break;
        int ready = epoll_wait(epfd, events, 256, (int)wait);
        if (ready < 0 && errno != EINTR) {
            perror("server-bench: epoll_wait");
            break;
        }
        for (int i = 0; i < ready; i++) {
            struct conn *c = events[i].data.ptr;
            const struct raw_get *g = &gets[c - conns];
            failed += step(c, g, epfd);
            left -= c->phase == DONE;
        }
    }
    for (unsigned long i = 0; i < n; i++)
        if (conns[i].phase != DONE)
            failed += fail(&conns[i], &gets[i], "no whole response before the timeout");
    close(epfd);
    free(conns);
    return failed;
}
