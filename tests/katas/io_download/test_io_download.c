/* test_io_download.c: the functional tests of kata 11, io_download. */
#define _GNU_SOURCE /* sockets, snprintf into the URLs, dlsym(RTLD_NEXT) */
#include "io_download.h"

#include "kata_test.h"
#include "latency_body.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_URLS 256
#define UNSET_STATUS (-77L) /* what out[] holds before the call: no download gives it */

/* curl_easy_init, as the code under test sees it: this program defines the name, so the
 * learner's calls (linked into the same program) come here, and this one calls libcurl's.
 * It counts the handles made, and can refuse to make one, as libcurl does when memory runs
 * out. libcurl calls curl_easy_init too, for handles of its own (a connection cache's),
 * and those calls land here as well: only calls from this program count or fail. The
 * test's own calls (server_stats) count too: read the count around a call only. */
static atomic_long easy_inits;
static atomic_long easy_budget = -1; /* handles left before curl_easy_init fails; -1: never */

/* Is this code address in the test program itself, not in a shared library? (An object of
 * the program's own tells where the program is loaded.) */
static const int in_the_program = 1;

static int in_this_program(const void *addr)
{
    Dl_info mine, theirs;
    return dladdr(&in_the_program, &mine) && dladdr(addr, &theirs) &&
           mine.dli_fbase == theirs.dli_fbase;
}

CURL *curl_easy_init(void)
{
    static CURL *(*real)(void);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "curl_easy_init");
    if (!real)
        return NULL;
    if (!in_this_program(__builtin_return_address(0)))
        return real();
    long budget = atomic_load(&easy_budget);
    while (budget >= 0) {
        if (budget == 0)
            return NULL;
        if (atomic_compare_exchange_weak(&easy_budget, &budget, budget - 1))
            break;
    }
    atomic_fetch_add(&easy_inits, 1);
    return real();
}

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

static int download(struct batch *b, int nthreads)
{
    return io_download_all((const char *const *)b->urls, b->n, nthreads, b->out);
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

Test(io_download, downloads_every_body_byte_exact)
{
    size_t n = (size_t)kata_rand_range(20, 60);
    int t = (int)kata_rand_range(2, 8);
    struct batch *b = new_batch(n, 200000, 0);
    cr_assert_eq(download(b, t), 0, "io_download_all(%zu URLs, %d threads) should return 0", n, t);
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(io_download, fetches_every_url_exactly_once)
{
    size_t n = (size_t)kata_rand_range(10, 40);
    int t = (int)kata_rand_range(2, 6);
    struct batch *b = new_batch(n, 5000, 0);
    server_stats("/stats/reset");
    cr_assert_eq(download(b, t), 0);
    struct stats s = server_stats("/stats");
    cr_assert_eq(s.requests, (long)n,
                 "%zu URLs on %d threads: the server got %ld requests, it should get one per URL",
                 n, t, s.requests);
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(io_download, starts_exactly_the_threads_it_was_asked_for)
{
    size_t n = (size_t)kata_rand_range(20, 40);
    int t = (int)kata_rand_range(2, 8);
    struct batch *b = new_batch(n, 2000, 0);
    kata_threads_reset();
    cr_assert_eq(download(b, t), 0);
    cr_assert_eq(kata_threads_started(), t,
                 "asked for %d threads on %zu URLs, pthread_create ran %ld %s", t, n,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(io_download, one_thread_is_still_a_thread_of_its_own)
{
    size_t n = (size_t)kata_rand_range(3, 10);
    struct batch *b = new_batch(n, 50000, 0);
    kata_threads_reset();
    cr_assert_eq(download(b, 1), 0);
    cr_assert_eq(kata_threads_started(), 1,
                 "asked for 1 thread on %zu URLs, pthread_create ran %ld %s", n,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(io_download, starts_only_one_thread_per_url_when_urls_are_fewer)
{
    int t = (int)kata_rand_range(4, 16);
    size_t n = (size_t)kata_rand_range(1, t - 1);
    struct batch *b = new_batch(n, 2000, 0);
    kata_threads_reset();
    cr_assert_eq(download(b, t), 0);
    cr_assert_eq(kata_threads_started(), (long)n,
                 "%d threads for only %zu URLs: start %zu (one per URL), pthread_create ran "
                 "%ld %s",
                 t, n, n, kata_threads_started(),
                 kata_plural(kata_threads_started(), "time", "times"));
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(io_download, keeps_nthreads_requests_in_flight_at_once)
{
    int t = (int)kata_rand_range(3, 6);
    size_t n = (size_t)t * 3; /* three rounds of 100 ms each */
    struct batch *b = new_batch(n, 2000, 100);
    server_stats("/stats/reset");
    cr_assert_eq(download(b, t), 0);
    struct stats s = server_stats("/stats");
    cr_assert_geq(s.peak_in_flight, t,
                  "%zu URLs of 100 ms on %d threads: at most %ld request%s waited at the server "
                  "at once, it should be %d (each thread waits for its own transfer, all at "
                  "the same time)",
                  n, t, s.peak_in_flight, s.peak_in_flight == 1 ? "" : "s", t);
    cr_assert_leq(s.peak_in_flight, t,
                  "%zu URLs on %d threads: %ld requests waited at the server at once, a pool of "
                  "%d threads has at most %d",
                  n, t, s.peak_in_flight, t, t);
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(io_download, makes_one_easy_handle_per_thread_and_reuses_it_for_every_url)
{
    int t = (int)kata_rand_range(2, 5);
    size_t n = (size_t)t * (size_t)kata_rand_range(4, 8);
    struct batch *b = new_batch(n, 5000, 0);
    kata_threads_reset();
    atomic_store(&easy_inits, 0);
    cr_assert_eq(download(b, t), 0);
    long handles = atomic_load(&easy_inits), threads = kata_threads_started();
    cr_assert(handles >= 1 && handles <= threads,
              "%zu URLs on %d threads: curl_easy_init ran %ld time%s for %ld thread%s: each "
              "thread makes one easy handle and reuses it for every URL it fetches, which "
              "also keeps its connection to the server open",
              n, t, handles, handles == 1 ? "" : "s", threads, threads == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

/* What a URL nobody fetched must hold after the call returned -1. */
static void assert_fetched_or_failed_init(const struct batch *b, size_t i)
{
    const struct download *d = &b->out[i];
    if (d->error == 0) {
        assert_body(b, i);
        return;
    }
    cr_assert(d->error == CURLE_FAILED_INIT && d->status == 0 && d->bytes == 0 && !d->body,
              "%s: not fetched, yet error %d, status %ld, %zu bytes: a URL nobody fetched has "
              "error CURLE_FAILED_INIT (%d), status 0 and no body",
              b->urls[i], d->error, d->status, d->bytes, CURLE_FAILED_INIT);
}

/* The contract's error paths: pthread_create fails after some threads started, or an easy
 * handle cannot be made. The call returns -1 after joining the threads that did start;
 * every URL is either fetched or marked as never fetched. The URLs wait 30 ms at the
 * server, so a thread left unjoined is still busy when the call returns. */
static void expect_start_failure(int t, long threads_ok, long handles_ok)
{
    size_t n = (size_t)t * 3;
    struct batch *b = new_batch(n, 2000, 30);
    kata_threads_fail_after(threads_ok);
    atomic_store(&easy_budget, handles_ok);
    int rc = download(b, t);
    long still = kata_threads_running();
    kata_threads_fail_after(-1);
    atomic_store(&easy_budget, -1);
    char why[128];
    if (threads_ok >= 0)
        snprintf(why, sizeof why, "pthread_create failed after %ld of %d threads started",
                 threads_ok, t);
    else
        snprintf(why, sizeof why, "curl_easy_init failed after %ld handle%s", handles_ok,
                 handles_ok == 1 ? "" : "s");
    cr_assert_eq(rc, -1, "%zu URLs on %d threads, %s: the call should return -1, it returned %d", n,
                 t, why, rc);
    cr_assert_eq(still, 0,
                 "%s, and %ld thread%s still running when the call returned -1: join the "
                 "threads that did start before returning",
                 why, still, still == 1 ? " was" : "s were");
    for (size_t i = 0; i < n; i++)
        assert_fetched_or_failed_init(b, i);
    free_batch(b);
}

Test(io_download, joins_the_threads_it_started_when_another_cannot_be_started)
{
    int t = (int)kata_rand_range(2, 5);
    expect_start_failure(t, 0, -1);
    expect_start_failure(t, kata_rand_range(1, t - 1), -1);
}

Test(io_download, returns_minus_one_when_an_easy_handle_cannot_be_made)
{
    int t = (int)kata_rand_range(2, 5);
    expect_start_failure(t, -1, 0);
    expect_start_failure(t, -1, kata_rand_range(1, t - 1));
}

Test(io_download, reports_a_server_error_without_losing_the_others)
{
    size_t n = (size_t)kata_rand_range(6, 20);
    int t = (int)kata_rand_range(2, 4);
    struct batch *b = new_batch(n, 30000, 0);
    size_t bad = (size_t)kata_rand_range(0, (long)n - 1);
    set_url(b, bad, 1000, 0, "&status=500");
    cr_assert_eq(download(b, t), 0, "one URL answered 500: the call should still return 0");
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

Test(io_download, reports_a_refused_connection_without_losing_the_others)
{
    size_t n = (size_t)kata_rand_range(6, 20);
    int t = (int)kata_rand_range(2, 4);
    struct batch *b = new_batch(n, 30000, 0);
    size_t bad = (size_t)kata_rand_range(0, (long)n - 1);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/body/10/closed", closed_port());
    free(b->urls[bad]);
    b->urls[bad] = strdup(url);
    server_stats("/stats/reset");
    cr_assert_eq(download(b, t), 0,
                 "one URL's connection was refused: the call should still return 0");
    const struct download *d = &b->out[bad];
    cr_assert_neq(d->error, 0, "%s: nothing listens there, yet error is 0", url);
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

Test(io_download, one_handle_goes_on_after_a_failed_download)
{
    size_t n = (size_t)kata_rand_range(5, 12);
    struct batch *b = new_batch(n, 30000, 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/body/10/closed", closed_port());
    free(b->urls[1]);
    b->urls[1] = strdup(url);
    set_url(b, 3, 1000, 0, "&status=404");
    cr_assert_eq(download(b, 1), 0);
    cr_assert_neq(b->out[1].error, 0, "%s: nothing listens there, yet error is 0", url);
    cr_assert_eq(b->out[3].status, 404, "%s: status %ld, it should be 404", b->urls[3],
                 b->out[3].status);
    for (size_t i = 0; i < n; i++)
        if (i != 1 && i != 3)
            assert_body(b, i);
    free_batch(b);
}

Test(io_download, an_empty_body_is_a_download_too)
{
    size_t n = (size_t)kata_rand_range(2, 6);
    struct batch *b = new_batch(n, 3000, 0);
    set_url(b, 0, 0, 0, NULL);
    cr_assert_eq(download(b, 2), 0);
    cr_assert_eq(b->out[0].error, 0, "%s: error %d", b->urls[0], b->out[0].error);
    cr_assert_eq(b->out[0].status, 200, "%s: status %ld", b->urls[0], b->out[0].status);
    cr_assert_eq(b->out[0].bytes, 0, "%s: an empty body, yet %zu bytes", b->urls[0],
                 b->out[0].bytes);
    for (size_t i = 1; i < n; i++)
        assert_body(b, i);
    free_batch(b);
}

Test(io_download, an_empty_list_starts_no_thread)
{
    struct download out[1] = {{.status = UNSET_STATUS}};
    const char *urls[1] = {"http://127.0.0.1:1/never"};
    kata_threads_reset();
    server_stats("/stats/reset");
    cr_assert_eq(io_download_all(urls, 0, 4, out), 0, "n == 0 should return 0");
    cr_assert_eq(io_download_all(NULL, 0, 4, NULL), 0,
                 "n == 0 should return 0, even with NULL urls and out");
    cr_assert_eq(kata_threads_started(), 0, "n == 0, yet pthread_create ran %ld %s",
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    cr_assert_eq(out[0].status, UNSET_STATUS, "n == 0, yet out[0] was written");
    cr_assert_eq(server_stats("/stats").requests, 0, "n == 0, yet the server got requests");
}

Test(io_download, rejects_a_thread_count_out_of_range)
{
    struct batch *b = new_batch(3, 100, 0);
    kata_threads_reset();
    server_stats("/stats/reset");
    cr_assert_eq(download(b, 0), -1, "0 threads is not a valid request");
    cr_assert_eq(download(b, -2), -1, "a negative thread count is not a valid request");
    cr_assert_eq(download(b, IO_DOWNLOAD_MAX_THREADS + 1), -1,
                 "more than IO_DOWNLOAD_MAX_THREADS threads is not a valid request");
    cr_assert_eq(kata_threads_started(), 0,
                 "a rejected request should start no thread, pthread_create ran %ld %s",
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    cr_assert_eq(server_stats("/stats").requests, 0, "a rejected request should download nothing");
    for (size_t i = 0; i < b->n; i++)
        cr_assert_eq(b->out[i].status, UNSET_STATUS,
                     "a rejected request should leave out[] untouched");
    free_batch(b);
}

Test(io_download, rejects_missing_urls_or_results)
{
    struct batch *b = new_batch(3, 100, 0);
    kata_threads_reset();
    cr_assert_eq(io_download_all(NULL, b->n, 2, b->out), -1, "urls == NULL with n > 0 is an error");
    cr_assert_eq(io_download_all((const char *const *)b->urls, b->n, 2, NULL), -1,
                 "out == NULL with n > 0 is an error");
    cr_assert_eq(kata_threads_started(), 0,
                 "a rejected request should start no thread, pthread_create ran %ld %s",
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    free_batch(b);
}
