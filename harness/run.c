/* run.c: the small queries on a run's data that every layer above it shares. */
#include "run.h"

#include <string.h>

const char *status_word(enum status s)
{
    switch (s) {
    case ST_PASS: return "pass";
    case ST_FAIL: return "fail";
    case ST_SKIP: return "skip";
    case ST_ERROR: return "error";
    }
    return "error";
}

const struct stage_result *run_stage(const struct run *r, const char *name)
{
    for (int i = 0; i < r->nstages; i++)
        if (!strcmp(r->stages[i].name, name))
            return &r->stages[i];
    return NULL;
}
