/* hostile: a cheat that never counts: a destructor, which also runs in the Criterion runner
 * after it wrote its XML report, rewrites the report as a pass and exits 0; code of the
 * learner's that runs outside the function under test must be refused at build time.
 * expect: stage=build status=fail first text="refused"
 * expect: status=fail
 * limit: 10
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *own_arg(const char *key, char *buf, size_t size)
{
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    for (char *p = buf; p < buf + n; p += strlen(p) + 1)
        if (!strncmp(p, key, strlen(key)))
            return p + strlen(key);
    return NULL;
}

__attribute__((destructor)) static void forge(void)
{
    char a[4096], b[4096];
    const char *xml = own_arg("--xml=", a, sizeof a);
    const char *filter = own_arg("--filter=", b, sizeof b);
    if (!xml || !filter || !strchr(filter, '/'))
        return;
    FILE *f = fopen(xml, "w");
    if (!f)
        return;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"Criterion Tests\" tests=\"1\" failures=\"0\">\n"
            "  <testsuite name=\"%.*s\" tests=\"1\" failures=\"0\">\n"
            "    <testcase name=\"%s\" assertions=\"1\" status=\"PASSED\" time=\"0.001\">"
            "</testcase>\n  </testsuite>\n</testsuites>\n",
            (int)(strchr(filter, '/') - filter), filter, strchr(filter, '/') + 1);
    fclose(f);
    _exit(0);
}

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    return 0; /* wrong for every test, and race-free for every detector */
}
