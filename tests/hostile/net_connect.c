/* hostile: connects to 192.0.2.1:80 (TEST-NET-1, reserved, never reachable) before counting;
 * inside the harness's loopback-only network namespace connect fails at once with
 * ENETUNREACH (101), and the code returns -(1000 + errno), so the verdict is an ordinary test
 * failure showing "got -1101"; a hang here would mean the namespace is missing.
 * expect: stage=test status=fail first text="got -1101"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

long race_counter_run(int nthreads, long iters)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -(1000L + errno);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(80)};
    inet_pton(AF_INET, "192.0.2.1", &to.sin_addr);
    int rc = connect(s, (const struct sockaddr *)&to, sizeof to);
    int e = errno;
    close(s);
    if (rc < 0)
        return -(1000L + e);
    return (long)nthreads * iters; /* reached the outside: the sandbox leaks */
}
