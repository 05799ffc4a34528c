/* test_async_download.c: the functional tests of kata 13, async_download. */
#define _POSIX_C_SOURCE 200809L /* sockets, snprintf into the URLs */
#include "async_download.h"

#include "kata_test.h"
#include "latency_body.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_URLS 400
#define UNSET_STATUS (-77L) /* what out[] holds before the call: no download gives it */

/* A list of URLs for one call, with the path and size each should give. */
struct batch {
    size_t n;
    char *urls[MAX_URLS];
    char paths[MAX_URLS][64];
    size_t sizes[MAX_URLS];
    struct download out[MAX_URLS];
};

static const char *server(void)
{
    const char *url = getenv("KATA_SERVER_URL");
    cr_assert_not_null(url, "KATA_SERVER_URL is not set: run the tests with `make kata`, "
                            "which starts the latency server");
    return url;
}

/* Sets URL i to ask for `size` bytes after `delay_ms`; `query` adds more, e.g. "&status=500". */
static void set_url(struct batch *b, size_t i, size_t size, int delay_ms, const char *query)
{
    char url[512];
    snprintf(b->paths[i], sizeof b->paths[i], "/body/%zu/test-%lu-%zu", size, kata_seed(), i);
    snprintf(url, sizeof url, "%s%s?delay=%d%s", server(), b->paths[i], delay_ms,
             query ? query : "");
    free(b->urls[i]);
    b->urls[i] = strdup(url);
    cr_assert_not_null(b->urls[i]);
    b->sizes[i] = size;
}

/* n URLs of random sizes up to max_size bytes (most arrive in several pieces). */
static struct batch *new_batch(size_t n, size_t max_size, int delay_ms)
{
    cr_assert(n <= MAX_URLS);
    struct batch *b = calloc(1, sizeof *b);
    cr_assert_not_null(b);
    b->n = n;
    for (size_t i = 0; i < n; i++) {
        set_url(b, i, (size_t)kata_rand_range(1, (long)max_size), delay_ms, NULL);
        b->out[i] = (struct download){.status = UNSET_STATUS, .error = -1};
    }
    return b;
}

static void free_batch(struct batch *b)
{
    for (size_t i = 0; i < MAX_URLS; i++) {
        free(b->urls[i]);
        if (i < b->n && b->out[i].status != UNSET_STATUS)
            free(b->out[i].body);
    }
    free(b);
}

static int download(struct batch *b)
{
    return io_download_all((const char *const *)b->urls, b->n, 1, b->out);
}

/* out[i] is the exact body its URL serves, with status 200 and no error. */
static void assert_body(const struct batch *b, size_t i)
{
    const struct download *d = &b->out[i];
    cr_assert(d->status != UNSET_STATUS, "%s: out[%zu] was never written", b->urls[i], i);
    cr_assert(d->error != CURLE_FAILED_INIT || d->status != 0 || d->bytes != 0,
              "%s: never fetched: out[%zu] has error CURLE_FAILED_INIT, status 0 and no body, "
              "what a URL nobody fetched is given; it should have downloaded",
              b->urls[i], i);
    cr_assert_eq(d->error, 0, "%s: error %d (%s), it should have downloaded", b->urls[i], d->error,
                 curl_easy_strerror((CURLcode)d->error));
    cr_assert_eq(d->status, 200, "%s: status %ld, it should be 200", b->urls[i], d->status);
    cr_assert_eq(d->bytes, b->sizes[i], "%s: %zu bytes, the body has %zu", b->urls[i], d->bytes,
                 b->sizes[i]);
    cr_assert_not_null(d->body, "%s: %zu bytes but body is NULL", b->urls[i], d->bytes);
    uint64_t got = latency_checksum_update(LATENCY_CHECKSUM_INIT, d->body, d->bytes);
    cr_assert_eq(got, latency_body_checksum(b->paths[i], b->sizes[i]),
                 "%s: the %zu bytes are not the body the server sent (a piece lost, "
                 "doubled or overwritten, or another URL's body)",
                 b->urls[i], d->bytes);
}

/* The latency server's counters (GET /stats). */
struct stats {
    long requests, in_flight, peak_in_flight, completed;
};

static size_t keep(char *data, size_t size, size_t nmemb, void *userdata)
{
    char *buf = userdata;
    size_t have = strlen(buf), len = size * nmemb;
    if (have + len >= 512)
        return 0;
    memcpy(buf + have, data, len);
    buf[have + len] = '\0';
    return len;
}

static long field(const char *json, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *at = strstr(json, key);
    cr_assert_not_null(at, "no %s in the server's stats: %s", name, json);
    return atol(at + strlen(key));
}

static struct stats server_stats(const char *path)
{
    char url[512], json[512] = "";
    snprintf(url, sizeof url, "%s%s", server(), path);
    CURL *h = curl_easy_init();
    cr_assert_not_null(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, json);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    cr_assert_eq(rc, CURLE_OK, "GET %s failed: %s", url, curl_easy_strerror(rc));
    return (struct stats){field(json, "requests"), field(json, "in_flight"),
                          field(json, "peak_in_flight"), field(json, "completed")};
}

/* A port on 127.0.0.1 where nothing listens: bound, then closed again. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* The highest file descriptor this process has open (from /proc/self/fd). */
static int highest_fd(void)
{
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    int top = 2;
    struct dirent *e;
    while ((e = readdir(d)))
        if (atoi(e->d_name) > top)
            top = atoi(e->d_name);
    closedir(d);
    return top;
}

Test(async_download, downloads_every_body_byte_exact)
{
    size_t n = (size_t)kata_rand_range(20, 80);
    struct batch *b = new_batch(n, 200000, 0);
    cr_assert_eq(download(b), 0, "io_download_all(%zu URLs, 1 thread) should return 0", n);
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(async_download, fetches_every_url_exactly_once)
{
    size_t n = (size_t)kata_rand_range(10, 60);
    struct batch *b = new_batch(n, 5000, 0);
    server_stats("/stats/reset");
    cr_assert_eq(download(b), 0);
    struct stats s = server_stats("/stats");
    cr_assert_eq(s.requests, (long)n,
                 "%zu URLs: the server got %ld requests, it should get one per URL", n, s.requests);
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(async_download, keeps_every_transfer_in_flight_at_once)
{
    size_t n = (size_t)kata_rand_range(20, 40);
    struct batch *b = new_batch(n, 2000, 150);
    server_stats("/stats/reset");
    cr_assert_eq(download(b), 0);
    struct stats s = server_stats("/stats");
    cr_assert_eq(s.peak_in_flight, (long)n,
                 "%zu URLs of 150 ms each: at most %ld request%s waited at the server at once, "
                 "all %zu should (add every transfer to the multi handle before the loop "
                 "starts, and let the loop drive them together)",
                 n, s.peak_in_flight, s.peak_in_flight == 1 ? "" : "s", n);
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(async_download, runs_every_transfer_on_the_calling_thread)
{
    size_t n = (size_t)kata_rand_range(10, 30);
    struct batch *b = new_batch(n, 20000, 50);
    kata_threads_reset();
    cr_assert_eq(download(b), 0);
    cr_assert_eq(kata_threads_started(), 0,
                 "%zu URLs: pthread_create ran %ld %s; the multi interface needs no thread "
                 "but the caller's",
                 n, kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(async_download, sleeps_while_the_server_thinks)
{
    size_t n = (size_t)kata_rand_range(5, 10);
    struct batch *b = new_batch(n, 2000, 300);
    double cpu = kata_cpu_seconds(), runnable = kata_runnable_seconds();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(download(b), 0);
    cpu = kata_cpu_seconds() - cpu;
    runnable = runnable < 0 ? 0 : kata_runnable_seconds() - runnable;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* CPU time, and on a busy machine (where a spinning loop gets only a share of a core)
     * the time the process wanted the CPU: a loop that spins is runnable all along */
    cr_assert(cpu < 0.05 && runnable < 0.5 * wall,
              "%zu URLs that each wait 300 ms for the server took %.2f s of CPU time (and "
              "wanted a CPU for %.2f s of %.2f s): the loop spins while it waits (call "
              "curl_multi_poll between the curl_multi_perform calls, and it sleeps until a "
              "socket is ready)",
              n, cpu, runnable, wall);
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(async_download, keeps_to_the_connection_limit)
{
    size_t n = ASYNC_DOWNLOAD_MAX_CONNECTIONS + (size_t)kata_rand_range(60, 140);
    struct batch *b = new_batch(n, 1000, 0);
    /* Room for the connections the contract allows and a few more, but not for one per URL:
     * a process that opens too many sockets gets EMFILE, as it would at 1024. */
    struct rlimit old, room;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    room = old;
    room.rlim_cur = (rlim_t)highest_fd() + 1 + ASYNC_DOWNLOAD_MAX_CONNECTIONS + 32;
    cr_assert_leq(room.rlim_cur, old.rlim_max);
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &room), 0);
    int rc = download(b);
    setrlimit(RLIMIT_NOFILE, &old);
    cr_assert_eq(rc, 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(b->out[i].error, 0,
                     "%zu URLs, with room for %d connections and a few more: %s failed with "
                     "error %d (%s); a socket per URL runs out of file descriptors, so keep "
                     "to ASYNC_DOWNLOAD_MAX_CONNECTIONS (CURLMOPT_MAX_TOTAL_CONNECTIONS)",
                     n, ASYNC_DOWNLOAD_MAX_CONNECTIONS, b->urls[i], b->out[i].error,
                     curl_easy_strerror((CURLcode)b->out[i].error));
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(async_download, reports_a_server_error_without_losing_the_others)
{
    size_t n = (size_t)kata_rand_range(6, 20);
    struct batch *b = new_batch(n, 30000, 0);
    size_t bad = (size_t)kata_rand_range(0, (long)n - 1);
    set_url(b, bad, 1000, 0, "&status=500");
    cr_assert_eq(download(b), 0, "one URL answered 500: the call should still return 0");
    const struct download *d = &b->out[bad];
    cr_assert_eq(d->status, 500, "%s: status %ld, it should be 500", b->urls[bad], d->status);
    cr_assert_eq(d->error, 0,
                 "%s: error %d (%s): a 500 is a response, the transfer itself went well",
                 b->urls[bad], d->error, curl_easy_strerror((CURLcode)d->error));
    cr_assert(d->bytes == strlen("status 500\n") && d->body &&
                  !memcmp(d->body, "status 500\n", d->bytes),
              "%s: the body should be the server's \"status 500\\n\" (%zu bytes), got %zu bytes",
              b->urls[bad], strlen("status 500\n"), d->bytes);
    for (size_t i = 0; i < n; i++)
        if (i != bad)
            assert_body(b, i);
    free_batch(b);
}

Test(async_download, reports_a_refused_connection_without_losing_the_others)
{
    size_t n = (size_t)kata_rand_range(6, 20);
    struct batch *b = new_batch(n, 30000, 0);
    size_t bad = (size_t)kata_rand_range(0, (long)n - 1);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/body/10/closed", closed_port());
    free(b->urls[bad]);
    b->urls[bad] = strdup(url);
    server_stats("/stats/reset");
    cr_assert_eq(download(b), 0,
                 "one URL's connection was refused: the call should still return 0");
    const struct download *d = &b->out[bad];
    cr_assert_neq(d->error, 0,
                  "%s: nothing listens there, yet error is 0 (the CURLMsg of a finished "
                  "transfer says how it ended: msg->data.result)",
                  url);
    cr_assert_eq(d->status, 0, "%s: no response came, yet status is %ld", url, d->status);
    cr_assert_eq(d->bytes, 0, "%s: no response came, yet %zu bytes did", url, d->bytes);
    for (size_t i = 0; i < n; i++)
        if (i != bad)
            assert_body(b, i);
    struct stats s = server_stats("/stats");
    cr_assert_eq(s.requests, (long)n - 1, "%zu URLs, one refused: the server got %ld requests", n,
                 s.requests);
    free_batch(b);
}

Test(async_download, an_empty_body_is_a_download_too)
{
    size_t n = (size_t)kata_rand_range(2, 6);
    struct batch *b = new_batch(n, 3000, 0);
    set_url(b, 0, 0, 0, NULL);
    cr_assert_eq(download(b), 0);
    cr_assert_eq(b->out[0].error, 0, "%s: error %d", b->urls[0], b->out[0].error);
    cr_assert_eq(b->out[0].status, 200, "%s: status %ld", b->urls[0], b->out[0].status);
    cr_assert_eq(b->out[0].bytes, 0, "%s: an empty body, yet %zu bytes", b->urls[0],
                 b->out[0].bytes);
    for (size_t i = 1; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(async_download, an_empty_list_downloads_nothing)
{
    struct download out[1] = {{.status = UNSET_STATUS}};
    const char *urls[1] = {"http://127.0.0.1:1/never"};
    server_stats("/stats/reset");
    cr_assert_eq(io_download_all(urls, 0, 1, out), 0, "n == 0 should return 0");
    cr_assert_eq(io_download_all(NULL, 0, 1, NULL), 0,
                 "n == 0 should return 0, even with NULL urls and out");
    cr_assert_eq(out[0].status, UNSET_STATUS, "n == 0, yet out[0] was written");
    cr_assert_eq(server_stats("/stats").requests, 0, "n == 0, yet the server got requests");
}

Test(async_download, rejects_any_thread_count_but_one)
{
    struct batch *b = new_batch(3, 100, 0);
    server_stats("/stats/reset");
    int counts[] = {0, -1, 2, (int)kata_rand_range(3, 64)};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
        cr_assert_eq(io_download_all((const char *const *)b->urls, b->n, counts[k], b->out), -1,
                     "nthreads = %d: the one thread is the caller's, only 1 is valid", counts[k]);
    cr_assert_eq(server_stats("/stats").requests, 0, "a rejected request should download nothing");
    for (size_t i = 0; i < b->n; i++)
        cr_assert_eq(b->out[i].status, UNSET_STATUS,
                     "a rejected request should leave out[] untouched");
    free_batch(b);
}

Test(async_download, rejects_missing_urls_or_results)
{
    struct batch *b = new_batch(3, 100, 0);
    server_stats("/stats/reset");
    cr_assert_eq(io_download_all(NULL, b->n, 1, b->out), -1, "urls == NULL with n > 0 is an error");
    cr_assert_eq(io_download_all((const char *const *)b->urls, b->n, 1, NULL), -1,
                 "out == NULL with n > 0 is an error");
    cr_assert_eq(server_stats("/stats").requests, 0, "a rejected request should download nothing");
    free_batch(b);
}
