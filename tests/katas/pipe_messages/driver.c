/* driver.c: pipe_messages under AddressSanitizer: `driver NMESSAGES MAXLEN`, a plain main. */
#include "pipe_messages.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 50;
    size_t maxlen = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    struct message *msgs = calloc(n ? n : 1, sizeof *msgs);
    struct message *got = calloc(n ? n : 1, sizeof *got);
    if (!msgs || !got) {
        fprintf(stderr, "driver: out of memory\n");
        return 2;
    }
    /* lengths from 0 up to maxlen, every third message empty; bytes of any value */
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t len = i % 3 == 0 ? 0 : (size_t)(x % (maxlen + 1));
        msgs[i].len = len;
        msgs[i].data = len ? malloc(len) : NULL;
        if (len && !msgs[i].data) {
            fprintf(stderr, "driver: out of memory\n");
            return 2;
        }
        for (size_t k = 0; k < len; k++)
            msgs[i].data[k] = (unsigned char)((x >> (k % 57)) + k);
    }
    int rc = pipe_messages_run(msgs, n, got);
    size_t wrong = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        wrong += got[i].len != msgs[i].len || !got[i].data ||
                 (msgs[i].len && memcmp(got[i].data, msgs[i].data, msgs[i].len));
    printf("pipe_messages_run(%zu messages of up to %zu bytes) = %d, %zu of them wrong\n", n,
           maxlen, rc, wrong);
    if (rc == 0)
        pipe_messages_free(got, n);
    for (size_t i = 0; i < n; i++)
        free(msgs[i].data);
    free(msgs);
    free(got);
    return rc == 0 && wrong == 0 ? 0 : 1;
}
