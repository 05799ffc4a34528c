/* grade.h: grading one learner file against one kata, stage by stage. */
#ifndef KATA_GRADE_H
#define KATA_GRADE_H

#include "run.h"

/* Grades r->src against r->kata: runs each of the kata's stages in order (build first;
 * a stage that cannot be meaningful after an earlier failure is skipped) and fills in the
 * results. Returns 0 when grading happened (whatever the verdict) or -1 when the harness
 * itself failed. Free with run_release. */
int grade_run(struct run *r);
void run_release(struct run *r);

/* Works out r's paths, makes its work folder and starts its latency server if the kata
 * needs one; grade_run calls it. Returns 0 or -1. Release with run_release. */
int run_prepare(struct run *r);

#endif
