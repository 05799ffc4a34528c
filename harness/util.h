/* util.h: small helpers shared by the harness: errors, allocation, strings, files, clocks. */
#ifndef KATA_UTIL_H
#define KATA_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Prints "kata: error: <fmt>" on stderr and returns -1, so `return error(...)` reads well. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "kata: warning: <fmt>" on stderr. */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "kata: fatal: <fmt>" and exits with 3 (the harness itself failed). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that dies (exit 3) rather than return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable string; buf is always NUL-terminated once initialised. */
struct strbuf {
    char *buf;
    size_t len, cap;
};
#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }
void sb_init(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Returns the buffer (caller frees) and leaves sb empty. */
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);

/* Reads at most `max` bytes of a file into a new NUL-terminated string (caller frees);
 * *truncated (if given) says whether the file was longer. Returns NULL if it cannot be read,
 * and also when it is not a regular file or its last component is a symbolic link (learner
 * code may have put either in the work folder): it never blocks and never follows a link. */
char *read_file(const char *path, size_t max, int *truncated);
/* read_file, and *len (if given) gets the number of bytes read: a file may hold NUL bytes,
 * after which the string's own length says nothing. */
char *read_file_len(const char *path, size_t max, size_t *len, int *truncated);
/* Writes `len` bytes to `path`, replacing it. Returns 0 or -1 with an error printed. */
int write_file(const char *path, const char *data, size_t len);
/* Creates a directory and its parents. Returns 0 or -1. */
int mkdir_p(const char *path);
/* Removes a directory tree (like rm -rf). Returns 0 or -1. */
int remove_tree(const char *path);
/* Moves `from` to `to` unless `to` is there already (then `from` goes and `to` stays): for
 * files named after their content, which gradings and stages side by side make at once. Never
 * replaces a file another process may be reading or binding into a sandbox. 0 or -1. */
int place_once(const char *from, const char *to);
int file_exists(const char *path);
/* Returns a new string: realpath() of path, or a copy of path when it does not resolve. */
char *real_path(const char *path);
/* Returns the last path component (points into path). */
const char *base_name(const char *path);

/* Seconds on CLOCK_MONOTONIC. */
double now_seconds(void);
/* FNV-1a 64 over bytes, chained from h (start with FNV_INIT). */
#define FNV_INIT 0xcbf29ce484222325ULL
unsigned long long fnv1a(unsigned long long h, const void *data, size_t len);

/* n random bytes from the kernel (getrandom), as 2n lowercase hex digits and a NUL in out
 * (2n + 1 bytes). Returns 0, or -1 (an error said) when the kernel gave none. */
int random_hex(char *out, size_t n);

int starts_with(const char *s, const char *prefix);
int ends_with(const char *s, const char *suffix);
/* 1 when the identifier `word` occurs in s as a whole word (not inside a longer name). */
int has_word(const char *s, const char *word);
/* Returns a new string: C source s with its comments and string and character literals
 * blanked (each becomes one space), so that a word search sees only code. */
char *c_code_only(const char *s);
/* Returns a new string: s with every whole-word `from` (an identifier) replaced by `to`. */
char *replace_word(const char *s, const char *from, const char *to);
/* Trims trailing white space in place; returns s. */
char *rtrim(char *s);
/* The noun for a count of n: `one` when n is 1, else `many` (for "%ld %s", n,
 * plural(n, "pair", "pairs"): "1 pair", "0 pairs", "3 pairs"). Returns one of its arguments. */
const char *plural(long n, const char *one, const char *many);

#endif
