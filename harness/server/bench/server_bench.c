/* server_bench.c - server-bench: many concurrent delayed downloads, timed in latencies. */
#include "latency_body.h"
#include "latency_server.h"
#include "raw_client.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define BODY_SIZE 1024u

struct transfer {
    char path[48];
    uint64_t sum;
    size_t bytes;
};

struct options {
    unsigned long requests;
    unsigned long delay_ms;
    double bound;
    const char *url;
    int curl; /* --client curl: libcurl's multi interface instead of raw_client.c */
};

static void usage(FILE *to)
{
    fputs("usage: server-bench [--requests N] [--delay MS] [--bound LATENCIES] [--url URL]\n"
          "                    [--client raw|curl]\n"
          "  runs N concurrent GETs of URL/body/1024/<i>?delay=MS (default 1000 at 150 ms),\n"
          "  checks every body's checksum and reports the time in latencies, from the first\n"
          "  request started to the last body checked; without --url it starts a latency\n"
          "  server in this process. The client is a lean one of plain sockets (raw, the\n"
          "  default; URL must then be http://127.0.0.1:PORT) or libcurl's multi interface\n"
          "  (curl). Exit 1 if a request failed or a body was wrong.\n",
          to);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every request holds a client socket, and an in-process server one more. */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            perror("server-bench: cannot raise the open file limit");
    }
}

/* Returns 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int parse_args(int argc, char **argv, struct options *opt)
{
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;

        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (value == NULL) {
            usage(stderr);
            return -1;
        }
        i++;
        if (strcmp(name, "--requests") == 0)
            opt->requests = strtoul(value, &end, 10);
        else if (strcmp(name, "--delay") == 0)
            opt->delay_ms = strtoul(value, &end, 10);
        else if (strcmp(name, "--bound") == 0)
            opt->bound = strtod(value, &end);
        else if (strcmp(name, "--url") == 0)
            opt->url = value;
        else if (strcmp(name, "--client") == 0 &&
                 (strcmp(value, "raw") == 0 || strcmp(value, "curl") == 0))
            opt->curl = strcmp(value, "curl") == 0;
        else {
            usage(stderr);
            return -1;
        }
        if (end != NULL && (*value == '\0' || *end != '\0')) {
            fprintf(stderr, "server-bench: bad value '%s' for %s\n", value, name);
            return -1;
        }
    }
    if (opt->requests == 0 || opt->requests > 100000) {
        fprintf(stderr, "server-bench: --requests must be 1..100000\n");
        return -1;
    }
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct transfer *t = userp;

    t->sum = latency_checksum_update(t->sum, data, size * nmemb);
    t->bytes += size * nmemb;
    return size * nmemb;
}

static size_t on_text(char *data, size_t size, size_t nmemb, void *userp)
{
    char *buf = userp;
    size_t have = strlen(buf), n = size * nmemb;

    if (have + n < 256) {
        memcpy(buf + have, data, n);
        buf[have + n] = '\0';
    }
    return n;
}

/* GETs a small text resource of an outside server into buf[256]; returns 0 or -1. */
static int get_text(const char *url, char *buf)
{
    CURL *easy = curl_easy_init();
    CURLcode rc;

    buf[0] = '\0';
    if (easy == NULL)
        return -1;
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_text);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, buf);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 10L);
    rc = curl_easy_perform(easy);
    curl_easy_cleanup(easy);
    return rc == CURLE_OK ? 0 : -1;
}

/* Reads `"name":<number>` from a /stats answer; returns 0, or -1 if it is not there. */
static int json_field(const char *json, const char *name, uint64_t *out)
{
    char key[64];
    const char *at;
    unsigned long long v;

    snprintf(key, sizeof key, "\"%s\":", name);
    at = strstr(json, key);
    if (at == NULL || sscanf(at + strlen(key), "%llu", &v) != 1)
        return -1;
    *out = v;
    return 0;
}

/* Fills *st from the in-process server, or else from base/stats; returns 0 or -1. */
static int read_stats(const struct latency_server *srv, const char *base, struct latency_stats *st)
{
    char url[512], text[256];

    if (srv != NULL) {
        latency_server_stats(srv, st);
        return 0;
    }
    snprintf(url, sizeof url, "%s/stats", base);
    if (get_text(url, text) != 0 || json_field(text, "peak_in_flight", &st->peak_in_flight) != 0)
        return -1;
    /* An older server may not report lateness; call it unknown rather than zero. */
    return json_field(text, "max_late_us", &st->max_late_us);
}

/*
 * The event loop. curl_multi_perform() with curl_multi_poll() looks at every
 * transfer on every wake-up, which at a thousand transfers costs more than the
 * server does; curl's socket interface on epoll touches only the socket that
 * is ready, so the time measured is the server's and the network's.
 */
struct loop {
    CURLM *multi;
    int epfd;
    long timeout_ms; /* curl's next deadline, -1 for none */
};

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    static char added; /* curl's per-socket pointer is set to this once the fd is in epoll */
    struct loop *lp = userp;
    struct epoll_event ev = {0};

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(lp->epfd, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    if (epoll_ctl(lp->epfd, socketp != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0) {
        perror("server-bench: epoll_ctl");
        return -1;
    }
    curl_multi_assign(lp->multi, fd, &added);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct loop *lp = userp;

    (void)multi;
    lp->timeout_ms = timeout_ms;
    return 0;
}

/* Checks the transfers curl reports done; returns how many failed or came back wrong. */
static unsigned long collect(CURLM *multi, unsigned long *left)
{
    unsigned long failed = 0;
    CURLMsg *msg;
    int queued;

    while ((msg = curl_multi_info_read(multi, &queued)) != NULL) {
        struct transfer *t;
        long status = 0;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        if (msg->data.result != CURLE_OK) {
            fprintf(stderr, "server-bench: %s: %s\n", t->path,
                    curl_easy_strerror(msg->data.result));
            failed++;
        } else if (status != 200 || t->bytes != BODY_SIZE ||
                   t->sum != latency_body_checksum(t->path, BODY_SIZE)) {
            fprintf(stderr, "server-bench: %s: status %ld, %zu bytes, checksum %s\n", t->path,
                    status, t->bytes,
                    t->sum == latency_body_checksum(t->path, t->bytes) ? "ok" : "wrong");
            failed++;
        }
        curl_multi_remove_handle(multi, msg->easy_handle);
        curl_easy_cleanup(msg->easy_handle);
        (*left)--;
    }
    return failed;
}

/* Makes one easy handle per transfer, not yet started; returns 0 or -1. */
static int prepare(const struct options *opt, const char *base, struct transfer *xfers,
                   CURL **easies)
{
    char url[512];

    for (unsigned long i = 0; i < opt->requests; i++) {
        CURL *easy = curl_easy_init();

        easies[i] = easy;
        if (easy == NULL) {
            fprintf(stderr, "server-bench: curl_easy_init failed\n");
            return -1;
        }
        snprintf(xfers[i].path, sizeof xfers[i].path, "/body/%u/%lu", BODY_SIZE, i);
        xfers[i].sum = LATENCY_CHECKSUM_INIT;
        snprintf(url, sizeof url, "%s%s?delay=%lu", base, xfers[i].path, opt->delay_ms);
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &xfers[i]);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, &xfers[i]);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(opt->delay_ms + 30000));
        /* Saves a SIGPIPE handler swap around every call; SIGPIPE is ignored anyway. */
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        /* Every transfer wants its own connection; don't search the pool for one. */
        curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    }
    return 0;
}

/* Starts all transfers at once and runs them to the end; returns how many failed. */
static unsigned long run(CURLM *multi, struct loop *lp, CURL **easies, unsigned long n)
{
    unsigned long failed = 0, left = n;
    struct epoll_event events[256];
    int running = 0;

    for (unsigned long i = 0; i < n; i++)
        curl_multi_add_handle(multi, easies[i]);
    while (left > 0) {
        int ready =
            epoll_wait(lp->epfd, events, 256, lp->timeout_ms < 0 ? 1000 : (int)lp->timeout_ms);

        if (ready < 0 && errno != EINTR) {
            perror("server-bench: epoll_wait");
            break;
        }
        if (ready <= 0) {
            curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        } else {
            for (int i = 0; i < ready; i++) {
                int flags = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                            (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                            (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);

                curl_multi_socket_action(multi, events[i].data.fd, flags, &running);
            }
        }
        failed += collect(multi, &left);
        if (running == 0 && left > 0) {
            fprintf(stderr, "server-bench: %lu transfers never finished\n", left);
            failed += left;
            break;
        }
    }
    return failed;
}

int main(int argc, char **argv)
{
    struct options opt = {.requests = 1000, .delay_ms = 150, .bound = 1.70, .url = NULL};
    struct latency_server *srv = NULL;
    struct transfer *xfers;
    CURL **easies;
    struct loop lp = {.epfd = -1, .timeout_ms = -1};
    struct latency_stats st = {0};
    char text[256], server[128] = ", server stats unknown";
    const char *base;
    CURLM *multi;
    unsigned long failed;
    double t0, elapsed;

    switch (parse_args(argc, argv, &opt)) {
    case 0: break;
    case 1: return 0;
    default: return 2;
    }
    raise_fd_limit();
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "server-bench: curl_global_init failed\n");
        return 3;
    }
    if (opt.url == NULL) {
        srv = latency_server_start("127.0.0.1", 0);
        if (srv == NULL)
            return 3;
        base = latency_server_url(srv);
    } else {
        char url[512];

        base = opt.url;
        snprintf(url, sizeof url, "%s/stats/reset", base);
        if (get_text(url, text) != 0)
            fprintf(stderr, "server-bench: cannot reset %s/stats\n", base);
    }

    xfers = calloc(opt.requests, sizeof *xfers);
    easies = calloc(opt.requests, sizeof *easies);
    multi = curl_multi_init();
    lp.multi = multi;
    lp.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (xfers == NULL || easies == NULL || multi == NULL || lp.epfd < 0) {
        fprintf(stderr, "server-bench: out of memory or descriptors\n");
        return 3;
    }
    /* No connection limits: every request gets its own connection at once. */
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, &lp);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, &lp);

    if (opt.curl) {
        /* Setting up the handles is the client's business, so it happens before the clock
         * starts. */
        if (prepare(&opt, base, xfers, easies) != 0)
            return 3;
        t0 = now_s();
        failed = run(multi, &lp, easies, opt.requests);
        elapsed = now_s() - t0;
    } else {
        int port = 0;
        struct raw_get *gets = calloc(opt.requests, sizeof *gets);
        if (sscanf(base, "http://127.0.0.1:%d", &port) != 1 || gets == NULL) {
            fprintf(stderr,
                    "server-bench: the raw client needs http://127.0.0.1:PORT, not %s "
                    "(--client curl takes any URL)\n",
                    base);
            return 2;
        }
        for (unsigned long i = 0; i < opt.requests; i++) {
            char path[48];
            snprintf(path, sizeof path, "/body/%u/%lu", BODY_SIZE, i);
            snprintf(gets[i].path, sizeof gets[i].path, "%s?delay=%lu", path, opt.delay_ms);
            gets[i].want_bytes = BODY_SIZE;
            gets[i].want_sum = latency_body_checksum(path, BODY_SIZE);
        }
        t0 = now_s();
        failed = raw_client_run(port, gets, opt.requests, (long)opt.delay_ms + 30000);
        elapsed = now_s() - t0;
        free(gets);
    }

    if (read_stats(srv, base, &st) == 0)
        snprintf(server, sizeof server, ", peak in flight %" PRIu64 ", server at most %.1f ms late",
                 st.peak_in_flight, (double)st.max_late_us / 1000.0);
    printf("%lu requests, %lu ms delay, %s client: %.3f s", opt.requests, opt.delay_ms,
           opt.curl ? "curl" : "raw", elapsed);
    if (opt.delay_ms > 0)
        printf(" = %.2f latencies (bound %.2f)", elapsed * 1000.0 / (double)opt.delay_ms,
               opt.bound);
    fputs(server, stdout);
    if (failed > 0)
        printf(", %lu FAILED", failed);
    printf("\n");

    curl_multi_cleanup(multi);
    close(lp.epfd);
    free(easies);
    free(xfers);
    latency_server_stop(srv);
    curl_global_cleanup();
    return failed > 0 ? 1 : 0;
}
