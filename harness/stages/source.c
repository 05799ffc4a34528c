/* source.c: the learner's file as one preprocessed translation unit, checked, and compiled
 * into one object per build that exports only the kata's names (see source.h). */
#include "stages/source.h"

#include "compile.h"
#include "spawn.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Learner files larger than this are refused, not cut: every byte is checked. */
#define MAX_SOURCE (64u << 20)

int defence_disabled(const struct run *r, const char *name)
{
    const char *v = getenv("KATA_TEST_DISABLE_DEFENCE");
    if (!v || !*v || !r->src_real)
        return 0;
    char *root = real_path("."); /* the repository root (cli.c went there) */
    char *hostile = xasprintf("%s/tests/hostile/", root);
    int ours = starts_with(r->src_real, hostile);
    free(hostile);
    free(root);
    if (!ours)
        return 0;
    size_t len = strlen(name);
    for (const char *p = v; (p = strstr(p, name)); p += len)
        if ((p == v || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
            return 1;
    return 0;
}

static void refuse(struct findings *why, const char *src, int line, const char *what,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void refuse(struct findings *why, const char *src, int line, const char *what,
                   const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    struct finding *f = findings_add(why);
    f->kind = xstrdup("refused");
    f->variable = what ? xstrdup(what) : NULL;
    f->headline = sb_detach(&sb);
    f->naccess = 1;
    f->in_learner = f->access[0].in_learner = 1;
    f->access[0].file = xstrdup(src);
    f->access[0].line = line;
}

/* --- step 2a: no #line or line marker in the source itself */

/* The text with comments blanked and backslash-newlines joined, as translation phases 2 and
 * 3 see it (newlines kept, so line numbers hold; trigraphs and digraphs are read by the
 * caller). A new string. */
static char *strip_comments(const char *s)
{
    size_t n = strlen(s);
    char *out = xcalloc(n + 1, 1);
    size_t o = 0;
    int pending_newlines = 0;
    char quote = 0;
    for (size_t i = 0; i < n; i++) {
        /* backslash-newline (and the ??/ trigraph for a backslash): one line, newline kept
         * for the count at the end of the logical line */
        if ((s[i] == '\\' && s[i + 1] == '\n') ||
            (s[i] == '?' && s[i + 1] == '?' && s[i + 2] == '/' && s[i + 3] == '\n')) {
            i += s[i] == '\\' ? 1 : 3;
            pending_newlines++;
            continue;
        }
        if (!quote && s[i] == '/' && s[i + 1] == '*') {
            size_t j = i + 2;
            while (j < n && !(s[j] == '*' && s[j + 1] == '/')) {
                if (s[j] == '\n')
                    pending_newlines++;
                j++;
            }
            out[o++] = ' ';
            i = j < n ? j + 1 : n;
            continue;
        }
        if (!quote && s[i] == '/' && s[i + 1] == '/') {
            while (i < n && s[i] != '\n') {
                if (s[i] == '\\' && s[i + 1] == '\n') {
                    pending_newlines++;
                    i++;
                }
                i++;
            }
            i--;
            continue;
        }
        if (quote && s[i] == '\\' && i + 1 < n && s[i + 1] != '\n') {
            out[o++] = s[i++];
            out[o++] = s[i];
            continue;
        }
        if ((s[i] == '"' || s[i] == '\'') && (!quote || quote == s[i]))
            quote = quote ? 0 : s[i];
        if (s[i] == '\n') {
            quote = 0;
            out[o++] = '\n';
            while (pending_newlines > 0) {
                out[o++] = '\n';
                pending_newlines--;
            }
            continue;
        }
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

/* The first line (1-based) that holds a `#line` directive or a GNU line marker (`# 12 "f"`),
 * in any spelling (`#`, `%:`, `??=`, spaces between), or 0. */
static int line_directive(const char *text)
{
    char *s = strip_comments(text);
    int line = 1, found = 0;
    for (char *p = s; *p && !found; line++) {
        char *end = strchr(p, '\n');
        char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\f' || *q == '\v' || *q == '\r')
            q++;
        int hash = 0;
        if (*q == '#')
            hash = 1;
        else if (q[0] == '%' && q[1] == ':')
            hash = 2;
        else if (q[0] == '?' && q[1] == '?' && q[2] == '=')
            hash = 3;
        if (hash) {
            q += hash;
            while (*q == ' ' || *q == '\t' || *q == '\f' || *q == '\v' || *q == '\r')
                q++;
            if (isdigit((unsigned char)*q) ||
                (!strncmp(q, "line", 4) && !isalnum((unsigned char)q[4]) && q[4] != '_'))
                found = line;
        }
        if (!end)
            break;
        p = end + 1;
    }
    free(s);
    return found;
}

/* --- step 2b and 3: the preprocessed file */

/* Names no learner line may produce, after expansion: they hide races from the detectors. */
static const char *const refused_prefix[] = {"ANNOTATE_", "VALGRIND_", "DRD_", NULL};
static const char *const refused_word[] = {"RUNNING_ON_VALGRIND", "asm", "__asm", "__asm__", NULL};
static const char *const refused_part[] = {"no_sanitize", "disable_sanitizer_instrumentation",
                                           "thread_sanitizer", "__SANITIZE_", NULL};

static const char *refused_name(const char *id)
{
    for (int i = 0; refused_prefix[i]; i++)
        if (starts_with(id, refused_prefix[i]))
            return refused_prefix[i];
    for (int i = 0; refused_word[i]; i++)
        if (!strcmp(id, refused_word[i]))
            return refused_word[i];
    for (int i = 0; refused_part[i]; i++)
        if (strstr(id, refused_part[i]))
            return refused_part[i];
    return NULL;
}

/* The first refused identifier on one line of preprocessed code (a new string), or NULL.
 * String and character literals are skipped: a message may name anything. */
static char *refused_on_line(const char *l, size_t len)
{
    for (size_t i = 0; i < len;) {
        char c = l[i];
        if (c == '"' || c == '\'') {
            for (i++; i < len && l[i] != c; i++)
                if (l[i] == '\\')
                    i++;
            i++;
            continue;
        }
        if (isalpha((unsigned char)c) || c == '_') {
            size_t j = i;
            while (j < len && (isalnum((unsigned char)l[j]) || l[j] == '_'))
                j++;
            char *id = xstrndup(l + i, j - i);
            if (refused_name(id))
                return id;
            free(id);
            i = j;
            continue;
        }
        if (isdigit((unsigned char)c)) {
            while (i < len && (isalnum((unsigned char)l[i]) || l[i] == '_' || l[i] == '.'))
                i++;
            continue;
        }
        i++;
    }
    return NULL;
}

/* A line marker `# N "file" flags`: fills line, file (a new string, unescaped) and flags
 * (bit 1<<k for flag k). Returns 1 on a marker. */
static int parse_marker(const char *l, size_t len, int *line, char **file, int *flags)
{
    if (len < 4 || l[0] != '#' || l[1] != ' ' || !isdigit((unsigned char)l[2]))
        return 0;
    size_t i = 2;
    *line = 0;
    while (i < len && isdigit((unsigned char)l[i]))
        *line = *line * 10 + (l[i++] - '0');
    if (i + 1 >= len || l[i] != ' ' || l[i + 1] != '"')
        return 0;
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    for (i += 2; i < len && l[i] != '"'; i++) {
        if (l[i] == '\\' && i + 1 < len)
            i++;
        sb_add(&sb, &l[i], 1);
    }
    *flags = 0;
    for (i++; i < len; i++)
        if (isdigit((unsigned char)l[i]))
            *flags |= 1 << (l[i] - '0');
    *file = sb_detach(&sb);
    return 1;
}

/* Is a file the preprocessor opened one a learner may include? The private folder's copies
 * and the system headers, but not Valgrind's or the sanitizers' own. */
static int allowed_include(const char *real, const char *dir, const char *extra)
{
    static const char *const system[] = {"/usr/include/", "/usr/lib/gcc/", "/usr/local/include/",
                                         NULL};
    if (extra && !strcmp(real, extra))
        return 1;
    if (starts_with(real, dir) && real[strlen(dir)] == '/' && !strchr(real + strlen(dir) + 1, '/'))
        return 1;
    if (strstr(real, "/valgrind/") || strstr(real, "/sanitizer/"))
        return 0;
    for (int i = 0; system[i]; i++)
        if (starts_with(real, system[i]))
            return 1;
    return 0;
}

/* The flags of a line marker (gcc's cpp manual, "Preprocessor Output"), as parse_marker sets
 * them: 1 enters an included file, 2 returns to the includer. */
#define ENTER (1 << 1)
#define LEAVE (1 << 2)

struct tu_check {
    const char *src;   /* the learner's file as given, for findings */
    const char *copy;  /* the private copy's path, as the markers name it */
    const char *dir;   /* the private folder (resolved) */
    const char *extra; /* a harness header the variant includes, or NULL */
    char **opened;     /* files the preprocessor opened (resolved), from -H */
    size_t nopened;
    int check_lines, check_tokens;
};

static int was_opened(const struct tu_check *t, const char *file)
{
    if (!strcmp(file, "<built-in>") || !strcmp(file, "<command-line>") || !strcmp(file, t->copy) ||
        !strcmp(file, "/usr/include/stdc-predef.h") || (t->extra && !strcmp(file, t->extra)))
        return 1;
    char *real = real_path(file);
    int found = 0;
    for (size_t i = 0; i < t->nopened && !found; i++)
        found = !strcmp(real, t->opened[i]);
    free(real);
    return found;
}

/* Checks the preprocessed text and writes it with the copy's path replaced by `shown` in every
 * marker. Adds findings to why; returns the rewritten text (a new string). */
static char *check_tu(const struct tu_check *t, const char *text, const char *shown,
                      struct findings *why)
{
    struct strbuf out = STRBUF_INIT;
    sb_init(&out);
    char *stack[256];
    int depth = 0, base_is_copy = 0, line = 0, marker_refused = 0, token_refused = 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int mline, flags;
        char *file;
        if (parse_marker(p, len, &mline, &file, &flags)) {
            const char *top = depth ? stack[depth - 1] : "";
            /* before the copy's first line come gcc's preamble and a forced -include (whose
             * files -H does not list): nothing of the learner's is there yet */
            if (t->check_lines && !marker_refused && base_is_copy) {
                const char *bad = NULL;
                if (!was_opened(t, file))
                    bad = "names a file the preprocessor never opened";
                else if (flags & LEAVE) {
                    if (depth < 2 || strcmp(stack[depth - 2], file))
                        bad = "leaves a file it never entered";
                } else if (!(flags & ENTER) && base_is_copy && strcmp(top, file))
                    bad = "renames the file it is in";
                if (bad) {
                    refuse(why, t->src, line, "#line",
                           "has a #line directive or a line marker (it %s: \"%s\"): a report "
                           "must name the file and line where the code is",
                           bad, file);
                    marker_refused = 1;
                }
            }
            if (flags & ENTER) {
                if (depth < 256)
                    stack[depth++] = xstrdup(file);
            } else if (flags & LEAVE) {
                if (depth > 1)
                    free(stack[--depth]);
            } else if (depth <= 1) {
                if (depth == 1)
                    free(stack[--depth]);
                stack[depth++] = xstrdup(file);
            }
            /* markers at line 0 are gcc's preamble (<built-in>, <command-line>) */
            if (depth == 1 && !strcmp(stack[0], t->copy) && mline >= 1)
                base_is_copy = 1;
            line = mline;
            /* the learner's file by its own name in every build's debug info and messages */
            if (!strcmp(file, t->copy)) {
                sb_addf(&out, "# %d \"", mline);
                for (const char *c = shown; *c; c++) {
                    if (*c == '"' || *c == '\\')
                        sb_add(&out, "\\", 1);
                    sb_add(&out, c, 1);
                }
                const char *q = memchr(p + 3, '"', len - 3);
                const char *rest = q ? memchr(q + 1, '"', len - (size_t)(q + 1 - p)) : NULL;
                if (rest)
                    sb_add(&out, rest, len - (size_t)(rest - p));
                else
                    sb_add(&out, "\"", 1);
                sb_add(&out, "\n", 1);
            } else {
                sb_add(&out, p, len);
                sb_add(&out, "\n", 1);
            }
            free(file);
        } else {
            if (t->check_tokens && !token_refused && depth > 0 &&
                !strcmp(stack[depth - 1], t->copy)) {
                char *id = refused_on_line(p, len);
                if (id) {
                    refuse(why, t->src, line, id,
                           "uses `%s` (after its macros are expanded): annotations, sanitizer "
                           "attributes and inline assembly would hide races from the detectors",
                           id);
                    token_refused = 1;
                    free(id);
                }
            }
            sb_add(&out, p, len);
            sb_add(&out, "\n", 1);
            line++;
        }
        p = end ? end + 1 : p + len;
    }
    while (depth > 0)
        free(stack[--depth]);
    return sb_detach(&out);
}

/* Files gcc -H says it opened ("... /usr/include/stdio.h"), resolved; the count in *n.
 * (*harness)[i] is set for the harness's header `extra` and what it includes. */
static char **opened_files(const char *diag, const char *extra, size_t *n, int **harness)
{
    char **v = NULL;
    *n = 0;
    *harness = NULL;
    size_t inside = 0; /* depth of the harness's header while its includes are listed */
    char *copy = xstrdup(diag ? diag : "");
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (*l != '.')
            continue;
        char *q = l;
        while (*q == '.')
            q++;
        if (*q != ' ')
            continue;
        size_t dots = (size_t)(q - l);
        if (inside && dots <= inside)
            inside = 0;
        v = xrealloc(v, sizeof *v * (*n + 1));
        *harness = xrealloc(*harness, sizeof **harness * (*n + 1));
        v[*n] = real_path(q + 1);
        if (extra && !inside && !strcmp(v[*n], extra))
            inside = dots;
        (*harness)[*n] = inside > 0;
        (*n)++;
    }
    free(copy);
    return v;
}

/* The diagnostics without -H's lines and with the private path replaced by what the learner
 * knows. A new string. */
static char *clean_diagnostics(const char *diag, const char *copy, const char *shown)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    size_t clen = strlen(copy);
    for (const char *p = diag ? diag : ""; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p + 1) : strlen(p);
        const char *q = p;
        while (*q == '.')
            q++;
        int h_line = q > p && *q == ' ';
        int guard_note = starts_with(p, "Multiple include guards may be useful for:");
        if (guard_note)
            break; /* -H's closing list: nothing after it is the learner's */
        if (!h_line) {
            for (const char *c = p; c < p + len;) {
                if ((size_t)(p + len - c) >= clen && !strncmp(c, copy, clen)) {
                    sb_puts(&sb, shown);
                    c += clen;
                } else {
                    sb_add(&sb, c, 1);
                    c++;
                }
            }
        }
        p += len;
    }
    return sb_detach(&sb);
}

/* Writes text to path unless it is there (the folder is named after the content), through a
 * file of this process's own and a rename: gradings side by side never read half a file.
 * Returns 0 or -1. */
static int put_file(const char *path, const char *text)
{
    if (file_exists(path))
        return 0;
    char *tmp = xasprintf("%s.tmp%d", path, (int)getpid());
    int rc = write_file(tmp, text, strlen(text)) == 0 && place_once(tmp, path) == 0 ? 0 : -1;
    unlink(tmp);
    free(tmp);
    return rc;
}

static char *kata_header(const struct run *r, const char *name)
{
    return xasprintf("%s/%s", r->kata->dir, name);
}

int source_preprocess(struct run *r, const char *src, char **i_path, struct findings *why,
                      char **diagnostics)
{
    *i_path = NULL;
    *diagnostics = NULL;
    int truncated = 0;
    char *text = read_file(src, MAX_SOURCE, &truncated);
    if (!text) {
        *diagnostics = xasprintf("cannot read %s\n", src);
        return -1;
    }
    if (truncated) {
        refuse(why, src, 0, NULL, "is larger than %u MB", MAX_SOURCE >> 20);
        free(text);
        return 1;
    }
    int lines_on = !defence_disabled(r, "line");
    int directive = lines_on ? line_directive(text) : 0;
    if (directive) {
        refuse(why, src, directive, "#line",
               "has a #line directive or a line marker: a report must name the file and line "
               "where the code is");
        free(text);
        return 1;
    }

    /* the private folder: the copy and the kata's headers, nothing else */
    unsigned long long h = fnv1a(FNV_INIT, text, strlen(text));
    DIR *d = opendir(r->kata->dir);
    struct dirent *e;
    char *headers[32];
    int nheaders = 0;
    while (d && (e = readdir(d)))
        if (ends_with(e->d_name, ".h") && nheaders < 32) {
            headers[nheaders] = kata_header(r, e->d_name);
            char *ht = read_file(headers[nheaders], 1 << 20, NULL);
            h = fnv1a(h, e->d_name, strlen(e->d_name));
            if (ht)
                h = fnv1a(h, ht, strlen(ht));
            free(ht);
            nheaders++;
        }
    if (d)
        closedir(d);
    char *cache = real_path(r->cache);
    char *dir = xasprintf("%s/tu-%016llx", cache, h);
    free(cache);
    const char *name = base_name(src);
    char *copy = xasprintf("%s/%s", dir, ends_with(name, ".c") ? name : "learner.c");
    int rc = -1;
    if (mkdir_p(dir) == 0 && put_file(copy, text) == 0) {
        rc = 0;
        for (int i = 0; i < nheaders && rc == 0; i++) {
            char *dst = xasprintf("%s/%s", dir, base_name(headers[i]));
            char *ht = read_file(headers[i], 1 << 20, NULL);
            if (!ht || put_file(dst, ht))
                rc = -1;
            free(ht);
            free(dst);
        }
    }
    for (int i = 0; i < nheaders; i++)
        free(headers[i]);
    free(text);
    if (rc) {
        *diagnostics = xasprintf("cannot copy %s into %s\n", src, dir);
        free(dir);
        free(copy);
        return -1;
    }

    /* One preprocessor, one set of predefined macros for every build: gcc at its default
     * -O0, no sanitizer. No -I: quoted includes search the copy's folder, angle includes the
     * system's. The old way (test only): each build preprocessed by its own compiler. */
    const char *flags[10];
    int n = 0;
    char *iquote = xasprintf("-iquote%s", dir);
    char *include = xasprintf("-I%s", r->kata->dir);
    flags[n++] = "-E";
    flags[n++] = "-H";
    flags[n++] = "-std=c11";
    /* the folder for the quoted includes of included files too, so that whatever a file
     * reaches is opened, listed and judged below rather than merely not found */
    flags[n++] = iquote;
    if (defence_disabled(r, "include"))
        flags[n++] = include; /* the old include path, for the proof only */
    flags[n] = NULL;
    const char *sources[] = {copy, NULL};
    struct compile_job job = {
        .cc = "gcc", .flags = flags, .sources = sources, .label = "pre", .cache_dir = r->cache};
    char *diag = NULL;
    char *pre = compile(&job, &diag, NULL);
    free(iquote);
    free(include);
    *diagnostics = clean_diagnostics(diag, copy, src);
    if (!pre) {
        /* a quoted include that climbs out of the folder finds nothing: say why */
        if (strstr(*diagnostics, "No such file or directory") && strstr(*diagnostics, "../")) {
            char *d2 = xasprintf("%sonly the kata's own header and the system headers can be "
                                 "included\n",
                                 *diagnostics);
            free(*diagnostics);
            *diagnostics = d2;
        }
        free(diag);
        free(dir);
        free(copy);
        return -1;
    }
    size_t nopened = 0;
    int *harness_own = NULL;
    char **opened = opened_files(diag, NULL, &nopened, &harness_own);
    free(diag);
    char *dir_real = real_path(dir);
    int before = (int)why->n;
    if (!defence_disabled(r, "include"))
        for (size_t i = 0; i < nopened; i++)
            if (!harness_own[i] && !allowed_include(opened[i], dir_real, NULL)) {
                refuse(why, src, 0, opened[i],
                       "includes %s: only the kata's own header and the system headers can be "
                       "included",
                       opened[i]);
                break;
            }
    /* the whole unit is checked, never a prefix: one too large to read is refused */
    int pre_truncated = 0;
    char *pretext = read_file(pre, (size_t)1 << 31, &pre_truncated);
    if (pretext && pre_truncated) {
        refuse(why, src, 0, NULL, "expands to more than 2 GB of preprocessed code");
        free(pretext);
        pretext = NULL;
    }
    /* the file by the name it was given, as a compiler run on it would have named it (the
     * hang dumps and the learner's messages show it) */
    char *shown = xstrdup(src);
    struct tu_check t = {.src = src,
                         .copy = copy,
                         .dir = dir_real,
                         .extra = NULL,
                         .opened = opened,
                         .nopened = nopened,
                         .check_lines = lines_on,
                         .check_tokens = !defence_disabled(r, "tokens")};
    char *checked = pretext ? check_tu(&t, pretext, shown, why) : NULL;
    free(pretext);
    if (checked && (int)why->n == before) {
        /* named after its own text and written once: the stages side by side each make it,
         * and a rename over the file while another stage's bwrap was binding it into its
         * sandbox made that bind fail ("No such file or directory") */
        char *out = xasprintf("%s.%016llx.i", pre, fnv1a(FNV_INIT, checked, strlen(checked)));
        if (put_file(out, checked) == 0)
            *i_path = out;
        else
            free(out);
    }
    rc = (int)why->n > before ? 1 : *i_path ? 0 : -1;
    free(checked);
    free(shown);
    for (size_t i = 0; i < nopened; i++)
        free(opened[i]);
    free(opened);
    free(harness_own);
    free(dir_real);
    free(pre);
    free(dir);
    free(copy);
    return rc;
}

/* --- step 4 */

char *source_exports(struct run *r)
{
    /* gcc -aux-info writes a prototype for every function the unit declares, with the file
     * that declared it: the header's own are the contract */
    char *header = xasprintf("%s/%s.h", r->kata->dir, r->kata->name);
    char *header_real = real_path(header);
    const char *flags[] = {"-x", "c", "-std=c11", "-c", "-aux-info", "/dev/stdout", NULL};
    const char *sources[] = {header_real, NULL};
    struct compile_job job = {
        .cc = "gcc", .flags = flags, .sources = sources, .label = "exports", .cache_dir = r->cache};
    char *diag = NULL;
    char *obj = compile(&job, &diag, NULL);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    char *mark = xasprintf("/* %s:", header_real);
    char *save = NULL;
    for (char *l = diag ? strtok_r(diag, "\n", &save) : NULL; obj && l;
         l = strtok_r(NULL, "\n", &save)) {
        if (!starts_with(l, mark))
            continue;
        char *paren = strstr(l, " (");
        if (!paren)
            continue;
        char *s = paren;
        while (s > l && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
            s--;
        if (s < paren)
            sb_addf(&sb, "%.*s\n", (int)(paren - s), s);
    }
    free(mark);
    free(diag);
    free(header);
    free(header_real);
    if (!obj) {
        sb_release(&sb);
        return NULL;
    }
    free(obj);
    return sb_detach(&sb);
}

/* Each build's compiler and flags for the learner's object (stage.h says why each). */
/* the Valgrind build's object is instrumented as TSan's is, so that every atomic operation
 * becomes a call that harness/runtime/valgrind_atomics.c answers for Helgrind and DRD */
static const char *const plain_flags[] = {"-std=c11", "-O0", "-g", "-fsanitize=thread", NULL};
static const char *const tsan_flags[] = {"-std=c11", "-O0", "-g", "-fsanitize=thread", NULL};
static const char *const perf_flags[] = {"-std=c11", "-O2", "-g", NULL};
/* the explore build's object calls harness/runtime/explore.c at every access and atomic */
static const char *const explore_flags[] = {"-std=c11", "-O0", "-g", "-fsanitize=thread", NULL};
static const char *const asan_flags[] = {
    "-std=c11", "-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer", NULL};

/* The learner's object with every symbol but the kata's own made local (a new path, cached),
 * or NULL with why added to *diagnostics. */
static char *localise(struct run *r, const char *obj, char **diagnostics)
{
    /* every symbol but the kata's own made local: nothing the learner defines can stand in
     * for the C library's or the tests' functions in the binaries it is linked into. objcopy
     * reads an object the learner's code shaped, so it runs as the compiler does: in the
     * sandbox, with limits, its result cached and placed once. The list of names is named
     * after its text, so that stages side by side never write over one another's. */
    char *exports = source_exports(r);
    char *list = exports ? xasprintf("%s/exports-%016llx.txt", r->cache,
                                     fnv1a(FNV_INIT, exports, strlen(exports)))
                         : NULL;
    char *result = NULL;
    if (list && put_file(list, exports) == 0) {
        char *keep = xasprintf("--keep-global-symbols=%s", list);
        const char *flags[] = {keep, NULL};
        const char *sources[] = {obj, NULL};
        const char *inputs[] = {list, NULL};
        /* named OBJ.local-KEY beside the object (the build stage's nm reads the object) */
        char *label = xasprintf("%s.local", base_name(obj));
        struct compile_job job = {.cc = "objcopy",
                                  .flags = flags,
                                  .sources = sources,
                                  .inputs = inputs,
                                  .label = label,
                                  .cache_dir = r->cache,
                                  .timeout = 30,
                                  .output_positional = 1};
        char *why = NULL;
        result = compile(&job, &why, NULL);
        if (!result) {
            struct strbuf all = STRBUF_INIT;
            sb_init(&all);
            sb_puts(&all, *diagnostics);
            sb_addf(&all, "objcopy could not localise %s: %s\n", obj, why ? why : "");
            free(*diagnostics);
            *diagnostics = sb_detach(&all);
        }
        free(why);
        free(label);
        free(keep);
    } else {
        struct strbuf all = STRBUF_INIT;
        sb_init(&all);
        sb_puts(&all, *diagnostics);
        sb_addf(&all, "cannot read the names %s/%s.h declares\n", r->kata->dir, r->kata->name);
        free(*diagnostics);
        *diagnostics = sb_detach(&all);
    }
    free(exports);
    free(list);
    return result;
}

char *source_object(struct run *r, enum driver_build kind, const char *src,
                    const char *const *extra, char **diagnostics, int *refused)
{
    if (refused)
        *refused = 0;
    *diagnostics = NULL;
    /* gcc for every build, the sanitizers' too: glibc's headers take a path per compiler
     * (_Float32, __malloc__ (fclose, 1), the atomics builtins), so a unit preprocessed for
     * one compiler does not compile with the other */
    const char *cc = "gcc";
    const char *const *base[] = {plain_flags, tsan_flags, perf_flags, asan_flags, explore_flags};
    const char *flags[64];
    int n = 0;
    for (int i = 0; base[kind][i]; i++)
        flags[n++] = base[kind][i];
    for (int i = 0; extra && extra[i] && n < 56; i++)
        flags[n++] = extra[i];
    if (!extra)
        flags[n++] = "-w";
    flags[n++] = "-c";
    char *include = xasprintf("-I%s", r->kata->dir);
    const char *sources[2] = {NULL, NULL};
    char *i_path = NULL, *pre_diag = NULL;
    struct findings why = {0};
    if (defence_disabled(r, "one-tu")) {
        /* the old way, for the proof only: each build preprocesses the file itself, with its
         * own compiler, its own optimisation and sanitizer macros, and the kata's folder on
         * the include path */
        flags[n++] = include;
        sources[0] = src;
    } else {
        int rc = source_preprocess(r, src, &i_path, &why, &pre_diag);
        if (rc != 0) {
            if (refused)
                *refused = rc > 0;
            if (rc > 0) {
                struct strbuf sb = STRBUF_INIT;
                sb_init(&sb);
                for (size_t i = 0; i < why.n; i++)
                    sb_addf(&sb, "%s: %s\n", src, why.v[i].headline);
                *diagnostics = sb_detach(&sb);
                free(pre_diag);
            } else {
                *diagnostics = pre_diag;
            }
            findings_release(&why);
            free(include);
            return NULL;
        }
        sources[0] = i_path;
    }
    flags[n] = NULL;
    static const char *const labels[] = {"learner-plain", "learner-tsan", "learner-perf",
                                         "learner-asan", "learner-explore"};
    char *header = xasprintf("%s/%s.h", r->kata->dir, r->kata->name);
    const char *inputs[] = {header, NULL};
    struct compile_job job = {.cc = cc,
                              .flags = flags,
                              .sources = sources,
                              .inputs = inputs,
                              .label = extra ? "object" : labels[kind],
                              .cache_dir = r->cache};
    char *diag = NULL;
    char *obj = compile(&job, &diag, NULL);
    free(header);
    struct strbuf all = STRBUF_INIT;
    sb_init(&all);
    if (pre_diag)
        sb_puts(&all, pre_diag);
    if (diag)
        sb_puts(&all, diag);
    *diagnostics = sb_detach(&all);
    free(pre_diag);
    free(diag);
    free(i_path);
    free(include);
    if (!obj || defence_disabled(r, "localise"))
        return obj;

    char *result = localise(r, obj, diagnostics);
    free(obj);
    return result;
}
