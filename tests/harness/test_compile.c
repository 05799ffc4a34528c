/* test_compile.c: tests of harness/compile.c: the cache answers for the same bytes and flags
 * only, whatever a byte is (a NUL included). */
#include "compile.h"
#include "spawn.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void scratch(void)
{
    /* a sandbox user of this worker's own: the workers run side by side, and a run's end
     * kills whatever its user left (spawn.h), another worker's compiler too */
    spawn_init();
    snprintf(dir, sizeof dir, "/tmp/kata-test-compile-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    /* the compiler runs as a user of its own under a root harness (spawn.h) */
    cr_assert_eq(chmod(dir, 0755), 0);
}

static void cleanup(void)
{
    remove_tree(dir);
}

/* Compiles src (len bytes, written to dir/k.c) to an object; *cached says how it went. */
static char *compile_bytes(const char *src, size_t len, const char *flag, int *cached)
{
    char *path = xasprintf("%s/k.c", dir);
    cr_assert_eq(write_file(path, src, len), 0);
    const char *flags[] = {"-c", "-w", flag, NULL};
    const char *sources[] = {path, NULL};
    char *cache = xasprintf("%s/cache", dir);
    struct compile_job job = {
        .cc = "gcc", .flags = flags, .sources = sources, .label = "obj", .cache_dir = cache};
    char *diag = NULL;
    char *out = compile(&job, &diag, cached);
    cr_assert_not_null(out, "gcc failed: %s", diag ? diag : "?");
    free(diag);
    free(cache);
    free(path);
    return out;
}

Test(compile, the_same_bytes_and_flags_come_from_the_cache, .init = scratch, .fini = cleanup)
{
    static const char src[] = "int f(void) { return 1; }\n";
    int cached = -1;
    char *a = compile_bytes(src, sizeof src - 1, "-O0", &cached);
    cr_assert_eq(cached, 0);
    char *b = compile_bytes(src, sizeof src - 1, "-O0", &cached);
    cr_assert_eq(cached, 1);
    cr_assert_str_eq(a, b);
    char *c = compile_bytes(src, sizeof src - 1, "-O2", &cached);
    cr_assert_eq(cached, 0, "another flag is another build");
    cr_assert_str_neq(a, c);
    free(a);
    free(b);
    free(c);
}

/* gcc reads past a NUL byte (with a warning), so an edit after one changes the object: the
 * key must cover it too. */
Test(compile, an_edit_after_a_nul_byte_is_compiled_anew, .init = scratch, .fini = cleanup)
{
    static const char one[] = "int f(void) { return 1; }\n/*\0*/\nint g(void) { return 1; }\n";
    static const char two[] = "int f(void) { return 1; }\n/*\0*/\nint g(void) { return 2; }\n";
    int cached = -1;
    char *a = compile_bytes(one, sizeof one - 1, "-O0", &cached);
    char *b = compile_bytes(two, sizeof two - 1, "-O0", &cached);
    cr_assert_eq(cached, 0, "the cache answered for a file that changed after its NUL byte");
    cr_assert_str_neq(a, b);
    free(a);
    free(b);
}

/* What the cache stores is placed once: a second maker of the same name (a stage side by side
 * with another) never replaces the file, which the first one's sandbox may be binding in that
 * very moment; it only drops its own copy. */
Test(compile, a_result_is_placed_once_and_never_replaced, .init = scratch, .fini = cleanup)
{
    char *first = xasprintf("%s/first", dir), *second = xasprintf("%s/second", dir);
    char *to = xasprintf("%s/result", dir);
    cr_assert_eq(write_file(first, "one", 3), 0);
    cr_assert_eq(write_file(second, "two", 3), 0);
    struct stat before, after;
    cr_assert_eq(place_once(first, to), 0);
    cr_assert_eq(stat(to, &before), 0);
    cr_assert_eq(place_once(second, to), 0, "the name is there: nothing to do, no error");
    cr_assert_eq(stat(to, &after), 0);
    cr_assert_eq(before.st_ino, after.st_ino, "the file in place was replaced");
    char *text = read_file(to, 16, NULL);
    cr_assert_str_eq(text, "one");
    cr_assert(!file_exists(first) && !file_exists(second), "the made copies are gone");
    free(text);
    free(first);
    free(second);
    free(to);
}

/* A tool whose output comes last (objcopy IN OUT) runs as the compiler does: cached, and in
 * the sandbox where there is one. Here objcopy keeps `f` global and makes `g` local. */
Test(compile, a_tool_with_a_positional_output_runs_like_the_compiler, .init = scratch,
     .fini = cleanup)
{
    const char src[] = "int f(void) { return 1; }\nint g(void) { return 2; }\n";
    int cached = -1;
    char *obj = compile_bytes(src, sizeof src - 1, "-O0", &cached);
    char *list = xasprintf("%s/keep.txt", dir);
    cr_assert_eq(write_file(list, "f\n", 2), 0);
    char *keep = xasprintf("--keep-global-symbols=%s", list);
    const char *flags[] = {keep, NULL};
    const char *sources[] = {obj, NULL};
    const char *inputs[] = {list, NULL};
    char *cache = xasprintf("%s/cache", dir);
    struct compile_job job = {.cc = "objcopy",
                              .flags = flags,
                              .sources = sources,
                              .inputs = inputs,
                              .label = "local",
                              .cache_dir = cache,
                              .output_positional = 1};
    char *diag = NULL;
    char *out = compile(&job, &diag, &cached);
    cr_assert_not_null(out, "objcopy failed: %s", diag ? diag : "?");
    cr_assert_eq(cached, 0);
    char *cmd = xasprintf("nm %s", out);
    FILE *p = popen(cmd, "r");
    char line[256], symbols[1024] = "";
    while (p && fgets(line, sizeof line, p))
        strncat(symbols, line, sizeof symbols - strlen(symbols) - 1);
    if (p)
        pclose(p);
    cr_assert(strstr(symbols, " T f\n") && strstr(symbols, " t g\n"), "nm says:\n%s", symbols);
    free(diag);
    diag = NULL;
    char *again = compile(&job, &diag, &cached);
    cr_assert_str_eq(again, out);
    cr_assert_eq(cached, 1, "the second run came from the cache");
    free(again);
    free(diag);
    free(cmd);
    free(out);
    free(cache);
    free(keep);
    free(list);
    free(obj);
}
