/* test_mutex.c: tests of harness/hang/ on a mutex wait: snapshot.c's MUTEX line names who
 * holds the mutex a live thread waits for, and a thread that waits for a mutex it holds itself
 * is said to (a self-deadlock), one held by another thread names that thread. */
#include "hang/describe.h"
#include "hang/snapshot.h"
#include "parsers/stacks.h"
#include "util.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A real self-deadlock: a child locks a default mutex twice. */
Test(mutex, sees_who_holds_the_mutex_a_live_thread_waits_for)
{
    pid_t kid = fork();
    if (kid == 0) {
        static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
        pthread_mutex_lock(&m);
        pthread_mutex_lock(&m); /* waits for itself for ever */
        _exit(1);
    }
    cr_assert_gt(kid, 0);
    char tid[24];
    snprintf(tid, sizeof tid, "%d", (int)kid);
    struct strbuf notes = STRBUF_INIT;
    sb_init(&notes);
    for (int i = 0; i < 200 && !strstr(notes.buf ? notes.buf : "", "MUTEX "); i++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
        mutex_note_owner(kid, tid, &notes);
    }
    char *want = xasprintf("MUTEX %d %d\n", (int)kid, (int)kid);
    cr_assert(notes.buf && strstr(notes.buf, want), "no MUTEX line naming itself: %s",
              notes.buf ? notes.buf : "");
    kill(kid, SIGKILL);
    waitpid(kid, NULL, 0);
    free(want);
    sb_release(&notes);
}

/* A dump of process 20: its main thread waits for a mutex it holds itself; thread 22 (the
 * second it started) for one that thread 21 (the first) holds. */
static const char DUMP[] = "STATE 20 S\nSTATE 21 S\nSTATE 22 S\nMUTEX 20 20\nMUTEX 22 21\n"
                           "PID 20 - process\n"
                           "TID 20:\n"
                           "#0  0x0000000000001000 __lll_lock_wait\n"
                           "#1  0x0000000000001000 pthread_mutex_lock@@GLIBC_2.2.5\n"
                           "#2  0x0000000000001000 add\n    /k/q.c:12:5\n"
                           "TID 21:\n"
                           "#0  0x0000000000001000 __futex_abstimed_wait_common\n"
                           "#1  0x0000000000001000 worker\n    /k/q.c:30:9\n"
                           "TID 22:\n"
                           "#0  0x0000000000001000 __lll_lock_wait\n"
                           "#1  0x0000000000001000 pthread_mutex_lock@@GLIBC_2.2.5\n"
                           "#2  0x0000000000001000 worker\n    /k/q.c:31:9\n";

Test(mutex, a_thread_waiting_for_its_own_mutex_is_said_to_hold_it)
{
    struct findings f = {0};
    cr_assert_eq(stacks_parse(DUMP, "/k/q.c", &f), 3);
    cr_assert_str_eq(f.v[0].access[0].thread, "main thread");
    cr_assert_str_eq(f.v[0].access[0].op, "pthread_mutex_lock");
    cr_assert(starts_with(f.v[0].variable, "a mutex it already holds itself (a self-deadlock"),
              "%s", f.v[0].variable);
    /* a wait that is no mutex lock says nothing of owners */
    cr_assert_str_eq(f.v[1].access[0].thread, "thread 1");
    cr_assert_null(f.v[1].variable);
    cr_assert_str_eq(f.v[2].access[0].thread, "thread 2");
    cr_assert_str_eq(f.v[2].variable, "a mutex that thread 1 holds");
    findings_release(&f);
}

/* The sentences: the place first, as before, then what the thread waits for; a thread that
 * holds the mutex is not folded in with those that wait for it at the same line. */
Test(mutex, the_hang_says_who_holds_the_mutex_after_the_place)
{
    char path[] = "/tmp/kata-test-mutex-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    static const char dump[] = "STATE 30 S\nSTATE 31 S\nSTATE 32 S\nSTATE 33 S\n"
                               "MUTEX 31 31\nMUTEX 32 31\nMUTEX 33 31\nPID 30 - process\n"
                               "TID 30:\n#0  0x0000000000001000 pthread_join\n"
                               "#1  0x0000000000001000 run\n    /k/q.c:40:5\n"
                               "TID 31:\n#0  0x0000000000001000 __lll_lock_wait\n"
                               "#1  0x0000000000001000 pthread_mutex_lock\n"
                               "#2  0x0000000000001000 worker\n    /k/q.c:27:9\n"
                               "TID 32:\n#0  0x0000000000001000 __lll_lock_wait\n"
                               "#1  0x0000000000001000 pthread_mutex_lock\n"
                               "#2  0x0000000000001000 worker\n    /k/q.c:27:9\n"
                               "TID 33:\n#0  0x0000000000001000 __lll_lock_wait\n"
                               "#1  0x0000000000001000 pthread_mutex_lock\n"
                               "#2  0x0000000000001000 worker\n    /k/q.c:27:9\n";
    cr_assert_eq(write(fd, dump, sizeof dump - 1), (ssize_t)(sizeof dump - 1));
    close(fd);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    struct findings f = {0};
    stacks_describe(path, "/k/q.c", 0, &sb, &f);
    unlink(path);
    cr_assert(strstr(sb.buf, "  thread 1 blocked in pthread_mutex_lock, called from worker at "
                             "/k/q.c:27, waiting for a mutex it already holds itself (a "
                             "self-deadlock: a thread cannot take a mutex twice)\n"),
              "%s", sb.buf);
    cr_assert(strstr(sb.buf, "  2 threads blocked in pthread_mutex_lock, called from worker at "
                             "/k/q.c:27, waiting for a mutex that thread 1 holds\n"),
              "%s", sb.buf);
    findings_release(&f);
    sb_release(&sb);
}
