/* test.c: the test stage: the kata's Criterion tests, one child per test. */
#include "stages/stage.h"

#include "compile.h"
#include "stages/source.h"
#include "hang/describe.h"
#include "hang/snapshot.h"
#include "util.h"
#include "parsers/xml.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TESTS 128

static char *build_tests(struct run *r, char **diag)
{
    /* the learner's object of the timed build (gcc -O2 -g), one unit, only the kata's names
     * global (stages/source.h) */
    char *obj = source_object(r, DRIVER_PERF, r->src, NULL, diag, NULL);
    if (!obj)
        return NULL;
    free(*diag);
    *diag = NULL;
    int isolate = !defence_disabled(r, "isolation");
    char *header = xasprintf("%s/%s.h", r->kata->dir, r->kata->name);
    /* the headers the compile reads, so that the cache key changes with them */
    const char *inputs[] = {header, "tests/support/kata_test.h", "tests/support/kata_isolate.c",
                            r->kata->server ? "harness/server/latency_body.h" : NULL, NULL};
    /* the records' key is checked but for the defences' proof (tests/support/kata_isolate.c) */
    const char *flags[] = {"-std=c11",
                           "-O2",
                           "-g",
                           "-w",
                           r->include_flag,
                           "-Itests/support",
                           "-Iharness/server",
                           defence_disabled(r, "key") ? "-DKATA_ISOLATE_NO_KEY" : NULL,
                           NULL};
    /* katas that talk to the latency server check bodies with its checksum */
    /* kata_isolate.c runs each test body in a child and keeps Criterion to the parent */
    /* harness/runtime/c11_threads.c: C11 <threads.h> calls as the pthread calls counted */
    const char *sources[] = {r->kata->tests,
                             "tests/support/kata_test.c",
                             obj,
                             "harness/runtime/c11_threads.c",
                             r->kata->server ? "harness/server/latency_body.c" : NULL,
                             NULL,
                             NULL};
    sources[r->kata->server ? 5 : 4] = isolate ? "tests/support/kata_isolate.c" : NULL;
    const char *libs[MAX_ARGS + 10];
    size_t m = 0;
    /* the tests count the threads and processes the learner's code starts */
    libs[m++] = "-Wl,--wrap=pthread_create";
    /* and hold the threads started on an error path until the code waits for them */
    libs[m++] = "-Wl,--wrap=pthread_join,--wrap=pthread_cond_wait,--wrap=pthread_cond_timedwait,"
                "--wrap=sem_wait,--wrap=sem_timedwait,--wrap=pthread_barrier_wait";
    libs[m++] = "-Wl,--wrap=fork";
    libs[m++] = "-Wl,--wrap=_exit"; /* a forked child lingers after closing its pipes */
    libs[m++] = c11_thread_wraps;
    libs[m++] = "-lcriterion";
    for (int i = 0; i < r->kata->nlibs; i++)
        libs[m++] = r->kata->libs[i];
    libs[m++] = "-lpthread";
    libs[m] = NULL;
    struct compile_job job = {.cc = "gcc",
                              .flags = flags,
                              .sources = sources,
                              .link_flags = libs,
                              .inputs = inputs,
                              .label = "tests",
                              .cache_dir = r->cache};
    char *bin = compile(&job, diag, NULL);
    free(header);
    free(obj);
    return bin;
}

/* `tests --list` prints "suite: N tests" and then "├── name" lines. */
static int list_tests(struct run *r, const char *bin, char **names, int max)
{
    char *out = work_path(r, "test-list.txt");
    const char *argv[] = {bin, "--list", NULL};
    struct child c = {.argv = argv,
                      .stdout_path = out,
                      .stderr_path = out,
                      .timeout = 10,
                      .limits = learner_limits(10, 0)};
    if (child_run(&c) || !c.exited || c.exit_code) {
        free(out);
        return -1;
    }
    char *text = read_file(out, 1 << 20, NULL);
    free(out);
    if (!text)
        return -1;
    int n = 0;
    char suite[128] = "";
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save)) {
        char *colon = strstr(l, ": ");
        if (colon && strstr(l, " test")) {
            snprintf(suite, sizeof suite, "%.*s", (int)(colon - l), l);
            continue;
        }
        /* the tree drawing is UTF-8; the name follows the last space */
        char *sp = strrchr(l, ' ');
        if (sp && suite[0] && (strstr(l, "──") || strstr(l, "--")))
            names[n++] = xasprintf("%s/%s", suite, sp + 1);
    }
    free(text);
    return n;
}

/* A Criterion failure text is "file:line: message": split off the place. */
static void add_failure(struct stage_result *out, const char *test, const char *kind,
                        const char *msg, struct strbuf *details)
{
    struct finding *f = findings_add(&out->findings);
    f->kind = xstrdup(kind);
    f->naccess = 1;
    f->access[0].function = xstrdup(test);
    char *m = xstrdup(msg ? msg : "");
    rtrim(m);
    char *c1 = strchr(m, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *text = m;
    if (c1 == m && c2 && c1[1] >= '0' && c1[1] <= '9') {
        /* ":0: message": the judging parent's own words, about no line of the tests */
        text = c2 + 1;
        while (*text == ' ')
            text++;
    } else if (c1 && c2 && c1[1] >= '0' && c1[1] <= '9') {
        *c1 = '\0';
        f->access[0].file = xstrdup(m);
        f->access[0].line = atoi(c1 + 1);
        text = c2 + 1;
        while (*text == ' ')
            text++;
    }
    f->headline = xstrdup(text);
    if (f->access[0].file)
        sb_addf(details, "%s: %s (%s:%d)\n", test, text, f->access[0].file, f->access[0].line);
    else
        sb_addf(details, "%s: %s\n", test, text);
    free(m);
}

/* The first crash of a stage's tests, in words: a crash that repeats it in another test is
 * said once, then named ("crashed the same way as ..."). */
struct first_crash {
    char *test;  /* or NULL: no test crashed yet */
    char *words; /* "the signal was SIGABRT (...)", or NULL when the log did not say */
};

/* Are two crashes alike: the same signal at the same place? What the C library said may
 * differ ("free(): double free detected in tcache 2", then "double free or corruption
 * (fasttop)" once that cache is full). */
static int same_words(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    const char *said = "; the C library said: ";
    size_t na = strstr(a, said) ? (size_t)(strstr(a, said) - a) : strlen(a);
    size_t nb = strstr(b, said) ? (size_t)(strstr(b, said) - b) : strlen(b);
    return na == nb && !strncmp(a, b, na);
}

/* Reads the one testcase of a filtered run's XML. Returns 1 passed, 0 failed, -1 unreadable.
 * crash: how a crashed test died, from the log (crash_from_log), or NULL; first: the stage's
 * first crash, set here when this is it. */
static int judge_xml(const char *xml_path, const char *test, const char *crash, int skip_passes,
                     struct first_crash *first, struct stage_result *out, struct strbuf *details)
{
    char *text = read_file(xml_path, 4 << 20, NULL);
    if (!text)
        return -1;
    struct xml_node *root = xml_parse(text, NULL);
    free(text);
    /* a filtered run lists every test, the others as SKIPPED: find ours by name */
    const char *want = strchr(test, '/') ? strchr(test, '/') + 1 : test;
    struct xml_node *suite = xml_child(root, "testsuite");
    struct xml_node *tc = NULL;
    for (int i = 0; suite && i < suite->nkids && !tc; i++) {
        const char *name = xml_attr(suite->kids[i], "name");
        if (!strcmp(suite->kids[i]->name, "testcase") && name && !strcmp(name, want))
            tc = suite->kids[i];
    }
    if (!tc) {
        xml_free(root);
        return -1;
    }
    const char *status = xml_attr(tc, "status");
    const char *asserts = xml_attr(tc, "assertions");
    int verdict = 1;
    if (status && !strcmp(status, "PASSED")) {
        if (asserts && atoi(asserts) == 0) {
            add_failure(out, test, "test ended early",
                        "the test ended before checking anything: "
                        "did the code under test call exit()?",
                        details);
            verdict = 0;
        }
    } else if (status && !strcmp(status, "SKIPPED") && skip_passes) {
        verdict = 1; /* the old reading, for the defence's proof only */
    } else if (status && !strcmp(status, "SKIPPED")) {
        /* the harness filtered this one test in: only code of the run can have skipped it */
        add_failure(out, test, "error",
                    "the test was reported skipped, and only the harness "
                    "chooses which tests run: a skip is a failure",
                    details);
        verdict = 0;
    } else {
        verdict = 0;
        struct xml_node *fail = xml_child(tc, "failure");
        struct xml_node *err = xml_child(tc, "error");
        if (fail) {
            /* one line per failed assertion */
            char *copy = xstrdup(fail->text);
            char *save = NULL;
            int any = 0;
            for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (!*rtrim(l))
                    continue;
                add_failure(out, test, "assertion", l, details);
                any = 1;
            }
            if (!any)
                add_failure(out, test, "assertion", xml_attr(fail, "message"), details);
            free(copy);
        } else if (err) {
            const char *type = xml_attr(err, "type");
            if (type && !strcmp(type, "crash") && first->test && same_words(first->words, crash)) {
                /* one crash in every test says no more the tenth time than the first */
                const char *slash = strchr(first->test, '/');
                char *msg =
                    xasprintf("crashed the same way as %s", slash ? slash + 1 : first->test);
                add_failure(out, test, "crash", msg, details);
                free(msg);
            } else if (type && !strcmp(type, "crash")) {
                add_failure(out, test, "crash",
                            "crashed: a signal (a bad pointer, abort(), or a failed assert) "
                            "stopped the test",
                            details);
                if (crash)
                    add_failure(out, test, "crash", crash, details);
                if (!first->test) {
                    first->test = xstrdup(test);
                    first->words = crash ? xstrdup(crash) : NULL;
                }
            } else
                add_failure(out, test, "error", xml_attr(err, "message"), details);
        } else {
            add_failure(out, test, "error", "failed", details);
        }
    }
    xml_free(root);
    return verdict;
}

/* Criterion's runner listens on /tmp/criterion_<its pid>.sock and removes it only when it
 * exits normally: a runner killed at a deadline (or by the learner's code) leaves it behind.
 * Under a root harness every grading runs as a user of its own, so a later runner that draws
 * the same pid cannot replace that user's socket (/tmp is sticky) and aborts ("Could not
 * initialize the message server: Address already in use"), failing a correct solution by
 * luck. Learner children get a /tmp of their own (spawn.h, private_tmp); where they cannot
 * (the repository is under /tmp), each runner's socket goes when the runner does. */
static void forget_runner_socket(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/criterion_%d.sock", (int)pid);
    unlink(path);
}

/* The last bytes of a file (a flood of output puts what matters at its end). */
static char *read_tail(const char *path, size_t max)
{
    /* the log lies in the learner's work folder: no link followed, no FIFO opened (util.h) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return NULL;
    off_t from = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
    char *buf = xcalloc(max + 1, 1);
    ssize_t n = pread(fd, buf, max, from);
    close(fd);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    return buf;
}

/* The signal of the last line of `text` that starts with `mark`, or 0. */
static int last_signal(const char *text, const char *mark)
{
    const char *at = NULL;
    for (const char *p = text; p && (p = strstr(p, mark)); p++)
        at = p;
    return at ? atoi(at + strlen(mark)) : 0;
}

/* "SIGSEGV (segmentation fault: a bad pointer)": a new string. */
static char *signal_words(int sig)
{
    struct child dead = {.signaled = 1, .signo = sig};
    char *d = child_describe(&dead);
    char *words = xstrdup(d + strlen("killed by "));
    free(d);
    return words;
}

/* The C library's last words before an abort, from a log: the line its malloc checks
 * ("free(): double free detected in tcache 2", "double free or corruption (out)",
 * "corrupted size vs. prev_size"), assert ("prog: file.c:12: fn: Assertion `x' failed."),
 * the stack protector or fortify ("*** stack smashing detected ***: terminated") print to
 * stderr before abort(). A new string without the program's path, or NULL. */
static char *libc_last_words(const char *text)
{
    char *found = NULL;
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t len = strcspn(l, "\n");
        char *line = xstrndup(l, len);
        const char *open = strstr(line, "(): ");
        const char *said = NULL;
        if (strstr(line, "Assertion `") && strstr(line, "' failed.")) {
            /* "/path/test_bin: file.c:12: fn: Assertion ...": the file on */
            const char *colon = strstr(line, ": ");
            said = colon && colon < strstr(line, "Assertion `") ? colon + 2 : line;
        } else if (starts_with(line, "*** ") || starts_with(line, "double free or corruption") ||
                   starts_with(line, "corrupted ") || starts_with(line, "Fatal glibc error: ") ||
                   (open && open == line + strspn(line, "abcdefghijklmnopqrstuvwxyz_"))) {
            said = line;
        }
        if (said) {
            free(found);
            found = xstrdup(said);
            if (strlen(found) > 200)
                found[200] = '\0';
        }
        free(line);
    }
    return found;
}

/* The learner's line where the test's process crashed: the frames its signal handler wrote
 * ("kata-test: stack:", then "binary(+0xoffset)[address]" lines, tests/support/kata_test.c)
 * that lie in the test binary `bin`, read back to file:line with addr2line, and the first of
 * them in the learner's file. Returns "your_file.c:52 (in race_counter_run())", or NULL. The
 * binary holds the learner's code, so addr2line runs in the sandbox, as nm does. */
static char *crash_line(struct run *r, const char *tail, const char *bin)
{
    const char *mark = "kata-test: stack:\n", *at = NULL;
    for (const char *p = tail; p && (p = strstr(p, mark)); p++)
        at = p;
    if (!at)
        return NULL;
    const char *end = strstr(at, "kata-test: end of stack");
    const char *argv[64];
    char *addrs[48];
    int n = 0, nargs = 0;
    argv[nargs++] = "addr2line";
    argv[nargs++] = "-f";
    argv[nargs++] = "-e";
    argv[nargs++] = bin;
    for (const char *l = at + strlen(mark); l && *l && (!end || l < end) && n < 48;
         l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t len = strcspn(l, "\n");
        char *line = xstrndup(l, len);
        char *open = strchr(line, '(');
        if (open && starts_with(open, "(+0x")) {
            *open = '\0';
            unsigned long off = strtoul(open + 2, NULL, 16);
            /* the main program is named as it was started (Criterion's worker restarts the
             * binary as "boxfort-worker"), its libraries by their paths; a return address:
             * the call is the byte before it */
            if (off > 0 && (!strcmp(base_name(line), base_name(bin)) || !strchr(line, '/'))) {
                addrs[n] = xasprintf("0x%lx", off - 1);
                argv[nargs++] = addrs[n++];
            }
        }
        free(line);
    }
    argv[nargs] = NULL;
    char *found = NULL;
    char *out = work_path(r, "test-crash-lines.txt");
    struct child c = {.argv = argv,
                      .stdout_path = out,
                      .timeout = 10,
                      .limits = {.cpu_seconds = 10,
                                 .memory_mb = 1024,
                                 .file_mb = 16,
                                 .open_files = 64,
                                 .processes = 8,
                                 .unprivileged = 1}};
    char *text = n && child_run(&c) == 0 && c.exited ? read_file(out, 1 << 20, NULL) : NULL;
    /* two lines an address: the function, then file:line (maybe " (discriminator 2)") */
    char *save = NULL;
    char *fn = text ? strtok_r(text, "\n", &save) : NULL;
    for (char *where = fn ? strtok_r(NULL, "\n", &save) : NULL; where && !found;
         fn = strtok_r(NULL, "\n", &save), where = fn ? strtok_r(NULL, "\n", &save) : NULL) {
        char *colon = strrchr(where, ':');
        if (!colon)
            continue;
        *colon = '\0';
        int line = atoi(colon + 1);
        if (line > 0 && same_source(NULL, where, r->src_real))
            found = xasprintf("%s:%d (in %s())", r->src, line, fn);
    }
    free(text);
    unlink(out);
    free(out);
    for (int i = 0; i < n; i++)
        free(addrs[i]);
    return found;
}

/* Criterion reports a crashed test as "CRASH!" only; the tests' support code names the
 * signal in the log first: the judging parent from waitpid ("kata-test: the test's process
 * was killed by signal N", tests/support/kata_isolate.c), the test's own handler ("kata-test:
 * killed by signal N", tests/support/kata_test.c), and a process the code under test forked
 * as itself ("... a process forked by the code under test was killed by signal N").
 * Returns "the signal was SIGSEGV (segmentation fault: a bad pointer)", or NULL; *forked gets
 * "a process your code forked was killed by SIGSEGV (...)", or NULL. An abort adds what the
 * C library said before it (libc_last_words), and the learner's line where the test's process
 * was when it crashed (crash_line, from the test binary `bin`). The learner's code writes to
 * the same log, so these words explain a crash and never decide one. */
static char *crash_from_log(struct run *r, const char *log, const char *bin, char **forked)
{
    char *tail = read_tail(log, 16384); /* the stack's 48 frames too */
    int sig = tail ? last_signal(tail, "kata-test: the test's process was killed by signal ") : 0;
    if (!sig && tail)
        sig = last_signal(tail, "kata-test: killed by signal ");
    int worker = tail ? last_signal(tail, "kata-test: a process forked by the code under test was "
                                          "killed by signal ")
                      : 0;
    char *libc = (sig == SIGABRT || worker == SIGABRT) && tail ? libc_last_words(tail) : NULL;
    char *how = NULL;
    if (sig > 0) {
        char *w = signal_words(sig);
        char *place = crash_line(r, tail, bin);
        char *in = place ? xasprintf(", in your code at %s", place) : xstrdup("");
        if (sig == SIGABRT && libc)
            how = xasprintf("the signal was %s%s; the C library said: \"%s\"", w, in, libc);
        else
            how = xasprintf("the signal was %s%s", w, in);
        free(in);
        free(place);
        free(w);
    }
    *forked = NULL;
    if (worker > 0) {
        char *w = signal_words(worker);
        if (worker == SIGABRT && libc)
            *forked = xasprintf("a process your code forked was killed by %s; the C library "
                                "said: \"%s\"",
                                w, libc);
        else
            *forked = xasprintf("a process your code forked was killed by %s", w);
        free(w);
    }
    free(libc);
    free(tail);
    return how;
}

/* Criterion's runner aborts with "criterion: <why>" on its stderr (cr_panic: the message server
 * cannot start, a test instance cannot be spawned, ...). Returns that reason from the log, for
 * the verdict of a runner that died of SIGABRT, or NULL. Said for what it is: the learner's
 * code writes to the same log, so it explains and never decides. */
static char *runner_panic(const char *log)
{
    char *tail = read_tail(log, 4096);
    const char *mark = "criterion: ", *at = NULL;
    for (const char *p = tail; p && (p = strstr(p, mark)); p++)
        at = p;
    char *why = at ? xstrndup(at + strlen(mark), strcspn(at + strlen(mark), "\n")) : NULL;
    free(tail);
    if (why && strlen(why) > 200)
        why[200] = '\0';
    return why;
}

/* Did the test program run out of memory? Its peak resident memory (the worker's too: the
 * runner waited for it) came near the limit. */
static int out_of_memory(const struct child *c)
{
    return c->limits.memory_mb > 0 && c->max_rss_kb >= c->limits.memory_mb * 1024 / 10 * 8;
}

static void describe_hang(struct run *r, const char *test, const char *stacks,
                          const struct child *c, struct stage_result *out, struct strbuf *details)
{
    sb_addf(details, "%s: did not finish within %.0f s; where each thread was:\n", test,
            r->kata->test_timeout);
    out->spinning += stacks_describe(stacks, r->src_real, r->verbose, details, &out->findings);
    /* what else it was doing when it was stopped: a fork storm, a memory hog */
    if (c->deadline_procs > 16)
        sb_addf(details,
                "  %d processes of it were running when it was stopped (the limit is "
                "%ld): does something fork in a loop?\n",
                c->deadline_procs, c->limits.processes);
    if (c->deadline_rss_kb >= 256 * 1024)
        sb_addf(details,
                "  one of its processes held %ld MB of memory when it was stopped "
                "(the limit is %ld MB): does something allocate in a loop?\n",
                c->deadline_rss_kb / 1024, c->limits.memory_mb);
}

/* The tests speak of the POSIX calls (pthread_create ran N times, pthread_create failed, join
 * the threads). A learner who wrote C11 <threads.h> (which the test build maps onto them)
 * reads the calls of its own file instead. Only words change: the check is the same. */
static void reword_c11(char **text)
{
    static const char *const words[][2] = {{"pthread_create", "thrd_create"},
                                           {"pthread_join", "thrd_join"},
                                           {"pthread_exit", "thrd_exit"},
                                           {"pthread_detach", "thrd_detach"}};
    for (size_t w = 0; *text && w < sizeof words / sizeof words[0]; w++) {
        char *changed = replace_word(*text, words[w][0], words[w][1]);
        free(*text);
        *text = changed;
    }
}

static void in_c11_words(const struct run *r, struct stage_result *out)
{
    char *src = read_file(r->src, 4 << 20, NULL);
    char *code = src ? c_code_only(src) : NULL;
    int c11 = has_word(code, "thrd_create") && !has_word(code, "pthread_create");
    free(code);
    free(src);
    if (!c11)
        return;
    reword_c11(&out->details);
    for (size_t i = 0; i < out->findings.n; i++)
        reword_c11(&out->findings.v[i].headline);
    for (int i = 0; i < out->ntests; i++)
        reword_c11(&out->tests[i].message);
}

int stage_test(struct run *r, struct stage_result *out)
{
    char *diag = NULL;
    char *bin = build_tests(r, &diag);
    if (!bin) {
        stage_say(out, ST_ERROR, "the tests do not build against your file");
        out->details = diag;
        return 0;
    }
    free(diag);
    char *names[MAX_TESTS];
    int n = list_tests(r, bin, names, MAX_TESTS);
    if (n <= 0) {
        stage_say(out, ST_FAIL, "the test program did not start (it crashed before any test)");
        free(bin);
        return 0;
    }
    struct strbuf details = STRBUF_INIT;
    struct strbuf raw = STRBUF_INIT;
    int failed = 0;
    struct first_crash first = {0};
    out->tests = xcalloc((size_t)n, sizeof *out->tests);
    for (int i = 0; i < n; i++) {
        /* what this test adds to details and findings is its entry in the JSON's tests[] */
        size_t details_from = details.len, findings_from = out->findings.n;
        char *filter = xasprintf("--filter=%s", names[i]);
        char *xml = work_path(r, "test.xml");
        char *xml_flag = xasprintf("--xml=%s", xml);
        char *log = work_path(r, "test.log");
        char *printed = work_path(r, "test-stdout.txt"); /* the learner's printf, apart from
                                                             Criterion's messages (stderr) */
        char *stacks = work_path(r, "test-stacks.txt");
        const char *argv[] = {bin, filter, "--jobs=1", xml_flag, NULL};
        const char *env[] = {seed_env(r), server_env(r), NULL};
        struct child c = {.argv = argv,
                          .env = env,
                          .stdout_path = printed,
                          .stderr_path = log,
                          .stacks_path = stacks,
                          .on_deadline = &hang_snapshot,
                          .timeout = r->kata->test_timeout,
                          .limits = learner_limits(r->kata->test_timeout, 0)};
        unlink(xml);
        int ok;
        int rc = child_run(&c);
        if (c.pid > 0)
            forget_runner_socket(c.pid);
        if (rc) {
            ok = 0;
            add_failure(out, names[i], "error", "the test program could not be started", &details);
        } else if (c.timed_out) {
            ok = 0;
            out->hung = 1;
            describe_hang(r, names[i], stacks, &c, out, &details);
        } else if (c.signaled) {
            /* The runner itself was killed: its report, if there is one, cannot be trusted
             * (code of the learner's could have written it). */
            ok = 0;
            char *how = child_describe(&c);
            char *panic = c.signo == SIGABRT ? runner_panic(log) : NULL;
            /* "was killed by SIGABRT (...)": the runner died of a signal */
            char *msg = panic ? xasprintf("the test program was %s before it reported "
                                          "(Criterion: \"%s\")",
                                          how, panic)
                              : xasprintf("the test program was %s before it reported", how);
            add_failure(out, names[i], "crash", msg, &details);
            free(msg);
            free(panic);
            free(how);
        } else {
            char *forked = NULL;
            char *crash = crash_from_log(r, log, bin, &forked);
            ok =
                judge_xml(xml, names[i], crash, defence_disabled(r, "skip"), &first, out, &details);
            if (ok == 0 && forked)
                sb_addf(&details, "%s: %s\n", names[i], forked);
            free(crash);
            free(forked);
            if (ok < 0) {
                char *how = child_describe(&c);
                char *msg = xasprintf("the test program %s before it reported", how);
                add_failure(out, names[i], "crash", msg, &details);
                free(msg);
                free(how);
                ok = 0;
            } else if (ok > 0 && c.exit_code != 0) {
                /* Criterion exits 0 only when the test passed: a report that says otherwise
                 * was not written by it */
                char *msg = xasprintf("the test program exited with %d, yet its report says the "
                                      "test passed",
                                      c.exit_code);
                add_failure(out, names[i], "error", msg, &details);
                free(msg);
                ok = 0;
            }
        }
        if (!c.timed_out && !ok && out_of_memory(&c)) {
            char *msg = xasprintf("it ran out of memory: %ld MB at its peak, the limit is %ld MB",
                                  c.max_rss_kb / 1024, c.limits.memory_mb);
            add_failure(out, names[i], "crash", msg, &details);
            free(msg);
            out->exhausted = 1;
        }
        if (c.left_running) {
            char *msg = xasprintf("left %d process%s still running after the test ended (the "
                                  "harness killed %s): wait for every child you start, and "
                                  "do not let one escape with setsid()",
                                  c.left_running, c.left_running == 1 ? "" : "es",
                                  c.left_running == 1 ? "it" : "them");
            add_failure(out, names[i], "error", msg, &details);
            free(msg);
            ok = 0;
        }
        struct test_case *t = &out->tests[out->ntests++];
        t->name = xstrdup(names[i]);
        t->status = ok ? ST_PASS : ST_FAIL;
        t->seconds = c.wall_seconds;
        for (size_t k = findings_from; k < out->findings.n; k++)
            if (strcmp(out->findings.v[k].kind, "assertion"))
                t->status = ST_ERROR; /* it crashed, hung or misbehaved: no assertion decided */
        if (details.len > details_from)
            t->message = xstrndup(details.buf + details_from, details.len - details_from);
        t->output = read_file(printed, 4096, NULL);
        if (t->output && !t->output[0]) {
            free(t->output);
            t->output = NULL;
        }
        if (!ok) {
            failed++;
            char *text = read_file(log, 16 << 10, NULL);
            if (text)
                sb_addf(&raw, "--- %s ---\n%s", names[i], text);
            free(text);
            if (t->output)
                sb_addf(&raw, "--- %s: its standard output ---\n%s", names[i], t->output);
        }
        free(filter);
        free(xml);
        free(xml_flag);
        free(log);
        free(printed);
        free(stacks);
        if ((out->hung || out->exhausted) && i + 1 < n) {
            /* one hang (or one memory hog) says enough; waiting out every deadline would
             * only slow the verdict */
            sb_addf(&details, "(%d more test%s not run after the %s)\n", n - i - 1,
                    n - i - 1 == 1 ? "" : "s", out->hung ? "hang" : "memory ran out");
            for (int j = i + 1; j < n; j++)
                out->tests[out->ntests++] =
                    (struct test_case){.name = xstrdup(names[j]), .status = ST_SKIP};
            break;
        }
    }
    if (out->hung && out->spinning)
        stage_say(out, ST_FAIL,
                  "a test did not finish within %.0f s: a thread of yours was "
                  "still running, not blocked: a loop that never ends, or a livelock (where "
                  "each thread was is below)",
                  r->kata->test_timeout);
    else if (out->hung)
        stage_say(out, ST_FAIL,
                  "a test did not finish within %.0f s: a deadlock or a lost "
                  "wakeup (where each thread waited is below)",
                  r->kata->test_timeout);
    else if (out->exhausted)
        stage_say(out, ST_FAIL, "a test ran out of memory (below)");
    else if (failed)
        stage_say(out, ST_FAIL, "%d of %d %s failed", failed, n, plural(n, "test", "tests"));
    else if (n == 1)
        stage_say(out, ST_PASS, "its one test passed");
    else
        stage_say(out, ST_PASS, "all %d tests passed", n);
    out->details = details.len ? sb_detach(&details) : NULL;
    in_c11_words(r, out);
    out->raw = raw.len ? sb_detach(&raw) : NULL;
    sb_release(&details);
    sb_release(&raw);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(first.test);
    free(first.words);
    free(bin);
    return 0;
}
