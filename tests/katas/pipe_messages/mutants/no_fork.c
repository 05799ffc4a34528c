/* mutant: the messages are copied in the calling process: the right result, no process, no pipe
 * rejected-by: test */
#include "pipe_messages.h"

#include <string.h>

int pipe_messages_run(const struct message *msgs, size_t n, struct message *received)
{
    if (n > 0 && (!msgs || !received))
        return -1;
    /* the bug: the messages are copied in this process; no child, no pipe */
    for (size_t i = 0; i < n; i++) {
        received[i].len = msgs[i].len;
        received[i].data = malloc(msgs[i].len ? msgs[i].len : 1);
        if (!received[i].data) {
            pipe_messages_free(received, i);
            return -1;
        }
        if (msgs[i].len)
            memcpy(received[i].data, msgs[i].data, msgs[i].len);
    }
    return 0;
}
