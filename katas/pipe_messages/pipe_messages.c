/*
 * pipe_messages: send messages from one process to another through a pipe.
 *
 * pipe() gives two descriptors: bytes written to [1] come out of [0], in order. fork() makes
 * a copy of the calling process, with a copy of every open descriptor. So after two forks
 * there are three processes, each holding all four ends of the two pipes below, and a pipe
 * reports end-of-file to its reader only when every one of those copies of its write end
 * is closed.
 *
 * The frames (a length, then the bytes) and the loops that read and write them are written
 * for you below. What is missing is the plumbing: nobody closes the ends they do not use,
 * so the receiver waits for an end-of-file that never comes, and nobody waits for the
 * children. Run `make kata NAME=pipe_messages`: the test stage stops at its deadline and
 * shows where each process was stuck.
 *
 * Your job: close every unused end in every process, reap both children, and leave no
 * descriptor open. Read katas/pipe_messages/README.md first.
 */
#include "pipe_messages.h"

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h> /* waitpid */
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

int pipe_messages_run(const struct message *msgs, size_t n, struct message *received)
{
    if (n > 0 && (!msgs || !received))
        return -1;
    int to_receiver[2], to_parent[2]; /* [0] is the read end, [1] the write end */
    if (pipe(to_receiver))
        return -1;
    if (pipe(to_parent)) {
        close(to_receiver[0]);
        close(to_receiver[1]);
        return -1;
    }
    pid_t sender = fork();
    if (sender == 0) {
        /* TODO: the sender only writes to to_receiver[1]: close the three ends it does
         * not use. */
        _exit(send_all(to_receiver[1], msgs, n) ? 1 : 0);
    }
    pid_t receiver = sender < 0 ? -1 : fork();
    if (receiver == 0) {
        /* TODO: the receiver reads to_receiver[0] and writes to_parent[1]: close the other
         * two. While it holds a write end of the pipe it reads, its read() can never see
         * end-of-file. */
        _exit(relay(to_receiver[0], to_parent[1]) ? 1 : 0);
    }
    /* TODO: the parent only reads to_parent[0]: close the other three ends, now that both
     * children have their own copies. */
    size_t got = 0;
    int rc = sender < 0 || receiver < 0 ? -1 : collect(to_parent[0], n, received, &got);
    /* TODO: close to_parent[0] too, then wait for both children with waitpid() (until then
     * they stay zombies), and return -1 unless both exited with 0. */
    if (rc)
        pipe_messages_free(received, got);
    return rc;
}
