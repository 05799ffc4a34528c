/* test_anticheat.c: tests of harness/stages/anticheat.c: recorded `nm -P -g -l` listings, and real
 * learner files compiled with gcc: what the tests rely on is refused however it is spelled,
 * a mere mention in a comment or a string is not. */
#include "stages/anticheat.h"
#include "spawn.h"
#include "util.h"

#include "support/scratch.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

TestSuite(anticheat, .init = cr_redirect_stderr, .fini = scratch_remove);

/* `nm -P -g -l` of an object that cheats five ways and is otherwise an honest kata, as gcc 12
 * and binutils 2.40 print it. */
static const char *const CHEATER_NM = "AnnotateHappensBefore U         \t/tmp/x.c:8\n"
                                      "__real_pthread_create T 10 10\t/tmp/x.c:3\n"
                                      "counter B 0 4\t/tmp/x.c:6\n"
                                      "g T 30 18\t/tmp/x.c:8\n"
                                      "kata_processes_reset U         \t/tmp/x.c:10\n"
                                      "kata_threads_started T 0 6\t/tmp/x.c:2\n"
                                      "pthread_join W 20 3\t/usr/include/pthread.h:219\n"
                                      "pthread_mutex_lock U         \t/tmp/x.c:9\n"
                                      "race_counter_run T 40 80\t/tmp/x.c:12\n";

static int count_symbol(const struct findings *f, const char *symbol)
{
    int n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += f->v[i].variable && !strcmp(f->v[i].variable, symbol);
    return n;
}

static const struct finding *find_symbol(const struct findings *f, const char *symbol)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].variable && !strcmp(f->v[i].variable, symbol))
            return &f->v[i];
    return NULL;
}

Test(anticheat, refuses_what_a_recorded_listing_defines_or_calls_of_the_tests)
{
    struct findings f = {0};
    int n = anticheat_scan_symbols(CHEATER_NM, "katas/x/x.c", "/tmp/x.c", 0, &f);
    cr_assert_eq(n, 5, "%d refusals", n);
    cr_assert_eq((int)f.n, 5);
    cr_assert_eq(count_symbol(&f, "AnnotateHappensBefore"), 1);
    cr_assert_eq(count_symbol(&f, "__real_pthread_create"), 1);
    cr_assert_eq(count_symbol(&f, "kata_threads_started"), 1);
    /* any name of the tests' support, not only the ones listed once */
    cr_assert_eq(count_symbol(&f, "kata_processes_reset"), 1);
    cr_assert_eq(count_symbol(&f, "pthread_join"), 1);
    /* calling the threads library is the point of the katas; only defining it is refused */
    cr_assert_eq(count_symbol(&f, "pthread_mutex_lock"), 0);
    cr_assert_eq(count_symbol(&f, "counter"), 0);

    const struct finding *x = find_symbol(&f, "__real_pthread_create");
    cr_assert_str_eq(x->kind, "refused");
    cr_assert(starts_with(x->headline, "defines `__real_pthread_create`: "), "%s", x->headline);
    cr_assert_str_eq(x->access[0].file, "katas/x/x.c");
    cr_assert_eq(x->access[0].line, 3);
    cr_assert(x->in_learner);
    x = find_symbol(&f, "AnnotateHappensBefore");
    cr_assert(starts_with(x->headline, "calls `AnnotateHappensBefore`: "), "%s", x->headline);
    /* nm placed pthread_join in the header that declares it: no line in the learner's file */
    cr_assert_eq(find_symbol(&f, "pthread_join")->access[0].line, 0);
    findings_release(&f);
}

/* A name looked up while the program runs (its string built there) passes every check that
 * reads names: the lookup itself is what is refused, and only the proof's switch lets it by. */
Test(anticheat, refuses_the_dynamic_linkers_lookups_by_name)
{
    static const char *const listing = "dlerror U         \t/tmp/x.c:7\n"
                                       "dl_iterate_phdr U         \t/tmp/x.c:9\n"
                                       "dlsym U         \t/tmp/x.c:8\n"
                                       "dlsymbol_of_mine T 0 10\t/tmp/x.c:2\n"
                                       "race_counter_run T 40 80\t/tmp/x.c:12\n";
    struct findings f = {0};
    int n = anticheat_scan_symbols(listing, "katas/x/x.c", "/tmp/x.c", 0, &f);
    cr_assert_eq(n, 2, "%d refusals", n);
    cr_assert_eq(count_symbol(&f, "dlsym"), 1);
    cr_assert_eq(count_symbol(&f, "dl_iterate_phdr"), 1);
    const struct finding *x = find_symbol(&f, "dlsym");
    cr_assert(starts_with(x->headline, "calls `dlsym`: it finds functions by a name"), "%s",
              x->headline);
    cr_assert_eq(x->access[0].line, 8);
    findings_release(&f);
    cr_assert_eq(
        anticheat_scan_symbols(listing, "katas/x/x.c", "/tmp/x.c", ANTICHEAT_ALLOW_LOOKUP, &f), 0);
    findings_release(&f);
}

Test(anticheat, an_empty_or_clean_listing_refuses_nothing)
{
    struct findings f = {0};
    cr_assert_eq(anticheat_scan_symbols("", NULL, NULL, 0, &f), 0);
    cr_assert_eq(anticheat_scan_symbols(NULL, NULL, NULL, 0, &f), 0);
    cr_assert_eq(anticheat_scan_symbols("race_counter_run T 0 10\t/tmp/x.c:3\n"
                                        "pthread_create U         \t/tmp/x.c:5\n"
                                        "garbage\n\n",
                                        NULL, NULL, 0, &f),
                 0);
    cr_assert_eq(f.n, 0);
}

/* A scratch kata "k" whose learner file holds `source`; returns its refusals. */
static int check_source(const char *source, struct findings *f)
{
    if (!scratch_dir[0]) {
        scratch_make("anticheat");
        /* compilers and learner code run as a user of their own under root (spawn.h) */
        cr_assert_eq(chmod(scratch_dir, 0755), 0);
        cr_assert_eq(chdir(scratch_dir), 0); /* its build/ goes there */
    }
    struct kata k = {0};
    k.name = xstrdup("k");
    k.dir = xasprintf("%s/katas/k", scratch_dir);
    cr_assert_eq(mkdir_p(k.dir), 0);
    char *header = xasprintf("%s/k.h", k.dir);
    const char *h = "#include <pthread.h>\nlong k_run(int nthreads);\n";
    cr_assert_eq(write_file(header, h, strlen(h)), 0);
    char *src = xasprintf("%s/k.c", k.dir);
    cr_assert_eq(write_file(src, source, strlen(source)), 0);
    /* an object as the build stage compiles one (a file that does not compile has no
     * symbols to judge: the build stage says why) */
    char *obj = xasprintf("%s/k.o", scratch_dir);
    char *include = xasprintf("-I%s", k.dir);
    const char *cc[] = {"gcc", "-std=c11", "-g", "-w", include, "-c", src, "-o", obj, NULL};
    struct child c = {.argv = cc, .timeout = 60};
    int n = 0;
    if (child_run(&c) == 0 && c.exited && c.exit_code == 0)
        n = anticheat_check_object(&k, src, obj, 0, f);
    unlink(obj);
    free(obj);
    free(include);
    free(src);
    free(header);
    free(k.dir);
    free(k.name);
    return n;
}

static const char HONEST[] = "#include \"k.h\"\n"
                             "static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;\n"
                             "static long total;\n"
                             "static void *work(void *arg) {\n"
                             "    (void)arg;\n"
                             "    pthread_mutex_lock(&lock);\n"
                             "    total++;\n"
                             "    pthread_mutex_unlock(&lock);\n"
                             "    return NULL;\n"
                             "}\n"
                             "long k_run(int nthreads) {\n"
                             "    pthread_t t[64];\n"
                             "    for (int i = 0; i < nthreads; i++)\n"
                             "        pthread_create(&t[i], NULL, work, NULL);\n"
                             "    for (int i = 0; i < nthreads; i++)\n"
                             "        pthread_join(t[i], NULL);\n"
                             "    return total;\n"
                             "}\n";

Test(anticheat, an_honest_file_is_not_refused)
{
    struct findings f = {0};
    cr_assert_eq(check_source(HONEST, &f), 0);
    cr_assert_eq(f.n, 0);
}

Test(anticheat, a_mention_in_a_comment_or_a_string_is_not_a_definition)
{
    struct findings f = {0};
    char *src = xasprintf("%s/* I must not define __real_pthread_create, main or "
                          "kata_threads_started */\n"
                          "const char *k_note(void) { return \"__wrap_pthread_create main\"; }\n",
                          HONEST);
    cr_assert_eq(check_source(src, &f), 0);
    free(src);
}

Test(anticheat, refuses_a_pthread_create_that_runs_the_function_inline)
{
    struct findings f = {0};
    const char *src = "#include \"k.h\"\n"
                      "long k_run(int nthreads) { return nthreads; }\n"
                      "\n"
                      "int pthread_create(pthread_t *t, const pthread_attr_t *a,\n"
                      "                   void *(*fn)(void *), void *arg)\n"
                      "{\n"
                      "    (void)t; (void)a; fn(arg); return 0;\n"
                      "}\n";
    cr_assert_eq(check_source(src, &f), 1);
    const struct finding *x = find_symbol(&f, "pthread_create");
    cr_assert_not_null(x);
    cr_assert(ends_with(x->access[0].file, "katas/k/k.c"), "%s", x->access[0].file);
    /* nm points at pthread.h's declaration; the line falls back to the first mention */
    cr_assert_eq(x->access[0].line, 4);
    findings_release(&f);
}

Test(anticheat, sees_through_token_pasting_and_asm_labels)
{
    struct findings f = {0};
    const char *src = "#include \"k.h\"\n"
                      "#define GLUE(a, b) a##b\n"
                      "long k_run(int nthreads) { return nthreads; }\n"
                      "long GLUE(kata_threads_, started)(void) { return 4; }\n"
                      "int fake(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *)\n"
                      "    __asm__(\"__real_pthread_create\");\n"
                      "int fake(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *),\n"
                      "         void *arg) { (void)t; (void)a; fn(arg); return 0; }\n";
    cr_assert_eq(check_source(src, &f), 2);
    cr_assert_not_null(find_symbol(&f, "kata_threads_started"));
    cr_assert_not_null(find_symbol(&f, "__real_pthread_create"));
    findings_release(&f);
}

Test(anticheat, refuses_calls_into_the_sanitizer_runtime_and_its_options)
{
    struct findings f = {0};
    const char *src = "#include \"k.h\"\n"
                      "void AnnotateBenignRaceSized(const char *, int, const volatile void *,\n"
                      "                             long, const char *);\n"
                      "static long total;\n"
                      "const char *__tsan_default_options(void) { return \"report_bugs=0\"; }\n"
                      "long k_run(int nthreads) {\n"
                      "    AnnotateBenignRaceSized(\"k.c\", 7, &total, sizeof total, \"\");\n"
                      "    return nthreads;\n"
                      "}\n";
    cr_assert_eq(check_source(src, &f), 2);
    const struct finding *x = find_symbol(&f, "AnnotateBenignRaceSized");
    cr_assert_not_null(x);
    cr_assert(starts_with(x->headline, "calls "), "%s", x->headline);
    cr_assert_eq(x->access[0].line, 7);
    x = find_symbol(&f, "__tsan_default_options");
    cr_assert_not_null(x);
    cr_assert(starts_with(x->headline, "defines "), "%s", x->headline);
    findings_release(&f);
}

Test(anticheat, refuses_a_main_of_its_own)
{
    struct findings f = {0};
    char *src = xasprintf("%sint main(void) { return k_run(2) != 2; }\n", HONEST);
    cr_assert_eq(check_source(src, &f), 1);
    cr_assert_eq(find_symbol(&f, "main")->access[0].line, 19);
    free(src);
    findings_release(&f);
}

Test(anticheat, leaves_a_file_that_does_not_compile_to_the_build_stage)
{
    struct findings f = {0};
    cr_assert_eq(check_source("int main(void) { return }\n", &f), 0);
    cr_assert_eq(f.n, 0);
}

Test(anticheat, refuses_a_constructor_or_a_destructor)
{
    /* either would run inside the test runner, the destructor after it wrote its report */
    static const char *const kinds[] = {"constructor", "destructor", "constructor(101)"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        struct findings f = {0};
        char *src = xasprintf("%s__attribute__((%s)) static void sneak(void) { total = 2; }\n",
                              HONEST, kinds[i]);
        cr_assert_eq(check_source(src, &f), 1, "__attribute__((%s))", kinds[i]);
        cr_assert_str_eq(f.v[0].kind, "refused");
        cr_assert(starts_with(f.v[0].variable, i == 1 ? ".fini_array" : ".init_array"), "%s",
                  f.v[0].variable);
        cr_assert_eq(f.v[0].access[0].line, 19, "the line of the attribute");
        free(src);
        findings_release(&f);
    }
}

Test(anticheat, init_section_reads_only_elf_objects)
{
    cr_assert_null(anticheat_init_section("/nonexistent/k.o"));
    cr_assert_null(anticheat_init_section("tests/harness/data/stacks_gdb.txt"));
}
