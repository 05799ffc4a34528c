/* timeline.h: the explore stage's failing interleaving as a picture (an SVG): one lane per
 * thread, one row per step, and each mutex held drawn as a bar along its holder's lane. */
#ifndef KATA_TIMELINE_H
#define KATA_TIMELINE_H

#include <stddef.h>

/* One step of the interleaving, as the story tells it. */
struct timeline_step {
    int lane;                /* 0 for the main thread, N for thread N */
    const char *text;        /* what happened, in words ("thread 1 reads counter = 0") */
    int line;                /* the line of the learner's file, 0 when none */
    const char *code;        /* that line's code, or NULL */
    int lost;                /* the step overwrote another thread's update, or raced */
    int departs;             /* the schedule departed from its default just before it */
    int lock, unlock;        /* it took or released the mutex `object` */
    int wait;                /* it waits on a condition variable, the mutex it holds let go */
    unsigned long object;    /* the mutex, for lock and unlock */
    const char *object_name; /* its name, for the bar's caption */
};

/* The SVG text (a new string) for steps[0..n), under the heading `title` (its lines, split
 * at newlines, one under the other). Every string is escaped for XML. */
char *timeline_svg(const char *title, const struct timeline_step *steps, size_t n);

#endif
