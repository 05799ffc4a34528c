/* anticheat.c: the symbols a learner's object may not define or call (see anticheat.h). */
#include "stages/anticheat.h"

#include "compile.h"
#include "stages/stage.h"
#include "spawn.h"
#include "util.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A reserved name (or prefix), and why a learner's file may not touch it. */
struct rule {
    const char *name;
    int prefix; /* name is a prefix */
    int define; /* refused when the learner's object defines it */
    int call;   /* refused when the learner's object refers to it without defining it */
    const char *why;
    int lookup; /* a run-time lookup of names: ANTICHEAT_ALLOW_LOOKUP lets it through */
};

static const char why_wrap[] = "the tests wrap pthread_create and other calls (-Wl,--wrap) with "
                               "these names to count and watch the threads your code starts";
static const char why_support[] = "it belongs to the tests' support code "
                                  "(tests/support/kata_test.c)";
static const char why_main[] = "the test runner and the kata's driver bring their own main, "
                               "and yours would replace them";
static const char why_pthread[] = "it belongs to the threads library, which the tests and the "
                                  "race detectors watch: your own version would fool them";
static const char why_sanitizer[] = "it talks to the sanitizer runtime directly (options, hooks "
                                    "or annotations), which can hide races from the detectors";
static const char why_annotate[] = "it is a dynamic race annotation (ThreadSanitizer's and "
                                   "Valgrind's), which hides races from the detectors";
static const char why_lookup[] = "it finds functions by a name given while the program runs, and "
                                 "a name built at run time reaches what no other check sees "
                                 "(the sanitizers' own hooks, Criterion's): call functions by "
                                 "their names in the source";

static const struct rule rules[] = {
    {"main", 0, 1, 0, why_main, 0},
    {"__wrap_", 1, 1, 1, why_wrap, 0},
    {"__real_", 1, 1, 1, why_wrap, 0},
    /* every name of the support's: its counters and its failure switches decide verdicts */
    {"kata_", 1, 1, 1, why_support, 0},
    {"pthread_", 1, 1, 0, why_pthread, 0},
    {"__pthread_", 1, 1, 0, why_pthread, 0},
    {"__tsan_", 1, 1, 1, why_sanitizer, 0},
    {"__sanitizer_", 1, 1, 1, why_sanitizer, 0},
    {"__asan_", 1, 1, 1, why_sanitizer, 0},
    {"__lsan_", 1, 1, 1, why_sanitizer, 0},
    {"__ubsan_", 1, 1, 1, why_sanitizer, 0},
    {"__msan_", 1, 1, 1, why_sanitizer, 0},
    {"__interceptor_", 1, 1, 1, why_sanitizer, 0},
    {"Annotate", 1, 1, 1, why_annotate, 0},
    /* the dynamic linker's lookups: every other rule here is about a name the object shows */
    {"dlsym", 0, 0, 1, why_lookup, 1},
    {"dlvsym", 0, 0, 1, why_lookup, 1},
    {"dlopen", 0, 0, 1, why_lookup, 1},
    {"dlmopen", 0, 0, 1, why_lookup, 1},
    {"dladdr", 0, 0, 1, why_lookup, 1},
    {"dladdr1", 0, 0, 1, why_lookup, 1},
    {"dlinfo", 0, 0, 1, why_lookup, 1},
    {"dl_iterate_phdr", 0, 0, 1, why_lookup, 1},
    {"_dl_find_object", 0, 0, 1, why_lookup, 1},
};

static const struct rule *match(const char *name, int defined, unsigned allow)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const struct rule *r = &rules[i];
        if (r->lookup && (allow & ANTICHEAT_ALLOW_LOOKUP))
            continue;
        int hit = r->prefix ? starts_with(name, r->name) : !strcmp(name, r->name);
        if (hit && (defined ? r->define : r->call))
            return r;
    }
    return NULL;
}

int anticheat_scan_symbols(const char *nm_output, const char *learner_src, const char *learner_real,
                           unsigned allow, struct findings *out)
{
    int added = 0;
    char *copy = xstrdup(nm_output ? nm_output : "");
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        /* "name type [value size]" and, with -l, a tab and "file:line" */
        char *where = strchr(l, '\t');
        if (where)
            *where++ = '\0';
        char *sp = strchr(l, ' ');
        if (!sp || !sp[1])
            continue;
        *sp = '\0';
        const char *name = l;
        char type = sp[1];
        /* U: undefined; w, v: weak and undefined; everything else is defined here */
        int defined = type != 'U' && type != 'w' && type != 'v';
        const struct rule *r = match(name, defined, allow);
        if (!r)
            continue;
        struct finding *f = findings_add(out);
        f->kind = xstrdup("refused");
        f->variable = xstrdup(name);
        f->headline = xasprintf("%s `%s`: %s", defined ? "defines" : "calls", name, r->why);
        f->naccess = 1;
        f->in_learner = f->access[0].in_learner = 1;
        f->access[0].file = learner_src ? xstrdup(learner_src) : NULL;
        if (where) {
            char *colon = strrchr(where, ':');
            if (colon) {
                *colon = '\0';
                if (learner_real && same_source(NULL, where, learner_real))
                    f->access[0].line = atoi(colon + 1);
            }
        }
        added++;
    }
    free(copy);
    return added;
}

/* The first line of text where name appears as a whole word, or 0. */
static int line_of(const char *text, const char *name)
{
    size_t len = strlen(name);
    int line = 1;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            line++;
            continue;
        }
        if (strncmp(p, name, len))
            continue;
        char before = p == text ? ' ' : p[-1], after = p[len];
        int word_before = before == '_' || (before >= '0' && before <= '9') ||
                          ((before | 32) >= 'a' && (before | 32) <= 'z');
        int word_after = after == '_' || (after >= '0' && after <= '9') ||
                         ((after | 32) >= 'a' && (after | 32) <= 'z');
        if (!word_before && !word_after)
            return line;
    }
    return 0;
}

/* The first section of an ELF object that holds code run before main or after it returns
 * (what __attribute__((constructor)) and ((destructor)) make), or NULL. Such code runs in the
 * test runner itself, after it wrote its report, so it could rewrite the verdict. */
const char *anticheat_init_section(const char *obj)
{
    static char name[64];
    struct stat st;
    char *elf =
        stat(obj, &st) == 0 && st.st_size < (64 << 20) ? read_file(obj, 64 << 20, NULL) : NULL;
    size_t size = elf ? (size_t)st.st_size : 0;
    const char *found = NULL;
    if (!elf || size < sizeof(Elf64_Ehdr) || memcmp(elf, ELFMAG, SELFMAG) ||
        elf[EI_CLASS] != ELFCLASS64) {
        free(elf);
        return NULL;
    }
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_shstrndx >= eh->e_shnum ||
        eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > size) {
        free(elf);
        return NULL;
    }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
    const Elf64_Shdr *names = &sh[eh->e_shstrndx];
    static const char *const refused[] = {".init_array", ".fini_array", ".preinit_array", ".ctors",
                                          ".dtors",      ".init",       ".fini",          NULL};
    for (int i = 0; i < eh->e_shnum && !found; i++) {
        if (names->sh_offset + sh[i].sh_name >= size)
            continue;
        const char *n = elf + names->sh_offset + sh[i].sh_name;
        size_t max = size - (names->sh_offset + sh[i].sh_name);
        for (int j = 0; refused[j] && !found; j++) {
            size_t len = strlen(refused[j]);
            /* ".init_array" and ".init_array.00100", not ".init_arrayx" or ".initx" */
            if (strnlen(n, max) < max && !strncmp(n, refused[j], len) &&
                (n[len] == '\0' ||
                 (n[len] == '.' && strcmp(refused[j], ".init") && strcmp(refused[j], ".fini")))) {
                snprintf(name, sizeof name, "%s", n);
                found = name;
            }
        }
    }
    free(elf);
    return found;
}

int anticheat_check_object(const struct kata *k, const char *src, const char *obj, unsigned allow,
                           struct findings *out)
{
    char *dir = xasprintf("build/run/%s", k->name);
    /* one listing per harness: gradings of the same kata run side by side */
    char *listing = xasprintf("%s/anticheat-nm.%d.txt", dir, (int)getpid());
    const char *argv[] = {"nm", "-P", "-g", "-l", obj, NULL};
    static const char *const env[] = {"LC_ALL=C", NULL};
    /* nm reads what the learner's code compiled to: in the sandbox, like the compiler */
    struct child c = {.argv = argv,
                      .env = env,
                      .stdout_path = listing,
                      .timeout = 30,
                      .limits = {.cpu_seconds = 30,
                                 .memory_mb = 1024,
                                 .file_mb = 64,
                                 .open_files = 64,
                                 .processes = 8,
                                 .unprivileged = 1}};
    int rc = -1;
    if (mkdir_p(dir) == 0 && child_run(&c) == 0 && c.exited && c.exit_code == 0) {
        char *text = read_file(listing, 16 << 20, NULL);
        char *real = real_path(src);
        size_t before = out->n;
        rc = text ? anticheat_scan_symbols(text, src, real, allow, out) : -1;
        /* nm names the declaration's header for a function a system header declares: then
         * the first mention in the learner's file is the best line there is */
        char *source = rc > 0 ? read_file(src, 4 << 20, NULL) : NULL;
        for (size_t i = before; source && i < out->n; i++)
            if (out->v[i].access[0].line <= 0)
                out->v[i].access[0].line = line_of(source, out->v[i].variable);
        free(source);
        free(real);
        free(text);
    }
    if (rc < 0)
        error("could not list the symbols of %s with nm (binutils)", obj);
    unlink(listing);
    const char *init = rc >= 0 ? anticheat_init_section(obj) : NULL;
    if (init) {
        char *source = read_file(src, 4 << 20, NULL);
        struct finding *f = findings_add(out);
        f->kind = xstrdup("refused");
        f->variable = xstrdup(init);
        f->headline = xasprintf("has code that runs before or after the tests (a constructor or "
                                "destructor: section %s): it would run inside the test runner, "
                                "which must only call your functions",
                                init);
        f->naccess = 1;
        f->in_learner = f->access[0].in_learner = 1;
        f->access[0].file = xstrdup(src);
        int line = source ? line_of(source, "constructor") : 0;
        f->access[0].line = line ? line : source ? line_of(source, "destructor") : 0;
        free(source);
        rc++;
    }
    free(listing);
    free(dir);
    return rc;
}
