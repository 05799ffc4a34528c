/* detect.h: what the three race-detector stages share: running the driver, judging races. */
#ifndef KATA_DETECT_H
#define KATA_DETECT_H

#include "stages/stage.h"

/* What a detector's run hands back besides the child: the tool's report, and whether the
 * driver's main returned (stages/main_end.h). */
struct detect_io {
    struct child_channel report; /* at DETECT_REPORT_FD; the caller frees report.text */
    char unended[512];           /* why the run is not known to have reached the end of the driver's
                          main, in the learner's terms; "" when it did */
};

/* Runs argv (a driver, maybe under Valgrind) with the kata's detector deadline and the
 * limits for untrusted code, with stdout and stderr in <work>/<label>.log and the tool's
 * report on io->report (a channel at DETECT_REPORT_FD; its results are set), and the line
 * that says the driver's main returned on a channel of its own (io->unended is set). On a
 * deadline the stacks go to <work>/<label>-stacks.txt when dump_stacks is set. Returns what
 * child_run returns. */
int detect_run(struct run *r, const char *label, const char *const *argv, const char *const *env,
               int sanitizer, int dump_stacks, struct detect_io *io, struct child *c);

/* The descriptor number the detector's report travels on (a pipe the harness reads while the
 * driver runs: spawn.h, struct child_channel), and the environment entry that tells the
 * sanitizer drivers (tests/support/report_fd.c). */
#define DETECT_REPORT_FD 3
#define DETECT_REPORT_ENV "KATA_REPORT_FD=3"

/* The environment entry that keeps the sanitizer drivers' guard of the report descriptors
 * on ("KATA_REPORT_GUARD=1"), or turns it off for the defences' proof only (defence_disabled
 * "guard": tests/hostile/redirect_report.c). */
const char *detect_guard_env(const struct run *r);

/* Is the detector's report evidence? Not when the driver left processes running, or the
 * report channel was closed before the driver ended or held open after it, or (complete, a
 * closing mark the tool writes last, or NULL) the report lacks its end although the run did
 * not time out. Then sets the stage to failed with the reason and returns 0; else 1. */
int detect_trusted(struct run *r, const char *tool, const struct child *c,
                   const struct detect_io *io, const char *complete, struct stage_result *out);

/* After a detector ran: keeps the findings in the learner's file (the others are counted in
 * out->hidden), and sets the stage's status and summary from them and from how the child
 * ended: a run with nothing found whose driver's main did not return (io->unended) fails,
 * since the work the tool was to watch was not all done. `tool` names the detector in the
 * summary. */
void detect_judge(struct run *r, const char *tool, const struct child *c,
                  const struct detect_io *io, struct stage_result *out);

/* The one member access ("q->closed", "p->next->value") that every one of the learner's
 * lines (numbers into `source`, the learner's file; those <= 0 skipped) has in common,
 * outside comments and literals: a new string, or NULL when there is no single one. */
char *lines_common_access(const char *source, const int *lines, int nlines);

/* The old channel, for the defences' proof only (source.h, defence_disabled "channel"): every
 * <work>/<prefix>.<pid><suffix> file the tool wrote, read once the driver is gone, joined.
 * Returns a new string, empty when there is none. */
char *detect_collect_files(const struct run *r, const char *prefix, const char *suffix);

/* "external_symbolizer_path=<llvm-symbolizer>" for the sanitizers' options (their frames
 * need it for file:line), or "" to let them search PATH. A static string. */
const char *symbolizer_option(void);

#endif
