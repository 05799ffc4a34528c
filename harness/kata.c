/* kata.c: the catalog of katas, read from katas/<name>/kata.json. */
#include "kata.h"

#include "expect.h"
#include "spawn.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The usual stages and what each is worth by default. */
static const char *const usual_stages[] = {"build", "test",    "tsan", "helgrind", "drd",
                                           "asan",  "explore", "perf", NULL};
static const int usual_points[] = {1, 4, 2, 1, 1, 1, 2, 2};

int default_points(const char *stage)
{
    for (int i = 0; usual_stages[i]; i++)
        if (!strcmp(usual_stages[i], stage))
            return usual_points[i];
    return 1;
}

static int read_strings(const cJSON *arr, char **out, int max, const char *what, const char *name)
{
    if (!arr)
        return 0;
    if (!cJSON_IsArray(arr))
        return error("kata '%s': \"%s\" must be a list of strings", name, what);
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it))
            return error("kata '%s': \"%s\" must be a list of strings", name, what);
        if (n == max)
            return error("kata '%s': \"%s\" has more than %d entries", name, what, max);
        out[n++] = xstrdup(it->valuestring);
    }
    return n;
}

static double number_or(const cJSON *obj, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static int valid_name(const char *name)
{
    if (!*name || strlen(name) > 64)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

/* Fills k->points from "points" (k->stages already read). Returns 0 or -1 (error printed). */
static int read_points(const cJSON *points, struct kata *k, const char *meta)
{
    for (int i = 0; i < k->nstages; i++)
        k->points[i] = default_points(k->stages[i]);
    if (!points)
        return 0;
    if (!cJSON_IsObject(points))
        return error("%s: \"points\" must be an object such as {\"build\": 1, \"test\": 4}", meta);
    const cJSON *it;
    cJSON_ArrayForEach(it, points)
    {
        int i = 0;
        while (i < k->nstages && strcmp(k->stages[i], it->string))
            i++;
        if (i == k->nstages)
            return error("%s: \"points\" names '%s', which is not one of the kata's stages", meta,
                         it->string);
        double v = cJSON_IsNumber(it) ? it->valuedouble : -1;
        if (v < 0 || v > 1000 || v != (double)(int)v)
            return error("%s: the points of '%s' must be a whole number from 0 to 1000", meta,
                         it->string);
        k->points[i] = (int)v;
    }
    return 0;
}

struct kata *kata_load(const char *name)
{
    if (!valid_name(name)) {
        error("'%s' is not a kata name (lower-case letters, digits and _)", name);
        return NULL;
    }
    char *meta = xasprintf("katas/%s/kata.json", name);
    char *text = read_file(meta, 1 << 20, NULL);
    if (!text) {
        error("no kata named '%s' (no %s); `make list` shows them all", name, meta);
        free(meta);
        return NULL;
    }
    cJSON *j = cJSON_Parse(text);
    if (!j) {
        /* the error pointer points into text: report before freeing it */
        error("%s is not valid JSON (near '%.20s')", meta, cJSON_GetErrorPtr());
        free(text);
        free(meta);
        return NULL;
    }
    free(text);
    struct kata *k = xcalloc(1, sizeof *k);
    k->name = xstrdup(name);
    k->order = (int)number_or(j, "order", 99);
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(j, "title");
    k->title = xstrdup(cJSON_IsString(title) ? title->valuestring : name);
    const cJSON *timeouts = cJSON_GetObjectItemCaseSensitive(j, "timeouts");
    k->test_timeout = number_or(timeouts, "test", 10);
    k->detect_timeout = number_or(timeouts, "detect", 60);
    int ok = (k->nstages = read_strings(cJSON_GetObjectItemCaseSensitive(j, "stages"), k->stages,
                                        MAX_STAGES, "stages", name)) >= 0 &&
             (k->ndetect_args = read_strings(cJSON_GetObjectItemCaseSensitive(j, "detect_args"),
                                             k->detect_args, MAX_ARGS, "detect_args", name)) >= 0 &&
             (k->nstarter_fails =
                  read_strings(cJSON_GetObjectItemCaseSensitive(j, "starter_fails"),
                               k->starter_fails, MAX_STAGES, "starter_fails", name)) >= 0 &&
             (k->nhints = read_strings(cJSON_GetObjectItemCaseSensitive(j, "hints"), k->hints,
                                       MAX_HINTS, "hints", name)) >= 0 &&
             (k->nlibs = read_strings(cJSON_GetObjectItemCaseSensitive(j, "libs"), k->libs,
                                      MAX_ARGS, "libs", name)) >= 0;
    if (ok && read_points(cJSON_GetObjectItemCaseSensitive(j, "points"), k, meta))
        ok = 0;
    k->server = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "server"));
    const cJSON *perf = cJSON_GetObjectItemCaseSensitive(j, "perf");
    if (ok && perf) {
        ok = (k->nperf_args = read_strings(cJSON_GetObjectItemCaseSensitive(perf, "args"),
                                           k->perf_args, MAX_ARGS, "perf.args", name)) >= 0 &&
             (k->nperf_single_args =
                  read_strings(cJSON_GetObjectItemCaseSensitive(perf, "single_args"),
                               k->perf_single_args, MAX_ARGS, "perf.single_args", name)) >= 0;
        k->perf_bound = number_or(perf, "bound", 0);
        k->perf_min_cores = number_or(perf, "min_reference_cores", 0);
        k->perf_max_over_floor = number_or(perf, "max_reference_over_floor", 0);
        k->perf_threads =
            (int)number_or(perf, "threads", k->nperf_args ? atoi(k->perf_args[0]) : 1);
        const cJSON *io = cJSON_GetObjectItemCaseSensitive(perf, "io_floor");
        k->io_requests = (int)number_or(io, "requests", 0);
        k->io_concurrency = (int)number_or(io, "concurrency", 1);
        k->io_latency_ms = (int)number_or(io, "latency_ms", 0);
        if (ok && (k->perf_bound < 1 || k->nperf_args == 0))
            ok = error("kata '%s': \"perf\" needs args and a bound of at least 1", name) == 0;
    }
    const cJSON *py = cJSON_GetObjectItemCaseSensitive(j, "python");
    if (ok && py) {
        const cJSON *prog = cJSON_GetObjectItemCaseSensitive(py, "program");
        ok = (k->npython_args = read_strings(cJSON_GetObjectItemCaseSensitive(py, "args"),
                                             k->python_args, MAX_ARGS, "python.args", name)) >= 0 &&
             (k->npython_line_args =
                  read_strings(cJSON_GetObjectItemCaseSensitive(py, "line_args"),
                               k->python_line_args, MAX_ARGS, "python.line_args", name)) >= 0;
        for (int i = 0; ok && !k->npython_line_args && i < k->npython_args; i++)
            k->python_line_args[i] = xstrdup(k->python_args[i]);
        if (ok && !k->npython_line_args)
            k->npython_line_args = k->npython_args;
        if (ok && (!cJSON_IsString(prog) || strstr(prog->valuestring, "..")))
            ok = error("kata '%s': \"python\" needs a \"program\" inside the kata's folder",
                       name) == 0;
        else if (ok)
            k->python_program = xasprintf("katas/%s/%s", name, prog->valuestring);
    }
    cJSON_Delete(j);
    if (ok && k->nstages == 0)
        ok = error("kata '%s': %s lists no stages", name, meta) == 0;
    free(meta);
    if (!ok) {
        kata_free(k);
        return NULL;
    }
    k->dir = xasprintf("katas/%s", name);
    k->starter = xasprintf("katas/%s/%s.c", name, name);
    k->solution = xasprintf("solutions/%s/%s.c", name, name);
    k->tests = xasprintf("tests/katas/%s/test_%s.c", name, name);
    k->driver = xasprintf("tests/katas/%s/driver.c", name);
    k->mutants = xasprintf("tests/katas/%s/mutants", name);
    return k;
}

static void free_strings(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
}

void kata_free(struct kata *k)
{
    if (!k)
        return;
    free(k->name);
    free(k->title);
    free_strings(k->stages, k->nstages);
    free_strings(k->detect_args, k->ndetect_args);
    free_strings(k->starter_fails, k->nstarter_fails);
    free_strings(k->hints, k->nhints);
    free_strings(k->libs, k->nlibs);
    free_strings(k->perf_args, k->nperf_args);
    free_strings(k->perf_single_args, k->nperf_single_args);
    free(k->python_program);
    free_strings(k->python_args, k->npython_args);
    free_strings(k->python_line_args, k->npython_line_args);
    free(k->dir);
    free(k->starter);
    free(k->solution);
    free(k->tests);
    free(k->driver);
    free(k->mutants);
    free(k);
}

static int by_order(const void *a, const void *b)
{
    const struct kata *x = *(struct kata *const *)a, *y = *(struct kata *const *)b;
    return x->order != y->order ? x->order - y->order : strcmp(x->name, y->name);
}

int kata_load_all(struct kata ***out)
{
    DIR *d = opendir("katas");
    *out = NULL;
    if (!d)
        return error("no katas/ folder here: is this the repository?");
    int n = 0;
    struct kata **v = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *meta = xasprintf("katas/%s/kata.json", e->d_name);
        int has = file_exists(meta);
        free(meta);
        if (!has)
            continue;
        struct kata *k = kata_load(e->d_name);
        if (!k) {
            closedir(d);
            kata_free_all(v, n);
            return -1;
        }
        v = xrealloc(v, sizeof *v * (size_t)(n + 1));
        v[n++] = k;
    }
    closedir(d);
    if (n)
        qsort(v, (size_t)n, sizeof *v, by_order);
    *out = v;
    return n;
}

void kata_free_all(struct kata **v, int n)
{
    for (int i = 0; i < n; i++)
        kata_free(v[i]);
    free(v);
}

/* ---- what a learner meant ---- */

/* The name written the catalog's way: lower case, words joined by '_' (CamelCase, dashes,
 * spaces and dots split words), a leading "katas/", and a ".c" or anything from a '/' on,
 * dropped (what a shell completes: katas/race_counter/, katas/race_counter/race_counter.c).
 * Returns a new string. */
static char *normalise(const char *given)
{
    if (starts_with(given, "katas/"))
        given += strlen("katas/");
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    char prev = 0;
    for (const char *p = given; *p; p++) {
        char c = *p;
        if (c == '/')
            break; /* katas/race_counter/race_counter.c: the folder names the kata */
        if (c == '.' && !strcmp(p, ".c"))
            break;
        if (isupper((unsigned char)c) &&
            (islower((unsigned char)prev) || isdigit((unsigned char)prev)))
            sb_add(&sb, "_", 1);
        if (c == '-' || c == ' ' || c == '.')
            c = '_';
        if (c == '_' && (sb.len == 0 || sb.buf[sb.len - 1] == '_')) {
            prev = c;
            continue;
        }
        char lower = (char)tolower((unsigned char)c);
        sb_add(&sb, &lower, 1);
        prev = c;
    }
    while (sb.len && sb.buf[sb.len - 1] == '_')
        sb.buf[--sb.len] = '\0';
    return sb_detach(&sb);
}

/* Letters added, removed, changed or two neighbours swapped to turn a into b (optimal string
 * alignment distance), or 99 when the names are too long to bother. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

int kata_match(struct kata *const *v, int n, const char *given, int *exact, int *suggestion)
{
    if (exact)
        *exact = 0;
    if (suggestion)
        *suggestion = -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i]->name, given)) {
            if (exact)
                *exact = 1;
            return i;
        }
    if (*given && strspn(given, "0123456789") == strlen(given) && strlen(given) < 6) {
        for (int i = 0; i < n; i++)
            if (v[i]->order == atoi(given))
                return i;
        return -1;
    }
    char *want = normalise(given);
    int found = -1;
    for (int i = 0; i < n && found < 0; i++)
        if (!strcmp(v[i]->name, want))
            found = i;
    if (found < 0 && suggestion && *want) {
        /* the closest name, if it is close and no other is as close; else a unique prefix */
        int best = 99, ties = 0, prefix = -1, prefixes = 0;
        for (int i = 0; i < n; i++) {
            int dist = distance(want, v[i]->name);
            if (dist < best) {
                best = dist;
                ties = 0;
                *suggestion = i;
            } else if (dist == best) {
                ties++;
            }
            if (strlen(want) >= 3 && starts_with(v[i]->name, want)) {
                prefix = i;
                prefixes++;
            }
        }
        int allowed = strlen(want) >= 6 ? 2 : 1;
        if (best > allowed || ties)
            *suggestion = prefixes == 1 ? prefix : -1;
    }
    free(want);
    return found;
}

struct kata *kata_find(const char *given)
{
    struct kata **v;
    int n = kata_load_all(&v);
    if (n < 0)
        return NULL;
    int exact = 0, close = -1;
    int i = kata_match(v, n, given, &exact, &close);
    struct kata *k = NULL;
    if (i >= 0) {
        if (!exact)
            fprintf(stderr, "kata: taking '%s' as %s (kata %d)\n", given, v[i]->name, v[i]->order);
        k = v[i];
        v[i] = NULL;
    } else if (close >= 0) {
        error("no kata named '%s'; did you mean %s? (`make list` shows them all)", given,
              v[close]->name);
    } else {
        error("no kata named '%s'; `make list` shows them all", given);
    }
    kata_free_all(v, n);
    return k;
}

int kata_has_stage(const struct kata *k, const char *stage)
{
    for (int i = 0; i < k->nstages; i++)
        if (!strcmp(k->stages[i], stage))
            return 1;
    return 0;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct mutant *)a)->path, ((const struct mutant *)b)->path);
}

int kata_mutants(const struct kata *k, struct mutant **out)
{
    char *dir = xstrdup(k->mutants);
    DIR *d = opendir(dir);
    *out = NULL;
    if (!d) {
        free(dir);
        return 0;
    }
    int n = 0, bad = 0;
    struct mutant *v = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".patch"))
            continue;
        char *full = xasprintf("%s/%s", dir, e->d_name);
        char *text = read_file(full, 1 << 16, NULL);
        free(full);
        char **expect = header_values(text, "expect");
        char *stage = NULL;
        char **also = xcalloc(1, sizeof *also);
        size_t nalso = 0;
        for (char **l = expect; *l; l++) {
            struct expectation x;
            if (!expectation_parse(*l, text, &x) && x.stage) {
                int seen = stage && !strcmp(stage, x.stage);
                for (size_t j = 0; j < nalso; j++)
                    seen |= !strcmp(also[j], x.stage);
                if (!stage)
                    stage = xstrdup(x.stage);
                else if (!seen) {
                    also = xrealloc(also, (nalso + 2) * sizeof *also);
                    also[nalso++] = xstrdup(x.stage);
                    also[nalso] = NULL;
                }
            }
            expectation_release(&x);
        }
        if (!stage) {
            bad = error("mutant %s/%s has no \"expect: stage=<stage> ...\" line", k->mutants,
                        e->d_name);
            expect_strings_free(expect);
            expect_strings_free(also);
            free(text);
            continue;
        }
        v = xrealloc(v, sizeof *v * (size_t)(n + 1));
        v[n].path = xasprintf("%s/%s", k->mutants, e->d_name);
        v[n].expect = expect;
        v[n].stage = stage;
        v[n].also = also;
        v[n].what = header_value(text, "mutant");
        if (!v[n].what)
            v[n].what = xstrdup(e->d_name);
        char *repeat = header_value(text, "repeat");
        v[n].repeat = repeat ? atoi(repeat) : 1;
        if (v[n].repeat < 1 || v[n].repeat > 100)
            bad = error("mutant %s/%s: \"repeat:\" must be a number from 1 to 100", k->mutants,
                        e->d_name);
        free(repeat);
        n++;
        free(text);
    }
    closedir(d);
    free(dir);
    if (n)
        qsort(v, (size_t)n, sizeof *v, by_path);
    if (bad) {
        mutants_free(v, n);
        return -1;
    }
    *out = v;
    return n;
}

void mutants_free(struct mutant *m, int n)
{
    for (int i = 0; i < n; i++) {
        free(m[i].path);
        expect_strings_free(m[i].expect);
        free(m[i].stage);
        expect_strings_free(m[i].also);
        free(m[i].what);
    }
    free(m);
}

char *mutant_source(const struct kata *k, const struct mutant *m)
{
    const char *name = base_name(m->path);
    char *dir = xasprintf("build/mutants/%s", k->name);
    char *out = xasprintf("%s/%.*s.c", dir, (int)(strlen(name) - strlen(".patch")), name);
    char *log = xasprintf("%s.log", out);
    if (mkdir_p(dir)) {
        free(dir);
        free(out);
        free(log);
        return NULL;
    }
    free(dir);
    unlink(out);
    /* --no-backup-if-mismatch: a patch that no longer fits says so, and leaves nothing */
    const char *argv[] = {
        "patch", "-s", "--no-backup-if-mismatch", "-r", "-", "-o", out, k->solution, m->path, NULL};
    struct child c = {.argv = argv, .stdout_path = log, .stderr_path = log, .timeout = 30};
    if (child_run(&c) || !c.exited || c.exit_code) {
        char *why = read_file(log, 4096, NULL);
        error("mutant %s does not apply to %s: %s", m->path, k->solution,
              why && *why ? rtrim(why) : "patch failed (is patch installed? `make deps`)");
        free(why);
        unlink(out);
        free(out);
        out = NULL;
    }
    unlink(log);
    free(log);
    return out;
}
