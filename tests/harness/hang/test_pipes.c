/* test_pipes.c: tests of harness/hang/ on pipes: snapshot.c's READ/WRITE/PROC lines of a live
 * pipe hang, and the sentences describe.c makes of a dump that holds them. */
#include "hang/describe.h"
#include "hang/snapshot.h"
#include "util.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The moment of the pipe_messages hang: a runner 10, the test process 11 reading its fd 5
 * (pipe 900), whose write end it holds itself as fd 6 and its child 12 as fd 6; 12 reads fd
 * 3 (pipe 901) and holds that pipe's write end as fd 4. */
static const char DUMP[] = "STATE 11 S\nREAD 11 11 5 900\nSTATE 12 S\nREAD 12 12 3 901\n"
                           "WRITE 900 11 6\nWRITE 900 12 6\nWRITE 901 12 4\n"
                           "PROC 10 1\nPROC 11 10\nPROC 12 11\nROOT 10\n"
                           "PID 11 - process\nTID 11:\n"
                           "#0  0x0000000000001000 read\n"
                           "#1  0x0000000000001000 read_full\n    /k/p.c:35:9\n"
                           "#2  0x0000000000001000 collect\n    /k/p.c:80:5\n"
                           "#3  0x0000000000001000 p_run\n    /k/p.c:120:5\n"
                           "#4  0x0000000000001000 test_it\n    /k/test.c:9:5\n"
                           "PID 12 - process\nTID 12:\n"
                           "#0  0x0000000000001000 read\n"
                           "#1  0x0000000000001000 read_full\n    /k/p.c:35:9\n"
                           "#2  0x0000000000001000 relay\n    /k/p.c:60:5\n"
                           "#3  0x0000000000001000 p_run\n    /k/p.c:110:9\n";

Test(pipes, names_every_process_that_holds_the_write_end_a_reader_waits_on)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    cr_assert_eq(pipes_describe(DUMP, "/k/p.c", &sb), 2);
    cr_assert(strstr(sb.buf, "  the test process 11, in p_run > collect > read_full, waits in "
                             "read() on fd 5, a pipe whose write end is still open in: process "
                             "11 itself (fd 6), process 12 (a child of the test process 11) "
                             "(fd 6);"),
              "%s", sb.buf);
    cr_assert(strstr(sb.buf, "  process 12 (a child of the test process 11), in p_run > relay > "
                             "read_full, waits in read() on fd 3, a pipe whose write end is "
                             "still open in: process 12 itself (fd 4);"),
              "%s", sb.buf);
    sb_release(&sb);
}

Test(pipes, a_dump_without_readers_says_nothing)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    cr_assert_eq(pipes_describe("STATE 5 S\nPID 5 - process\nTID 5:\n", "/k/p.c", &sb), 0);
    cr_assert_eq(pipes_describe(NULL, "/k/p.c", &sb), 0);
    cr_assert_eq(sb.len, 0);
    sb_release(&sb);
}

/* A real reader: a child blocked in read() on a pipe whose write end it keeps open. */
Test(pipes, sees_a_live_reader_and_the_write_end_it_holds_itself)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t kid = fork();
    if (kid == 0) {
        char c;
        ssize_t n = read(p[0], &c, 1); /* p[1] is still open here: waits forever */
        _exit(n == 1 ? 0 : 1);
    }
    cr_assert_gt(kid, 0);
    close(p[1]);
    close(p[0]);
    struct strbuf notes = STRBUF_INIT;
    sb_init(&notes);
    char tid[24];
    snprintf(tid, sizeof tid, "%d", (int)kid);
    for (int i = 0; i < 200 && !strstr(notes.buf ? notes.buf : "", "READ "); i++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
        pipes_note_reader(kid, tid, &notes);
    }
    char *want = xasprintf("READ %d %d %d ", (int)kid, (int)kid, p[0]);
    cr_assert(strstr(notes.buf ? notes.buf : "", want), "no READ line: %s", notes.buf);
    pid_t both[] = {getpid(), kid};
    struct strbuf all = STRBUF_INIT;
    sb_init(&all);
    sb_puts(&all, notes.buf);
    pipes_note_writers(notes.buf, both, 2, &all);
    unsigned long ino = 0;
    sscanf(strstr(notes.buf, want) + strlen(want), "%lu", &ino);
    char *writer = xasprintf("WRITE %lu %d %d\n", ino, (int)kid, p[1]);
    cr_assert(strstr(all.buf, writer), "the child holds the write end: %s", all.buf);
    char *parent = xasprintf("WRITE %lu %d ", ino, (int)getpid());
    cr_assert_null(strstr(all.buf, parent), "the parent closed its copies: %s", all.buf);
    kill(kid, SIGKILL);
    waitpid(kid, NULL, 0);
    free(parent);
    free(writer);
    free(want);
    sb_release(&all);
    sb_release(&notes);
}
