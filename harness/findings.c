/* findings.c: the list of findings a stage reports. */
#include "findings.h"

#include "util.h"

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
        x->access[i] = (struct access){dup_or_null(a->file), a->line, dup_or_null(a->function),
                                       dup_or_null(a->op), dup_or_null(a->thread), a->in_learner};
    }
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

int access_offer_frame(struct finding *f, struct access *a, char *fn, char *file, int line,
                       const char *learner_real)
{
    int mine = same_source(NULL, file, learner_real);
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
