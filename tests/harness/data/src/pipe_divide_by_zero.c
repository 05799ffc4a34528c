/* pipe_divide_by_zero.c: a pipe_messages submission that divides by zero before anything else:
 * the asan stage fails, at this line, though UBSan's report and ASan's miss the harness's
 * channel (tests/harness/stages/test_asan.c). */
#include "pipe_messages.h"

int pipe_messages_run(const struct message *msgs, size_t n, struct message *received)
{
    (void)msgs;
    (void)received;
    volatile size_t zero = 0;
    return (int)((size_t)100 / (zero * n)); /* a division by zero */
}
