/* test_latency_server.c - tests of latency_body.c, and of latency_server.c over real HTTP. */
#include "server/latency_body.h"
#include "server/latency_server.h"
#include "raw_client.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <curl/curl.h>

/* ---- helpers ---------------------------------------------------------------------------- */

struct reply {
    CURLcode result;
    long status;
    unsigned char *data;
    size_t len, cap;
    double seconds;
    curl_off_t content_length; /* from the headers, -1 if none */
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t append(char *data, size_t size, size_t nmemb, void *userp)
{
    struct reply *r = userp;
    size_t n = size * nmemb;

    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;

        while (cap < r->len + n + 1)
            cap *= 2;
        r->data = realloc(r->data, cap);
        cr_assert_not_null(r->data);
        r->cap = cap;
    }
    memcpy(r->data + r->len, data, n);
    r->len += n;
    r->data[r->len] = '\0'; /* so a text reply can be read as a string */
    return n;
}

static CURL *new_easy(const char *url, struct reply *r)
{
    CURL *easy = curl_easy_init();

    cr_assert_not_null(easy);
    memset(r, 0, sizeof *r);
    r->content_length = -1;
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    return easy;
}

static void finish_easy(CURL *easy, struct reply *r, CURLcode result)
{
    r->result = result;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &r->content_length);
}

static struct latency_server *srv;

static void url_for(char *buf, size_t size, const char *path)
{
    snprintf(buf, size, "%s%s", latency_server_url(srv), path);
}

/* One request on its own connection; `method` NULL means GET. The reply's data is the caller's. */
static struct reply fetch_with(const char *path, const char *method)
{
    char url[512];
    struct reply r;
    CURL *easy;
    double t0;

    url_for(url, sizeof url, path);
    easy = new_easy(url, &r);
    if (method != NULL && strcmp(method, "HEAD") == 0)
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    else if (method != NULL && strcmp(method, "POST") == 0)
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "ignored=1");
    t0 = now_s();
    finish_easy(easy, &r, curl_easy_perform(easy));
    r.seconds = now_s() - t0;
    curl_easy_cleanup(easy);
    cr_assert_eq(r.result, CURLE_OK, "GET %s: %s", path, curl_easy_strerror(r.result));
    return r;
}

static struct reply fetch(const char *path)
{
    return fetch_with(path, NULL);
}

/* Runs the transfers in `multi` until none is left or `deadline` (now_s) passes. */
static void drive(CURLM *multi, double deadline)
{
    int running = 1;

    while (running > 0 && now_s() < deadline) {
        CURLMsg *msg;
        int queued;

        cr_assert_eq(curl_multi_perform(multi, &running), CURLM_OK);
        while ((msg = curl_multi_info_read(multi, &queued)) != NULL) {
            struct reply *r;

            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
            finish_easy(msg->easy_handle, r, msg->data.result);
        }
        if (running > 0)
            cr_assert_eq(curl_multi_poll(multi, NULL, 0, 50, NULL), CURLM_OK);
    }
}

/* Starts n GETs of paths[i] at once on one multi handle; the caller drives and cleans up. */
static CURLM *start_many(const char *const *paths, size_t n, struct reply *replies, CURL **easies)
{
    CURLM *multi = curl_multi_init();
    char url[512];

    cr_assert_not_null(multi);
    for (size_t i = 0; i < n; i++) {
        url_for(url, sizeof url, paths[i]);
        easies[i] = new_easy(url, &replies[i]);
        replies[i].result = CURLE_AGAIN; /* not finished yet */
        curl_multi_add_handle(multi, easies[i]);
    }
    return multi;
}

static void end_many(CURLM *multi, CURL **easies, struct reply *replies, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        curl_multi_remove_handle(multi, easies[i]);
        curl_easy_cleanup(easies[i]);
        free(replies[i].data);
    }
    curl_multi_cleanup(multi);
}

/* Waits until the server has `want` requests in flight; false if it did not within 10 s. */
static bool wait_in_flight(CURLM *multi, uint64_t want)
{
    double deadline = now_s() + 10;
    struct latency_stats st;
    int running;

    do {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 10, NULL);
        latency_server_stats(srv, &st);
    } while (st.in_flight < want && now_s() < deadline);
    return st.in_flight >= want;
}

static void expect_body(const struct reply *r, const char *path, size_t n)
{
    unsigned char *want = malloc(n ? n : 1);

    cr_assert_not_null(want);
    latency_body_fill(path, 0, want, n);
    cr_expect_eq(r->status, 200, "%s: status %ld", path, r->status);
    cr_assert_eq(r->len, n, "%s: %zu bytes, not %zu", path, r->len, n);
    cr_expect(n == 0 || memcmp(r->data, want, n) == 0,
              "%s: the bytes differ from latency_body_fill", path);
    free(want);
}

/* Reads `"name":<number>` from a /stats reply. */
static uint64_t json_field(const struct reply *r, const char *name)
{
    char key[64];
    const char *at;
    unsigned long long v = 0;

    snprintf(key, sizeof key, "\"%s\":", name);
    cr_assert_not_null(r->data, "empty /stats reply");
    at = strstr((const char *)r->data, key);
    cr_assert_not_null(at, "no %s in %s", name, (const char *)r->data);
    cr_assert_eq(sscanf(at + strlen(key), "%llu", &v), 1);
    return v;
}

static void start_server(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    srv = latency_server_start("127.0.0.1", 0);
    cr_assert_not_null(srv, "latency_server_start failed");
}

static void stop_server(void)
{
    latency_server_stop(srv);
    srv = NULL;
    curl_global_cleanup();
}

/* ---- the body, as pure functions --------------------------------------------------------- */

Test(latency_body, the_same_path_always_gives_the_same_bytes)
{
    unsigned char a[1000], b[1000];

    latency_body_fill("/body/1000/x", 0, a, sizeof a);
    latency_body_fill("/body/1000/x", 0, b, sizeof b);
    cr_expect(memcmp(a, b, sizeof a) == 0);
}

Test(latency_body, different_paths_give_different_bytes)
{
    unsigned char a[64], b[64], c[64];

    latency_body_fill("/body/64/a", 0, a, sizeof a);
    latency_body_fill("/body/64/b", 0, b, sizeof b);
    latency_body_fill("/body/65/a", 0, c, sizeof c);
    cr_expect(memcmp(a, b, sizeof a) != 0);
    cr_expect(memcmp(a, c, sizeof a) != 0);
}

Test(latency_body, a_fill_at_any_offset_matches_the_whole_body)
{
    enum { N = 4096 };
    unsigned char whole[N], part[N];

    latency_body_fill("/body/4096/offsets", 0, whole, N);
    for (size_t offset = 0; offset < 20; offset++) {
        for (size_t len = 0; len < 40 && offset + len <= N; len += 3) {
            latency_body_fill("/body/4096/offsets", offset, part, len);
            cr_assert(memcmp(part, whole + offset, len) == 0, "offset %zu, length %zu", offset,
                      len);
        }
    }
    latency_body_fill("/body/4096/offsets", 1001, part, N - 1001);
    cr_expect(memcmp(part, whole + 1001, N - 1001) == 0);
}

Test(latency_body, a_checksum_fed_in_pieces_equals_the_checksum_of_the_whole)
{
    enum { N = 10007 };
    static unsigned char body[N];
    uint64_t h = LATENCY_CHECKSUM_INIT;

    latency_body_fill("/body/10007/sum", 0, body, N);
    for (size_t done = 0, piece = 1; done < N; done += piece, piece = piece * 2 + 1) {
        size_t len = piece < N - done ? piece : N - done;

        h = latency_checksum_update(h, body + done, len);
        if (len < piece)
            break;
    }
    cr_expect_eq(h, latency_body_checksum("/body/10007/sum", N));
    cr_expect_eq(h, latency_checksum_update(LATENCY_CHECKSUM_INIT, body, N));
}

Test(latency_body, the_checksum_of_nothing_is_the_initial_value)
{
    cr_expect_eq(latency_body_checksum("/body/0/x", 0), LATENCY_CHECKSUM_INIT);
    cr_expect_eq(latency_checksum_update(LATENCY_CHECKSUM_INIT, NULL, 0), LATENCY_CHECKSUM_INIT);
}

Test(latency_body, the_checksum_tells_bodies_apart)
{
    cr_expect_neq(latency_body_checksum("/body/1024/1", 1024),
                  latency_body_checksum("/body/1024/2", 1024));
    cr_expect_neq(latency_body_checksum("/body/1024/1", 1024),
                  latency_body_checksum("/body/1024/1", 1023));
}

/* ---- the server ------------------------------------------------------------------------- */

TestSuite(latency_server, .init = start_server, .fini = stop_server, .timeout = 60);

Test(latency_server, its_url_names_the_port_the_kernel_chose)
{
    char want[64];

    cr_assert_neq(latency_server_port(srv), 0);
    snprintf(want, sizeof want, "http://127.0.0.1:%u", latency_server_port(srv));
    cr_expect_str_eq(latency_server_url(srv), want);
}

Test(latency_server, body_has_exactly_the_requested_length_and_the_promised_bytes)
{
    struct reply r = fetch("/body/100000/some/thing");

    expect_body(&r, "/body/100000/some/thing", 100000);
    cr_expect_eq(r.content_length, 100000);
    free(r.data);
}

Test(latency_server, a_large_body_is_streamed_with_the_same_bytes)
{
    const char *path = "/body/3000001/large";
    struct reply r = fetch(path);

    expect_body(&r, path, 3000001);
    cr_expect_eq(latency_checksum_update(LATENCY_CHECKSUM_INIT, r.data, r.len),
                 latency_body_checksum(path, 3000001));
    free(r.data);
}

Test(latency_server, a_body_may_be_empty_and_the_path_may_end_at_the_size)
{
    struct reply empty = fetch("/body/0/none");
    struct reply bare = fetch("/body/17");

    expect_body(&empty, "/body/0/none", 0);
    expect_body(&bare, "/body/17", 17);
    free(empty.data);
    free(bare.data);
}

Test(latency_server, the_same_url_twice_gives_the_same_bytes)
{
    struct reply a = fetch("/body/5000/again");
    struct reply b = fetch("/body/5000/again");

    cr_assert_eq(a.len, b.len);
    cr_expect(memcmp(a.data, b.data, a.len) == 0);
    free(a.data);
    free(b.data);
}

Test(latency_server, the_query_string_does_not_change_the_body)
{
    struct reply plain = fetch("/body/2048/q");
    struct reply delayed = fetch("/body/2048/q?delay=1");

    expect_body(&plain, "/body/2048/q", 2048);
    expect_body(&delayed, "/body/2048/q", 2048);
    free(plain.data);
    free(delayed.data);
}

Test(latency_server, percent_escapes_stay_in_the_path_that_seeds_the_body)
{
    struct reply r = fetch("/body/256/a%20b");

    expect_body(&r, "/body/256/a%20b", 256);
    free(r.data);
}

Test(latency_server, a_head_request_gets_the_length_without_the_body)
{
    struct reply r = fetch_with("/body/12345/head", "HEAD");

    cr_expect_eq(r.status, 200);
    cr_expect_eq(r.content_length, 12345);
    cr_expect_eq(r.len, 0);
    free(r.data);
}

Test(latency_server, a_delay_is_honoured)
{
    struct reply r = fetch("/body/100/slow?delay=200");

    expect_body(&r, "/body/100/slow", 100);
    cr_expect_geq(r.seconds, 0.200, "answered after %.3f s", r.seconds);
    cr_expect_lt(r.seconds, 5.0, "answered after %.3f s", r.seconds);
    free(r.data);
}

Test(latency_server, status_500_is_answered_with_500_and_a_short_body)
{
    struct reply r = fetch("/body/1000/x?status=500");

    cr_expect_eq(r.status, 500);
    cr_expect_str_eq((const char *)r.data, "status 500\n");
    free(r.data);
}

Test(latency_server, a_status_and_a_delay_combine)
{
    struct reply r = fetch("/body/10/x?status=503&delay=100");

    cr_expect_eq(r.status, 503);
    cr_expect_geq(r.seconds, 0.100, "answered after %.3f s", r.seconds);
    free(r.data);
}

Test(latency_server, unknown_paths_get_404)
{
    const char *paths[] = {"/",       "/nope",     "/body",    "/body/",
                           "/body/x", "/body/12x", "/bodyx/1", "/stats/more"};

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct reply r = fetch(paths[i]);

        cr_expect_eq(r.status, 404, "%s: status %ld", paths[i], r.status);
        free(r.data);
    }
}

Test(latency_server, sizes_delays_and_statuses_out_of_range_are_bad_requests)
{
    const char *paths[] = {"/body/67108865/x",    "/body/99999999999999999999999/x",
                           "/body/1/x?delay=abc", "/body/1/x?delay=600001",
                           "/body/1/x?status=99", "/body/1/x?status=600",
                           "/body/1/x?status="};

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct reply r = fetch(paths[i]);

        cr_expect_eq(r.status, 400, "%s: status %ld", paths[i], r.status);
        free(r.data);
    }
}

Test(latency_server, another_method_on_a_body_is_not_allowed)
{
    struct reply r = fetch_with("/body/10/x", "POST");

    cr_expect_eq(r.status, 405);
    free(r.data);
}

Test(latency_server, overlapping_delayed_requests_are_all_in_flight_at_once)
{
    enum { N = 20 };
    char paths[N][32];
    const char *p[N];
    struct reply replies[N];
    CURL *easies[N];
    struct latency_stats st;
    CURLM *multi;

    for (size_t i = 0; i < N; i++) {
        snprintf(paths[i], sizeof paths[i], "/body/512/%zu?delay=1000", i);
        p[i] = paths[i];
    }
    multi = start_many(p, N, replies, easies);
    drive(multi, now_s() + 30);
    for (size_t i = 0; i < N; i++) {
        char path[32];

        cr_expect_eq(replies[i].result, CURLE_OK, "%s: %s", p[i],
                     curl_easy_strerror(replies[i].result));
        snprintf(path, sizeof path, "/body/512/%zu", i);
        expect_body(&replies[i], path, 512);
    }
    end_many(multi, easies, replies, N);

    latency_server_stats(srv, &st);
    cr_expect_geq(st.peak_in_flight, N, "peak in flight %" PRIu64, st.peak_in_flight);
    cr_expect_eq(st.requests, N);
    cr_expect_eq(st.completed, N);
    cr_expect_eq(st.in_flight, 0);
}

Test(latency_server, sequential_requests_never_overlap)
{
    struct latency_stats st;

    for (int i = 0; i < 5; i++) {
        struct reply r = fetch("/body/64/seq?delay=20");

        cr_expect_eq(r.status, 200);
        free(r.data);
    }
    latency_server_stats(srv, &st);
    cr_expect_eq(st.peak_in_flight, 1);
    cr_expect_eq(st.requests, 5);
    cr_expect_eq(st.completed, 5);
}

/* The work a client asked of the server: what the perf stage holds a timed run to. */
Test(latency_server, counts_the_bodies_it_sent_and_the_delays_it_waited)
{
    static const char *const paths[] = {"/body/64/a?delay=20", "/body/64/b?delay=30",
                                        "/body/100/c?status=500&delay=10", "/elsewhere"};
    struct latency_stats st;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        free(fetch(paths[i]).data);
    latency_server_stats(srv, &st);
    cr_expect_eq(st.completed, 4);
    /* the 200 bodies only: a 500's short body and a 404 are not the work asked for */
    cr_expect_eq(st.body_bytes, 128, "body bytes %" PRIu64, st.body_bytes);
    /* the delays of every body request, the 500's too */
    cr_expect_eq(st.delay_ms, 60, "delay %" PRIu64 " ms", st.delay_ms);
    latency_server_reset_stats(srv);
    latency_server_stats(srv, &st);
    cr_expect_eq(st.body_bytes, 0);
    cr_expect_eq(st.delay_ms, 0);
}

Test(latency_server, a_request_is_in_flight_while_it_waits)
{
    const char *p[] = {"/body/8/wait?delay=1500"};
    struct reply replies[1];
    CURL *easies[1];
    struct latency_stats st;
    CURLM *multi = start_many(p, 1, replies, easies);

    cr_assert(wait_in_flight(multi, 1), "the request never showed as in flight");
    latency_server_stats(srv, &st);
    cr_expect_eq(st.in_flight, 1);
    cr_expect_eq(st.completed, 0);
    drive(multi, now_s() + 30);
    cr_expect_eq(replies[0].status, 200);
    latency_server_stats(srv, &st);
    cr_expect_eq(st.in_flight, 0);
    cr_expect_eq(st.completed, 1);
    end_many(multi, easies, replies, 1);
}

Test(latency_server, the_stats_endpoint_reports_the_counters_as_json)
{
    struct reply body = fetch("/body/10/a");
    struct reply missing = fetch("/missing");
    struct reply stats = fetch("/stats");

    cr_expect_eq(stats.status, 200);
    cr_expect_eq(((const char *)stats.data)[0], '{');
    cr_expect_eq(json_field(&stats, "requests"), 2);
    cr_expect_eq(json_field(&stats, "in_flight"), 0);
    cr_expect_eq(json_field(&stats, "peak_in_flight"), 1);
    cr_expect_eq(json_field(&stats, "completed"), 2);
    free(body.data);
    free(missing.data);
    free(stats.data);
}

Test(latency_server, stats_requests_are_not_counted)
{
    struct latency_stats st;

    for (int i = 0; i < 3; i++) {
        struct reply r = fetch("/stats");

        free(r.data);
    }
    latency_server_stats(srv, &st);
    cr_expect_eq(st.requests, 0);
    cr_expect_eq(st.completed, 0);
    cr_expect_eq(st.peak_in_flight, 0);
}

Test(latency_server, resetting_the_stats_starts_the_counts_again)
{
    struct latency_stats st;
    struct reply r;

    for (int i = 0; i < 3; i++) {
        r = fetch("/body/10/r");
        free(r.data);
    }
    r = fetch("/stats/reset");
    cr_expect_eq(r.status, 200);
    cr_expect_eq(json_field(&r, "requests"), 0);
    free(r.data);
    latency_server_stats(srv, &st);
    cr_expect_eq(st.requests, 0);
    cr_expect_eq(st.completed, 0);
    cr_expect_eq(st.peak_in_flight, 0);

    r = fetch("/body/10/r");
    free(r.data);
    r = fetch_with("/stats/reset", "POST");
    cr_expect_eq(r.status, 200);
    free(r.data);
    latency_server_stats(srv, &st);
    cr_expect_eq(st.requests, 0);

    r = fetch("/body/10/r");
    free(r.data);
    latency_server_reset_stats(srv);
    latency_server_stats(srv, &st);
    cr_expect_eq(st.requests, 0);
    cr_expect_eq(st.completed, 0);
}

Test(latency_server, a_reset_keeps_waiting_requests_in_flight)
{
    const char *p[] = {"/body/8/a?delay=1500", "/body/8/b?delay=1500"};
    struct reply replies[2];
    CURL *easies[2];
    struct latency_stats st;
    CURLM *multi = start_many(p, 2, replies, easies);

    cr_assert(wait_in_flight(multi, 2), "the requests never showed as in flight");
    latency_server_reset_stats(srv);
    latency_server_stats(srv, &st);
    cr_expect_eq(st.in_flight, 2);
    cr_expect_eq(st.peak_in_flight, 2);
    cr_expect_eq(st.requests, 0);
    drive(multi, now_s() + 30);
    latency_server_stats(srv, &st);
    cr_expect_eq(st.in_flight, 0);
    cr_expect_eq(st.completed, 2);
    end_many(multi, easies, replies, 2);
}

Test(latency_server, stopping_with_requests_still_waiting_is_prompt)
{
    enum { N = 5 };
    const char *p[N] = {"/body/8/1?delay=60000", "/body/8/2?delay=60000", "/body/8/3?delay=60000",
                        "/body/8/4?delay=60000", "/body/8/5?delay=60000"};
    struct reply replies[N];
    CURL *easies[N];
    CURLM *multi = start_many(p, N, replies, easies);
    double t0;

    cr_assert(wait_in_flight(multi, N), "the requests never showed as in flight");
    t0 = now_s();
    latency_server_stop(srv);
    srv = NULL;
    cr_expect_lt(now_s() - t0, 5.0, "stopping took %.3f s", now_s() - t0);
    /* The clients are answered or cut off, never left hanging. */
    drive(multi, now_s() + 10);
    for (size_t i = 0; i < N; i++)
        cr_expect_neq(replies[i].result, CURLE_AGAIN, "%s never finished", p[i]);
    end_many(multi, easies, replies, N);
}

Test(latency_server, a_port_in_use_is_refused)
{
    struct latency_server *second = latency_server_start("127.0.0.1", latency_server_port(srv));

    cr_expect_null(second);
    latency_server_stop(second);
}

Test(latency_server, a_host_that_is_not_an_address_is_refused)
{
    cr_expect_null(latency_server_start("localhost", 0));
}

/* ---- the benchmark's raw client (bench/raw_client.c) ------------------------------------ */

static int server_port(void)
{
    int port = 0;
    cr_assert_eq(sscanf(latency_server_url(srv), "http://127.0.0.1:%d", &port), 1);
    return port;
}

static struct raw_get raw(const char *path, const char *query, size_t bytes, const char *sum_of)
{
    struct raw_get g = {.want_bytes = bytes};
    snprintf(g.path, sizeof g.path, "%s%s", path, query);
    g.want_sum = latency_body_checksum(sum_of, bytes);
    return g;
}

Test(latency_server, the_raw_client_accepts_genuine_bodies)
{
    struct raw_get g[] = {raw("/body/1024/a", "", 1024, "/body/1024/a"),
                          raw("/body/1024/b", "?delay=20", 1024, "/body/1024/b"),
                          raw("/body/100000/c", "", 100000, "/body/100000/c")};
    cr_assert_eq(raw_client_run(server_port(), g, 3, 10000), 0);
}

Test(latency_server, the_raw_client_rejects_an_error_a_wrong_body_and_a_short_one)
{
    struct raw_get g[] = {raw("/body/1024/a", "?status=500", 1024, "/body/1024/a"),
                          raw("/body/1024/b", "", 1024, "/body/1024/other"),
                          raw("/body/1000/c", "", 1024, "/body/1024/c")};
    cr_redirect_stderr();
    cr_assert_eq(raw_client_run(server_port(), g, 3, 10000), 3);
}

/* Opens a connection to the server's port; returns the socket. */
static int connect_to_server(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(latency_server_port(srv))};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    cr_assert_geq(fd, 0, "socket: out of descriptors?");
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "cannot connect to the server");
    return fd;
}

/*
 * libmicrohttpd's epoll loop waits again after any call that returned its
 * maximum of 128 events, with all of them still unserved: exactly 128 (or
 * 256, ...) requests arriving together were then never answered, until some
 * other client came. Here 128 and 256 kept-alive connections each send a
 * request back to back, a few rounds over, and every answer must come.
 */
Test(latency_server, requests_arriving_together_on_128_connections_are_all_answered)
{
    enum { MOST = 256, ROUNDS = 5 };
    static const char req[] = "GET /body/10/burst HTTP/1.1\r\nHost: x\r\n\r\n";
    static const int sizes[] = {128, 256};
    int fd[MOST];
    struct pollfd p[MOST];

    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int k = sizes[s];

        for (int i = 0; i < k; i++)
            fd[i] = connect_to_server();
        for (int round = 0; round < ROUNDS; round++) {
            bool answered[MOST] = {false};
            int left = k;

            for (int i = 0; i < k; i++)
                cr_assert_eq(write(fd[i], req, sizeof req - 1), (ssize_t)(sizeof req - 1));
            while (left > 0) {
                int m = 0;

                for (int i = 0; i < k; i++)
                    if (!answered[i])
                        p[m++] = (struct pollfd){.fd = fd[i], .events = POLLIN};
                cr_assert_gt(poll(p, (nfds_t)m, 3000), 0,
                             "%d connections, round %d: %d of %d answers still missing after "
                             "3 s: the server is not serving requests that are ready",
                             k, round + 1, left, k);
                for (int j = 0; j < m; j++) {
                    char buf[4096];

                    if (p[j].revents == 0)
                        continue;
                    /* one answer is a few hundred bytes: a single read takes it whole */
                    cr_assert_gt(read(p[j].fd, buf, sizeof buf), 0, "the server hung up");
                    for (int i = 0; i < k; i++)
                        if (fd[i] == p[j].fd && !answered[i]) {
                            answered[i] = true;
                            left--;
                        }
                }
            }
        }
        for (int i = 0; i < k; i++)
            close(fd[i]);
    }
}
