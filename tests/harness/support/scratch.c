/* scratch.c: the scratch folder of a harness test, and the files written into it. */
#include "support/scratch.h"

#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char scratch_dir[64];

void scratch_make(const char *what)
{
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/kata-test-%s-XXXXXX", what);
    cr_assert_not_null(mkdtemp(scratch_dir), "cannot make a scratch folder under /tmp");
}

void scratch_enter(const char *what)
{
    scratch_make(what);
    cr_assert_eq(chdir(scratch_dir), 0);
}

void scratch_remove(void)
{
    if (scratch_dir[0])
        remove_tree(scratch_dir);
    scratch_dir[0] = '\0';
}

char *scratch_path(const char *name)
{
    return xasprintf("%s/%s", scratch_dir, name);
}

void put_file(const char *path, const char *text)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        cr_assert_eq(mkdir_p(dir), 0, "cannot make %s", dir);
    }
    free(dir);
    cr_assert_eq(write_file(path, text, strlen(text)), 0, "cannot write %s", path);
}
