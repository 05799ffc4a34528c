/* findings.h: what a detector found, in the learner's terms (file:line, variable, access). */
#ifndef KATA_FINDINGS_H
#define KATA_FINDINGS_H

#include <stddef.h>

/* One side of a conflict: where the code was, what it did, on which thread. */
struct access {
    char *file;     /* source path as the tool named it, or NULL */
    int line;       /* 0 when unknown */
    char *function; /* or NULL */
    char *op;       /* "read", "write", or NULL when the tool does not say */
    char *thread;   /* "thread T2", "main thread", "thread #3", or NULL */
    int in_learner; /* the frame is in the learner's file */
};

struct finding {
    char *kind;     /* "data race", "lock order inversion", "hang", "assertion", ... */
    char *variable; /* "counter", "a heap block", or NULL */
    char *headline; /* the tool's own one-line summary */
    struct access access[2];
    int naccess;
    int in_learner; /* at least one access is in the learner's file */
    unsigned long address; /* the data's address when the tool gave no name, else 0 */
};

struct findings {
    struct finding *v;
    size_t n;
};

/* Appends a zeroed finding and returns it; owned by the list. */
struct finding *findings_add(struct findings *f);
/* Frees every finding and leaves the list empty. */
void findings_release(struct findings *f);
/* Moves the findings that touch the learner's file to the front and returns their count. */
size_t findings_keep_learner(struct findings *f);
/* Copies one finding into list f (deep copy). */
void findings_copy_one(struct findings *f, const struct finding *src);

/* Offers a stack frame (fn and file: new strings the call takes over) to access `a` of
 * finding `f`, innermost frame first: the first frame is kept until one in the learner's
 * file (resolved path `learner_real`) replaces it. Returns 1 once the learner's frame is
 * found: later frames need not be offered. */
int access_offer_frame(struct finding *f, struct access *a, char *fn, char *file, int line,
                       const char *learner_real);

/* Does `file` (as a tool wrote it, absolute or relative to `dir`) name the learner's source,
 * whose resolved path is `learner_real`? */
int same_source(const char *dir, const char *file, const char *learner_real);

#endif
