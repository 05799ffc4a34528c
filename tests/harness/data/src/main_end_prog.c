/* main_end_prog.c: a driver for tests/harness/stages/test_main_end.c, linked with
 * harness/runtime/main_end.c and -Wl,--wrap=main. `prog return` returns from main,
 * `prog exit` calls _exit(0) in the middle, `prog forge` writes a line of its own to the end
 * channel (descriptor 4) and returns. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "return";
    if (!strcmp(what, "exit"))
        _exit(0);
    if (!strcmp(what, "forge")) {
        static const char line[] = "main returned 0 0123456789abcdef0123456789abcdef\n";
        if (write(4, line, sizeof line - 1) < 0)
            return 2;
    }
    return 0;
}
