/* pipe_signed_overflow.c: the reference of pipe_messages with one signed integer overflow in
 * the parent, which does not stop the program: the asan stage fails on UBSan's report alone,
 * at the line below (tests/harness/stages/test_asan.c). */
#include "pipe_messages.h"

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 65536

/* Reads exactly n bytes: read() may return fewer than asked (a pipe hands over what it
 * holds, at most 64 KiB at a time). Returns 1 when all n came, 0 at end-of-file before the
 * first byte, -1 on an error or an end-of-file halfway. */
static int read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r == 0 && got == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

/* Writes all n bytes (a signal can cut a write short). Returns 0, or -1 on an error. */
static int write_full(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, (const char *)buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

/* The sender: every message as a frame, then END. */
static int send_all(int fd, const struct message *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t len = msgs[i].len;
        if (write_full(fd, &len, sizeof len) || write_full(fd, msgs[i].data, msgs[i].len))
            return -1;
    }
    uint64_t end = PIPE_MESSAGES_END;
    return write_full(fd, &end, sizeof end);
}

/* The receiver: frames from `in` passed on to `out` until end-of-file, which must come
 * right after END (end-of-file without END means the sender died halfway). */
static int relay(int in, int out)
{
    unsigned char buf[CHUNK];
    int ended = 0;
    for (;;) {
        uint64_t len;
        int r = read_full(in, &len, sizeof len);
        if (r == 0)
            return ended ? 0 : -1;
        if (r < 0 || ended || write_full(out, &len, sizeof len))
            return -1;
        if (len == PIPE_MESSAGES_END) {
            ended = 1;
            continue;
        }
        while (len > 0) {
            size_t k = len < sizeof buf ? (size_t)len : sizeof buf;
            if (read_full(in, buf, k) != 1 || write_full(out, buf, k))
                return -1;
            len -= k;
        }
    }
}

/* The parent: frames from fd into received[], until end-of-file right after END.
 * Returns the number of messages stored (each one the caller's to free), or -1 when the
 * stream was not n messages and an END (what was stored is still counted in *got). */
static int collect(int fd, size_t n, struct message *received, size_t *got)
{
    int ended = 0;
    for (;;) {
        uint64_t len;
        int r = read_full(fd, &len, sizeof len);
        if (r == 0)
            return ended && *got == n ? 0 : -1;
        if (r < 0 || ended)
            return -1;
        if (len == PIPE_MESSAGES_END) {
            ended = 1;
            continue;
        }
        if (*got == n || len >= SIZE_MAX)
            return -1;
        unsigned char *data = malloc(len ? (size_t)len : 1);
        if (!data)
            return -1;
        received[(*got)++] = (struct message){(size_t)len, data};
        if (len > 0 && read_full(fd, data, (size_t)len) != 1)
            return -1;
    }
}

/* Waits for a child. Returns 0 when it exited with 0, else -1. */
static int reap(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int pipe_messages_run(const struct message *msgs, size_t n, struct message *received)
{
    if (n > 0 && (!msgs || !received))
        return -1;
    volatile int sum = 2147483647;
    sum = sum + (int)n + 1; /* a signed overflow, which goes on with a wrapped value */
    int to_receiver[2], to_parent[2];
    if (pipe(to_receiver))
        return -1;
    pid_t sender = fork();
    if (sender == 0) {
        close(to_receiver[0]);
        int rc = send_all(to_receiver[1], msgs, n);
        close(to_receiver[1]);
        _exit(rc ? 1 : 0);
    }
    /* From here on only the sender may hold the write end: close ours at once. */
    close(to_receiver[1]);
    if (sender < 0) {
        close(to_receiver[0]);
        return -1;
    }
    if (pipe(to_parent)) {
        close(to_receiver[0]); /* the sender's writes now fail, and it exits */
        reap(sender);
        return -1;
    }
    pid_t receiver = fork();
    if (receiver == 0) {
        close(to_parent[0]);
        int rc = relay(to_receiver[0], to_parent[1]);
        _exit(rc ? 1 : 0);
    }
    close(to_receiver[0]);
    close(to_parent[1]);
    size_t got = 0;
    int rc = receiver < 0 ? -1 : collect(to_parent[0], n, received, &got);
    /* Close before waiting: a child still blocked on a full pipe then gets EPIPE and exits,
     * instead of waiting for us while we wait for it. */
    close(to_parent[0]);
    if (reap(sender))
        rc = -1;
    if (receiver > 0 && reap(receiver))
        rc = -1;
    if (rc)
        pipe_messages_free(received, got);
    return rc;
}
