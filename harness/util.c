/* util.c: errors, allocation, strings, files and clocks for the harness. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void report(const char *prefix, const char *fmt, va_list ap)
{
    fprintf(stderr, "kata: %s: ", prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("error", fmt, ap);
    va_end(ap);
    return -1;
}

void warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("warning", fmt, ap);
    va_end(ap);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("fatal", fmt, ap);
    va_end(ap);
    exit(3);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory (%zu bytes)", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory (%zu bytes)", n);
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    return sb_detach(&sb);
}

void sb_init(struct strbuf *sb)
{
    sb->cap = 64;
    sb->len = 0;
    sb->buf = xmalloc(sb->cap);
    sb->buf[0] = '\0';
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
    if (!sb->buf)
        sb_init(sb);
    if (sb->len + extra + 1 <= sb->cap)
        return;
    while (sb->len + extra + 1 > sb->cap)
        sb->cap *= 2;
    sb->buf = xrealloc(sb->buf, sb->cap);
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
    sb_grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
    sb_add(sb, s, strlen(s));
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    sb_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(sb, fmt, ap);
    va_end(ap);
}

char *sb_detach(struct strbuf *sb)
{
    if (!sb->buf)
        sb_init(sb);
    char *p = sb->buf;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void sb_release(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

char *read_file(const char *path, size_t max, int *truncated)
{
    return read_file_len(path, max, NULL, truncated);
}

char *read_file_len(const char *path, size_t max, size_t *len, int *truncated)
{
    /* Learner code writes in the work folder: a name it replaced by a link is not followed
     * (the harness may be root), and a FIFO or a device is not read (its open or read could
     * block for ever, or never end). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
        close(fd);
        return NULL;
    }
    if (fd < 0)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    char chunk[65536];
    int more = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t take = (size_t)n;
        if (sb.len + take > max) {
            take = max - sb.len;
            more = 1;
        }
        sb_add(&sb, chunk, take);
        if (more)
            break;
    }
    close(fd);
    if (truncated)
        *truncated = more;
    if (len)
        *len = sb.len;
    return sb_detach(&sb);
}

int write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return error("cannot write '%s': %s", path, strerror(errno));
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return error("cannot write '%s': %s", path, strerror(errno));
        }
        data += n;
        len -= (size_t)n;
    }
    return close(fd) ? error("cannot write '%s': %s", path, strerror(errno)) : 0;
}

int mkdir_p(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) && errno != EEXIST) {
            int e = errno;
            free(p);
            return error("cannot create '%s': %s", path, strerror(e));
        }
        *s = '/';
    }
    int rc = 0;
    if (mkdir(p, 0755) && errno != EEXIST)
        rc = error("cannot create '%s': %s", path, strerror(errno));
    free(p);
    return rc;
}

int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st))
        return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode)) {
        /* never through a link that replaced the folder since the lstat */
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
            if (fd >= 0)
                close(fd);
            return -1;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *sub = xasprintf("%s/%s", path, e->d_name);
            remove_tree(sub);
            free(sub);
        }
        closedir(d);
        return rmdir(path);
    }
    return unlink(path);
}

int place_once(const char *from, const char *to)
{
    /* link() fails with EEXIST, atomically, where rename() would replace */
    int rc = link(from, to) == 0 || errno == EEXIST ? 0 : -1;
    unlink(from);
    return rc;
}

int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

char *real_path(const char *path)
{
    char buf[PATH_MAX];
    return realpath(path, buf) ? xstrdup(buf) : xstrdup(path);
}

const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned long long fnv1a(unsigned long long h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

int random_hex(char *out, size_t n)
{
    unsigned char bytes[64];
    if (n > sizeof bytes)
        return error("random_hex: at most %zu bytes", sizeof bytes);
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(bytes + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return error("cannot read random bytes: %s", strerror(errno));
        got += (size_t)r;
    }
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    out[2 * n] = '\0';
    return 0;
}

int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The first whole-word `word` in s at or after `from`, or NULL. */
static const char *find_word(const char *s, const char *from, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(from, word); p && n; p = strstr(p + 1, word))
        if ((p == s || !ident_char(p[-1])) && !ident_char(p[n]))
            return p;
    return NULL;
}

int has_word(const char *s, const char *word)
{
    return s && find_word(s, s, word) != NULL;
}

char *replace_word(const char *s, const char *from, const char *to)
{
    struct strbuf b = STRBUF_INIT;
    size_t n = strlen(from);
    const char *at = s;
    for (const char *p; (p = find_word(s, at, from)); at = p + n) {
        sb_add(&b, at, (size_t)(p - at));
        sb_puts(&b, to);
    }
    sb_puts(&b, at);
    return sb_detach(&b);
}

char *c_code_only(const char *s)
{
    struct strbuf b = STRBUF_INIT;
    for (const char *p = s; *p;) {
        const char *end = NULL;
        if (p[0] == '/' && p[1] == '*') {
            end = strstr(p + 2, "*/");
            end = end ? end + 2 : p + strlen(p);
        } else if (p[0] == '/' && p[1] == '/') {
            end = p + strcspn(p, "\n");
        } else if (*p == '"' || *p == '\'') {
            end = p + 1;
            while (*end && *end != *p && *end != '\n')
                end += end[0] == '\\' && end[1] ? 2 : 1;
            if (*end == *p)
                end++;
        }
        if (end) {
            sb_puts(&b, " ");
            p = end;
        } else {
            sb_add(&b, p, 1);
            p++;
        }
    }
    return sb_detach(&b);
}

const char *plural(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

char *rtrim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}
