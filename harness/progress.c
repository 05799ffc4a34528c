/* progress.c: each kata's last full grading, tied to the file's content, and the hints seen. */
#include "progress.h"

#include "checksums.h"
#include "digest.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_DIR "build/state"
#define HINTS_DIR "build/hints"

static char *state_path(const char *name)
{
    return xasprintf(STATE_DIR "/%s", name);
}

/* The two records a state file may hold. */
struct record {
    int set;
    char stage[32]; /* of a failure */
    char sha[65];
};

/* Reads "pass <sha>" and "fail <stage> <sha>" lines; anything else is ignored. */
static void read_records(const char *name, struct record *pass, struct record *fail)
{
    memset(pass, 0, sizeof *pass);
    memset(fail, 0, sizeof *fail);
    char *path = state_path(name);
    char *text = read_file(path, 1024, NULL);
    free(path);
    if (!text)
        return;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char stage[32], sha[65];
        if (sscanf(l, "pass %64s", sha) == 1 && strlen(sha) == 64) {
            pass->set = 1;
            memcpy(pass->sha, sha, sizeof sha);
        } else if (sscanf(l, "fail %31s %64s", stage, sha) == 2 && strlen(sha) == 64) {
            fail->set = 1;
            memcpy(fail->stage, stage, sizeof stage);
            memcpy(fail->sha, sha, sizeof sha);
        }
    }
    free(text);
}

void progress_read(const struct kata *k, struct progress *p)
{
    memset(p, 0, sizeof *p);
    p->missing = !file_exists(k->starter);
    if (!p->missing && starter_untouched(STARTERS_LIST, k->starter) == 1)
        return; /* the starter as shipped: nothing was done yet, whatever was recorded */
    struct record pass, fail;
    read_records(k->name, &pass, &fail);
    char now[65] = "";
    if (!p->missing && sha256_file(k->starter, now))
        now[0] = '\0';
    if (pass.set) {
        p->state = PROGRESS_PASSED;
        p->edited = strcmp(now, pass.sha) != 0;
        /* graded again since, and failed: say so beside the pass it keeps */
        if (p->edited && fail.set && !strcmp(now, fail.sha))
            snprintf(p->stage, sizeof p->stage, "%s", fail.stage);
    } else if (fail.set) {
        p->state = PROGRESS_FAILING;
        snprintf(p->stage, sizeof p->stage, "%s", fail.stage);
        p->edited = strcmp(now, fail.sha) != 0;
    }
}

const char *progress_words(const struct progress *p, char *buf, size_t n)
{
    const char *since = p->missing ? ", file missing" : p->edited ? ", edited since" : "";
    switch (p->state) {
    case PROGRESS_PASSED:
        if (p->stage[0])
            snprintf(buf, n, "passed, edited since: failing at %s", p->stage);
        else
            snprintf(buf, n, "passed%s", since);
        break;
    case PROGRESS_FAILING: snprintf(buf, n, "failing at %s%s", p->stage, since); break;
    default: snprintf(buf, n, "%s", p->missing ? "file missing" : "not started");
    }
    return buf;
}

int progress_passed(const struct kata *k)
{
    struct progress p;
    progress_read(k, &p);
    return p.state == PROGRESS_PASSED;
}

/* Is this run a full grading of the learner's own file, with a verdict? */
static int worth_recording(const struct run *r)
{
    if (r->only_stage || !r->src_real || r->nstages == 0 || r->status == ST_ERROR)
        return 0;
    char *own = real_path(r->kata->starter);
    int yes = !strcmp(own, r->src_real);
    free(own);
    return yes;
}

int progress_record(const struct run *r, const char *graded_sha)
{
    const struct kata *k = r->kata;
    if (!worth_recording(r))
        return 0;
    if (starter_untouched(STARTERS_LIST, k->starter) == 1) {
        progress_forget(k->name);
        return 0;
    }
    char now[65];
    if (!graded_sha) {
        if (sha256_file(k->starter, now))
            return 0; /* gone since: there is nothing to tie the verdict to */
        graded_sha = now;
    }
    const char *failed = NULL;
    for (int i = 0; i < r->nstages && !failed; i++)
        if (r->stages[i].status == ST_FAIL || r->stages[i].status == ST_ERROR)
            failed = r->stages[i].name;
    /* A pass replaces everything; a failure keeps an earlier pass beside it. */
    struct record pass, fail;
    read_records(k->name, &pass, &fail);
    char *text =
        r->status == ST_PASS ? xasprintf("pass %s\n", graded_sha)
        : pass.set ? xasprintf("pass %s\nfail %s %s\n", pass.sha, failed ? failed : "?", graded_sha)
                   : xasprintf("fail %s %s\n", failed ? failed : "?", graded_sha);
    char *path = state_path(k->name);
    int rc = mkdir_p(STATE_DIR) ? error("cannot make %s", STATE_DIR)
                                : write_file(path, text, strlen(text));
    free(path);
    free(text);
    return rc ? -1 : 1;
}

int progress_forget(const char *name)
{
    char *path = state_path(name);
    int rc = 0;
    if (unlink(path) && errno != ENOENT)
        rc = error("cannot remove %s: %s", path, strerror(errno));
    free(path);
    return rc;
}

int progress_next(struct kata *const *v, int n, int current)
{
    for (int i = current + 1; i < n; i++)
        if (!progress_passed(v[i]))
            return i;
    for (int i = 0; i < current && i < n; i++)
        if (!progress_passed(v[i]))
            return i;
    return -1;
}

int progress_take_hint(const struct kata *k, int *again)
{
    *again = 0;
    if (!k->nhints)
        return -1;
    char *path = xasprintf(HINTS_DIR "/%s", k->name);
    char *seen = read_file(path, 64, NULL);
    int next = seen ? atoi(seen) : 0;
    free(seen);
    if (next < 0 || next >= k->nhints) {
        *again = next >= k->nhints;
        next = 0;
    }
    char buf[16];
    snprintf(buf, sizeof buf, "%d\n", next + 1);
    if (mkdir_p(HINTS_DIR) == 0)
        write_file(path, buf, strlen(buf));
    free(path);
    return next;
}
