/* detect.h: what the three race-detector stages share: running the driver, judging races. */
#ifndef KATA_DETECT_H
#define KATA_DETECT_H

#include "stages/stage.h"

/* Runs argv (a driver, maybe under Valgrind) with the kata's detector deadline and the
 * limits for untrusted code, with stdout and stderr in <work>/<label>.log. On a deadline
 * the stacks go to <work>/<label>-stacks.txt when dump_stacks is set. Returns what
 * child_run returns. */
int detect_run(struct run *r, const char *label, const char *const *argv, const char *const *env,
               int sanitizer, int dump_stacks, struct child *c);

/* After a detector ran: keeps the findings in the learner's file (the others are counted in
 * out->hidden), and sets the stage's status and summary from them and from how the child
 * ended. `tool` names the detector in the summary. */
void detect_judge(struct run *r, const char *tool, const struct child *c,
                  struct stage_result *out);

/* Concatenates every <work>/<prefix>.<pid> log a sanitizer wrote (one per process).
 * Returns a new string, empty when there is none. */
char *detect_collect_logs(const struct run *r, const char *prefix);

/* "external_symbolizer_path=<llvm-symbolizer>" for the sanitizers' options (their frames
 * need it for file:line), or "" to let them search PATH. A static string. */
const char *symbolizer_option(void);

#endif
