/* test_checksums.c: tests of harness/checksums.c and harness/digest.c: SHA-256 against known digests and
 * sha256sum, and the protected-file lists on a scratch repository: a changed, removed or
 * added file is named, the learner's own file is not, a broken list is refused. */
#include "checksums.h"
#include "digest.h"
#include "util.h"

#include "support/scratch.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(checksums, .init = cr_redirect_stderr, .fini = scratch_remove);

/* A small repository: one kata, its tests, a harness file, a solution. The test continues
 * inside it, as `kata` works inside the repository root. */
static void scratch(void)
{
    scratch_enter("checksums");
    put_file("katas/k1/kata.json", "{\"stages\": [\"build\", \"test\"]}");
    put_file("katas/k1/k1.h", "int k1(void);\n");
    put_file("katas/k1/k1.c", "/* TODO */\nint k1(void) { return 0; }\n");
    put_file("katas/k1/README.md", "# k1\n");
    put_file("katas/k1/Makefile", "include ../../mk/kata-folder.mk\n");
    put_file("tests/katas/k1/test_k1.c", "/* the tests */\n");
    put_file("tests/support/kata_test.c", "/* support */\n");
    put_file("solutions/k1/k1.c", "int k1(void) { return 1; }\n");
    put_file("harness/grade.c", "/* the grader */\n");
    put_file("Makefile", "all:\n");
    put_file("scripts/deps.sh", "#!/bin/sh\n");
}

static char *at(const char *path)
{
    return scratch_path(path);
}

/* Writes both lists into the scratch repository and checks the tree against the first. */
static int write_and_verify(struct integrity *in)
{
    char *list = at(CHECKSUMS_LIST), *starters = at(STARTERS_LIST);
    cr_assert_eq(checksums_write(list, starters), 0);
    int n = checksums_verify(list, in);
    free(list);
    free(starters);
    return n;
}

static int verify(struct integrity *in)
{
    char *list = at(CHECKSUMS_LIST);
    int n = checksums_verify(list, in);
    free(list);
    return n;
}

static void assert_tampered(const struct integrity *in, const char *path, const char *what)
{
    for (int i = 0; i < in->n; i++)
        if (!strcmp(in->v[i].path, path)) {
            cr_assert_str_eq(in->v[i].what, what, "%s is %s, expected %s", path, in->v[i].what,
                             what);
            return;
        }
    cr_assert_fail("%s is not named among the %d tampered files", path, in->n);
}

Test(checksums, sha256_matches_the_standard_test_vectors)
{
    char hex[65];
    sha256_hex("", 0, hex);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two, strlen(two), hex);
    cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = xmalloc(1000000);
    memset(million, 'a', 1000000);
    sha256_hex(million, 1000000, hex);
    cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

Test(checksums, sha256_file_agrees_with_sha256sum)
{
    scratch();
    /* sizes around the 55/56/64-byte padding boundaries, and a longer file */
    static const size_t sizes[] = {55, 56, 63, 64, 65, 119, 120, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *data = xmalloc(sizes[i] + 1);
        for (size_t j = 0; j < sizes[i]; j++)
            data[j] = (char)('a' + (j * 7 + i) % 26);
        data[sizes[i]] = '\0';
        char *path = at("blob");
        cr_assert_eq(write_file(path, data, sizes[i]), 0);
        char hex[65];
        cr_assert_eq(sha256_file(path, hex), 0);
        char *cmd = xasprintf("sha256sum %s", path);
        FILE *p = popen(cmd, "r");
        cr_assert_not_null(p);
        char line[256] = "";
        cr_assert_not_null(fgets(line, sizeof line, p));
        pclose(p);
        cr_assert_eq(strncmp(line, hex, 64), 0, "%zu bytes: ours %s, sha256sum %.64s", sizes[i],
                     hex, line);
        free(cmd);
        free(path);
        free(data);
    }
    char hex[65];
    cr_assert_eq(sha256_file("/nonexistent/file", hex), -1);
}

Test(checksums, a_fresh_list_matches_the_tree_and_sha256sum_accepts_it)
{
    scratch();
    struct integrity in;
    cr_assert_eq(write_and_verify(&in), 0);
    cr_assert_eq(strlen(in.list_sha256), 64);
    integrity_release(&in);
    char *cmd = xasprintf("cd %s && sha256sum --check --quiet --strict %s %s", scratch_dir,
                          CHECKSUMS_LIST, STARTERS_LIST);
    cr_assert_eq(system(cmd), 0, "sha256sum does not accept the lists");
    free(cmd);
}

Test(checksums, lists_exactly_the_protected_files)
{
    scratch();
    char **files;
    int n = protected_files(&files);
    static const char *const want[] = {
        "Makefile",          "harness/grade.c",          "katas/k1/Makefile",
        "katas/k1/k1.h",     "katas/k1/kata.json",       "scripts/deps.sh",
        "solutions/k1/k1.c", "tests/katas/k1/test_k1.c", "tests/support/kata_test.c",
    };
    cr_assert_eq(n, (int)(sizeof want / sizeof want[0]), "%d protected files", n);
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(files[i], want[i]);
    paths_free(files, n);
}

Test(checksums, a_changed_test_is_named)
{
    scratch();
    struct integrity in;
    cr_assert_eq(write_and_verify(&in), 0);
    integrity_release(&in);
    put_file("tests/katas/k1/test_k1.c", "/* the tests, made to pass */\n");
    cr_assert_eq(verify(&in), 1);
    assert_tampered(&in, "tests/katas/k1/test_k1.c", "changed");
    integrity_release(&in);
}

Test(checksums, a_removed_added_or_changed_protected_file_is_named)
{
    scratch();
    struct integrity in;
    cr_assert_eq(write_and_verify(&in), 0);
    integrity_release(&in);
    char *gone = at("solutions/k1/k1.c");
    cr_assert_eq(unlink(gone), 0);
    free(gone);
    put_file("harness/extra.c", "/* compiled into the grader by the Makefile's wildcard */\n");
    put_file("katas/fake/kata.json", "{\"stages\": [\"build\"]}");
    put_file("katas/k1/k1.h", "int k1(void); /* changed */\n");
    cr_assert_eq(verify(&in), 4);
    assert_tampered(&in, "solutions/k1/k1.c", "missing");
    assert_tampered(&in, "harness/extra.c", "added");
    assert_tampered(&in, "katas/fake/kata.json", "added");
    assert_tampered(&in, "katas/k1/k1.h", "changed");
    integrity_release(&in);
}

Test(checksums, the_learners_own_files_are_not_protected)
{
    scratch();
    struct integrity in;
    cr_assert_eq(write_and_verify(&in), 0);
    integrity_release(&in);
    put_file("katas/k1/k1.c", "int k1(void) { return 1; }\n");
    put_file("katas/k1/README.md", "# my notes\n");
    put_file("katas/k1/notes.txt", "scratch\n");
    cr_assert_eq(verify(&in), 0);
    integrity_release(&in);
}

Test(checksums, a_missing_or_malformed_list_is_an_error)
{
    scratch();
    struct integrity in;
    char *list = at(CHECKSUMS_LIST);
    cr_assert_eq(checksums_verify(list, &in), -1, "no list at all");
    static const char *const bad[] = {
        "not a checksum line\n",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85  short/hash\n",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  ../outside\n",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /etc/passwd\n",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/../../b\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_file(CHECKSUMS_LIST, bad[i]);
        cr_assert_eq(checksums_verify(list, &in), -1, "accepted: %s", bad[i]);
    }
    free(list);
}

Test(checksums, an_untouched_starter_is_recognised)
{
    scratch();
    struct integrity in;
    cr_assert_eq(write_and_verify(&in), 0);
    integrity_release(&in);
    char *starters = at(STARTERS_LIST);
    cr_assert_eq(starter_untouched(starters, "katas/k1/k1.c"), 1);
    put_file("katas/k1/k1.c", "/* TODO */\nint k1(void) { return 0; }\n\n");
    cr_assert_eq(starter_untouched(starters, "katas/k1/k1.c"), 0, "one more newline");
    cr_assert_eq(starter_untouched(starters, "katas/k2/k2.c"), -1, "no entry");
    char *gone = at("katas/k1/k1.c");
    unlink(gone);
    free(gone);
    cr_assert_eq(starter_untouched(starters, "katas/k1/k1.c"), 0, "removed");
    free(starters);
    char *none = at("no-such-list");
    cr_assert_eq(starter_untouched(none, "katas/k1/k1.c"), -1);
    free(none);
}
