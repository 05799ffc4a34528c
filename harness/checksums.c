/* checksums.c: SHA-256 lists of the protected files and the starters, written and checked. */
#include "checksums.h"

#include "digest.h"
#include "kata.h"
#include "spawn.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- which files are protected ---- */

/* Whole folders: everything in them is the upstream's. */
static const char *const protected_trees[] = {"harness", "tests",   "solutions",
                                              "mk",      "scripts", NULL};
/* Single files. */
static const char *const protected_single[] = {"Makefile", ".github/workflows/grade.yml", NULL};

struct paths {
    char **v;
    int n;
};

static void paths_add(struct paths *p, char *path)
{
    p->v = xrealloc(p->v, sizeof *p->v * (size_t)(p->n + 1));
    p->v[p->n++] = path;
}

void paths_free(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Adds every file below rel (recursively) to p. */
static int walk(const char *rel, struct paths *p)
{
    char *dir = xstrdup(rel);
    DIR *d = opendir(dir);
    if (!d) {
        int missing = errno == ENOENT;
        int rc = missing ? 0 : error("cannot read '%s': %s", dir, strerror(errno));
        free(dir);
        return rc;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *sub = xasprintf("%s/%s", rel, e->d_name);
        char *full = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = walk(sub, p);
            free(sub);
        } else if (!strcmp(sub, CHECKSUMS_LIST)) {
            free(sub); /* the list cannot hold its own digest */
        } else {
            paths_add(p, sub);
        }
        free(full);
    }
    closedir(d);
    free(dir);
    return rc;
}

/* Adds katas/<n>/<file>.h, katas/<n>/kata.json and katas/<n>/Makefile: the contract, the
 * metadata and the way in from the kata's folder, not the work. */
static int walk_katas(struct paths *p)
{
    DIR *d = opendir("katas");
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *kdir = xasprintf("katas/%s", e->d_name);
        DIR *k = opendir(kdir);
        free(kdir);
        if (!k)
            continue;
        struct dirent *f;
        while ((f = readdir(k)))
            if (ends_with(f->d_name, ".h") || !strcmp(f->d_name, "kata.json") ||
                !strcmp(f->d_name, "Makefile"))
                paths_add(p, xasprintf("katas/%s/%s", e->d_name, f->d_name));
        closedir(k);
    }
    closedir(d);
    return 0;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int protected_files(char ***out)
{
    struct paths p = {NULL, 0};
    *out = NULL;
    for (int i = 0; protected_trees[i]; i++)
        if (walk(protected_trees[i], &p)) {
            paths_free(p.v, p.n);
            return -1;
        }
    walk_katas(&p);
    for (int i = 0; protected_single[i]; i++) {
        if (file_exists(protected_single[i]))
            paths_add(&p, xstrdup(protected_single[i]));
    }
    if (p.n)
        qsort(p.v, (size_t)p.n, sizeof *p.v, by_string);
    *out = p.v;
    return p.n;
}

/* ---- writing ---- */

/* sha256sum writes a name with a newline or backslash escaped; we never need such names. */
static int plain_name(const char *path)
{
    return !strpbrk(path, "\n\r\\");
}

/* Warns when the starter has changes not yet staged in git: the list records it as it is. */
static void warn_if_unstaged(const char *path)
{
    const char *argv[] = {"git", "diff", "--quiet", "--", path, NULL};
    struct child c = {.argv = argv, .timeout = 20};
    if (child_run(&c) == 0 && c.exited && c.exit_code == 1)
        warning("%s has changes not staged in git; %s records it as it is now (a starter "
                "should be the file learners get)",
                path, STARTERS_LIST);
}

static int add_line(struct strbuf *sb, const char *path)
{
    char hex[65];
    int rc = sha256_file(path, hex);
    if (rc)
        return error("cannot read '%s' to record its checksum", path);
    if (!plain_name(path))
        return error("'%s': a protected file name may not hold a newline or a backslash", path);
    sb_addf(sb, "%s  %s\n", hex, path);
    return 0;
}

/* Writes text to path, creating its folder. */
static int write_list(const char *path, const struct strbuf *sb)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        rc = mkdir_p(dir);
    }
    free(dir);
    return rc ? rc : write_file(path, sb->buf, sb->len);
}

/* Writes the starters' list: each kata's katas/<n>/<n>.c as it is now. */
static int write_starters(const char *starters)
{
    struct kata **katas;
    int nk = kata_load_all(&katas);
    if (nk < 0)
        return -1;
    char **names = xcalloc((size_t)nk + 1, sizeof *names);
    for (int i = 0; i < nk; i++)
        names[i] = xstrdup(katas[i]->starter);
    kata_free_all(katas, nk);
    if (nk)
        qsort(names, (size_t)nk, sizeof *names, by_string);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    int rc = 0;
    for (int i = 0; i < nk && rc == 0; i++) {
        warn_if_unstaged(names[i]);
        rc = add_line(&sb, names[i]);
    }
    paths_free(names, nk);
    if (rc == 0)
        rc = write_list(starters, &sb);
    sb_release(&sb);
    return rc ? -1 : 0;
}

int checksums_write(const char *list, const char *starters)
{
    /* the starters' list first: it is a protected file itself */
    if (write_starters(starters))
        return -1;
    char **files;
    int n = protected_files(&files);
    if (n < 0)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = add_line(&sb, files[i]);
    paths_free(files, n);
    if (rc == 0)
        rc = write_list(list, &sb);
    sb_release(&sb);
    return rc ? -1 : 0;
}

/* ---- reading and checking ---- */

struct entry {
    char *path;
    char hex[65];
};

static int by_entry_path(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static int is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* A relative path that stays below the root. */
static int safe_path(const char *p)
{
    if (!*p || p[0] == '/' || !plain_name(p))
        return 0;
    return strcmp(p, "..") && !starts_with(p, "../") && !strstr(p, "/../") && !ends_with(p, "/..");
}

/* Parses a sha256sum-format list, sorted by path. Returns the count, or -1 (error printed). */
static int read_list(const char *list, struct entry **out, char list_hex[65])
{
    *out = NULL;
    int truncated = 0;
    char *text = read_file(list, 16 << 20, &truncated);
    if (!text)
        return error("cannot read the checksum list '%s': %s", list, strerror(errno));
    if (truncated) {
        free(text);
        return error("the checksum list '%s' is too long", list);
    }
    if (list_hex)
        sha256_hex(text, strlen(text), list_hex);
    struct entry *v = NULL;
    int n = 0, lineno = 0, bad = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l && !bad; l = strtok_r(NULL, "\n", &save)) {
        lineno++;
        rtrim(l);
        if (!*l || l[0] == '#')
            continue;
        /* "<hex>  <path>" (text mode) or "<hex> *<path>" (binary mode) */
        if (strlen(l) < 67 || !is_hex64(l) || l[64] != ' ' || (l[65] != ' ' && l[65] != '*') ||
            !safe_path(l + 66)) {
            bad = error("%s:%d: not a \"<sha256>  <relative path>\" line", list, lineno);
            break;
        }
        v = xrealloc(v, sizeof *v * (size_t)(n + 1));
        memcpy(v[n].hex, l, 64);
        v[n].hex[64] = '\0';
        v[n].path = xstrdup(l + 66);
        n++;
    }
    free(text);
    if (bad) {
        for (int i = 0; i < n; i++)
            free(v[i].path);
        free(v);
        return -1;
    }
    if (n)
        qsort(v, (size_t)n, sizeof *v, by_entry_path);
    *out = v;
    return n;
}

static void entries_free(struct entry *v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i].path);
    free(v);
}

static void add_tampered(struct integrity *in, const char *path, const char *what)
{
    in->v = xrealloc(in->v, sizeof *in->v * (size_t)(in->n + 1));
    in->v[in->n].path = xstrdup(path);
    in->v[in->n].what = what;
    in->n++;
}

int checksums_verify(const char *list, struct integrity *out)
{
    memset(out, 0, sizeof *out);
    struct entry *v;
    int n = read_list(list, &v, out->list_sha256);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        char hex[65];
        if (sha256_file(v[i].path, hex))
            add_tampered(out, v[i].path, "missing");
        else if (strcmp(hex, v[i].hex))
            add_tampered(out, v[i].path, "changed");
    }
    char **files;
    int nf = protected_files(&files);
    if (nf < 0) {
        entries_free(v, n);
        integrity_release(out);
        return -1;
    }
    for (int i = 0; i < nf; i++) {
        struct entry key = {.path = files[i]};
        if (!n || !bsearch(&key, v, (size_t)n, sizeof *v, by_entry_path))
            add_tampered(out, files[i], "added");
    }
    paths_free(files, nf);
    entries_free(v, n);
    return out->n;
}

void integrity_release(struct integrity *in)
{
    for (int i = 0; i < in->n; i++)
        free(in->v[i].path);
    free(in->v);
    in->v = NULL;
    in->n = 0;
}

int starter_untouched(const char *starters, const char *path)
{
    if (!file_exists(starters))
        return -1;
    struct entry *v;
    int n = read_list(starters, &v, NULL);
    if (n < 0)
        return -1;
    struct entry key = {.path = (char *)path};
    const struct entry *e = n ? bsearch(&key, v, (size_t)n, sizeof *v, by_entry_path) : NULL;
    int rc = -1;
    if (e) {
        char hex[65];
        rc = sha256_file(path, hex) == 0 && !strcmp(hex, e->hex);
    }
    entries_free(v, n);
    return rc;
}
