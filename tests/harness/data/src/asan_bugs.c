/* asan_bugs.c: one memory bug per argument, for the ASan parser's recordings (record.sh):
 * use_after_free, double_free, leak, overflow (signed int). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int *make(void)
{
    int *p = malloc(4 * sizeof *p);
    if (p)
        p[0] = 1;
    return p;
}

int main(int argc, char **argv)
{
    const char *bug = argc > 1 ? argv[1] : "";
    int *p = make();
    if (!strcmp(bug, "use_after_free")) {
        free(p);
        return p[0]; /* @uaf@ */
    }
    if (!strcmp(bug, "double_free")) {
        free(p);
        free(p); /* @double@ */
        return 0;
    }
    if (!strcmp(bug, "leak"))
        return p[0] - 1; /* p is never freed */
    if (!strcmp(bug, "overflow")) {
        volatile int big = INT_MAX;
        int sum = big + argc; /* @overflow@ */
        free(p);
        return sum == 0;
    }
    free(p);
    return 0;
}
