/* cli.c: the `kata` command: a table of subcommands, getopt_long for their options. */
#include "cli.h"

#include "checksums.h"
#include "digest.h"
#include "expect.h"
#include "grade.h"
#include "grade_all.h"
#include "kata.h"
#include "progress.h"
#include "reports/report.h"
#include "sandbox.h"
#include "selftest.h"
#include "stages/perf.h"
#include "stages/python.h"
#include "util.h"
#include "watch.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: kata run [NAME] [--src FILE] [--format text|json] [--stage STAGE] [--seed N]\n"
    "                       [--curve | --python | --no-python]\n"
    "       kata list [--names]\n"
    "       kata hint [NAME]\n"
    "       kata watch [NAME] [--poll]\n"
    "       kata selftest [NAME] [--runs N] [--jobs N]\n"
    "       kata grade [--katas \"A B\"] [--out DIR] [--seed N] [--checksums FILE] [--no-verify]\n"
    "                  [--passed DIR]\n"
    "       kata scoreboard [--out DIR] SUMMARY_OR_DIR...\n"
    "       kata checksums [--write]\n"
    "       kata name NAME\n"
    "       kata progress [--forget] NAME\n"
    "       kata expect [--exit-code N] [--line EXPECTATION]... VERDICT.json [FILE]\n"
    "       kata expect --text VERDICT.txt --line EXPECTATION...\n"
    "       kata expect --print KEY FILE\n"
    "\n"
    "  run       grade a learner's file (default katas/NAME/NAME.c) stage by stage;\n"
    "            --curve: time it at 1, 2, 4, 8 threads beside the reference instead;\n"
    "            --python: time it, the reference and the kata's Python program in turn\n"
    "            instead; --no-python: no Python line in the perf stage (there is one\n"
    "            when python3 is on the PATH and the kata has a Python program)\n"
    "  list      every kata in curriculum order, with its state from the last grading\n"
    "            (--names: only the names, one a line)\n"
    "  hint      the next hint for a kata\n"
    "  watch     grade again on every save; a pass moves on to the next kata\n"
    "  selftest  prove the graders: references pass, starters and mutants are rejected;\n"
    "            --jobs N: N katas at a time (default 2 on 2 cores or more), every\n"
    "            grading with a perf stage alone\n"
    "  grade     grade every kata (or the listed ones) for a class: a scoreboard, and\n"
    "            DIR/<kata>.json, summary.json, junit.xml (DIR: build/reports);\n"
    "            --passed DIR: keep each pass there, and do not grade again a file that\n"
    "            passed before against the same checksum list\n"
    "  scoreboard\n"
    "            merge the summary.json files of separate grading jobs (one per kata)\n"
    "  checksums\n"
    "            check the protected files against scripts/checksums.txt, or (--write)\n"
    "            record them, and the starters in scripts/starters.txt (upstream only)\n"
    "  name      the kata NAME means, as every command takes it (for scripts)\n"
    "  progress  a kata's state from its last full grading (exit 0 when it passed);\n"
    "            --forget: forget it (make reset does)\n"
    "  expect    check a verdict (`kata run --format json`) against the expect: lines of\n"
    "            FILE's header and each --line (tests/EXPECTATIONS.md): prints why each\n"
    "            one that does not hold fails, exit 1; --exit-code: the harness's exit\n"
    "            code, held to the whole verdict's status=; --text: the verdict as\n"
    "            `kata run` prints it, which excerpt= lines are held to; --print: the\n"
    "            values of FILE's header lines KEY (for scripts)\n"
    "\n"
    "NAME is a kata's name, or its number in `kata list` (2 or 02); a name written another\n"
    "way (race-counter, RaceCounter) is taken too, and a typo gets a suggestion. Without a\n"
    "NAME, run and hint take the kata whose folder they are started in, else (and watch\n"
    "too) the current kata: the first one not passed yet.\n"
    "\n"
    "exit codes: 0 passed, 1 the kata failed, 2 usage error, 3 the harness failed\n"
    "            (grade: 0 also when nothing was attempted, 3 when protected files changed)\n"
    "environment: SEED=N replays a run's test sizes; V=1 shows each tool's own output;\n"
    "             NO_COLOR turns colour off; KATA_ROOT=DIR names the repository;\n"
    "             GITHUB_ACTIONS=true adds annotations and appends the scoreboard to\n"
    "             $GITHUB_STEP_SUMMARY (grade, scoreboard)\n";

/* A subcommand: its name, its usage line and what runs it. Those that run learner code (run,
 * selftest, grade) call sandbox_network() themselves, once their options are known to be
 * good. */
struct command {
    const char *name;
    const char *synopsis;
    int (*fn)(int argc, char **argv);
};

static const struct command *current; /* the subcommand running, for its usage line */

/* Prints "kata: <reason>" and the usage (the running subcommand's alone, when there is one)
 * on stderr. Returns EXIT_USAGE. */
static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputs("kata: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputs("\n", stderr);
        va_end(ap);
    }
    if (current)
        fprintf(stderr, "usage: %s\n       (`kata help` explains every command and option)\n",
                current->synopsis);
    else
        fputs(usage_text, stderr);
    return EXIT_USAGE;
}

/* ---- small parsers ---- */

int parse_seed(const char *s, const char *what, unsigned long *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return error("%s must be a number, e.g. %s=146577 (not '%s')", what, what, s);
    *out = strtoul(s, NULL, 10);
    return 0;
}

static int parse_count(const char *s, const char *what, int *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 4 || strspn(s, "0123456789") != n || atoi(s) < 1)
        return error("%s must be a whole number from 1 to 9999 (not '%s')", what, s);
    *out = atoi(s);
    return 0;
}

/* The seed of a run: --seed, else SEED, else a fresh one. Returns 0 or -1 (error printed). */
static int pick_seed(const char *given, unsigned long *out)
{
    if (given)
        return parse_seed(given, "--seed", out);
    const char *env = getenv("SEED");
    if (env && *env)
        return parse_seed(env, "SEED", out);
    *out = ((unsigned long)time(NULL) ^ (unsigned long)getpid()) % 1000000;
    return 0;
}

static int verbose_env(void)
{
    const char *v = getenv("V");
    return v && *v && strcmp(v, "0");
}

char *wrap_text(const char *text, int width, const char *indent)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    int room = width - (int)strlen(indent);
    if (room < 20)
        room = 20;
    int col = -1; /* -1: no line started */
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            /* a line break of the text's own is kept */
            sb_puts(&sb, col < 0 ? indent : "");
            sb_puts(&sb, "\n");
            col = -1;
            p++;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        int len = (int)strcspn(p, " \n");
        if (col >= 0 && col + 1 + len > room) {
            sb_puts(&sb, "\n");
            col = -1;
        }
        if (col < 0) {
            sb_puts(&sb, indent);
            col = 0;
        } else {
            sb_puts(&sb, " ");
            col++;
        }
        sb_add(&sb, p, (size_t)len);
        col += len;
        p += len;
    }
    if (col >= 0)
        sb_puts(&sb, "\n");
    return sb_detach(&sb);
}

/* The terminal's width: COLUMNS, else the terminal's own, else 80; at most 100. */
static int text_width(void)
{
    int w = 0;
    const char *c = getenv("COLUMNS");
    if (c && *c)
        w = atoi(c);
    struct winsize ws;
    if (w <= 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        w = ws.ws_col;
    if (w <= 0)
        w = 80;
    return w > 100 ? 100 : w < 40 ? 40 : w;
}

/* ---- the repository root ---- */

static char *caller_dir; /* where the command was started, when it is not the root */

static int is_root(const char *dir)
{
    struct stat st;
    char *katas = xasprintf("%s/katas", dir), *mk = xasprintf("%s/Makefile", dir);
    int yes = stat(katas, &st) == 0 && S_ISDIR(st.st_mode) && file_exists(mk);
    free(katas);
    free(mk);
    return yes;
}

/* The nearest folder at or above dir that is a repository root, or NULL. */
static char *root_above(const char *dir)
{
    char *d = xstrdup(dir);
    for (;;) {
        if (is_root(d))
            return d;
        char *slash = strrchr(d, '/');
        if (!slash || slash == d) {
            free(d);
            return NULL;
        }
        *slash = '\0';
    }
}

/* Step 2: chdir to the root. Returns 0, or -1 with an error printed. */
static int enter_root(void)
{
    char *here = getcwd(NULL, 0);
    if (!here)
        return error("cannot tell the current folder: %s", strerror(errno));
    const char *env = getenv("KATA_ROOT");
    char *root = NULL;
    if (env && *env) {
        root = real_path(env);
        if (!is_root(root)) {
            error("KATA_ROOT='%s' has no katas/ folder and Makefile", env);
            free(root);
            free(here);
            return -1;
        }
    } else {
        root = root_above(here);
        if (!root) {
            char *self = real_path("/proc/self/exe");
            char *slash = strrchr(self, '/');
            if (slash)
                *slash = '\0';
            root = root_above(self);
            free(self);
        }
    }
    if (!root) {
        error("cannot find the katas: run this inside the repository (a folder with katas/ "
              "and a Makefile), or set KATA_ROOT");
        free(here);
        return -1;
    }
    int rc = chdir(root) ? error("cannot enter '%s': %s", root, strerror(errno)) : 0;
    char *real_here = real_path(here);
    if (strcmp(real_here, root)) {
        caller_dir = here;
        here = NULL;
    }
    free(real_here);
    free(here);
    free(root);
    return rc;
}

/* A path the user gave, as seen from the root: relative ones were relative to the folder the
 * command was started in. Returns a new string. */
static char *from_caller(const char *path)
{
    if (!caller_dir || path[0] == '/')
        return xstrdup(path);
    return xasprintf("%s/%s", caller_dir, path);
}

/* ---- which kata ---- */

/* The kata whose folder (katas/<name>/, or one below it) the command was started in, as a
 * new string, or NULL. */
static char *caller_kata(void)
{
    if (!caller_dir)
        return NULL;
    char *root = getcwd(NULL, 0);
    char *here = real_path(caller_dir);
    char *name = NULL;
    size_t n = root ? strlen(root) : 0;
    if (root && !strncmp(here, root, n) && starts_with(here + n, "/katas/")) {
        const char *p = here + n + strlen("/katas/");
        size_t len = strcspn(p, "/");
        if (len)
            name = xstrndup(p, len);
    }
    free(root);
    free(here);
    return name;
}

/* The kata a command means: `given` as kata_find takes it; without it, the kata whose folder
 * the command was started in, else the current kata (the first not passed). Returns a new kata, or
 * NULL with the reason printed; *code is then EXIT_USAGE or EXIT_HARNESS. */
static struct kata *which_kata(const char *given, const char *command, int *code)
{
    *code = EXIT_USAGE;
    if (given && *given)
        return kata_find(given);
    char *folder = caller_kata();
    if (folder) {
        struct kata *k = kata_find(folder);
        free(folder);
        return k;
    }
    struct kata **v;
    int n = kata_load_all(&v);
    if (n < 0) {
        *code = EXIT_HARNESS;
        return NULL;
    }
    int i = progress_next(v, n, -1);
    struct kata *k = NULL;
    if (i < 0) {
        error("every kata has passed; name one: `make %s NAME=race_counter` (`make list` "
              "shows them all)",
              command);
    } else {
        fprintf(stderr, "kata: kata %d, %s (the first not passed yet; NAME=x picks another)\n",
                v[i]->order, v[i]->name);
        k = v[i];
        v[i] = NULL;
    }
    kata_free_all(v, n);
    return k;
}

/* A stage of kata k, or a usage error that lists its stages (and the close one). */
static int check_stage(const struct kata *k, const char *stage)
{
    if (kata_has_stage(k, stage))
        return 0;
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    for (int i = 0; i < k->nstages; i++)
        sb_addf(&sb, "%s%s", i ? ", " : "", k->stages[i]);
    const char *close = NULL;
    for (int i = 0; i < k->nstages && !close; i++) {
        /* a typo: one letter dropped, added or changed */
        const char *a = stage, *b = k->stages[i];
        size_t la = strlen(a), lb = strlen(b);
        size_t pre = 0, suf = 0;
        while (pre < la && pre < lb && a[pre] == b[pre])
            pre++;
        while (suf < la - pre && suf < lb - pre && a[la - 1 - suf] == b[lb - 1 - suf])
            suf++;
        if (la - pre - suf <= 1 && lb - pre - suf <= 1)
            close = b;
    }
    if (close)
        error("kata '%s' has no stage '%s'; did you mean %s? Its stages: %s", k->name, stage, close,
              sb.buf);
    else
        error("kata '%s' has no stage '%s'; its stages: %s", k->name, stage, sb.buf);
    sb_release(&sb);
    return -1;
}

/* ---- the subcommands ---- */

/* Parses argv with getopt_long into calls of on_option(c, optarg, ctx), and collects the
 * positional arguments (at most max of them) into pos. Returns the count of positional
 * arguments, or -1 after a usage error (message printed). */
static int parse(int argc, char **argv, const char *shortopts, const struct option *longopts,
                 int (*on_option)(int c, const char *arg, void *ctx), void *ctx, char **pos,
                 int max)
{
    optind = 0; /* glibc: start afresh (the unit tests parse many times in one process) */
    opterr = 0; /* our own message, in our own words */
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            if (c == ':')
                usage("%s needs a value (%s)", bad, argv[0]);
            else
                usage("unknown option '%s' (%s)", bad, argv[0]);
            return -1;
        }
        if (on_option(c, optarg, ctx)) {
            usage(NULL);
            return -1;
        }
    }
    int n = 0;
    for (int i = optind; i < argc; i++) {
        if (n == max) {
            usage("too many arguments: '%s' (%s)", argv[i], argv[0]);
            return -1;
        }
        pos[n++] = argv[i];
    }
    return n;
}

/* kata run */

struct run_opts {
    const char *src, *format, *stage, *seed;
    int curve, python_full, no_python;
};

static int run_option(int c, const char *arg, void *ctx)
{
    struct run_opts *o = ctx;
    switch (c) {
    case 's': o->src = *arg ? arg : NULL; return 0;
    case 'f':
        o->format = arg;
        return strcmp(arg, "text") && strcmp(arg, "json")
                   ? error("--format is text or json (not '%s')", arg)
                   : 0;
    case 't': o->stage = *arg ? arg : NULL; return 0;
    case 'r': o->seed = arg; return 0;
    case 'c': o->curve = 1; return 0;
    case 'p': o->python_full = 1; return 0;
    case 'n': o->no_python = 1; return 0;
    default: return -1;
    }
}

static int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"src", required_argument, NULL, 's'},   {"format", required_argument, NULL, 'f'},
        {"stage", required_argument, NULL, 't'}, {"seed", required_argument, NULL, 'r'},
        {"curve", no_argument, NULL, 'c'},       {"python", no_argument, NULL, 'p'},
        {"no-python", no_argument, NULL, 'n'},   {NULL, 0, NULL, 0},
    };
    struct run_opts o = {.format = "text"};
    char *pos[1];
    int npos = parse(argc, argv, ":", longopts, run_option, &o, pos, 1);
    if (npos < 0)
        return EXIT_USAGE;
    unsigned long seed;
    if (pick_seed(o.seed, &seed))
        return usage(NULL);
    if (enter_root())
        return EXIT_HARNESS;
    int code;
    struct kata *k = which_kata(npos ? pos[0] : NULL, "kata", &code);
    if (!k)
        return code;
    if (o.stage && check_stage(k, o.stage)) {
        kata_free(k);
        return EXIT_USAGE;
    }
    char *src = o.src ? from_caller(o.src) : NULL;
    if (src && !file_exists(src)) {
        error("no file '%s' to grade", o.src);
        free(src);
        kata_free(k);
        return EXIT_USAGE;
    }
    if (!src && !file_exists(k->starter)) {
        error("there is no %s to grade; `make reset NAME=%s` brings back the starter", k->starter,
              k->name);
        kata_free(k);
        return EXIT_USAGE;
    }
    /* Learner code is about to run: from here on, only loopback networking. */
    sandbox_network();
    struct run r = {.kata = k, .src = src ? src : k->starter, .only_stage = o.stage};
    r.verbose = verbose_env();
    r.seed = seed;
    r.python = o.no_python ? PYTHON_OFF : PYTHON_LINE;
    if (o.python_full) {
        int prc = run_prepare(&r) == 0 ? python_compare_print(&r) : -1;
        run_release(&r);
        kata_free(k);
        free(src);
        return prc < 0 ? EXIT_HARNESS : prc;
    }
    if (o.curve) {
        int crc = run_prepare(&r) == 0 && curve_print(&r) == 0 ? EXIT_PASSED : EXIT_HARNESS;
        run_release(&r);
        kata_free(k);
        free(src);
        return crc;
    }
    /* the file as it is now, so that a save during the grading is not taken for it */
    char sha[65];
    int have_sha = !src && sha256_file(k->starter, sha) == 0;
    int rc = grade_run(&r);
    if (!strcmp(o.format, "json")) {
        char *j = report_json(&r);
        puts(j);
        free(j);
    } else {
        report_text(stdout, &r, report_use_colour(stdout), r.verbose);
    }
    if (r.src_real && rc == 0)
        progress_record(&r, have_sha ? sha : NULL);
    int exit_code = rc || r.status == ST_ERROR ? EXIT_HARNESS
                    : r.status == ST_PASS      ? EXIT_PASSED
                                               : EXIT_FAILED;
    run_release(&r);
    kata_free(k);
    free(src);
    return exit_code;
}

/* kata list */

static int names_option(int c, const char *arg, void *ctx)
{
    (void)arg;
    if (c != 'n')
        return -1;
    *(int *)ctx = 1;
    return 0;
}

static int cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {{"names", no_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
    int names_only = 0;
    char *pos[1];
    int npos = parse(argc, argv, ":", longopts, names_option, &names_only, pos, 0);
    if (npos < 0)
        return EXIT_USAGE;
    if (enter_root())
        return EXIT_HARNESS;
    struct kata **v;
    int n = kata_load_all(&v);
    if (n < 0)
        return EXIT_HARNESS;
    if (names_only) {
        for (int i = 0; i < n; i++)
            printf("%s\n", v[i]->name);
        kata_free_all(v, n);
        return EXIT_PASSED;
    }
    char(*words)[64] = xcalloc((size_t)n + 1, sizeof *words);
    int passed = 0, edited = 0, width = 11;
    for (int i = 0; i < n; i++) {
        struct progress p;
        progress_read(v[i], &p);
        progress_words(&p, words[i], sizeof words[i]);
        passed += p.state == PROGRESS_PASSED;
        edited += p.state != PROGRESS_NOT_STARTED && p.edited;
        if ((int)strlen(words[i]) > width)
            width = (int)strlen(words[i]);
    }
    for (int i = 0; i < n; i++)
        printf("  %02d  %-20s %-*s  %s\n", v[i]->order, v[i]->name, width, words[i], v[i]->title);
    int bar = 30, filled = n ? passed * bar / n : 0;
    printf("\n  progress [");
    for (int i = 0; i < bar; i++)
        putchar(i < filled ? '#' : '.');
    printf("] %d of %d %s passed\n", passed, n, plural(n, "kata", "katas"));
    if (edited)
        printf("  \"edited since\": the file changed after its last full grading; `make kata "
               "NAME=x` grades it again\n");
    free(words);
    kata_free_all(v, n);
    return EXIT_PASSED;
}

/* kata hint */

static int no_option(int c, const char *arg, void *ctx)
{
    (void)c;
    (void)arg;
    (void)ctx;
    return -1;
}

static const struct option no_options[] = {{NULL, 0, NULL, 0}};

static int cmd_hint(int argc, char **argv)
{
    char *pos[1];
    int npos = parse(argc, argv, ":", no_options, no_option, NULL, pos, 1);
    if (npos < 0)
        return EXIT_USAGE;
    if (enter_root())
        return EXIT_HARNESS;
    int code;
    struct kata *k = which_kata(npos ? pos[0] : NULL, "hint", &code);
    if (!k)
        return code;
    int again = 0;
    int next = progress_take_hint(k, &again);
    if (next < 0) {
        printf("%s has no hints: its README says what to do (%s/README.md).\n", k->name, k->dir);
    } else {
        if (again)
            printf("That was the last hint for %s (%d of %d); they start again from the "
                   "first.\n\n",
                   k->name, k->nhints, k->nhints);
        printf("Hint %d of %d for %s:\n\n", next + 1, k->nhints, k->name);
        char *text = wrap_text(k->hints[next], text_width(), "  ");
        fputs(text, stdout);
        free(text);
    }
    kata_free(k);
    return EXIT_PASSED;
}

/* kata watch */

static int poll_option(int c, const char *arg, void *ctx)
{
    (void)arg;
    if (c != 'p')
        return -1;
    *(int *)ctx = 1;
    return 0;
}

static int cmd_watch(int argc, char **argv)
{
    static const struct option longopts[] = {{"poll", no_argument, NULL, 'p'}, {NULL, 0, NULL, 0}};
    int force_poll = 0;
    char *pos[1];
    int npos = parse(argc, argv, ":", longopts, poll_option, &force_poll, pos, 1);
    if (npos < 0)
        return EXIT_USAGE;
    if (enter_root())
        return EXIT_HARNESS;
    /* Not confined: watch grades in children (`kata run`), which confine themselves. */
    return watch_main(npos && *pos[0] ? pos[0] : NULL, force_poll);
}

/* kata selftest */

struct selftest_cli {
    int runs, jobs;
};

static int selftest_option(int c, const char *arg, void *ctx)
{
    struct selftest_cli *o = ctx;
    if (c == 'r')
        return parse_count(arg, "--runs", &o->runs);
    if (c == 'j')
        return parse_count(arg, "--jobs", &o->jobs);
    return -1;
}

static int cmd_selftest(int argc, char **argv)
{
    static const struct option longopts[] = {{"runs", required_argument, NULL, 'r'},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {NULL, 0, NULL, 0}};
    /* two katas at a time where there are two cores: most of a self-test is waiting */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct selftest_cli o = {1, cores >= 2 ? 2 : 1};
    char *pos[1];
    int npos = parse(argc, argv, ":", longopts, selftest_option, &o, pos, 1);
    if (npos < 0)
        return EXIT_USAGE;
    if (enter_root())
        return EXIT_HARNESS;
    sandbox_network();
    return selftest(npos && *pos[0] ? pos[0] : NULL, o.runs, o.jobs);
}

/* kata grade */

struct grade_cli {
    struct grade_options o;
    const char *seed;
    char *out, *checksums, *passed;
};

static int grade_option(int c, const char *arg, void *ctx)
{
    struct grade_cli *g = ctx;
    switch (c) {
    case 'k': g->o.katas = arg; return 0;
    case 'o': g->o.out = arg; return 0;
    case 'r': g->seed = arg; return 0;
    case 'c': g->o.checksums = arg; return 0;
    case 'n': g->o.no_verify = 1; return 0;
    case 'p': g->o.passed = arg; return 0;
    default: return -1;
    }
}

static void record_graded(const struct run *r)
{
    progress_record(r, NULL);
}

static int cmd_grade(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"katas", required_argument, NULL, 'k'},
        {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 'r'},
        {"checksums", required_argument, NULL, 'c'},
        {"no-verify", no_argument, NULL, 'n'},
        {"passed", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    struct grade_cli g = {.o = {.graded = record_graded}};
    char *pos[1];
    int npos = parse(argc, argv, ":", longopts, grade_option, &g, pos, 0);
    if (npos < 0)
        return EXIT_USAGE;
    if (pick_seed(g.seed, &g.o.seed))
        return usage(NULL);
    if (enter_root())
        return EXIT_HARNESS;
    g.o.verbose = verbose_env();
    if (g.o.out && *g.o.out)
        g.o.out = g.out = from_caller(g.o.out);
    if (g.o.checksums && *g.o.checksums)
        g.o.checksums = g.checksums = from_caller(g.o.checksums);
    if (g.o.passed && *g.o.passed)
        g.o.passed = g.passed = from_caller(g.o.passed);
    sandbox_network();
    int rc = grade_all(&g.o);
    free(g.out);
    free(g.checksums);
    free(g.passed);
    return rc;
}

/* kata scoreboard */

static int out_option(int c, const char *arg, void *ctx)
{
    if (c != 'o')
        return -1;
    *(const char **)ctx = arg;
    return 0;
}

static int cmd_scoreboard(int argc, char **argv)
{
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                             {NULL, 0, NULL, 0}};
    const char *out = NULL;
    char **pos = xcalloc((size_t)argc + 1, sizeof *pos);
    int npos = parse(argc, argv, ":", longopts, out_option, &out, pos, argc);
    if (npos <= 0) {
        free(pos);
        return npos < 0 ? EXIT_USAGE
                        : usage("scoreboard needs the summaries to merge (files, or folders "
                                "of them)");
    }
    if (enter_root()) {
        free(pos);
        return EXIT_HARNESS;
    }
    char **paths = xcalloc((size_t)npos + 1, sizeof *paths);
    for (int i = 0; i < npos; i++)
        paths[i] = from_caller(pos[i]);
    char *dir = from_caller(out ? out : "build/reports");
    int rc = scoreboard_merge((const char *const *)paths, npos, dir);
    for (int i = 0; i < npos; i++)
        free(paths[i]);
    free(paths);
    free(pos);
    free(dir);
    return rc;
}

/* kata checksums */

static int write_option(int c, const char *arg, void *ctx)
{
    (void)arg;
    if (c != 'w')
        return -1;
    *(int *)ctx = 1;
    return 0;
}

static int cmd_checksums(int argc, char **argv)
{
    static const struct option longopts[] = {{"write", no_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
    int write = 0;
    char *pos[1];
    if (parse(argc, argv, ":", longopts, write_option, &write, pos, 0) < 0)
        return EXIT_USAGE;
    if (enter_root())
        return EXIT_HARNESS;
    if (write) {
        if (checksums_write(CHECKSUMS_LIST, STARTERS_LIST))
            return EXIT_HARNESS;
        printf("wrote %s and %s: commit them with the katas\n", CHECKSUMS_LIST, STARTERS_LIST);
        return EXIT_PASSED;
    }
    struct integrity in;
    int n = checksums_verify(CHECKSUMS_LIST, &in);
    if (n < 0)
        return EXIT_HARNESS;
    for (int i = 0; i < in.n; i++)
        printf("%s: %s\n", in.v[i].path, in.v[i].what);
    if (n)
        printf("%d protected file%s differ%s from %s (after a deliberate change upstream, `make "
               "checksums` records them again)\n",
               n, n == 1 ? "" : "s", n == 1 ? "s" : "", CHECKSUMS_LIST);
    else
        printf("every protected file is as %s records it (sha256 %.12s)\n", CHECKSUMS_LIST,
               in.list_sha256);
    integrity_release(&in);
    return n ? EXIT_FAILED : EXIT_PASSED;
}

/* kata name */

static int cmd_name(int argc, char **argv)
{
    char *pos[1];
    int npos = parse(argc, argv, ":", no_options, no_option, NULL, pos, 1);
    if (npos < 0)
        return EXIT_USAGE;
    if (npos == 0)
        return usage("name needs a kata name or number");
    if (enter_root())
        return EXIT_HARNESS;
    struct kata *k = kata_find(pos[0]);
    if (!k)
        return EXIT_USAGE;
    printf("%s\n", k->name);
    kata_free(k);
    return EXIT_PASSED;
}

/* kata progress */

static int forget_option(int c, const char *arg, void *ctx)
{
    (void)arg;
    if (c != 'f')
        return -1;
    *(int *)ctx = 1;
    return 0;
}

static int cmd_progress(int argc, char **argv)
{
    static const struct option longopts[] = {{"forget", no_argument, NULL, 'f'},
                                             {NULL, 0, NULL, 0}};
    int forget = 0;
    char *pos[1];
    int npos = parse(argc, argv, ":", longopts, forget_option, &forget, pos, 1);
    if (npos < 0)
        return EXIT_USAGE;
    if (npos == 0)
        return usage("progress needs a kata name or number");
    if (enter_root())
        return EXIT_HARNESS;
    struct kata *k = kata_find(pos[0]);
    if (!k)
        return EXIT_USAGE;
    int rc;
    if (forget) {
        rc = progress_forget(k->name) ? EXIT_HARNESS : EXIT_PASSED;
    } else {
        struct progress p;
        char words[64];
        progress_read(k, &p);
        printf("%s\n", progress_words(&p, words, sizeof words));
        rc = p.state == PROGRESS_PASSED ? EXIT_PASSED : EXIT_FAILED;
    }
    kata_free(k);
    return rc;
}

/* kata expect */

struct expect_cli {
    const char *exit_code, *print, *text;
    char **lines; /* the --line values, NULL-terminated */
    size_t nlines;
};

static int expect_option(int c, const char *arg, void *ctx)
{
    struct expect_cli *x = ctx;
    switch (c) {
    case 'e': x->exit_code = arg; return 0;
    case 'p': x->print = arg; return 0;
    case 'x': x->text = arg; return 0;
    case 'l':
        x->lines = xrealloc(x->lines, sizeof *x->lines * (x->nlines + 2));
        x->lines[x->nlines++] = xstrdup(arg);
        x->lines[x->nlines] = NULL;
        return 0;
    default: return -1;
    }
}

/* The header lines KEY of FILE, one a line: run options a script reads (limit:, solo:). */
static int print_header(const char *key, const char *file)
{
    char *path = from_caller(file);
    char *text = read_file(path, 1 << 20, NULL);
    free(path);
    if (!text) {
        error("cannot read %s", file);
        return EXIT_HARNESS;
    }
    char **v = header_values(text, key);
    for (char **p = v; *p; p++)
        printf("%s\n", *p);
    expect_strings_free(v);
    free(text);
    return EXIT_PASSED;
}

/* Checks VERDICT (a file that may be missing or not JSON: that is a verdict that fails)
 * against FILE's expect: lines and the --line ones. */
static int check_expectations(struct expect_cli *x, const char *verdict_file, const char *file)
{
    char *text = NULL;
    if (file) {
        char *path = from_caller(file);
        text = read_file(path, 1 << 20, NULL);
        free(path);
        if (!text) {
            error("cannot read %s", file);
            return EXIT_HARNESS;
        }
    }
    char **lines = header_values(text, "expect");
    size_t n = 0;
    while (lines[n])
        n++;
    for (size_t i = 0; i < x->nlines; i++) {
        lines = xrealloc(lines, sizeof *lines * (n + 2));
        lines[n++] = xstrdup(x->lines[i]);
        lines[n] = NULL;
    }
    char *printed = NULL, *shown = NULL;
    if (verdict_file) {
        char *vpath = from_caller(verdict_file);
        printed = read_file(vpath, 64 << 20, NULL);
        free(vpath);
    }
    if (x->text) {
        char *tpath = from_caller(x->text);
        shown = read_file(tpath, 64 << 20, NULL);
        free(tpath);
    }
    cJSON *verdict = printed ? cJSON_Parse(printed) : NULL;
    struct expect_context ctx = {.exit_code = x->exit_code, .text = shown};
    char *why = NULL;
    int rc = expect_check(verdict, printed, lines, text, &ctx, &why);
    if (why)
        fputs(why, stdout);
    free(why);
    cJSON_Delete(verdict);
    free(printed);
    free(shown);
    expect_strings_free(lines);
    free(text);
    return rc < 0 ? EXIT_USAGE : rc ? EXIT_FAILED : EXIT_PASSED;
}

static int cmd_expect(int argc, char **argv)
{
    static const struct option longopts[] = {{"exit-code", required_argument, NULL, 'e'},
                                             {"line", required_argument, NULL, 'l'},
                                             {"print", required_argument, NULL, 'p'},
                                             {"text", required_argument, NULL, 'x'},
                                             {NULL, 0, NULL, 0}};
    struct expect_cli x = {0};
    char *pos[2];
    int npos = parse(argc, argv, ":", longopts, expect_option, &x, pos, 2);
    int rc;
    if (npos < 0)
        rc = EXIT_USAGE;
    else if (x.print && npos != 1)
        rc = usage("expect --print KEY needs one FILE");
    else if (!x.print && npos == 0 && !x.text)
        rc = usage("expect needs a verdict (a file of `kata run --format json`, or --text)");
    else if (enter_root())
        rc = EXIT_HARNESS;
    else if (x.print)
        rc = print_header(x.print, pos[0]);
    else
        rc = check_expectations(&x, npos ? pos[0] : NULL, npos > 1 ? pos[1] : NULL);
    expect_strings_free(x.lines);
    return rc;
}

static const struct command commands[] = {
    {"run",
     "kata run [NAME] [--src FILE] [--format text|json] [--stage STAGE] [--seed N] "
     "[--curve | --python | --no-python]",
     cmd_run},
    {"list", "kata list [--names]", cmd_list},
    {"hint", "kata hint [NAME]", cmd_hint},
    {"watch", "kata watch [NAME] [--poll]", cmd_watch},
    {"selftest", "kata selftest [NAME] [--runs N] [--jobs N]", cmd_selftest},
    {"grade",
     "kata grade [--katas \"A B\"] [--out DIR] [--seed N] [--checksums FILE] "
     "[--no-verify] [--passed DIR]",
     cmd_grade},
    {"scoreboard", "kata scoreboard [--out DIR] SUMMARY_OR_DIR...", cmd_scoreboard},
    {"checksums", "kata checksums [--write]", cmd_checksums},
    {"name", "kata name NAME", cmd_name},
    {"progress", "kata progress [--forget] NAME", cmd_progress},
    {"expect",
     "kata expect [--exit-code N] [--line EXPECTATION]... VERDICT.json [FILE] | "
     "kata expect --text VERDICT.txt --line EXPECTATION... | kata expect --print KEY FILE",
     cmd_expect},
};

int cli_main(int argc, char **argv)
{
    if (argc < 2)
        return usage(NULL);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage_text, stdout);
        return EXIT_PASSED;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, cmd))
            continue;
        /* getopt's argv[0] names the subcommand in its messages: "kata run" */
        char *name = xasprintf("kata %s", cmd);
        char **sub = xcalloc((size_t)argc, sizeof *sub);
        sub[0] = name;
        for (int j = 2; j < argc; j++)
            sub[j - 1] = argv[j];
        current = &commands[i];
        int rc = commands[i].fn(argc - 1, sub);
        current = NULL;
        free(sub);
        free(name);
        free(caller_dir);
        caller_dir = NULL;
        return rc;
    }
    return usage("unknown command '%s'", cmd);
}
