/* kata.c: the catalog of katas, read from katas/<name>/kata.json. */
#include "kata.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

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

struct kata *kata_load(const char *root, const char *name)
{
    if (!valid_name(name)) {
        error("'%s' is not a kata name (lower-case letters, digits and _)", name);
        return NULL;
    }
    char *meta = xasprintf("%s/katas/%s/kata.json", root, name);
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
    int ok = (k->nstages = read_strings(cJSON_GetObjectItemCaseSensitive(j, "stages"),
                                        k->stages, MAX_STAGES, "stages", name)) >= 0 &&
             (k->ndetect_args = read_strings(cJSON_GetObjectItemCaseSensitive(j, "detect_args"),
                                             k->detect_args, MAX_ARGS, "detect_args", name)) >= 0 &&
             (k->nstarter_fails =
                  read_strings(cJSON_GetObjectItemCaseSensitive(j, "starter_fails"),
                               k->starter_fails, MAX_STAGES, "starter_fails", name)) >= 0 &&
             (k->nhints = read_strings(cJSON_GetObjectItemCaseSensitive(j, "hints"), k->hints,
                                       MAX_HINTS, "hints", name)) >= 0 &&
             (k->nlibs = read_strings(cJSON_GetObjectItemCaseSensitive(j, "libs"), k->libs,
                                      MAX_ARGS, "libs", name)) >= 0;
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
        k->perf_threads = (int)number_or(perf, "threads",
                                         k->nperf_args ? atoi(k->perf_args[0]) : 1);
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

int kata_load_all(const char *root, struct kata ***out)
{
    char *dir = xasprintf("%s/katas", root);
    DIR *d = opendir(dir);
    free(dir);
    *out = NULL;
    if (!d)
        return error("no katas/ folder under '%s'", root);
    int n = 0;
    struct kata **v = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *meta = xasprintf("%s/katas/%s/kata.json", root, e->d_name);
        int has = file_exists(meta);
        free(meta);
        if (!has)
            continue;
        struct kata *k = kata_load(root, e->d_name);
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

int kata_has_stage(const struct kata *k, const char *stage)
{
    for (int i = 0; i < k->nstages; i++)
        if (!strcmp(k->stages[i], stage))
            return 1;
    return 0;
}

/* The value after "key:" on a comment line near the top of a mutant, or NULL. */
static char *header_value(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    if (!p)
        return NULL;
    p += strlen(key);
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, "\n");
    char *v = rtrim(xstrndup(p, n));
    if (ends_with(v, "*/")) {
        v[strlen(v) - 2] = '\0';
        rtrim(v);
    }
    return v;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct mutant *)a)->path, ((const struct mutant *)b)->path);
}

int kata_mutants(const char *root, const struct kata *k, struct mutant **out)
{
    char *dir = xasprintf("%s/%s", root, k->mutants);
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
        if (!ends_with(e->d_name, ".c"))
            continue;
        char *full = xasprintf("%s/%s", dir, e->d_name);
        char *text = read_file(full, 1 << 16, NULL);
        free(full);
        char *stage = text ? header_value(text, "rejected-by:") : NULL;
        if (!stage) {
            bad = error("mutant %s/%s has no \"rejected-by: <stage>\" line", k->mutants,
                        e->d_name);
            free(text);
            continue;
        }
        v = xrealloc(v, sizeof *v * (size_t)(n + 1));
        v[n].path = xasprintf("%s/%s", k->mutants, e->d_name);
        v[n].stage = stage;
        v[n].what = header_value(text, "mutant:");
        if (!v[n].what)
            v[n].what = xstrdup(e->d_name);
        char *repeat = header_value(text, "repeat:");
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
        free(m[i].stage);
        free(m[i].what);
    }
    free(m);
}
