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
    char *thread;   /* "main thread", "thread 2" (thread_words), or NULL */
    int in_learner; /* the frame is in the learner's file */
    int atomic;     /* the tool says the access was atomic (TSan's "Atomic write") */
};

struct finding {
    char *kind;     /* "data race", "lock order inversion", "hang", "assertion", ... */
    char *variable; /* "counter", "a heap block", or NULL */
    char *headline; /* the tool's own one-line summary */
    struct access access[2];
    int naccess;
    int in_learner;        /* at least one access is in the learner's file */
    unsigned long address; /* the data's address when the tool gave no name (or only "a heap
                              block", "a stack variable"), else 0 */
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

/* How much a finding's variable tells the learner: 0 nothing (NULL, "?"), 1 only the kind of
 * memory ("a heap block", "a stack variable"), 2 a name. */
int variable_informative(const char *variable);

/* Are a and b, data races found by one detector or by two, the same race? The same variable,
 * or a variable that one of them could not name (variable_informative below 2) and a line
 * of the learner's file in common. */
int findings_same_race(const struct finding *a, const struct finding *b);

/* The one style in which every stage names a thread for the learner: "main thread" for n 0,
 * else "thread n", the nth thread the program started (TSan's T<n>, Helgrind's #<n+1>, DRD's
 * <n+1>, a hang dump's in the order the threads started). A new string. */
char *thread_words(long n);

/* Does any access of f say it was atomic? */
int finding_has_atomic_access(const struct finding *f);

/* Offers a stack frame (fn and file: new strings the call takes over) to access `a` of
 * finding `f`, innermost frame first: the first frame is kept until one in the learner's
 * file (resolved path `learner_real`) replaces it. Returns 1 once the learner's frame is
 * found: later frames need not be offered. */
int access_offer_frame(struct finding *f, struct access *a, char *fn, char *file, int line,
                       const char *learner_real);

/* Where the learner's code lies in the binary a detector ran: the address ranges of the code
 * sections of the learner's object there, from the linker's map. A frame whose address lies
 * in them is the learner's, whatever file name its debug information claims. */
struct code_map {
    char *module;              /* the binary's base name, as the tools name the module */
    unsigned long (*range)[2]; /* [start, end): link-time addresses, which are the module
                                  offsets of a position-independent binary */
    size_t n;
};

/* Reads the ranges of `object`'s .text* input sections from ld's -Map output. Returns 0, or
 * -1 when the map cannot be read or names no code of the object (m is then empty). */
int code_map_read(struct code_map *m, const char *map_path, const char *object, const char *binary);
void code_map_release(struct code_map *m);

/* While set (not NULL), frames with an address are judged by it (access_offer_frame_at,
 * frame_is_learner); frames without one, and every frame while it is NULL, by file name. The
 * map is the caller's; set NULL again before releasing it. */
void findings_use_code_map(const struct code_map *m);

/* Is a frame the learner's? module (a path or base name) and addr (its offset in the module,
 * or the absolute address for a binary that is not position-independent) when the tool gave
 * them (module NULL otherwise); file as the tool wrote it (relative to dir, if given). */
int frame_is_learner(const char *dir, const char *file, const char *learner_real,
                     const char *module, unsigned long addr);

/* access_offer_frame, with the frame's module and address (see frame_is_learner). */
int access_offer_frame_at(struct finding *f, struct access *a, char *fn, char *file, int line,
                          const char *learner_real, const char *module, unsigned long addr);

/* Does `file` (as a tool wrote it, absolute or relative to `dir`) name the learner's source,
 * whose resolved path is `learner_real`? */
int same_source(const char *dir, const char *file, const char *learner_real);

#endif
