/* valgrind.c: Helgrind and DRD XML reports to findings. */
#include "parsers/valgrind.h"

#include "util.h"
#include "parsers/xml.h"

#include <stdlib.h>
#include <string.h>

static const char *kind_words(const char *kind)
{
    static const char *const map[][2] = {
        {"Race", "data race"},
        {"ConflictingAccess", "data race"},
        {"LockOrder", "lock order inversion"},
        {"UnlockUnlocked", "unlock of an unlocked mutex"},
        {"UnlockForeign", "unlock of a mutex held by another thread"},
        {"UnlockBogus", "unlock of something that is not a mutex"},
        {"PthAPIerror", "pthread call failed"},
        {"MutexErr", "mutex misuse"},
        {"CondErr", "condition variable misuse"},
        {"RwlockErr", "rwlock misuse"},
        {"SemaphoreErr", "semaphore misuse"},
        {"BarrierErr", "barrier misuse"},
        {"HoldtimeErr", "lock held too long"},
        {"GenericErr", "misuse of a threading call"},
        {"CondDestrErr", "condition variable destroyed while a thread waits on it"},
        {"CondWaitErr", "condition variable waited on with two different mutexes"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(kind, map[i][0]))
            return map[i][1];
    return NULL;
}

/* The words for an error whose kind says nothing by itself (Helgrind's "Misc", DRD's
 * CondRaceErr, a kind this file does not know), from the tool's own sentence `what`: a new
 * string. A condition variable signalled without its mutex is named as such; anything else
 * is the tool's sentence without its "Thread #2: ". */
static char *kind_from_what(const char *kind, const char *what)
{
    if (what && (strstr(what, "associated lock is not held") ||
                 (strstr(what, "has been signaled") && strstr(what, "is not locked"))))
        return xstrdup("condition variable signalled without its mutex held");
    if (!what)
        return xasprintf("threading error (%s)", kind && *kind ? kind : "of a kind not named");
    if (starts_with(what, "Thread #") && strstr(what, ": "))
        what = strstr(what, ": ") + 2;
    char *words = xasprintf("threading error: %s", what);
    if (strlen(words) > 160)
        strcpy(words + 156, "...");
    return words;
}

/* Reads the op and thread out of "Possible data race during read of size 8 at 0x.. by
 * thread #3", "This conflicts with a previous write of size 8 by thread #2" or DRD's
 * "Conflicting load by thread 3 at 0x0010c040 size 8". */
static void parse_what(const char *text, struct access *a, unsigned long *address)
{
    if (strstr(text, " read of size") || strstr(text, "Conflicting load"))
        a->op = xstrdup("read");
    else if (strstr(text, " write of size") || strstr(text, "Conflicting store"))
        a->op = xstrdup("write");
    /* Helgrind's "#3" and DRD's "3" count the main thread as 1 (findings.h, thread_words) */
    const char *t = strstr(text, "by thread ");
    if (t) {
        t += strlen("by thread ");
        if (*t == '#')
            t++;
        long n = strtol(t, NULL, 10);
        a->thread = n > 0 ? thread_words(n - 1) : NULL;
    } else if (starts_with(text, "Thread #")) {
        /* Helgrind's other errors: "Thread #2: pthread_cond_{signal,broadcast}: ..." */
        long n = strtol(text + 8, NULL, 10);
        a->thread = n > 0 ? thread_words(n - 1) : NULL;
    }
    const char *at = strstr(text, " at 0x");
    if (address && at && strstr(text, "Conflicting"))
        *address = strtoul(at + 4, NULL, 16);
}

static void take_stack(const struct xml_node *stack, const char *learner_real, struct access *a)
{
    for (int i = 0; stack && i < stack->nkids; i++) {
        const struct xml_node *fr = stack->kids[i];
        if (strcmp(fr->name, "frame"))
            continue;
        const char *file = xml_child_text(fr, "file");
        const char *dir = xml_child_text(fr, "dir");
        const char *fn = xml_child_text(fr, "fn");
        const char *line = xml_child_text(fr, "line");
        const char *ip = xml_child_text(fr, "ip");
        const char *obj = xml_child_text(fr, "obj");
        /* the driver is not position-independent: the address is the link-time one */
        int mine = frame_is_learner(dir, file, learner_real, ip && obj ? obj : NULL,
                                    ip ? strtoul(ip, NULL, 16) : 0);
        if (!mine && a->function)
            continue;
        free(a->function);
        free(a->file);
        a->function = fn ? xstrdup(fn) : NULL;
        a->file = file ? (dir ? xasprintf("%s/%s", dir, file) : xstrdup(file)) : NULL;
        a->line = line ? atoi(line) : 0;
        a->in_learner = mine;
        if (mine)
            return;
    }
}

static char *quoted(const char *s)
{
    const char *q = strchr(s, '"');
    const char *e = q ? strchr(q + 1, '"') : NULL;
    return e ? xstrndup(q + 1, (size_t)(e - q - 1)) : NULL;
}

static void parse_error(const struct xml_node *err, const char *learner_real, struct findings *out)
{
    const char *kind = xml_child_text(err, "kind");
    if (!kind)
        kind = "";
    struct finding *f = findings_add(out);
    const char *words = kind_words(kind);
    /* else from <what>: DRD's CondErr covers several mistakes, its sentence says which */
    f->kind = words && strcmp(kind, "CondErr") ? xstrdup(words) : NULL;
    int want_stack = 0; /* the next <stack> belongs to access[naccess - 1] */
    for (int i = 0; i < err->nkids; i++) {
        const struct xml_node *k = err->kids[i];
        const char *text = NULL;
        if (!strcmp(k->name, "what"))
            text = k->text;
        else if (!strcmp(k->name, "xwhat") || !strcmp(k->name, "xauxwhat"))
            text = xml_child_text(k, "text");
        if (text && (!strcmp(k->name, "what") || !strcmp(k->name, "xwhat") ||
                     strstr(text, "conflicts with"))) {
            if (!f->headline)
                f->headline = xstrdup(text);
            if (f->naccess < 2) {
                struct access *a = &f->access[f->naccess++];
                parse_what(text, a, &f->address);
                want_stack = 1;
            }
            continue;
        }
        if (!strcmp(k->name, "stack")) {
            if (!want_stack && f->naccess == 0 && f->naccess < 2) {
                f->naccess = 1;
                want_stack = 1;
            }
            if (want_stack)
                take_stack(k, learner_real, &f->access[f->naccess - 1]);
            want_stack = 0;
            continue;
        }
        if (!strcmp(k->name, "auxwhat") && !f->variable) {
            /* 'inside data symbol "counter"' (Helgrind), 'global var "counter"' (var-info) */
            if (strstr(k->text, "symbol \"") || strstr(k->text, "var \""))
                f->variable = quoted(k->text);
            else if (strstr(k->text, "block of size") || strstr(k->text, "heap"))
                f->variable = xstrdup("a heap block");
            else if (strstr(k->text, "stack of thread"))
                f->variable = xstrdup("a stack variable");
        }
    }
    if (!f->kind)
        f->kind = kind_from_what(kind, f->headline);
    if (!strcmp(f->kind, "condition variable signalled without its mutex held"))
        for (int j = 0; j < f->naccess; j++)
            if (!f->access[j].op)
                f->access[j].op = xstrdup("signalled");
    for (int j = 0; j < f->naccess; j++)
        if (f->access[j].in_learner)
            f->in_learner = 1;
    if (variable_informative(f->variable) == 2)
        f->address = 0; /* kept for a block without a name: reports of one address are one */
}

int valgrind_parse(const char *text, const char *learner_real, struct findings *out)
{
    const char *err = NULL;
    struct xml_node *root = xml_parse(text, &err);
    if (!root || strcmp(root->name, "valgrindoutput")) {
        xml_free(root);
        return -1;
    }
    int n = 0;
    for (int i = 0; i < root->nkids; i++) {
        if (strcmp(root->kids[i]->name, "error"))
            continue;
        parse_error(root->kids[i], learner_real, out);
        n++;
    }
    xml_free(root);
    return n;
}
