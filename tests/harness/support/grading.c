/* grading.c: real gradings for the stage tests (grading.h). */
#include "grading.h"

#include "cli.h"
#include "spawn.h"
#include "util.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void grading_setup(void)
{
    spawn_init();
    cr_redirect_stdout();
    cr_redirect_stderr();
    unsetenv("SEED");
    unsetenv("KATA_ROOT");
    setenv("NO_COLOR", "1", 1);
}

char *grade_failing(const char *kata, const char *src, const char *stage)
{
    const char *args[] = {"kata", "run", kata, "--src", src, "--stage", stage, NULL};
    char *argv[8];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = xstrdup(args[argc]);
    argv[argc] = NULL;
    char *copies[8]; /* getopt may permute argv */
    memcpy(copies, argv, sizeof argv);
    int rc = cli_main(argc, argv);
    for (int i = 0; i < argc; i++)
        free(copies[i]);
    fflush(stdout);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    char buf[4096];
    size_t got;
    FILE *f = cr_get_redirected_stdout();
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        sb_add(&sb, buf, got);
    cr_assert_eq(rc, 1, "kata run %s --src %s --stage %s: exit %d, not 1 (failed):\n%s", kata, src,
                 stage, rc, sb.buf);
    return sb_detach(&sb);
}

void verdict_says(const char *verdict, const char *words)
{
    cr_assert(strstr(verdict, words), "the verdict does not say \"%s\":\n%s", words, verdict);
}

void verdict_lacks(const char *verdict, const char *words)
{
    cr_assert(!strstr(verdict, words), "the verdict says \"%s\":\n%s", words, verdict);
}
