/* main.c: the `kata` command: run, list, hint, watch, selftest, grade, scoreboard, checksums. */
#include "checksums.h"
#include "grade.h"
#include "grade_all.h"
#include "kata.h"
#include "python_compare.h"
#include "report.h"
#include "sandbox.h"
#include "selftest.h"
#include "spawn.h"
#include "util.h"
#include "watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: kata run NAME [--src FILE] [--format text|json] [--stage STAGE] [--seed N]\n"
    "                     [--curve | --python | --no-python]\n"
    "       kata list [--names]\n"
    "       kata hint NAME\n"
    "       kata watch [NAME] [--poll]\n"
    "       kata selftest [NAME] [--runs N]\n"
    "       kata grade [--katas \"A B\"] [--out DIR] [--seed N] [--checksums FILE] [--no-verify]\n"
    "       kata scoreboard [--out DIR] SUMMARY_OR_DIR...\n"
    "       kata checksums [--write]\n"
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
    "  selftest  prove the graders: references pass, starters and mutants are rejected\n"
    "  grade     grade every kata (or the listed ones) for a class: a scoreboard, and\n"
    "            DIR/<kata>.json, summary.json, junit.xml (DIR: build/reports)\n"
    "  scoreboard\n"
    "            merge the summary.json files of separate grading jobs (one per kata)\n"
    "  checksums\n"
    "            check the protected files against scripts/checksums.txt, or (--write)\n"
    "            record them, and the starters in scripts/starters.txt (upstream only)\n"
    "\n"
    "exit codes: 0 passed, 1 the kata failed, 2 usage error, 3 the harness failed\n"
    "            (grade: 0 also when nothing was attempted, 3 when protected files changed)\n"
    "environment: SEED=N replays a run's test sizes; V=1 shows each tool's own output;\n"
    "             NO_COLOR turns colour off; GITHUB_ACTIONS=true adds annotations and\n"
    "             appends the scoreboard to $GITHUB_STEP_SUMMARY (grade, scoreboard)\n";

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "kata: %s\n", why);
    fputs(usage_text, stderr);
    return 2;
}

static char *state_path(const char *root, const char *name)
{
    return xasprintf("%s/build/state/%s", root, name);
}

/* Remembers the last verdict on the learner's own file, for `kata list`. */
static void save_state(const struct run *r)
{
    if (strcmp(r->src_real, r->kata->starter) && !ends_with(r->src_real, r->kata->starter))
        return;
    char *dir = xasprintf("%s/build/state", r->root);
    mkdir_p(dir);
    free(dir);
    const char *failed = NULL;
    for (int i = 0; i < r->nstages && !failed; i++)
        if (r->stages[i].status == ST_FAIL || r->stages[i].status == ST_ERROR)
            failed = r->stages[i].name;
    char *text = r->status == ST_PASS ? xstrdup("passed\n")
                                      : xasprintf("failing at %s\n", failed ? failed : "?");
    char *path = state_path(r->root, r->kata->name);
    write_file(path, text, strlen(text));
    free(path);
    free(text);
}

/* The seed of a run: the one given, or a fresh one. */
static unsigned long pick_seed(const char *seed)
{
    return seed && *seed ? strtoul(seed, NULL, 10)
                         : ((unsigned long)time(NULL) ^ (unsigned long)getpid()) % 1000000;
}

static int cmd_run(const char *root, int argc, char **argv)
{
    const char *name = NULL, *src = NULL, *format = "text", *stage = NULL, *seed = getenv("SEED");
    int curve = 0, python = PYTHON_LINE, python_full = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--src") && i + 1 < argc)
            src = argv[++i];
        else if (!strcmp(a, "--format") && i + 1 < argc)
            format = argv[++i];
        else if (!strcmp(a, "--stage") && i + 1 < argc)
            stage = argv[++i];
        else if (!strcmp(a, "--seed") && i + 1 < argc)
            seed = argv[++i];
        else if (!strcmp(a, "--curve"))
            curve = 1;
        else if (!strcmp(a, "--python"))
            python_full = 1;
        else if (!strcmp(a, "--no-python"))
            python = PYTHON_OFF;
        else if (a[0] == '-')
            return usage("unknown option for run");
        else if (!name)
            name = a;
        else
            return usage("run takes one kata name");
    }
    if (!name)
        return usage("run needs a kata name, e.g. `kata run race_counter`");
    if (strcmp(format, "text") && strcmp(format, "json"))
        return usage("--format is text or json");
    if (src && !*src)
        src = NULL;
    if (stage && !*stage)
        stage = NULL;
    struct kata *k = kata_load(root, name);
    if (!k)
        return 2;
    if (src && !file_exists(src)) {
        error("no file '%s' to grade", src);
        kata_free(k);
        return 2;
    }
    struct run r = {.root = root, .kata = k, .src = src ? src : k->starter, .only_stage = stage};
    const char *v = getenv("V");
    r.verbose = v && *v && strcmp(v, "0");
    r.seed = pick_seed(seed);
    r.python = python;
    if (python_full) {
        int prc = run_prepare(&r) == 0 ? python_compare_print(&r) : -1;
        run_release(&r);
        kata_free(k);
        return prc < 0 ? 3 : prc;
    }
    if (curve) {
        int crc = run_prepare(&r) == 0 && curve_print(&r) == 0 ? 0 : 3;
        run_release(&r);
        kata_free(k);
        return crc;
    }
    int rc = grade_run(&r);
    if (!strcmp(format, "json")) {
        char *j = report_json(&r);
        puts(j);
        free(j);
    } else {
        report_text(stdout, &r, report_use_colour(stdout), r.verbose);
    }
    if (r.src_real)
        save_state(&r);
    int code = rc || r.status == ST_ERROR ? 3 : r.status == ST_PASS ? 0 : 1;
    run_release(&r);
    kata_free(k);
    return code;
}

static int cmd_list(const char *root, int names_only)
{
    struct kata **v;
    int n = kata_load_all(root, &v);
    if (n < 0)
        return 3;
    if (names_only) {
        for (int i = 0; i < n; i++)
            printf("%s\n", v[i]->name);
        kata_free_all(v, n);
        return 0;
    }
    int passed = 0;
    for (int i = 0; i < n; i++) {
        char *path = state_path(root, v[i]->name);
        char *state = read_file(path, 256, NULL);
        free(path);
        if (state)
            rtrim(state);
        if (state && !strcmp(state, "passed"))
            passed++;
        printf("  %2d  %-20s %-22s %s\n", v[i]->order, v[i]->name, state ? state : "not started",
               v[i]->title);
        free(state);
    }
    int width = 30, filled = n ? passed * width / n : 0;
    printf("\n  progress [");
    for (int i = 0; i < width; i++)
        putchar(i < filled ? '#' : '.');
    printf("] %d of %d katas passed\n", passed, n);
    kata_free_all(v, n);
    return 0;
}

static int cmd_hint(const char *root, const char *name)
{
    struct kata *k = kata_load(root, name);
    if (!k)
        return 2;
    if (!k->nhints) {
        printf("%s has no hints: its README says what to do.\n", name);
        kata_free(k);
        return 0;
    }
    char *dir = xasprintf("%s/build/hints", root);
    mkdir_p(dir);
    char *path = xasprintf("%s/%s", dir, name);
    char *seen = read_file(path, 64, NULL);
    int next = seen ? atoi(seen) : 0;
    free(seen);
    if (next >= k->nhints) {
        printf("That was the last hint for %s (%d of %d); they start again from the first.\n\n",
               name, k->nhints, k->nhints);
        next = 0;
    }
    printf("Hint %d of %d for %s:\n\n  %s\n", next + 1, k->nhints, name, k->hints[next]);
    char buf[16];
    snprintf(buf, sizeof buf, "%d\n", next + 1);
    write_file(path, buf, strlen(buf));
    free(path);
    free(dir);
    kata_free(k);
    return 0;
}

static int cmd_grade(const char *root, int argc, char **argv)
{
    struct grade_options o = {.root = root, .graded = save_state};
    const char *seed = getenv("SEED");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--katas") && i + 1 < argc)
            o.katas = argv[++i];
        else if (!strcmp(a, "--out") && i + 1 < argc)
            o.out = argv[++i];
        else if (!strcmp(a, "--seed") && i + 1 < argc)
            seed = argv[++i];
        else if (!strcmp(a, "--checksums") && i + 1 < argc)
            o.checksums = argv[++i];
        else if (!strcmp(a, "--no-verify"))
            o.no_verify = 1;
        else
            return usage("grade takes --katas \"A B\", --out DIR, --seed N, --checksums FILE "
                         "and --no-verify");
    }
    const char *v = getenv("V");
    o.verbose = v && *v && strcmp(v, "0");
    o.seed = pick_seed(seed);
    return grade_all(&o);
}

static int cmd_scoreboard(int argc, char **argv)
{
    const char *out = "build/reports";
    const char **paths = xcalloc((size_t)argc + 1, sizeof *paths);
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] == '-') {
            free(paths);
            return usage("scoreboard takes --out DIR and summary files or folders");
        } else
            paths[n++] = argv[i];
    }
    int rc = n ? scoreboard_merge(paths, n, out)
               : usage("scoreboard needs the summaries to merge (files, or folders of them)");
    free(paths);
    return rc;
}

static int cmd_checksums(const char *root, int argc, char **argv)
{
    int write = argc == 1 && !strcmp(argv[0], "--write");
    if (argc > 1 || (argc == 1 && !write))
        return usage("checksums takes only --write");
    char *list = xasprintf("%s/%s", root, CHECKSUMS_LIST);
    char *starters = xasprintf("%s/%s", root, STARTERS_LIST);
    int rc;
    if (write) {
        rc = checksums_write(root, list, starters) ? 3 : 0;
        if (!rc)
            printf("wrote %s and %s: commit them with the katas\n", CHECKSUMS_LIST, STARTERS_LIST);
    } else {
        struct integrity in;
        int n = checksums_verify(root, list, &in);
        if (n < 0) {
            rc = 3;
        } else {
            for (int i = 0; i < in.n; i++)
                printf("%s: %s\n", in.v[i].path, in.v[i].what);
            if (n)
                printf("%d protected file%s differ%s from %s (after a deliberate change "
                       "upstream, `make checksums` records them again)\n",
                       n, n == 1 ? "" : "s", n == 1 ? "s" : "", CHECKSUMS_LIST);
            else
                printf("every protected file is as %s records it (sha256 %.12s)\n", CHECKSUMS_LIST,
                       in.list_sha256);
            rc = n ? 1 : 0;
            integrity_release(&in);
        }
    }
    free(list);
    free(starters);
    return rc;
}

int main(int argc, char **argv)
{
    spawn_init();
    const char *root = getenv("KATA_ROOT");
    if (!root || !*root)
        root = ".";
    if (argc < 2)
        return usage(NULL);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(cmd, "list")) {
        if (argc > 3 || (argc == 3 && strcmp(argv[2], "--names")))
            return usage("list takes only --names");
        return cmd_list(root, argc == 3);
    }
    if (!strcmp(cmd, "scoreboard"))
        return cmd_scoreboard(argc - 2, argv + 2);
    if (!strcmp(cmd, "checksums"))
        return cmd_checksums(root, argc - 2, argv + 2);
    if (!strcmp(cmd, "hint"))
        return argc == 3 ? cmd_hint(root, argv[2]) : usage("hint needs a kata name");
    /* Before the sandbox: watch grades in children, which confine themselves. */
    if (!strcmp(cmd, "watch"))
        return watch_main(root, argc - 2, argv + 2);
    /* Learner code is about to run: from here on, only loopback networking. */
    sandbox_network();
    if (!strcmp(cmd, "run"))
        return cmd_run(root, argc - 2, argv + 2);
    if (!strcmp(cmd, "grade"))
        return cmd_grade(root, argc - 2, argv + 2);
    if (!strcmp(cmd, "selftest")) {
        const char *name = NULL;
        int runs = 1;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--runs") && i + 1 < argc)
                runs = atoi(argv[++i]);
            else if (argv[i][0] != '-' && !name)
                name = argv[i];
            else
                return usage("selftest takes a kata name and --runs N");
        }
        return selftest(root, name, runs > 0 ? runs : 1);
    }
    return usage("unknown command");
}
