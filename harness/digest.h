/* digest.h: SHA-256 (OpenSSL's libcrypto) of bytes, files and a chain of pieces. */
#ifndef KATA_DIGEST_H
#define KATA_DIGEST_H

#include <stddef.h>

/* hex gets the digest of len bytes at data as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char hex[65]);

/* hex gets the digest of the whole file at path. Returns 0, or -1 when it cannot be read
 * (hex is then unchanged). */
int sha256_file(const char *path, char hex[65]);

/* A digest over many pieces: digest_init, digest_add for each, then digest_end (which
 * releases it). A failure inside libcrypto dies (exit 3): a key that silently covered less
 * than it says would hand out a wrong cached answer. */
struct digest {
    void *ctx; /* an EVP_MD_CTX */
};
void digest_init(struct digest *d);
void digest_add(struct digest *d, const void *data, size_t len);
/* Adds a string and its terminating NUL, so "ab","c" and "a","bc" differ. */
void digest_add_str(struct digest *d, const char *s);
/* Adds the whole content of the file at path (every byte, NULs too) and its length; a file
 * that cannot be read adds a marker of its own. */
void digest_add_file(struct digest *d, const char *path);
void digest_end(struct digest *d, char hex[65]);

#endif
