/* pipe_signed_overflow.c: a pipe_messages submission whose one signed integer overflow does
 * not stop the program: UBSan's report must reach the harness, and the asan stage name it
 * at this line (tests/harness/stages/test_asan.c). */
#include "pipe_messages.h"

int pipe_messages_run(const struct message *msgs, size_t n, struct message *received)
{
    (void)msgs;
    (void)received;
    volatile int sum = 2147483647;
    sum = sum + (int)n + 1; /* a signed overflow, which goes on with a wrapped value */
    return sum < 0 ? -1 : 0;
}
