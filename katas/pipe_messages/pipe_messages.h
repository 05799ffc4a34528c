/* pipe_messages.h: the contract of kata 05, pipe_messages. Do not edit: the tests rely on it. */
#ifndef PIPE_MESSAGES_H
#define PIPE_MESSAGES_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* A message: `len` bytes of any value (zeros too) at `data`. A message may be empty
 * (len == 0) and may be far longer than PIPE_BUF. */
struct message {
    size_t len;
    unsigned char *data; /* may be NULL when len == 0 in what you send; never in what comes back */
};

/* One frame on a pipe: a header of 8 bytes, the length as a uint64_t, then that many bytes.
 * The header PIPE_MESSAGES_END, with no bytes after it, says "no more messages". */
#define PIPE_MESSAGES_END UINT64_MAX

/*
 * Sends the n messages msgs[0..n) from one process to another over a pipe, and returns what
 * arrived. It forks exactly two children, and takes these steps:
 *
 *   1. the sender (child 1) writes each message as a frame to a pipe, then an END frame,
 *      and exits;
 *   2. the receiver (child 2) reads frames from that pipe until end-of-file, and passes each
 *      one on, the END frame too, to the calling process over a second pipe;
 *   3. the calling process reads the frames back in order into received[0..n), waits for
 *      both children, and closes every descriptor it opened.
 *
 * Memory: msgs[] and its data stay the caller's and are only read. On success each
 * received[i].data is a new block from malloc of received[i].len bytes (at least one byte
 * is allocated, so it is never NULL, not even for an empty message), which the caller owns:
 * free them all with pipe_messages_free(received, n). received must have room for n.
 *
 * Returns 0 when all n messages came back, in order, and both children exited with 0.
 * Returns -1, without forking, when msgs or received is NULL with n > 0, and -1 when a
 * pipe or a fork fails, a child fails or dies, or the frames that came back are not n
 * messages and an END. On -1 received[] holds nothing to free. In every case both children
 * have been waited for and no descriptor is left open when it returns.
 */
int pipe_messages_run(const struct message *msgs, size_t n, struct message *received);

/* Frees the data of received[0..n) and empties those messages. */
static inline void pipe_messages_free(struct message *received, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(received[i].data);
        received[i].data = NULL;
        received[i].len = 0;
    }
}

#endif
