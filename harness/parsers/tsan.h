/* tsan.h: read ThreadSanitizer's text reports into findings. */
#ifndef KATA_TSAN_REPORT_H
#define KATA_TSAN_REPORT_H

#include "findings.h"

/* Parses every "WARNING: ThreadSanitizer: ..." block of `text` into `out`. Each access
 * is the first stack frame in the learner's file (resolved path `learner_real`), or the
 * top frame when none is. Returns the number of reports read (0 for a clean log). */
int tsan_parse(const char *text, const char *learner_real, struct findings *out);

#endif
