/* hostile: downloads correctly, but in the timed run one URL at a time, and at the end of that
 * run leaves the latency server thousands of requests that ask to be answered ten minutes
 * later (four processes of a thousand connections each), so that the reference's timed run,
 * which comes next, meets a server full of waiting requests and looks as slow as this one.
 * Every timed run gets a server no earlier run touched: the reference keeps its time and
 * the serial download fails perf.
 * expect: stage=perf status=fail first text="the reference's time"
 * expect: status=fail
 * limit: 150
 * kata: io_download
 * solo: its tests and detectors under Valgrind and two sanitizers take both cores for a while
 */
#define _GNU_SOURCE
#include "io_download.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Is this the timed driver? The harness names its builds driver-perf-<hash>. */
static int timed_run(void)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 0;
    self[n] = '\0';
    return strstr(self, "/driver-perf-") != NULL;
}

/* Opens as many connections to the server as it may, each with a request that asks for its
 * answer ten minutes from now, in four processes, and lets them all go. */
static void flood(const char *url)
{
    unsigned port = 0;
    if (sscanf(url, "http://127.0.0.1:%u", &port) != 1)
        return;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    static const char req[] = "GET /body/1?delay=600000 HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int p = 0; p < 4; p++) {
        pid_t pid = fork();
        if (pid != 0)
            continue;
        for (int i = 0; i < 1000; i++) {
            int s = socket(AF_INET, SOCK_STREAM, 0);
            if (s < 0 || connect(s, (const struct sockaddr *)&to, sizeof to) < 0)
                break;
            if (send(s, req, sizeof req - 1, MSG_NOSIGNAL) < 0)
                break;
        }
        _exit(0);
    }
    while (wait(NULL) > 0)
        ;
}
struct job {
    const char *const *urls;
    struct download *out;
    size_t n;
    atomic_size_t next;   /* the next URL nobody has taken yet */
    atomic_int no_handle; /* a thread could not make its easy handle */
};

/* Where the body of the transfer in progress goes: its download and the room it has. */
struct sink {
    struct download *d;
    size_t capacity;
};

/* libcurl hands the body over in pieces, as they arrive: append each one. Returning less
 * than size * nmemb tells libcurl to stop the transfer (CURLE_WRITE_ERROR). */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    struct download *d = s->d;
    size_t len = size * nmemb;
    if (len > s->capacity - d->bytes) {
        size_t cap = s->capacity ? s->capacity : 16384;
        while (cap - d->bytes < len)
            cap *= 2;
        unsigned char *grown = realloc(d->body, cap);
        if (!grown)
            return 0;
        d->body = grown;
        s->capacity = cap;
    }
    memcpy(d->body + d->bytes, data, len);
    d->bytes += len;
    return len;
}

static void fetch(CURL *h, struct sink *sink, const char *url, struct download *d)
{
    *d = (struct download){0};
    *sink = (struct sink){d, 0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    d->error = (int)curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &d->status); /* 0 if no response came */
}

static void *worker(void *arg)
{
    struct job *job = arg;
    CURL *h = curl_easy_init();
    if (!h) {
        atomic_store(&job->no_handle, 1);
        return NULL;
    }
    struct sink sink;
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no signals: they would hit any thread */
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n)
            break;
        fetch(h, &sink, job->urls[i], &job->out[i]);
    }
    curl_easy_cleanup(h);
    return NULL;
}

static int download_all(const char *const *urls, size_t n, int nthreads, struct download *out)
{
    if (nthreads < 1 || nthreads > IO_DOWNLOAD_MAX_THREADS)
        return -1;
    if (n > 0 && (!urls || !out))
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (struct download){.error = CURLE_FAILED_INIT};
    if (n == 0)
        return 0;
    /* Not thread-safe in every libcurl: call it here, before any thread exists. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;

    struct job job = {.urls = urls, .out = out, .n = n};
    atomic_init(&job.next, 0);
    atomic_init(&job.no_handle, 0);
    size_t t = (size_t)nthreads < n ? (size_t)nthreads : n;
    pthread_t threads[IO_DOWNLOAD_MAX_THREADS];
    size_t started = 0;
    while (started < t && pthread_create(&threads[started], NULL, worker, &job) == 0)
        started++;
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    curl_global_cleanup();
    return started == t && !atomic_load(&job.no_handle) ? 0 : -1;
}

int io_download_all(const char *const *urls, size_t n, int nthreads, struct download *out)
{
    int timed = timed_run();
    int rc = download_all(urls, n, timed ? 1 : nthreads, out);
    if (timed && n > 0)
        flood(urls[0]);
    return rc;
}
