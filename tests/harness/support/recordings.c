/* recordings.c: the recorded tool outputs and the asserts the parser tests share. */
#include "support/recordings.h"

#include "util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

char *recording(const char *name)
{
    char *path = xasprintf(DATA "%s", name);
    char *text = read_file(path, 1 << 20, NULL);
    cr_assert_not_null(text, "cannot read %s: run the tests from the repository root", path);
    free(path);
    return text;
}

char *recorded_source(const char *file)
{
    char *path = xasprintf(DATA "src/%s", file);
    char *real = real_path(path);
    cr_assert_eq(real[0], '/', "%s does not resolve: run from the repository root", path);
    free(path);
    return real;
}

const struct access *with_op(const struct finding *f, const char *op)
{
    for (int i = 0; i < f->naccess; i++)
        if (f->access[i].op && !strcmp(f->access[i].op, op))
            return &f->access[i];
    cr_assert_fail("no %s access among the %d of \"%s\"", op, f->naccess,
                   f->headline ? f->headline : "?");
    return NULL;
}

void assert_frame(const struct access *a, const char *file, const char *function, int line)
{
    cr_assert_not_null(a->file);
    cr_assert(ends_with(a->file, file), "file %s, expected ...%s", a->file, file);
    cr_assert_str_eq(a->function, function);
    cr_assert_eq(a->line, line, "%s: line %d, expected %d", function, a->line, line);
}
