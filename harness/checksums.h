/* checksums.h: the upstream's fingerprint of everything a learner must not change. */
#ifndef KATA_CHECKSUMS_H
#define KATA_CHECKSUMS_H

#include <stddef.h>

/*
 * Two lists in `sha256sum` format ("<64 hex digits>  <path>", paths relative to the root,
 * sorted), both written upstream by `make checksums` and committed with the katas:
 *
 *   scripts/checksums.txt  every protected file: harness/, tests/, solutions/, mk/,
 *                          scripts/ (but not this list itself), katas/<n>/<file>.h,
 *                          katas/<n>/kata.json, katas/<n>/Makefile, the Makefile and
 *                          .github/workflows/grade.yml.
 *                          `kata grade` refuses to grade when one of them was changed,
 *                          removed, or added.
 *   scripts/starters.txt   each kata's starter, katas/<n>/<n>.c, as shipped: a learner's
 *                          file identical to it was not attempted.
 *
 * Both can be checked without the harness: `sha256sum --check scripts/checksums.txt`.
 */
#define CHECKSUMS_LIST "scripts/checksums.txt"
#define STARTERS_LIST "scripts/starters.txt"

/* Lists the protected files that exist (paths relative to the repository root, the current
 * folder; sorted). Returns the count, or -1 when a protected folder cannot be read; *out is a
 * new array the caller frees with paths_free. */
int protected_files(char ***out);
void paths_free(char **v, int n);

/* Writes `list` (every protected file) and `starters` (each kata's starter), replacing them.
 * Warns when a starter has changes not staged in git. Returns 0, or -1 with an error
 * printed. */
int checksums_write(const char *list, const char *starters);

/* One protected file that is not as the upstream recorded it. */
struct tampered {
    char *path;       /* relative to the root */
    const char *what; /* "changed", "missing", or "added" (static) */
};

struct integrity {
    struct tampered *v;
    int n;
    char list_sha256[65]; /* of the list that was checked: names the upstream's version */
};

/* Checks every file named in `list` (a path, relative to the current folder or absolute)
 * against its recorded digest, and every protected file against the list (a protected file
 * missing from the list was added). Fills *out (release it with
 * integrity_release). Returns the number of tampered files (0: intact), or -1 with an error
 * printed when the list cannot be read or a line of it is malformed. */
int checksums_verify(const char *list, struct integrity *out);
void integrity_release(struct integrity *in);

/* Is path byte-identical to the starter recorded for it in the list `starters`? Returns 1
 * (untouched: not attempted), 0 (changed, or removed), or -1 when the list has no entry for
 * path (or there is no list). */
int starter_untouched(const char *starters, const char *path);

#endif
