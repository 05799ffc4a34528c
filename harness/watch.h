/* watch.h: `kata watch`: grade the learner's file again on every save, kata after kata. */
#ifndef KATA_WATCH_H
#define KATA_WATCH_H

#include "kata.h"

/* What a file looked like when it was last looked at: a save changes at least one field,
 * including a save by rename (a new inode) within the same second. */
struct file_sig {
    int exists;
    long long mtime_ns, size;
    unsigned long long ino;
};

/*
 * A watcher reports saves of one file. Use it in three steps:
 *
 *   1. watcher_open() the file. It watches the file's directory with inotify for
 *      IN_CLOSE_WRITE and IN_MOVED_TO on the file's name (editors that save by writing a
 *      new file and renaming it over the old one are seen too), and stats the file every
 *      2 s as a safety net for file systems that deliver no events (some bind mounts of
 *      containers). Where inotify cannot be had, or force_poll is set, it stats the file
 *      every 0.5 s instead.
 *   2. watcher_wait() until a burst of saves has settled.
 *   3. watcher_close().
 */
struct watcher {
    char *path, *dir, *name; /* the file, its directory, its name in the directory */
    int fd;                  /* the inotify descriptor, or -1 when polling */
    int wd;                  /* the watch on dir */
    double stat_every;       /* seconds between stats of the file */
    double next_stat;        /* CLOCK_MONOTONIC seconds */
    double quiet;            /* seconds without a further save before a burst counts */
    struct file_sig seen;    /* the file when last looked at */
    int pending;             /* a save was seen; it is reported at `due` */
    double due;
};

/* Starts watching path, reporting a burst of saves once `quiet` seconds have passed without
 * another. Returns 0 (w->fd < 0 means it polls) or -1 with an error printed when the path
 * has no directory part that exists. Release with watcher_close. */
int watcher_open(struct watcher *w, const char *path, double quiet, int force_poll);
void watcher_close(struct watcher *w);

enum watch_event { WATCH_TIMEOUT = 0, WATCH_SAVED = 1, WATCH_FD = 2 };

/* Waits at most `timeout` seconds (negative: for ever) for a burst of saves to settle, and
 * returns WATCH_SAVED then. Also returns WATCH_FD as soon as one of the `nfds` descriptors in
 * `fds` is readable (its index in *ready), keeping a pending burst for the next call, and
 * WATCH_TIMEOUT when the time is up. A signal does not end the wait: have the handler write
 * to a descriptor in `fds`. Returns -1 when poll() itself fails. */
int watcher_wait(struct watcher *w, double timeout, const int *fds, int nfds, int *ready);

/* `kata watch [NAME]`: grades the kata `name` (as kata_match takes it; NULL: the first kata
 * not yet passed) now and on every save of its file, and moves on to the next kata when it
 * passes. On a terminal, keys: h hint, r grade again, n next kata, l list, q quit.
 * force_poll, or KATA_WATCH_POLL=1, polls instead of using inotify. Returns 0 on q, Ctrl-C
 * (SIGINT), SIGTERM or SIGHUP, having killed a grading in progress and restored the
 * terminal, or once every kata has passed; 2 for an unknown kata, 3 when it cannot run. */
int watch_main(const char *name, int force_poll);

#endif
