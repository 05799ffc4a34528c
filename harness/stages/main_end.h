/* main_end.h: whether a driver's main returned: the line harness/runtime/main_end.c writes,
 * asked for and checked here, for the detector stages and the timer. */
#ifndef KATA_MAIN_END_H
#define KATA_MAIN_END_H

#include "spawn.h"

/* The descriptor number the line travels on in the driver (a report channel: spawn.h). */
#define MAIN_END_FD 4

/* One driver run's end line. Steps:
 *  1. main_end_open: a fresh secret in a pipe the driver reads before main, the channel, and
 *     the environment entry that names both (`env`);
 *  2. main_end_attach: the channel and the secret's descriptor added to the child, whose
 *     environment the caller builds with `env` in it;
 *  3. child_run;
 *  4. main_end_check: did main return?
 *  5. main_end_release. */
struct main_end {
    struct child_channel channel; /* at MAIN_END_FD: what main_end_attach copies */
    struct child_channel *placed; /* that copy, in the child's channels: child_run sets its
                                     results there */
    int secret_fd;                /* the read end the driver takes, or -1 */
    int pass[2];                  /* { secret_fd, -1 }: for the child's pass_fds */
    char secret[33];              /* 16 random bytes as hex */
    char env[64];                 /* "KATA_MAIN_END=4,<secret_fd>" */
};

/* Step 1. Returns 0, or -1 (an error said) when no pipe or no random bytes could be had. */
int main_end_open(struct main_end *e);

/* Step 2: the child's channels become `channels` (n of them, the caller's first, with room
 * for one more) plus the end line's, and its pass_fds the secret's. `channels` must outlive
 * step 5. The child's env must hold e->env. */
void main_end_attach(struct main_end *e, struct child *c, struct child_channel *channels, size_t n);

/* Step 4. Returns NULL when main returned (its line, with the secret, came through, and
 * nothing else did), or when the run ended some other way that its caller reports anyway (a
 * deadline, a signal, a failed start). Else a new string, in the learner's terms, saying why
 * the run is not evidence ("the program ended inside your code (exit code 0) before the
 * driver's work was done: ..."). */
char *main_end_check(const struct main_end *e, const struct child *c);

/* Step 5: closes what is left open; the end line's channel text is freed. */
void main_end_release(struct main_end *e);

/* The linker flag that makes a driver's main be called through runtime/main_end.c. */
extern const char main_end_wrap[];

#endif
