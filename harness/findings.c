/* findings.c: the list of findings a stage reports. */
#include "findings.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct finding *findings_add(struct findings *f)
{
    f->v = xrealloc(f->v, sizeof *f->v * (f->n + 1));
    struct finding *x = &f->v[f->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static void access_release(struct access *a)
{
    free(a->file);
    free(a->function);
    free(a->op);
    free(a->thread);
}

static void finding_release(struct finding *x)
{
    free(x->kind);
    free(x->variable);
    free(x->headline);
    for (int i = 0; i < x->naccess; i++)
        access_release(&x->access[i]);
}

void findings_release(struct findings *f)
{
    for (size_t i = 0; i < f->n; i++)
        finding_release(&f->v[i]);
    free(f->v);
    f->v = NULL;
    f->n = 0;
}

size_t findings_keep_learner(struct findings *f)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!f->v[i].in_learner)
            continue;
        struct finding t = f->v[k];
        f->v[k] = f->v[i];
        f->v[i] = t;
        k++;
    }
    return k;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void findings_copy_one(struct findings *f, const struct finding *src)
{
    struct finding *x = findings_add(f);
    x->kind = dup_or_null(src->kind);
    x->variable = dup_or_null(src->variable);
    x->headline = dup_or_null(src->headline);
    x->naccess = src->naccess;
    x->in_learner = src->in_learner;
    x->address = src->address;
    for (int i = 0; i < src->naccess; i++) {
        const struct access *a = &src->access[i];
        x->access[i] = (struct access){dup_or_null(a->file),
                                       a->line,
                                       dup_or_null(a->function),
                                       dup_or_null(a->op),
                                       dup_or_null(a->thread),
                                       a->in_learner,
                                       a->atomic};
    }
}

int variable_informative(const char *variable)
{
    if (!variable || !strcmp(variable, "?"))
        return 0;
    if (!strcmp(variable, "a heap block") || !strcmp(variable, "a stack variable"))
        return 1;
    return 2;
}

/* Does a learner line of a appear among b's? */
static int share_learner_line(const struct finding *a, const struct finding *b)
{
    for (int i = 0; i < a->naccess; i++)
        for (int j = 0; j < b->naccess; j++)
            if (a->access[i].in_learner && b->access[j].in_learner && a->access[i].line > 0 &&
                a->access[i].line == b->access[j].line)
                return 1;
    return 0;
}

int findings_same_race(const struct finding *a, const struct finding *b)
{
    if (strcmp(a->kind, "data race") || strcmp(b->kind, "data race"))
        return 0;
    if (variable_informative(a->variable) == 2 && variable_informative(b->variable) == 2)
        return !strcmp(a->variable, b->variable);
    return share_learner_line(a, b);
}

char *thread_words(long n)
{
    return n == 0 ? xstrdup("main thread") : xasprintf("thread %ld", n);
}

int finding_has_atomic_access(const struct finding *f)
{
    for (int i = 0; i < f->naccess; i++)
        if (f->access[i].atomic)
            return 1;
    return 0;
}

int same_source(const char *dir, const char *file, const char *learner_real)
{
    if (!file || !learner_real)
        return 0;
    char *path = (file[0] == '/' || !dir) ? xstrdup(file) : xasprintf("%s/%s", dir, file);
    char *real = real_path(path);
    int same = !strcmp(real, learner_real);
    free(real);
    free(path);
    return same;
}

static const struct code_map *code_in_use;

void findings_use_code_map(const struct code_map *m)
{
    code_in_use = m;
}

int code_map_read(struct code_map *m, const char *map_path, const char *object, const char *binary)
{
    memset(m, 0, sizeof *m);
    char *text = read_file(map_path, 64 << 20, NULL);
    if (!text)
        return -1;
    /* "Linker script and memory map": an input section is " .text  0xADDR  0xSIZE file", its
     * name on a line of its own when it is long; the object is named as the link named it */
    char section[256] = "";
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] == ' ' && l[1] == '.') {
            sscanf(l + 1, "%255s", section);
        } else if (l[0] != ' ') {
            section[0] = '\0';
            continue;
        }
        char *at = strstr(l, object);
        if (!at || at[strlen(object)] != '\0' || strncmp(section, ".text", 5))
            continue;
        unsigned long start = 0, size = 0;
        const char *p = strstr(l, "0x");
        if (!p || sscanf(p, "%lx %lx", &start, &size) != 2 || size == 0)
            continue;
        m->range = xrealloc(m->range, sizeof *m->range * (m->n + 1));
        m->range[m->n][0] = start;
        m->range[m->n][1] = start + size;
        m->n++;
    }
    free(text);
    if (!m->n)
        return -1;
    m->module = xstrdup(base_name(binary));
    return 0;
}

void code_map_release(struct code_map *m)
{
    free(m->module);
    free(m->range);
    memset(m, 0, sizeof *m);
}

int frame_is_learner(const char *dir, const char *file, const char *learner_real,
                     const char *module, unsigned long addr)
{
    const struct code_map *m = code_in_use;
    if (m && module) {
        if (strcmp(base_name(module), m->module))
            return 0;
        for (size_t i = 0; i < m->n; i++)
            if (addr >= m->range[i][0] && addr < m->range[i][1])
                return 1;
        return 0;
    }
    return same_source(dir, file, learner_real);
}

int access_offer_frame(struct finding *f, struct access *a, char *fn, char *file, int line,
                       const char *learner_real)
{
    return access_offer_frame_at(f, a, fn, file, line, learner_real, NULL, 0);
}

int access_offer_frame_at(struct finding *f, struct access *a, char *fn, char *file, int line,
                          const char *learner_real, const char *module, unsigned long addr)
{
    int mine = frame_is_learner(NULL, file, learner_real, module, addr);
    if (!mine && a->function) {
        free(fn);
        free(file);
        return 0;
    }
    free(a->function);
    free(a->file);
    a->function = fn;
    a->file = file;
    a->line = line;
    a->in_learner = mine;
    if (mine)
        f->in_learner = 1;
    return mine;
}
