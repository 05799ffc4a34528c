/* report_fd.c: linked into the ThreadSanitizer and AddressSanitizer drivers: the sanitizers'
 * reports go to the descriptor the harness holds (KATA_REPORT_FD), not to files.
 *
 * A report file lives where the learner's code can reach it: a process the learner forked
 * could truncate or rewrite it once the driver was gone and before the harness read it. The
 * harness instead passes a pipe (spawn.h, struct child_channel) and reads it while the
 * driver runs; what went in cannot be taken back. The sanitizer runtimes open their log
 * files by path only (log_path gets ".<pid>" appended), so the descriptor is handed to them
 * with their own interface call, __sanitizer_set_report_fd, in each runtime loaded (UBSan's
 * is a library of its own beside ASan's). This constructor runs before main, after the
 * runtimes started, and no learner code runs before it (the build refuses constructors in the
 * learner's file).
 *
 * The descriptors that carry reports are then guarded (harness/runtime/report_guard.h): learner
 * code can no longer point the runtime's copy at /dev/null while the channel itself stays
 * open, which sent every report nowhere through a channel that closed cleanly and was
 * trusted (tests/hostile/redirect_report.c). */
#define _GNU_SOURCE /* RTLD_NOLOAD, RTLD_DEFAULT, dl_iterate_phdr */
#include "report_guard.h"

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void hand_over(void *lib, long fd)
{
    void (*set)(void *) = NULL;
    void *sym = lib ? dlsym(lib, "__sanitizer_set_report_fd") : NULL;
    /* a data pointer to a function pointer: POSIX guarantees dlsym's result converts */
    *(void **)&set = sym;
    if (set)
        set((void *)fd);
}

static int handed;
static void *asan_lib; /* libasan, when loaded beside libubsan */
static int spare = -1; /* a copy of the channel, for libasan once UBSan has started */
static int guarded[REPORT_GUARD_MAX]; /* the descriptors that carry reports */
static int nguarded;

/* For each loaded library that is a sanitizer runtime (libtsan, libasan, libubsan: whatever
 * their version), its own copy of the call. */
static int each_runtime(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *base = strrchr(info->dlpi_name, '/');
    base = base ? base + 1 : info->dlpi_name;
    if (strncmp(base, "libtsan.so", 10) && strncmp(base, "libasan.so", 10) &&
        strncmp(base, "libubsan.so", 11))
        return 0;
    void *lib = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
    if (lib) {
        /* UBSan (gcc's libubsan, beside libasan) starts at its first report, and then sets
         * the report path from its options through the symbol libasan exports too: libasan's
         * copy closes the descriptor it was given and goes back to stderr, while UBSan's own
         * copy goes on writing to the number it was given. Were that the same number, UBSan's
         * reports would go to a closed descriptor, lost (a signed overflow passed the asan
         * stage). So UBSan gets the channel, and every other runtime a copy of it of its own,
         * which it is given again once UBSan has started (__ubsan_on_report, below). */
        long fd = *(long *)data;
        if (strncmp(base, "libubsan.so", 11)) {
            int copy = dup((int)fd);
            fd = copy < 0 ? fd : copy;
            if (copy >= 0 && nguarded < REPORT_GUARD_MAX)
                guarded[nguarded++] = copy;
            if (!strncmp(base, "libasan.so", 10))
                asan_lib = lib;
        }
        hand_over(lib, fd);
        handed = 1;
    }
    return 0;
}

__attribute__((constructor(101))) static void kata_report_fd(void)
{
    const char *s = getenv("KATA_REPORT_FD");
    if (!s || !*s)
        return;
    long fd = strtol(s, NULL, 10);
    int any = 0;
    guarded[nguarded++] = (int)fd;
    spare = dup((int)fd);
    if (spare >= 0)
        guarded[nguarded++] = spare;
    dl_iterate_phdr(each_runtime, &fd);
    any = handed;
    if (!any)
        hand_over(RTLD_DEFAULT, fd);
    report_guard(guarded, nguarded);
    /* not the learner's to read */
    unsetenv("KATA_REPORT_FD");
    unsetenv("KATA_REPORT_GUARD");
}

/* UBSan calls this at each report it makes, after it started (it is a weak hook of libubsan's
 * that this definition replaces): by then libasan has closed its copy of the channel and gone
 * back to stderr, so it gets a new copy, once. Should a runtime not call it, libasan's later
 * reports go to stderr, and its exit code still tells the harness (stages/asan.c). */
void __ubsan_on_report(void);
void __ubsan_on_report(void)
{
    static int again;
    if (again || !asan_lib || spare < 0)
        return;
    again = 1;
    int copy = dup(spare);
    if (copy >= 0) {
        hand_over(asan_lib, copy);
        report_guard(&copy, 1);
    }
}
