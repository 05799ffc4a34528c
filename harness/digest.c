/* digest.c: SHA-256 through OpenSSL's EVP interface, for the checksum lists and the
 * compile cache's keys. */
#include "digest.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void digest_init(struct digest *d)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
        die("libcrypto cannot start a SHA-256 digest");
    d->ctx = c;
}

void digest_add(struct digest *d, const void *data, size_t len)
{
    if (len && EVP_DigestUpdate(d->ctx, data, len) != 1)
        die("libcrypto failed in a SHA-256 digest");
}

void digest_add_str(struct digest *d, const char *s)
{
    digest_add(d, s, strlen(s) + 1);
}

/* Feeds the file's bytes to d. Returns how many, or -1 when it cannot be read. */
static long long feed_file(struct digest *d, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char buf[65536];
    long long total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        digest_add(d, buf, (size_t)n);
        total += n;
    }
    close(fd);
    return total;
}

void digest_add_file(struct digest *d, const char *path)
{
    long long n = feed_file(d, path);
    char tail[48];
    /* the length closes the file's bytes, so no two files' contents run into each other */
    snprintf(tail, sizeof tail, n < 0 ? "|unreadable|" : "|%lld bytes|", n);
    digest_add_str(d, tail);
}

void digest_end(struct digest *d, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(d->ctx, md, &len) != 1 || len != 32)
        die("libcrypto failed to finish a SHA-256 digest");
    EVP_MD_CTX_free(d->ctx);
    d->ctx = NULL;
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
    struct digest d;
    digest_init(&d);
    digest_add(&d, data, len);
    digest_end(&d, hex);
}

int sha256_file(const char *path, char hex[65])
{
    struct digest d;
    digest_init(&d);
    if (feed_file(&d, path) < 0) {
        char scratch[65];
        digest_end(&d, scratch);
        return -1;
    }
    digest_end(&d, hex);
    return 0;
}
