/* grade_all.c: `kata grade` (a learner's katas, for a class) and `kata scoreboard`. */
#include "grade_all.h"

#include "grade.h"
#include "checksums.h"
#include "digest.h"
#include "reports/report.h"
#include "reports/github.h"
#include "reports/junit.h"
#include "scores.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One kata's part of a grading. */
struct graded {
    struct kata *kata;
    struct run run;
    int ran;      /* run holds a grading (or a refusal) */
    char *reused; /* its report (<kata>.json) from an earlier pass, when it was not graded */
};

/* ---- choosing the katas ---- */

static int by_order(const void *a, const void *b)
{
    const struct graded *x = a, *y = b;
    return x->kata->order != y->kata->order ? x->kata->order - y->kata->order
                                            : strcmp(x->kata->name, y->kata->name);
}

/* Loads the named katas (or all). Returns the count, -2 for an unknown name, -1 on error. */
static int choose(const char *names, struct graded **out)
{
    *out = NULL;
    struct graded *v = NULL;
    int n = 0;
    if (!names || !names[strspn(names, " ,\t\n")]) {
        struct kata **all;
        int m = kata_load_all(&all);
        if (m < 0)
            return -1;
        v = xcalloc((size_t)m + 1, sizeof *v);
        for (int i = 0; i < m; i++)
            v[n++].kata = all[i];
        free(all);
    } else {
        char *copy = xstrdup(names);
        char *save = NULL;
        for (char *w = strtok_r(copy, " ,\t\n", &save); w; w = strtok_r(NULL, " ,\t\n", &save)) {
            int dup = 0;
            for (int i = 0; i < n && !dup; i++)
                dup = !strcmp(v[i].kata->name, w);
            if (dup)
                continue;
            struct kata *k = kata_find(w);
            if (!k) {
                for (int i = 0; i < n; i++)
                    kata_free(v[i].kata);
                free(v);
                free(copy);
                return -2;
            }
            v = xrealloc(v, sizeof *v * (size_t)(n + 1));
            memset(&v[n], 0, sizeof v[n]);
            v[n++].kata = k;
        }
        free(copy);
    }
    if (n)
        qsort(v, (size_t)n, sizeof *v, by_order);
    *out = v;
    return n;
}

/* ---- the per-kata JSON ---- */

/* The run's JSON (reports/report.h) with the scores added, built once and printed once. A
 * kata that was not graded (not attempted, or not graded at all) is an "error" in the
 * interface's terms, with why as its message: no test ran. Its "attempted" says which, as
 * summary.json's status does. */
static char *kata_json(const struct graded *g, const struct kata_score *s)
{
    cJSON *o;
    if (g->ran) {
        o = report_json_object(&g->run);
    } else {
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "version", 3);
        cJSON_AddStringToObject(o, "status", "error");
        cJSON_AddStringToObject(o, "message", s->message ? s->message : "not graded");
        cJSON_AddArrayToObject(o, "tests");
        cJSON_AddStringToObject(o, "kata", g->kata->name);
        cJSON_AddStringToObject(o, "source", g->kata->starter);
        cJSON_AddNumberToObject(o, "seed", (double)s->seed);
        cJSON_AddNumberToObject(o, "duration", 0);
    }
    cJSON_AddBoolToObject(o, "attempted", s->state != GRADE_NOT_ATTEMPTED);
    cJSON_AddNumberToObject(o, "points", s->points);
    cJSON_AddNumberToObject(o, "possible", s->possible);
    cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(o, "tests"))
    {
        /* a stage's entry carries its points; a Criterion test's none of its own */
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
        const struct stage_score *st =
            cJSON_IsString(name) ? score_stage(s, name->valuestring) : NULL;
        if (st) {
            cJSON_AddNumberToObject(t, "points", st->points);
            cJSON_AddNumberToObject(t, "possible", st->possible);
        }
    }
    char *text = report_json_print(o);
    cJSON_Delete(o);
    return text;
}

/* ---- writing the reports ---- */

static int write_text(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    int rc = write_file(path, text, strlen(text));
    free(path);
    return rc;
}

/* Removes what an earlier grading left in out, so no stale kata report survives. */
static void clear_reports(const char *out)
{
    static const char *const fixed[] = {"summary.json", "junit.xml", NULL};
    for (int i = 0; fixed[i]; i++) {
        char *p = xasprintf("%s/%s", out, fixed[i]);
        unlink(p);
        free(p);
    }
    DIR *d = opendir("katas");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s.json", out, e->d_name);
        unlink(p);
        free(p);
    }
    if (d)
        closedir(d);
}

static int write_summary(const char *out, const struct grade_summary *sum)
{
    char *json = summary_to_json(sum);
    char *xml = report_junit(sum);
    int rc = write_text(out, "summary.json", json) | write_text(out, "junit.xml", xml);
    free(json);
    free(xml);
    return rc ? -1 : 0;
}

/* ---- grading ---- */

/* Inside GitHub Actions the runner obeys any output line that looks like a workflow command
 * ("::add-mask::...", "::error ...::"), and the verdicts quote what learner code wrote (its
 * compiler errors, its tests' messages). So while katas are graded the runner is told to
 * ignore commands, until a token learner code cannot guess; github_report's annotations come
 * after. Fills token (empty outside GitHub Actions). */
static void workflow_commands_off(char token[65])
{
    token[0] = '\0';
    const char *gha = getenv("GITHUB_ACTIONS");
    if (!gha || strcmp(gha, "true"))
        return;
    if (random_hex(token, 32))
        return; /* no token: commands stay on, as before */
    printf("::stop-commands::%s\n", token);
    fflush(stdout);
}

static void workflow_commands_on(const char token[65])
{
    if (token[0]) {
        printf("::%s::\n", token);
        fflush(stdout);
    }
}

static void closing_line(const struct grade_summary *sum, const char *out)
{
    struct grade_totals t = summary_totals(sum);
    switch (summary_state(sum)) {
    case GRADE_PASS:
        printf("\nPASSED: all %d attempted kata%s passed (%d / %d points). Reports in %s/.\n",
               t.attempted, t.attempted == 1 ? "" : "s", t.points, t.possible, out);
        break;
    case GRADE_NOT_ATTEMPTED:
        printf("\nNothing to grade yet: no kata was attempted (each katas/<name>/<name>.c is "
               "still the starter as shipped).\nEdit one, then run `make grade` again. Reports "
               "in %s/.\n",
               out);
        break;
    case GRADE_FAIL:
        printf("\nFAILED: %d of %d attempted kata%s failed (%d / %d points). Reports in %s/.\n",
               t.failed, t.attempted, t.attempted == 1 ? "" : "s", t.points, t.possible, out);
        break;
    default:
        if (sum->ntampered)
            printf("\nERROR: nothing was graded, because protected files differ from the "
                   "upstream's (listed above).\nRestore them (`git checkout <upstream commit> -- "
                   "<file>`); only katas/<name>/<name>.c is yours to change.\n");
        else
            printf("\nERROR: the harness could not grade %d kata%s (see the ERROR lines above); "
                   "`make deps` installs what is missing.\n",
                   t.errors, t.errors == 1 ? "" : "s");
    }
}

/* Step 1: the integrity check. Fills sum's integrity fields; returns the tampered count. */
static int check_integrity(const struct grade_options *o, struct grade_summary *sum)
{
    const char *list = o->checksums && *o->checksums ? o->checksums : CHECKSUMS_LIST;
    sum->list = xstrdup(o->checksums && *o->checksums ? o->checksums : CHECKSUMS_LIST);
    if (o->no_verify) {
        printf("integrity: not checked (--no-verify)\n");
        return 0;
    }
    sum->integrity_checked = 1;
    struct integrity in;
    int n = checksums_verify(list, &in);
    if (n < 0) {
        /* no list, or a broken one: nothing can be trusted, so it counts as tampering */
        sum->tampered = xcalloc(1, sizeof *sum->tampered);
        sum->tampered[0].path = xstrdup(sum->list);
        sum->tampered[0].what = file_exists(list) ? "changed" : "missing";
        sum->ntampered = 1;
    } else {
        memcpy(sum->list_sha256, in.list_sha256, sizeof sum->list_sha256);
        sum->tampered = in.v;
        sum->ntampered = in.n;
    }
    for (int i = 0; i < sum->ntampered; i++)
        printf("integrity: %s was %s (it is not as the upstream recorded it in %s)\n",
               sum->tampered[i].path, sum->tampered[i].what, sum->list);
    return sum->ntampered;
}

static char *tamper_message(const struct grade_summary *sum)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    sb_addf(&sb, "not graded: %d protected file%s differ%s from the upstream's:", sum->ntampered,
            sum->ntampered == 1 ? "" : "s", sum->ntampered == 1 ? "s" : "");
    for (int i = 0; i < sum->ntampered && i < 5; i++)
        sb_addf(&sb, "%s %s (%s)", i ? "," : "", sum->tampered[i].path, sum->tampered[i].what);
    if (sum->ntampered > 5)
        sb_addf(&sb, " and %d more", sum->ntampered - 5);
    return sb_detach(&sb);
}

/* ---- earlier passes (--passed DIR) ---- */

/* What a pass is kept under: the learner's file's SHA-256 and the checksum list's, so a
 * change to either (or to the tests, harness or references, through the list) grades again.
 * Returns a new string, or NULL when the file cannot be read or the list was not checked. */
static char *pass_key(const struct kata *k, const struct grade_summary *sum)
{
    char file[65];
    if (!sum->integrity_checked || sum->ntampered || !sum->list_sha256[0] ||
        sha256_file(k->starter, file))
        return NULL;
    return xasprintf("%s  %s\n", file, sum->list_sha256);
}

/* Takes kata k's earlier pass from dir into *s and g->reused when its key matches. Returns 1
 * when it did, 0 when there is none to take (the kata is then graded). */
static int reuse_pass(const char *dir, struct graded *g, const struct grade_summary *sum,
                      struct kata_score *s)
{
    const struct kata *k = g->kata;
    char *key = pass_key(k, sum);
    char *key_path = xasprintf("%s/%s.key", dir, k->name);
    char *sum_path = xasprintf("%s/%s.summary.json", dir, k->name);
    char *json_path = xasprintf("%s/%s.json", dir, k->name);
    char *kept = key ? read_file(key_path, 1024, NULL) : NULL;
    char *text = kept && !strcmp(kept, key) ? read_file(sum_path, 16 << 20, NULL) : NULL;
    char *report = text ? read_file(json_path, 16 << 20, NULL) : NULL;
    struct grade_summary one;
    int ok = report && summary_from_json(text, sum_path, &one) == 0;
    if (ok) {
        ok = one.nkatas == 1 && !strcmp(one.katas[0].kata, k->name) &&
             one.katas[0].state == GRADE_PASS;
        if (ok) {
            *s = one.katas[0];
            memset(&one.katas[0], 0, sizeof one.katas[0]);
            g->reused = report;
            report = NULL;
        }
        summary_release(&one);
    }
    free(key);
    free(key_path);
    free(sum_path);
    free(json_path);
    free(kept);
    free(text);
    free(report);
    return ok;
}

/* Keeps a new pass of kata g in dir for later gradings; json is its <kata>.json. Returns 0,
 * or -1 with an error printed. */
static int keep_pass(const char *dir, const struct graded *g, const struct grade_summary *sum,
                     const struct kata_score *s, const char *json)
{
    char *key = pass_key(g->kata, sum);
    if (!key || mkdir_p(dir)) {
        free(key);
        return key ? error("cannot make the folder '%s'", dir) : 0;
    }
    struct grade_summary one = *sum;
    one.katas = (struct kata_score *)s;
    one.nkatas = 1;
    char *text = summary_to_json(&one);
    char *name = xasprintf("%s.summary.json", g->kata->name);
    char *report = xasprintf("%s.json", g->kata->name);
    char *key_name = xasprintf("%s.key", g->kata->name);
    /* the key last: a pass is only kept once its reports are */
    int rc = write_text(dir, name, text) || write_text(dir, report, json) ||
                     write_text(dir, key_name, key)
                 ? -1
                 : 0;
    free(text);
    free(name);
    free(report);
    free(key_name);
    free(key);
    return rc;
}

/* Step 2 for one kata. Returns 0, or -1 when the harness failed (the score says so). */
static int grade_one(const struct grade_options *o, const struct grade_summary *sum,
                     struct graded *g, struct kata_score *s)
{
    const struct kata *k = g->kata;
    int untouched = starter_untouched(STARTERS_LIST, k->starter);
    if (untouched == 1) {
        printf("%s: not attempted (%s is the starter as shipped)\n\n", k->name, k->starter);
        char *msg = xasprintf("not attempted: %s is the starter as shipped", k->starter);
        score_not_graded(s, k, GRADE_NOT_ATTEMPTED, msg, "not attempted", o->seed);
        free(msg);
        return 0;
    }
    if (untouched < 0)
        warning("%s has no recorded starter in %s: graded as attempted", k->starter, STARTERS_LIST);
    if (o->passed && reuse_pass(o->passed, g, sum, s)) {
        printf("%s: passed (unchanged since it passed %s: not graded again)\n\n", k->name,
               "in an earlier run against the same checksum list");
        return 0;
    }
    if (!file_exists(k->starter)) {
        char *msg = xasprintf("%s is missing: there is nothing to grade", k->starter);
        printf("%s: %s\n\n", k->name, msg);
        score_not_graded(s, k, GRADE_ERROR, msg, "not graded", o->seed);
        free(msg);
        return 0;
    }
    /* A refused file is the build stage's verdict, worded as `make kata` words it. */
    memset(&g->run, 0, sizeof g->run);
    g->run.kata = k;
    g->run.src = k->starter;
    g->run.seed = o->seed;
    g->run.verbose = o->verbose;
    if (grade_run(&g->run))
        g->run.status = ST_ERROR;
    g->ran = 1;
    report_text(stdout, &g->run, report_use_colour(stdout), o->verbose);
    fputc('\n', stdout);
    fflush(stdout);
    if (o->graded && g->run.src_real)
        o->graded(&g->run);
    score_run(s, &g->run);
    return g->run.status == ST_ERROR ? -1 : 0;
}

int grade_all(const struct grade_options *o)
{
    struct graded *v;
    int n = choose(o->katas, &v);
    if (n == -2)
        return 2;
    if (n < 0)
        return 3;
    const char *out = o->out && *o->out ? o->out : "build/reports";
    printf("kata grade: %d kata%s, seed %lu (replay with SEED=%lu make grade)\n", n,
           n == 1 ? "" : "s", o->seed, o->seed);
    fflush(stdout);
    char token[65];
    workflow_commands_off(token);

    struct grade_summary sum = {.seed = o->seed, .has_seed = 1};
    sum.katas = xcalloc((size_t)n + 1, sizeof *sum.katas);
    int tampered = check_integrity(o, &sum);
    printf("\n");
    char *why = tampered ? tamper_message(&sum) : NULL;
    for (int i = 0; i < n; i++) {
        struct kata_score *s = &sum.katas[sum.nkatas++];
        if (tampered)
            score_not_graded(s, v[i].kata, GRADE_ERROR, why, "not graded", o->seed);
        else
            grade_one(o, &sum, &v[i], s);
    }
    free(why);

    /* a kata the harness could not grade is an error in its own row; the others still count */
    int rc = summary_exit_code(&sum);
    if (mkdir_p(out) == 0) {
        clear_reports(out);
        for (int i = 0; i < sum.nkatas; i++) {
            char *json = v[i].reused ? xstrdup(v[i].reused) : kata_json(&v[i], &sum.katas[i]);
            char *name = xasprintf("%s.json", v[i].kata->name);
            if (write_text(out, name, json))
                rc = 3;
            /* only a pass graded inside the sandbox is kept: one earned unconfined could
             * have been forged, and would stand for every later push */
            if (o->passed && v[i].ran && sum.katas[i].state == GRADE_PASS &&
                sum.katas[i].isolation && !strcmp(sum.katas[i].isolation, "bubblewrap") &&
                keep_pass(o->passed, &v[i], &sum, &sum.katas[i], json))
                rc = 3;
            free(name);
            free(json);
        }
        if (write_summary(out, &sum))
            rc = 3;
    } else {
        rc = 3;
    }
    scoreboard_text(stdout, &sum);
    fflush(stdout);
    workflow_commands_on(token);
    if (github_report(stdout, &sum, 1))
        rc = 3;
    closing_line(&sum, out);
    summary_release(&sum);
    for (int i = 0; i < n; i++) {
        if (v[i].ran)
            run_release(&v[i].run);
        free(v[i].reused);
        kata_free(v[i].kata);
    }
    free(v);
    return rc;
}

/* ---- merging the jobs' summaries ---- */

static int merge_file(struct grade_summary *all, const char *path)
{
    char *text = read_file(path, 64 << 20, NULL);
    if (!text)
        return error("cannot read '%s'", path);
    struct grade_summary one;
    int rc = summary_from_json(text, path, &one);
    free(text);
    if (rc == 0)
        summary_merge(all, &one);
    summary_release(&one);
    return rc;
}

/* Merges path (a summary, or a folder with one directly or one level down). Returns the
 * number of summaries merged, or -1. */
static int merge_path(struct grade_summary *all, const char *path)
{
    struct stat st;
    if (stat(path, &st))
        return error("no file or folder '%s'", path);
    if (!S_ISDIR(st.st_mode))
        return merge_file(all, path) ? -1 : 1;
    int found = 0;
    char *direct = xasprintf("%s/summary.json", path);
    if (file_exists(direct)) {
        if (merge_file(all, direct)) {
            free(direct);
            return -1;
        }
        found++;
    }
    free(direct);
    DIR *d = opendir(path);
    if (!d)
        return error("cannot read the folder '%s'", path);
    char **subs = NULL;
    int nsubs = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s/summary.json", path, e->d_name);
        if (file_exists(p)) {
            subs = xrealloc(subs, sizeof *subs * (size_t)(nsubs + 1));
            subs[nsubs++] = p;
        } else {
            free(p);
        }
    }
    closedir(d);
    int rc = 0;
    for (int i = 0; i < nsubs; i++) {
        if (rc == 0 && merge_file(all, subs[i]))
            rc = -1;
        free(subs[i]);
        found++;
    }
    free(subs);
    return rc ? -1 : found;
}

int scoreboard_merge(const char *const *paths, int n, const char *out)
{
    struct grade_summary all = {0};
    int found = 0, rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int m = merge_path(&all, paths[i]);
        if (m < 0)
            rc = 3;
        else
            found += m;
    }
    if (rc == 0 && !found) {
        error("no summary.json under %s%s: did the grading jobs upload their reports?", paths[0],
              n > 1 ? " and the others" : "");
        rc = 3;
    }
    if (rc == 0) {
        if (mkdir_p(out) || write_summary(out, &all))
            rc = 3;
        scoreboard_text(stdout, &all);
        if (github_report(stdout, &all, 0))
            rc = 3;
        if (rc == 0)
            rc = summary_exit_code(&all);
        printf("\n%d summar%s merged into %s/summary.json: %s\n", found, found == 1 ? "y" : "ies",
               out, grade_state_word(summary_state(&all)));
    }
    summary_release(&all);
    return rc;
}
