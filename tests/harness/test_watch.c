/* test_watch.c: tests of harness/watch.c: saves seen with inotify and by polling, a burst
 * of saves reported once, other files ignored. (The choice of the next kata is progress.c's:
 * test_progress.c.) */
#include "kata.h"
#include "util.h"
#include "watch.h"

#include "support/scratch.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

TestSuite(watch, .init = cr_redirect_stderr, .fini = scratch_remove);

static void put(const char *name, const char *text)
{
    char *path = scratch_path(name);
    put_file(path, text);
    free(path);
}

/* Saves the way vim and most IDEs do: a new file, renamed over the old one. */
static void save_by_rename(const char *name, const char *text)
{
    char *tmp_name = xasprintf("%s.swp", name);
    put(tmp_name, text);
    char *from = scratch_path(tmp_name), *to = scratch_path(name);
    cr_assert_eq(rename(from, to), 0);
    free(from);
    free(to);
    free(tmp_name);
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* In a child, `count` saves of `name`, `gap_ms` apart, starting after `delay_ms`. */
static pid_t saves_later(const char *name, int delay_ms, int count, int gap_ms)
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        pause_ms(delay_ms);
        for (int i = 0; i < count; i++) {
            char text[64];
            snprintf(text, sizeof text, "int version = %d;\n", i);
            save_by_rename(name, text);
            pause_ms(gap_ms);
        }
        _exit(0);
    }
    return pid;
}

static void open_watcher(struct watcher *w, const char *name, int force_poll)
{
    char *path = scratch_path(name);
    cr_assert_eq(watcher_open(w, path, 0.15, force_poll), 0);
    free(path);
    if (!force_poll)
        cr_assert_geq(w->fd, 0, "inotify is not available here");
    else
        cr_assert_eq(w->fd, -1);
}

Test(watch, sees_a_save_in_place_through_inotify)
{
    scratch_make("watch");
    put("kata.c", "int x;\n");
    struct watcher w;
    open_watcher(&w, "kata.c", 0);
    put("kata.c", "int x = 1;\n");
    double start = now_seconds();
    cr_assert_eq(watcher_wait(&w, 2.0, NULL, 0, NULL), WATCH_SAVED);
    cr_assert_lt(now_seconds() - start, 1.0, "inotify took %.2f s", now_seconds() - start);
    watcher_close(&w);
}

Test(watch, sees_a_save_by_rename_through_inotify)
{
    scratch_make("watch");
    put("kata.c", "int x;\n");
    struct watcher w;
    open_watcher(&w, "kata.c", 0);
    save_by_rename("kata.c", "int x = 2;\n");
    double start = now_seconds();
    cr_assert_eq(watcher_wait(&w, 2.0, NULL, 0, NULL), WATCH_SAVED);
    cr_assert_lt(now_seconds() - start, 1.0);
    watcher_close(&w);
}

Test(watch, reports_a_burst_of_saves_once_after_the_last)
{
    scratch_make("watch");
    put("kata.c", "int x;\n");
    struct watcher w;
    open_watcher(&w, "kata.c", 0);
    /* ten saves 40 ms apart: each comes before the 150 ms of quiet the watcher waits for */
    double start = now_seconds();
    pid_t pid = saves_later("kata.c", 0, 10, 40);
    cr_assert_eq(watcher_wait(&w, 3.0, NULL, 0, NULL), WATCH_SAVED);
    double at = now_seconds() - start;
    waitpid(pid, NULL, 0);
    cr_assert_geq(at, 0.36 + 0.15 - 0.05, "reported after %.2f s, before the burst ended", at);
    cr_assert_eq(watcher_wait(&w, 0.5, NULL, 0, NULL), WATCH_TIMEOUT,
                 "the burst was reported twice");
    watcher_close(&w);
}

Test(watch, ignores_other_files_in_the_folder)
{
    scratch_make("watch");
    put("kata.c", "int x;\n");
    struct watcher w;
    open_watcher(&w, "kata.c", 0);
    put("kata.h", "extern int x;\n");
    save_by_rename("notes.txt", "todo\n");
    cr_assert_eq(watcher_wait(&w, 0.6, NULL, 0, NULL), WATCH_TIMEOUT);
    watcher_close(&w);
}

Test(watch, polls_when_told_to_and_sees_a_save)
{
    scratch_make("watch");
    put("kata.c", "int x;\n");
    struct watcher w;
    open_watcher(&w, "kata.c", 1);
    pid_t pid = saves_later("kata.c", 100, 1, 0);
    double start = now_seconds();
    cr_assert_eq(watcher_wait(&w, 3.0, NULL, 0, NULL), WATCH_SAVED);
    double took = now_seconds() - start;
    waitpid(pid, NULL, 0);
    cr_assert_lt(took, 0.1 + 0.5 + 0.15 + 0.3, "polling took %.2f s", took);
    cr_assert_eq(watcher_wait(&w, 1.2, NULL, 0, NULL), WATCH_TIMEOUT);
    watcher_close(&w);
}

Test(watch, polling_sees_a_rename_that_keeps_size_and_second)
{
    scratch_make("watch");
    put("kata.c", "int x = 1;\n");
    struct watcher w;
    open_watcher(&w, "kata.c", 1);
    save_by_rename("kata.c", "int x = 2;\n"); /* same size; a new inode */
    cr_assert_eq(watcher_wait(&w, 2.0, NULL, 0, NULL), WATCH_SAVED);
    watcher_close(&w);
}

Test(watch, a_readable_descriptor_ends_the_wait_and_keeps_the_save)
{
    scratch_make("watch");
    put("kata.c", "int x;\n");
    struct watcher w;
    open_watcher(&w, "kata.c", 0);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    put("kata.c", "int x = 3;\n");
    cr_assert_eq(write(p[1], "k", 1), 1);
    int ready = -1;
    cr_assert_eq(watcher_wait(&w, 2.0, p, 1, &ready), WATCH_FD);
    cr_assert_eq(ready, 0);
    char c;
    cr_assert_eq(read(p[0], &c, 1), 1);
    cr_assert_eq(watcher_wait(&w, 2.0, p, 1, &ready), WATCH_SAVED,
                 "the save seen before the key was lost");
    close(p[0]);
    close(p[1]);
    watcher_close(&w);
}

Test(watch, refuses_a_file_in_a_folder_that_does_not_exist)
{
    struct watcher w;
    cr_assert_eq(watcher_open(&w, "/nonexistent/folder/kata.c", 0.15, 0), -1);
}
