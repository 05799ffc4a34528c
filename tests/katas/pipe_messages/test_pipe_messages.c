/* test_pipe_messages.c: the functional tests of kata 05, pipe_messages. */
#define _POSIX_C_SOURCE 200809L /* PIPE_BUF */
#include "pipe_messages.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024 * 1024)

/* n messages with random lengths in [0, maxlen] (every fifth one empty) and random bytes. */
static struct message *random_messages(size_t n, size_t maxlen)
{
    struct message *m = calloc(n ? n : 1, sizeof *m);
    cr_assert_not_null(m);
    for (size_t i = 0; i < n; i++) {
        size_t len = i % 5 == 0 ? 0 : (size_t)kata_rand_range(1, (long)maxlen);
        m[i].len = len;
        m[i].data = len ? malloc(len) : NULL;
        cr_assert(!len || m[i].data, "out of memory for %zu bytes", len);
        long fill = kata_rand_range(0, 255);
        for (size_t k = 0; k < len; k++)
            m[i].data[k] = (unsigned char)(k % 251 == 0 ? kata_rand_range(0, 255) : fill + k * 7);
    }
    return m;
}

static void set_length(struct message *m, size_t len)
{
    free(m->data);
    m->len = len;
    m->data = len ? malloc(len) : NULL;
    cr_assert(!len || m->data, "out of memory for %zu bytes", len);
    for (size_t k = 0; k < len; k++)
        m->data[k] = (unsigned char)(k * 131 + len);
}

static void free_messages(struct message *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].data);
    free(m);
}

/* The call returned 0, and got[0..n) are msgs[0..n), byte for byte. */
static void assert_received(const struct message *msgs, const struct message *got, size_t n, int rc)
{
    cr_assert_eq(rc, 0,
                 "pipe_messages_run(%zu messages) returned %d, expected 0 (-1: a child failed or "
                 "died, or what came back was not %zu messages and an END; a read() that "
                 "returns less than asked and is not repeated takes part of a message for all "
                 "of it)",
                 n, rc, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(got[i].len, msgs[i].len,
                     "message %zu of %zu: sent %zu bytes, received %zu (messages are in the "
                     "order they were sent; a short read takes part of a message for a whole one)",
                     i, n, msgs[i].len, got[i].len);
        cr_assert_not_null(got[i].data, "message %zu (%zu bytes): received data is NULL", i,
                           got[i].len);
        for (size_t k = 0; k < msgs[i].len; k++)
            cr_assert_eq(got[i].data[k], msgs[i].data[k],
                         "message %zu of %zu (%zu bytes): byte %zu was sent as 0x%02x, "
                         "received as 0x%02x",
                         i, n, msgs[i].len, k, msgs[i].data[k], got[i].data[k]);
    }
}

Test(pipe_messages, every_message_arrives_in_order_and_byte_exact)
{
    size_t n = (size_t)kata_rand_range(20, 120);
    struct message *msgs = random_messages(n, 3 * PIPE_BUF);
    /* lengths around the sizes where pipes and buffers change behaviour */
    static const size_t edges[] = {1, PIPE_BUF - 1, PIPE_BUF, PIPE_BUF + 1, 65535, 65536, 65537};
    for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++)
        set_length(&msgs[(size_t)kata_rand_range(0, (long)n - 1)], edges[e]);
    struct message *got = calloc(n, sizeof *got);
    cr_assert_not_null(got);
    assert_received(msgs, got, n, pipe_messages_run(msgs, n, got));
    pipe_messages_free(got, n);
    free(got);
    free_messages(msgs, n);
}

Test(pipe_messages, a_message_of_a_mebibyte_arrives_whole)
{
    size_t n = 3;
    struct message *msgs = random_messages(n, 100);
    set_length(&msgs[1], MIB + (size_t)kata_rand_range(0, 4096));
    struct message got[3];
    assert_received(msgs, got, n, pipe_messages_run(msgs, n, got));
    pipe_messages_free(got, n);
    free_messages(msgs, n);
}

Test(pipe_messages, empty_messages_are_messages_too)
{
    size_t n = (size_t)kata_rand_range(3, 40);
    struct message *msgs = calloc(n, sizeof *msgs);
    struct message *got = calloc(n, sizeof *got);
    cr_assert(msgs && got);
    unsigned char byte = 'x';
    msgs[n / 2].data = &byte; /* len 0 with a pointer: still nothing to send */
    assert_received(msgs, got, n, pipe_messages_run(msgs, n, got));
    for (size_t i = 0; i < n; i++)
        cr_assert_not_null(got[i].data,
                           "empty message %zu came back with data NULL: allocate "
                           "at least one byte, so the caller can always free() it",
                           i);
    pipe_messages_free(got, n);
    free(msgs);
    free(got);
}

Test(pipe_messages, bytes_that_look_like_a_header_are_only_bytes)
{
    /* 0xff x 8 is what the END header looks like, and zeros look like an empty frame */
    size_t n = 4;
    struct message *msgs = random_messages(n, 10);
    set_length(&msgs[0], 8);
    memset(msgs[0].data, 0xff, 8);
    set_length(&msgs[1], 16);
    memset(msgs[1].data, 0, 16);
    set_length(&msgs[2], (size_t)kata_rand_range(9, 4000));
    memset(msgs[2].data, 0xff, msgs[2].len);
    struct message got[4];
    assert_received(msgs, got, n, pipe_messages_run(msgs, n, got));
    pipe_messages_free(got, n);
    free_messages(msgs, n);
}

Test(pipe_messages, no_messages_still_send_an_end)
{
    struct message got[1] = {{0, NULL}};
    kata_processes_reset();
    cr_assert_eq(pipe_messages_run(NULL, 0, got), 0, "0 messages should return 0");
    cr_assert_eq(kata_processes_started(), 2,
                 "even with nothing to send, fork a sender and a receiver (fork ran %ld %s)",
                 kata_processes_started(), kata_plural(kata_processes_started(), "time", "times"));
    cr_assert_null(got[0].data, "0 messages, yet received[0] was written");
}

Test(pipe_messages, forks_exactly_a_sender_and_a_receiver)
{
    size_t n = (size_t)kata_rand_range(5, 30);
    struct message *msgs = random_messages(n, 2000);
    struct message *got = calloc(n, sizeof *got);
    cr_assert_not_null(got);
    kata_processes_reset();
    int rc = pipe_messages_run(msgs, n, got);
    cr_assert_eq(kata_processes_started(), 2,
                 "fork ran %ld %s: it should fork two children, a sender and a receiver",
                 kata_processes_started(), kata_plural(kata_processes_started(), "time", "times"));
    assert_received(msgs, got, n, rc);
    pipe_messages_free(got, n);
    free(got);
    free_messages(msgs, n);
}

/* exit() in a child runs the exit handlers it inherited from the caller and flushes the
 * caller's stdio buffers a second time; the test support counts the handlers' runs. */
Test(pipe_messages, the_children_end_without_running_the_callers_exit_handlers)
{
    size_t n = (size_t)kata_rand_range(5, 30);
    struct message *msgs = random_messages(n, 2000);
    struct message *got = calloc(n, sizeof *got);
    cr_assert_not_null(got);
    kata_processes_reset();
    int rc = pipe_messages_run(msgs, n, got);
    long ran = kata_children_that_ran_exit_handlers();
    cr_assert_eq(ran, 0,
                 "%ld of the children ran the calling process's exit handlers (atexit) as %s "
                 "ended: a child that calls exit() runs them and writes out its copy of the "
                 "caller's stdio buffers again; end a forked child with _exit()",
                 ran, ran == 1 ? "it" : "they");
    assert_received(msgs, got, n, rc);
    pipe_messages_free(got, n);
    free(got);
    free_messages(msgs, n);
}

Test(pipe_messages, leaves_no_zombie_and_no_child_behind)
{
    size_t n = (size_t)kata_rand_range(5, 30);
    struct message *msgs = random_messages(n, 2000);
    struct message *got = calloc(n, sizeof *got);
    cr_assert_not_null(got);
    int rc = pipe_messages_run(msgs, n, got);
    int zombies = kata_zombie_children(), live = kata_live_children();
    cr_assert_eq(zombies, 0,
                 "after the call, %d child%s exited but %s never waited for (a zombie): "
                 "waitpid() each child you fork",
                 zombies, zombies == 1 ? "" : "ren", zombies == 1 ? "was" : "were");
    cr_assert_eq(live, 0, "after the call, %d child%s still running: wait for both", live,
                 live == 1 ? " is" : "ren are");
    assert_received(msgs, got, n, rc);
    pipe_messages_free(got, n);
    free(got);
    free_messages(msgs, n);
}

Test(pipe_messages, closes_every_descriptor_it_opens)
{
    size_t n = (size_t)kata_rand_range(2, 20);
    struct message *msgs = random_messages(n, 5000);
    struct message *got = calloc(n, sizeof *got);
    cr_assert_not_null(got);
    int before = kata_open_fds();
    for (int round = 0; round < 5; round++) {
        int rc = pipe_messages_run(msgs, n, got);
        int after = kata_open_fds();
        cr_assert_eq(after, before,
                     "call %d: %d descriptors open before, %d after: close every pipe end you "
                     "made, in the parent too",
                     round + 1, before, after);
        assert_received(msgs, got, n, rc);
        pipe_messages_free(got, n);
    }
    free(got);
    free_messages(msgs, n);
}

Test(pipe_messages, what_comes_back_is_a_copy_the_caller_owns)
{
    size_t n = (size_t)kata_rand_range(2, 10);
    struct message *msgs = random_messages(n, 300);
    struct message *got = calloc(n, sizeof *got);
    cr_assert_not_null(got);
    assert_received(msgs, got, n, pipe_messages_run(msgs, n, got));
    for (size_t i = 0; i < n; i++)
        cr_assert(got[i].data != msgs[i].data,
                  "received[%zu].data is the sender's own buffer: what comes back is new memory",
                  i);
    pipe_messages_free(got, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(got[i].data == NULL && got[i].len == 0);
    free(got);
    free_messages(msgs, n);
}

Test(pipe_messages, rejects_a_missing_array_without_forking)
{
    struct message one = {3, (unsigned char *)"abc"}, got[1];
    kata_processes_reset();
    cr_assert_eq(pipe_messages_run(NULL, 1, got), -1, "msgs == NULL with n > 0 is an error");
    cr_assert_eq(pipe_messages_run(&one, 1, NULL), -1, "received == NULL with n > 0 is an error");
    cr_assert_eq(kata_processes_started(), 0,
                 "a rejected request should fork nothing, fork ran %ld %s",
                 kata_processes_started(), kata_plural(kata_processes_started(), "time", "times"));
}
