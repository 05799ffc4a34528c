/* pipe_overflow_then_freed.c: a pipe_messages submission with a signed integer overflow and
 * then a read of freed memory: UBSan reports first and starts its runtime, and ASan's report
 * after it must still reach the harness (tests/harness/stages/test_asan.c). */
#include "pipe_messages.h"

#include <stdlib.h>

int pipe_messages_run(const struct message *msgs, size_t n, struct message *received)
{
    (void)msgs;
    (void)received;
    volatile int sum = 2147483647;
    sum = sum + (int)n + 1; /* a signed overflow, which goes on with a wrapped value */
    char *freed = malloc(8);
    free(freed);
    volatile char late = freed[sum & 1]; /* a read after free: ASan stops the program */
    return late;
}
